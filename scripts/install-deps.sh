#!/usr/bin/env bash
# Installs the Debian packages syncline needs, only those that are missing; does nothing when
# all are present. Run as root on Debian 12. `--bench` adds what the load scripts need.
set -euo pipefail

packages=(
  g++ cmake ninja-build ccache pkg-config git ca-certificates
  libboost1.81-dev libboost-json1.81-dev
  catch2 libbenchmark-dev
  libssl-dev openssl
  libsqlite3-dev sqlite3
  libpq-dev postgresql
)
if [ "${1:-}" = "--bench" ]; then
  packages+=(wrk nginx-light valgrind time)
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "syncline: installing missing packages: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "syncline: run as root (or install these packages yourself): ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# policy-rc.d keeps package scripts from starting services (nginx, postgresql) we start ourselves.
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
trap 'rm -f /usr/sbin/policy-rc.d' EXIT
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
