/* hx_prep_io.c - a preprocessing saved to and loaded from text, and applied by column name to
 * another file with the same columns (hx_prep.h): what lets `rfmbench predict` read a new CSV.
 *
 * File format "rfmbench-prep" version 1 (the OUT.rfm.prep sidecar of `rfmbench fit`): UTF-8
 * text, one `key value` per line, the value being everything after the first space (a key with
 * an empty value may omit the space). Values escape backslash, newline, CR and tab as \\ \n \r
 * \t, so any name or token fits on its line. Lines starting with '#' are comments. Numbers are
 * printed with %.17g (they read back exactly). Keys, in this order:
 *   rfmbench-prep 1          first line: magic and version (another version is refused)
 *   format csv|uci121
 *   task classification|regression
 *   features D               outputs of the preprocessing (the model's d)
 *   classes C                classification: C >= 2, then C lines `class NAME` in label order;
 *                            regression: 0
 *   target NAME              csv: the target column (optional at predict)
 *   delimiter X              csv: how the fitted file was read; used again for a bare CSV
 *   header true|false
 *   missing TOKEN            csv: zero or more missing-value tokens
 *   impute mean|median|drop  csv, informational (the fill values below are what applies)
 *   standardize true|false   csv, informational
 *   drop NAME                csv: zero or more columns the fit ignored
 *   column NAME              csv: one block per raw feature column, in output order, holding
 *     numeric FILL MEAN SCALE  x -> ((x, or FILL when missing) - MEAN) / SCALE
 *     categorical W            followed by W lines, one per output in order:
 *       level VALUE            1 when the cell equals VALUE exactly
 *       level-missing          1 when the cell is a missing token
 *   end                      last line; a file without it is truncated */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hx_csv.h"
#include "hx_prep_impl.h"

#define MAGIC_ "rfmbench-prep"
#define VERSION_ 1

/* ---- save --------------------------------------------------------------------------------- */

static void put_escaped_(FILE *f, const char *key, const char *v) {
    fputs(key, f);
    fputc(' ', f);
    for (; *v; v++) {
        switch (*v) {
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        default: fputc(*v, f);
        }
    }
    fputc('\n', f);
}

rfm_status hx_prep_save(const hx_prep *p, const char *path, rfm_error *err) {
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return rfm_fail(err, RFM_EINVAL, "%s: path too long", path);
    FILE *f = fopen(tmp, "w");
    if (!f) return rfm_fail(err, RFM_EIO, "%s: cannot write: %s", tmp, strerror(errno));
    fprintf(f, "%s %d\n# preprocessing for rfmbench predict (format: harness/hx_prep_io.c)\n",
            MAGIC_, VERSION_);
    fprintf(f, "format %s\ntask %s\nfeatures %zu\nclasses %zu\n", hx_format_name(p->format),
            hx_task_name(p->task), p->d, p->n_classes);
    for (size_t c = 0; c < p->n_classes; c++) put_escaped_(f, "class", p->class_names[c]);
    if (p->format == HX_FORMAT_CSV) {
        char delim[2] = {p->delim, '\0'};
        static const char *const imputes[] = {"mean", "median", "drop"};
        if (p->target) put_escaped_(f, "target", p->target);
        put_escaped_(f, "delimiter", delim);
        fprintf(f, "header %s\n", p->header ? "true" : "false");
        for (size_t i = 0; i < p->missing.n; i++) put_escaped_(f, "missing", p->missing.items[i]);
        fprintf(f, "impute %s\nstandardize %s\n", imputes[p->impute],
                p->standardize ? "true" : "false");
        for (size_t i = 0; i < p->dropped.n; i++) put_escaped_(f, "drop", p->dropped.items[i]);
    }
    for (size_t j = 0; j < p->n_cols; j++) {
        const hx_colprep *cp = &p->cols[j];
        put_escaped_(f, "column", cp->name);
        if (!cp->categorical) {
            fprintf(f, "numeric %.17g %.17g %.17g\n", cp->fill, cp->mean, cp->scale);
            continue;
        }
        fprintf(f, "categorical %zu\n", cp->width);
        for (size_t k = 0; k < cp->width; k++) {
            if (cp->level[k]) put_escaped_(f, "level", cp->level[k]);
            else fputs("level-missing\n", f);
        }
    }
    fputs("end\n", f);
    int bad = ferror(f) != 0;
    bad |= fflush(f) != 0 || fsync(fileno(f)) != 0;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) != 0) {
        unlink(tmp);
        return rfm_fail(err, RFM_EIO, "%s: write failed", path);
    }
    return RFM_OK;
}

/* ---- load --------------------------------------------------------------------------------- */

typedef struct {
    const char *path;
    size_t line;
    rfm_error *err;
    hx_prep *p;
    hx_strlist classes;
    size_t n_classes;  /* as declared by `classes` */
    size_t levels;     /* level lines read for the current categorical column */
    int ended;
} loader_;

static rfm_status bad_(const loader_ *r, const char *what, const char *v) {
    return rfm_fail(r->err, RFM_EFORMAT, "%s:%zu: %s%s%s%s", r->path, r->line, what,
                    v ? " ('" : "", v ? v : "", v ? "')" : "");
}

static rfm_status oom_(const loader_ *r) {
    return rfm_fail(r->err, RFM_ENOMEM, "%s: out of memory", r->path);
}

// Undo put_escaped_ in place; 0 on a dangling or unknown escape.
static int unescape_(char *s) {
    char *o = s;
    for (char *i = s; *i; i++) {
        if (*i != '\\') {
            *o++ = *i;
            continue;
        }
        switch (*++i) {
        case '\\': *o++ = '\\'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        default: return 0;
        }
    }
    *o = '\0';
    return 1;
}

static int parse_size_(const char *v, size_t max, size_t *out) {
    char *end;
    errno = 0;
    unsigned long long x = strtoull(v, &end, 10);
    if (v[0] < '0' || v[0] > '9' || *end || errno || x > max) return 0;
    *out = (size_t)x;
    return 1;
}

static int parse_bool_(const char *v, int *out) {
    if (strcmp(v, "true") && strcmp(v, "false")) return 0;
    *out = v[0] == 't';
    return 1;
}

static int push_(hx_strlist *l, const char *v) {
    char **items = realloc(l->items, (l->n + 1) * sizeof *items);
    if (!items) return 0;
    l->items = items;
    if (!(items[l->n] = hx_strdup(v))) return 0;
    l->n++;
    return 1;
}

// The current column is complete: its kind is known and every level line was read.
static int column_done_(const loader_ *r) {
    const hx_prep *p = r->p;
    if (!p->n_cols) return 1;
    const hx_colprep *cp = &p->cols[p->n_cols - 1];
    return cp->categorical ? r->levels == cp->width : cp->width == 1;
}

static rfm_status column_line_(loader_ *r, const char *key, char *v) {
    hx_prep *p = r->p;
    hx_colprep *cp = p->n_cols ? &p->cols[p->n_cols - 1] : NULL;
    if (!strcmp(key, "column")) {
        if (!column_done_(r)) return bad_(r, "the column before is incomplete", NULL);
        hx_colprep *cols = realloc(p->cols, (p->n_cols + 1) * sizeof *cols);
        if (!cols) return oom_(r);
        p->cols = cols;
        cp = &cols[p->n_cols];
        memset(cp, 0, sizeof *cp);
        cp->offset = p->n_cols ? cols[p->n_cols - 1].offset + cols[p->n_cols - 1].width : 0;
        p->n_cols++;
        r->levels = 0;
        return (cp->name = hx_strdup(v)) ? RFM_OK : oom_(r);
    }
    if (!cp || cp->width || cp->categorical) {
        int level = !strcmp(key, "level"), level_missing = !strcmp(key, "level-missing");
        if (cp && cp->categorical && (level || level_missing) && r->levels < cp->width) {
            if (level && !(cp->level[r->levels] = hx_strdup(v))) return oom_(r);
            r->levels++;
            return RFM_OK;
        }
        return bad_(r, "unexpected line (column blocks are `column`, then `numeric` or "
                       "`categorical W` and W `level` lines)", key);
    }
    if (!strcmp(key, "numeric")) {
        char *a = v, *b, *c, *e;
        cp->fill = strtod(a, &b);
        cp->mean = strtod(b, &c);
        cp->scale = strtod(c, &e);
        if (b == a || c == b || e == c || *e || !isfinite(cp->fill) || !isfinite(cp->mean) ||
            !isfinite(cp->scale) || cp->scale == 0)
            return bad_(r, "numeric: expected FILL MEAN SCALE (finite, SCALE != 0)", v);
        cp->width = 1;
        return RFM_OK;
    }
    if (!strcmp(key, "categorical")) {
        size_t w;
        if (!parse_size_(v, 10000000, &w)) return bad_(r, "categorical: a count of levels", v);
        cp->categorical = 1;
        cp->width = w;
        return (cp->level = calloc(w ? w : 1, sizeof *cp->level)) ? RFM_OK : oom_(r);
    }
    return bad_(r, "unexpected line (column blocks are `column`, then `numeric` or "
                   "`categorical W` and W `level` lines)", key);
}

// One `key value` line.
static rfm_status load_line_(loader_ *r, const char *key, char *v) {
    hx_prep *p = r->p;
    if (!strcmp(key, "format")) {
        if (strcmp(v, "csv") && strcmp(v, "uci121")) return bad_(r, "format: csv or uci121", v);
        p->format = v[0] == 'u' ? HX_FORMAT_UCI121 : HX_FORMAT_CSV;
    } else if (!strcmp(key, "task")) {
        if (strcmp(v, "classification") && strcmp(v, "regression"))
            return bad_(r, "task: classification or regression", v);
        p->task = v[0] == 'c' ? HX_CLASSIFICATION : HX_REGRESSION;
    } else if (!strcmp(key, "features")) {
        if (!parse_size_(v, (size_t)1 << 32, &p->d) || p->d == 0)
            return bad_(r, "features: a count >= 1", v);
    } else if (!strcmp(key, "classes")) {
        if (!parse_size_(v, (size_t)1 << 32, &r->n_classes)) return bad_(r, "classes: a count", v);
    } else if (!strcmp(key, "class")) {
        if (!push_(&r->classes, v)) return oom_(r);
    } else if (!strcmp(key, "target")) {
        free(p->target);
        if (!(p->target = hx_strdup(v))) return oom_(r);
    } else if (!strcmp(key, "delimiter")) {
        if (strlen(v) != 1 || v[0] == '"' || v[0] == '\n' || v[0] == '\r')
            return bad_(r, "delimiter: one character (not a quote or line break)", v);
        p->delim = v[0];
    } else if (!strcmp(key, "header") || !strcmp(key, "standardize")) {
        if (!parse_bool_(v, key[0] == 'h' ? &p->header : &p->standardize))
            return bad_(r, "expected true or false", v);
    } else if (!strcmp(key, "impute")) {
        if (!strcmp(v, "mean")) p->impute = HX_IMPUTE_MEAN;
        else if (!strcmp(v, "median")) p->impute = HX_IMPUTE_MEDIAN;
        else if (!strcmp(v, "drop")) p->impute = HX_IMPUTE_DROP;
        else return bad_(r, "impute: mean, median or drop", v);
    } else if (!strcmp(key, "missing") || !strcmp(key, "drop")) {
        if (!push_(key[0] == 'm' ? &p->missing : &p->dropped, v)) return oom_(r);
    } else if (!strcmp(key, "end")) {
        r->ended = 1;
    } else if (!strcmp(key, "column") || !strcmp(key, "numeric") ||
               !strcmp(key, "categorical") || !strcmp(key, "level") ||
               !strcmp(key, "level-missing")) {
        return column_line_(r, key, v);
    } else {
        return bad_(r, "unknown key", key);
    }
    return RFM_OK;
}

// After `end`: the parts must agree with each other.
static rfm_status check_loaded_(loader_ *r) {
    hx_prep *p = r->p;
    if (!r->ended) return bad_(r, "no `end` line: the file is truncated", NULL);
    if (!p->d) return bad_(r, "no `features` line", NULL);
    if (!column_done_(r)) return bad_(r, "the last column is incomplete", NULL);
    if (p->task == HX_TASK_UNKNOWN) return bad_(r, "no `task` line", NULL);
    if (r->classes.n != r->n_classes ||
        (p->task == HX_CLASSIFICATION ? r->n_classes < 2 : r->n_classes != 0))
        return bad_(r, "the `class` lines do not match `classes` and `task`", NULL);
    size_t w = 0;
    for (size_t j = 0; j < p->n_cols; j++) w += p->cols[j].width;
    if (p->format == HX_FORMAT_CSV ? w != p->d : p->n_cols != 0)
        return bad_(r, "the column blocks do not add up to `features`", NULL);
    p->class_names = r->classes.items;
    p->n_classes = r->classes.n;
    r->classes.items = NULL;
    r->classes.n = 0;
    return RFM_OK;
}

rfm_status hx_prep_load(const char *path, hx_prep **out, rfm_error *err) {
    *out = NULL;
    FILE *f = fopen(path, "r");
    if (!f) return rfm_fail(err, RFM_EIO, "%s: cannot open: %s", path, strerror(errno));
    loader_ r = {path, 0, err, calloc(1, sizeof(hx_prep)), {NULL, 0}, 0, 0, 0};
    rfm_status st = RFM_OK;
    char *buf = NULL;
    size_t cap = 0;
    ssize_t len;
    if (!r.p) {
        st = oom_(&r);
        goto done;
    }
    r.p->delim = ',';
    r.p->header = 1;
    while (!st && !r.ended && (len = getline(&buf, &cap, f)) >= 0) {
        r.line++;
        while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r')) buf[--len] = '\0';
        if (r.line == 1) {
            char want[32];
            snprintf(want, sizeof want, "%s %d", MAGIC_, VERSION_);
            if (strcmp(buf, want))
                st = bad_(&r, "not an rfmbench preprocessing file of version 1 (expected '"
                              MAGIC_ " 1')", buf);
            continue;
        }
        if (len == 0 || buf[0] == '#') continue;
        char *sp = strchr(buf, ' '), *v = sp ? sp + 1 : buf + len;
        if (sp) *sp = '\0';
        if (!unescape_(v)) st = bad_(&r, "bad escape in the value of", buf);
        else st = load_line_(&r, buf, v);
    }
    if (!st && r.line == 0) st = rfm_fail(err, RFM_EFORMAT, "%s:1: empty file", path);
    if (!st) st = check_loaded_(&r);
    if (!st) {
        *out = r.p;
        r.p = NULL;
    }
done:
    for (size_t i = 0; i < r.classes.n; i++) free(r.classes.items[i]);
    free(r.classes.items);
    hx_prep_free(r.p);
    free(buf);
    fclose(f);
    return st;
}

/* ---- applying to another file --------------------------------------------------------------- */

void hx_frame_free(hx_frame *f) {
    if (!f) return;
    free(f->X);
    free(f->labels);
    free(f->y);
    free(f->file);
    free(f);
}

typedef struct {
    const char *s;
    size_t out;
} level_ref_;

static int level_ref_cmp_(const void *a, const void *b) {
    return strcmp(((const level_ref_ *)a)->s, ((const level_ref_ *)b)->s);
}

// The column of t called name: by header, or "column K" without one. -1 when absent.
static long find_column_(const hx_csv *t, const char *name) {
    if (t->has_header) {
        for (size_t j = 0; j < t->n_cols; j++)
            if (!strcmp(hx_csv_name(t, j), name)) return (long)j;
        return -1;
    }
    size_t k;
    if (strncmp(name, "column ", 7) || !parse_size_(name + 7, t->n_cols - 1, &k)) return -1;
    return (long)k;
}

static int in_list_(const hx_strlist *l, const char *s) {
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->items[i], s)) return 1;
    return 0;
}

// Encode the cells of column src of every row of t into f->X, as cp says.
static rfm_status encode_column_(const hx_colprep *cp, const hx_csv *t, size_t src,
                                 const hx_strlist *missing, hx_frame *f, rfm_error *err) {
    size_t d = f->d;
    if (!cp->categorical) {
        for (size_t r = 0; r < t->n_rows; r++) {
            const char *s = hx_csv_cell(t, r, src);
            double v = cp->fill;
            if (!in_list_(missing, s) && !hx_parse_number(s, &v)) {
                return rfm_fail(err, RFM_EFORMAT, "%s:%zu:%zu: '%s' is not a number (column "
                                "'%s' is numeric in the model)", f->file, hx_csv_line(t, r),
                                src + 1, s, cp->name);
            }
            v = (v - cp->mean) / cp->scale;
            if (!isfinite(v)) {
                return rfm_fail(err, RFM_ENUMERIC, "%s:%zu:%zu: value is not finite after "
                                "preprocessing (column '%s')", f->file, hx_csv_line(t, r),
                                src + 1, cp->name);
            }
            f->X[r * d + cp->offset] = v;
        }
        return RFM_OK;
    }
    // Levels sorted by bytes, so each cell is one binary search (a column may have many).
    level_ref_ *refs = malloc((cp->width ? cp->width : 1) * sizeof *refs);
    if (!refs) return rfm_fail(err, RFM_ENOMEM, "%s: out of memory", f->file);
    size_t nr = 0, miss = SIZE_MAX;
    for (size_t k = 0; k < cp->width; k++) {
        if (cp->level[k]) refs[nr++] = (level_ref_){cp->level[k], k};
        else miss = k;
    }
    qsort(refs, nr, sizeof *refs, level_ref_cmp_);
    for (size_t r = 0; r < t->n_rows; r++) {
        double *x = f->X + r * d + cp->offset;
        for (size_t k = 0; k < cp->width; k++) x[k] = 0;
        level_ref_ key = {hx_csv_cell(t, r, src), 0};
        if (in_list_(missing, key.s)) {
            if (miss != SIZE_MAX) x[miss] = 1;
            continue;
        }
        const level_ref_ *hit = bsearch(&key, refs, nr, sizeof *refs, level_ref_cmp_);
        if (hit) x[hit->out] = 1; // an unseen level stays all zeros
    }
    free(refs);
    return RFM_OK;
}

// The target column's cells as labels (classification) or values (regression).
static rfm_status encode_target_(const hx_prep *p, const hx_csv *t, size_t src,
                                 const hx_strlist *missing, hx_frame *f, rfm_error *err) {
    f->has_target = 1;
    size_t n = t->n_rows;
    rfm_status st = p->task == HX_CLASSIFICATION
                        ? rfm_alloc((void **)&f->labels, n, 1, sizeof *f->labels, "labels", err)
                        : rfm_alloc((void **)&f->y, n, 1, sizeof *f->y, "targets", err);
    if (st) return st;
    for (size_t r = 0; r < n; r++) {
        const char *s = hx_csv_cell(t, r, src);
        int miss = in_list_(missing, s);
        if (p->task == HX_CLASSIFICATION) {
            f->labels[r] = miss ? -1 : -2;
            for (size_t c = 0; !miss && c < p->n_classes; c++)
                if (!strcmp(p->class_names[c], s)) f->labels[r] = (int)c;
        } else if (miss) {
            f->y[r] = NAN;
        } else if (!hx_parse_number(s, &f->y[r])) {
            return rfm_fail(err, RFM_EFORMAT, "%s:%zu:%zu: '%s' is not a number (the target of "
                            "a regression)", f->file, hx_csv_line(t, r), src + 1, s);
        }
    }
    return RFM_OK;
}

static rfm_status frame_csv_(const hx_prep *p, const hx_desc *desc, hx_frame *f,
                             rfm_error *err) {
    // A bare CSV is read the way the fitted file was; a descriptor says how itself.
    int bare = !strcmp(desc->source, desc->data_path);
    char delim = bare ? p->delim : desc->delim;
    int header = bare ? p->header : desc->header;
    const hx_strlist *missing = bare ? &p->missing : &desc->missing;
    hx_csv *t = NULL;
    if (access(f->file, F_OK) != 0) return rfm_fail(err, RFM_EIO, "%s: data file missing", f->file);
    rfm_status st = hx_csv_read(f->file, delim, header, &t, err);
    if (st) return st;
    f->n = t->n_rows;
    if ((st = rfm_alloc((void **)&f->X, f->n, f->d, sizeof *f->X, "features", err))) goto done;
    for (size_t j = 0; j < p->n_cols && !st; j++) {
        long src = find_column_(t, p->cols[j].name);
        if (src < 0) {
            st = rfm_fail(err, RFM_EINVAL, "%s: no column '%s' (the model was fitted with it)",
                          f->file, p->cols[j].name);
            break;
        }
        st = encode_column_(&p->cols[j], t, (size_t)src, missing, f, err);
    }
    long tgt = p->target ? find_column_(t, p->target) : -1;
    if (!st && tgt >= 0) st = encode_target_(p, t, (size_t)tgt, missing, f, err);
done:
    hx_csv_free(t);
    return st;
}

static rfm_status frame_uci121_(const hx_prep *p, const hx_desc *desc, hx_frame *f,
                                rfm_error *err) {
    hx_data *data = NULL;
    rfm_status st = hx_data_load(desc, &data, err);
    if (st) return st;
    if (data->d != p->d) {
        st = rfm_fail(err, RFM_EINVAL, "%s: %zu features, but the model was fitted on %zu",
                      desc->source, data->d, p->d);
        goto done;
    }
    f->n = data->info.n;
    f->has_target = 1;
    if ((st = rfm_alloc((void **)&f->X, f->n, f->d, sizeof *f->X, "features", err)) ||
        (st = rfm_alloc((void **)&f->labels, f->n, 1, sizeof *f->labels, "labels", err)))
        goto done;
    memcpy(f->X, data->X, f->n * f->d * sizeof *f->X);
    for (size_t r = 0; r < f->n; r++)
        f->labels[r] = (size_t)data->labels[r] < p->n_classes ? data->labels[r] : -2;
done:
    hx_data_free(data);
    return st;
}

rfm_status hx_prep_frame(const hx_prep *p, const hx_desc *desc, hx_frame **out, rfm_error *err) {
    *out = NULL;
    if (desc->info.format != p->format) {
        return rfm_fail(err, RFM_EINVAL, "%s: format %s, but the model was fitted on format %s "
                        "data", desc->source, hx_format_name(desc->info.format),
                        hx_format_name(p->format));
    }
    hx_frame *f = calloc(1, sizeof *f);
    if (!f || !(f->file = hx_strdup(desc->data_path ? desc->data_path : desc->source))) {
        hx_frame_free(f);
        return rfm_fail(err, RFM_ENOMEM, "%s: out of memory", desc->source);
    }
    f->d = p->d;
    rfm_status st = p->format == HX_FORMAT_UCI121 ? frame_uci121_(p, desc, f, err)
                                                  : frame_csv_(p, desc, f, err);
    if (st) {
        hx_frame_free(f);
        return st;
    }
    *out = f;
    return RFM_OK;
}
