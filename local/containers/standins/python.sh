#!/usr/bin/env bash
# Root filesystem of the python:3.13-slim stand-in: Debian trixie (Python 3.13) in its minimal
# variant, with python/pip where the official image has them. Needs root and mmdebstrap.
#
#   python.sh OUTPUT.tar MIRROR      e.g. python.sh /tmp/base.tar http://deb.debian.org/debian
#
# Where outbound TLS is re-signed by an intercepting proxy, the host's extra CAs
# (/usr/local/share/ca-certificates) are trusted inside too, or uv and pip reject PyPI. That
# belongs to the stand-in only: the real image on a normal network needs none of it.
set -Eeuo pipefail
output=${1:?usage: python.sh OUTPUT.tar MIRROR}
mirror=${2:?usage: python.sh OUTPUT.tar MIRROR}

# The hooks run in mmdebstrap's shell, with the root filesystem as $1: single quotes on purpose.
# shellcheck disable=SC2016
mmdebstrap --variant=minbase --mode=root --quiet \
  --include=python3,python3-venv,python3-pip,ca-certificates \
  --customize-hook='cp /usr/local/share/ca-certificates/*.crt "$1/usr/local/share/ca-certificates/" 2>/dev/null || true' \
  --customize-hook='chroot "$1" update-ca-certificates >/dev/null 2>&1' \
  --customize-hook='for name in python python3; do ln -sf /usr/bin/python3 "$1/usr/local/bin/$name"; done' \
  --customize-hook='for name in pip pip3; do ln -sf /usr/bin/pip3 "$1/usr/local/bin/$name"; done' \
  --customize-hook='rm -f "$1"/usr/lib/python3*/EXTERNALLY-MANAGED' \
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
  trixie "$output" "$mirror"
