/* hx_csv.c - the delimited-text reader of hx_csv.h: libcsv does the quoting, this file tracks
 * line numbers, checks that rows are rectangular and packs the fields into one text arena. */
#include "hx_csv.h"

#include <csv.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *path;
    rfm_error *err;
    rfm_status st;
    char *text;
    size_t text_len, text_cap;
    size_t *off; /* one per field, header included */
    size_t off_len, off_cap;
    size_t *line; /* one per row, header included */
    size_t rows, line_cap;
    size_t row_fields; /* fields seen in the row being read */
    size_t expect;     /* fields per row, fixed by the first row */
    size_t cur_line;   /* line of the bytes being fed to libcsv */
    size_t row_line;
} reader_;

// Grow *buf to hold at least need elements of size sz (doubling, so appends are amortised O(1)).
static int grow_(void **buf, size_t *cap, size_t need, size_t sz) {
    if (need <= *cap) return 1;
    size_t cap2 = *cap ? *cap : 256;
    while (cap2 < need) {
        if (cap2 > SIZE_MAX / 2 / sz) return 0;
        cap2 *= 2;
    }
    void *p = realloc(*buf, cap2 * sz);
    if (!p) return 0;
    *buf = p;
    *cap = cap2;
    return 1;
}

static void oom_(reader_ *r) {
    r->st = rfm_fail(r->err, RFM_ENOMEM, "%s: out of memory while reading", r->path);
}

static void on_field_(void *s, size_t len, void *data) {
    reader_ *r = data;
    if (r->st != RFM_OK) return;
    if (r->row_fields == 0) r->row_line = r->cur_line;
    if (len == SIZE_MAX || !grow_((void **)&r->text, &r->text_cap, r->text_len + len + 1, 1) ||
        !grow_((void **)&r->off, &r->off_cap, r->off_len + 1, sizeof *r->off)) {
        oom_(r);
        return;
    }
    if (len) memcpy(r->text + r->text_len, s, len);
    r->off[r->off_len++] = r->text_len;
    r->text_len += len;
    r->text[r->text_len++] = '\0';
    r->row_fields++;
}

static void on_row_(int c, void *data) {
    (void)c;
    reader_ *r = data;
    if (r->st != RFM_OK || r->row_fields == 0) return;
    if (r->expect == 0) {
        r->expect = r->row_fields;
    } else if (r->row_fields != r->expect) {
        size_t col = (r->row_fields < r->expect ? r->row_fields : r->expect) + 1;
        r->st = rfm_fail(r->err, RFM_EFORMAT, "%s:%zu:%zu: row has %zu fields, expected %zu",
                         r->path, r->row_line, col, r->row_fields, r->expect);
        return;
    }
    if (!grow_((void **)&r->line, &r->line_cap, r->rows + 1, sizeof *r->line)) {
        oom_(r);
        return;
    }
    r->line[r->rows++] = r->row_line;
    r->row_fields = 0;
}

rfm_status hx_csv_read(const char *path, char delim, int header, hx_csv **out, rfm_error *err) {
    *out = NULL;
    if (delim == '"' || delim == '\r' || delim == '\n' || delim == '\0') {
        return rfm_fail(err, RFM_EINVAL, "%s: delimiter must be one character other than a "
                        "quote or a line break", path);
    }
    reader_ r = {.path = path, .err = err, .st = RFM_OK, .cur_line = 1};
    struct csv_parser p;
    int parser_ready = 0;
    hx_csv *t = NULL;
    enum { CHUNK = 1 << 16 };
    char *buf = malloc(CHUNK);
    FILE *f = fopen(path, "rb");
    if (!f) {
        r.st = rfm_fail(err, RFM_EIO, "%s: cannot open: %s", path, strerror(errno));
        goto done;
    }
    if (!buf || csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0) {
        oom_(&r);
        goto done;
    }
    parser_ready = 1;
    csv_set_delim(&p, (unsigned char)delim);
    size_t line_pos = 0; // bytes of the current line already fed, for the error column
    int first = 1;
    size_t got;
    while (r.st == RFM_OK && (got = fread(buf, 1, CHUNK, f)) > 0) {
        const char *s = buf, *end = buf + got;
        if (first && got >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) s += 3; // UTF-8 BOM
        first = 0;
        // Feed one line at a time so the callbacks know the line they are on.
        while (s < end && r.st == RFM_OK) {
            const char *nl = memchr(s, '\n', (size_t)(end - s));
            size_t len = nl ? (size_t)(nl - s) + 1 : (size_t)(end - s);
            size_t used = csv_parse(&p, s, len, on_field_, on_row_, &r);
            if (r.st != RFM_OK) break;
            if (used != len) {
                if (csv_error(&p) == CSV_EPARSE) {
                    r.st = rfm_fail(err, RFM_EFORMAT, "%s:%zu:%zu: malformed quoted field", path,
                                    r.cur_line, line_pos + used + 1);
                } else {
                    oom_(&r);
                }
                break;
            }
            s += len;
            if (nl) {
                r.cur_line++;
                line_pos = 0;
            } else {
                line_pos += len;
            }
        }
    }
    if (r.st != RFM_OK) goto done;
    if (ferror(f)) {
        r.st = rfm_fail(err, RFM_EIO, "%s: read error: %s", path, strerror(errno));
        goto done;
    }
    if (csv_fini(&p, on_field_, on_row_, &r) != 0 && r.st == RFM_OK) {
        r.st = rfm_fail(err, RFM_EFORMAT, "%s:%zu:%zu: unterminated quoted field", path,
                        r.row_fields ? r.row_line : r.cur_line, (size_t)1);
    }
    if (r.st != RFM_OK) goto done;
    if (r.rows == 0) {
        r.st = rfm_fail(err, RFM_EFORMAT, "%s: empty file", path);
        goto done;
    }
    if (header && r.rows == 1) {
        r.st = rfm_fail(err, RFM_EFORMAT, "%s: no data rows after the header", path);
        goto done;
    }
    t = malloc(sizeof *t);
    if (!t) {
        oom_(&r);
        goto done;
    }
    t->has_header = header ? 1 : 0;
    t->n_rows = r.rows - (size_t)t->has_header;
    t->n_cols = r.expect;
    t->line = r.line;
    t->off = r.off;
    t->text = r.text;
    r.line = NULL;
    r.off = NULL;
    r.text = NULL;
    *out = t;
done:
    if (parser_ready) csv_free(&p);
    if (f) fclose(f);
    free(buf);
    free(r.text);
    free(r.off);
    free(r.line);
    return r.st;
}

const char *hx_csv_cell(const hx_csv *t, size_t r, size_t c) {
    return t->text + t->off[(r + (size_t)t->has_header) * t->n_cols + c];
}

const char *hx_csv_name(const hx_csv *t, size_t c) {
    return t->has_header ? t->text + t->off[c] : NULL;
}

size_t hx_csv_line(const hx_csv *t, size_t r) { return t->line[r + (size_t)t->has_header]; }

void hx_csv_free(hx_csv *t) {
    if (!t) return;
    free(t->line);
    free(t->off);
    free(t->text);
    free(t);
}
