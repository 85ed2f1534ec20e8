/* rfm_solve.c - kernel ridge regression by Cholesky in float64 (rfm-algorithm.md section 3).
 *
 * K + lambda I is symmetric positive definite for lambda > 0 (K is PSD), so Cholesky costs half
 * of LU, moves half the memory, and its failure reliably signals a matrix that is not
 * numerically PD. The row-major lower triangle is the column-major upper one, hence 'U'. */
#include <stdlib.h>

#include "rfm_impl.h"

rfm_status rfm_ridge_solve(double *K, size_t n, size_t ldk, double reg, const rfm_view *Y,
                           double *A, rfm_error *err) {
    size_t c = Y->cols;
    if (Y->rows != n)
        return rfm_fail(err, RFM_EINVAL, "solve: Y has %zu rows, K is %zu x %zu", Y->rows, n, n);
    if (n == 0) return rfm_fail(err, RFM_EINVAL, "solve: n = 0");
    if (ldk < n) return rfm_fail(err, RFM_EINVAL, "solve: ldk = %zu < n = %zu", ldk, n);
    if (n > (size_t)2147483647 || ldk > (size_t)2147483647)
        return rfm_fail(err, RFM_EINVAL, "solve: n = %zu exceeds LAPACK's int range", n);
    rfm_status st = RFM_OK;
    double *Bt = NULL;
    // Bt: (c, n) row-major = (n, c) column-major, the layout dpotrs wants.
    if ((st = rfm_alloc((void **)&Bt, c, n, sizeof *Bt, "solve: right-hand sides", err)))
        return st;
    for (size_t i = 0; i < n; i++) {
        K[i * ldk + i] += reg;
        for (size_t k = 0; k < c; k++) Bt[k * n + i] = Y->data[i * Y->ld + k];
    }
    int in = (int)n, ic = (int)c, ild = (int)ldk, info = 0;
    dpotrf_("U", &in, K, &ild, &info);
    if (info < 0) {
        // An illegal argument is a caller's error: no jitter can fix it.
        st = rfm_fail(err, RFM_EINVAL, "solve: dpotrf rejected argument %d", -info);
        goto done;
    }
    if (info > 0) {
        st = rfm_fail(err, RFM_ENUMERIC,
                      "K + reg I is not positive definite (reg = %g, n = %zu, pivot %d): "
                      "raise reg or enable jitter",
                      reg, n, info);
        goto done;
    }
    dpotrs_("U", &in, &ic, K, &ild, Bt, &in, &info);
    if (info != 0) {
        st = rfm_fail(err, RFM_ENUMERIC, "solve: dpotrs failed (info %d)", info);
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < c; k++) A[i * c + k] = Bt[k * n + i];
done:
    free(Bt);
    return st;
}
