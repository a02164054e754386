#!/usr/bin/env bash
# End-to-end REST benchmark: ingest and query latency through one node and through a
# 3-node loopback cluster (replication 1 and 3), and writes through a shard leader vs non-leaders.
#   bench/cluster-rest.sh [WORKDIR]      (default /tmp/quiver-cluster-bench; deleted first)
# All nodes share this machine's cores, so the cluster figures measure overhead, not scale-out.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${1:-/tmp/quiver-cluster-bench}"
rm -rf "$work" && mkdir -p "$work"
"$here/bin/quiver" build >/dev/null
bench() { "$here/bin/quiver" bench rest --upserts 10 --queries 100 "$@" 2>&1 | grep -v '^WARNING'; }

echo "== single node"
"$here/bin/quiver" node --data-dir "$work/single" --host 127.0.0.1 --http-port 16400 --raft-port 16401 >"$work/single.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; "$here/deploy/local-cluster.sh" stop "$work/cluster" >/dev/null 2>&1 || true' EXIT
for _ in $(seq 1 120); do curl -fsS http://127.0.0.1:16400/readyz >/dev/null 2>&1 && break; sleep 0.5; done
bench --url http://127.0.0.1:16400 --shards 1 --replication 1
bench --url http://127.0.0.1:16400 --shards 3 --replication 1
kill "$pid"; wait "$pid" 2>/dev/null || true

echo "== 3-node cluster on loopback"
"$here/deploy/local-cluster.sh" start 3 6333 "$work/cluster" >/dev/null
bench --url http://127.0.0.1:6333 --shards 3 --replication 1
bench --url http://127.0.0.1:6333 --shards 3 --replication 3
for port in 6333 6343 6353; do bench --url "http://127.0.0.1:$port" --shards 1 --replication 3; done
"$here/deploy/local-cluster.sh" stop "$work/cluster" >/dev/null
