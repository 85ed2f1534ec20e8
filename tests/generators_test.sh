#!/bin/sh
# generators_test.sh - the committed synthetic datasets are exactly what their generators write
# (default seed and size), and the generators refuse bad options with exit 2 or 1.
set -u
src_root=${RFMBENCH_SRC:-$(dirname "$0")/..}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "generators_test: FAILED: $*"; exit 1; }

sh "$src_root/scripts/make_lowrank_csv.sh" "$tmp/lowrank.csv" 2>/dev/null || fail "make_lowrank_csv"
cmp -s "$tmp/lowrank.csv" "$src_root/datasets/synthetic/lowrank-d20.csv" ||
    fail "lowrank-d20.csv differs from the generator's output"
sh "$src_root/scripts/make_synthetic_csv.sh" "$tmp/mixed.csv" 2>/dev/null || fail "make_synthetic_csv"
cmp -s "$tmp/mixed.csv" "$src_root/datasets/bundled-csv/synthetic-mixed.csv" ||
    fail "synthetic-mixed.csv differs from the generator's output"
# Another seed gives another file of the asked size (header + rows).
sh "$src_root/scripts/make_lowrank_csv.sh" --seed 7 --rows 5 "$tmp/small.csv" 2>/dev/null ||
    fail "make_lowrank_csv --seed 7 --rows 5"
[ "$(wc -l <"$tmp/small.csv")" -eq 6 ] || fail "--rows 5 wrote $(wc -l <"$tmp/small.csv") lines"
head -6 "$src_root/datasets/synthetic/lowrank-d20.csv" | cmp -s - "$tmp/small.csv" &&
    fail "--seed 7 wrote the default seed's rows"
sh "$src_root/scripts/make_lowrank_csv.sh" --bogus >/dev/null 2>&1
[ $? -eq 2 ] || fail "an unknown option must exit 2"
sh "$src_root/scripts/make_synthetic_csv.sh" --rows x "$tmp/x.csv" >/dev/null 2>&1
[ $? -eq 1 ] || fail "--rows x must exit 1"
echo "generators_test: ok"
