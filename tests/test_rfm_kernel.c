/* test_rfm_kernel.c - Check suite for rfm_kernel.c: the BLAS-3 kernel matrix against a naive
 * double loop that forms (x - z)^T M (x - z) directly (identity, diagonal and full M; Laplace,
 * Gaussian and exponents 1.5 and 0.7), the exact properties of K(X, X), the vectorisable
 * exp_neg_ against libm, argument errors, and row normalisation (rfm-algorithm.md section 2). */
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "rfm.h"

double rfm_exp_neg_for_tests(double x); /* rfm_kernel.c: the fast exp, exported for tests */

enum { N_ = 37, M_ = 23, D_ = 4, LDZ_ = D_ + 2, LDK_ = N_ + 3 };

// (x - z)^T M (x - z) by plain loops: M full (d, d), a d-vector when diag, or NULL.
static double naive_d2_(const double *x, const double *z, const double *M, int diag, size_t d) {
    double s = 0;
    for (size_t p = 0; p < d; p++) {
        for (size_t r = 0; r < d; r++) {
            double w = !M ? (p == r) : diag ? (p == r ? M[p] : 0.0) : M[p * d + r];
            s += (x[p] - z[p]) * w * (x[r] - z[r]);
        }
    }
    return s;
}

// The kernel of rfm-algorithm.md section 2, straight from its definition with libm.
static double naive_k_(const rfm_kernel *k, double d2) {
    double L = k->bandwidth;
    if (k->type == RFM_KERNEL_GAUSSIAN) return exp(-d2 / (2.0 * L * L));
    if (k->exponent == 1.0) return exp(-sqrt(d2) / L);
    return exp(-pow(sqrt(d2) / L, k->exponent));
}

typedef struct {
    const char *name;
    rfm_kernel k;
} kcase_;

static const kcase_ kernels_[] = {
    {"laplace", {RFM_KERNEL_LAPLACE, 2.0, 1.0}},
    {"gaussian", {RFM_KERNEL_GAUSSIAN, 2.0, 1.0}},
    {"exponent 1.5", {RFM_KERNEL_LAPLACE, 2.0, 1.5}},
    {"exponent 0.7", {RFM_KERNEL_LAPLACE, 2.0, 0.7}},
};
enum { NK_ = sizeof kernels_ / sizeof kernels_[0] };

// Metric case mi: 0 identity (NULL), 1 diagonal (positive vector), 2 full SPD.
static const double *metric_(int mi, double *Mfull, double *mu, int *diag) {
    fixture_spd(Mfull, D_, 11u);
    fixture_uniform(mu, D_, 0.2, 2.0, 12u);
    *diag = mi == 1;
    return mi == 0 ? NULL : mi == 1 ? mu : Mfull;
}
static const char *metric_name_[] = {"identity", "diag", "full"};

START_TEST(cross_kernel_matches_naive_double_loop) {
    // Z is stored with a row stride larger than d and K with ld > n, to exercise both strides.
    double X[N_ * D_], Zs[M_ * LDZ_], K[M_ * LDK_], Mfull[D_ * D_], mu[D_];
    fixture_normal(X, N_ * D_, 1u);
    fixture_normal(Zs, M_ * LDZ_, 2u);
    rfm_view xv = rfm_view_of(X, N_, D_), zv = {M_, D_, LDZ_, Zs};
    for (int mi = 0; mi < 3; mi++) {
        int diag;
        const double *M = metric_(mi, Mfull, mu, &diag);
        for (int ki = 0; ki < NK_; ki++) {
            rfm_error err = {RFM_OK, ""};
            for (size_t i = 0; i < M_ * LDK_; i++) K[i] = -7.0; // padding must stay untouched
            rfm_status st = rfm_kernel_matrix(&kernels_[ki].k, &zv, &xv, M, diag, 0, K, LDK_,
                                              &err);
            ck_assert_msg(st == RFM_OK, "%s/%s: %s", kernels_[ki].name, metric_name_[mi],
                          err.msg);
            double worst = 0, tol = 1e-12;
            for (size_t i = 0; i < M_; i++) {
                for (size_t j = 0; j < N_; j++) {
                    double want = naive_k_(&kernels_[ki].k,
                                           naive_d2_(Zs + i * LDZ_, X + j * D_, M, diag, D_));
                    double e = fabs(K[i * LDK_ + j] - want);
                    if (e > worst || isnan(e)) worst = e;
                }
                for (size_t j = N_; j < LDK_; j++)
                    ck_assert_msg(K[i * LDK_ + j] == -7.0, "K padding written at (%zu, %zu)", i,
                                  j);
            }
            ck_assert_msg(worst <= tol, "%s/%s: max |K - naive| = %.3g > tol %.1g",
                          kernels_[ki].name, metric_name_[mi], worst, tol);
        }
    }
}
END_TEST

START_TEST(training_kernel_is_symmetric_unit_diagonal_and_in_0_1) {
    double X[N_ * D_], K[N_ * N_], Mfull[D_ * D_], mu[D_];
    fixture_normal(X, N_ * D_, 3u);
    rfm_view xv = rfm_view_of(X, N_, D_);
    for (int mi = 0; mi < 3; mi++) {
        int diag;
        const double *M = metric_(mi, Mfull, mu, &diag);
        for (int ki = 0; ki < NK_; ki++) {
            const char *kn = kernels_[ki].name, *mn = metric_name_[mi];
            rfm_error err = {RFM_OK, ""};
            rfm_status st = rfm_kernel_matrix(&kernels_[ki].k, &xv, &xv, M, diag, 1, K, N_, &err);
            ck_assert_msg(st == RFM_OK, "%s/%s: %s", kn, mn, err.msg);
            double worst = 0, asym = 0, tol = 1e-12;
            for (size_t i = 0; i < N_; i++) {
                ck_assert_msg(K[i * N_ + i] == 1.0, "%s/%s: K[%zu][%zu] = %.17g, not exactly 1",
                              kn, mn, i, i, K[i * N_ + i]);
                for (size_t j = 0; j < N_; j++) {
                    double kij = K[i * N_ + j];
                    ck_assert_msg(kij > 0.0 && kij <= 1.0, "%s/%s: K[%zu][%zu] = %.17g", kn, mn,
                                  i, j, kij);
                    double want = naive_k_(&kernels_[ki].k,
                                           naive_d2_(X + i * D_, X + j * D_, M, diag, D_));
                    double e = fabs(kij - want), a = fabs(kij - K[j * N_ + i]);
                    if (e > worst || isnan(e)) worst = e;
                    if (a > asym) asym = a;
                }
            }
            ck_assert_msg(worst <= tol, "%s/%s: max |K - naive| = %.3g > tol %.1g", kn, mn,
                          worst, tol);
            ck_assert_msg(asym <= tol, "%s/%s: max |K - K^T| = %.3g > tol %.1g", kn, mn, asym,
                          tol);
        }
    }
}
END_TEST

START_TEST(fast_exp_matches_libm_to_4e16_relative_on_minus708_to_0) {
    // A fine grid, random points, and the places where the reduction k = round(x / ln 2)
    // changes (odd multiples of ln2 / 2) or the result is tiny.
    enum { GRID = 400001, RANDOM = 200000 };
    double worst = 0, worst_x = 0, tol = 4e-16;
    rfm_rng r;
    rfm_rng_seed(&r, 5u);
    for (int i = 0; i < GRID + RANDOM + 2100; i++) {
        double x;
        if (i < GRID) {
            x = -708.0 * (double)i / (double)(GRID - 1);
        } else if (i < GRID + RANDOM) {
            x = -708.0 * rfm_rng_uniform(&r);
        } else {
            int j = i - GRID - RANDOM; // 0 .. 2099: near (j - 1050 - 1/2) ln 2 and small |x|
            x = j < 2050 ? -(double)(j / 2) * 0.6931471805599453 - 0.34657359027997264 +
                               (j % 2 ? 1e-12 : -1e-12)
                         : -ldexp(1.0, -(j - 2050));
            if (x < -708.0) x = -708.0;
        }
        double want = exp(x), got = rfm_exp_neg_for_tests(x);
        double e = fabs(got - want) / want;
        if (e > worst || isnan(e)) {
            worst = e;
            worst_x = x;
        }
    }
    ck_assert_msg(worst <= tol, "max relative error %.3g at x = %.17g > tol %.1g", worst,
                  worst_x, tol);
    ck_assert_msg(rfm_exp_neg_for_tests(0.0) == 1.0, "exp(0) = %.17g",
                  rfm_exp_neg_for_tests(0.0));
    ck_assert_msg(rfm_exp_neg_for_tests(-0.0) == 1.0, "exp(-0) = %.17g",
                  rfm_exp_neg_for_tests(-0.0));
}
END_TEST

START_TEST(fast_exp_is_zero_below_minus708) {
    const double xs[] = {nextafter(-708.0, -1000.0), -708.0001, -708.5, -709.0, -745.2, -800.0,
                         -1e5, -DBL_MAX, -INFINITY};
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++)
        ck_assert_msg(rfm_exp_neg_for_tests(xs[i]) == 0.0, "exp(%.17g) = %.17g, not 0", xs[i],
                      rfm_exp_neg_for_tests(xs[i]));
}
END_TEST

START_TEST(kernel_rejects_column_mismatch_and_short_ld) {
    double X[6] = {0}, Z[4] = {0}, K[6];
    rfm_kernel k = {RFM_KERNEL_LAPLACE, 1.0, 1.0};
    rfm_view xv = rfm_view_of(X, 3, 2), zv = rfm_view_of(Z, 2, 2), z1 = rfm_view_of(Z, 4, 1);
    rfm_error err = {RFM_OK, ""};
    ck_assert_int_eq(rfm_kernel_matrix(&k, &z1, &xv, NULL, 0, 0, K, 3, &err), RFM_EINVAL);
    ck_assert_msg(err.msg[0] != '\0', "no message for a column mismatch");
    err.msg[0] = '\0';
    ck_assert_int_eq(rfm_kernel_matrix(&k, &zv, &xv, NULL, 0, 0, K, 2, &err), RFM_EINVAL);
    ck_assert_msg(strstr(err.msg, "ldk") != NULL, "message does not name ldk: '%s'", err.msg);
    // same = 1 promises Z = X; Z with fewer rows would be read past its end.
    err.msg[0] = '\0';
    ck_assert_int_eq(rfm_kernel_matrix(&k, &zv, &xv, NULL, 0, 1, K, 3, &err), RFM_EINVAL);
    ck_assert_msg(strstr(err.msg, "same") != NULL, "message does not name same: '%s'", err.msg);
}
END_TEST

// The norms of X for a cross kernel (same = 0) under a full and a diagonal M, against the
// plain loop: X's rows differ from Z's so that a mix-up of the two norms shows.
START_TEST(cross_kernel_with_full_and_diag_metric_matches_loops) {
    enum { N = 23, M = 11, D = 6 };
    double X[N * D], Z[M * D], Mf[D * D], Md[D], K[M * N], want[M * N];
    fixture_normal(X, N * D, 41u);
    fixture_normal(Z, M * D, 42u);
    fixture_spd(Mf, D, 43u);
    fixture_uniform(Md, D, 0.2, 2.0, 44u);
    rfm_kernel k = {RFM_KERNEL_LAPLACE, 2.0, 1.0};
    rfm_view xv = rfm_view_of(X, N, D), zv = rfm_view_of(Z, M, D);
    for (int diag = 0; diag <= 1; diag++) {
        const double *Mx = diag ? Md : Mf;
        rfm_error err = {RFM_OK, ""};
        ck_assert_int_eq(rfm_kernel_matrix(&k, &zv, &xv, Mx, diag, 0, K, N, &err), RFM_OK);
        fixture_laplace_kernel(Z, M, X, N, D, Mx, diag, 2.0, want);
        double e = fixture_maxdiff(K, want, M * N);
        ck_assert_msg(e <= 1e-12, "diag %d: max diff %g (tol 1e-12)", diag, e);
    }
}
END_TEST

START_TEST(normalize_rows_gives_unit_norms_and_leaves_zero_rows) {
    enum { N = 9, D = 5, LD = 7 };
    double X[N * LD], X0[N * LD];
    fixture_normal(X, N * LD, 8u);
    for (size_t p = 0; p < LD; p++) X[3 * LD + p] = 0.0; // row 3 is zero, padding included
    memcpy(X0, X, sizeof X);
    size_t zeros = rfm_normalize_rows(X, N, D, LD);
    ck_assert_uint_eq(zeros, 1);
    for (size_t i = 0; i < N; i++) {
        double s = 0;
        for (size_t p = 0; p < D; p++) s += X0[i * LD + p] * X0[i * LD + p];
        for (size_t p = 0; p < LD; p++) {
            double want = p < D && s > 0 ? X0[i * LD + p] / sqrt(s) : X0[i * LD + p];
            ck_assert_msg(fabs(X[i * LD + p] - want) <= 1e-15, "X[%zu][%zu] = %.17g, want %.17g",
                          i, p, X[i * LD + p], want);
        }
    }
}
END_TEST

static Suite *suite_(void) {
    Suite *s = suite_create("rfm_kernel");
    TCase *tc = tcase_create("kernel");
    tcase_add_test(tc, cross_kernel_matches_naive_double_loop);
    tcase_add_test(tc, training_kernel_is_symmetric_unit_diagonal_and_in_0_1);
    tcase_add_test(tc, fast_exp_matches_libm_to_4e16_relative_on_minus708_to_0);
    tcase_add_test(tc, fast_exp_is_zero_below_minus708);
    tcase_add_test(tc, kernel_rejects_column_mismatch_and_short_ld);
    tcase_add_test(tc, cross_kernel_with_full_and_diag_metric_matches_loops);
    tcase_add_test(tc, normalize_rows_gives_unit_norms_and_leaves_zero_rows);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return fixture_run(suite_()); }
