/* hx_dataset.c - loading a descriptor's data (format csv here; uci121 in hx_uci121.c) and the
 * accessors of hx_data: column kinds, missing values, class labels, targets, the majority label
 * and the one-line description. Semantics are documented in hx_dataset.h. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hx_csv.h"
#include "hx_dataset_impl.h"

char *hx_strdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *c = malloc(n);
    if (c) memcpy(c, s, n);
    return c;
}

int hx_parse_number(const char *s, double *out) {
    char *end;
    while (*s == ' ' || *s == '\t') s++;
    // strtod also reads "nan", "inf" and hex; a data column means decimal numbers only.
    const char *p = s;
    if (*p == '+' || *p == '-') p++;
    if (!(isdigit((unsigned char)*p) || (*p == '.' && isdigit((unsigned char)p[1])))) return 0;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) return 0;
    double v = strtod(s, &end);
    while (*end == ' ' || *end == '\t') end++;
    if (*end || !isfinite(v)) return 0;
    *out = v;
    return 1;
}

int hx_value_cmp(const char *a, int a_isnum, double a_val, const char *b, int b_isnum,
                 double b_val) {
    if (a_isnum != b_isnum) return a_isnum ? -1 : 1;
    if (a_isnum && a_val != b_val) return a_val < b_val ? -1 : 1;
    return strcmp(a, b);
}

size_t hx_data_line(const hx_data *data, size_t r) {
    return data->line ? data->line[r] : r + 2;
}

static void strlist_clear_(hx_strlist *l) {
    for (size_t i = 0; i < l->n; i++) free(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

// Append a copy of s; 0 when out of memory.
static int strlist_add_(hx_strlist *l, const char *s) {
    char **items = realloc(l->items, (l->n + 1) * sizeof *items);
    if (!items) return 0;
    l->items = items;
    if (!(items[l->n] = hx_strdup(s))) return 0;
    l->n++;
    return 1;
}

void hx_data_free(hx_data *data) {
    if (!data) return;
    free(data->target_name);
    strlist_clear_(&data->dropped);
    strlist_clear_(&data->missing);
    free(data->name);
    free(data->file);
    free(data->source);
    for (size_t c = 0; c < data->info.n_classes && data->class_names; c++) {
        free(data->class_names[c]);
    }
    free(data->class_names);
    free(data->labels);
    free(data->y);
    free(data->line);
    for (size_t j = 0; j < data->n_cols; j++) {
        hx_column *col = &data->cols[j];
        free(col->name);
        free(col->num);
        free(col->code);
        for (size_t l = 0; l < col->n_levels; l++) free(col->levels[l]);
        free(col->levels);
    }
    free(data->cols);
    free(data->X);
    for (int j = 0; j < HX_UCI_LINES; j++) free(data->split[j]);
    free(data);
}

/* ---- csv ---------------------------------------------------------------------------------- */

enum { ROLE_FEATURE = 0, ROLE_TARGET, ROLE_DROP };

typedef struct {
    const hx_desc *d;
    const hx_csv *t;
    rfm_error *err;
} csvctx_;

static int is_missing_(const hx_desc *d, const char *s) {
    for (size_t i = 0; i < d->missing.n; i++) {
        if (strcmp(d->missing.items[i], s) == 0) return 1;
    }
    return 0;
}

// A cell that strtod reads as NaN or Inf over its whole length ("nan", "-Inf", "1e999"): what
// a numeric column holds when another tool wrote its missing values or an overflow.
static int is_nonfinite_(const char *s) {
    char *end;
    while (*s == ' ' || *s == '\t') s++;
    double v = strtod(s, &end);
    if (end == s) return 0;
    while (*end == ' ' || *end == '\t') end++;
    return !*end && !isfinite(v);
}

// A column reference: a header name first, else a 0-based index.
static rfm_status resolve_(const csvctx_ *c, const char *key, const char *ref, size_t *col) {
    for (size_t j = 0; j < c->t->n_cols && c->t->has_header; j++) {
        if (strcmp(hx_csv_name(c->t, j), ref) == 0) {
            *col = j;
            return RFM_OK;
        }
    }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(ref, &end, 10);
    if (isdigit((unsigned char)ref[0]) && !*end && !errno && v < c->t->n_cols) {
        *col = (size_t)v;
        return RFM_OK;
    }
    return rfm_fail(c->err, RFM_EINVAL, "%s: %s: no column '%s' (the file has %zu columns)",
                    c->d->source, key, ref, c->t->n_cols);
}

typedef struct {
    const char *s;
    double v;
    int isnum;
    size_t row;
} entry_;

static int entry_cmp_(const void *a, const void *b) {
    const entry_ *x = a, *y = b;
    return hx_value_cmp(x->s, x->isnum, x->v, y->s, y->isnum, y->v);
}

// Distinct non-missing strings of column j over rows keep[0..n): levels in numeric-aware order,
// code[i] = the level of row keep[i], -1 when missing.
static rfm_status levels_(const csvctx_ *c, size_t j, const size_t *keep, size_t n, int *code,
                          char ***levels, size_t *n_levels) {
    rfm_status st = RFM_OK;
    entry_ *e = malloc((n ? n : 1) * sizeof *e);
    size_t m = 0, nl = 0;
    char **lv = NULL;
    if (!e) goto oom;
    for (size_t i = 0; i < n; i++) {
        const char *s = hx_csv_cell(c->t, keep[i], j);
        code[i] = -1;
        if (is_missing_(c->d, s)) continue;
        e[m].s = s;
        e[m].isnum = hx_parse_number(s, &e[m].v);
        e[m].row = i;
        m++;
    }
    qsort(e, m, sizeof *e, entry_cmp_);
    if (!(lv = calloc(m ? m : 1, sizeof *lv))) goto oom;
    for (size_t k = 0; k < m; k++) {
        if (k == 0 || strcmp(e[k].s, e[k - 1].s) != 0) {
            if (!(lv[nl++] = hx_strdup(e[k].s))) goto oom;
        }
        code[e[k].row] = (int)(nl - 1);
    }
    *levels = lv;
    *n_levels = nl;
    lv = NULL;
    goto done;
oom:
    st = rfm_fail(c->err, RFM_ENOMEM, "%s: out of memory", c->d->data_path);
done:
    if (lv) {
        for (size_t k = 0; k < nl; k++) free(lv[k]);
        free(lv);
    }
    free(e);
    return st;
}

// The kind of column j from the non-missing cells of every row: *cat = 1 at the first text cell
// (numeric: declared numeric, where text is an error instead). A non-finite cell makes no
// column categorical: in a column that is otherwise numeric it is an error, since reading it as
// text would one-hot every value of the column (listed under missing, it is a missing value).
static rfm_status kind_(const csvctx_ *c, size_t j, int numeric, int *cat) {
    const hx_csv *t = c->t;
    size_t first = t->n_rows; // the first non-finite cell, n_rows while there is none
    for (size_t r = 0; r < t->n_rows && !*cat; r++) {
        const char *s = hx_csv_cell(t, r, j);
        double v;
        if (is_missing_(c->d, s) || hx_parse_number(s, &v)) continue;
        if (is_nonfinite_(s)) {
            if (first == t->n_rows) first = r;
            if (numeric) break;
        } else if (numeric) {
            return rfm_fail(c->err, RFM_EFORMAT, "%s:%zu:%zu: '%s' is not a number",
                            c->d->data_path, hx_csv_line(t, r), j + 1, s);
        } else {
            *cat = 1;
        }
    }
    if (*cat || first == t->n_rows) return RFM_OK;
    return rfm_fail(c->err, RFM_EFORMAT, "%s:%zu:%zu: '%s' is not a finite number (list it "
                    "under missing: to treat it as missing)", c->d->data_path,
                    hx_csv_line(t, first), j + 1, hx_csv_cell(t, first, j));
}

// Mark each referenced column in flag[] (value v); errors name the key.
static rfm_status mark_(const csvctx_ *c, const char *key, const hx_strlist *l, int *flag, int v) {
    for (size_t i = 0; i < l->n; i++) {
        size_t j;
        rfm_status st = resolve_(c, key, l->items[i], &j);
        if (st != RFM_OK) return st;
        flag[j] = v;
    }
    return RFM_OK;
}

static rfm_status csv_load_(const hx_desc *d, hx_data *data, rfm_error *err) {
    const char *file = d->data_path;
    hx_csv *t = NULL;
    rfm_status st;
    if (access(file, F_OK) != 0) return rfm_fail(err, RFM_EIO, "%s: data file missing", file);
    if ((st = hx_csv_read(file, d->delim, d->header, &t, err)) != RFM_OK) return st;
    size_t nc = t->n_cols, nr = t->n_rows, target = nc - 1, n = 0, nf = 0;
    int *role = calloc(nc, sizeof *role), *cat = calloc(nc, sizeof *cat);
    int *numeric = calloc(nc, sizeof *numeric);
    size_t *keep = malloc(nr * sizeof *keep);
    csvctx_ c = {d, t, err};
    if (!role || !cat || !numeric || !keep) {
        st = rfm_fail(err, RFM_ENOMEM, "%s: out of memory", file);
        goto done;
    }
    if (d->target && (st = resolve_(&c, "target", d->target, &target)) != RFM_OK) goto done;
    role[target] = ROLE_TARGET;
    for (size_t i = 0; i < d->drop.n; i++) {
        size_t j;
        if ((st = resolve_(&c, "drop", d->drop.items[i], &j)) != RFM_OK) goto done;
        if (j == target) {
            st = rfm_fail(err, RFM_EINVAL, "%s: drop: '%s' is the target", d->source,
                          d->drop.items[i]);
            goto done;
        }
        role[j] = ROLE_DROP;
    }
    if ((st = mark_(&c, "categorical", &d->categorical, cat, 1)) != RFM_OK ||
        (st = mark_(&c, "numeric", &d->numeric, numeric, 1)) != RFM_OK) {
        goto done;
    }
    // Column kinds from the non-missing values of every row. The target is checked the same
    // way: a non-finite value would turn numeric labels or a regression target into text.
    for (size_t j = 0; j < nc; j++) {
        if (role[j] == ROLE_DROP) continue;
        if (role[j] == ROLE_TARGET) {
            int text = cat[j]; // listed in categorical: its values are labels, "nan" too
            if ((st = kind_(&c, j, 0, &text)) != RFM_OK) goto done;
            continue;
        }
        nf++;
        if (cat[j] && numeric[j]) {
            st = rfm_fail(err, RFM_EINVAL, "%s: numeric: column %zu is also listed in categorical",
                          d->source, j);
            goto done;
        }
        if ((st = kind_(&c, j, numeric[j], &cat[j])) != RFM_OK) goto done;
    }
    if (nf == 0) {
        st = rfm_fail(err, RFM_EINVAL, "%s: no feature columns besides the target", d->source);
        goto done;
    }
    // Rows kept: impute: drop skips rows with a missing target or numeric feature.
    for (size_t r = 0; r < nr; r++) {
        int drop = 0;
        for (size_t j = 0; j < nc && !drop; j++) {
            if (role[j] == ROLE_DROP || (role[j] == ROLE_FEATURE && cat[j])) continue;
            if (!is_missing_(d, hx_csv_cell(t, r, j))) continue;
            if (d->info.impute == HX_IMPUTE_DROP) {
                drop = 1;
            } else if (j == target) {
                st = rfm_fail(err, RFM_EFORMAT, "%s:%zu:%zu: the target is missing (impute: drop "
                              "skips such rows)", file, hx_csv_line(t, r), j + 1);
                goto done;
            }
        }
        if (!drop) keep[n++] = r;
    }
    if (n == 0) {
        st = rfm_fail(err, RFM_EFORMAT, "%s: no rows left after dropping rows with missing values",
                      file);
        goto done;
    }
    data->info.n_dropped = nr - n;
    // The task: declared, or classification for text or <= 50 distinct integer values.
    hx_task task = d->info.task;
    if (task == HX_TASK_UNKNOWN) {
        int text = 0, integral = 1;
        for (size_t i = 0; i < n && !text; i++) {
            double v;
            if (!hx_parse_number(hx_csv_cell(t, keep[i], target), &v)) {
                text = 1;
            } else if (v != floor(v) || fabs(v) > 9007199254740992.0) {
                integral = 0;
            }
        }
        task = text || integral ? HX_CLASSIFICATION : HX_REGRESSION;
    }
    if (!(data->line = malloc(n * sizeof *data->line)) ||
        !(data->cols = calloc(nf, sizeof *data->cols))) {
        st = rfm_fail(err, RFM_ENOMEM, "%s: out of memory", file);
        goto done;
    }
    for (size_t i = 0; i < n; i++) data->line[i] = hx_csv_line(t, keep[i]);
    if (task == HX_REGRESSION) {
        if ((st = rfm_alloc((void **)&data->y, n, 1, sizeof(double), "targets", err)) != RFM_OK) {
            goto done;
        }
        for (size_t i = 0; i < n; i++) {
            const char *s = hx_csv_cell(t, keep[i], target);
            if (!hx_parse_number(s, &data->y[i])) {
                st = rfm_fail(err, RFM_EFORMAT, "%s:%zu:%zu: '%s' is not a number (the target of "
                              "a regression)", file, hx_csv_line(t, keep[i]), target + 1, s);
                goto done;
            }
        }
    } else {
        size_t nl = 0;
        if ((st = rfm_alloc((void **)&data->labels, n, 1, sizeof(int), "labels", err)) != RFM_OK ||
            (st = levels_(&c, target, keep, n, data->labels, &data->class_names, &nl)) != RFM_OK) {
            goto done;
        }
        data->info.n_classes = nl;
        const char *tname = t->has_header ? hx_csv_name(t, target) : "";
        if (nl < 2) {
            st = rfm_fail(err, RFM_EINVAL, "%s: target%s%s: a single class ('%s') in %zu rows; "
                          "classification needs at least 2", d->source, *tname ? " " : "", tname,
                          data->class_names[0], n);
            goto done;
        }
        // Integer targets with many values are a regression the user did not declare.
        if (d->info.task == HX_TASK_UNKNOWN && nl > 50) {
            int text = 0;
            double v;
            for (size_t l = 0; l < nl && !text; l++) {
                text = !hx_parse_number(data->class_names[l], &v);
            }
            if (!text) {
                for (size_t l = 0; l < nl; l++) free(data->class_names[l]);
                free(data->class_names);
                free(data->labels);
                data->class_names = NULL;
                data->labels = NULL;
                data->info.n_classes = 0;
                task = HX_REGRESSION;
                if ((st = rfm_alloc((void **)&data->y, n, 1, sizeof(double), "targets", err)) !=
                    RFM_OK) {
                    goto done;
                }
                for (size_t i = 0; i < n; i++) {
                    hx_parse_number(hx_csv_cell(t, keep[i], target), &data->y[i]);
                }
            }
        }
    }
    data->info.task = task;
    // What a saved preprocessing needs to read another file the same way.
    data->delim = d->delim;
    data->header = d->header;
    int names_ok = 1;
    for (size_t j = 0; j < nc && names_ok; j++) {
        char nm[64];
        snprintf(nm, sizeof nm, "column %zu", j);
        const char *name = t->has_header ? hx_csv_name(t, j) : nm;
        if (role[j] == ROLE_TARGET) names_ok = (data->target_name = hx_strdup(name)) != NULL;
        if (role[j] == ROLE_DROP) names_ok = strlist_add_(&data->dropped, name);
    }
    for (size_t i = 0; i < d->missing.n && names_ok; i++)
        names_ok = strlist_add_(&data->missing, d->missing.items[i]);
    if (!names_ok) {
        st = rfm_fail(err, RFM_ENOMEM, "%s: out of memory", file);
        goto done;
    }
    for (size_t j = 0; j < nc; j++) {
        if (role[j] != ROLE_FEATURE) continue;
        hx_column *col = &data->cols[data->n_cols++];
        char nm[64];
        snprintf(nm, sizeof nm, "column %zu", j);
        col->name = hx_strdup(t->has_header ? hx_csv_name(t, j) : nm);
        col->field = j;
        col->categorical = cat[j];
        if (!col->name) {
            st = rfm_fail(err, RFM_ENOMEM, "%s: out of memory", file);
            goto done;
        }
        if (cat[j]) {
            data->info.n_categorical++;
            if ((st = rfm_alloc((void **)&col->code, n, 1, sizeof(int), "codes", err)) != RFM_OK ||
                (st = levels_(&c, j, keep, n, col->code, &col->levels, &col->n_levels)) !=
                    RFM_OK) {
                goto done;
            }
        } else {
            if ((st = rfm_alloc((void **)&col->num, n, 1, sizeof(double), "column", err)) !=
                RFM_OK) {
                goto done;
            }
            for (size_t i = 0; i < n; i++) {
                const char *s = hx_csv_cell(t, keep[i], j);
                if (is_missing_(d, s) || !hx_parse_number(s, &col->num[i])) col->num[i] = NAN;
            }
        }
    }
    data->info.n = n;
    data->info.n_columns = nf;
done:
    hx_csv_free(t);
    free(role);
    free(cat);
    free(numeric);
    free(keep);
    return st;
}

/* ---- common -------------------------------------------------------------------------------- */

rfm_status hx_data_load(const hx_desc *d, hx_data **out, rfm_error *err) {
    *out = NULL;
    rfm_status st;
    hx_data *data = calloc(1, sizeof *data);
    if (!data || !(data->name = hx_strdup(d->name)) || !(data->file = hx_strdup(d->data_path)) ||
        !(data->source = hx_strdup(d->source))) {
        hx_data_free(data);
        return rfm_fail(err, RFM_ENOMEM, "%s: out of memory", d->source);
    }
    data->info.format = d->info.format;
    data->standardize = d->info.standardize;
    data->impute = d->info.impute;
    data->kfold = d->info.kfold;
    data->validation = d->info.validation;
    data->seed = d->info.seed;
    if (d->info.format == HX_FORMAT_UCI121) {
        st = hx_uci121_load(d, data, err);
        if (st == RFM_OK) {
            data->info.task = HX_CLASSIFICATION;
            data->info.n = d->n1;
            data->info.n_columns = d->d;
            data->info.n_classes = d->n_classes;
            if (!(data->class_names = calloc(d->n_classes, sizeof(char *)))) {
                st = rfm_fail(err, RFM_ENOMEM, "%s: out of memory", d->source);
            }
            for (size_t c = 0; st == RFM_OK && c < d->n_classes; c++) {
                char nm[32];
                snprintf(nm, sizeof nm, "%zu", c);
                if (!(data->class_names[c] = hx_strdup(nm))) {
                    st = rfm_fail(err, RFM_ENOMEM, "%s: out of memory", d->source);
                }
            }
        }
    } else {
        st = csv_load_(d, data, err);
    }
    if (st != RFM_OK) {
        hx_data_free(data);
        return st;
    }
    data->info.name = data->name;
    data->info.file = data->file;
    data->info.class_names = (const char *const *)data->class_names;
    data->info.outputs = data->info.task == HX_CLASSIFICATION ? data->info.n_classes : 1;
    *out = data;
    return RFM_OK;
}

const hx_data_info *hx_data_info_get(const hx_data *data) { return &data->info; }

void hx_data_targets(const hx_data *data, const size_t *rows, size_t n_rows, double *Y,
                     size_t ldy, int *labels) {
    size_t c = data->info.outputs;
    for (size_t i = 0; i < n_rows; i++) {
        size_t r = rows[i];
        if (data->info.task == HX_CLASSIFICATION) {
            int lab = data->labels[r];
            if (Y) {
                for (size_t k = 0; k < c; k++) Y[i * ldy + k] = (size_t)lab == k ? 1.0 : 0.0;
            }
            if (labels) labels[i] = lab;
        } else {
            if (Y) Y[i * ldy] = data->y[r];
            if (labels) labels[i] = -1;
        }
    }
}

int hx_data_label(const hx_data *data, size_t r) {
    return data->info.task == HX_CLASSIFICATION ? data->labels[r] : -1;
}

int hx_data_majority(const hx_data *data, const size_t *rows, size_t n_rows) {
    if (data->info.task != HX_CLASSIFICATION || n_rows == 0) return -1;
    size_t C = data->info.n_classes, *count = calloc(C, sizeof *count);
    if (!count) return -1;
    for (size_t i = 0; i < n_rows; i++) count[data->labels[rows[i]]]++;
    size_t best = 0;
    for (size_t k = 1; k < C; k++) {
        if (count[k] > count[best]) best = k; // strict: ties keep the smaller label
    }
    free(count);
    return (int)best;
}

void hx_data_describe(const hx_data *data, char *buf, size_t size) {
    const hx_data_info *in = &data->info;
    char cls[32] = "-", dd[64], sp[160];
    if (in->task == HX_CLASSIFICATION) snprintf(cls, sizeof cls, "%zu", in->n_classes);
    if (in->n_categorical) {
        snprintf(dd, sizeof dd, "%zu (%zu categorical)", in->n_columns, in->n_categorical);
    } else {
        snprintf(dd, sizeof dd, "%zu", in->n_columns);
    }
    if (in->format == HX_FORMAT_UCI121) {
        snprintf(sp, sizeof sp, "uci121 (select %zu/%zu, 4 pairs %zu/%zu)", data->split_len[0],
                 data->split_len[1], data->split_len[2], data->split_len[3]);
    } else {
        snprintf(sp, sizeof sp, "cv (kfold=%zu, validation=%g, seed=%llu)", data->kfold,
                 data->validation, (unsigned long long)data->seed);
    }
    char drop[48] = "";
    if (in->n_dropped) snprintf(drop, sizeof drop, " (%zu dropped)", in->n_dropped);
    snprintf(buf, size, "%s: %s, n=%zu%s, d=%s, classes=%s, splits=%s", in->name,
             hx_task_name(in->task), in->n, drop, dd, cls, sp);
}
