#!/usr/bin/env bash
# Prepares a Debian host for Agora's tests and cluster mode, the same way on a user's machine and in CI:
# installs the real components the tests use (nats-server; with --docker also docker.io and busybox-static
# and a running dockerd; with --browser also chromium; with --test-image the local busybox image of the
# Docker tests, built by scripts/build-test-image.sh). Idempotent; run as root or with sudo.
#
# --for-tests is what `npm test` runs first (its pretest step): everything the tests need. When it is all
# there it changes nothing (no apt, no sudo); when something is missing it is brought up if we are root,
# and otherwise the run stops at once with the command to run.
set -euo pipefail
cd "$(dirname "$0")/.."

want_docker=0
want_browser=0
want_image=0
for_tests=0
for arg in "$@"; do
  case "$arg" in
    --docker) want_docker=1 ;;
    --browser) want_browser=1 ;;
    --test-image) want_docker=1; want_image=1 ;;
    --all) want_docker=1; want_browser=1 ;;
    --for-tests) want_docker=1; want_browser=1; want_image=1; for_tests=1 ;;
    *) echo "usage: $0 [--docker] [--browser] [--test-image] [--all] [--for-tests]" >&2; exit 2 ;;
  esac
done
image="agora-busybox:test"

SUDO=""
# --for-tests never asks for a password: as a user it only checks and says what to run.
if [ "$(id -u)" -ne 0 ] && [ "$for_tests" = 0 ]; then SUDO="sudo"; fi

packages=(nats-server)
[ "$want_docker" = 1 ] && packages+=(docker.io busybox-static)
[ "$want_browser" = 1 ] && packages+=(chromium)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

docker_answers() { $SUDO docker version >/dev/null 2>&1; }

if [ "$for_tests" = 1 ]; then
  # What is missing, checked without changing anything.
  todo=("${missing[@]}")
  if [ "$want_docker" = 1 ] && ! docker_answers; then todo+=("a running dockerd")
  elif [ "$want_image" = 1 ] && ! $SUDO docker image inspect "$image" >/dev/null 2>&1; then todo+=("the $image image"); fi
  if [ "${#todo[@]}" -eq 0 ]; then
    echo "setup-host: the tests' host components are ready ($(nats-server --version), docker, chromium, $image)"
    exit 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    if [ "${#missing[@]}" -eq 0 ] && [ -S /var/run/docker.sock ] && [ ! -w /var/run/docker.sock ]; then
      # dockerd runs, but this user may not use it: setting up again would not change that.
      echo "setup-host: dockerd runs but $(id -un) may not use /var/run/docker.sock; run the tests as root, or once:" >&2
      echo "  sudo usermod -aG docker $(id -un)   # then log in again" >&2
      exit 1
    fi
    echo "setup-host: the tests need: ${todo[*]}. Run this once, then npm test again:" >&2
    echo "  sudo scripts/setup-host.sh --for-tests" >&2
    exit 1
  fi
  echo "setup-host: bringing up ${todo[*]}"
fi

if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup-host: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Debian's package enables a system nats-server unit on :4222; Agora's tests start their own servers on
# free ports, so the system one is left alone.
command -v nats-server >/dev/null || { echo "setup-host: nats-server not found after install" >&2; exit 1; }
echo "setup-host: $(nats-server --version)"

if [ "$want_docker" = 1 ] && ! docker_answers; then
  # A daemon that died leaves its socket and pid file behind; a new one will not start over them.
  if ! { [ -f /var/run/docker.pid ] && $SUDO kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; }; then
    $SUDO rm -f /var/run/docker.sock /var/run/docker.pid
  fi
  # No bridge and no iptables: containers use network mode host or none, and nothing leaves loopback.
  echo "setup-host: starting dockerd --bridge=none --iptables=false"
  # In a session of its own: whoever ends the caller's process group (a test runner, a terminal) must not
  # take the daemon with it.
  $SUDO sh -c 'setsid -f dockerd --bridge=none --iptables=false </dev/null >/var/log/agora-dockerd.log 2>&1'
  for _ in $(seq 1 60); do [ -S /var/run/docker.sock ] && break; sleep 1; done
  [ -S /var/run/docker.sock ] || { echo "setup-host: dockerd did not start, see /var/log/agora-dockerd.log" >&2; exit 1; }
fi

if [ "$want_docker" = 1 ]; then
  # The socket can appear before the daemon answers; the Docker tests need it answering.
  for _ in $(seq 1 30); do docker_answers && break; sleep 1; done
  $SUDO docker version --format 'setup-host: docker {{.Server.Version}}' ||
    { echo "setup-host: dockerd does not answer, see /var/log/agora-dockerd.log" >&2; exit 1; }
fi

if [ "$want_image" = 1 ]; then
  bash scripts/build-test-image.sh "$image"
fi
