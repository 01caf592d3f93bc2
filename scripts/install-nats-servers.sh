#!/usr/bin/env bash
# Fetches nats-server binaries of several release lines from Debian's archive into
# .cache/nats-server/<version>/nats-server, without installing anything system-wide.
# Debian suites carry different server lines: bookworm 2.9.x, trixie 2.10.x, sid the newest.
# Verified by the archive keys this machine already trusts (apt does that for us).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="$root/.cache/nats-server"
work="$cache/.apt"
suites="${LOOKOUT_NATS_SUITES:-bookworm trixie sid}"
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/debs"

# The mirror the machine already uses (first deb.debian.org-like URI in its sources).
mirror="$(grep -hoE '^(URIs:|deb) *https?://[^ ]+/debian/?' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null | head -n1 | grep -oE 'https?://[^ ]+' || true)"
mirror="${mirror:-http://deb.debian.org/debian}"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

have_all=1
for s in $suites; do [ -f "$cache/.suite-$s" ] && [ -x "$(cat "$cache/.suite-$s")" ] || have_all=0; done
if [ "$have_all" = 1 ]; then echo "nats-server binaries already cached:"; cat "$cache"/.suite-*; exit 0; fi

: > "$work/sources.list"
for s in $suites; do echo "deb [signed-by=$keyring] $mirror $s main" >> "$work/sources.list"; done
aptopts=(-o Dir::Etc::sourcelist="$work/sources.list" -o Dir::Etc::sourceparts=- \
  -o Dir::State::Lists="$work/lists" -o Dir::Cache="$work/cache" -o APT::Get::List-Cleanup=0 \
  -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
apt-get "${aptopts[@]}" -qq update
for s in $suites; do
  [ -f "$cache/.suite-$s" ] && [ -x "$(cat "$cache/.suite-$s")" ] && continue
  (cd "$work/debs" && rm -f nats-server_*.deb && apt-get "${aptopts[@]}" -qq download "nats-server/$s")
  deb="$(ls "$work/debs"/nats-server_*.deb | head -n1)"
  ex="$work/x-$s"; rm -rf "$ex"; dpkg-deb -x "$deb" "$ex"
  ver="$("$ex/usr/sbin/nats-server" --version | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -n1)"
  mkdir -p "$cache/$ver"
  cp "$ex/usr/sbin/nats-server" "$cache/$ver/nats-server"
  echo "$cache/$ver/nats-server" > "$cache/.suite-$s"
  echo "$s: nats-server $ver ($(basename "$deb"))"
  rm -rf "$ex" "$deb"
done
