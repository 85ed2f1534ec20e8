/* hx_results.c - the CSV line builder, the results.csv / cv_results.csv row codecs (read through
 * hx_rtable.c), the crash-safe appender and atomic whole-file replacement. See hx_results.h for
 * the durability contract. */
#include "hx_results.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hx_experiment.h"
#include "hx_results_impl.h"

/* ---- whole-file I/O ------------------------------------------------------------------------ */

static rfm_status write_all_(int fd, const char *path, const char *data, size_t len,
                             rfm_error *err) {
    size_t off = 0;
    while (off < len) {
        ssize_t put = write(fd, data + off, len - off);
        if (put < 0 && errno == EINTR) continue;
        if (put < 0) return rfm_fail(err, RFM_EIO, "%s: write: %s", path, strerror(errno));
        off += (size_t)put;
    }
    return RFM_OK;
}

// fsync the folder holding path, so that a just-created or renamed entry survives a crash.
static void sync_dir_(const char *path) {
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (!slash) {
        strcpy(dir, ".");
    } else {
        size_t n = (size_t)(slash - path);
        if (n >= sizeof dir) return;
        memcpy(dir, path, n ? n : 1); // "/x" lives in "/"
        dir[n ? n : 1] = '\0';
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return; // best effort: the data itself is already on disk
    (void)fsync(fd);
    close(fd);
}

rfm_status hx_write_atomic(const char *path, const char *data, size_t len, rfm_error *err) {
    char tmp[4200];
    int n = snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    if (n < 0 || (size_t)n >= sizeof tmp) return rfm_fail(err, RFM_EIO, "%s: path too long", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return rfm_fail(err, RFM_EIO, "%s: %s", tmp, strerror(errno));
    rfm_status st = write_all_(fd, tmp, data, len, err);
    if (st == RFM_OK && fsync(fd) != 0) {
        st = rfm_fail(err, RFM_EIO, "%s: fsync: %s", tmp, strerror(errno));
    }
    if (close(fd) != 0 && st == RFM_OK) st = rfm_fail(err, RFM_EIO, "%s: %s", tmp, strerror(errno));
    if (st == RFM_OK && rename(tmp, path) != 0) {
        st = rfm_fail(err, RFM_EIO, "%s: rename: %s", path, strerror(errno));
    }
    if (st != RFM_OK) {
        unlink(tmp);
        return st;
    }
    sync_dir_(path);
    return RFM_OK;
}


/* ---- the two row layouts, described once for reading, writing and freeing ------------------- */

// HASH_: recomputed from params when written; SPEC_: a stored hash, written as given.
typedef enum { STR_, LONG_, REQLONG_, SCORE_, SEC_, MB_, U64_, HASH_, SPEC_ } ctype_;
// What a read value must also satisfy (interfaces.md, "Run directory"), beyond its type.
typedef enum { ANY_ = 0, NONNEG_, FRACTION_, STATUS_ } rule_;
typedef struct {
    const char *name;
    ctype_ type;
    size_t off; // of the field in the row struct
    rule_ rule;
} coldef_;
#define RC_(f, t) {#f, t, offsetof(hx_result_row, f), ANY_}
#define RCR_(f, t, r) {#f, t, offsetof(hx_result_row, f), r}
#define CC_(f, t) {#f, t, offsetof(hx_cv_row, f), ANY_}
// Column order = file order. Column 3 is params in both layouts (the hash is computed from it).
// spec_hash must stay last in both: hx_results_open upgrades files that lack exactly it.
static const coldef_ RESULT_COLS_[] = {
    RC_(dataset, STR_),       RC_(model, STR_),          RCR_(fold, REQLONG_, NONNEG_),
    RC_(params, STR_),        RC_(val_score, SCORE_),    RCR_(test_accuracy, SCORE_, FRACTION_),
    RC_(test_rmse, SCORE_),   RC_(n_train, LONG_),       RC_(n_test, LONG_),
    RC_(n_features, LONG_),   RC_(n_classes, LONG_),     RC_(fit_seconds, SEC_),
    RC_(predict_seconds, SEC_), RC_(peak_rss_mb, MB_),   RC_(threads, LONG_),
    RC_(seed, U64_),          RCR_(status, STR_, STATUS_), RC_(error, STR_),
    RC_(test_r2, SCORE_),     RC_(selected, STR_),       RC_(majority_accuracy, SCORE_),
    RC_(param_hash, HASH_),   RC_(constant_rmse, SCORE_), RC_(spec_hash, SPEC_)};
static const coldef_ CV_COLS_[] = {
    CC_(dataset, STR_),        CC_(model, STR_),          CC_(candidate, REQLONG_),
    CC_(params, STR_),         CC_(mean_val_score, SCORE_), CC_(rank_val_score, LONG_),
    CC_(mean_fit_seconds, SEC_), CC_(status, STR_),       CC_(iter, LONG_),
    CC_(error, STR_),          CC_(param_hash, HASH_),    CC_(spec_hash, SPEC_)};
#define NCOLS_(a) (sizeof(a) / sizeof((a)[0]))
enum { RESULT_REQ_ = 18, CV_REQ_ = 8 }; // leading columns required by interfaces.md

typedef struct {
    const char *kind; // "results" / "cv_results", for messages
    const coldef_ *cols;
    size_t ncols, nreq, row_size;
} layout_;
static const layout_ RESULT_LAYOUT_ = {"results", RESULT_COLS_, NCOLS_(RESULT_COLS_), RESULT_REQ_,
                                       sizeof(hx_result_row)};
static const layout_ CV_LAYOUT_ = {"cv_results", CV_COLS_, NCOLS_(CV_COLS_), CV_REQ_,
                                   sizeof(hx_cv_row)};

static void rows_free_(const layout_ *ly, void *rows, size_t n) {
    if (!rows) return;
    for (size_t i = 0; i < n; i++) {
        char *row = (char *)rows + i * ly->row_size;
        for (size_t c = 0; c < ly->ncols; c++) {
            if (ly->cols[c].type == STR_) free(*(char **)(row + ly->cols[c].off));
        }
    }
    free(rows);
}

void hx_result_rows_free(hx_result_row *rows, size_t n) { rows_free_(&RESULT_LAYOUT_, rows, n); }
void hx_cv_rows_free(hx_cv_row *rows, size_t n) { rows_free_(&CV_LAYOUT_, rows, n); }

// Parse the cell text s of column cd into the field at dst. NULL, or what is wrong with s.
static const char *parse_cell_(const coldef_ *cd, const char *s, char *dst) {
    char *end = NULL;
    errno = 0;
    switch (cd->type) {
    case STR_:
        // A status the leaderboard does not know would count as a failure without saying so.
        if (cd->rule == STATUS_ && strcmp(s, "ok") != 0 && strcmp(s, "failed") != 0)
            return "is not ok or failed";
        *(char **)dst = strdup(s);
        return *(char **)dst ? NULL : "could not be copied (out of memory)";
    case HASH_:
        snprintf(dst, 17, "%s", s);
        return NULL;
    case SPEC_:
        // Compared byte for byte on resume: anything but 16 hex digits (or empty) is damage.
        if (*s && (strlen(s) != 16 || strspn(s, "0123456789abcdef") != 16))
            return "is not 16 hex digits";
        snprintf(dst, 17, "%s", s);
        return NULL;
    case SCORE_: case SEC_: case MB_:
        *(double *)dst = *s ? strtod(s, &end) : NAN; // empty = not applicable
        if (end && *end) return "is not a number";
        if (cd->rule != FRACTION_ || !*s) return NULL;
        // An accuracy is a fraction: "nan", "inf" or 87 (a percentage) would skew every mean.
        if (!isfinite(*(double *)dst)) return "is not a finite number";
        return *(double *)dst < 0 || *(double *)dst > 1 ? "is outside [0, 1]" : NULL;
    case LONG_: case REQLONG_:
        if (!*s) return cd->type == REQLONG_ ? "is empty; an integer is required" : NULL;
        *(long *)dst = strtol(s, &end, 10);
        if (*end || errno) return "is not an integer";
        return cd->rule == NONNEG_ && *(long *)dst < 0 ? "must be >= 0 (it counts from 0)" : NULL;
    case U64_:
        if (!*s) return NULL;
        *(uint64_t *)dst = (uint64_t)strtoull(s, &end, 10);
        return (*end || errno || *s == '-') ? "is not a non-negative integer" : NULL;
    }
    return NULL;
}

// Every field "not applicable": NULL strings, NaN doubles, -1 counts, seed 0, empty hash.
static void init_row_(const layout_ *ly, void *row) {
    memset(row, 0, ly->row_size);
    for (size_t c = 0; c < ly->ncols; c++) {
        char *p = (char *)row + ly->cols[c].off;
        if (ly->cols[c].type == LONG_ || ly->cols[c].type == REQLONG_) *(long *)p = -1;
        if (ly->cols[c].type == SCORE_ || ly->cols[c].type == SEC_ || ly->cols[c].type == MB_) {
            *(double *)p = NAN;
        }
    }
}

// Read a file of layout ly into a new array of rows.
static rfm_status read_rows_(const char *path, const layout_ *ly, void **rows,
                             size_t *n, size_t *torn, rfm_error *err) {
    *rows = NULL;
    *n = 0;
    hx_rtable *t = NULL;
    char *out = NULL;
    long map[32]; // file column of each layout column, -1 when absent
    rfm_status st = hx_rtable_read(path, &t, err);
    if (st != RFM_OK) return st;
    for (size_t c = 0; c < ly->ncols; c++) {
        map[c] = hx_rtable_column(t, ly->cols[c].name);
        if (c >= ly->nreq) continue;
        if (c >= t->cols) {
            st = rfm_fail(err, RFM_EFORMAT, "%s:%zu: header has %zu columns; %s.csv needs '%s' as "
                          "column %zu", path, t->line[0], t->cols, ly->kind, ly->cols[c].name,
                          c + 1);
            goto done;
        }
        if ((size_t)map[c] != c || map[c] < 0) {
            st = rfm_fail(err, RFM_EFORMAT, "%s:%zu: header column %zu is '%.40s', expected '%s' "
                          "(not a %s.csv file?)", path, t->line[0], c + 1, t->cell[c],
                          ly->cols[c].name, ly->kind);
            goto done;
        }
    }
    if (!(out = calloc(t->rows ? t->rows : 1, ly->row_size))) {
        st = rfm_fail(err, RFM_ENOMEM, "%s: no memory for %zu rows", path, t->rows);
        goto done;
    }
    for (size_t i = 0; i < t->rows; i++) {
        char *row = out + i * ly->row_size;
        init_row_(ly, row);
        for (size_t c = 0; c < ly->ncols; c++) {
            size_t fc = map[c] < 0 ? 0 : (size_t)map[c];
            const char *s = map[c] < 0 ? "" : hx_rtable_cell(t, i + 1, fc);
            const char *why = parse_cell_(&ly->cols[c], s, row + ly->cols[c].off);
            if (why) {
                st = rfm_fail(err, RFM_EFORMAT, "%s:%zu:%u: column '%s': '%.40s' %s", path,
                              t->line[i + 1], t->col[(i + 1) * t->cols + fc], ly->cols[c].name, s,
                              why);
                goto done;
            }
        }
    }
    if (torn) *torn = t->torn;
    *rows = out;
    *n = t->rows;
    out = NULL;
done:
    rows_free_(ly, out, out ? t->rows : 0); // init rows hold NULL strings: freeing all is safe
    hx_rtable_free(t);
    return st;
}

rfm_status hx_results_read_ex(const char *path, hx_result_row **rows, size_t *n, size_t *torn,
                              rfm_error *err) {
    void *out = NULL;
    rfm_status st = read_rows_(path, &RESULT_LAYOUT_, &out, n, torn, err);
    *rows = out;
    return st;
}

rfm_status hx_results_read(const char *path, hx_result_row **rows, size_t *n, rfm_error *err) {
    return hx_results_read_ex(path, rows, n, NULL, err);
}

rfm_status hx_cv_read(const char *path, hx_cv_row **rows, size_t *n, size_t *torn,
                      rfm_error *err) {
    void *out = NULL;
    rfm_status st = read_rows_(path, &CV_LAYOUT_, &out, n, torn, err);
    *rows = out;
    return st;
}

/* ---- writing ------------------------------------------------------------------------------- */

static int needs_quotes_(const char *s) { return s && strpbrk(s, ",\"\r\n") != NULL; }

int hx_csv_write_field(FILE *fp, const char *s) {
    if (!s) return 0;
    if (!needs_quotes_(s)) return fputs(s, fp) < 0 ? -1 : 0;
    if (fputc('"', fp) == EOF) return -1;
    for (; *s; s++) {
        if (*s == '"' && fputc('"', fp) == EOF) return -1;
        if (fputc(*s, fp) == EOF) return -1;
    }
    return fputc('"', fp) == EOF ? -1 : 0;
}

static void put_(hx_csv_out *l, const char *s, size_t n) {
    if (l->failed) return;
    char *b = hx_res_grow(l->buf, &l->cap, l->len + n + 1, 1);
    if (!b) {
        l->failed = 1;
        return;
    }
    l->buf = b;
    memcpy(l->buf + l->len, s, n);
    l->len += n;
    l->buf[l->len] = '\0';
}

static void begin_field_(hx_csv_out *l) {
    if (l->nfields++) put_(l, ",", 1);
}

void hx_csv_out_reset(hx_csv_out *l) {
    l->len = 0;
    l->nfields = 0;
    l->failed = 0;
    if (l->buf) l->buf[0] = '\0';
}

void hx_csv_out_str(hx_csv_out *l, const char *s) {
    begin_field_(l);
    if (!s) return;
    if (!needs_quotes_(s)) {
        put_(l, s, strlen(s));
        return;
    }
    put_(l, "\"", 1);
    for (const char *q; (q = strchr(s, '"')) != NULL; s = q + 1) {
        put_(l, s, (size_t)(q - s) + 1);
        put_(l, "\"", 1); // the doubled quote
    }
    put_(l, s, strlen(s));
    put_(l, "\"", 1);
}

static void putf_(hx_csv_out *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf_(hx_csv_out *l, const char *fmt, ...) {
    char b[400]; // room for %.3f of DBL_MAX
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(b, sizeof b, fmt, ap);
    va_end(ap);
    put_(l, b, k < 0 ? 0 : ((size_t)k < sizeof b ? (size_t)k : sizeof b - 1));
}

void hx_csv_out_double(hx_csv_out *l, double v) {
    begin_field_(l);
    if (isnan(v)) return;
    char b[40];
    for (int prec = 15; prec <= 17; prec++) { // the shortest of 15..17 digits that reads back
        snprintf(b, sizeof b, "%.*g", prec, v);
        if (strtod(b, NULL) == v) break;
    }
    put_(l, b, strlen(b));
}

void hx_csv_out_fixed(hx_csv_out *l, double v, int decimals) {
    begin_field_(l);
    if (!isnan(v)) putf_(l, "%.*f", decimals, v);
}

void hx_csv_out_long(hx_csv_out *l, long v) {
    begin_field_(l);
    if (v >= 0) putf_(l, "%ld", v);
}

void hx_csv_out_u64(hx_csv_out *l, uint64_t v) {
    begin_field_(l);
    putf_(l, "%llu", (unsigned long long)v);
}

rfm_status hx_csv_out_end(hx_csv_out *l, rfm_error *err) {
    put_(l, "\n", 1);
    l->nfields = 0;
    if (l->failed) return rfm_fail(err, RFM_ENOMEM, "no memory for a CSV line");
    return RFM_OK;
}

void hx_csv_out_free(hx_csv_out *l) {
    free(l->buf);
    l->buf = NULL;
    l->len = l->cap = l->nfields = 0;
    l->failed = 0;
}

hx_result_row hx_result_row_init(void) {
    hx_result_row r;
    init_row_(&RESULT_LAYOUT_, &r);
    return r;
}

hx_cv_row hx_cv_row_init(void) {
    hx_cv_row r;
    init_row_(&CV_LAYOUT_, &r);
    return r;
}

static rfm_status format_(const layout_ *ly, const void *r, hx_csv_out *l, rfm_error *err) {
    const char *row = r;
    const char *params = *(const char *const *)(row + ly->cols[3].off);
    char hash[17];
    hx_params_hash_hex(params ? params : "", hash); // a NULL params is written empty
    hx_csv_out_reset(l);
    for (size_t c = 0; c < ly->ncols; c++) {
        const char *p = row + ly->cols[c].off;
        switch (ly->cols[c].type) {
        case STR_: hx_csv_out_str(l, *(const char *const *)p); break;
        case HASH_: hx_csv_out_str(l, hash); break; // never trust a stale stored hash
        case SPEC_: hx_csv_out_str(l, (const char *)p); break;
        case SCORE_: hx_csv_out_double(l, *(const double *)p); break;
        case SEC_: hx_csv_out_fixed(l, *(const double *)p, 3); break;
        case MB_: hx_csv_out_fixed(l, *(const double *)p, 1); break;
        case LONG_: case REQLONG_: hx_csv_out_long(l, *(const long *)p); break;
        case U64_: hx_csv_out_u64(l, *(const uint64_t *)p); break;
        }
    }
    return hx_csv_out_end(l, err);
}

rfm_status hx_result_row_format(const hx_result_row *r, hx_csv_out *l, rfm_error *err) {
    return format_(&RESULT_LAYOUT_, r, l, err);
}

rfm_status hx_cv_row_format(const hx_cv_row *r, hx_csv_out *l, rfm_error *err) {
    return format_(&CV_LAYOUT_, r, l, err);
}

/* ---- appending ----------------------------------------------------------------------------- */

struct hx_appender {
    int fd;
    const layout_ *ly;
    size_t torn_bytes;
    hx_csv_out line; // reused so that appends do not allocate
    char path[];
};

// End of the last complete record: the byte after the last newline outside quotes. Doubled
// quotes toggle twice, so counting every quote is exact.
static size_t complete_end_(const char *s, size_t n) {
    size_t end = 0;
    int inq = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"') inq = !inq;
        else if (s[i] == '\n' && !inq) end = i + 1;
    }
    return end;
}

// The file's first line s must be exactly the layout's header; name the first differing column.
static rfm_status header_matches_(const char *path, const char *s, const layout_ *ly,
                                  rfm_error *err) {
    if (strncmp(s, "\xEF\xBB\xBF", 3) == 0) s += 3;
    for (size_t c = 0;; c++) {
        size_t len = strcspn(s, ",\r\n");
        const char *want = c < ly->ncols ? ly->cols[c].name : "(the end of the line)";
        if (c >= ly->ncols || strlen(want) != len || strncmp(s, want, len) != 0) {
            return rfm_fail(err, RFM_EFORMAT, "%s:1: header column %zu is '%.*s', expected '%s' "
                            "(a %s.csv of another version? use a fresh output folder)", path,
                            c + 1, (int)(len > 40 ? 40 : len), s, want, ly->kind);
        }
        if (s[len] != ',') {
            if (c + 1 == ly->ncols) return RFM_OK;
            return rfm_fail(err, RFM_EFORMAT, "%s:1: header ends after column %zu, expected '%s' "
                            "next (a %s.csv of another version?)", path, c + 1,
                            ly->cols[c + 1].name, ly->kind);
        }
        s += len + 1;
    }
}

// Rewrite the complete records s[0, end) with one more field each: the header gets ",name",
// every row an empty one (a "," before each record's line end outside quotes). A torn tail is
// dropped, as opening would cut it anyway.
static rfm_status upgrade_(const char *path, const char *s, size_t end, const char *name,
                           rfm_error *err) {
    size_t records = 0, nlen = strlen(name);
    int inq = 0;
    for (size_t i = 0; i < end; i++) {
        if (s[i] == '"') inq = !inq;
        else if (s[i] == '\n' && !inq) records++;
    }
    char *out = malloc(end + records + nlen + 1);
    if (!out) return rfm_fail(err, RFM_ENOMEM, "%s: no memory to upgrade the header", path);
    size_t o = 0, record = 0;
    inq = 0;
    for (size_t i = 0; i < end; i++) {
        if (s[i] == '"') inq = !inq;
        if (s[i] == '\n' && !inq) {
            int cr = o > 0 && out[o - 1] == '\r';
            if (cr) o--;
            out[o++] = ',';
            if (record++ == 0) {
                memcpy(out + o, name, nlen);
                o += nlen;
            }
            if (cr) out[o++] = '\r';
        }
        out[o++] = s[i];
    }
    rfm_status st = hx_write_atomic(path, out, o, err);
    free(out);
    return st;
}

#define TRY_(expr) do { if ((st = (expr)) != RFM_OK) goto done; } while (0)

/* Open path for append and take its lock (-1 with err filled on failure). The upgrade below
 * renames a new file over the path, so a waiter may wake holding the lock of a file that is no
 * longer there: it must reopen until the file it locked is the one the path names. */
static int open_locked_(const char *path, rfm_error *err) {
    for (;;) {
        int fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd < 0) {
            rfm_fail(err, RFM_EIO, "%s: %s", path, strerror(errno));
            return -1;
        }
        struct stat held, named;
        if (flock(fd, LOCK_EX) != 0 || fstat(fd, &held) != 0) {
            rfm_fail(err, RFM_EIO, "%s: flock: %s", path, strerror(errno));
            close(fd);
            return -1;
        }
        if (stat(path, &named) == 0 && named.st_ino == held.st_ino && named.st_dev == held.st_dev)
            return fd;
        close(fd);
    }
}

rfm_status hx_results_open(const char *path, const char *header_kind, hx_appender **out,
                           rfm_error *err) {
    *out = NULL;
    const layout_ *ly = strcmp(header_kind, HX_KIND_RESULTS) == 0 ? &RESULT_LAYOUT_
                        : strcmp(header_kind, HX_KIND_CV) == 0    ? &CV_LAYOUT_
                                                                  : NULL;
    if (!ly) {
        return rfm_fail(err, RFM_EINVAL, "header_kind '%s': must be '%s' or '%s'", header_kind,
                        HX_KIND_RESULTS, HX_KIND_CV);
    }
    rfm_status st = RFM_OK;
    char *text = NULL;
    size_t size = 0, plen = strlen(path);
    hx_appender *a = calloc(1, sizeof *a + plen + 1);
    if (!a) return rfm_fail(err, RFM_ENOMEM, "%s: no memory", path);
    memcpy(a->path, path, plen + 1);
    a->ly = ly;
    // Two processes opening at once must not both see an empty file and both write a header.
    if ((a->fd = open_locked_(path, err)) < 0) {
        st = err ? err->code : RFM_EIO;
        goto done;
    }
    TRY_(hx_res_slurp_fd(a->fd, path, &text, &size, err));
    for (size_t c = 0; c < ly->ncols; c++) hx_csv_out_str(&a->line, ly->cols[c].name);
    TRY_(hx_csv_out_end(&a->line, err));
    // Judge the file before touching it: only our own header, or a torn prefix of it, passes.
    size_t end = complete_end_(text, size);
    layout_ prev = *ly; // the previous version: every column but the last (spec_hash)
    prev.ncols--;
    if (end > 0 && header_matches_(path, text, ly, NULL) != RFM_OK &&
        header_matches_(path, text, &prev, NULL) == RFM_OK) {
        // The previous version's file (no spec_hash yet): rewrite it whole, with an empty last
        // field on every record (a torn tail dropped), then reopen and judge the new file.
        TRY_(upgrade_(path, text, end, ly->cols[ly->ncols - 1].name, err));
        a->torn_bytes = size - end;
        close(a->fd);
        free(text);
        text = NULL;
        if ((a->fd = open_locked_(path, err)) < 0) {
            st = err ? err->code : RFM_EIO;
            goto done;
        }
        TRY_(hx_res_slurp_fd(a->fd, path, &text, &size, err));
        end = complete_end_(text, size);
    }
    if (end > 0) {
        TRY_(header_matches_(path, text, ly, err));
    } else if (size > 0 && strncmp(text, a->line.buf, size) != 0) {
        st = rfm_fail(err, RFM_EFORMAT, "%s:1: no header line and not a torn %s.csv header; "
                      "refusing to append to it", path, ly->kind);
        goto done;
    }
    if (end < size) { // a torn tail from a killed writer
        if (ftruncate(a->fd, (off_t)end) != 0 || fsync(a->fd) != 0) {
            st = rfm_fail(err, RFM_EIO, "%s: truncating a torn last line: %s", path,
                          strerror(errno));
            goto done;
        }
        a->torn_bytes = size - end;
    }
    if (end == 0) { // new, empty, or a torn header: the header goes first
        TRY_(write_all_(a->fd, path, a->line.buf, a->line.len, err));
        if (fsync(a->fd) != 0) {
            st = rfm_fail(err, RFM_EIO, "%s: fsync: %s", path, strerror(errno));
            goto done;
        }
        sync_dir_(path);
    }
    (void)flock(a->fd, LOCK_UN);
    *out = a;
    a = NULL;
done:
    free(text);
    hx_results_close(a);
    return st;
}

size_t hx_appender_torn_bytes(const hx_appender *a) { return a->torn_bytes; }

static rfm_status append_(hx_appender *a, const layout_ *ly, const void *row, rfm_error *err) {
    if (a->ly != ly) {
        return rfm_fail(err, RFM_EINVAL, "%s: a %s.csv file cannot take %s rows", a->path,
                        a->ly->kind, ly->kind);
    }
    rfm_status st = format_(ly, row, &a->line, err);
    if (st != RFM_OK) return st;
    // One write() for the whole line: a kill can only tear this (last) line, and O_APPEND
    // keeps concurrent appenders from interleaving.
    st = write_all_(a->fd, a->path, a->line.buf, a->line.len, err);
    if (st == RFM_OK && fsync(a->fd) != 0) {
        st = rfm_fail(err, RFM_EIO, "%s: fsync: %s", a->path, strerror(errno));
    }
    return st;
}

rfm_status hx_results_append_row(hx_appender *a, const hx_result_row *r, rfm_error *err) {
    return append_(a, &RESULT_LAYOUT_, r, err);
}

rfm_status hx_results_append_cv(hx_appender *a, const hx_cv_row *r, rfm_error *err) {
    return append_(a, &CV_LAYOUT_, r, err);
}

void hx_results_close(hx_appender *a) {
    if (!a) return;
    if (a->fd >= 0) close(a->fd);
    hx_csv_out_free(&a->line);
    free(a);
}
