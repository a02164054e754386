#!/usr/bin/env bash
# Makes the Java runtime of the container image with jlink, from the JDK 25 that bin/quiver finds
# (so no JRE has to be downloaded): the modules the node and its libraries use (from
# `jdeps --print-module-deps` over node/target/lib), jdk.incubator.vector for the SIMD kernels,
# and jdk.crypto.ec and jdk.naming.dns for TLS and gRPC's resolver. Kept when the same JDK and
# module list made it before. Usage: build-runtime.sh [OUT] (default node/target/jre).
set -euo pipefail

home="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:-$home/node/target/jre}"
modules="java.base,java.compiler,java.desktop,java.logging,java.management,java.naming,java.net.http,java.sql"
modules+=",jdk.crypto.ec,jdk.incubator.vector,jdk.jfr,jdk.management,jdk.naming.dns,jdk.unsupported"

jdk="$("$home/bin/quiver" java-home)"
stamp="$jdk $(grep -h '^JAVA_RUNTIME_VERSION=' "$jdk/release" 2>/dev/null) $modules"
if [[ -x "$out/bin/java" && -f "$out/.quiver-stamp" && "$(cat "$out/.quiver-stamp")" == "$stamp" ]]; then
  exit 0
fi
rm -rf "$out"
mkdir -p "$(dirname "$out")"
"$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
  --compress=zip-6 --output "$out"
echo "$stamp" >"$out/.quiver-stamp"
echo "containers: Java runtime made with jlink in $out ($(du -sh "$out" | cut -f1))" >&2
