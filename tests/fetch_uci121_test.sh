#!/bin/sh
# fetch_uci121_test.sh - end-to-end test of scripts/fetch_uci121.sh --from on the local copy of
# the collection ($RFMBENCH_DATA/uci121): every manifest file present there must verify, the
# three known-absent data files must be reported missing, and a corrupted source file must stop
# the script with a SHA-1 mismatch. Skips (exit 0, says so) when the data is not here.
set -u
src_root=${RFMBENCH_SRC:-$(dirname "$0")/..}
data=${RFMBENCH_DATA:-$src_root/../shared/data}
if [ ! -d "$data/uci121" ]; then
    echo "fetch_uci121_test: skipped: no UCI-121 copy at $data/uci121"
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "fetch_uci121_test: FAILED: $*"; exit 1; }

sh "$src_root/scripts/fetch_uci121.sh" --from "$data/uci121" --dest "$tmp/dest" \
    >"$tmp/out" 2>"$tmp/err" || fail "fetch from the local copy exited non-zero: $(tail -1 "$tmp/err")"
grep -q "^500 files verified, 3 missing$" "$tmp/out" || fail "summary: $(cat "$tmp/out")"
for f in connect-4/connect-4_R.dat musk-2/musk-2_R.dat miniboone/miniboone_R.dat; do
    grep -q "$f" "$tmp/err" || fail "$f not reported missing"
done
[ -f "$tmp/dest/uci121/iris/iris_R.dat" ] || fail "iris_R.dat not installed"
# A second run only verifies.
sh "$src_root/scripts/fetch_uci121.sh" --from "$data/uci121" --dest "$tmp/dest" \
    >"$tmp/out2" 2>/dev/null || fail "re-run exited non-zero"
grep -q "^500 files verified" "$tmp/out2" || fail "re-run summary: $(cat "$tmp/out2")"
# One changed byte in a source file: the copy must be refused.
mkdir -p "$tmp/bad" && cp -r "$data/uci121/iris" "$tmp/bad/" && chmod -R u+w "$tmp/bad"
sed -i '2s/0\.897674/0.897675/' "$tmp/bad/iris/iris_R.dat"
rm -f "$tmp/dest/uci121/iris/iris_R.dat"
if sh "$src_root/scripts/fetch_uci121.sh" --from "$tmp/bad" --dest "$tmp/dest" \
    >/dev/null 2>"$tmp/err3"; then
    fail "a corrupted source file was accepted"
fi
grep -q "iris_R.dat: SHA-1 mismatch" "$tmp/err3" || fail "message: $(tail -1 "$tmp/err3")"
echo "fetch_uci121_test: 3 passed, 0 failed"
