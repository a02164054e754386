#!/usr/bin/env bash
# Everything a new machine needs before containers run, each step skipped when already done:
# the packages (install-packages.sh), a running engine that leaves the firewall alone
# (start-engine.sh) and the local base image quiver-base:bookworm (build-base-image.sh).
# Needs root. Exit 0 when all are in place, 1 otherwise (the failing step says why on stderr).
set -euo pipefail
dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$dir/install-packages.sh"
"$dir/start-engine.sh"
"$dir/build-base-image.sh"
