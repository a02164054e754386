#!/usr/bin/env bash
# Starts a Docker engine in the background when none answers, with options that leave the
# machine's network as it was:
#   --iptables=false    dockerd adds no iptables rules and never sets the FORWARD policy to DROP,
#                       which would cut the bridge of the fault-injection suite (it-tests' Jepsen
#                       harness). Containers on one user-defined network still reach each other and
#                       the host reaches them (same bridge); published ports go through docker-proxy;
#                       nothing is NATed out of the machine.
#   --ip-forward=false  the kernel's ip_forward stays as it was (0 here).
#   --bip, --default-address-pool   docker0 and networks made without a subnet use 198.18.78.0/24
#                       and 198.18.80.0/20 (benchmarking range, RFC 2544), never private ranges.
# Waits (at most 60 s) for `docker info`. Exit 0 when an engine answers, 1 otherwise (the reason on
# stderr). Needs root to start one. The engine keeps running afterwards, as a system service would;
# its log is /var/log/quiver-dockerd.log.
set -euo pipefail

engine_answers() { timeout 20 docker info >/dev/null 2>&1; }

forward_policy_check() {
  if command -v iptables >/dev/null 2>&1 && iptables -S FORWARD 2>/dev/null | grep -q -- '-P FORWARD DROP'; then
    echo "containers: WARNING: the iptables FORWARD policy is DROP (an engine started elsewhere with its" \
         "default options?); the fault-injection suite's bridge then carries nothing. Restart dockerd with" \
         "deploy/docker/start-engine.sh's options, or: iptables -P FORWARD ACCEPT" >&2
  fi
}

if engine_answers; then
  forward_policy_check
  exit 0
fi
if ! command -v dockerd >/dev/null 2>&1; then
  echo "containers: no dockerd (run deploy/docker/install-packages.sh as root)" >&2
  exit 1
fi
if [[ "$(id -u)" -ne 0 ]]; then
  echo "containers: no Docker engine answers and not root, so none can be started" >&2
  exit 1
fi

# One starter at a time: two test runs on one machine must not start two daemons.
exec 9>/run/lock/quiver-dockerd.lock
flock -w 120 9
if ! engine_answers; then
  log=/var/log/quiver-dockerd.log
  echo "containers: starting dockerd (log: $log)" >&2
  setsid nohup dockerd --iptables=false --ip-forward=false --ip-masq=false \
    --bip=198.18.78.1/24 --default-address-pool base=198.18.80.0/20,size=24 \
    >>"$log" 2>&1 </dev/null &
  pid=$!
  for _ in $(seq 1 60); do
    if engine_answers || ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 1
  done
  if ! engine_answers; then
    echo "containers: dockerd did not answer within 60 s; last lines of $log:" >&2
    tail -n 20 "$log" >&2
    exit 1
  fi
fi
forward_policy_check
