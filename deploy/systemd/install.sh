#!/usr/bin/env bash
# Installs a Quiver node for systemd from this checkout (after `bin/quiver build`): the node's jars
# and native library and a Java runtime made with jlink from the local JDK 25 under /opt/quiver,
# a system user quiver, /etc/quiver/quiver.env (kept if present) and the unit
# /etc/systemd/system/quiver.service. Then: systemctl daemon-reload && systemctl enable --now quiver.
# PREFIX (default /) installs under another root, e.g. into an image. Needs root.
set -euo pipefail

home="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
root="${PREFIX:-/}"
[[ -f "$home/node/target/quiver-node.jar" ]] || { echo "quiver: build first: bin/quiver build" >&2; exit 1; }
"$home/deploy/docker/build-runtime.sh" "$home/node/target/jre"

opt="$root/opt/quiver"
rm -rf "$opt.new" && mkdir -p "$opt.new/bin" "$opt.new/lib"
cp -a "$home/node/target/jre" "$opt.new/jre"
cp -a "$home/node/target/native" "$opt.new/native"
cp -a "$home/node/target/lib/." "$opt.new/lib/"
cp "$home/node/target/quiver-node.jar" "$opt.new/lib/quiver-node.jar"
install -m 755 "$home/deploy/docker/quiver-entrypoint.sh" "$opt.new/bin/quiver-entrypoint"
rm -rf "$opt.old"; [[ -d "$opt" ]] && mv "$opt" "$opt.old"
mv "$opt.new" "$opt" && rm -rf "$opt.old"

if ! grep -q '^quiver:' "$root/etc/passwd"; then
  useradd --root "$root" --system --user-group --home-dir /var/lib/quiver --no-create-home --shell /usr/sbin/nologin quiver
fi
mkdir -p "$root/etc/quiver" "$root/etc/systemd/system"
if [[ ! -f "$root/etc/quiver/quiver.env" ]]; then
  cat >"$root/etc/quiver/quiver.env" <<'ENV'
# Quiver node settings (QUIVER__SECTION__KEY; `/opt/quiver/bin/quiver-entrypoint --help` lists them).
#QUIVER__SERVICE__API_KEY=
#QUIVER__SERVICE__READ_ONLY_API_KEY=
#QUIVER__CLUSTER__P2P__URI=http://THIS_HOST:6335
#QUIVER__CLUSTER__BOOTSTRAP=http://FIRST_NODE:6335
ENV
  chmod 640 "$root/etc/quiver/quiver.env"
  chroot "$root" chgrp quiver /etc/quiver/quiver.env
fi
install -m 644 "$home/deploy/systemd/quiver.service" "$root/etc/systemd/system/quiver.service"
echo "quiver: installed under $root (opt/quiver, etc/quiver, etc/systemd/system/quiver.service)" >&2
