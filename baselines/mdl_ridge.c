/* mdl_ridge.c - linear ridge regression behind the model interface (type: ridge), in closed
 * form: W = (Xc^T Xc + reg I)^-1 Xc^T Yc on centred data, b = mean(Y) - mean(X) W, so the
 * intercept is not penalised (scikit-learn's Ridge). f(z) = z W + b.
 *
 * Params: reg [1] (>= 0; reg = 0 is least squares and fails on a singular X^T X), intercept
 * [true]. The d x d normal equations are solved by RFM's Cholesky (rfm_ridge_solve); d is at
 * most a few hundred on the tabular benchmarks, so the primal form is the cheap one. One-hot
 * targets make it a least-squares classifier (argmax of the scores). */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

typedef struct {
    double reg;
    int intercept;
    size_t d, c;
    double *W; /* W: (d, c); NULL before the first fit */
    double *b; /* b: (c) */
} ridge_state_;

static rfm_status create_(const mdl_params *mp, mdl_task task, void **state, rfm_error *err) {
    static const char *const keys[] = {"reg", "intercept", NULL};
    (void)task;
    rfm_status st = mdl_check_keys(mp, "ridge", keys, err);
    if (st) return st;
    ridge_state_ *s = calloc(1, sizeof *s);
    if (!s) return rfm_fail(err, RFM_ENOMEM, "ridge: out of memory");
    if ((st = mdl_get_double(mp, "reg", 1.0, &s->reg, err)) ||
        (st = mdl_get_bool(mp, "intercept", 1, &s->intercept, err))) {
        free(s);
        return st;
    }
    if (s->reg < 0) {
        st = rfm_fail(err, RFM_EINVAL, "reg = %g: must be >= 0", s->reg);
        free(s);
        return st;
    }
    *state = s;
    return RFM_OK;
}

static rfm_status fit_(void *state, const rfm_view *X, const rfm_view *Y, const rfm_view *Xv,
                       const rfm_view *Yv, rfm_error *err) {
    ridge_state_ *s = state;
    (void)Xv;
    (void)Yv;
    size_t n = X->rows, d = X->cols, c = Y->cols;
    if (n > INT32_MAX || d > INT32_MAX || c > INT32_MAX)
        return rfm_fail(err, RFM_EINVAL, "ridge: a dimension exceeds BLAS's int range");
    double *Xc = NULL, *Yc = NULL, *mx = NULL, *my = NULL, *G = NULL, *B = NULL, *W = NULL;
    rfm_status st = RFM_OK;
    if ((st = rfm_alloc((void **)&Xc, n, d, sizeof *Xc, "ridge: X", err)) ||
        (st = rfm_alloc((void **)&Yc, n, c, sizeof *Yc, "ridge: Y", err)) ||
        (st = rfm_alloc((void **)&mx, d, 1, sizeof *mx, "ridge: means", err)) ||
        (st = rfm_alloc((void **)&my, c, 1, sizeof *my, "ridge: means", err)) ||
        (st = rfm_alloc((void **)&G, d, d, sizeof *G, "ridge: X^T X", err)) ||
        (st = rfm_alloc((void **)&B, d, c, sizeof *B, "ridge: X^T Y", err)) ||
        (st = rfm_alloc((void **)&W, d, c, sizeof *W, "ridge: weights", err)))
        goto done;
    memset(mx, 0, d * sizeof *mx);
    memset(my, 0, c * sizeof *my);
    if (s->intercept) {
        for (size_t i = 0; i < n; i++) {
            for (size_t j = 0; j < d; j++) mx[j] += X->data[i * X->ld + j];
            for (size_t k = 0; k < c; k++) my[k] += Y->data[i * Y->ld + k];
        }
        for (size_t j = 0; j < d; j++) mx[j] /= (double)n;
        for (size_t k = 0; k < c; k++) my[k] /= (double)n;
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < d; j++) Xc[i * d + j] = X->data[i * X->ld + j] - mx[j];
        for (size_t k = 0; k < c; k++) Yc[i * c + k] = Y->data[i * Y->ld + k] - my[k];
    }
    // G = Xc^T Xc (lower triangle, all the solve reads); B = Xc^T Yc.
    cblas_dsyrk(CblasRowMajor, CblasLower, CblasTrans, (int)d, (int)n, 1.0, Xc, (int)d, 0.0, G,
                (int)d);
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)d, (int)c, (int)n, 1.0, Xc, (int)d,
                Yc, (int)c, 0.0, B, (int)c);
    rfm_view bv = rfm_view_of(B, d, c);
    st = rfm_ridge_solve(G, d, d, s->reg, &bv, W, err);
    if (st == RFM_ENUMERIC) {
        st = rfm_fail(err, RFM_ENUMERIC,
                      "ridge: X^T X + reg I is not positive definite (reg = %g, d = %zu): "
                      "raise reg",
                      s->reg, d);
    }
    if (st) goto done;
    // b = my - mx W, reusing my as b.
    for (size_t k = 0; k < c; k++) {
        double t = my[k];
        for (size_t j = 0; j < d; j++) t -= mx[j] * W[j * c + k];
        my[k] = t;
    }
    free(s->W);
    free(s->b);
    s->W = W;
    s->b = my;
    W = my = NULL;
    s->d = d;
    s->c = c;
done:
    free(Xc);
    free(Yc);
    free(mx);
    free(my);
    free(G);
    free(B);
    free(W);
    return st;
}

static rfm_status refit_(void *state, const rfm_view *X, const rfm_view *Y, rfm_error *err) {
    return fit_(state, X, Y, NULL, NULL, err);
}

static rfm_status predict_(void *state, const rfm_view *Z, double *out, rfm_error *err) {
    ridge_state_ *s = state;
    if (!s->W) return rfm_fail(err, RFM_EINVAL, "predict: the model is not fitted");
    if (Z->cols != s->d)
        return rfm_fail(err, RFM_EINVAL, "predict: Z has %zu columns, the model has %zu",
                        Z->cols, s->d);
    size_t m = Z->rows, c = s->c;
    if (m == 0) return RFM_OK;
    if (m > INT32_MAX || Z->ld > INT32_MAX)
        return rfm_fail(err, RFM_EINVAL, "predict: a dimension exceeds BLAS's int range");
    for (size_t i = 0; i < m; i++) memcpy(out + i * c, s->b, c * sizeof *out);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)c, (int)s->d, 1.0,
                Z->data, (int)Z->ld, s->W, (int)c, 1.0, out, (int)c);
    return RFM_OK;
}

static void destroy_(void *state) {
    ridge_state_ *s = state;
    if (!s) return;
    free(s->W);
    free(s->b);
    free(s);
}

const mdl_vtable mdl_ridge_vtable = {"ridge", create_, fit_, refit_, predict_, NULL, NULL,
                                     destroy_};
