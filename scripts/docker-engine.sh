#!/usr/bin/env bash
# Makes sure a local Docker engine answers, for the tests that run real containers.
#
#   scripts/docker-engine.sh            engine only
#   scripts/docker-engine.sh --images   engine, plus the two local test images:
#       devfleet-test/debian:bookworm   minimal Debian (debootstrap --variant=minbase)
#       devfleet-test/golang:bookworm   the same with Debian's Go toolchain, git and CA certificates
#
# No image registry is reachable where CI runs, so the images are made from Debian's packages
# with debootstrap and `docker import`. Each step is skipped when its result already exists, so
# running this again costs about a second.
#
# The engine is started with no bridge and no iptables rules (--bridge=none --iptables=false
# --ip6tables=false): containers get only their own loopback, or the host's network when run
# with --network host. Never give it a bridge, and never run `docker network create` or
# `docker compose up` on these machines: containers must not get private-range addresses.
set -euo pipefail

readonly engine_log=/var/log/devfleet-dockerd.log
# Tests name these images; the prefix can be changed only to try this script without touching them.
readonly image_prefix=${DEVFLEET_TEST_IMAGE_PREFIX:-devfleet-test}

want_images=false
case ${1:-} in
  '') ;;
  --images) want_images=true ;;
  *)
    echo "usage: $0 [--images]" >&2
    exit 2
    ;;
esac

say() { echo "docker-engine: $*"; }

install_packages() {
  local missing=()
  command -v dockerd >/dev/null || missing+=(docker.io)
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  ((${#missing[@]} == 0)) && return 0
  say "installing ${missing[*]} from Debian's packages"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

engine_answers() { docker info >/dev/null 2>&1; }

start_engine() {
  engine_answers && return 0
  # An engine that was killed leaves its pid files, and the next one will not start while they
  # exist: drop each one whose process is gone.
  local pidfile
  for pidfile in /var/run/docker.pid /var/run/docker/containerd/containerd.pid; do
    if [[ -f $pidfile ]] && ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      say "removing stale $pidfile"
      rm -f "$pidfile"
    fi
  done
  say "starting dockerd (log: $engine_log)"
  nohup dockerd --bridge=none --iptables=false --ip6tables=false </dev/null >"$engine_log" 2>&1 &
  local _
  for _ in $(seq 1 60); do
    engine_answers && { say "engine is up"; return 0; }
    sleep 0.5
  done
  echo "docker-engine: dockerd did not answer within 30 s; last lines of $engine_log:" >&2
  tail -n 20 "$engine_log" >&2 || true
  return 1
}

rootfs=''
cleanup() { [[ -z $rootfs ]] || rm -rf "$rootfs"; }
trap cleanup EXIT

# build_image TAG [DEBIAN PACKAGE...]: a bookworm root file system with these packages, imported
# as TAG, unless TAG already exists.
build_image() {
  local tag=$1
  shift
  if docker image inspect "$tag" >/dev/null 2>&1; then
    return 0
  fi
  say "building $tag (debootstrap, takes a minute or two)"
  rootfs=$(mktemp -d /tmp/devfleet-rootfs.XXXXXX)
  local log=$rootfs.log
  if ! debootstrap --variant=minbase bookworm "$rootfs" >"$log" 2>&1 ||
    { (($# > 0)) && ! chroot "$rootfs" bash -c 'apt-get update -qq &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" &&
        apt-get clean' bash "$@" >>"$log" 2>&1; }; then
    echo "docker-engine: building $tag failed; last lines of $log:" >&2
    tail -n 20 "$log" >&2
    return 1
  fi
  tar -C "$rootfs" -c . |
    docker import -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - "$tag" \
      >/dev/null
  rm -rf "$rootfs" "$log"
  rootfs=''
}

install_packages
start_engine
if $want_images; then
  build_image "$image_prefix/debian:bookworm"
  build_image "$image_prefix/golang:bookworm" golang-go ca-certificates git
  docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' "$image_prefix/*"
fi
