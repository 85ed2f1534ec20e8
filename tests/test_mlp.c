/* test_mlp.c - Check suite for baselines/mlp.c, mlp_dnfa.c and mdl_mlp.c: backprop gradients and
 * network Jacobians against central differences of an independent loop-by-loop network, the
 * AGOP of a linear network (W^T W) and of a deep one (mean of finite-difference J^T J over
 * several blocks), the cosine and the PSD square root on hand-worked matrices, the ansatz of a
 * 2-unit network against closed forms, the optimiser steps against their formulas, early
 * stopping against the recorded validation curve, seeding, and the model interface. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "mlp.h"
#include "model.h"

/* ---- independent reference network: plain loops over the documented parameter layout --------- */

typedef struct {
    int depth, bias;
    mlp_activation act;
    size_t d, w, c;
} shape_;

static size_t in_(const shape_ *s, int i) { return i == 0 ? s->d : s->w; }
static size_t out_(const shape_ *s, int i) { return i == s->depth ? s->c : s->w; }

static double sigma_(mlp_activation a, double x) {
    if (a == MLP_RELU) return x > 0 ? x : 0;
    if (a == MLP_TANH) return tanh(x);
    return 1 / (1 + exp(-x));
}

/* f from h_start (the input of layer `start`) by loops; theta in the layout of mlp.h. */
static void naive_from_(const shape_ *s, const double *theta, int start, const double *h0,
                        double *f) {
    static double a[4096], b[4096]; // up to width 4096
    size_t off = 0;
    for (int i = 0; i < start; i++)
        off += in_(s, i) * out_(s, i) + (s->bias ? out_(s, i) : 0);
    memcpy(a, h0, in_(s, start) * sizeof *a);
    for (int i = start; i <= s->depth; i++) {
        size_t in = in_(s, i), o = out_(s, i);
        for (size_t k = 0; k < o; k++) {
            double z = s->bias ? theta[off + in * o + k] : 0;
            for (size_t q = 0; q < in; q++) z += theta[off + k * in + q] * a[q];
            b[k] = i < s->depth ? sigma_(s->act, z) : z;
        }
        memcpy(a, b, o * sizeof *a);
        off += in * o + (s->bias ? o : 0);
    }
    memcpy(f, a, s->c * sizeof *f);
}

static double naive_loss_(const shape_ *s, const double *theta, mlp_loss loss, const double *X,
                          const double *Y, size_t n) {
    double total = 0, f[64];
    for (size_t r = 0; r < n; r++) {
        naive_from_(s, theta, 0, X + r * s->d, f);
        const double *y = Y + r * s->c;
        if (loss == MLP_LOSS_MSE) {
            for (size_t k = 0; k < s->c; k++) total += (f[k] - y[k]) * (f[k] - y[k]);
        } else {
            double se = 0;
            for (size_t k = 0; k < s->c; k++) se += exp(f[k]);
            for (size_t k = 0; k < s->c; k++) total -= y[k] * log(exp(f[k]) / se);
        }
    }
    return loss == MLP_LOSS_MSE ? total / (double)(n * s->c) : total / (double)n;
}

static mlp_params params_of_(const shape_ *s) {
    mlp_params p = mlp_params_default();
    p.depth = s->depth;
    p.width = s->w;
    p.bias = s->bias;
    p.activation = s->act;
    return p;
}

static void one_hot_(double *Y, size_t n, size_t c, uint64_t seed) {
    double u[256];
    fixture_uniform(u, n, 0, (double)c, seed);
    memset(Y, 0, n * c * sizeof *Y);
    for (size_t r = 0; r < n; r++) Y[r * c + (size_t)u[r] % c] = 1;
}

/* ---- gradients and Jacobians ----------------------------------------------------------------- */

static void check_gradient_(shape_ s, mlp_loss loss) {
    enum { N = 9 };
    double X[N * 8], Y[N * 8], g[512];
    fixture_normal(X, N * s.d, 11);
    one_hot_(Y, N, s.c, 12);
    mlp_params p = params_of_(&s);
    p.loss = loss;
    p.seed = 5;
    mlp_net *net = NULL;
    ck_assert_int_eq(mlp_create(&p, s.d, s.c, &net, NULL), RFM_OK);
    size_t np = mlp_param_count(net);
    ck_assert_uint_le(np, 512);
    rfm_view Xv = rfm_view_of(X, N, s.d), Yv = rfm_view_of(Y, N, s.c);
    double loss_val = 0;
    ck_assert_int_eq(mlp_loss_grad(net, &Xv, &Yv, &loss_val, g, NULL), RFM_OK);
    double *th = mlp_param_data(net);
    double ref = naive_loss_(&s, th, loss, X, Y, N);
    ck_assert_msg(fabs(loss_val - ref) <= 1e-12 * (1 + fabs(ref)), "loss %.15g, naive %.15g",
                  loss_val, ref);
    const double h = 1e-6;
    double worst = 0;
    size_t at = 0;
    for (size_t k = 0; k < np; k++) { // every parameter of the net
        double keep = th[k];
        th[k] = keep + h;
        double lp = naive_loss_(&s, th, loss, X, Y, N);
        th[k] = keep - h;
        double lm = naive_loss_(&s, th, loss, X, Y, N);
        th[k] = keep;
        double fd = (lp - lm) / (2 * h), e = fabs(g[k] - fd) / (1 + fabs(fd));
        if (e > worst) {
            worst = e;
            at = k;
        }
    }
    ck_assert_msg(worst <= 1e-6, "parameter %zu of %zu: relative difference %.3g > 1e-6", at, np,
                  worst);
    mlp_free(net);
}

START_TEST(backprop_gradient_matches_central_differences_for_every_parameter) {
    shape_ relu = {2, 0, MLP_RELU, 3, 5, 2};      // the paper's setting: ReLU, no bias
    shape_ tanh_bias = {2, 1, MLP_TANH, 4, 3, 3};
    shape_ sigm = {1, 1, MLP_SIGMOID, 3, 4, 2};
    shape_ linear = {0, 1, MLP_RELU, 4, 1, 3};
    check_gradient_(relu, MLP_LOSS_MSE);
    check_gradient_(tanh_bias, MLP_LOSS_MSE);
    check_gradient_(tanh_bias, MLP_LOSS_XENT);
    check_gradient_(sigm, MLP_LOSS_XENT);
    check_gradient_(linear, MLP_LOSS_MSE);
}
END_TEST

START_TEST(jacobian_matches_central_differences_at_every_layer) {
    shape_ shapes[2] = {{3, 0, MLP_RELU, 4, 6, 3}, {2, 1, MLP_TANH, 3, 5, 2}};
    for (int t = 0; t < 2; t++) {
        shape_ s = shapes[t];
        mlp_params p = params_of_(&s);
        p.seed = 7;
        mlp_net *net = NULL;
        ck_assert_int_eq(mlp_create(&p, s.d, s.c, &net, NULL), RFM_OK);
        const double *th = mlp_param_data(net);
        double x[8], h[64], f1[8], f2[8], J[512];
        fixture_normal(x, s.d, 21 + (uint64_t)t);
        // h_i by the reference: layers 0..i-1 of the loop network, one at a time.
        memcpy(h, x, s.d * sizeof *h);
        size_t off = 0;
        for (int i = 0; i <= s.depth; i++) {
            size_t in = in_(&s, i), o = out_(&s, i);
            ck_assert_int_eq(mlp_jacobian(net, x, (size_t)i, J, NULL), RFM_OK);
            for (size_t q = 0; q < in; q++) {
                double keep = h[q], e = 1e-6;
                h[q] = keep + e;
                naive_from_(&s, th, i, h, f1);
                h[q] = keep - e;
                naive_from_(&s, th, i, h, f2);
                h[q] = keep;
                for (size_t k = 0; k < s.c; k++) {
                    double fd = (f1[k] - f2[k]) / (2 * e);
                    ck_assert_msg(fabs(J[k * in + q] - fd) <= 1e-7 * (1 + fabs(fd)),
                                  "shape %d layer %d: J[%zu,%zu] = %.12g, fd %.12g", t, i, k, q,
                                  J[k * in + q], fd);
                }
            }
            if (i == s.depth) break;
            double nh[64];
            for (size_t k = 0; k < o; k++) {
                double z = s.bias ? th[off + in * o + k] : 0;
                for (size_t q = 0; q < in; q++) z += th[off + k * in + q] * h[q];
                nh[k] = sigma_(s.act, z);
            }
            memcpy(h, nh, o * sizeof *h);
            off += in * o + (s.bias ? o : 0);
        }
        mlp_free(net);
    }
}
END_TEST

/* ---- AGOP ------------------------------------------------------------------------------------ */

START_TEST(agop_of_a_linear_network_is_WtW_and_its_centred_form_is_zero) {
    enum { D = 5, C = 3, N = 17 };
    shape_ s = {0, 1, MLP_RELU, D, 1, C};
    mlp_params p = params_of_(&s);
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
    shape_ s = {1, 1, MLP_TANH, D, W, C};
    mlp_params p = params_of_(&s);
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
            naive_from_(&s, th, 0, x, f1);
            x[q] = keep - e;
            naive_from_(&s, th, 0, x, f2);
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
    shape_ s = {1, 0, MLP_TANH, D, 2, C};
    mlp_params p = params_of_(&s);
    p.seed = 17;
    p.epochs = 30;
    p.batch = 8;
    mlp_net *net = NULL;
    ck_assert_int_eq(mlp_create(&p, D, C, &net, NULL), RFM_OK);
    double X[N * D], Y[N * C];
    fixture_normal(X, N * D, 18);
    one_hot_(Y, N, C, 19);
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
            naive_from_(&s, th, 0, x, f1);
            x[q] = keep - 1e-6;
            naive_from_(&s, th, 0, x, f2);
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

/* ---- optimisers, early stopping, seeding ----------------------------------------------------- */

// Full-batch epochs (batch = n: the shuffle cannot matter) against the update formulas, with the
// gradient by central differences of the loop network.
static void fd_grad_(const shape_ *s, double *th, size_t np, const double *X, const double *Y,
                     size_t n, double *g) {
    for (size_t k = 0; k < np; k++) {
        double keep = th[k];
        th[k] = keep + 1e-6;
        double lp = naive_loss_(s, th, MLP_LOSS_MSE, X, Y, n);
        th[k] = keep - 1e-6;
        double lm = naive_loss_(s, th, MLP_LOSS_MSE, X, Y, n);
        th[k] = keep;
        g[k] = (lp - lm) / 2e-6;
    }
}

START_TEST(optimiser_steps_follow_sgd_momentum_and_adam_formulas) {
    enum { N = 12, D = 3, C = 2 };
    shape_ s = {1, 1, MLP_TANH, D, 4, C};
    double X[N * D], Y[N * C], th[64], g0[64], g1[64], v[64];
    fixture_normal(X, N * D, 31);
    one_hot_(Y, N, C, 32);
    rfm_view Xv = rfm_view_of(X, N, D), Yv = rfm_view_of(Y, N, C);
    for (int opt = 0; opt < 3; opt++) { // plain sgd, sgd + momentum (2 epochs), adam
        mlp_params p = params_of_(&s);
        p.seed = 33;
        p.batch = N;
        p.lr = 0.05;
        p.epochs = opt == 1 ? 2 : 1;
        p.momentum = opt == 1 ? 0.9 : 0;
        p.optimizer = opt == 2 ? MLP_ADAM : MLP_SGD;
        mlp_net *net = NULL;
        ck_assert_int_eq(mlp_create(&p, D, C, &net, NULL), RFM_OK);
        size_t np = mlp_param_count(net);
        memcpy(th, mlp_param_init(net), np * sizeof *th);
        fd_grad_(&s, th, np, X, Y, N, g0);
        for (size_t k = 0; k < np; k++) {
            if (opt == 2) th[k] -= p.lr * g0[k] / (fabs(g0[k]) + 1e-8); // Adam's first step
            else th[k] -= p.lr * g0[k];
            v[k] = g0[k];
        }
        if (opt == 1) {
            fd_grad_(&s, th, np, X, Y, N, g1);
            for (size_t k = 0; k < np; k++) th[k] -= p.lr * (0.9 * v[k] + g1[k]);
        }
        ck_assert_int_eq(mlp_train(net, &Xv, &Yv, NULL, NULL, NULL, NULL, NULL, NULL), RFM_OK);
        double e = fixture_maxdiff(mlp_param_data(net), th, np);
        ck_assert_msg(e <= 1e-8, "optimiser %d: parameters differ by %.3g (tol 1e-8)", opt, e);
        mlp_free(net);
    }
}
END_TEST

typedef struct {
    double val[200];
    int n;
} curve_;

static rfm_status record_(void *ctx, const mlp_net *net, const mlp_epoch_info *info,
                          rfm_error *err) {
    (void)net;
    (void)err;
    curve_ *c = ctx;
    c->val[c->n++] = info->val_score;
    return RFM_OK;
}

static double accuracy_(const mlp_net *net, const double *X, const double *Y, size_t n, size_t d,
                        size_t c) {
    double P[1024];
    rfm_view Xv = rfm_view_of(X, n, d);
    ck_assert_int_eq(mlp_forward(net, &Xv, P, NULL), RFM_OK);
    size_t right = 0;
    for (size_t r = 0; r < n; r++) {
        size_t a = 0, b = 0;
        for (size_t k = 1; k < c; k++) {
            if (P[r * c + k] > P[r * c + a]) a = k;
            if (Y[r * c + k] > Y[r * c + b]) b = k;
        }
        right += a == b;
    }
    return (double)right / (double)n;
}

// Small validation sets make ties frequent: a tie keeps the later epoch but does not reset
// the patience count.
START_TEST(early_stopping_keeps_the_last_best_validation_epoch) {
    enum { N = 80, NV = 60, D = 4, C = 3 };
    double X[N * D], Y[N * C], Xs[NV * D], Ys[NV * C];
    fixture_normal(X, N * D, 41);
    fixture_normal(Xs, NV * D, 42);
    one_hot_(Y, N, C, 43);
    one_hot_(Ys, NV, C, 44);
    const size_t nvs[3] = {NV, 7, 4};
    for (int t = 0; t < 9; t++) {
        int patience = (t % 3) * 3;
        size_t nv = nvs[t / 3];
        mlp_params p = mlp_params_default();
        p.depth = 2;
        p.width = 16;
        p.epochs = 60;
        p.batch = 16;
        p.lr = 0.2;
        p.patience = patience;
        p.seed = 45 + (uint64_t)t;
        mlp_net *net = NULL;
        ck_assert_int_eq(mlp_create(&p, D, C, &net, NULL), RFM_OK);
        rfm_view Xv = rfm_view_of(X, N, D), Yv = rfm_view_of(Y, N, C);
        rfm_view Xw = rfm_view_of(Xs, nv, D), Yw = rfm_view_of(Ys, nv, C);
        curve_ cv = {{0}, 0};
        mlp_train_info info;
        ck_assert_int_eq(mlp_train(net, &Xv, &Yv, &Xw, &Yw, record_, &cv, &info, NULL), RFM_OK);
        // The last maximum of the recorded curve, and where patience stops it.
        int best = 0, strict = 0, stop = 60;
        for (int e = 0; e < stop; e++) {
            if (cv.val[e] >= cv.val[best]) best = e;
            if (cv.val[e] > cv.val[strict]) strict = e;
            if (patience && e - strict >= patience) stop = e + 1;
        }
        ck_assert_msg(cv.n == stop, "patience %d, %zu rows: ran %d epochs, expected %d", patience,
                      nv, cv.n, stop);
        ck_assert_int_eq(info.epochs_run, cv.n);
        ck_assert_int_eq(info.best_epoch, best + 1);
        double acc = accuracy_(net, Xs, Ys, nv, D, C);
        ck_assert_msg(acc == cv.val[best], "kept weights score %g, the curve's best %g", acc,
                      cv.val[best]);
        mlp_free(net);
    }
}
END_TEST

START_TEST(a_seed_reproduces_the_initialisation_within_pytorch_bounds) {
    mlp_params p = mlp_params_default();
    p.depth = 2;
    p.width = 9;
    p.bias = 1;
    p.seed = 77;
    mlp_net *a = NULL, *b = NULL, *c = NULL;
    ck_assert_int_eq(mlp_create(&p, 4, 3, &a, NULL), RFM_OK);
    ck_assert_int_eq(mlp_create(&p, 4, 3, &b, NULL), RFM_OK);
    p.seed = 78;
    ck_assert_int_eq(mlp_create(&p, 4, 3, &c, NULL), RFM_OK);
    size_t np = mlp_param_count(a);
    ck_assert_uint_eq(np, 9 * 4 + 9 + 9 * 9 + 9 + 3 * 9 + 3);
    ck_assert_mem_eq(mlp_param_data(a), mlp_param_data(b), np * sizeof(double));
    ck_assert(fixture_maxdiff(mlp_param_data(a), mlp_param_data(c), np) > 0);
    for (size_t i = 0; i < 3; i++) {
        size_t o, in;
        mlp_layer_shape(a, i, &o, &in);
        double bound = 1 / sqrt((double)in), lo = 0, hi = 0;
        const double *w = mlp_weight(a, i), *bi = mlp_bias(a, i);
        for (size_t k = 0; k < o * in; k++) {
            lo = fmin(lo, w[k]);
            hi = fmax(hi, w[k]);
        }
        for (size_t k = 0; k < o; k++) {
            lo = fmin(lo, bi[k]);
            hi = fmax(hi, bi[k]);
        }
        ck_assert_msg(lo >= -bound && hi <= bound && hi - lo > bound, "layer %zu: [%g, %g] vs %g",
                      i, lo, hi, bound);
    }
    mlp_free(a);
    mlp_free(b);
    mlp_free(c);
}
END_TEST

START_TEST(diverging_training_without_validation_fails_naming_lr) {
    enum { N = 20, D = 3, C = 2 };
    double X[N * D], Y[N * C];
    fixture_normal(X, N * D, 51);
    for (size_t k = 0; k < N * D; k++) X[k] *= 100; // unscaled inputs and a huge step
    one_hot_(Y, N, C, 52);
    mlp_params p = mlp_params_default();
    p.depth = 2;
    p.width = 8;
    p.activation = MLP_TANH; // bounded units: no dead ReLUs, the readout must blow up
    p.lr = 1e3;
    p.epochs = 50;
    mlp_net *net = NULL;
    ck_assert_int_eq(mlp_create(&p, D, C, &net, NULL), RFM_OK);
    rfm_view Xv = rfm_view_of(X, N, D), Yv = rfm_view_of(Y, N, C);
    rfm_error err = {RFM_OK, ""};
    ck_assert_int_eq(mlp_train(net, &Xv, &Yv, NULL, NULL, NULL, NULL, NULL, &err), RFM_ENUMERIC);
    ck_assert_msg(strstr(err.msg, "lr = 1000") != NULL, "message: %s", err.msg);
    mlp_free(net);
}
END_TEST

/* ---- the model interface --------------------------------------------------------------------- */

START_TEST(model_interface_rejects_bad_keys_and_refits_for_the_selected_epochs) {
    mdl_param bad1[] = {{"widht", "8"}}, bad2[] = {{"activation", "gelu"}},
              bad3[] = {{"loss", "xent"}};
    mdl_params pb1 = {bad1, 1}, pb2 = {bad2, 1}, pb3 = {bad3, 1};
    mdl_model *m = NULL;
    rfm_error err;
    ck_assert_int_eq(mdl_create("mlp", &pb1, MDL_CLASSIFICATION, &m, &err), RFM_EINVAL);
    ck_assert_msg(strstr(err.msg, "widht") != NULL, "%s", err.msg);
    ck_assert_int_eq(mdl_create("mlp", &pb2, MDL_CLASSIFICATION, &m, &err), RFM_EINVAL);
    ck_assert_msg(strstr(err.msg, "activation") != NULL, "%s", err.msg);
    ck_assert_int_eq(mdl_create("mlp", &pb3, MDL_REGRESSION, &m, &err), RFM_EINVAL);
    enum { N = 60, NV = 30, D = 4, C = 3 };
    double X[N * D], Y[N * C], Xs[NV * D], Ys[NV * C], P1[N * C], P2[N * C];
    fixture_normal(X, N * D, 61);
    fixture_normal(Xs, NV * D, 62);
    one_hot_(Y, N, C, 63);
    one_hot_(Ys, NV, C, 64);
    mdl_param ok[] = {{"depth", "2"},   {"width", "12"}, {"epochs", "25"}, {"batch", "10"},
                      {"lr", "0.05"},   {"seed", "3"},   {"optimizer", "adam"}};
    mdl_params po = {ok, 7};
    ck_assert_int_eq(mdl_create("mlp", &po, MDL_CLASSIFICATION, &m, &err), RFM_OK);
    rfm_view Xv = rfm_view_of(X, N, D), Yv = rfm_view_of(Y, N, C);
    rfm_view Xw = rfm_view_of(Xs, NV, D), Yw = rfm_view_of(Ys, NV, C);
    ck_assert_int_eq(mdl_fit(m, &Xv, &Yv, &Xw, &Yw, &err), RFM_OK);
    char desc[128];
    mdl_describe(m, desc, sizeof desc);
    int epoch = 0;
    ck_assert_int_eq(sscanf(desc, "epoch=%d", &epoch), 1);
    ck_assert(epoch >= 1 && epoch <= 25);
    ck_assert_int_eq(mdl_refit(m, &Xv, &Yv, &err), RFM_OK);
    ck_assert_int_eq(mdl_predict(m, &Xv, P1, &err), RFM_OK);
    // The same network trained directly for `epoch` epochs without validation.
    mlp_params p = mlp_params_default();
    p.depth = 2;
    p.width = 12;
    p.epochs = epoch;
    p.batch = 10;
    p.lr = 0.05;
    p.seed = 3;
    p.optimizer = MLP_ADAM;
    p.bias = 1;                 // the model interface's defaults (mdl_mlp.c)
    p.loss = MLP_LOSS_XENT;
    mlp_net *net = NULL;
    ck_assert_int_eq(mlp_create(&p, D, C, &net, NULL), RFM_OK);
    ck_assert_int_eq(mlp_train(net, &Xv, &Yv, NULL, NULL, NULL, NULL, NULL, NULL), RFM_OK);
    ck_assert_int_eq(mlp_forward(net, &Xv, P2, NULL), RFM_OK);
    ck_assert_msg(fixture_maxdiff(P1, P2, N * C) == 0, "refit differs by %g",
                  fixture_maxdiff(P1, P2, N * C));
    mlp_free(net);
    mdl_free(m);
}
END_TEST

static Suite *suite_(void) {
    Suite *s = suite_create("mlp");
    TCase *tc = tcase_create("mlp");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, backprop_gradient_matches_central_differences_for_every_parameter);
    tcase_add_test(tc, jacobian_matches_central_differences_at_every_layer);
    tcase_add_test(tc, agop_of_a_linear_network_is_WtW_and_its_centred_form_is_zero);
    tcase_add_test(tc, agop_over_several_blocks_equals_mean_of_finite_difference_outer_products);
    tcase_add_test(tc, cosine_of_I2_and_diag_1_0_is_one_over_sqrt2);
    tcase_add_test(tc, psd_sqrt_matches_hand_worked_cases_and_squares_back);
    tcase_add_test(tc, ansatz_cosines_match_closed_forms_on_a_two_unit_network);
    tcase_add_test(tc, optimiser_steps_follow_sgd_momentum_and_adam_formulas);
    tcase_add_test(tc, early_stopping_keeps_the_last_best_validation_epoch);
    tcase_add_test(tc, a_seed_reproduces_the_initialisation_within_pytorch_bounds);
    tcase_add_test(tc, diverging_training_without_validation_fails_naming_lr);
    tcase_add_test(tc, model_interface_rejects_bad_keys_and_refits_for_the_selected_epochs);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return fixture_run(suite_()); }
