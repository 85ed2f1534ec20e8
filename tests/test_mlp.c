/* test_mlp.c - Check suite for baselines/mlp.c and mdl_mlp.c: backprop gradients and network
 * Jacobians against central differences of an independent loop-by-loop network (mlp_ref.c),
 * the optimiser steps against their formulas, early stopping against the recorded validation
 * curve, seeding, and the model interface. mlp_dnfa.c is tested in test_mlp_dnfa.c. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "mlp.h"
#include "mlp_ref.h"
#include "model.h"

/* ---- gradients and Jacobians ----------------------------------------------------------------- */

static void check_gradient_(mlp_ref_shape s, mlp_loss loss) {
    enum { N = 9 };
    double X[N * 8], Y[N * 8], g[512];
    fixture_normal(X, N * s.d, 11);
    mlp_ref_one_hot(Y, N, s.c, 12);
    mlp_params p = mlp_ref_params(&s);
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
    double ref = mlp_ref_loss(&s, th, loss, X, Y, N);
    ck_assert_msg(fabs(loss_val - ref) <= 1e-12 * (1 + fabs(ref)), "loss %.15g, naive %.15g",
                  loss_val, ref);
    const double h = 1e-6;
    double worst = 0;
    size_t at = 0;
    for (size_t k = 0; k < np; k++) { // every parameter of the net
        double keep = th[k];
        th[k] = keep + h;
        double lp = mlp_ref_loss(&s, th, loss, X, Y, N);
        th[k] = keep - h;
        double lm = mlp_ref_loss(&s, th, loss, X, Y, N);
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
    mlp_ref_shape relu = {2, 0, MLP_RELU, 3, 5, 2};      // the paper's setting: ReLU, no bias
    mlp_ref_shape tanh_bias = {2, 1, MLP_TANH, 4, 3, 3};
    mlp_ref_shape sigm = {1, 1, MLP_SIGMOID, 3, 4, 2};
    mlp_ref_shape linear = {0, 1, MLP_RELU, 4, 1, 3};
    check_gradient_(relu, MLP_LOSS_MSE);
    check_gradient_(tanh_bias, MLP_LOSS_MSE);
    check_gradient_(tanh_bias, MLP_LOSS_XENT);
    check_gradient_(sigm, MLP_LOSS_XENT);
    check_gradient_(linear, MLP_LOSS_MSE);
}
END_TEST

START_TEST(jacobian_matches_central_differences_at_every_layer) {
    mlp_ref_shape shapes[2] = {{3, 0, MLP_RELU, 4, 6, 3}, {2, 1, MLP_TANH, 3, 5, 2}};
    for (int t = 0; t < 2; t++) {
        mlp_ref_shape s = shapes[t];
        mlp_params p = mlp_ref_params(&s);
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
            size_t in = mlp_ref_in(&s, i), o = mlp_ref_out(&s, i);
            ck_assert_int_eq(mlp_jacobian(net, x, (size_t)i, J, NULL), RFM_OK);
            for (size_t q = 0; q < in; q++) {
                double keep = h[q], e = 1e-6;
                h[q] = keep + e;
                mlp_ref_forward(&s, th, i, h, f1);
                h[q] = keep - e;
                mlp_ref_forward(&s, th, i, h, f2);
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
                nh[k] = mlp_ref_sigma(s.act, z);
            }
            memcpy(h, nh, o * sizeof *h);
            off += in * o + (s.bias ? o : 0);
        }
        mlp_free(net);
    }
}
END_TEST

/* ---- optimisers, early stopping, seeding ----------------------------------------------------- */

// Full-batch epochs (batch = n: the shuffle cannot matter) against the update formulas, with the
// gradient by central differences of the loop network.
static void fd_grad_(const mlp_ref_shape *s, double *th, size_t np, const double *X,
                     const double *Y, size_t n, double *g) {
    for (size_t k = 0; k < np; k++) {
        double keep = th[k];
        th[k] = keep + 1e-6;
        double lp = mlp_ref_loss(s, th, MLP_LOSS_MSE, X, Y, n);
        th[k] = keep - 1e-6;
        double lm = mlp_ref_loss(s, th, MLP_LOSS_MSE, X, Y, n);
        th[k] = keep;
        g[k] = (lp - lm) / 2e-6;
    }
}

START_TEST(optimiser_steps_follow_sgd_momentum_and_adam_formulas) {
    enum { N = 12, D = 3, C = 2 };
    mlp_ref_shape s = {1, 1, MLP_TANH, D, 4, C};
    double X[N * D], Y[N * C], th[64], g0[64], g1[64], v[64];
    fixture_normal(X, N * D, 31);
    mlp_ref_one_hot(Y, N, C, 32);
    rfm_view Xv = rfm_view_of(X, N, D), Yv = rfm_view_of(Y, N, C);
    for (int opt = 0; opt < 3; opt++) { // plain sgd, sgd + momentum (2 epochs), adam
        mlp_params p = mlp_ref_params(&s);
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
    mlp_ref_one_hot(Y, N, C, 43);
    mlp_ref_one_hot(Ys, NV, C, 44);
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
    mlp_ref_one_hot(Y, N, C, 52);
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
    mlp_ref_one_hot(Y, N, C, 63);
    mlp_ref_one_hot(Ys, NV, C, 64);
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
    tcase_add_test(tc, optimiser_steps_follow_sgd_momentum_and_adam_formulas);
    tcase_add_test(tc, early_stopping_keeps_the_last_best_validation_epoch);
    tcase_add_test(tc, a_seed_reproduces_the_initialisation_within_pytorch_bounds);
    tcase_add_test(tc, diverging_training_without_validation_fails_naming_lr);
    tcase_add_test(tc, model_interface_rejects_bad_keys_and_refits_for_the_selected_epochs);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return fixture_run(suite_()); }
