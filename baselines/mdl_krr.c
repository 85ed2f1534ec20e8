/* mdl_krr.c - kernel ridge regression behind the model interface (type: krr): alpha =
 * (K + reg I)^-1 Y, f(z) = K(z, X) alpha. The Laplace and Gaussian kernels are RFM's own
 * (rfm_kernel_matrix with M = I, so laplace is exactly RFM's fit 0), the ntk kernel is ntk.h's;
 * all share RFM's Cholesky solve.
 *
 * Params: kernel laplace|gaussian|ntk [laplace]; bandwidth [10], exponent [1] (laplace and
 * gaussian); depth [1], fix [0] (ntk); reg [1e-3]; normalize [false] (unit-norm rows, fit and
 * predict); jitter [false] (on a failed Cholesky retry with reg + 1e-8, 1e-6, 1e-4, as RFM).
 * Keys of another kernel are accepted and ignored, so one grid can span kernels. The fit has
 * nothing to select, so Xv/Yv are unused and refit is a fresh fit. */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "ntk.h"

enum { KRR_LAPLACE_ = 0, KRR_GAUSSIAN_, KRR_NTK_ };

typedef struct {
    int kind;
    rfm_kernel kernel; /* laplace, gaussian */
    ntk_params ntk;    /* ntk */
    double reg;
    int normalize, jitter;
    size_t n, d, c;
    double *X;         /* X: (n, d), the (normalised) training rows; NULL before the first fit */
    double *A;         /* A: (n, c) */
    double jitter_used;
    size_t zero_rows; /* training rows normalisation left at zero (no direction) */
} krr_state_;

static rfm_status create_(const mdl_params *mp, mdl_task task, void **state, rfm_error *err) {
    static const char *const keys[] = {"kernel", "bandwidth", "exponent", "reg", "normalize",
                                       "jitter", "depth",     "fix",      NULL};
    static const char *const kernels[] = {"laplace", "gaussian", "ntk", NULL};
    (void)task; // least squares serves both tasks: one-hot targets, argmax for classes
    rfm_status st = mdl_check_keys(mp, "krr", keys, err);
    if (st) return st;
    krr_state_ *s = calloc(1, sizeof *s);
    if (!s) return rfm_fail(err, RFM_ENOMEM, "krr: out of memory");
    long depth = 1, fix = 0;
    if ((st = mdl_get_choice(mp, "kernel", kernels, KRR_LAPLACE_, &s->kind, err)) ||
        (st = mdl_get_double(mp, "bandwidth", 10.0, &s->kernel.bandwidth, err)) ||
        (st = mdl_get_double(mp, "exponent", 1.0, &s->kernel.exponent, err)) ||
        (st = mdl_get_double(mp, "reg", 1e-3, &s->reg, err)) ||
        (st = mdl_get_bool(mp, "normalize", 0, &s->normalize, err)) ||
        (st = mdl_get_bool(mp, "jitter", 0, &s->jitter, err)) ||
        (st = mdl_get_int(mp, "depth", 1, &depth, err)) ||
        (st = mdl_get_int(mp, "fix", 0, &fix, err)))
        goto done;
    s->kernel.type = s->kind == KRR_GAUSSIAN_ ? RFM_KERNEL_GAUSSIAN : RFM_KERNEL_LAPLACE;
    if (!(s->kernel.bandwidth > 0)) {
        st = rfm_fail(err, RFM_EINVAL, "bandwidth = %g: must be > 0", s->kernel.bandwidth);
    } else if (!(s->kernel.exponent > 0 && s->kernel.exponent <= 2)) {
        st = rfm_fail(err, RFM_EINVAL, "exponent = %g: must be in (0, 2]", s->kernel.exponent);
    } else if (s->reg < 0) {
        st = rfm_fail(err, RFM_EINVAL, "reg = %g: must be >= 0", s->reg);
    } else if (depth < 0 || depth > 100) {
        st = rfm_fail(err, RFM_EINVAL, "depth = %ld: must be in 0..100", depth);
    } else if (fix < 0 || fix > depth) {
        st = rfm_fail(err, RFM_EINVAL, "fix = %ld: must be in 0..depth (%ld)", fix, depth);
    }
    s->ntk.depth = (int)depth;
    s->ntk.fix = (int)fix;
done:
    if (st) {
        free(s);
        return st;
    }
    *state = s;
    return RFM_OK;
}

static rfm_status gram_(const krr_state_ *s, const rfm_view *Z, const rfm_view *X, int same,
                        double *K, size_t ldk, rfm_error *err) {
    if (s->kind == KRR_NTK_) return ntk_gram(&s->ntk, Z, X, same, K, ldk, err);
    return rfm_kernel_matrix(&s->kernel, Z, X, NULL, 0, same, K, ldk, err);
}

static rfm_status fit_(void *state, const rfm_view *X, const rfm_view *Y, const rfm_view *Xv,
                       const rfm_view *Yv, rfm_error *err) {
    static const double jitters[] = {0.0, 1e-8, 1e-6, 1e-4};
    krr_state_ *s = state;
    (void)Xv;
    (void)Yv;
    size_t n = X->rows, d = X->cols, c = Y->cols;
    double *Xn = NULL, *K = NULL, *A = NULL, used = 0;
    size_t zeros = 0;
    rfm_status st = rfm_copy_rows(X, s->normalize, &Xn, &zeros, err);
    if (!st) st = rfm_alloc((void **)&K, n, n, sizeof *K, "krr: kernel matrix", err);
    if (!st) st = rfm_alloc((void **)&A, n, c, sizeof *A, "krr: coefficients", err);
    if (st) goto done;
    rfm_view xv = rfm_view_of(Xn, n, d);
    for (int j = 0; j < (s->jitter ? 4 : 1); j++) {
        // The solve overwrites K with its factor, so every attempt rebuilds it.
        st = gram_(s, &xv, &xv, 1, K, n, err);
        if (!st) st = rfm_ridge_solve(K, n, n, s->reg + jitters[j], Y, A, err);
        used = jitters[j];
        if (st != RFM_ENUMERIC) break;
    }
    if (st) goto done;
    free(s->X);
    free(s->A);
    s->X = Xn;
    s->A = A;
    Xn = A = NULL;
    s->n = n;
    s->d = d;
    s->c = c;
    s->jitter_used = used;
    s->zero_rows = zeros;
done:
    free(Xn);
    free(K);
    free(A);
    return st;
}

static rfm_status refit_(void *state, const rfm_view *X, const rfm_view *Y, rfm_error *err) {
    return fit_(state, X, Y, NULL, NULL, err);
}

/* Rows of Z go through in blocks so that the kernel block stays near 32 MB, not m x n. */
static rfm_status predict_(void *state, const rfm_view *Z, double *out, rfm_error *err) {
    krr_state_ *s = state;
    if (!s->X) return rfm_fail(err, RFM_EINVAL, "predict: the model is not fitted");
    if (Z->cols != s->d)
        return rfm_fail(err, RFM_EINVAL, "predict: Z has %zu columns, the model has %zu",
                        Z->cols, s->d);
    size_t m = Z->rows, n = s->n, c = s->c;
    if (m == 0) return RFM_OK;
    size_t block = ((size_t)1 << 22) / n;
    if (block < 1) block = 1;
    if (block > m) block = m;
    double *Zb = NULL, *Kb = NULL;
    rfm_status st = rfm_alloc((void **)&Zb, block, s->d, sizeof *Zb, "predict: rows", err);
    if (!st) st = rfm_alloc((void **)&Kb, block, n, sizeof *Kb, "predict: kernel block", err);
    rfm_view xv = rfm_view_of(s->X, n, s->d);
    for (size_t r0 = 0; !st && r0 < m; r0 += block) {
        size_t b = m - r0 < block ? m - r0 : block;
        for (size_t i = 0; i < b; i++)
            memcpy(Zb + i * s->d, Z->data + (r0 + i) * Z->ld, s->d * sizeof *Zb);
        if (s->normalize) rfm_normalize_rows(Zb, b, s->d, s->d);
        rfm_view zv = rfm_view_of(Zb, b, s->d);
        st = gram_(s, &zv, &xv, 0, Kb, n, err);
        // out block (b, c) = Kb (b, n) A (n, c)
        if (!st)
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)b, (int)c, (int)n, 1.0,
                        Kb, (int)n, s->A, (int)c, 0.0, out + r0 * c, (int)c);
    }
    free(Zb);
    free(Kb);
    return st;
}

static void describe_(void *state, char *buf, size_t size) {
    krr_state_ *s = state;
    if (!s->X) return;
    // Say only what departs from the plain fit: jitter used, zero rows left unnormalised.
    int w = 0;
    if (s->jitter_used > 0) w = snprintf(buf, size, "jitter=%g", s->jitter_used);
    if (s->zero_rows && w >= 0 && (size_t)w < size)
        snprintf(buf + w, size - (size_t)w, "%szero_rows=%zu", w ? ";" : "", s->zero_rows);
}

static void destroy_(void *state) {
    krr_state_ *s = state;
    if (!s) return;
    free(s->X);
    free(s->A);
    free(s);
}

const mdl_vtable mdl_krr_vtable = {"krr", create_, fit_, refit_, predict_, describe_, NULL,
                                   destroy_};
