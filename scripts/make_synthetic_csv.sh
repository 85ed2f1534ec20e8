#!/bin/sh
# make_synthetic_csv.sh - regenerate datasets/bundled-csv/synthetic-mixed.csv, the small CSV
# that exercises the csv loader in configs/quickstart-csv.yaml: a header, six numeric features
# on very different scales (so standardisation matters), one text categorical column placed
# mid-row, a text class label, and ~2% of the feature cells missing as "?".
#
# The label depends only on a rank-2 projection of x1..x5 (x6 is pure noise) plus the colour,
# so a metric-learning model such as RFM has structure to find. awk's rand() differs between
# awk implementations, so a MINSTD generator (Park-Miller, exact in doubles) drives all
# randomness (scripts/lib/generator.sh): the file is byte-identical under mawk and gawk.
set -eu
LC_ALL=C
export LC_ALL

prog=make_synthetic_csv

usage() {
    cat <<EOF
usage: scripts/make_synthetic_csv.sh [--seed S] [--rows N] [OUT.csv]

Writes the deterministic synthetic mixed-type dataset (default seed 20240607, 600 rows) to
OUT.csv, default datasets/bundled-csv/synthetic-mixed.csv in the repository.
Columns: x1,x2,x3,color,x4,x5,x6,label  (color: red|green|blue, label: alpha|beta|gamma).
EOF
}

seed=20240607
rows=600
root=$(cd "$(dirname "$0")/.." && pwd)
default_out=$root/datasets/bundled-csv/synthetic-mixed.csv
. "$root/scripts/lib/generator.sh"
gen_parse "$@"

gen_awk '
    function cell(s) { return (unif() < PMISS) ? "?" : s }
    BEGIN {
        PMISS = 0.02
        split("0 10 -5 100 0.5 3", mu, " ")
        split("1 2 0.5 25 0.1 1.5", sd, " ")
        split("red green blue", colors, " ")
        split("alpha beta gamma", labels, " ")
        # class directions 120 degrees apart in the (u, v) plane, so the classes are balanced
        wu[1] = 1;    wv[1] = 0
        wu[2] = -0.5; wv[2] = sqrt(3) / 2
        wu[3] = -0.5; wv[3] = -sqrt(3) / 2
        print "x1,x2,x3,color,x4,x5,x6,label"
        for (i = 0; i < rows; i++) {
            for (j = 1; j <= 6; j++) { z[j] = gauss(); x[j] = mu[j] + sd[j] * z[j] }
            c = int(unif() * 3) + 1
            u = (z[1] + z[2] - z[3]) / sqrt(3)
            v = (z[4] - z[5]) / sqrt(2)
            best = 0
            for (k = 1; k <= 3; k++) {
                s = wu[k] * u + wv[k] * v + 0.3 * gauss() + (k == c ? 0.5 : 0)
                if (best == 0 || s > top) { best = k; top = s }
            }
            # One statement per draw: awk does not promise argument evaluation order.
            f[1] = cell(num(x[1])); f[2] = cell(num(x[2])); f[3] = cell(num(x[3]))
            f[4] = cell(colors[c])
            f[5] = cell(num(x[4])); f[6] = cell(num(x[5])); f[7] = cell(num(x[6]))
            printf "%s,%s,%s,%s,%s,%s,%s,%s\n", f[1], f[2], f[3], f[4], f[5], f[6], f[7],
                labels[best]
        }
    }'
