#!/usr/bin/env bash
# Builds the local base image quiver-base:bookworm (Debian 12, minbase) without a registry:
# debootstrap from the machine's own apt mirror, then `docker import`. Skipped when the image
# already exists (the engine keeps it across runs), so only a new machine pays the ~50 s.
# Needs root and a running engine (deploy/docker/start-engine.sh). Usage: build-base-image.sh [TAG]
set -euo pipefail

tag="${1:-quiver-base:bookworm}"
if docker image inspect "$tag" >/dev/null 2>&1; then
  exit 0
fi
command -v debootstrap >/dev/null 2>&1 || { echo "containers: no debootstrap (run deploy/docker/install-packages.sh)" >&2; exit 1; }

# The machine's own Debian mirror: a deb822 `URIs:` line, else a one-line `deb URL bookworm ...`.
mirror="$(grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null \
          | awk '{print $2}' | grep -v -- '-security' | head -n 1 || true)"
if [[ -z "$mirror" ]]; then
  mirror="$(grep -hsE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
            | awk '{print $2}' | grep -v -- '-security' | head -n 1 || true)"
fi
mirror="${mirror:-http://deb.debian.org/debian}"

exec 9>/run/lock/quiver-base-image.lock
flock -w 600 9
if docker image inspect "$tag" >/dev/null 2>&1; then
  exit 0 # another run built it meanwhile
fi
rootfs="$(mktemp -d /var/tmp/quiver-rootfs.XXXXXX)"
trap 'rm -rf "$rootfs"' EXIT
echo "containers: building $tag with debootstrap from $mirror (about a minute)" >&2
started=$SECONDS
if ! timeout 900 debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$rootfs.log" 2>&1; then
  tail -n 30 "$rootfs.log" >&2; rm -f "$rootfs.log"
  echo "containers: debootstrap failed" >&2
  exit 1
fi
rm -f "$rootfs.log"
# What a runtime image never needs: apt's caches and lists, documentation, manuals.
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
       "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/*
tar -C "$rootfs" -c . | docker import -c 'CMD ["/bin/bash"]' - "$tag" >/dev/null
echo "containers: $tag built in $((SECONDS - started)) s" >&2
