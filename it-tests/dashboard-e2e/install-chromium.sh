#!/usr/bin/env bash
# Installs Debian's chromium (the headless browser DashboardIT drives through playwright-core; no
# browser download) when missing. Needs root; apt-get only; bounded in time. Exit 0 when
# /usr/bin/chromium is there afterwards, 1 otherwise.
set -euo pipefail

[[ -x /usr/bin/chromium ]] && exit 0
if [[ "$(id -u)" -ne 0 ]]; then
  echo "dashboard: /usr/bin/chromium is missing and this is not root; install it: apt-get install chromium" >&2
  exit 1
fi
echo "dashboard: installing Debian's chromium" >&2
export DEBIAN_FRONTEND=noninteractive
timeout 600 apt-get install -y -q --no-install-recommends chromium >/dev/null 2>&1 \
  || { timeout 300 apt-get update -q >/dev/null 2>&1 && timeout 600 apt-get install -y -q --no-install-recommends chromium >/dev/null; }
[[ -x /usr/bin/chromium ]]
