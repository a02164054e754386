#!/usr/bin/env bash
# Builds the node image from deploy/Dockerfile on this machine, without a registry: the local base
# image (debootstrap, built once) and a Java runtime made with jlink from the local JDK 25.
# Builds the node first when its jar is missing. Usage: build-image.sh [TAG] (default quiver:latest).
# Needs a running engine (deploy/docker/start-engine.sh; as root, deploy/docker/prepare.sh does all).
set -euo pipefail

home="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tag="${1:-quiver:latest}"
base="${QUIVER_BASE_IMAGE:-quiver-base:bookworm}"

if [[ ! -f "$home/node/target/quiver-node.jar" || ! -d "$home/node/target/lib" ]]; then
  "$home/bin/quiver" build
fi
docker image inspect "$base" >/dev/null 2>&1 || "$home/deploy/docker/build-base-image.sh" "$base"
"$home/deploy/docker/build-runtime.sh" "$home/node/target/jre"
cd "$home"
docker build -q -f deploy/Dockerfile --build-arg "BASE_IMAGE=$base" --build-arg JRE_DIR=node/target/jre -t "$tag" . >/dev/null
echo "containers: built $tag on $base" >&2
