#!/bin/sh
# make_lowrank_csv.sh - regenerate datasets/synthetic/lowrank-d20.csv, the synthetic low-rank
# classification task of configs/dnfa.yaml: x ~ N(0, I_20) and a label that depends on x only
# through the rank-2 projection z = U^T x, with
#   z1 = (x1 + x2 + x3 + x4) / 2,   z2 = (x5 - x6 + x7 - x8) / 2   (orthonormal directions),
#   label = pos when z1 * z2 > 0, else neg   (an XOR of the two signs: balanced, not linear).
# x9..x20 are pure noise. A network that learns the task must find span(U); the Deep Neural
# Feature Ansatz predicts that its first-layer W^T W then lines up with the AGOP, whose range
# is span(U).
#
# Randomness comes from scripts/lib/generator.sh's MINSTD source: the file is byte-identical
# under mawk and gawk.
set -eu
LC_ALL=C
export LC_ALL

prog=make_lowrank_csv

usage() {
    cat <<USAGE
usage: scripts/make_lowrank_csv.sh [--seed S] [--rows N] [OUT.csv]

Writes the deterministic low-rank dataset (default seed 20240611, 1000 rows) to OUT.csv,
default datasets/synthetic/lowrank-d20.csv in the repository.
Columns: x1..x20,label  (label: neg|pos).
USAGE
}

seed=20240611
rows=1000
root=$(cd "$(dirname "$0")/.." && pwd)
default_out=$root/datasets/synthetic/lowrank-d20.csv
. "$root/scripts/lib/generator.sh"
gen_parse "$@"

gen_awk '
    BEGIN {
        D = 20
        line = ""
        for (j = 1; j <= D; j++) line = line "x" j ","
        print line "label"
        for (i = 0; i < rows; i++) {
            line = ""
            for (j = 1; j <= D; j++) {
                x[j] = num(gauss()) + 0  # the label sees the rounded value that is written
                line = line num(x[j]) ","
            }
            z1 = (x[1] + x[2] + x[3] + x[4]) / 2
            z2 = (x[5] - x[6] + x[7] - x[8]) / 2
            print line (z1 * z2 > 0 ? "pos" : "neg")
        }
    }'
