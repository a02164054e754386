#!/usr/bin/env bash
# Installs what the container tests and deploy/docker/*.sh need, when missing: Debian's Docker
# engine (docker.io: dockerd, containerd, runc; the client may already be newer), docker-compose
# 1.29 and debootstrap (the base image; no registry is reachable). Needs root; apt-get only;
# bounded in time. The engine is never started by the package (a policy-rc.d refuses it for the
# install): deploy/docker/start-engine.sh starts it with the options that keep the machine's
# firewall as it was. Exit 0 when all are present afterwards, 1 otherwise.
set -euo pipefail

missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi
if [[ "$(id -u)" -ne 0 ]]; then
  echo "containers: missing packages ${missing[*]} and not root; install them with apt-get" >&2
  exit 1
fi
echo "containers: installing ${missing[*]}" >&2

# Debian's docker.io starts dockerd from its postinst with the default options, which set the
# iptables FORWARD policy to DROP and cut the fault-injection suite's bridge. Refuse service starts
# for the length of the install (invoke-rc.d honours policy-rc.d), unless a policy already exists.
policy=/usr/sbin/policy-rc.d
own_policy=false
if [[ ! -e "$policy" ]]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && own_policy=true
fi
cleanup() { if $own_policy; then rm -f "$policy"; fi; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
timeout 600 apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
  || { timeout 300 apt-get update -q >/dev/null 2>&1 \
       && timeout 600 apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; }
command -v dockerd >/dev/null && command -v docker-compose >/dev/null && command -v debootstrap >/dev/null
