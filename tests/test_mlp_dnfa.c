/* test_mlp_dnfa.c - Check suite for baselines/mlp_dnfa.c: the AGOP of a linear network (W^T W)
 * and of a deep one (mean of finite-difference J^T J over several blocks), the cosine and the
 * PSD square root on hand-worked matrices, and the ansatz of a 2-unit network against closed
 * forms. The reference network is tests/mlp_ref.c. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "mlp.h"
#include "mlp_ref.h"

/* ---- AGOP ------------------------------------------------------------------------------------ */

START_TEST(agop_of_a_linear_network_is_WtW_and_its_centred_form_is_zero) {
    enum { D = 5, C = 3, N = 17 };
    mlp_ref_shape s = {0, 1, MLP_RELU, D, 1, C};
    mlp_params p = mlp_ref_params(&s);
    p.seed = 3;
    mlp_net *net = NULL;
    ck_assert_int_eq(mlp_create(&p, D, C, &net, NULL), RFM_OK);
    double X[N * D], G[D * D], Jb[C * D], ref[D * D];
    fixture_normal(X, N * D, 4);
    rfm_view Xv = rfm_view_of(X, N, D);
    double *Gs[1] = {G}, *Js[1] = {Jb};
    ck_assert_int_eq(mlp_agop(net, &Xv, Gs, Js, NULL), RFM_OK);
    const double *W = mlp_weight(net, 0);
    for (size_t a = 0; a < D; a++)
        for (size_t b = 0; b < D; b++) {
            double v = 0;
            for (size_t k = 0; k < C; k++) v += W[k * D + a] * W[k * D + b];
            ref[a * D + b] = v;
        }
    ck_assert_msg(fixture_maxdiff(G, ref, D * D) <= 1e-14, "AGOP vs W^T W: max diff %.3g > 1e-14",
                  fixture_maxdiff(G, ref, D * D));
    ck_assert_msg(fixture_maxdiff(Jb, W, C * D) <= 1e-14, "mean Jacobian vs W: %.3g",
                  fixture_maxdiff(Jb, W, C * D));
    mlp_dnfa_layer r;
    ck_assert_int_eq(mlp_dnfa(net, &Xv, &r, NULL), RFM_OK);
    ck_assert_msg(isnan(r.cos_nfm_agop_centered), "a zero centred AGOP gives NaN, got %g",
                  r.cos_nfm_agop_centered);
    ck_assert_msg(isnan(r.cos_nfm_agop), "untrained: NFM = 0 gives NaN, got %g", r.cos_nfm_agop);
    ck_assert_msg(fabs(r.cos_init_agop - 1) <= 1e-12, "W0 = W: cos(W0^T W0, AGOP) = %.15g",
                  r.cos_init_agop);
    mlp_free(net);
}
END_TEST

// Over two blocks of rows (width 2048, c = 2 gives 512 rows per block) the AGOP and the mean
// Jacobian of layer 0 equal the average of J^T J with J from central differences.
START_TEST(agop_over_several_blocks_equals_mean_of_finite_difference_outer_products) {
    enum { D = 3, C = 2, N = 600, W = 2048 };
    mlp_ref_shape s = {1, 1, MLP_TANH, D, W, C};
    mlp_params p = mlp_ref_params(&s);
    p.seed = 9;
    mlp_net *net = NULL;
    ck_assert_int_eq(mlp_create(&p, D, C, &net, NULL), RFM_OK);
    double *X = malloc(N * D * sizeof *X), G[D * D], Jb[C * D], ref[D * D] = {0},
           jref[C * D] = {0};
    fixture_normal(X, N * D, 8);
    rfm_view Xv = rfm_view_of(X, N, D);
    double *Gs[2] = {G, NULL}, *Js[2] = {Jb, NULL};
    ck_assert_int_eq(mlp_agop(net, &Xv, Gs, Js, NULL), RFM_OK);
    const double *th = mlp_param_data(net);
    for (size_t r = 0; r < N; r++) {
        double x[D], J[C * D], f1[C], f2[C];
        memcpy(x, X + r * D, sizeof x);
        for (size_t q = 0; q < D; q++) {
            double keep = x[q], e = 1e-6;
            x[q] = keep + e;
            mlp_ref_forward(&s, th, 0, x, f1);
            x[q] = keep - e;
            mlp_ref_forward(&s, th, 0, x, f2);
            x[q] = keep;
            for (size_t k = 0; k < C; k++) J[k * D + q] = (f1[k] - f2[k]) / (2 * e);
        }
        for (size_t a = 0; a < D; a++) {
            for (size_t k = 0; k < C; k++) jref[k * D + a] += J[k * D + a] / N;
            for (size_t b = 0; b < D; b++)
                for (size_t k = 0; k < C; k++) ref[a * D + b] += J[k * D + a] * J[k * D + b] / N;
        }
    }
    double e1 = fixture_maxdiff(G, ref, D * D), e2 = fixture_maxdiff(Jb, jref, C * D);
    ck_assert_msg(e1 <= 1e-7 && e2 <= 1e-7, "AGOP diff %.3g, mean Jacobian diff %.3g (tol 1e-7)",
                  e1, e2);
    free(X);
    mlp_free(net);
}
END_TEST

/* ---- cosine, square root, the ansatz --------------------------------------------------------- */

START_TEST(cosine_of_I2_and_diag_1_0_is_one_over_sqrt2) {
    const double I2[4] = {1, 0, 0, 1}, D10[4] = {1, 0, 0, 0}, A[4] = {1, 2, 2, 5},
                 A3[4] = {3, 6, 6, 15}, Z[4] = {0};
    ck_assert_double_eq_tol(mlp_cosine(I2, D10, 4), 1 / sqrt(2.0), 1e-15);
    ck_assert_double_eq_tol(mlp_cosine(A, A3, 4), 1.0, 1e-15);
    // <I, A> = 6, ||I|| = sqrt 2, ||A|| = sqrt 34.
    ck_assert_double_eq_tol(mlp_cosine(I2, A, 4), 6 / (sqrt(2.0) * sqrt(34.0)), 1e-15);
    ck_assert(isnan(mlp_cosine(Z, A, 4)));
}
END_TEST

START_TEST(psd_sqrt_matches_hand_worked_cases_and_squares_back) {
    const double A[4] = {4, 0, 0, 9}, B[4] = {1, 1, 1, 1};
    double S[4];
    ck_assert_int_eq(mlp_psd_sqrt(A, 2, S, NULL), RFM_OK);
    const double SA[4] = {2, 0, 0, 3};
    ck_assert_double_le(fixture_maxdiff(S, SA, 4), 1e-14);
    // [[1,1],[1,1]] = 2 v v^T, v = (1,1)/sqrt2: the root is sqrt2 v v^T; its other eigenvalue
    // is 0 and may come out as -1e-17 (the clamp).
    ck_assert_int_eq(mlp_psd_sqrt(B, 2, S, NULL), RFM_OK);
    for (int k = 0; k < 4; k++) ck_assert_double_eq_tol(S[k], 1 / sqrt(2.0), 1e-14);
    enum { D = 7 };
    double M[D * D], R[D * D], SS[D * D];
    fixture_spd(M, D, 13);
    ck_assert_int_eq(mlp_psd_sqrt(M, D, R, NULL), RFM_OK);
    for (size_t a = 0; a < D; a++)
        for (size_t b = 0; b < D; b++) {
            double v = 0;
            for (size_t k = 0; k < D; k++) v += R[a * D + k] * R[k * D + b];
            SS[a * D + b] = v;
        }
    ck_assert_msg(fixture_maxdiff(SS, M, D * D) <= 1e-12, "S S vs A: %.3g",
                  fixture_maxdiff(SS, M, D * D));
}
END_TEST

/* 2x2 PSD square root in closed form: (A + sqrt(det) I) / sqrt(tr + 2 sqrt(det)). */
static void sqrt2x2_(const double *A, double *S) {
    double det = A[0] * A[3] - A[1] * A[2], sd = sqrt(det > 0 ? det : 0);
    double t = sqrt(A[0] + A[3] + 2 * sd);
    S[0] = (A[0] + sd) / t;
    S[1] = A[1] / t;
    S[2] = A[2] / t;
    S[3] = (A[3] + sd) / t;
}

static void ata2_(const double *M, size_t rows, double *out) { // M: (rows, 2) -> M^T M
    memset(out, 0, 4 * sizeof *out);
    for (size_t r = 0; r < rows; r++)
        for (size_t a = 0; a < 2; a++)
            for (size_t b = 0; b < 2; b++) out[a * 2 + b] += M[r * 2 + a] * M[r * 2 + b];
}

// d = 2 inputs and width 2, so every matrix of the ansatz is 2x2 with closed forms; the AGOP of
// layer 0 comes from finite-difference Jacobians of the loop network.
START_TEST(ansatz_cosines_match_closed_forms_on_a_two_unit_network) {
    enum { D = 2, C = 3, N = 40 };
    mlp_ref_shape s = {1, 0, MLP_TANH, D, 2, C};
    mlp_params p = mlp_ref_params(&s);
    p.seed = 17;
    p.epochs = 30;
    p.batch = 8;
    mlp_net *net = NULL;
    ck_assert_int_eq(mlp_create(&p, D, C, &net, NULL), RFM_OK);
    double X[N * D], Y[N * C];
    fixture_normal(X, N * D, 18);
    mlp_ref_one_hot(Y, N, C, 19);
    rfm_view Xv = rfm_view_of(X, N, D), Yv = rfm_view_of(Y, N, C);
    ck_assert_int_eq(mlp_train(net, &Xv, &Yv, NULL, NULL, NULL, NULL, NULL, NULL), RFM_OK);
    mlp_dnfa_layer r[2];
    ck_assert_int_eq(mlp_dnfa(net, &Xv, r, NULL), RFM_OK);
    const double *th = mlp_param_data(net);
    double G[4] = {0}, Jb[C * D] = {0};
    for (size_t i = 0; i < N; i++) {
        double x[D], J[C * D], f1[C], f2[C];
        memcpy(x, X + i * D, sizeof x);
        for (size_t q = 0; q < D; q++) {
            double keep = x[q];
            x[q] = keep + 1e-6;
            mlp_ref_forward(&s, th, 0, x, f1);
            x[q] = keep - 1e-6;
            mlp_ref_forward(&s, th, 0, x, f2);
            x[q] = keep;
            for (size_t k = 0; k < C; k++) J[k * D + q] = (f1[k] - f2[k]) / 2e-6;
        }
        double jj[4];
        ata2_(J, C, jj);
        for (int k = 0; k < 4; k++) G[k] += jj[k] / N;
        for (size_t k = 0; k < C * D; k++) Jb[k] += J[k] / N;
    }
    double Gc[4], jbj[4], SG[4], SGc[4], Delta[4], Nf[4], Gram[4], Init[4];
    ata2_(Jb, C, jbj);
    for (int k = 0; k < 4; k++) Gc[k] = G[k] - jbj[k];
    sqrt2x2_(G, SG);
    sqrt2x2_(Gc, SGc);
    const double *W = mlp_weight(net, 0), *W0 = mlp_weight_init(net, 0);
    for (int k = 0; k < 4; k++) Delta[k] = W[k] - W0[k];
    ata2_(Delta, 2, Nf);
    ata2_(W, 2, Gram);
    ata2_(W0, 2, Init);
    double want[9] = {mlp_cosine(Nf, G, 4),    mlp_cosine(Nf, SG, 4),   mlp_cosine(Nf, Gc, 4),
                      mlp_cosine(Nf, SGc, 4),  mlp_cosine(Init, G, 4),  mlp_cosine(Init, SG, 4),
                      mlp_cosine(Nf, Init, 4), mlp_cosine(Gram, G, 4),  mlp_cosine(Gram, SG, 4)};
    double got[9] = {r[0].cos_nfm_agop,          r[0].cos_nfm_sqrt_agop,
                     r[0].cos_nfm_agop_centered, r[0].cos_nfm_sqrt_agop_centered,
                     r[0].cos_init_agop,         r[0].cos_init_sqrt_agop,
                     r[0].cos_nfm_init,          r[0].cos_gram_agop,
                     r[0].cos_gram_sqrt_agop};
    for (int k = 0; k < 9; k++)
        ck_assert_msg(fabs(got[k] - want[k]) <= 1e-7, "cosine %d: %.12g, closed form %.12g", k,
                      got[k], want[k]);
    // The readout's Jacobian is W_1 for every input: its centred AGOP vanishes.
    ck_assert(isnan(r[1].cos_nfm_agop_centered) && !isnan(r[1].cos_nfm_agop));
    mlp_free(net);
}
END_TEST

static Suite *suite_(void) {
    Suite *s = suite_create("mlp_dnfa");
    TCase *tc = tcase_create("dnfa");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, agop_of_a_linear_network_is_WtW_and_its_centred_form_is_zero);
    tcase_add_test(tc, agop_over_several_blocks_equals_mean_of_finite_difference_outer_products);
    tcase_add_test(tc, cosine_of_I2_and_diag_1_0_is_one_over_sqrt2);
    tcase_add_test(tc, psd_sqrt_matches_hand_worked_cases_and_squares_back);
    tcase_add_test(tc, ansatz_cosines_match_closed_forms_on_a_two_unit_network);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return fixture_run(suite_()); }
