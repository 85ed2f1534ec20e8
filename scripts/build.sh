#!/bin/sh
# build.sh [--sanitize] - configure and build rfmbench into build/ (or build-asan/ with
# AddressSanitizer + UndefinedBehaviorSanitizer). Installs missing packages first.
set -eu
cd "$(dirname "$0")/.."
sh scripts/setup.sh
dir=build
flags="-DCMAKE_BUILD_TYPE=Release"
if [ "${1:-}" = "--sanitize" ]; then
    dir=build-asan
    flags="-DCMAKE_BUILD_TYPE=RelWithDebInfo -DRFM_SANITIZE=ON"
fi
# shellcheck disable=SC2086
cmake -S . -B "$dir" $flags >/dev/null
cmake --build "$dir" -j "$(nproc)" >/dev/null
echo "$dir"
