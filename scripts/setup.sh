#!/bin/sh
# setup.sh - install the Debian packages rfmbench needs, only those that are missing.
# Needs root (or sudo) the first time; does nothing when everything is present.
set -eu

PACKAGES="build-essential cmake pkg-config libopenblas-dev libcsv-dev libyaml-dev check
libsvm-dev libsvm-tools libxgboost-dev gnuplot-nox"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "setup: need root to install:$missing" >&2
    exit 1
fi
echo "setup: installing$missing" >&2
$SUDO apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >&2
