/* test_rfm_paths.c - Check suite for the fit's alternative code paths, each against the
 * general, separately tested AGOP driver or plain loops: the threaded kernel pass and W mirror
 * (n = 800), the W^2-Hadamard AGOP taken when n < 2cd, the output-blocked AGOP taken when
 * n c d exceeds its budget, and both prediction branches (outputs
 * dotted inside the pass for c <= 16, a stored kernel block and dgemm above). */
#include <cblas.h>
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "rfm.h"

// M_1 of a 2-fit run (Laplace, full M, no validation: t* = 1) against the general AGOP driver
// at alpha (n, c) of fit 0, with every row its own centre.
static void m1_matches_general_(const rfm_view *xv, const rfm_view *yv, const rfm_view *av,
                                double L, double reg, const char *what) {
    size_t n = xv->rows, d = xv->cols;
    double *Gg = malloc(d * d * sizeof *Gg);
    size_t *self = malloc(n * sizeof *self);
    for (size_t i = 0; i < n; i++) self[i] = i;
    rfm_kernel k = {RFM_KERNEL_LAPLACE, L, 1.0};
    ck_assert_int_eq(rfm_agop(&k, xv, av, NULL, 0, xv, self, 0, 0, Gg, NULL), RFM_OK);
    rfm_params p = fixture_params(L, reg, 2);
    rfm_model *mo = NULL;
    rfm_error err = {RFM_OK, ""};
    ck_assert_msg(rfm_fit(&p, NULL, xv, yv, NULL, NULL, &mo, &err) == RFM_OK, "%s", err.msg);
    double e = fixture_relerr(rfm_model_metric(mo), Gg, d * d);
    ck_assert_msg(e <= 1e-8, "%s vs general AGOP: %.3g > tol 1e-8", what, e);
    rfm_free(mo);
    free(Gg);
    free(self);
}

START_TEST(threaded_fast_path_matches_general_agop_at_larger_n) {
    // n^2 above the threading threshold: the kernel pass and the W mirror run on 2 threads.
    enum { N = 800, D = 6, C = 3 };
    const double L = 4.0, reg = 1e-3;
    openblas_set_num_threads(2);
    double *X = malloc(N * D * sizeof *X), *Y = calloc(N * C, sizeof *Y);
    double *K = malloc((size_t)N * N * sizeof *K), *A = malloc(N * C * sizeof *A);
    fixture_normal(X, N * D, 11u);
    for (size_t i = 0; i < N; i++) Y[i * C + (X[i * D] > 0.3 ? 0 : X[i * D + 1] > 0 ? 1 : 2)] = 1.0;
    // Duplicate a few rows: the cancellation floor must treat them as zero distance.
    for (size_t i = 0; i < 5; i++)
        for (size_t p = 0; p < D; p++) X[(N - 1 - i) * D + p] = X[i * D + p];
    rfm_view xv = rfm_view_of(X, N, D), yv = rfm_view_of(Y, N, C), av = rfm_view_of(A, N, C);
    rfm_kernel k = {RFM_KERNEL_LAPLACE, L, 1.0};
    ck_assert_int_eq(rfm_kernel_matrix(&k, &xv, &xv, NULL, 0, 1, K, N, NULL), RFM_OK);
    // Rows from every band of the threaded pass against plain loops (duplicates included).
    for (size_t i = 0; i < N; i += 37) {
        double want[N];
        fixture_laplace_kernel(X + i * D, 1, X, N, D, NULL, 0, L, want);
        double e = fixture_maxdiff(K + i * N, want, N);
        ck_assert_msg(e <= 1e-12, "threaded kernel row %zu: %.3g > tol 1e-12", i, e);
    }
    ck_assert_int_eq(rfm_ridge_solve(K, N, N, reg, &yv, A, NULL), RFM_OK);
    {
        // A one-fit model uses the triangular split of the pass. Reference by loops: K by
        // fixture_laplace_kernel, alpha by Gaussian elimination, predictions K alpha.
        rfm_params p1 = fixture_params(L, reg, 1);
        rfm_model *m1 = NULL;
        double *P1 = malloc(N * C * sizeof *P1), *P2 = malloc(N * C * sizeof *P2);
        ck_assert_int_eq(rfm_fit(&p1, NULL, &xv, &yv, NULL, NULL, &m1, NULL), RFM_OK);
        ck_assert_int_eq(rfm_predict(m1, &xv, P1, NULL), RFM_OK);
        fixture_krr_predict(X, N, Y, C, X, N, D, NULL, 0, L, reg, P2);
        double e = fixture_relerr(P1, P2, N * C);
        ck_assert_msg(e <= 1e-9, "one-fit model vs loops: relative %.3g > tol 1e-9", e);
        rfm_free(m1);
        free(P1);
        free(P2);
    }
    m1_matches_general_(&xv, &yv, &av, L, reg, "threaded fast path");
    free(X);
    free(Y);
    free(K);
    free(A);
}
END_TEST

START_TEST(many_outputs_path_matches_general_agop) {
    // n < 2cd selects the W^2-Hadamard formulation inside the fit (rfm_agop.c): it must give
    // the same M_1 as the blocked general driver, full and diagonal.
    enum { N = 70, D = 9, C = 12 };
    const double L = 3.0, reg = 1e-2;
    double X[N * D], Y[N * C], K[N * N], A[N * C], Gg[D * D], gd[D], ones[D];
    size_t self[N];
    fixture_normal(X, N * D, 21u);
    memset(Y, 0, sizeof Y);
    for (size_t i = 0; i < N; i++) {
        Y[i * C + (i * 7 + (X[i * D] > 0)) % C] = 1.0;
        self[i] = i;
    }
    for (size_t p = 0; p < D; p++) ones[p] = 1.0;
    rfm_view xv = rfm_view_of(X, N, D), yv = rfm_view_of(Y, N, C), av = rfm_view_of(A, N, C);
    rfm_kernel k = {RFM_KERNEL_LAPLACE, L, 1.0};
    fixture_laplace_kernel(X, N, X, N, D, NULL, 0, L, K);
    fixture_solve(K, N, reg, Y, C, A);
    ck_assert_int_eq(rfm_agop(&k, &xv, &av, NULL, 0, &xv, self, 0, 0, Gg, NULL), RFM_OK);
    ck_assert_int_eq(rfm_agop(&k, &xv, &av, ones, 1, &xv, self, 0, 0, gd, NULL), RFM_OK);
    for (int diag = 0; diag <= 1; diag++) {
        rfm_params p = fixture_params(L, reg, 2);
        p.diag = diag;
        rfm_model *mo = NULL;
        rfm_error err = {RFM_OK, ""};
        ck_assert_msg(rfm_fit(&p, NULL, &xv, &yv, NULL, NULL, &mo, &err) == RFM_OK, "%s", err.msg);
        double e = diag ? fixture_relerr(rfm_model_metric(mo), gd, D)
                        : fixture_relerr(rfm_model_metric(mo), Gg, D * D);
        ck_assert_msg(e <= 1e-8, "diag %d: many-outputs path vs general AGOP %.3g > tol 1e-8",
                      diag, e);
        rfm_free(mo);
    }
}
END_TEST

START_TEST(output_blocked_path_matches_general_agop) {
    // n d = 4.5M doubles: only one output's W P_k block fits the fit's AGOP budget (8M), so the
    // fit takes the output-blocked branch with a separate S = W A product (n >= 2cd - 2d - 6c
    // keeps it off the W^2 path). Alpha of fit 0 comes from the separately tested kernel and
    // solve; the general driver gives the reference M_1.
    enum { N = 3000, D = 1500, C = 2 };
    const double L = 10.0, reg = 1e-2;
    openblas_set_num_threads(2);
    double *X = malloc((size_t)N * D * sizeof *X), *Y = calloc(N * C, sizeof *Y);
    double *K = malloc((size_t)N * N * sizeof *K), *A = malloc(N * C * sizeof *A);
    fixture_normal(X, (size_t)N * D, 41u);
    for (size_t i = 0; i < N; i++) Y[i * C + (X[i * D] + X[i * D + 1] > 0)] = 1.0;
    rfm_view xv = rfm_view_of(X, N, D), yv = rfm_view_of(Y, N, C), av = rfm_view_of(A, N, C);
    rfm_kernel k = {RFM_KERNEL_LAPLACE, L, 1.0};
    ck_assert_int_eq(rfm_kernel_matrix(&k, &xv, &xv, NULL, 0, 1, K, N, NULL), RFM_OK);
    ck_assert_int_eq(rfm_ridge_solve(K, N, N, reg, &yv, A, NULL), RFM_OK);
    free(K);
    m1_matches_general_(&xv, &yv, &av, L, reg, "output-blocked path");
    free(X);
    free(Y);
    free(A);
}
END_TEST

START_TEST(predictions_with_many_outputs_match_loops) {
    // c > 16 takes the stored-kernel + dgemm branch of prediction, c <= 16 the fused one.
    enum { N = 50, D = 4, MZ = 30 };
    const size_t cs[2] = {3, 20};
    double X[N * D], Z[MZ * D];
    fixture_normal(X, N * D, 31u);
    fixture_normal(Z, MZ * D, 32u);
    for (int v = 0; v < 2; v++) {
        size_t C = cs[v];
        double *Y = malloc(N * C * sizeof *Y);
        double *got = malloc(MZ * C * sizeof *got), *want = malloc(MZ * C * sizeof *want);
        fixture_normal(Y, N * C, 33u);
        fixture_krr_predict(X, N, Y, C, Z, MZ, D, NULL, 0, 2.0, 0.1, want);
        rfm_params p = fixture_params(2.0, 0.1, 1);
        rfm_view xv = rfm_view_of(X, N, D), yv = rfm_view_of(Y, N, C), zv = rfm_view_of(Z, MZ, D);
        rfm_model *mo = NULL;
        ck_assert_int_eq(rfm_fit(&p, NULL, &xv, &yv, NULL, NULL, &mo, NULL), RFM_OK);
        ck_assert_int_eq(rfm_predict(mo, &zv, got, NULL), RFM_OK);
        double e = fixture_maxdiff(got, want, MZ * C);
        ck_assert_msg(e <= 1e-9, "c = %zu: prediction vs loops %.3g > tol 1e-9", C, e);
        rfm_free(mo);
        free(Y);
        free(got);
        free(want);
    }
}
END_TEST

int main(void) {
    Suite *s = suite_create("rfm_paths");
    TCase *tc = tcase_create("paths");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, threaded_fast_path_matches_general_agop_at_larger_n);
    tcase_add_test(tc, many_outputs_path_matches_general_agop);
    tcase_add_test(tc, output_blocked_path_matches_general_agop);
    tcase_add_test(tc, predictions_with_many_outputs_match_loops);
    suite_add_tcase(s, tc);
    return fixture_run(s);
}
