#!/usr/bin/env bash
# Installs what the Jepsen-style harness (it-tests, io.quiver.jepsen.harness) needs, when missing:
# iproute2 (ip netns), nftables (partitions, packet loss), iptables (kept for NFQUEUE delay),
# libfaketime (per-node clock skew). Needs root; apt-get only; bounded in time. Exit 0 when all
# are present afterwards, 1 otherwise.
set -euo pipefail

FAKETIME_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1
missing=()
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
command -v nft >/dev/null 2>&1 || missing+=(nftables)
command -v iptables >/dev/null 2>&1 || missing+=(iptables)
[[ -f "$FAKETIME_LIB" ]] || missing+=(faketime libfaketime)

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi
if [[ "$(id -u)" -ne 0 ]]; then
  echo "jepsen: missing packages ${missing[*]} and not root; install them with apt-get" >&2
  exit 1
fi
echo "jepsen: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
timeout 300 apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
  || { timeout 300 apt-get update -q >/dev/null 2>&1 && timeout 300 apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; }
command -v ip >/dev/null && command -v nft >/dev/null && command -v iptables >/dev/null && [[ -f "$FAKETIME_LIB" ]]
