#!/usr/bin/env bash
# Builds the dashboard (TypeScript, Vite) into $1; node/pom.xml runs it in generate-resources with
# target/classes/dashboard, so the bundle ends up in the node's jar. Skip it with -Dquiver.ui.skip.
#   * node_modules is (re)installed (`npm ci`, which needs the npm registry) only when it was not
#     installed from this very package-lock.json; once it is, the build needs no network.
#   * The bundle is rebuilt only when a source is newer than it.
set -euo pipefail
cd "$(dirname "$0")"
out="${1:?usage: build.sh OUTPUT_DIR}"

if ! command -v npm >/dev/null 2>&1; then
  echo "quiver: the dashboard needs Node.js and npm to build (Debian: apt-get install nodejs npm);" \
       "or build without it: -Dquiver.ui.skip" >&2
  exit 1
fi
installed=node_modules/.quiver-installed-lock.json # the package-lock.json node_modules was installed from
if ! cmp -s package-lock.json "$installed"; then
  echo "quiver: installing the dashboard's build tools (npm ci)" >&2
  npm ci --prefer-offline --no-audit --no-fund --loglevel=error
  cp package-lock.json "$installed"
fi
if [[ -f "$out/index.html" ]] && [[ -z "$(find src index.html package-lock.json vite.config.ts tsconfig.json \
    -newer "$out/index.html" -print -quit)" ]]; then
  exit 0 # up to date
fi
QUIVER_UI_OUT_DIR="$out" npm run --silent build
