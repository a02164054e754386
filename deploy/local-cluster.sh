#!/usr/bin/env bash
# Starts or stops an N-node Quiver cluster on this machine, on loopback ports.
#
#   deploy/local-cluster.sh start [N] [DIR]   N nodes (default 3), data and logs under DIR (default ./data/local-cluster)
#   deploy/local-cluster.sh stop [DIR]        SIGTERM each node by its recorded PID, SIGKILL after 30 s
#   deploy/local-cluster.sh status [DIR]
#
# Node i (0-based) serves REST on 6333 + 10*i and Raft on 6335 + 10*i; node 0 starts the cluster,
# the others join it with --bootstrap http://127.0.0.1:6335.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cmd="${1:-}"

rest_port() { echo $((6333 + 10 * $1)); }
raft_port() { echo $((6335 + 10 * $1)); }

wait_ready() { # port
  for _ in $(seq 1 120); do
    if curl -fsS "http://127.0.0.1:$1/readyz" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  echo "node on port $1 did not become ready" >&2
  return 1
}

case "$cmd" in
  start)
    n="${2:-3}"
    dir="$(mkdir -p "${3:-./data/local-cluster}" && cd "${3:-./data/local-cluster}" && pwd)"
    "$here/bin/quiver" build >/dev/null
    for i in $(seq 0 $((n - 1))); do
      pidfile="$dir/node-$i.pid"
      if [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
        echo "node $i already running (pid $(cat "$pidfile"))"; continue
      fi
      args=(--data-dir "$dir/node-$i" --host 127.0.0.1 --http-port "$(rest_port "$i")" --uri "http://127.0.0.1:$(raft_port "$i")")
      if [[ "$i" -gt 0 ]]; then args+=(--bootstrap "http://127.0.0.1:$(raft_port 0)"); fi
      nohup "$here/bin/quiver" node "${args[@]}" >"$dir/node-$i.log" 2>&1 &
      echo $! >"$pidfile"
      wait_ready "$(rest_port "$i")"
      echo "node $i: REST http://127.0.0.1:$(rest_port "$i")  Raft 127.0.0.1:$(raft_port "$i")  pid $(cat "$pidfile")  log $dir/node-$i.log"
    done
    ;;
  stop)
    dir="${2:-./data/local-cluster}"
    for pidfile in "$dir"/node-*.pid; do
      [[ -f "$pidfile" ]] || continue
      pid="$(cat "$pidfile")"
      if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid"
        for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
        echo "stopped pid $pid"
      fi
      rm -f "$pidfile"
    done
    ;;
  status)
    dir="${2:-./data/local-cluster}"
    for pidfile in "$dir"/node-*.pid; do
      [[ -f "$pidfile" ]] || continue
      i="$(basename "$pidfile" .pid)"; i="${i#node-}"
      state=down; kill -0 "$(cat "$pidfile")" 2>/dev/null && state=up
      echo "node $i: $state (pid $(cat "$pidfile"), REST port $(rest_port "$i"))"
    done
    ;;
  *)
    sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
