/* test_rfm_agop.c - Check suite for rfm_agop.c: gradients of f(z) = sum_i A_i k(x_i, z) against
 * central finite differences of an independent naive predictor and against the section 4
 * formula written as plain loops (self-pair rule of section 5), the blocked AGOP against a naive
 * per-point loop for every block size, the accumulator on a linear predictor (W W^T), the
 * diagonal variant, and the invariances of rfm-algorithm.md section 10. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "rfm.h"

#define NONE_ SIZE_MAX

/* ---- independent reference: plain loops and libm ------------------------------------------ */

// (M v)_p for M full (d, d), a d-vector when diag, or NULL (identity).
static double mv_(const double *M, int diag, const double *v, size_t d, size_t p) {
    if (!M) return v[p];
    if (diag) return M[p] * v[p];
    double s = 0;
    for (size_t r = 0; r < d; r++) s += M[p * d + r] * v[r];
    return s;
}

static double d2_(const double *x, const double *z, const double *M, int diag, size_t d) {
    double v[16], s = 0;
    for (size_t p = 0; p < d; p++) v[p] = x[p] - z[p];
    for (size_t p = 0; p < d; p++) s += v[p] * mv_(M, diag, v, d, p);
    return s;
}

static double kval_(const rfm_kernel *k, double d2) {
    double L = k->bandwidth;
    if (k->type == RFM_KERNEL_GAUSSIAN) return exp(-d2 / (2 * L * L));
    return exp(-pow(sqrt(d2) / L, k->exponent));
}

// f_k(z) with centre `skip` left out (NONE_ for the full predictor).
static double f_(const rfm_kernel *k, const double *X, const double *A, size_t n, size_t d,
                 size_t c, const double *M, int diag, const double *z, size_t kk, size_t skip) {
    double f = 0;
    for (size_t i = 0; i < n; i++)
        if (i != skip) f += A[i * c + kk] * kval_(k, d2_(X + i * d, z, M, diag, d));
    return f;
}

// Section 4 by loops: grad f_k(z) = c0 sum_i A_ik W_i M (x_i - z); pairs with D < 1e-10 and the
// centre `skip` contribute zero. g: (c, d).
static void grad_(const rfm_kernel *k, const double *X, const double *A, size_t n, size_t d,
                  size_t c, const double *M, int diag, const double *z, size_t skip, double *g) {
    double L = k->bandwidth, q = k->exponent, v[16];
    int gauss = k->type == RFM_KERNEL_GAUSSIAN;
    double c0 = gauss ? 1 / (L * L) : q / pow(L, q);
    memset(g, 0, c * d * sizeof *g);
    for (size_t i = 0; i < n; i++) {
        double dd = sqrt(d2_(X + i * d, z, M, diag, d));
        if (i == skip || dd < 1e-10) continue;
        double kv = gauss ? exp(-dd * dd / (2 * L * L)) : exp(-pow(dd / L, q));
        double w = gauss ? kv : kv * pow(dd, q - 2);
        for (size_t p = 0; p < d; p++) v[p] = X[i * d + p] - z[p];
        for (size_t kk = 0; kk < c; kk++)
            for (size_t p = 0; p < d; p++)
                g[kk * d + p] += c0 * A[i * c + kk] * w * mv_(M, diag, v, d, p);
    }
}

// Naive AGOP: mean over rows of Z of sum over outputs of g g^T (diag: its diagonal).
static void agop_(const rfm_kernel *k, const double *X, const double *A, size_t n, size_t d,
                  size_t c, const double *M, int diag, const double *Z, size_t m,
                  const size_t *self, double *G) {
    double g[64];
    memset(G, 0, (diag ? d : d * d) * sizeof *G);
    for (size_t j = 0; j < m; j++) {
        grad_(k, X, A, n, d, c, M, diag, Z + j * d, self ? self[j] : NONE_, g);
        for (size_t kk = 0; kk < c; kk++)
            for (size_t p = 0; p < d; p++)
                for (size_t r = 0; r < d; r++)
                    if (!diag) G[p * d + r] += g[kk * d + p] * g[kk * d + r] / (double)m;
                    else if (p == r) G[p] += g[kk * d + p] * g[kk * d + p] / (double)m;
    }
}

typedef struct {
    const char *name;
    rfm_kernel k;
    int diag;
} gcase_;

static const gcase_ cases_[] = {
    {"laplace full M", {RFM_KERNEL_LAPLACE, 2.0, 1.0}, 0},
    {"laplace diag M", {RFM_KERNEL_LAPLACE, 2.0, 1.0}, 1},
    {"gaussian full M", {RFM_KERNEL_GAUSSIAN, 2.0, 1.0}, 0},
    {"gaussian diag M", {RFM_KERNEL_GAUSSIAN, 2.0, 1.0}, 1},
    {"exponent 1.5 full M", {RFM_KERNEL_LAPLACE, 2.0, 1.5}, 0},
    {"exponent 0.7 full M", {RFM_KERNEL_LAPLACE, 2.0, 0.7}, 0},
};
enum { NC_ = sizeof cases_ / sizeof cases_[0] };

static const double *metric_(int diag, size_t d, double *Mfull, double *mu) {
    fixture_spd(Mfull, d, 31u); // B B^T / d + 0.1 I: both places where M enters are exercised
    fixture_uniform(mu, d, 0.3, 2.0, 32u);
    return diag ? mu : Mfull;
}

/* ---- gradients --------------------------------------------------------------------------- */

// Worst |analytic - central difference| relative to the largest |central difference|, for
// rows Z with `self` (NULL: the full predictor is differentiated).
static double fd_check_(const gcase_ *gc, const double *X, const double *A, size_t n, size_t d,
                        size_t c, const double *M, const double *Z, size_t m, const size_t *self,
                        double *agree) {
    const double h = 1e-5;
    double *grads = malloc(m * c * d * sizeof *grads), g[16], zp[16], zm[16];
    rfm_view xv = rfm_view_of(X, n, d), av = rfm_view_of(A, n, c), zv = rfm_view_of(Z, m, d);
    rfm_error err = {RFM_OK, ""};
    rfm_status st = rfm_gradients(&gc->k, &xv, &av, M, gc->diag, &zv, self, grads, &err);
    ck_assert_msg(st == RFM_OK, "%s: %s", gc->name, err.msg);
    double worst = 0, big = 0, aw = 0, ab = 0;
    for (size_t j = 0; j < m; j++) {
        size_t skip = self ? self[j] : NONE_;
        grad_(&gc->k, X, A, n, d, c, M, gc->diag, Z + j * d, skip, g);
        for (size_t kk = 0; kk < c; kk++) {
            for (size_t p = 0; p < d; p++) {
                memcpy(zp, Z + j * d, d * sizeof *zp);
                memcpy(zm, Z + j * d, d * sizeof *zm);
                zp[p] += h;
                zm[p] -= h;
                double fd = (f_(&gc->k, X, A, n, d, c, M, gc->diag, zp, kk, skip) -
                             f_(&gc->k, X, A, n, d, c, M, gc->diag, zm, kk, skip)) / (2 * h);
                double an = grads[(j * c + kk) * d + p];
                if (!(fabs(an - fd) <= worst)) worst = fabs(an - fd);
                if (fabs(fd) > big) big = fabs(fd);
                if (!(fabs(an - g[kk * d + p]) <= aw)) aw = fabs(an - g[kk * d + p]);
                if (fabs(g[kk * d + p]) > ab) ab = fabs(g[kk * d + p]);
            }
        }
    }
    free(grads);
    *agree = aw / ab;
    return worst / big;
}

START_TEST(gradients_match_central_differences_of_naive_predictor) {
    enum { N = 20, D = 3, C = 2, MT = 5, MZ = 6 };
    double X[N * D], A[N * C], Zoff[MZ * D], Mfull[D * D], mu[D];
    size_t self[MT];
    fixture_normal(X, N * D, 1u);
    fixture_normal(A, N * C, 2u); // any alpha defines a predictor: no solve needed
    fixture_normal(Zoff, MZ * D, 3u);
    for (size_t j = 0; j < MT; j++) self[j] = j;
    const double tol = 1e-6, tol_formula = 1e-12;
    for (int ci = 0; ci < NC_; ci++) {
        const gcase_ *gc = &cases_[ci];
        const double *M = metric_(gc->diag, D, Mfull, mu);
        int gauss = gc->k.type == RFM_KERNEL_GAUSSIAN;
        double agree;
        // Training rows: the Laplace family differentiates f^(-j) (self by index); the
        // Gaussian is smooth there, so its full predictor is differentiated with self = NULL.
        double e = fd_check_(gc, X, A, N, D, C, M, X, MT, gauss ? NULL : self, &agree);
        ck_assert_msg(e <= tol, "%s at training rows: relative error %.3g > tol %.1g", gc->name,
                      e, tol);
        ck_assert_msg(agree <= tol_formula, "%s at training rows: vs section 4 loop %.3g > %.1g",
                      gc->name, agree, tol_formula);
        e = fd_check_(gc, X, A, N, D, C, M, Zoff, MZ, NULL, &agree);
        ck_assert_msg(e <= tol, "%s off centres: relative error %.3g > tol %.1g", gc->name, e,
                      tol);
        ck_assert_msg(agree <= tol_formula, "%s off centres: vs section 4 loop %.3g > %.1g",
                      gc->name, agree, tol_formula);
    }
}
END_TEST

/* ---- AGOP ---------------------------------------------------------------------------------- */

enum { AN_ = 150, AD_ = 5, AC_ = 3 };

START_TEST(blocked_agop_matches_naive_loop_for_every_block_size) {
    // m = 150 rows: more than one row block even if the driver enlarges small blocks.
    static double X[AN_ * AD_], A[AN_ * AC_];
    double Mfull[AD_ * AD_], mu[AD_], G[AD_ * AD_], Gn[AD_ * AD_];
    size_t self[AN_];
    fixture_normal(X, AN_ * AD_, 4u);
    fixture_normal(A, AN_ * AC_, 5u);
    for (size_t j = 0; j < AN_; j++) self[j] = j;
    rfm_view xv = rfm_view_of(X, AN_, AD_), av = rfm_view_of(A, AN_, AC_);
    const size_t rows[] = {0, 1, 7, AN_}, outs[] = {0, 1, 2, AC_};
    const double tol = 1e-10;
    for (int ci = 0; ci < NC_; ci++) {
        const gcase_ *gc = &cases_[ci];
        const double *M = metric_(gc->diag, AD_, Mfull, mu);
        size_t len = gc->diag ? AD_ : AD_ * AD_;
        agop_(&gc->k, X, A, AN_, AD_, AC_, M, gc->diag, X, AN_, self, Gn);
        for (size_t bi = 0; bi < 4; bi++) {
            for (size_t oi = 0; oi < 4; oi++) {
                rfm_error err = {RFM_OK, ""};
                rfm_status st = rfm_agop(&gc->k, &xv, &av, M, gc->diag, &xv, self, rows[bi],
                                         outs[oi], G, &err);
                ck_assert_msg(st == RFM_OK, "%s: %s", gc->name, err.msg);
                double e = fixture_relerr(G, Gn, len);
                ck_assert_msg(e <= tol, "%s, block_rows %zu, block_outputs %zu: relative "
                              "error %.3g > tol %.1g", gc->name, rows[bi], outs[oi], e, tol);
            }
        }
    }
}
END_TEST

START_TEST(agop_off_centres_matches_naive_loop) {
    enum { MZ = 90 };
    static double X[AN_ * AD_], A[AN_ * AC_], Z[MZ * AD_];
    double Mfull[AD_ * AD_], mu[AD_], G[AD_ * AD_], Gn[AD_ * AD_];
    fixture_normal(X, AN_ * AD_, 6u);
    fixture_normal(A, AN_ * AC_, 7u);
    fixture_normal(Z, MZ * AD_, 8u);
    rfm_view xv = rfm_view_of(X, AN_, AD_), av = rfm_view_of(A, AN_, AC_),
             zv = rfm_view_of(Z, MZ, AD_);
    for (int ci = 0; ci < NC_; ci++) {
        const gcase_ *gc = &cases_[ci];
        const double *M = metric_(gc->diag, AD_, Mfull, mu);
        agop_(&gc->k, X, A, AN_, AD_, AC_, M, gc->diag, Z, MZ, NULL, Gn);
        rfm_error err = {RFM_OK, ""};
        ck_assert_int_eq(rfm_agop(&gc->k, &xv, &av, M, gc->diag, &zv, NULL, 0, 0, G, &err),
                         RFM_OK);
        double e = fixture_relerr(G, Gn, gc->diag ? AD_ : AD_ * AD_);
        ck_assert_msg(e <= 1e-10, "%s: relative error %.3g > tol 1e-10", gc->name, e);
    }
}
END_TEST

START_TEST(agop_matches_mean_outer_product_of_finite_differences) {
    enum { N = 40, D = 4, C = 2 };
    const double h = 1e-5, tol = 1e-6;
    double X[N * D], A[N * C], M[D * D], G[D * D], Gfd[D * D] = {0}, zp[D], zm[D], g[D];
    size_t self[N];
    fixture_normal(X, N * D, 9u);
    fixture_normal(A, N * C, 10u);
    fixture_spd(M, D, 11u);
    for (size_t j = 0; j < N; j++) self[j] = j;
    rfm_kernel k = {RFM_KERNEL_LAPLACE, 2.0, 1.0};
    for (size_t j = 0; j < N; j++) {
        for (size_t kk = 0; kk < C; kk++) {
            for (size_t p = 0; p < D; p++) {
                memcpy(zp, X + j * D, sizeof zp);
                memcpy(zm, X + j * D, sizeof zm);
                zp[p] += h;
                zm[p] -= h;
                g[p] = (f_(&k, X, A, N, D, C, M, 0, zp, kk, j) -
                        f_(&k, X, A, N, D, C, M, 0, zm, kk, j)) / (2 * h);
            }
            for (size_t p = 0; p < D; p++)
                for (size_t r = 0; r < D; r++) Gfd[p * D + r] += g[p] * g[r] / N;
        }
    }
    rfm_view xv = rfm_view_of(X, N, D), av = rfm_view_of(A, N, C);
    ck_assert_int_eq(rfm_agop(&k, &xv, &av, M, 0, &xv, self, 0, 0, G, NULL), RFM_OK);
    double e = fixture_relerr(G, Gfd, D * D);
    ck_assert_msg(e <= tol, "relative error vs finite differences %.3g > tol %.1g", e, tol);
}
END_TEST

// Gradient rows of f(x) = W^T x at m points: every point contributes the c columns of W
// (W: (d, c) with row stride ldw); Gam: (m c, d) with row stride ld.
static void linear_rows_(const double *W, size_t ldw, size_t d, size_t c, size_t m, size_t ld,
                         double *Gam) {
    for (size_t j = 0; j < m; j++)
        for (size_t kk = 0; kk < c; kk++)
            for (size_t p = 0; p < ld; p++)
                Gam[(j * c + kk) * ld + p] = p < d ? W[p * ldw + kk] : 1e300; // padding: unread
}

START_TEST(accumulate_on_linear_predictor_gives_W_WT) {
    enum { D = 4, MP = 10, LD = D + 3, CMAX = 3 };
    double W[D * CMAX], Gam[MP * CMAX * LD], G[D * D], Gd[D];
    fixture_normal(W, D * CMAX, 12u);
    for (size_t c = 1; c <= CMAX; c += CMAX - 1) { // c = 1 (w w^T) and c = 3 (W W^T)
        size_t rows = MP * c, first = 13 < rows ? 13 : rows / 2;
        linear_rows_(W, CMAX, D, c, MP, LD, Gam);
        memset(G, 0, sizeof G);
        memset(Gd, 0, sizeof Gd);
        // Two blocks of rows, as the AGOP driver calls it.
        rfm_agop_accumulate(Gam, first, D, LD, 0, G);
        rfm_agop_accumulate(Gam + first * LD, rows - first, D, LD, 0, G);
        rfm_agop_accumulate(Gam, first, D, LD, 1, Gd);
        rfm_agop_accumulate(Gam + first * LD, rows - first, D, LD, 1, Gd);
        // Worst relative error on and above the diagonal (upper), below it (lower), and of the
        // diagonal variant.
        double up = 0, low = 0, dg = 0;
        for (size_t p = 0; p < D; p++) {
            for (size_t r = 0; r < D; r++) {
                double want = 0;
                for (size_t kk = 0; kk < c; kk++) want += W[p * CMAX + kk] * W[r * CMAX + kk];
                double e = fabs(G[p * D + r] / MP - want) / fabs(want);
                if (r >= p) up = e <= up ? up : e;
                else low = e <= low ? low : e;
                if (p == r) dg = fmax(dg, fabs(Gd[p] / MP - want) / fabs(want));
            }
        }
        ck_assert_msg(up <= 1e-12 && low <= 1e-12, "c = %zu: G/m vs W W^T: relative error %.3g "
                      "on/above the diagonal, %.3g below it (G[1][0] = %g) > tol 1e-12", c, up,
                      low, G[D]);
        ck_assert_msg(dg <= 1e-12, "c = %zu, diag: relative error %.3g > tol 1e-12", c, dg);
    }
}
END_TEST

START_TEST(diag_agop_is_diagonal_of_full_agop_at_diag_metric) {
    static double X[AN_ * AD_], A[AN_ * AC_];
    double mu[AD_], Md[AD_ * AD_] = {0}, G[AD_ * AD_], Gd[AD_], dg[AD_];
    size_t self[AN_];
    fixture_normal(X, AN_ * AD_, 13u);
    fixture_normal(A, AN_ * AC_, 14u);
    fixture_uniform(mu, AD_, 0.2, 3.0, 15u);
    for (size_t p = 0; p < AD_; p++) Md[p * AD_ + p] = mu[p];
    for (size_t j = 0; j < AN_; j++) self[j] = j;
    rfm_view xv = rfm_view_of(X, AN_, AD_), av = rfm_view_of(A, AN_, AC_);
    for (int ci = 0; ci < NC_; ci++) {
        const rfm_kernel *k = &cases_[ci].k;
        ck_assert_int_eq(rfm_agop(k, &xv, &av, mu, 1, &xv, self, 0, 0, Gd, NULL), RFM_OK);
        ck_assert_int_eq(rfm_agop(k, &xv, &av, Md, 0, &xv, self, 0, 0, G, NULL), RFM_OK);
        for (size_t p = 0; p < AD_; p++) dg[p] = G[p * AD_ + p];
        double e = fixture_relerr(Gd, dg, AD_);
        ck_assert_msg(e <= 1e-12, "%s: relative error %.3g > tol 1e-12", cases_[ci].name, e);
    }
}
END_TEST

START_TEST(agop_is_invariant_to_row_permutation_and_equivariant_to_rotation) {
    static double X[AN_ * AD_], A[AN_ * AC_], Xp[AN_ * AD_], Ap[AN_ * AC_], Xr[AN_ * AD_];
    double M[AD_ * AD_], Mr[AD_ * AD_], R[AD_ * AD_], G[AD_ * AD_], G2[AD_ * AD_],
        RGR[AD_ * AD_];
    size_t self[AN_], perm[AN_];
    fixture_normal(X, AN_ * AD_, 16u);
    fixture_normal(A, AN_ * AC_, 17u);
    fixture_spd(M, AD_, 18u);
    rfm_rng rng;
    rfm_rng_seed(&rng, 19u);
    for (size_t j = 0; j < AN_; j++) self[j] = perm[j] = j;
    for (size_t j = AN_ - 1; j > 0; j--) { // Fisher-Yates
        size_t t = rfm_rng_below(&rng, j + 1), tmp = perm[j];
        perm[j] = perm[t];
        perm[t] = tmp;
    }
    for (size_t i = 0; i < AN_; i++) {
        memcpy(Xp + i * AD_, X + perm[i] * AD_, AD_ * sizeof *X);
        memcpy(Ap + i * AC_, A + perm[i] * AC_, AC_ * sizeof *A);
    }
    rfm_kernel k = {RFM_KERNEL_LAPLACE, 2.0, 1.0};
    rfm_view xv = rfm_view_of(X, AN_, AD_), av = rfm_view_of(A, AN_, AC_);
    rfm_view xpv = rfm_view_of(Xp, AN_, AD_), apv = rfm_view_of(Ap, AN_, AC_);
    ck_assert_int_eq(rfm_agop(&k, &xv, &av, M, 0, &xv, self, 0, 0, G, NULL), RFM_OK);
    ck_assert_int_eq(rfm_agop(&k, &xpv, &apv, M, 0, &xpv, self, 0, 0, G2, NULL), RFM_OK);
    double e = fixture_relerr(G2, G, AD_ * AD_);
    ck_assert_msg(e <= 1e-12, "permuted rows: relative change %.3g > tol 1e-12", e);
    // R orthogonal by Gram-Schmidt; X -> X R^T, M -> R M R^T must give R G R^T.
    fixture_normal(R, AD_ * AD_, 20u);
    for (size_t a = 0; a < AD_; a++) {
        for (size_t b = 0; b < a; b++) {
            double s = 0;
            for (size_t p = 0; p < AD_; p++) s += R[a * AD_ + p] * R[b * AD_ + p];
            for (size_t p = 0; p < AD_; p++) R[a * AD_ + p] -= s * R[b * AD_ + p];
        }
        double s = 0;
        for (size_t p = 0; p < AD_; p++) s += R[a * AD_ + p] * R[a * AD_ + p];
        for (size_t p = 0; p < AD_; p++) R[a * AD_ + p] /= sqrt(s);
    }
    for (size_t i = 0; i < AN_; i++)
        for (size_t a = 0; a < AD_; a++) {
            double s = 0;
            for (size_t p = 0; p < AD_; p++) s += R[a * AD_ + p] * X[i * AD_ + p];
            Xr[i * AD_ + a] = s;
        }
    for (size_t a = 0; a < AD_; a++)
        for (size_t b = 0; b < AD_; b++) {
            double s = 0, t = 0;
            for (size_t p = 0; p < AD_; p++)
                for (size_t r = 0; r < AD_; r++) {
                    s += R[a * AD_ + p] * M[p * AD_ + r] * R[b * AD_ + r];
                    t += R[a * AD_ + p] * G[p * AD_ + r] * R[b * AD_ + r];
                }
            Mr[a * AD_ + b] = s;
            RGR[a * AD_ + b] = t;
        }
    rfm_view xrv = rfm_view_of(Xr, AN_, AD_);
    ck_assert_int_eq(rfm_agop(&k, &xrv, &av, Mr, 0, &xrv, self, 0, 0, G2, NULL), RFM_OK);
    e = fixture_relerr(G2, RGR, AD_ * AD_);
    ck_assert_msg(e <= 1e-10, "rotated: relative error vs R G R^T %.3g > tol 1e-10", e);
}
END_TEST

START_TEST(exact_duplicate_rows_contribute_no_gradient) {
    // Section 5: pairs with D < 1e-10 contribute zero, "which catches exact duplicates". Rows
    // 1, 2 and 3 repeat rows 0, 4 and 5, for which the naive loop computes D = 0 exactly. The
    // AGOP is taken at those six rows only, so that their error is not averaged away.
    enum { N = 60, D = 5, C = 2, MS = 6 };
    double X[N * D], A[N * C], M[D * D], G[D * D], Gn[D * D];
    size_t self[MS];
    fixture_normal(X, N * D, 21u);
    fixture_normal(A, N * C, 22u);
    fixture_spd(M, D, 23u);
    memcpy(X + 1 * D, X + 0 * D, D * sizeof *X);
    memcpy(X + 2 * D, X + 4 * D, D * sizeof *X);
    memcpy(X + 3 * D, X + 5 * D, D * sizeof *X);
    for (size_t j = 0; j < MS; j++) self[j] = j;
    rfm_view xv = rfm_view_of(X, N, D), av = rfm_view_of(A, N, C), zv = rfm_view_of(X, MS, D);
    char fails[512] = "";
    for (int ci = 0; ci < NC_; ci++) {
        const gcase_ *gc = &cases_[ci];
        double mu[D];
        fixture_uniform(mu, D, 0.3, 2.0, 24u);
        const double *Mc = gc->diag ? mu : M;
        agop_(&gc->k, X, A, N, D, C, Mc, gc->diag, X, MS, self, Gn);
        ck_assert_int_eq(rfm_agop(&gc->k, &xv, &av, Mc, gc->diag, &zv, self, 0, 0, G, NULL),
                         RFM_OK);
        double e = fixture_relerr(G, Gn, gc->diag ? D : D * D);
        size_t used = strlen(fails);
        if (!(e <= 1e-10))
            snprintf(fails + used, sizeof fails - used, " [%s: %.3g]", gc->name, e);
    }
    ck_assert_msg(fails[0] == '\0', "relative error > tol 1e-10 with duplicate rows:%s", fails);
}
END_TEST

// The sample is m distinct rows of n, fresh at each t, the same for the same seed.
START_TEST(sample_rows_are_distinct_in_range_and_fresh_per_iteration) {
    enum { N = 200, M = 50 };
    size_t a[N], b[N], c[N];
    rfm_sample_rows(7, 0, N, M, a);
    rfm_sample_rows(7, 1, N, M, b);
    rfm_sample_rows(7, 0, N, M, c);
    ck_assert_msg(memcmp(a, c, sizeof a) == 0, "the same (seed, t) drew differently");
    unsigned char seen[N] = {0};
    size_t same_as_t1 = 0;
    for (size_t j = 0; j < M; j++) {
        ck_assert_msg(a[j] < N && !seen[a[j]], "row %zu drawn twice or out of range", a[j]);
        seen[a[j]] = 1;
        same_as_t1 += a[j] == b[j];
    }
    ck_assert_msg(same_as_t1 < M / 2, "t = 0 and t = 1 drew %zu of %d rows alike", same_as_t1, M);
}
END_TEST

// With n > agop_sample = m, M_1 of a 2-fit run is the AGOP of fit 0 at the m sampled rows:
// alpha by loops (fixture_laplace_kernel, fixture_solve) at M_0 = I, then the naive AGOP over
// exactly the rows rfm_sample_rows names, each with its own centre left out (section 5).
START_TEST(sampled_fit_metric_is_the_naive_agop_at_the_sampled_rows) {
    enum { N = 90, D = 4, C = 2, MS = 30 };
    static double X[N * D], Y[N * C], K[N * N], A[N * C], Z[MS * D], G[D * D], I[D * D];
    size_t idx[N];
    fixture_blobs(X, Y, NULL, N, D, C, 61u);
    for (size_t p = 0; p < D; p++) I[p * D + p] = 1.0;
    double ones[D] = {1, 1, 1, 1};
    const double L = 3.0, reg = 0.05;
    fixture_laplace_kernel(X, N, X, N, D, NULL, 0, L, K);
    fixture_solve(K, N, reg, Y, C, A);
    rfm_sample_rows(11, 0, N, MS, idx);
    for (size_t j = 0; j < MS; j++) memcpy(Z + j * D, X + idx[j] * D, D * sizeof *Z);
    rfm_kernel k = {RFM_KERNEL_LAPLACE, L, 1.0};
    for (int diag = 0; diag <= 1; diag++) {
        agop_(&k, X, A, N, D, C, diag ? ones : I, diag, Z, MS, idx, G);
        rfm_params p = fixture_params(L, reg, 2);
        p.diag = diag;
        p.agop_sample = MS;
        p.seed = 11;
        rfm_view xv = rfm_view_of(X, N, D), yv = rfm_view_of(Y, N, C);
        rfm_model *mo = NULL;
        rfm_error err = {RFM_OK, ""};
        ck_assert_msg(rfm_fit(&p, NULL, &xv, &yv, NULL, NULL, &mo, &err) == RFM_OK, "%s",
                      err.msg);
        ck_assert_int_eq(rfm_model_best_iter(mo), 1);
        double e = fixture_relerr(rfm_model_metric(mo), G, diag ? D : D * D);
        ck_assert_msg(e <= 1e-9, "diag %d: M_1 vs naive sampled AGOP: %g (tol 1e-9)", diag, e);
        rfm_free(mo);
    }
}
END_TEST

START_TEST(agop_rejects_bad_shapes) {
    double X[6] = {0}, A[3] = {0}, Z[4] = {0}, G[4];
    rfm_kernel k = {RFM_KERNEL_LAPLACE, 1.0, 1.0};
    rfm_view xv = rfm_view_of(X, 3, 2), av = rfm_view_of(A, 3, 1), a2 = rfm_view_of(A, 2, 1);
    rfm_view z1 = rfm_view_of(Z, 4, 1), z0 = rfm_view_of(Z, 0, 2);
    rfm_error err = {RFM_OK, ""};
    ck_assert_int_eq(rfm_agop(&k, &xv, &a2, NULL, 0, &xv, NULL, 0, 0, G, &err), RFM_EINVAL);
    ck_assert_msg(err.msg[0] != '\0', "no message for A rows != X rows");
    err.msg[0] = '\0';
    ck_assert_int_eq(rfm_agop(&k, &xv, &av, NULL, 0, &z1, NULL, 0, 0, G, &err), RFM_EINVAL);
    ck_assert_msg(err.msg[0] != '\0', "no message for Z columns != X columns");
    err.msg[0] = '\0';
    ck_assert_int_eq(rfm_agop(&k, &xv, &av, NULL, 0, &z0, NULL, 0, 0, G, &err), RFM_EINVAL);
    ck_assert_msg(err.msg[0] != '\0', "no message for zero sample rows");
}
END_TEST

static Suite *suite_(void) {
    Suite *s = suite_create("rfm_agop");
    TCase *tc = tcase_create("agop");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, gradients_match_central_differences_of_naive_predictor);
    tcase_add_test(tc, blocked_agop_matches_naive_loop_for_every_block_size);
    tcase_add_test(tc, agop_off_centres_matches_naive_loop);
    tcase_add_test(tc, agop_matches_mean_outer_product_of_finite_differences);
    tcase_add_test(tc, accumulate_on_linear_predictor_gives_W_WT);
    tcase_add_test(tc, diag_agop_is_diagonal_of_full_agop_at_diag_metric);
    tcase_add_test(tc, agop_is_invariant_to_row_permutation_and_equivariant_to_rotation);
    tcase_add_test(tc, exact_duplicate_rows_contribute_no_gradient);
    tcase_add_test(tc, agop_rejects_bad_shapes);
    tcase_add_test(tc, sample_rows_are_distinct_in_range_and_fresh_per_iteration);
    tcase_add_test(tc, sampled_fit_metric_is_the_naive_agop_at_the_sampled_rows);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return fixture_run(suite_()); }
