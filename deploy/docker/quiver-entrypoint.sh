#!/bin/sh
# Starts a Quiver node in the container: the jlink'ed runtime in /opt/quiver/jre when the image
# has one, else the base image's java. Settings come from QUIVER__SECTION__KEY environment
# variables, a config file (--config) or flags, as for bin/quiver node; QUIVER_JAVA_OPTS adds JVM
# flags (the image sets a heap of half the container's memory limit).
set -e
if [ -x /opt/quiver/jre/bin/java ]; then
  java_home=/opt/quiver/jre
elif [ -n "$JAVA_HOME" ] && [ -x "$JAVA_HOME/bin/java" ]; then
  java_home="$JAVA_HOME"
else
  java_home="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
fi
# The SIMD kernels need jdk.incubator.vector; a runtime without it runs the scalar kernels.
vector=""
if grep -q 'jdk.incubator.vector' "$java_home/release" 2>/dev/null; then
  vector="--add-modules=jdk.incubator.vector"
fi
# shellcheck disable=SC2086 # QUIVER_JAVA_OPTS is a list of flags
exec "$java_home/bin/java" $vector --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
  -Djava.library.path=/opt/quiver/native $QUIVER_JAVA_OPTS \
  -cp "/opt/quiver/lib/quiver-node.jar:/opt/quiver/lib/*" io.quiver.node.QuiverNode "$@"
