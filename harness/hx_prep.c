/* hx_prep.c - preprocessing fitted on a training part (hx_prep.h): one-hot levels, imputation
 * statistics and z-score statistics learned on the fitted rows, applied row by row. */
#include "hx_prep.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hx_prep_impl.h"

void hx_prep_free(hx_prep *p) {
    if (!p) return;
    for (size_t j = 0; p->cols && j < p->n_cols; j++) {
        hx_colprep *cp = &p->cols[j];
        free(cp->name);
        for (size_t k = 0; cp->level && k < cp->width; k++) free(cp->level[k]);
        free(cp->level);
        free(cp->slot);
    }
    free(p->cols);
    for (size_t c = 0; p->class_names && c < p->n_classes; c++) free(p->class_names[c]);
    free(p->class_names);
    free(p->target);
    hx_strlist *lists[2] = {&p->dropped, &p->missing};
    for (int l = 0; l < 2; l++) {
        for (size_t i = 0; i < lists[l]->n; i++) free(lists[l]->items[i]);
        free(lists[l]->items);
    }
    free(p);
}

// Copies of src[0..n) into *dst (n entries); 0 when out of memory (*dst then holds what was
// copied, for the caller's free, with the rest NULL).
static int copy_strings_(char **const src, size_t n, char ***dst) {
    *dst = calloc(n ? n : 1, sizeof **dst);
    if (!*dst) return 0;
    for (size_t i = 0; i < n; i++)
        if (!((*dst)[i] = hx_strdup(src[i]))) return 0;
    return 1;
}

// The data-level facts a saved preprocessing needs: task, classes, target, how to read the file.
static rfm_status copy_meta_(const hx_data *data, hx_prep *p, rfm_error *err) {
    p->format = data->info.format;
    p->task = data->info.task;
    p->impute = data->impute;
    p->standardize = data->standardize;
    p->delim = data->delim ? data->delim : ',';
    p->header = data->header;
    p->n_classes = data->info.task == HX_CLASSIFICATION ? data->info.n_classes : 0;
    int ok = copy_strings_(data->class_names, p->n_classes, &p->class_names);
    if (ok && data->target_name) ok = (p->target = hx_strdup(data->target_name)) != NULL;
    if (ok && (ok = copy_strings_(data->dropped.items, data->dropped.n, &p->dropped.items)))
        p->dropped.n = data->dropped.n;
    if (ok && (ok = copy_strings_(data->missing.items, data->missing.n, &p->missing.items)))
        p->missing.n = data->missing.n;
    return ok ? RFM_OK : rfm_fail(err, RFM_ENOMEM, "%s: out of memory", data->name);
}

static rfm_status check_rows_(const hx_data *data, const size_t *rows, size_t n,
                              rfm_error *err) {
    for (size_t i = 0; i < n; i++) {
        if (rows[i] >= data->info.n) {
            return rfm_fail(err, RFM_EINVAL, "%s: row %zu out of range (n = %zu)", data->name,
                            rows[i], data->info.n);
        }
    }
    return RFM_OK;
}

static int dbl_cmp_(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

// Fill, mean and scale of numeric column col over rows; buf holds n doubles of scratch.
static void fit_numeric_(const hx_data *data, const hx_column *col, const size_t *rows, size_t n,
                         double *buf, hx_colprep *cp) {
    size_t m = 0;
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        double v = col->num[rows[i]];
        if (isnan(v)) continue;
        buf[m++] = v;
        sum += v;
    }
    cp->fill = 0; // a column with no observed value becomes constant 0, not NaN
    if (m > 0) {
        if (data->impute == HX_IMPUTE_MEDIAN) {
            qsort(buf, m, sizeof *buf, dbl_cmp_);
            cp->fill = m % 2 ? buf[m / 2] : 0.5 * (buf[m / 2 - 1] + buf[m / 2]);
        } else {
            cp->fill = sum / (double)m;
        }
    }
    cp->mean = 0;
    cp->scale = 1;
    if (!data->standardize) return;
    // Two passes over the filled column: the mean first, then squared deviations from it.
    double s = 0, ss = 0;
    for (size_t i = 0; i < n; i++) {
        double v = col->num[rows[i]];
        s += isnan(v) ? cp->fill : v;
    }
    double mean = s / (double)n;
    for (size_t i = 0; i < n; i++) {
        double v = col->num[rows[i]];
        double e = (isnan(v) ? cp->fill : v) - mean;
        ss += e * e;
    }
    double sd = sqrt(ss / (double)n);
    cp->mean = mean;
    // A constant column leaves only rounding noise (~|mean| * 1e-16) in sd; dividing by it would
    // blow that noise up to +-1, so such a column keeps scale 1 (it becomes all zeros).
    cp->scale = sd > 1e-12 * fmax(1.0, fabs(mean)) ? sd : 1.0;
}

// Categorical column: number the levels seen in the fitted rows (then "missing", if seen) in
// level order, and keep their names for saving and for feature names.
static rfm_status fit_levels_(const hx_column *col, const size_t *rows, size_t n, hx_colprep *cp) {
    size_t nl = col->n_levels;
    if (!(cp->slot = malloc((nl + 1) * sizeof *cp->slot))) return RFM_ENOMEM;
    for (size_t l = 0; l <= nl; l++) cp->slot[l] = -1;
    for (size_t i = 0; i < n; i++) {
        int c = col->code[rows[i]];
        cp->slot[c < 0 ? nl : (size_t)c] = 0; // seen; numbered below
    }
    long next = 0;
    for (size_t l = 0; l <= nl; l++) {
        if (cp->slot[l] == 0) cp->slot[l] = next++;
        else cp->slot[l] = -1;
    }
    cp->width = (size_t)next;
    if (!(cp->level = calloc(cp->width ? cp->width : 1, sizeof *cp->level))) return RFM_ENOMEM;
    for (size_t l = 0; l < nl; l++) {
        if (cp->slot[l] >= 0 && !(cp->level[cp->slot[l]] = hx_strdup(col->levels[l])))
            return RFM_ENOMEM;
    }
    return RFM_OK; // the missing output, if any, keeps level NULL
}

rfm_status hx_prep_fit(const hx_data *data, const size_t *rows, size_t n, hx_prep **out,
                       rfm_error *err) {
    *out = NULL;
    if (n == 0) return rfm_fail(err, RFM_EINVAL, "%s: cannot fit preprocessing on 0 rows",
                                data->name);
    rfm_status st = check_rows_(data, rows, n, err);
    if (st != RFM_OK) return st;
    double *buf = NULL;
    hx_prep *p = calloc(1, sizeof *p);
    if (!p) return rfm_fail(err, RFM_ENOMEM, "%s: out of memory", data->name);
    p->data = data;
    if ((st = copy_meta_(data, p, err)) != RFM_OK) goto done;
    if (data->info.format == HX_FORMAT_UCI121) {
        p->d = data->d;
        goto ok;
    }
    if (!(p->cols = calloc(data->n_cols, sizeof *p->cols)) || !(buf = malloc(n * sizeof *buf))) {
        st = rfm_fail(err, RFM_ENOMEM, "%s: out of memory", data->name);
        goto done;
    }
    p->n_cols = data->n_cols;
    for (size_t j = 0; j < data->n_cols; j++) {
        const hx_column *col = &data->cols[j];
        hx_colprep *cp = &p->cols[j];
        cp->offset = p->d;
        cp->categorical = col->categorical;
        if (!(cp->name = hx_strdup(col->name))) {
            st = rfm_fail(err, RFM_ENOMEM, "%s: out of memory", data->name);
            goto done;
        }
        if (!col->categorical) {
            fit_numeric_(data, col, rows, n, buf, cp);
            cp->width = 1;
        } else if (fit_levels_(col, rows, n, cp) != RFM_OK) {
            st = rfm_fail(err, RFM_ENOMEM, "%s: out of memory", data->name);
            goto done;
        }
        p->d += cp->width;
    }
ok:
    *out = p;
    p = NULL;
done:
    free(buf);
    hx_prep_free(p);
    return st;
}

size_t hx_prep_features(const hx_prep *p) { return p->d; }

rfm_status hx_prep_apply(const hx_prep *p, const hx_data *data, const size_t *rows, size_t n,
                         double *X, rfm_error *err) {
    if (data != p->data) {
        return rfm_fail(err, RFM_EINVAL, "%s: preprocessing applied to other data than it was "
                        "fitted on", data->name);
    }
    rfm_status st = check_rows_(data, rows, n, err);
    if (st != RFM_OK) return st;
    size_t d = p->d;
    if (data->info.format == HX_FORMAT_UCI121) {
        for (size_t i = 0; i < n; i++) memcpy(X + i * d, data->X + rows[i] * d, d * sizeof *X);
        return RFM_OK;
    }
    for (size_t i = 0; i < n; i++) {
        size_t r = rows[i];
        double *x = X + i * d;
        for (size_t j = 0; j < data->n_cols; j++) {
            const hx_column *col = &data->cols[j];
            const hx_colprep *cp = &p->cols[j];
            if (!col->categorical) {
                double v = col->num[r];
                v = ((isnan(v) ? cp->fill : v) - cp->mean) / cp->scale;
                if (!isfinite(v)) {
                    return rfm_fail(err, RFM_ENUMERIC, "%s:%zu:%zu: value is not finite after "
                                    "preprocessing (column '%s')", data->file,
                                    hx_data_line(data, r), col->field + 1, col->name);
                }
                x[cp->offset] = v;
                continue;
            }
            for (size_t k = 0; k < cp->width; k++) x[cp->offset + k] = 0;
            int c = col->code[r];
            long s = cp->slot[c < 0 ? col->n_levels : (size_t)c];
            if (s >= 0) x[cp->offset + (size_t)s] = 1;
        }
    }
    return RFM_OK;
}

void hx_prep_feature_name(const hx_prep *p, size_t k, char *buf, size_t size) {
    if (p->format == HX_FORMAT_UCI121) {
        snprintf(buf, size, "f%zu", k + 1); // fich1's header names
        return;
    }
    for (size_t j = 0; j < p->n_cols; j++) {
        const hx_colprep *cp = &p->cols[j];
        if (k < cp->offset || k >= cp->offset + cp->width) continue;
        if (!cp->categorical) {
            snprintf(buf, size, "%s", cp->name);
        } else {
            const char *lv = cp->level[k - cp->offset];
            snprintf(buf, size, "%s=%s", cp->name, lv ? lv : "<missing>");
        }
        return;
    }
    snprintf(buf, size, "?");
}

hx_prep_info hx_prep_info_get(const hx_prep *p) {
    hx_prep_info in = {p->format, p->task, p->d, p->n_classes,
                       (const char *const *)p->class_names, p->target};
    return in;
}
