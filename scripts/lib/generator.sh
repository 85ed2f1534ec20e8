# generator.sh - shared by the dataset generators (make_*_csv.sh): option parsing and the
# deterministic awk random source. Sourced, not run.
#
# awk's rand() differs between awk implementations, so a MINSTD generator (Park-Miller, exact in
# doubles) drives all randomness: the files are byte-identical under mawk and gawk.
#
# The caller sets prog, seed, rows and default_out, defines usage(), then calls
# gen_parse "$@" (sets out) and gen_awk 'PROGRAM' (writes $out atomically). PROGRAM sees seed
# and rows, and the functions unif() (uniform in (0, 1)), gauss() (standard normal, Box-Muller)
# and num(v) (v to 4 decimals, never "-0.0000").

die() {
    printf '%s: %s\n' "$prog" "$*" >&2
    exit 1
}

gen_parse() {
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
    [ -n "$out" ] || out=$default_out
    mkdir -p "$(dirname "$out")" || die "$(dirname "$out"): cannot create directory"
}

GEN_AWK_PRELUDE='
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
    BEGIN { A = 48271; M = 2147483647; PI = atan2(0, -1); state = seed % (M - 1) + 1 }
'

gen_awk() {
    awk -v seed="$seed" -v rows="$rows" "$GEN_AWK_PRELUDE$1" >"$out.tmp" ||
        { rm -f "$out.tmp"; die "awk failed"; }
    mv "$out.tmp" "$out"
    printf '%s: wrote %s (%d rows)\n' "$prog" "$out" "$rows" >&2
}
