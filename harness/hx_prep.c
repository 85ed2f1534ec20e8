/* hx_prep.c - preprocessing fitted on a training part (hx_prep.h): one-hot levels, imputation
 * statistics and z-score statistics learned on the fitted rows, applied row by row. */
#include "hx_prep.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hx_dataset_impl.h"

typedef struct {
    size_t offset;  /* first output column */
    double fill;    /* numeric: value for a missing entry */
    double mean;    /* numeric: subtracted (0 without standardize) */
    double scale;   /* numeric: divided by (1 without standardize) */
    long *slot;     /* categorical: n_levels + 1 entries (the last: missing), -1 = no output */
} colprep_;

struct hx_prep {
    const hx_data *data;
    size_t d;
    colprep_ *cols; /* data->n_cols */
};

void hx_prep_free(hx_prep *p) {
    if (!p) return;
    for (size_t j = 0; p->cols && j < p->data->n_cols; j++) free(p->cols[j].slot);
    free(p->cols);
    free(p);
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
                         double *buf, colprep_ *cp) {
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
    if (data->info.format == HX_FORMAT_UCI121) {
        p->d = data->d;
        *out = p;
        return RFM_OK;
    }
    if (!(p->cols = calloc(data->n_cols, sizeof *p->cols)) || !(buf = malloc(n * sizeof *buf))) {
        st = rfm_fail(err, RFM_ENOMEM, "%s: out of memory", data->name);
        goto done;
    }
    for (size_t j = 0; j < data->n_cols; j++) {
        const hx_column *col = &data->cols[j];
        colprep_ *cp = &p->cols[j];
        cp->offset = p->d;
        if (!col->categorical) {
            fit_numeric_(data, col, rows, n, buf, cp);
            p->d++;
            continue;
        }
        size_t nl = col->n_levels;
        if (!(cp->slot = malloc((nl + 1) * sizeof *cp->slot))) {
            st = rfm_fail(err, RFM_ENOMEM, "%s: out of memory", data->name);
            goto done;
        }
        for (size_t l = 0; l <= nl; l++) cp->slot[l] = -1;
        for (size_t i = 0; i < n; i++) {
            int c = col->code[rows[i]];
            cp->slot[c < 0 ? nl : (size_t)c] = 0; // seen; numbered below in level order
        }
        long next = 0;
        for (size_t l = 0; l <= nl; l++) {
            if (cp->slot[l] == 0) cp->slot[l] = ++next;
        }
        for (size_t l = 0; l <= nl; l++) cp->slot[l] -= cp->slot[l] > 0 ? 1 : 0;
        p->d += (size_t)next;
    }
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
            const colprep_ *cp = &p->cols[j];
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
            size_t end = j + 1 < data->n_cols ? p->cols[j + 1].offset : d;
            for (size_t k = cp->offset; k < end; k++) x[k] = 0;
            int c = col->code[r];
            long s = cp->slot[c < 0 ? col->n_levels : (size_t)c];
            if (s >= 0) x[cp->offset + (size_t)s] = 1;
        }
    }
    return RFM_OK;
}

void hx_prep_feature_name(const hx_prep *p, size_t k, char *buf, size_t size) {
    const hx_data *data = p->data;
    if (data->info.format == HX_FORMAT_UCI121) {
        snprintf(buf, size, "f%zu", k + 1); // fich1's header names
        return;
    }
    for (size_t j = 0; j < data->n_cols; j++) {
        const hx_column *col = &data->cols[j];
        size_t end = j + 1 < data->n_cols ? p->cols[j + 1].offset : p->d;
        if (k >= end) continue;
        if (!col->categorical) {
            snprintf(buf, size, "%s", col->name);
            return;
        }
        for (size_t l = 0; l <= col->n_levels; l++) {
            if (p->cols[j].slot[l] >= 0 && p->cols[j].offset + (size_t)p->cols[j].slot[l] == k) {
                snprintf(buf, size, "%s=%s", col->name,
                         l < col->n_levels ? col->levels[l] : "<missing>");
                return;
            }
        }
    }
    snprintf(buf, size, "?");
}
