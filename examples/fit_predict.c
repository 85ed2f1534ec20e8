/* fit_predict.c - the smallest complete use of the rfm library: fit an RFM classifier on
 * synthetic data whose label depends on one direction only, predict held-out rows, print the
 * accuracy and how much of M's trace the learned metric puts on that direction. */
#include <stdio.h>
#include <stdlib.h>

#include "rfm.h"

enum { N = 600, NT = 400, D = 10, C = 2 };

int main(void) {
    static double X[N * D], Y[N * C], Xt[NT * D], S[NT * C];
    int yt[NT], pred[NT], right = 0;
    rfm_rng r;
    rfm_rng_seed(&r, 42);
    for (int i = 0; i < N + NT; i++) {          // label = [x_0 + x_1 > 0]; 8 noise features
        double *x = i < N ? X + i * D : Xt + (i - N) * D;
        for (int p = 0; p < D; p++) x[p] = rfm_rng_normal(&r);
        int y = x[0] + x[1] > 0;
        if (i < N) Y[i * C + y] = 1.0, Y[i * C + 1 - y] = 0.0;
        else yt[i - N] = y;
    }
    // --- the ~15 lines a user writes: params, fit, predict, free ---
    rfm_params p = rfm_params_default();        // Laplace, L = 10, 5 iterations
    p.reg = 1e-3;
    rfm_view xv = rfm_view_of(X, N, D), yv = rfm_view_of(Y, N, C), tv = rfm_view_of(Xt, NT, D);
    rfm_model *m = NULL;
    rfm_error err;
    if (rfm_fit(&p, NULL, &xv, &yv, NULL, NULL, &m, &err) != RFM_OK ||
        rfm_predict(m, &tv, S, &err) != RFM_OK) {
        fprintf(stderr, "fit_predict: %s\n", err.msg);
        rfm_free(m);
        return 1;
    }
    rfm_argmax(S, NT, C, pred);
    for (int i = 0; i < NT; i++) right += pred[i] == yt[i];
    const double *M = rfm_model_metric(m);     // (D, D): the learned feature metric
    double tr = 0;
    for (int q = 0; q < D; q++) tr += M[q * D + q];
    printf("test accuracy %.3f; share of trace(M) on x0, x1: %.3f\n", (double)right / NT,
           (M[0] + M[D + 1]) / tr);
    rfm_free(m);
    return 0;
}
