/* test_rfm_fit.c - Check suite for rfm_fit.c and rfm_solve.c: T = 1 is plain Laplace KRR (against
 * a naive kernel and Gaussian elimination), the fit's symmetric AGOP fast path against the
 * general AGOP and a naive loop, the sampled AGOP path, the ridge solve's residual and its
 * not-positive-definite error, the single-index checks of rfm-algorithm.md section 10.6,
 * best-iteration selection and its refit, and every input error (with rfm_alloc's GiB). */
#include <cblas.h>
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "rfm.h"

/* The size tests ask malloc for 2^60 bytes on purpose: under AddressSanitizer that must return
 * NULL (as plain malloc does) instead of aborting the test. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "allocator_may_return_null=1"; }

/* ---- independent reference: plain loops --------------------------------------------------- */


// AGOP at the training rows of the Laplace predictor on M = I, self-pairs left out (section 5):
// G = (1/n) sum_j sum_k g g^T with g = (1/L) sum_{i != j} A_ik K_ij / D_ij (x_i - x_j).
static void naive_agop_identity_(const double *X, const double *A, size_t n, size_t d, size_t c,
                                 double L, double *G) {
    double g[16];
    memset(G, 0, d * d * sizeof *G);
    for (size_t j = 0; j < n; j++) {
        for (size_t k = 0; k < c; k++) {
            memset(g, 0, sizeof g);
            for (size_t i = 0; i < n; i++) {
                double s = 0;
                for (size_t p = 0; p < d; p++)
                    s += (X[i * d + p] - X[j * d + p]) * (X[i * d + p] - X[j * d + p]);
                if (i == j) continue;
                double dist = sqrt(s), w = exp(-dist / L) / dist;
                for (size_t p = 0; p < d; p++)
                    g[p] += A[i * c + k] * w * (X[i * d + p] - X[j * d + p]) / L;
            }
            for (size_t p = 0; p < d; p++)
                for (size_t r = 0; r < d; r++) G[p * d + r] += g[p] * g[r] / (double)n;
        }
    }
}

// 1 when M (d, d) is symmetric and M + 1e-12 tr(M) I has a Cholesky factor (plain loops).
static int psd_(const double *M, size_t d) {
    double L[16 * 16] = {0}, tr = 0;
    for (size_t p = 0; p < d; p++) tr += M[p * d + p];
    for (size_t p = 0; p < d; p++)
        for (size_t r = 0; r < d; r++)
            if (fabs(M[p * d + r] - M[r * d + p]) > 1e-14 * tr) return 0;
    for (size_t i = 0; i < d; i++) {
        for (size_t j = 0; j <= i; j++) {
            double s = M[i * d + j] + (i == j ? 1e-12 * tr : 0.0);
            for (size_t k = 0; k < j; k++) s -= L[i * d + k] * L[j * d + k];
            if (i == j) {
                if (!(s > 0)) return 0;
                L[i * d + i] = sqrt(s);
            } else {
                L[i * d + j] = s / L[j * d + j];
            }
        }
    }
    return 1;
}

/* ---- T = 1 and the fit's AGOP paths ------------------------------------------------------- */

START_TEST(one_iteration_is_plain_laplace_krr) {
    enum { N = 30, D = 4, C = 2, MZ = 12 };
    double X[N * D], Y[N * C], Z[MZ * D], Xn[N * D], Zn[MZ * D], K[N * N], Kz[MZ * N];
    double A[N * C], want[MZ * C], got[MZ * C];
    fixture_normal(X, N * D, 1u);
    fixture_normal(Y, N * C, 2u);
    fixture_normal(Z, MZ * D, 3u);
    for (int norm = 0; norm <= 1; norm++) {
        memcpy(Xn, X, sizeof X);
        memcpy(Zn, Z, sizeof Z);
        for (size_t i = 0; norm && i < N + MZ; i++) {
            double *row = i < N ? Xn + i * D : Zn + (i - N) * D, s = 0;
            for (size_t p = 0; p < D; p++) s += row[p] * row[p];
            for (size_t p = 0; p < D; p++) row[p] /= sqrt(s);
        }
        fixture_laplace_kernel(Xn, N, Xn, N, D, NULL, 0, 3.0, K);
        fixture_solve(K, N, 1e-3, Y, C, A);
        fixture_laplace_kernel(Zn, MZ, Xn, N, D, NULL, 0, 3.0, Kz);
        double big = 0;
        for (size_t j = 0; j < MZ; j++)
            for (size_t k = 0; k < C; k++) {
                double s = 0;
                for (size_t i = 0; i < N; i++) s += Kz[j * N + i] * A[i * C + k];
                want[j * C + k] = s;
                if (fabs(s) > big) big = fabs(s);
            }
        rfm_params p = fixture_params(3.0, 1e-3, 1);
        p.normalize = norm;
        rfm_view xv = rfm_view_of(X, N, D), yv = rfm_view_of(Y, N, C), zv = rfm_view_of(Z, MZ, D);
        rfm_model *mo = NULL;
        rfm_error err = {RFM_OK, ""};
        ck_assert_msg(rfm_fit(&p, NULL, &xv, &yv, NULL, NULL, &mo, &err) == RFM_OK, "%s", err.msg);
        ck_assert_int_eq(rfm_predict(mo, &zv, got, &err), RFM_OK);
        double e = fixture_maxdiff(got, want, MZ * C) / big;
        ck_assert_msg(e <= 1e-9, "normalize %d: max relative difference %.3g > tol 1e-9", norm, e);
        rfm_free(mo);
    }
}
END_TEST

START_TEST(fit_agop_fast_path_equals_general_agop_of_first_fit) {
    enum { N = 60, D = 5, C = 2 };
    const double L = 3.0, reg = 1e-2, tol = 1e-8;
    double X[N * D], Y[N * C], K[N * N], A[N * C], Gn[D * D], Gg[D * D], ones[D];
    size_t self[N];
    fixture_normal(X, N * D, 4u);
    for (size_t i = 0; i < N; i++) {
        Y[i * C] = sin(X[i * D]);
        Y[i * C + 1] = X[i * D + 1] * X[i * D + 2];
        self[i] = i;
    }
    for (size_t p = 0; p < D; p++) ones[p] = 1.0;
    // alpha_0 at M = I, independently of rfm_fit; then G_1 by loops and by the general driver.
    fixture_laplace_kernel(X, N, X, N, D, NULL, 0, L, K);
    fixture_solve(K, N, reg, Y, C, A);
    naive_agop_identity_(X, A, N, D, C, L, Gn);
    rfm_view xv = rfm_view_of(X, N, D), yv = rfm_view_of(Y, N, C), av = rfm_view_of(A, N, C);
    rfm_kernel k = {RFM_KERNEL_LAPLACE, L, 1.0};
    ck_assert_int_eq(rfm_agop(&k, &xv, &av, NULL, 0, &xv, self, 0, 0, Gg, NULL), RFM_OK);
    ck_assert_msg(fixture_relerr(Gg, Gn, D * D) <= tol, "general AGOP vs loop: %.3g > tol %.1g",
                  fixture_relerr(Gg, Gn, D * D), tol);
    for (int diag = 0; diag <= 1; diag++) {
        rfm_params p = fixture_params(L, reg, 2); // t* = T - 1 = 1 without validation: M_1 is kept
        p.diag = diag;
        rfm_model *mo = NULL;
        rfm_error err = {RFM_OK, ""};
        ck_assert_msg(rfm_fit(&p, NULL, &xv, &yv, NULL, NULL, &mo, &err) == RFM_OK, "%s", err.msg);
        ck_assert_int_eq(rfm_model_best_iter(mo), 1);
        const double *M1 = rfm_model_metric(mo);
        double dn[D], dg[D], gd[D];
        for (size_t q = 0; q < D; q++) {
            dn[q] = Gn[q * D + q];
            dg[q] = Gg[q * D + q];
        }
        double e1 = diag ? fixture_relerr(M1, dn, D) : fixture_relerr(M1, Gn, D * D);
        double e2 = diag ? fixture_relerr(M1, dg, D) : fixture_relerr(M1, Gg, D * D);
        ck_assert_msg(e1 <= tol && e2 <= tol, "diag %d: M_1 vs loop %.3g, vs general %.3g > tol "
                      "%.1g", diag, e1, e2, tol);
        if (diag) { // the general driver's own diagonal path, with mu_0 = 1
            ck_assert_int_eq(rfm_agop(&k, &xv, &av, ones, 1, &xv, self, 0, 0, gd, NULL), RFM_OK);
            ck_assert_msg(fixture_relerr(M1, gd, D) <= tol, "diag: M_1 vs general diag %.3g",
                          fixture_relerr(M1, gd, D));
        }
        rfm_free(mo);
    }
}
END_TEST

START_TEST(sampled_agop_path_gives_finite_psd_reproducible_metric) {
    enum { N = 120, D = 5, C = 1 };
    double X[N * D], Y[N];
    fixture_normal(X, N * D, 5u);
    for (size_t i = 0; i < N; i++) Y[i] = X[i * D] * X[i * D] + 0.5 * X[i * D + 3];
    rfm_view xv = rfm_view_of(X, N, D), yv = rfm_view_of(Y, N, C);
    for (int diag = 0; diag <= 1; diag++) {
        rfm_params p = fixture_params(5.0, 1e-3, 3);
        p.diag = diag;
        p.agop_sample = 50; // < n: the fit draws 50 rows and uses the general driver
        p.seed = 77;
        rfm_model *m1 = NULL, *m2 = NULL;
        rfm_error err = {RFM_OK, ""};
        ck_assert_msg(rfm_fit(&p, NULL, &xv, &yv, NULL, NULL, &m1, &err) == RFM_OK, "%s", err.msg);
        ck_assert_msg(rfm_fit(&p, NULL, &xv, &yv, NULL, NULL, &m2, &err) == RFM_OK, "%s", err.msg);
        ck_assert_msg(rfm_model_best_iter(m1) == 2, "stopped early: %s", rfm_model_note(m1));
        const double *M = rfm_model_metric(m1);
        size_t len = diag ? D : D * D;
        for (size_t i = 0; i < len; i++) ck_assert_msg(isfinite(M[i]), "M[%zu] = %g", i, M[i]);
        if (diag) {
            for (size_t q = 0; q < D; q++) ck_assert_msg(M[q] >= 0, "mu[%zu] = %g", q, M[q]);
        } else {
            ck_assert_msg(psd_(M, D), "sampled M is not symmetric PSD");
        }
        ck_assert_msg(memcmp(M, rfm_model_metric(m2), len * sizeof *M) == 0,
                      "the same seed gave a different M");
        rfm_free(m1);
        rfm_free(m2);
    }
}
END_TEST

/* ---- solve --------------------------------------------------------------------------------- */

START_TEST(ridge_solve_residual_is_below_1e10) {
    enum { N = 80, C = 3, D = 4, LD = N + 5 };
    static double X[N * D], K0[N * N], Kw[N * LD], Y[N * C], A[N * C];
    fixture_normal(X, N * D, 6u);
    fixture_normal(Y, N * C, 7u);
    fixture_laplace_kernel(X, N, X, N, D, NULL, 0, 2.0, K0);
    const double regs[] = {1e-6, 1e-3, 1.0};
    for (size_t ri = 0; ri < 3; ri++) {
        for (size_t i = 0; i < N; i++)
            for (size_t j = 0; j < LD; j++) Kw[i * LD + j] = j < N ? K0[i * N + j] : NAN;
        rfm_view yv = rfm_view_of(Y, N, C);
        rfm_error err = {RFM_OK, ""};
        ck_assert_msg(rfm_ridge_solve(Kw, N, LD, regs[ri], &yv, A, &err) == RFM_OK, "%s",
                      err.msg);
        double r2 = 0, y2 = 0;
        for (size_t i = 0; i < N; i++)
            for (size_t k = 0; k < C; k++) {
                double s = regs[ri] * A[i * C + k] - Y[i * C + k];
                for (size_t j = 0; j < N; j++) s += K0[i * N + j] * A[j * C + k];
                r2 += s * s;
                y2 += Y[i * C + k] * Y[i * C + k];
            }
        double rel = sqrt(r2 / y2);
        ck_assert_msg(rel <= 1e-10, "reg %g: residual %.3g > tol 1e-10", regs[ri], rel);
    }
}
END_TEST

// n = 0 or a short leading dimension is the caller's error (EINVAL), never a "not positive
// definite" numeric failure that jitter would retry.
START_TEST(ridge_solve_rejects_empty_and_short_ld_as_einval) {
    double K[4] = {1, 0, 0, 1}, Y[2] = {1, 1}, A[2];
    rfm_view y0 = rfm_view_of(Y, 0, 1), y2 = rfm_view_of(Y, 2, 1);
    rfm_error err = {RFM_OK, ""};
    ck_assert_int_eq(rfm_ridge_solve(K, 0, 0, 1.0, &y0, A, &err), RFM_EINVAL);
    ck_assert_msg(strstr(err.msg, "n = 0") != NULL, "message '%s'", err.msg);
    ck_assert_int_eq(rfm_ridge_solve(K, 2, 1, 1.0, &y2, A, &err), RFM_EINVAL);
    ck_assert_msg(strstr(err.msg, "ldk") != NULL, "message '%s'", err.msg);
}
END_TEST

// Section 9: a zero row cannot be normalised; it stays zero and the model's note counts it.
START_TEST(normalize_counts_zero_rows_in_the_note) {
    enum { N = 20, D = 3, C = 2 };
    double X[N * D], Y[N * C];
    fixture_blobs(X, Y, NULL, N, D, C, 9u);
    for (size_t p = 0; p < D; p++) X[4 * D + p] = X[7 * D + p] = 0.0;
    rfm_params par = fixture_params(2.0, 0.1, 2);
    rfm_view xv = rfm_view_of(X, N, D), yv = rfm_view_of(Y, N, C);
    rfm_model *mo = NULL;
    rfm_error err = {RFM_OK, ""};
    par.normalize = 1;
    ck_assert_msg(rfm_fit(&par, NULL, &xv, &yv, NULL, NULL, &mo, &err) == RFM_OK, "%s", err.msg);
    ck_assert_msg(strstr(rfm_model_note(mo), "2 zero rows") != NULL, "note '%s'",
                  rfm_model_note(mo));
    rfm_free(mo);
    par.normalize = 0;
    ck_assert_msg(rfm_fit(&par, NULL, &xv, &yv, NULL, NULL, &mo, &err) == RFM_OK, "%s", err.msg);
    ck_assert_msg(strstr(rfm_model_note(mo), "zero row") == NULL, "note '%s'",
                  rfm_model_note(mo));
    rfm_free(mo);
}
END_TEST

START_TEST(not_positive_definite_fails_with_a_message_naming_reg) {
    enum { N = 12, D = 3 };
    double X[N * D], K[N * N], Y[N], A[N];
    fixture_normal(X, N * D, 8u);
    fixture_normal(Y, N, 9u);
    // Rows 0 and 1 equal, with values whose products are exact: K has two equal rows exactly,
    // whichever way the distances are summed, so the second pivot of K (reg = 0) is exactly 0.
    const double dup[D] = {0.5, -1.25, 2.0};
    memcpy(X, dup, sizeof dup);
    memcpy(X + D, dup, sizeof dup);
    fixture_laplace_kernel(X, N, X, N, D, NULL, 0, 2.0, K);
    rfm_view yv = rfm_view_of(Y, N, 1), xv = rfm_view_of(X, N, D);
    rfm_error err = {RFM_OK, ""};
    ck_assert_int_eq(rfm_ridge_solve(K, N, N, 0.0, &yv, A, &err), RFM_ENUMERIC);
    ck_assert_msg(strstr(err.msg, "reg") != NULL, "message does not name reg: '%s'", err.msg);
    // The same data through rfm_fit; with jitter on, the retry succeeds and is recorded.
    rfm_params p = fixture_params(2.0, 0.0, 1);
    rfm_model *mo = NULL;
    err.msg[0] = '\0';
    ck_assert_int_eq(rfm_fit(&p, NULL, &xv, &yv, NULL, NULL, &mo, &err), RFM_ENUMERIC);
    ck_assert_msg(mo == NULL && strstr(err.msg, "reg") != NULL, "fit: '%s'", err.msg);
    p.jitter = 1;
    ck_assert_msg(rfm_fit(&p, NULL, &xv, &yv, NULL, NULL, &mo, &err) == RFM_OK, "%s", err.msg);
    size_t h;
    const rfm_iter_record *hist = rfm_model_history(mo, &h);
    ck_assert_msg(h == 1 && hist[0].jitter > 0, "jitter not recorded (%g)", hist[0].jitter);
    rfm_free(mo);
}
END_TEST

/* ---- feature learning (section 10.6) ------------------------------------------------------- */

enum { SN_ = 500, SD_ = 10 };

static rfm_model *fit_single_index_(const double *X, const double *Y, int iters) {
    rfm_params p = fixture_params(10.0, 1e-3, iters); // m_scale mean is the default
    rfm_view xv = rfm_view_of(X, SN_, SD_), yv = rfm_view_of(Y, SN_, 1);
    rfm_model *mo = NULL;
    rfm_error err = {RFM_OK, ""};
    ck_assert_msg(rfm_fit(&p, NULL, &xv, &yv, NULL, NULL, &mo, &err) == RFM_OK, "%s", err.msg);
    ck_assert_msg(rfm_model_best_iter(mo) == iters - 1, "stopped: %s", rfm_model_note(mo));
    return mo;
}

START_TEST(metric_concentrates_on_the_relevant_coordinate) {
    static double X[SN_ * SD_], Y[SN_];
    fixture_normal(X, SN_ * SD_, 10u);
    for (size_t i = 0; i < SN_; i++) Y[i] = X[i * SD_] * X[i * SD_];
    for (int updates = 1; updates <= 3; updates++) {
        rfm_model *mo = fit_single_index_(X, Y, updates + 1);
        const double *M = rfm_model_metric(mo);
        double tr = 0;
        for (size_t p = 0; p < SD_; p++) tr += M[p * SD_ + p];
        ck_assert_msg(M[0] / tr > 0.8, "after %d updates M_00 / tr M = %.4f <= 0.8", updates,
                      M[0] / tr);
        rfm_free(mo);
    }
}
END_TEST

START_TEST(top_eigenvector_aligns_with_linear_target_direction) {
    static double X[SN_ * SD_], Y[SN_];
    fixture_normal(X, SN_ * SD_, 11u);
    for (size_t i = 0; i < SN_; i++) Y[i] = X[i * SD_] - X[i * SD_ + 1];
    rfm_model *mo = fit_single_index_(X, Y, 2);
    const double *M = rfm_model_metric(mo);
    double v[SD_], w[SD_];
    fixture_normal(v, SD_, 12u); // a random start is not orthogonal to the answer
    for (int it = 0; it < 2000; it++) {
        double s = 0;
        for (size_t p = 0; p < SD_; p++) {
            w[p] = 0;
            for (size_t r = 0; r < SD_; r++) w[p] += M[p * SD_ + r] * v[r];
            s += w[p] * w[p];
        }
        for (size_t p = 0; p < SD_; p++) v[p] = w[p] / sqrt(s);
    }
    double cosang = fabs(v[0] - v[1]) / sqrt(2.0);
    double deg = acos(cosang > 1 ? 1 : cosang) * 180.0 / 3.14159265358979323846;
    ck_assert_msg(deg < 10.0, "top eigenvector is %.3f degrees from (1,-1,0..)/sqrt2 (tol 10)",
                  deg);
    rfm_free(mo);
}
END_TEST

/* ---- best-iteration selection -------------------------------------------------------------- */

// Fit with validation, check t* against the history and the kept model against its refit.
static void check_selection_(rfm_score score, const double *X, const double *Y, size_t n,
                             const double *Xv, const double *Yv, size_t nv, size_t d, size_t c) {
    enum { T = 5 };
    rfm_params p = fixture_params(4.0, 1e-3, T);
    p.score = score;
    rfm_view xv = rfm_view_of(X, n, d), yv = rfm_view_of(Y, n, c);
    rfm_view vx = rfm_view_of(Xv, nv, d), vy = rfm_view_of(Yv, nv, c);
    rfm_model *mo = NULL, *re = NULL;
    rfm_error err = {RFM_OK, ""};
    ck_assert_msg(rfm_fit(&p, NULL, &xv, &yv, &vx, &vy, &mo, &err) == RFM_OK, "%s", err.msg);
    size_t h;
    const rfm_iter_record *hist = rfm_model_history(mo, &h);
    ck_assert_msg(h == T, "history has %zu records, want %d (note: %s)", h, T,
                  rfm_model_note(mo));
    int want = 0;
    for (size_t t = 0; t < h; t++) {
        ck_assert_msg(hist[t].t == (int)t && isfinite(hist[t].val_score), "record %zu", t);
        double g = score == RFM_SCORE_RMSE ? -hist[t].val_score : hist[t].val_score;
        double gb = score == RFM_SCORE_RMSE ? -hist[want].val_score : hist[want].val_score;
        if (g > gb) want = (int)t; // strictly better: the first best wins ties
    }
    ck_assert_msg(rfm_model_best_iter(mo) == want, "t* = %d, the history says %d",
                  rfm_model_best_iter(mo), want);
    // The kept model's own validation score, recomputed by a plain loop.
    double *pr = malloc(nv * c * sizeof *pr), *pr2 = malloc(nv * c * sizeof *pr2);
    ck_assert_int_eq(rfm_predict(mo, &vx, pr, &err), RFM_OK);
    double s = 0;
    for (size_t i = 0; i < nv; i++) {
        size_t bp = 0, by = 0;
        for (size_t k = 0; k < c; k++) {
            if (pr[i * c + k] > pr[i * c + bp]) bp = k;
            if (Yv[i * c + k] > Yv[i * c + by]) by = k;
            s += score == RFM_SCORE_RMSE ? (pr[i * c + k] - Yv[i * c + k]) *
                                               (pr[i * c + k] - Yv[i * c + k]) : 0.0;
        }
        s += score == RFM_SCORE_ACCURACY ? (bp == by) : 0.0;
    }
    s = score == RFM_SCORE_RMSE ? sqrt(s / (double)(nv * c)) : s / (double)nv;
    ck_assert_msg(fabs(s - hist[want].val_score) <= 1e-12 * (1 + fabs(s)),
                  "score of the kept model %.17g, history says %.17g", s, hist[want].val_score);
    // The protocol's refit: iters = 1 from the selected metric gives the same predictor.
    rfm_params p1 = p;
    p1.iters = 1;
    ck_assert_msg(rfm_fit(&p1, rfm_model_metric(mo), &xv, &yv, NULL, NULL, &re, &err) == RFM_OK,
                  "%s", err.msg);
    ck_assert_int_eq(rfm_predict(re, &vx, pr2, &err), RFM_OK);
    double big = 0;
    for (size_t i = 0; i < nv * c; i++) big = fmax(big, fabs(pr[i]));
    double e = fixture_maxdiff(pr, pr2, nv * c) / big;
    ck_assert_msg(e <= 1e-9, "refit predictions differ by %.3g (relative) > tol 1e-9", e);
    free(pr);
    free(pr2);
    rfm_free(mo);
    rfm_free(re);
}

START_TEST(validation_keeps_first_best_iteration_and_refit_reproduces_it) {
    enum { N = 150, NV = 80, D = 4, C = 3 };
    static double X[N * D], Xv[NV * D], Y[N * C], Yv[NV * C], Yr[N], Yrv[NV];
    fixture_normal(X, N * D, 13u);
    fixture_normal(Xv, NV * D, 14u);
    for (size_t i = 0; i < N + NV; i++) {
        const double *x = i < N ? X + i * D : Xv + (i - N) * D;
        double *y = i < N ? Y + i * C : Yv + (i - N) * C;
        double s[C] = {x[0], x[1], -x[0] - x[1]}; // one-hot of a linear argmax: 3 classes
        size_t b = s[1] > s[0] ? 1 : 0;
        b = s[2] > s[b] ? 2 : b;
        for (size_t k = 0; k < C; k++) y[k] = k == b;
        (i < N ? Yr + i : Yrv + (i - N))[0] = x[0] * x[0] + 0.3 * x[2];
    }
    check_selection_(RFM_SCORE_ACCURACY, X, Y, N, Xv, Yv, NV, D, C);
    check_selection_(RFM_SCORE_RMSE, X, Yr, N, Xv, Yrv, NV, D, 1);
}
END_TEST

/* ---- input errors -------------------------------------------------------------------------- */

// rfm_fit must return RFM_EINVAL with a one-line message containing `needle`, and no model.
static void expect_einval_(const rfm_params *p, const rfm_view *X, const rfm_view *Y,
                           const rfm_view *Xv, const rfm_view *Yv, const char *what,
                           const char *needle) {
    rfm_model *mo = (rfm_model *)&mo; // must be reset to NULL
    rfm_error err = {RFM_OK, ""};
    rfm_status st = rfm_fit(p, NULL, X, Y, Xv, Yv, &mo, &err);
    ck_assert_msg(st == RFM_EINVAL, "%s: status %d, want RFM_EINVAL", what, (int)st);
    ck_assert_msg(mo == NULL, "%s: *out not NULL", what);
    ck_assert_msg(err.code == RFM_EINVAL && err.msg[0] && !strchr(err.msg, '\n'),
                  "%s: err not filled with one line: '%s'", what, err.msg);
    ck_assert_msg(strstr(err.msg, needle) != NULL, "%s: '%s' does not mention '%s'", what,
                  err.msg, needle);
}

START_TEST(every_bad_input_returns_einval_with_a_message) {
    enum { N = 10, D = 3 };
    double X[N * D], Y[N], Xb[N * D], Yb[N];
    fixture_normal(X, N * D, 15u);
    fixture_normal(Y, N, 16u);
    rfm_params ok = fixture_params(2.0, 1e-3, 2), p;
    rfm_view xv = rfm_view_of(X, N, D), yv = rfm_view_of(Y, N, 1);
    rfm_view y9 = rfm_view_of(Y, N - 1, 1), xv2 = rfm_view_of(X, N, D - 1);
    rfm_view x0 = rfm_view_of(X, 0, D), y0 = rfm_view_of(Y, 0, 1), xd0 = rfm_view_of(X, N, 0);
    rfm_view xb = rfm_view_of(Xb, N, D), yb = rfm_view_of(Yb, N, 1);
    expect_einval_(&ok, &xv, &y9, NULL, NULL, "Y rows != X rows", "Y");
    expect_einval_(&ok, &xv, &yv, &xv2, &yv, "Xv cols != X cols", "Xv");
    expect_einval_(&ok, &x0, &y0, NULL, NULL, "n = 0", "n = 0");
    expect_einval_(&ok, &xd0, &yv, NULL, NULL, "d = 0", "d = 0");
    expect_einval_(&ok, &xv, &yv, &xv, NULL, "Xv without Yv", "Yv");
    expect_einval_(&ok, &xv, &yv, NULL, &yv, "Yv without Xv", "Xv");
    const double bad[2] = {NAN, INFINITY};
    for (int b = 0; b < 2; b++) {
        memcpy(Xb, X, sizeof X);
        memcpy(Yb, Y, sizeof Y);
        Xb[4 * D + 1] = bad[b];
        Yb[7] = -bad[b];
        expect_einval_(&ok, &xb, &yv, NULL, NULL, b ? "Inf in X" : "NaN in X", "X[4][1]");
        expect_einval_(&ok, &xv, &yb, NULL, NULL, b ? "Inf in Y" : "NaN in Y", "Y[7][0]");
        expect_einval_(&ok, &xv, &yv, &xb, &yv, b ? "Inf in Xv" : "NaN in Xv", "Xv");
    }
    const struct { const char *what, *needle; double reg, L, q; int iters; } pc[] = {
        {"reg < 0", "reg", -1e-3, 2, 1, 2},
        {"reg NaN", "reg", NAN, 2, 1, 2},
        {"bandwidth 0", "bandwidth", 1e-3, 0, 1, 2},
        {"bandwidth < 0", "bandwidth", 1e-3, -2, 1, 2},
        {"bandwidth NaN", "bandwidth", 1e-3, NAN, 1, 2},
        {"exponent 0", "exponent", 1e-3, 2, 0, 2},
        {"exponent < 0", "exponent", 1e-3, 2, -0.5, 2},
        {"exponent > 2", "exponent", 1e-3, 2, 2.01, 2},
        {"iters 0", "iters", 1e-3, 2, 1, 0},
        {"iters < 0", "iters", 1e-3, 2, 1, -3},
    };
    for (size_t i = 0; i < sizeof pc / sizeof pc[0]; i++) {
        p = fixture_params(pc[i].L, pc[i].reg, pc[i].iters);
        p.kernel.exponent = pc[i].q;
        expect_einval_(&p, &xv, &yv, NULL, NULL, pc[i].what, pc[i].needle);
    }
    // The bound itself is valid: q = 2 fits.
    p = ok;
    p.kernel.exponent = 2.0;
    rfm_model *mo = NULL;
    rfm_error err = {RFM_OK, ""};
    ck_assert_msg(rfm_fit(&p, NULL, &xv, &yv, NULL, NULL, &mo, &err) == RFM_OK, "q = 2: %s",
                  err.msg);
    double out[N];
    err.msg[0] = '\0';
    ck_assert_int_eq(rfm_predict(mo, &xv2, out, &err), RFM_EINVAL);
    ck_assert_msg(err.msg[0] != '\0', "predict with %d columns: no message", D - 1);
    rfm_free(mo);
}
END_TEST

START_TEST(alloc_fails_with_enomem_and_the_gib_needed) {
    void *ptr = &ptr;
    rfm_error err = {RFM_OK, ""};
    ck_assert_int_eq(rfm_alloc(&ptr, SIZE_MAX / 2, 4, 1, "overflow", &err), RFM_ENOMEM);
    ck_assert_msg(ptr == NULL && strstr(err.msg, "GiB") != NULL, "overflow: '%s'", err.msg);
    ptr = &ptr;
    err.msg[0] = '\0';
    // 2^40 x 2^20 bytes = 2^60 bytes = 2^30 GiB: fits size_t, cannot be allocated.
    ck_assert_int_eq(rfm_alloc(&ptr, (size_t)1 << 40, (size_t)1 << 20, 1, "huge", &err),
                     RFM_ENOMEM);
    ck_assert_msg(ptr == NULL && strstr(err.msg, "GiB") != NULL, "huge: '%s'", err.msg);
    ck_assert_msg(strstr(err.msg, "1073741824") != NULL, "huge: GiB figure wrong: '%s'", err.msg);
    ck_assert_msg(strstr(err.msg, "huge") != NULL, "huge: what not named: '%s'", err.msg);
}
END_TEST

static Suite *suite_(void) {
    Suite *s = suite_create("rfm_fit");
    TCase *tc = tcase_create("fit");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, one_iteration_is_plain_laplace_krr);
    tcase_add_test(tc, fit_agop_fast_path_equals_general_agop_of_first_fit);
    tcase_add_test(tc, sampled_agop_path_gives_finite_psd_reproducible_metric);
    tcase_add_test(tc, ridge_solve_residual_is_below_1e10);
    tcase_add_test(tc, ridge_solve_rejects_empty_and_short_ld_as_einval);
    tcase_add_test(tc, normalize_counts_zero_rows_in_the_note);
    tcase_add_test(tc, not_positive_definite_fails_with_a_message_naming_reg);
    tcase_add_test(tc, metric_concentrates_on_the_relevant_coordinate);
    tcase_add_test(tc, top_eigenvector_aligns_with_linear_target_direction);
    tcase_add_test(tc, validation_keeps_first_best_iteration_and_refit_reproduces_it);
    tcase_add_test(tc, every_bad_input_returns_einval_with_a_message);
    tcase_add_test(tc, alloc_fails_with_enomem_and_the_gib_needed);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return fixture_run(suite_()); }
