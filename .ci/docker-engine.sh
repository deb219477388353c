#!/usr/bin/env bash
# Makes a Docker engine and the local Java base image available on this machine.
# No registry can be pulled here, so the base image is built with debootstrap once
# and imported as gantry-base:bookworm-jre17; later runs find it and skip the build.
set -euo pipefail

BASE_IMAGE="${GANTRY_BASE_IMAGE:-gantry-base:bookworm-jre17}"

# docker-registry and htpasswd (apache2-utils): the real registry of the Docker pull tests.
if ! command -v dockerd >/dev/null 2>&1 || ! command -v debootstrap >/dev/null 2>&1 \
  || ! command -v docker-registry >/dev/null 2>&1 || ! command -v htpasswd >/dev/null 2>&1; then
  echo "[ci] installing docker.io, debootstrap, docker-registry and apache2-utils"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io debootstrap docker-registry apache2-utils >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  echo "[ci] starting dockerd"
  nohup dockerd >/var/log/gantry-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || { echo "[ci] dockerd did not start; see /var/log/gantry-dockerd.log"; exit 1; }
fi

if ! docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  echo "[ci] building base image $BASE_IMAGE with debootstrap (about 90 s)"
  root=$(mktemp -d /var/tmp/gantry-base.XXXXXX)
  debootstrap --variant=minbase --include=openjdk-17-jre-headless bookworm "$root" >/var/log/gantry-debootstrap.log 2>&1 \
    || { echo "[ci] debootstrap failed; see /var/log/gantry-debootstrap.log"; exit 1; }
  tar -C "$root" -c . | docker import - "$BASE_IMAGE" >/dev/null
  rm -rf "$root"
fi
echo "[ci] docker ready, base image $BASE_IMAGE present"
