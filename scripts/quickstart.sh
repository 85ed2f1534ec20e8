#!/bin/sh
# quickstart.sh - set up, build, and run the bundled quickstart experiment (RFM beside Laplace
# kernel ridge regression on six bundled UCI datasets); prints the leaderboard. A second run
# resumes the same directory, so it only prints the leaderboard again.
set -eu
cd "$(dirname "$0")/.."
sh scripts/build.sh >/dev/null
./build/rfmbench run configs/quickstart.yaml --out results/quickstart --resume
