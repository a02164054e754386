#!/usr/bin/env bash
# Builds the dashboard (TypeScript, Vite) into $1; node/pom.xml runs it in generate-resources with
# target/classes/dashboard, so the bundle ends up in the node's jar. Skip it with -Dquiver.ui.skip.
#   * node_modules is (re)installed (`npm ci`, which needs the npm registry) only when it was not
#     installed from this very package-lock.json; once it is, the build needs no network.
#   * The bundle is rebuilt only when a source is newer than it.
set -euo pipefail
cd "$(dirname "$0")"
out="${1:?usage: build.sh OUTPUT_DIR}"

# A fresh Debian machine: install Node.js and npm from apt (as root, bounded in time). Where they
# cannot be had, or are older than Vite needs, the node is built without the dashboard (loudly:
# /dashboard then answers 404 saying so) rather than failing the whole build.
if ! command -v npm >/dev/null 2>&1 && [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "quiver: installing Node.js and npm (apt-get) to build the dashboard" >&2
  export DEBIAN_FRONTEND=noninteractive
  timeout 600 apt-get install -y -q --no-install-recommends nodejs npm >/dev/null 2>&1 \
    || { timeout 300 apt-get update -q >/dev/null 2>&1 \
         && timeout 600 apt-get install -y -q --no-install-recommends nodejs npm >/dev/null 2>&1; } || true
fi
node_ok() { # Vite 7 needs Node.js >= 20.19
  command -v npm >/dev/null 2>&1 && node -e 'const [a,b]=process.versions.node.split(".").map(Number);
    process.exit(a>20||(a===20&&b>=19)?0:1)' 2>/dev/null
}
if ! node_ok; then
  echo "quiver: WARNING: the dashboard is NOT built: it needs Node.js >= 20.19 and npm" \
       "(found: $(node --version 2>/dev/null || echo none)); the node works without it, /dashboard answers 404." \
       "Install Node.js 20.19+ and build again, or pass -Dquiver.ui.skip to silence this." >&2
  exit 0
fi
installed=node_modules/.quiver-installed-lock.json # the package-lock.json node_modules was installed from
if ! cmp -s package-lock.json "$installed"; then
  echo "quiver: installing the dashboard's build tools (npm ci)" >&2
  if ! npm ci --prefer-offline --no-audit --no-fund --loglevel=error; then
    echo "quiver: WARNING: the dashboard is NOT built: 'npm ci' failed (is the npm registry reachable?);" \
         "the node works without it, /dashboard answers 404." >&2
    exit 0
  fi
  cp package-lock.json "$installed"
fi
if [[ -f "$out/index.html" ]] && [[ -z "$(find src index.html package-lock.json vite.config.ts tsconfig.json \
    -newer "$out/index.html" -print -quit)" ]]; then
  exit 0 # up to date
fi
QUIVER_UI_OUT_DIR="$out" npm run --silent build
