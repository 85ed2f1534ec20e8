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
# awk's rand() differs between awk implementations, so a MINSTD generator (Park-Miller, exact in
# doubles) drives all randomness: the file is byte-identical under mawk and gawk.
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

die() {
    printf '%s: %s\n' "$prog" "$*" >&2
    exit 1
}

seed=20240611
rows=1000
out=
while [ $# -gt 0 ]; do
    case $1 in
        -h|--help) usage; exit 0 ;;
        --seed|--rows)
            [ $# -ge 2 ] || { printf '%s: %s needs a value\n' "$prog" "$1" >&2; usage >&2; exit 2; }
            case $2 in
                ''|*[!0-9]*) die "$1 $2: must be a non-negative integer" ;;
            esac
            if [ "$1" = --seed ]; then seed=$2; else rows=$2; fi
            shift ;;
        -*) printf '%s: unknown option %s\n' "$prog" "$1" >&2; usage >&2; exit 2 ;;
        *)
            [ -z "$out" ] || { usage >&2; exit 2; }
            out=$1 ;;
    esac
    shift
done
[ "$rows" -gt 0 ] || die "--rows $rows: must be at least 1"
[ ${#seed} -le 15 ] || die "--seed $seed: at most 15 digits"

root=$(cd "$(dirname "$0")/.." && pwd)
[ -n "$out" ] || out=$root/datasets/synthetic/lowrank-d20.csv
mkdir -p "$(dirname "$out")" || die "$(dirname "$out"): cannot create directory"

awk -v seed="$seed" -v rows="$rows" '
    # MINSTD: state in [1, M-1]; A * state < 2^47, so every step is exact in a double.
    function unif() { state = (A * state) % M; return state / M }
    function gauss(  u1, u2) {
        if (have_spare) { have_spare = 0; return spare }
        u1 = unif(); u2 = unif()
        spare = sqrt(-2 * log(u1)) * sin(2 * PI * u2); have_spare = 1
        return sqrt(-2 * log(u1)) * cos(2 * PI * u2)
    }
    function num(v,  s) {
        s = sprintf("%.4f", v)
        return (s ~ /^-0\.0+$/) ? substr(s, 2) : s
    }
    BEGIN {
        A = 48271; M = 2147483647; PI = atan2(0, -1); D = 20
        state = seed % (M - 1) + 1
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
    }' >"$out.tmp" || { rm -f "$out.tmp"; die "awk failed"; }
mv "$out.tmp" "$out"
printf '%s: wrote %s (%d rows)\n' "$prog" "$out" "$rows" >&2
