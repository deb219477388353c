#!/usr/bin/env bash
# Installs what the OCI image storage tests need: Debian's docker-registry (registry v2, which the
# tests start themselves on 127.0.0.1 with htpasswd authentication) and apache2-utils (htpasswd).
# Idempotent: packages already installed are kept and nothing is started.
set -euo pipefail

missing=()
[ -x /usr/bin/docker-registry ] || missing+=(docker-registry)
[ -x /usr/bin/htpasswd ] || missing+=(apache2-utils)

if [ "${#missing[@]}" -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The package starts a registry on its default port as a service; the tests start their own.
  if command -v systemctl >/dev/null 2>&1; then
    systemctl disable --now docker-registry >/dev/null 2>&1 || true
  fi
fi
echo "[registry] docker-registry and htpasswd installed"
