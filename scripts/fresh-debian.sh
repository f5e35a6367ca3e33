#!/usr/bin/env bash
# Runs the README's Quick start on a fresh Debian 12, the way a new user meets it: a minimal
# root made by debootstrap (Debian's own package), the committed repository cloned into it, and
# the README's two commands run there as root with an empty environment. Nothing of this
# machine's image reaches the root, so a step that works only because this machine happens to
# have a program, a symlink or a path fails here as it would for the user.
#
#   bash scripts/fresh-debian.sh [--root DIR] [--commit REV] [--only example|test]
#                                [--ccache DIR] [--keep]
#
#   --root DIR     where to build the root (default: a new folder under /var/tmp)
#   --commit REV   the commit to check out (default: HEAD; uncommitted changes are not seen)
#   --only CMD     run only the README's `example` or `test` command
#   --ccache DIR   share a compiler cache with the root (faster re-runs; off by default so a
#                  run costs what a fresh machine pays)
#   --keep         keep the root afterwards (default: removed)
#
# Needs root and the `debootstrap` package; takes the Debian mirror apt already uses.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

root="" commit=HEAD only="" cache="" keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --root) root=$2; shift 2 ;;
    --commit) commit=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --ccache) cache=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "fresh-debian.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "fresh-debian.sh: run as root (debootstrap and chroot)" >&2; exit 1; }
command -v debootstrap >/dev/null ||
  { echo "fresh-debian.sh: debootstrap is missing (apt-get install debootstrap)" >&2; exit 1; }

# The README's two commands, read from its Quick start block so the check cannot drift from it.
mapfile -t commands < <(awk '/^## Quick start/{q=1} q&&/^```/{if(b){exit} b=1; next} q&&b&&NF' README.md)
[ ${#commands[@]} -eq 2 ] ||
  { echo "fresh-debian.sh: README's Quick start should hold two commands, found ${#commands[@]}" >&2; exit 1; }

mirror=$(awk '/^deb / && /debian/ {print $2; exit}' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)
[ -n "$mirror" ] || mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)
mirror=${mirror:-http://deb.debian.org/debian}

[ -n "$root" ] || root=$(mktemp -d /var/tmp/syncline-fresh.XXXXXX)
mounted=()
cleanup() {
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[i]}" 2>/dev/null || true; done
  if [ "$keep" -eq 0 ]; then rm -rf --one-file-system "$root"; else echo "fresh-debian.sh: root kept at $root"; fi
}
trap cleanup EXIT

step() { printf '\n== %s  [%s]\n' "$*" "$(date -u +%H:%M:%S)"; }
start=$(date +%s)

step "debootstrap --variant=minbase bookworm $root ($mirror)"
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.debootstrap.log" 2>&1 ||
  { tail -n 20 "$root.debootstrap.log" >&2; exit 1; }
rm -f "$root.debootstrap.log"
# What the Debian installer writes and debootstrap leaves out: name resolution of localhost and
# the apt source. Nothing else is added.
printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
echo "deb $mirror bookworm main" >"$root/etc/apt/sources.list"

for fs in proc sys dev dev/pts dev/shm; do
  mkdir -p "$root/$fs"
  case $fs in
    proc) mount -t proc proc "$root/proc" ;;
    sys) mount -t sysfs sysfs "$root/sys" ;;
    dev/shm) mount -t tmpfs -o mode=1777 shm "$root/dev/shm" ;;
    *) mount --bind "/$fs" "$root/$fs" ;;
  esac
  mounted+=("$root/$fs")
done

step "clone $(git rev-parse --short "$commit") into /root/syncline"
git clone -q --no-checkout "$repo" "$root/root/syncline"
git -C "$root/root/syncline" checkout -q "$(git rev-parse "$commit")"

env_vars=(HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin TERM=dumb LANG=C.UTF-8)
if [ -n "$cache" ]; then
  mkdir -p "$cache" "$root/var/cache/syncline-ccache"
  mount --bind "$cache" "$root/var/cache/syncline-ccache"
  mounted+=("$root/var/cache/syncline-ccache")
  env_vars+=(CCACHE_DIR=/var/cache/syncline-ccache)
fi

status=0
for cmd in "${commands[@]}"; do
  case "$only" in
    example) [[ $cmd == *" example"* ]] || continue ;;
    test) [[ $cmd == *" test"* ]] || continue ;;
  esac
  step "chroot: cd /root/syncline && $cmd"
  t0=$(date +%s)
  if chroot "$root" /usr/bin/env -i "${env_vars[@]}" /bin/bash -c "cd /root/syncline && $cmd"; then
    echo "-- passed in $(( $(date +%s) - t0 )) s"
  else
    status=$?
    echo "-- FAILED (exit $status) after $(( $(date +%s) - t0 )) s"
    break
  fi
done
step "done: exit $status, $(( $(date +%s) - start )) s in all"
exit "$status"
