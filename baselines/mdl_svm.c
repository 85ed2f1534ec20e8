/* mdl_svm.c - kernel SVMs behind the model interface (type: svm), through ksvm.h (LIBSVM).
 *
 * Classification: C-SVC on the labels argmax(Y row) (ties to the smallest index), one-vs-one
 * for several classes, as LIBSVM does. The scores are LIBSVM's pairwise votes, plus 0.5 for
 * the class svm_predict answers, so the argmax is exactly LIBSVM's prediction (votes are
 * integers; the half point only breaks LIBSVM's ties its way). A class absent from the
 * training rows scores 0. Regression: one epsilon-SVR per column of Y; the scores are the
 * predictions.
 *
 * Params: kernel rbf|laplace|ntk [rbf] (laplace and ntk are precomputed Gram matrices: the
 * NTK-SVM of Arora et al. 2020); C [1]; gamma [0 = 1/d] (rbf); bandwidth [10] (laplace);
 * depth [1], fix [0] (ntk); epsilon [0.1] (regression); tol [1e-3]; cache_mb [200];
 * shrinking [true]. Keys of another kernel are accepted and ignored. Nothing is selected on
 * Xv/Yv; refit is a fresh fit. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ksvm.h"
#include "model.h"

typedef struct {
    ksvm_params p;
    size_t c, d;
    ksvm_model **models; /* classification: 1; regression: c; NULL before the first fit */
    size_t n_models;
} svm_state_;

static rfm_status create_(const mdl_params *mp, mdl_task task, void **state, rfm_error *err) {
    static const char *const keys[] = {"kernel", "C",       "gamma",    "bandwidth",
                                       "depth",  "fix",     "epsilon",  "tol",
                                       "cache_mb", "shrinking", NULL};
    static const char *const kernels[] = {"rbf", "laplace", "ntk", NULL};
    rfm_status st = mdl_check_keys(mp, "svm", keys, err);
    if (st) return st;
    ksvm_params p = ksvm_params_default();
    int kern = 0;
    long depth = p.ntk.depth, fix = p.ntk.fix;
    if ((st = mdl_get_choice(mp, "kernel", kernels, 0, &kern, err)) ||
        (st = mdl_get_double(mp, "C", p.C, &p.C, err)) ||
        (st = mdl_get_double(mp, "gamma", p.gamma, &p.gamma, err)) ||
        (st = mdl_get_double(mp, "bandwidth", p.bandwidth, &p.bandwidth, err)) ||
        (st = mdl_get_int(mp, "depth", depth, &depth, err)) ||
        (st = mdl_get_int(mp, "fix", fix, &fix, err)) ||
        (st = mdl_get_double(mp, "epsilon", p.epsilon, &p.epsilon, err)) ||
        (st = mdl_get_double(mp, "tol", p.tol, &p.tol, err)) ||
        (st = mdl_get_double(mp, "cache_mb", p.cache_mb, &p.cache_mb, err)) ||
        (st = mdl_get_bool(mp, "shrinking", p.shrinking, &p.shrinking, err)))
        return st;
    if (depth < 0 || depth > 100)
        return rfm_fail(err, RFM_EINVAL, "depth = %ld: must be in 0..100", depth);
    if (fix < 0 || fix > depth)
        return rfm_fail(err, RFM_EINVAL, "fix = %ld: must be in 0..depth (%ld)", fix, depth);
    p.kernel = (ksvm_kernel)kern;
    p.ntk.depth = (int)depth;
    p.ntk.fix = (int)fix;
    p.regression = task == MDL_REGRESSION;
    const char *why = ksvm_params_check(&p);
    if (why) return rfm_fail(err, RFM_EINVAL, "%s", why);
    svm_state_ *s = calloc(1, sizeof *s);
    if (!s) return rfm_fail(err, RFM_ENOMEM, "svm: out of memory");
    s->p = p;
    *state = s;
    return RFM_OK;
}

static void free_models_(ksvm_model **models, size_t count) {
    if (!models) return;
    for (size_t i = 0; i < count; i++) ksvm_free(models[i]);
    free(models);
}

static rfm_status fit_(void *state, const rfm_view *X, const rfm_view *Y, const rfm_view *Xv,
                       const rfm_view *Yv, rfm_error *err) {
    svm_state_ *s = state;
    (void)Xv;
    (void)Yv;
    size_t n = X->rows, c = Y->cols, count = s->p.regression ? c : 1;
    double *y = NULL;
    ksvm_model **models = calloc(count, sizeof *models);
    if (!models) return rfm_fail(err, RFM_ENOMEM, "svm: out of memory");
    rfm_status st = rfm_alloc((void **)&y, n, 1, sizeof *y, "svm: targets", err);
    for (size_t k = 0; !st && k < count; k++) {
        for (size_t i = 0; i < n; i++) {
            const double *row = Y->data + i * Y->ld;
            if (s->p.regression) {
                y[i] = row[k];
            } else {
                size_t best = 0;
                for (size_t j = 0; j < c; j++) {
                    if (!isfinite(row[j]))
                        st = rfm_fail(err, RFM_EINVAL, "svm: Y[%zu][%zu] is not finite", i, j);
                    if (row[j] > row[best]) best = j;
                }
                y[i] = (double)best;
            }
        }
        if (!st) st = ksvm_fit(&s->p, X, y, &models[k], err);
    }
    if (!st) {
        free_models_(s->models, s->n_models);
        s->models = models;
        s->n_models = count;
        s->c = c;
        s->d = X->cols;
        models = NULL;
    }
    free_models_(models, count);
    free(y);
    return st;
}

static rfm_status refit_(void *state, const rfm_view *X, const rfm_view *Y, rfm_error *err) {
    return fit_(state, X, Y, NULL, NULL, err);
}

/* Classification scores of one block of rows: votes + 0.5 for LIBSVM's answer. */
static void votes_(const ksvm_model *m, const double *dec, const double *pred, size_t rows,
                   size_t c, double *out) {
    size_t k = ksvm_classes(m), nd = ksvm_decision_count(m);
    const int *lab = ksvm_labels(m);
    memset(out, 0, rows * c * sizeof *out);
    for (size_t r = 0; r < rows; r++) {
        double *o = out + r * c;
        size_t q = 0;
        // LIBSVM's pair order: (a, b) for a < b, a positive value is a vote for labels[a].
        for (size_t a = 0; a < k; a++)
            for (size_t b = a + 1; b < k; b++, q++)
                o[(size_t)(dec[r * nd + q] > 0 ? lab[a] : lab[b])] += 1;
        o[(size_t)pred[r]] += 0.5;
    }
}

static rfm_status predict_(void *state, const rfm_view *Z, double *out, rfm_error *err) {
    svm_state_ *s = state;
    if (!s->models) return rfm_fail(err, RFM_EINVAL, "predict: the model is not fitted");
    if (Z->cols != s->d)
        return rfm_fail(err, RFM_EINVAL, "predict: Z has %zu columns, the model has %zu",
                        Z->cols, s->d);
    size_t m = Z->rows, c = s->c;
    if (m == 0) return RFM_OK;
    if (s->p.regression) {
        double *pred = NULL;
        rfm_status st = rfm_alloc((void **)&pred, m, 1, sizeof *pred, "predict: values", err);
        for (size_t k = 0; !st && k < c; k++) {
            st = ksvm_predict(s->models[k], Z, NULL, pred, err);
            for (size_t i = 0; !st && i < m; i++) out[i * c + k] = pred[i];
        }
        free(pred);
        return st;
    }
    // Blocks of rows bound the one-vs-one values (4950 per row for 100 classes).
    const ksvm_model *mo = s->models[0];
    size_t nd = ksvm_decision_count(mo), block = 256 < m ? 256 : m;
    double *dec = NULL, *pred = NULL;
    rfm_status st = rfm_alloc((void **)&dec, block, nd ? nd : 1, sizeof *dec, "predict: votes",
                              err);
    if (!st) st = rfm_alloc((void **)&pred, block, 1, sizeof *pred, "predict: labels", err);
    for (size_t r0 = 0; !st && r0 < m; r0 += block) {
        size_t b = m - r0 < block ? m - r0 : block;
        rfm_view zb = {b, Z->cols, Z->ld, Z->data + r0 * Z->ld};
        st = ksvm_predict(mo, &zb, dec, pred, err);
        if (!st) votes_(mo, dec, pred, b, c, out + r0 * c);
    }
    free(dec);
    free(pred);
    return st;
}

static void describe_(void *state, char *buf, size_t size) {
    svm_state_ *s = state;
    if (!s->models) return;
    size_t sv = 0;
    for (size_t k = 0; k < s->n_models; k++) sv += ksvm_support_count(s->models[k]);
    snprintf(buf, size, "n_sv=%zu", sv);
}

static void destroy_(void *state) {
    svm_state_ *s = state;
    if (!s) return;
    free_models_(s->models, s->n_models);
    free(s);
}

const mdl_vtable mdl_svm_vtable = {"svm", create_, fit_, refit_, predict_, describe_, NULL,
                                   destroy_};
