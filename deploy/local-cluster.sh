#!/usr/bin/env bash
# Starts or stops an N-node Quiver cluster on this machine, on loopback ports.
#
#   deploy/local-cluster.sh start [N] [BASE_PORT] [DIR]  N nodes (default 3) from BASE_PORT (default 6333), data
#                                                        and logs under DIR (default ./data/local-cluster); nodes
#                                                        already running are left alone, so `start 4` on a running
#                                                        3-node cluster adds a fourth node
#   deploy/local-cluster.sh stop [DIR]                   SIGTERM each node by its recorded PID, SIGKILL after 30 s
#   deploy/local-cluster.sh stop-node I [DIR]            stops node I only (e.g. after it was drained and removed)
#   deploy/local-cluster.sh status [DIR]
#
# Node i (0-based) serves REST on BASE_PORT + 10*i and Raft on BASE_PORT + 2 + 10*i; node 0 starts the
# cluster, the others join it with --bootstrap (all launched at once, then each waited for).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cmd="${1:-}"

base_of() { # dir: the base port the cluster in DIR was started with
  if [[ -f "$1/base-port" ]]; then cat "$1/base-port"; else echo 6333; fi
}
rest_port() { echo $(($2 + 10 * $1)); }   # i base
raft_port() { echo $(($2 + 2 + 10 * $1)); }

wait_ready() { # port pidfile
  for _ in $(seq 1 240); do
    if curl -fsS "http://127.0.0.1:$1/readyz" >/dev/null 2>&1; then return 0; fi
    kill -0 "$(cat "$2")" 2>/dev/null || { echo "node on port $1 exited; see its log" >&2; return 1; }
    sleep 0.5
  done
  echo "node on port $1 did not become ready" >&2
  return 1
}

stop_pid() { # pidfile
  local pid
  pid="$(cat "$1")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    echo "stopped pid $pid"
  fi
  rm -f "$1"
}

case "$cmd" in
  start)
    n="${2:-3}"
    want_base="${3:-6333}"
    dir="$(mkdir -p "${4:-./data/local-cluster}" && cd "${4:-./data/local-cluster}" && pwd)"
    if [[ -f "$dir/base-port" && "$(cat "$dir/base-port")" != "$want_base" ]]; then
      echo "$dir holds a cluster started with base port $(cat "$dir/base-port"); use that one" >&2; exit 2
    fi
    echo "$want_base" >"$dir/base-port"
    base="$want_base"
    "$here/bin/quiver" node --help >/dev/null # builds the node first when it is missing or older than its sources
    started=()
    for i in $(seq 0 $((n - 1))); do
      pidfile="$dir/node-$i.pid"
      if [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
        echo "node $i already running (pid $(cat "$pidfile"))"; continue
      fi
      args=(--data-dir "$dir/node-$i" --host 127.0.0.1 --http-port "$(rest_port "$i" "$base")"
            --uri "http://127.0.0.1:$(raft_port "$i" "$base")")
      if [[ "$i" -gt 0 ]]; then args+=(--bootstrap "http://127.0.0.1:$(raft_port 0 "$base")"); fi
      nohup "$here/bin/quiver" node "${args[@]}" >>"$dir/node-$i.log" 2>&1 &
      echo $! >"$pidfile"
      started+=("$i")
    done
    for i in "${started[@]}"; do
      wait_ready "$(rest_port "$i" "$base")" "$dir/node-$i.pid"
      echo "node $i: REST http://127.0.0.1:$(rest_port "$i" "$base")  Raft 127.0.0.1:$(raft_port "$i" "$base")  pid $(cat "$dir/node-$i.pid")  log $dir/node-$i.log"
    done
    ;;
  stop)
    dir="${2:-./data/local-cluster}"
    for pidfile in "$dir"/node-*.pid; do
      [[ -f "$pidfile" ]] || continue
      stop_pid "$pidfile"
    done
    ;;
  stop-node)
    i="${2:?node index}"
    dir="${3:-./data/local-cluster}"
    [[ -f "$dir/node-$i.pid" ]] || { echo "no node $i running under $dir" >&2; exit 1; }
    stop_pid "$dir/node-$i.pid"
    ;;
  status)
    dir="${2:-./data/local-cluster}"
    base="$(base_of "$dir")"
    for pidfile in "$dir"/node-*.pid; do
      [[ -f "$pidfile" ]] || continue
      i="$(basename "$pidfile" .pid)"; i="${i#node-}"
      state=down; kill -0 "$(cat "$pidfile")" 2>/dev/null && state=up
      echo "node $i: $state (pid $(cat "$pidfile"), REST port $(rest_port "$i" "$base"))"
    done
    ;;
  *)
    sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
