#!/usr/bin/env bash
# The README's first run on a fresh Debian 12, without docker: debootstrap a minimal Debian
# into a folder, copy this checkout into it, and in a chroot (sharing this machine's Xvfb
# display) run `uv run scanner-app --demo` twice: before the README's apt line (the program
# must name the missing libraries and the command) and after it (the demo window must come up).
#
#   sudo tools/fresh_debian.sh MIRROR_URL [FOLDER]     # MIRROR_URL: a Debian mirror's /debian
#
# Needs debootstrap, Xvfb and xdotool on this machine; the uv cache is shared with the chroot
# (read-write) so that the second run does not download the wheels again.
set -euo pipefail
mirror=${1:?usage: tools/fresh_debian.sh MIRROR_URL [FOLDER]}
root=${2:-/tmp/fresh-debian-12}
here="$(cd "$(dirname "$0")/.." && pwd)"
display=:93
apt_line=$(cd "$here" && python3 -c 'import re,sys; print(re.search(r"^sudo apt-get install [^\n`]+", open("README.md").read(), re.M).group(0))')

[ -x "$root/usr/bin/apt-get" ] || debootstrap --variant=minbase bookworm "$root" "$mirror"
echo "deb $mirror bookworm main" > "$root/etc/apt/sources.list"

mounts=(proc sys dev dev/shm tmp/.X11-unix root/.cache/uv)
cleanup() {
  for ((i=${#mounts[@]}-1; i>=0; i--)); do umount -l "$root/${mounts[$i]}" 2>/dev/null || true; done
  kill "${xvfb:-}" "${app:-}" 2>/dev/null || true
}
trap cleanup EXIT
Xvfb $display -screen 0 1366x768x24 >/dev/null 2>&1 & xvfb=$!
for _ in $(seq 100); do [ -S "/tmp/.X11-unix/X${display#:}" ] && break; sleep 0.1; done
mkdir -p "$root/tmp/.X11-unix" "$root/root/.cache/uv" "$HOME/.cache/uv"
mount -t proc proc "$root/proc"; mount --rbind /sys "$root/sys"; mount --rbind /dev "$root/dev"
mount --bind /dev/shm "$root/dev/shm"; mount --bind /tmp/.X11-unix "$root/tmp/.X11-unix"
mount --bind "$HOME/.cache/uv" "$root/root/.cache/uv"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# behind a TLS-inspecting proxy, the chroot trusts what this machine trusts (SSL_CERT_FILE)
tls=()
if [ -n "${SSL_CERT_FILE:-}" ] && [ -f "$SSL_CERT_FILE" ]; then
  mkdir -p "$root/etc/ssl/certs"; cp "$SSL_CERT_FILE" "$root/etc/ssl/certs/host-bundle.crt"
  tls=(SSL_CERT_FILE=/etc/ssl/certs/host-bundle.crt PIP_CERT=/etc/ssl/certs/host-bundle.crt)
fi

in_root() { chroot "$root" /usr/bin/env -i HOME=/root PATH=/root/.local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  LANG=C.UTF-8 DISPLAY=$display "${tls[@]}" "$@"; }

echo "== the README's prerequisites: Python >= 3.11 and uv"
in_root apt-get update -qq
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 pipx git >/dev/null
in_root pipx install uv >/dev/null
rm -rf "$root/root/scanner"; git -C "$here" ls-files -z --cached --others --exclude-standard | (cd "$here" && tar --null -T - -cf -) \
  | (mkdir -p "$root/root/scanner" && tar -xf - -C "$root/root/scanner")

echo "== uv run scanner-app --demo, before the README's apt line"
set +e
in_root bash -c 'cd /root/scanner && uv run --quiet scanner-app --demo --lang en --data-dir /root/data'
echo "exit status $?"
set -e

echo "== $apt_line"
in_root env DEBIAN_FRONTEND=noninteractive ${apt_line#sudo } -y -qq >/dev/null

echo "== uv run scanner-app --demo, after it"
in_root bash -c 'cd /root/scanner && exec uv run --quiet scanner-app --demo --data-dir /root/data' \
  >"$root/root/app.log" 2>&1 & app=$!
if DISPLAY=$display timeout 120 xdotool search --sync --onlyvisible --class scanner >/dev/null; then
  sleep 8
  command -v import >/dev/null && import -display $display -window root "$root/root/window.png" \
    && echo "screenshot: $root/root/window.png"
  echo "the demo window is up"
else
  echo "no window within 120 s:" >&2; cat "$root/root/app.log" >&2; exit 1
fi
