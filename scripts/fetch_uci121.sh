#!/bin/sh
# fetch_uci121.sh - install the UCI-121 collection (Fernandez-Delgado et al. 2014 preprocessing)
# under DATA_ROOT/uci121 and verify every file against datasets/uci121/MANIFEST.tsv by git blob
# SHA-1. Only the manifest's files are copied (the public tarball also holds raw originals,
# .arff files and Octave readers that rfmbench never reads). Files already present and intact
# are left alone, so re-running only verifies; the source is obtained only when something is
# absent or damaged. POSIX sh + coreutils (+ git, curl/wget, tar); no python.
set -eu
LC_ALL=C
export LC_ALL

prog=fetch_uci121
public_url=http://persoal.citius.usc.es/manuel.fernandez.delgado/papers/jmlr/data.tar.gz
url=${RFMBENCH_UCI121_URL:-$public_url}

usage() {
    cat <<EOF
usage: scripts/fetch_uci121.sh [--from DIR] [--dest DATA_ROOT]

Puts the UCI-121 datasets under DATA_ROOT/uci121 and checks each file listed in
datasets/uci121/MANIFEST.tsv against its git blob SHA-1.

  --from DIR        copy from DIR, a folder of dataset folders (DIR/iris/iris.txt, ...)
                    such as an unpacked data.tar.gz; without it the public tarball
                    $url
                    is downloaded with curl or wget
  --dest DATA_ROOT  data root; default \$RFMBENCH_DATA, else datasets/data in the repository
  -h, --help        this message

Environment: RFMBENCH_UCI121_URL replaces the download URL (a mirror, or file:///...).

Files absent from the source are reported and counted as missing; a SHA-1 mismatch is fatal.
EOF
}

die() {
    printf '%s: %s\n' "$prog" "$*" >&2
    exit 1
}

from=
dest=
while [ $# -gt 0 ]; do
    case $1 in
        -h|--help) usage; exit 0 ;;
        --from|--dest)
            [ $# -ge 2 ] || { printf '%s: %s needs a value\n' "$prog" "$1" >&2; usage >&2; exit 2; }
            if [ "$1" = --from ]; then from=$2; else dest=$2; fi
            shift ;;
        *) printf '%s: unknown argument %s\n' "$prog" "$1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done

root=$(cd "$(dirname "$0")/.." && pwd)
manifest=$root/datasets/uci121/MANIFEST.tsv
[ -f "$manifest" ] || die "$manifest: missing manifest"
[ -n "$dest" ] || dest=${RFMBENCH_DATA:-$root/datasets/data}
target=$dest/uci121
tab=$(printf '\t')

# blob_sha1_ FILE: the git blob SHA-1 of FILE, i.e. sha1("blob <size>\0" + content); git when
# available, else the same digest by hand so a machine without git can still verify.
if command -v git >/dev/null 2>&1; then
    blob_sha1_() { git hash-object --no-filters "$1"; }
else
    if command -v sha1sum >/dev/null 2>&1; then
        sha1_() { sha1sum | cut -d' ' -f1; }
    elif command -v shasum >/dev/null 2>&1; then
        sha1_() { shasum -a 1 | cut -d' ' -f1; }
    else
        die "need git, sha1sum or shasum to verify files"
    fi
    blob_sha1_() {
        size=$(wc -c <"$1" | tr -d ' ')
        { printf 'blob %s\0' "$size"; cat "$1"; } | sha1_
    }
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/fetch_uci121.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 1' HUP INT TERM

# Pass 1: verify what DEST already holds; queue the rest for the source.
verified=0
: >"$work/todo"
nrows=0
while IFS=$tab read -r path _ sha _; do
    [ "$path" != path ] || continue
    nrows=$((nrows + 1))
    case $path in
        /*|*..*|'') die "$manifest: bad path '$path'" ;;
    esac
    case $sha in
        *[!0-9a-f]*|'') die "$manifest: $path: bad SHA-1 '$sha'" ;;
    esac
    [ ${#sha} -eq 40 ] || die "$manifest: $path: bad SHA-1 '$sha'"
    if [ -f "$target/$path" ] && [ "$(blob_sha1_ "$target/$path")" = "$sha" ]; then
        verified=$((verified + 1))
    else
        printf '%s\t%s\n' "$path" "$sha" >>"$work/todo"
    fi
done <"$manifest"
[ "$nrows" -gt 0 ] || die "$manifest: no entries"

if [ -s "$work/todo" ]; then
    if [ -z "$from" ]; then
        printf '%s: downloading %s\n' "$prog" "$url" >&2
        if command -v curl >/dev/null 2>&1; then
            curl -fsSL -o "$work/data.tar.gz" "$url" 2>"$work/err" ||
                die "$url: download failed ($(tail -n 1 "$work/err"))"
        elif command -v wget >/dev/null 2>&1; then
            wget -q -O "$work/data.tar.gz" "$url" ||
                die "$url: download failed (wget exit status $?)"
        else
            die "need curl or wget to download $url (or pass --from DIR)"
        fi
        mkdir "$work/unpacked"
        tar -xzf "$work/data.tar.gz" -C "$work/unpacked" || die "$url: cannot unpack the tarball"
        rm -f "$work/data.tar.gz"
        # The tarball unpacks to data/<name>/; accept a bare layout too.
        if [ -f "$work/unpacked/data/iris/iris.txt" ]; then
            from=$work/unpacked/data
        else
            from=$work/unpacked
        fi
    fi
    [ -d "$from" ] || die "$from: no such directory"
    [ -f "$from/iris/iris.txt" ] || die "$from: not a UCI-121 folder (no iris/iris.txt)"

    # Pass 2: copy each queued file to a temporary name, verify, then move it into place, so
    # an interrupted or failed run never leaves a damaged file under its real name.
    missing=0
    while IFS=$tab read -r path sha; do
        if [ ! -f "$from/$path" ]; then
            if [ -f "$target/$path" ]; then
                got=$(blob_sha1_ "$target/$path")
                die "$target/$path: SHA-1 mismatch (expected $sha, got $got)"
            fi
            printf '%s: %s: absent from the source, skipped\n' "$prog" "$path" >&2
            missing=$((missing + 1))
            continue
        fi
        [ ! -f "$target/$path" ] || printf '%s: replacing damaged %s\n' "$prog" "$target/$path" >&2
        mkdir -p "$(dirname "$target/$path")" || die "$target: cannot create directory"
        cp "$from/$path" "$target/$path.part" || die "$target/$path: copy failed"
        got=$(blob_sha1_ "$target/$path.part")
        if [ "$got" != "$sha" ]; then
            rm -f "$target/$path.part"
            die "$from/$path: SHA-1 mismatch (expected $sha, got $got)"
        fi
        mv -f "$target/$path.part" "$target/$path"
        verified=$((verified + 1))
    done <"$work/todo"
else
    missing=0
fi

printf '%d files verified, %d missing\n' "$verified" "$missing"
[ "$verified" -gt 0 ] || die "nothing verified under $target"
