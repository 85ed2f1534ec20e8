/* hx_rtable.c - the RFC 4180 reader of hx_rtable.h: the whole file is read once and unquoted in
 * place, with the line and column of every cell and a torn final record counted, not parsed. */
#include "hx_rtable.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hx_results_impl.h"

/* ---- whole-file I/O ------------------------------------------------------------------------ */

// Read all of fd into a NUL-terminated buffer (the parser works in place and needs the NUL).
rfm_status hx_res_slurp_fd(int fd, const char *path, char **out, size_t *size, rfm_error *err) {
    struct stat st;
    if (fstat(fd, &st) != 0) return rfm_fail(err, RFM_EIO, "%s: %s", path, strerror(errno));
    size_t cap = (size_t)st.st_size, len = 0;
    char *buf = malloc(cap + 1);
    if (!buf) return rfm_fail(err, RFM_ENOMEM, "%s: no memory for %zu bytes", path, cap);
    while (len < cap) {
        ssize_t got = pread(fd, buf + len, cap - len, (off_t)len);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            free(buf);
            return rfm_fail(err, RFM_EIO, "%s: %s", path, strerror(errno));
        }
        if (got == 0) break; // shrank under us: keep what was there
        len += (size_t)got;
    }
    buf[len] = '\0';
    *out = buf;
    *size = len;
    return RFM_OK;
}

/* ---- reading ------------------------------------------------------------------------------- */

void hx_rtable_free(hx_rtable *t) {
    if (!t) return;
    free(t->text);
    free(t->cell);
    free(t->line);
    free(t->col);
    free(t);
}

void *hx_res_grow(void *p, size_t *cap, size_t need, size_t size) {
    if (need <= *cap) return p;
    size_t c = *cap ? *cap : 64;
    while (c < need) c *= 2;
    void *q = realloc(p, c * size);
    if (q) *cap = c;
    return q;
}

// In-place scanner: r reads, w writes unquoted text; w never passes r, so one buffer suffices.
typedef struct {
    char *s;
    size_t size, r, w, line, line_start;
} scan_;

static int at_end_of_field_(const scan_ *p) {
    char c = p->s[p->r]; // s[size] is the NUL, so looking one ahead is safe
    return c == ',' || c == '\n' || (c == '\r' && p->s[p->r + 1] == '\n');
}

// Unquote one field. 0: a separator follows at p->r; 1: the input ended first (a torn record);
// -1: a syntax error, *why says which (at p->r).
static int field_(scan_ *p, const char **why) {
    char *s = p->s;
    if (s[p->r] != '"') {
        while (p->r < p->size && !at_end_of_field_(p)) {
            if (s[p->r] == '"') {
                *why = "quote inside an unquoted field";
                return -1;
            }
            s[p->w++] = s[p->r++];
        }
        return p->r < p->size ? 0 : 1;
    }
    for (p->r++;; s[p->w++] = s[p->r++]) {
        if (p->r >= p->size) return 1; // unterminated quote: a write cut short
        if (s[p->r] == '"') {
            if (s[p->r + 1] != '"') break;
            p->r++; // a doubled quote stands for one
        } else if (s[p->r] == '\n') {
            p->line++;
            p->line_start = p->r + 1;
        }
    }
    p->r++; // the closing quote
    if (p->r >= p->size) return 1;
    if (at_end_of_field_(p)) return 0;
    *why = "unexpected character after a closing quote";
    return -1;
}

rfm_status hx_rtable_read(const char *path, hx_rtable **out, rfm_error *err) {
    *out = NULL;
    rfm_status st = RFM_OK;
    size_t size = 0, ncell = 0, cellcap = 0, colcap = 0, nrec = 0, reccap = 0;
    hx_rtable *t = calloc(1, sizeof *t);
    if (!t) return rfm_fail(err, RFM_ENOMEM, "%s: no memory", path);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        st = rfm_fail(err, RFM_EIO, "%s: %s", path, strerror(errno));
        goto done;
    }
    st = hx_res_slurp_fd(fd, path, &t->text, &size, err);
    close(fd);
    if (st != RFM_OK) goto done;
    scan_ p = {t->text, size, 0, 0, 1, 0};
    if (size >= 3 && memcmp(p.s, "\xEF\xBB\xBF", 3) == 0) p.r = p.w = p.line_start = 3;
    while (p.r < size) {
        if (p.s[p.r] == '\n' || (p.s[p.r] == '\r' && p.s[p.r + 1] == '\n')) { // blank line
            p.r += p.s[p.r] == '\r' ? 2 : 1;
            p.line++;
            p.line_start = p.r;
            continue;
        }
        size_t first = ncell, rec_line = p.line;
        char sep;
        do {
            void *c1 = hx_res_grow(t->cell, &cellcap, ncell + 1, sizeof *t->cell);
            if (c1) t->cell = c1;
            void *c2 = c1 ? hx_res_grow(t->col, &colcap, ncell + 1, sizeof *t->col) : NULL;
            if (c2) t->col = c2;
            if (!c2) {
                st = rfm_fail(err, RFM_ENOMEM, "%s: no memory for the cells", path);
                goto done;
            }
            t->cell[ncell] = p.s + p.w;
            t->col[ncell++] = (unsigned)(p.r - p.line_start + 1);
            const char *why = NULL;
            int rc = field_(&p, &why);
            if (rc < 0) {
                st = rfm_fail(err, RFM_EFORMAT, "%s:%zu:%zu: %s", path, p.line,
                              p.r - p.line_start + 1, why);
                goto done;
            }
            if (rc > 0) { // only the final record can end without a newline: drop, count it
                ncell = first;
                t->torn = 1;
                goto parsed;
            }
            sep = p.s[p.r];
            p.s[p.w++] = '\0';
            p.r += sep == '\r' ? 2 : 1;
        } while (sep == ',');
        p.line++;
        p.line_start = p.r;
        size_t nf = ncell - first;
        if (nrec == 0) {
            t->cols = nf;
        } else if (nf != t->cols) {
            st = rfm_fail(err, RFM_EFORMAT, "%s:%zu: %zu fields, the header has %zu", path,
                          rec_line, nf, t->cols);
            goto done;
        }
        void *l1 = hx_res_grow(t->line, &reccap, nrec + 1, sizeof *t->line);
        if (!l1) {
            st = rfm_fail(err, RFM_ENOMEM, "%s: no memory for the records", path);
            goto done;
        }
        t->line = l1;
        t->line[nrec++] = rec_line;
    }
parsed:
    if (nrec == 0) {
        st = rfm_fail(err, RFM_EFORMAT, "%s:1: empty file (no complete header line)", path);
        goto done;
    }
    t->rows = nrec - 1;
    *out = t;
    t = NULL;
done:
    hx_rtable_free(t);
    return st;
}

long hx_rtable_column(const hx_rtable *t, const char *name) {
    for (size_t c = 0; c < t->cols; c++) {
        if (strcmp(t->cell[c], name) == 0) return (long)c;
    }
    return -1;
}

const char *hx_rtable_cell(const hx_rtable *t, size_t row, size_t c) {
    return t->cell[row * t->cols + c];
}
