#!/usr/bin/env bash
# Builds the local busybox image the Docker tests and benchmarks use, without a registry: a rootfs of
# busybox-static (/bin/busybox and a symlink per applet: sh, httpd, sleep, …) imported with `docker import`.
# Idempotent: an existing image of that name is left alone unless --rebuild is given.
# Usage: scripts/build-test-image.sh [--rebuild] [IMAGE]   (default IMAGE: agora-busybox:test)
set -euo pipefail

rebuild=0
image="agora-busybox:test"
for arg in "$@"; do
  case "$arg" in
    --rebuild) rebuild=1 ;;
    -*) echo "usage: $0 [--rebuild] [IMAGE]" >&2; exit 2 ;;
    *) image="$arg" ;;
  esac
done

if [ "$rebuild" = 0 ] && docker image inspect "$image" >/dev/null 2>&1; then
  echo "build-test-image: $image already present"
  exit 0
fi

busybox=/bin/busybox
[ -x "$busybox" ] || { echo "build-test-image: $busybox not found (apt-get install busybox-static)" >&2; exit 1; }
# A dynamically linked busybox would need its libraries in the image; busybox-static's does not.
if ldd "$busybox" >/dev/null 2>&1; then
  echo "build-test-image: $busybox is dynamically linked; install busybox-static" >&2
  exit 1
fi

rootfs="$(mktemp -d)"
trap 'rm -rf "$rootfs"' EXIT
mkdir -p "$rootfs"/{bin,tmp,etc,proc,sys,dev,var/www}
cp "$busybox" "$rootfs/bin/busybox"
for applet in $("$busybox" --list); do
  [ "$applet" = busybox ] || ln -s busybox "$rootfs/bin/$applet"
done
chmod 1777 "$rootfs/tmp"
echo "root:x:0:0:root:/:/bin/sh" >"$rootfs/etc/passwd"
echo "root:x:0:" >"$rootfs/etc/group"

tar -C "$rootfs" -c . | docker import --change 'ENV PATH=/bin' --change 'CMD ["/bin/sh"]' - "$image" >/dev/null
echo "build-test-image: built $image"
