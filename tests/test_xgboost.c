/* test_xgboost.c - Check suite for mdl_xgboost.c (types xgboost and random_forest): seeded
 * determinism, a threshold rule learned to >= 97% test accuracy, early stopping against a
 * booster trained directly through the XGBoost C API with the loss computed here, refit's round
 * count against that reference, a noisy line's RMSE against a derived bound, probability rows,
 * parameter errors that name the key, and XGBoost's own errors as one line. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xgboost/c_api.h>

#include "fixture.h"
#include "model.h"

/* ---- data -------------------------------------------------------------------------------- */

// y = [x0 > 0.3] as one-hot (n, 2) on X uniform in [0, 1]^d.
static void threshold_(double *X, double *Y, size_t n, size_t d, uint64_t seed) {
    fixture_uniform(X, n * d, 0.0, 1.0, seed);
    for (size_t i = 0; i < n; i++) {
        int pos = X[i * d] > 0.3;
        Y[i * 2] = pos ? 0.0 : 1.0;
        Y[i * 2 + 1] = pos ? 1.0 : 0.0;
    }
}

// X ~ N(0, 1); one-hot labels (n, c) drawn at random, except that a share `signal` of the rows
// (every row with u < signal) takes the class of x0's c equal-width bins on [-1.5, 1.5].
static void noisy_(double *X, double *Y, size_t n, size_t d, size_t c, double signal,
                   uint64_t seed) {
    double *u = malloc(2 * n * sizeof *u);
    fixture_normal(X, n * d, seed);
    fixture_uniform(u, 2 * n, 0.0, 1.0, seed + 1000);
    for (size_t i = 0; i < n; i++) {
        size_t k = (size_t)(u[n + i] * (double)c);
        if (u[i] < signal) {
            double t = (X[i * d] + 1.5) / 3.0 * (double)c;
            k = t < 0 ? 0 : t >= (double)c ? c - 1 : (size_t)t;
        }
        for (size_t j = 0; j < c; j++) Y[i * c + j] = j == k;
    }
    free(u);
}

static void noise_(double *X, double *Y, size_t n, size_t d, size_t c, uint64_t seed) {
    noisy_(X, Y, n, d, c, 0.0, seed);
}

// Share of rows whose score argmax is the one-hot class.
static double accuracy_(const double *P, const double *Y, size_t n, size_t c) {
    size_t hit = 0;
    for (size_t i = 0; i < n; i++)
        hit += fixture_argmax(P + i * c, c) == fixture_argmax(Y + i * c, c);
    return (double)hit / (double)n;
}

static mdl_model *make_(const char *type, const mdl_param *items, size_t count, mdl_task task) {
    mdl_params p = {items, count};
    mdl_model *m = NULL;
    rfm_error e = {RFM_OK, ""};
    rfm_status st = mdl_create(type, &p, task, &m, &e);
    ck_assert_msg(st == RFM_OK, "create %s: %s", type, e.msg);
    return m;
}

static void fit_ok_(mdl_model *m, const double *X, const double *Y, size_t n, size_t d, size_t c,
                    const double *Xv, const double *Yv, size_t nv) {
    rfm_view x = rfm_view_of(X, n, d), y = rfm_view_of(Y, n, c);
    rfm_view xv = rfm_view_of(Xv, nv, d), yv = rfm_view_of(Yv, nv, c);
    rfm_error e = {RFM_OK, ""};
    rfm_status st = mdl_fit(m, &x, &y, Xv ? &xv : NULL, Yv ? &yv : NULL, &e);
    ck_assert_msg(st == RFM_OK, "fit: %s", e.msg);
}

static void predict_ok_(mdl_model *m, const double *Z, size_t n, size_t d, double *P) {
    rfm_view z = rfm_view_of(Z, n, d);
    rfm_error e = {RFM_OK, ""};
    ck_assert_msg(mdl_predict(m, &z, P, &e) == RFM_OK, "predict: %s", e.msg);
}

// The integer after "rounds=" in describe(), or -1.
static long described_rounds_(mdl_model *m) {
    char buf[256];
    mdl_describe(m, buf, sizeof buf);
    const char *r = strstr(buf, "rounds=");
    return r ? strtol(r + 7, NULL, 10) : -1;
}

/* ---- independent reference: XGBoost driven directly ---------------------------------------- */

// The booster parameters mdl_xgboost.c documents for multi:softprob (tree_method hist, one
// tree per class and round), with the fixed values of the early-stopping test.
static BoosterHandle ref_booster_(DMatrixHandle *dms, bst_ulong n_dms, size_t c) {
    char nc[16];
    snprintf(nc, sizeof nc, "%zu", c);
    const char *kv[][2] = {{"verbosity", "0"},        {"booster", "gbtree"},
                           {"tree_method", "hist"},   {"objective", "multi:softprob"},
                           {"num_class", nc},         {"eta", "0.3"},
                           {"max_depth", "3"},        {"subsample", "1"},
                           {"colsample_bytree", "1"}, {"colsample_bynode", "1"},
                           {"min_child_weight", "1"}, {"lambda", "1"},
                           {"num_parallel_tree", "1"}, {"seed", "0"},
                           {"nthread", "1"}};
    BoosterHandle b = NULL;
    ck_assert_int_eq(XGBoosterCreate(dms, n_dms, &b), 0);
    for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++)
        ck_assert_int_eq(XGBoosterSetParam(b, kv[i][0], kv[i][1]), 0);
    return b;
}

static DMatrixHandle ref_dmatrix_(const double *X, const double *Y, size_t n, size_t d,
                                  size_t c) {
    float *F = malloc(n * d * sizeof *F), *L = malloc(n * sizeof *L);
    for (size_t i = 0; i < n * d; i++) F[i] = (float)X[i];
    DMatrixHandle h = NULL;
    ck_assert_int_eq(XGDMatrixCreateFromMat(F, (bst_ulong)n, (bst_ulong)d, NAN, &h), 0);
    if (Y) {
        for (size_t i = 0; i < n; i++) L[i] = (float)fixture_argmax(Y + i * c, c);
        ck_assert_int_eq(XGDMatrixSetFloatInfo(h, "label", L, (bst_ulong)n), 0);
    }
    free(F);
    free(L);
    return h;
}

// Probabilities (n, c) of the first `rounds` rounds of b at dm, into P.
static void ref_predict_(BoosterHandle b, DMatrixHandle dm, int rounds, size_t n, size_t c,
                         double *P) {
    char cfg[200];
    snprintf(cfg, sizeof cfg,
             "{\"type\": 0, \"training\": false, \"iteration_begin\": 0, \"iteration_end\": %d, "
             "\"strict_shape\": true}",
             rounds);
    const bst_ulong *shape;
    bst_ulong dim;
    const float *out;
    ck_assert_int_eq(XGBoosterPredictFromDMatrix(b, dm, cfg, &shape, &dim, &out), 0);
    for (size_t i = 0; i < n * c; i++) P[i] = (double)out[i];
}

/* ---- tests --------------------------------------------------------------------------------- */

// Row and column sampling make the seed matter; the same seed must reproduce every score.
START_TEST(same_seed_gives_identical_predictions) {
    enum { N = 300, D = 4, C = 3, M = 100 };
    static double X[N * D], Y[N * C], Z[M * D], P1[M * C], P2[M * C], P3[M * C];
    noise_(X, Y, N, D, C, 11);
    for (size_t i = 0; i < N; i++) { // some signal so that the trees are not stumps
        size_t k = X[i * D] > 0.5 ? 2 : X[i * D + 1] > 0 ? 1 : 0;
        for (size_t j = 0; j < C; j++) Y[i * C + j] = j == k;
    }
    fixture_normal(Z, M * D, 12);
    const char *types[] = {"xgboost", "random_forest"};
    for (int t = 0; t < 2; t++) {
        mdl_param seed7[] = {{"seed", "7"},
                             {"subsample", "0.7"},
                             {t ? "n_trees" : "colsample_bytree", t ? "50" : "0.5"},
                             {t ? "seed" : "n_estimators", t ? "7" : "40"}};
        mdl_param seed8[] = {seed7[0], seed7[1], seed7[2], seed7[3]};
        seed8[0].value = "8";
        if (t) seed8[3].value = "8";
        mdl_model *a = make_(types[t], seed7, 4, MDL_CLASSIFICATION);
        mdl_model *b = make_(types[t], seed7, 4, MDL_CLASSIFICATION);
        mdl_model *o = make_(types[t], seed8, 4, MDL_CLASSIFICATION);
        fit_ok_(a, X, Y, N, D, C, NULL, NULL, 0);
        fit_ok_(b, X, Y, N, D, C, NULL, NULL, 0);
        fit_ok_(o, X, Y, N, D, C, NULL, NULL, 0);
        predict_ok_(a, Z, M, D, P1);
        predict_ok_(b, Z, M, D, P2);
        predict_ok_(o, Z, M, D, P3);
        double same = fixture_maxdiff(P1, P2, M * C), other = fixture_maxdiff(P1, P3, M * C);
        ck_assert_msg(same == 0.0, "%s: two fits with seed 7 differ by %g", types[t], same);
        ck_assert_msg(other > 1e-6, "%s: seeds 7 and 8 agree to %g: the seed is ignored",
                      types[t], other);
        mdl_free(a);
        mdl_free(b);
        mdl_free(o);
    }
}
END_TEST

// Axis-aligned threshold: a single split separates the classes, so both tree models must get
// nearly every fresh point right (only points within a bin width of 0.3 are in doubt).
START_TEST(threshold_rule_is_learned_to_97_percent) {
    enum { N = 500, NV = 200, NT = 2000, D = 3 };
    static double X[N * D], Y[N * 2], Xv[NV * D], Yv[NV * 2], Xt[NT * D], Yt[NT * 2];
    static double P[NT * 2];
    threshold_(X, Y, N, D, 21);
    threshold_(Xv, Yv, NV, D, 22);
    threshold_(Xt, Yt, NT, D, 23);
    const char *types[] = {"xgboost", "random_forest"};
    for (int t = 0; t < 2; t++) {
        mdl_param nt[] = {{"nthread", "1"}, {"n_trees", "100"}};
        mdl_model *m = make_(types[t], nt, 1 + (size_t)t, MDL_CLASSIFICATION);
        fit_ok_(m, X, Y, N, D, 2, Xv, Yv, NV);
        predict_ok_(m, Xt, NT, D, P);
        double acc = accuracy_(P, Yt, NT, 2);
        ck_assert_msg(acc >= 0.97, "%s: test accuracy %.4f < 0.97", types[t], acc);
        mdl_free(m);
    }
}
END_TEST

// Binary scores are [1 - p, p] and softprob rows are distributions: every row sums to 1.
START_TEST(scores_are_probability_rows) {
    enum { N = 200, D = 3, M = 50 };
    static double X[N * D], Y[N * 4], Z[M * D], P[M * 4];
    fixture_normal(Z, M * D, 32);
    for (size_t c = 2; c <= 4; c += 2) {
        noise_(X, Y, N, D, c, 31);
        mdl_param p[] = {{"n_estimators", "5"}, {"nthread", "1"}};
        mdl_model *m = make_("xgboost", p, 2, MDL_CLASSIFICATION);
        fit_ok_(m, X, Y, N, D, c, NULL, NULL, 0);
        predict_ok_(m, Z, M, D, P);
        for (size_t i = 0; i < M; i++) {
            double s = 0;
            for (size_t j = 0; j < c; j++) {
                ck_assert_msg(P[i * c + j] >= 0 && P[i * c + j] <= 1, "c=%zu: score %g", c,
                              P[i * c + j]);
                s += P[i * c + j];
            }
            ck_assert_msg(fabs(s - 1) <= 1e-6, "c=%zu row %zu sums to %.9f (tol 1e-6)", c, i, s);
        }
        mdl_free(m);
    }
}
END_TEST

// On half-noise labels the validation loss stops improving well before 300 rounds. The
// expected round count comes from a booster trained here through the C API, its mlogloss
// computed here round by round (iteration_end = r, no prediction cache) and XGBoost's
// EarlyStopping rule (strictly lower is better; stop after `patience` rounds without).
// The fitted model must predict with those R rounds, not with the rounds boosted before the
// stop (patience 1 stops one round after the best). Refit on new rows must then boost exactly
// R rounds: its scores equal the reference booster's with R rounds and differ from R + 1.
static void early_stopping_case_(int PAT, const char *pat) {
    enum { N = 200, NV = 200, NT = 100, D = 5, C = 3, MAX = 300 };
    static double X[N * D], Y[N * C], Xv[NV * D], Yv[NV * C], X2[N * D], Y2[N * C];
    static double Xt[NT * D], Pv[NV * C], P[NT * C], R1[NT * C], R2[NT * C];
    // Half signal, half noise: the loss falls for some rounds, then overfitting turns it up.
    noisy_(X, Y, N, D, C, 0.5, 41);
    noisy_(Xv, Yv, NV, D, C, 0.5, 42);
    noisy_(X2, Y2, N, D, C, 0.5, 43);
    fixture_normal(Xt, NT * D, 44);
    mdl_param p[] = {{"eta", "0.3"},         {"max_depth", "3"},
                     {"n_estimators", "300"}, {"early_stopping_rounds", pat},
                     {"nthread", "1"}};
    mdl_model *m = make_("xgboost", p, 5, MDL_CLASSIFICATION);
    fit_ok_(m, X, Y, N, D, C, Xv, Yv, NV);
    long got = described_rounds_(m);

    DMatrixHandle dm[2] = {ref_dmatrix_(X, Y, N, D, C), ref_dmatrix_(Xv, NULL, NV, D, C)};
    BoosterHandle b = ref_booster_(dm, 2, C);
    double best = INFINITY;
    int best_r = 0, r;
    for (r = 0; r < MAX; r++) {
        ck_assert_int_eq(XGBoosterUpdateOneIter(b, r, dm[0]), 0);
        ref_predict_(b, dm[1], r + 1, NV, C, Pv);
        double loss = 0;
        for (size_t i = 0; i < NV; i++)
            loss -= log(fmax(Pv[i * C + fixture_argmax(Yv + i * C, C)], 1e-16));
        loss /= NV;
        if (loss < best) {
            best = loss;
            best_r = r;
        } else if (r - best_r >= PAT) {
            break;
        }
    }
    long want = best_r + 1;
    ck_assert_msg(r < MAX, "the reference never stopped early: the data are not noise");
    ck_assert_msg(got == want, "early stopping kept %ld rounds, the reference %ld", got, want);
    ck_assert_msg(want > 2, "the best round is %ld: too early to tell a rule apart", want);
    predict_ok_(m, Xt, NT, D, P);
    DMatrixHandle dt0 = ref_dmatrix_(Xt, NULL, NT, D, C);
    ref_predict_(b, dt0, (int)want, NT, C, R1);
    double fd = fixture_maxdiff(P, R1, NT * C);
    ck_assert_msg(fd <= 1e-7, "patience %d: fitted model vs reference with %ld rounds: %g",
                  PAT, want, fd);
    XGDMatrixFree(dt0);
    XGBoosterFree(b);
    XGDMatrixFree(dm[0]);
    XGDMatrixFree(dm[1]);

    rfm_view x2 = rfm_view_of(X2, N, D), y2 = rfm_view_of(Y2, N, C);
    rfm_error e = {RFM_OK, ""};
    ck_assert_msg(mdl_refit(m, &x2, &y2, &e) == RFM_OK, "refit: %s", e.msg);
    ck_assert_int_eq(described_rounds_(m), want);
    predict_ok_(m, Xt, NT, D, P);
    DMatrixHandle d2 = ref_dmatrix_(X2, Y2, N, D, C), dt = ref_dmatrix_(Xt, NULL, NT, D, C);
    b = ref_booster_(&d2, 1, C);
    for (int k = 0; k <= (int)want; k++) ck_assert_int_eq(XGBoosterUpdateOneIter(b, k, d2), 0);
    ref_predict_(b, dt, (int)want, NT, C, R1);
    ref_predict_(b, dt, (int)want + 1, NT, C, R2);
    double diff = fixture_maxdiff(P, R1, NT * C), next = fixture_maxdiff(P, R2, NT * C);
    ck_assert_msg(diff <= 1e-7, "refit vs reference with %ld rounds: max diff %g (tol 1e-7)",
                  want, diff);
    ck_assert_msg(next > 1e-5, "refit is indistinguishable from %ld rounds (%g)", want + 1, next);
    XGBoosterFree(b);
    XGDMatrixFree(d2);
    XGDMatrixFree(dt);
    mdl_free(m);
}

START_TEST(early_stopping_picks_the_best_round_and_refit_keeps_it) {
    early_stopping_case_(10, "10");
}
END_TEST

START_TEST(early_stopping_with_patience_one_predicts_with_the_best_round) {
    early_stopping_case_(1, "1");
}
END_TEST

// Without validation every round is boosted, and describe() says so.
START_TEST(fit_without_validation_boosts_n_estimators_rounds) {
    enum { N = 100, D = 2 };
    static double X[N * D], Y[N * 2];
    threshold_(X, Y, N, D, 51);
    mdl_param p[] = {{"n_estimators", "7"}, {"nthread", "1"}};
    mdl_model *m = make_("xgboost", p, 2, MDL_CLASSIFICATION);
    fit_ok_(m, X, Y, N, D, 2, NULL, NULL, 0);
    char buf[64];
    mdl_describe(m, buf, sizeof buf);
    ck_assert_str_eq(buf, "rounds=7");
    mdl_free(m);
}
END_TEST

// y = 2 x0 + e, e ~ N(0, s^2), s = 0.1, x uniform in [-1, 1]^2 (and a second target -x1 + e).
// The best possible test RMSE is s = 0.1 (the noise); 2000 test points put the sample RMSE of
// that ideal predictor within ~0.1 * (1 +- 3 / sqrt(2 * 2000)) = 0.1 +- 0.005. The trees add a
// staircase error: with b steps over the range 4 of 2 x0 it is about (4 / b) / sqrt(12), 0.023
// for b = 50, and a fit with noise-sized leaf errors on 1000 rows adds about as much again; so
// sqrt(0.105^2 + 2 * 0.023^2) ~ 0.11 is expected, and 0.15 fails anything that has not learned
// the line (predicting the mean scores 2 / sqrt(3) = 1.15 on the first target).
START_TEST(regression_on_a_noisy_line_has_rmse_below_0_15) {
    enum { N = 1000, NV = 300, NT = 2000, D = 2, C = 2 };
    static double X[N * D], Y[N * C], Xv[NV * D], Yv[NV * C], Xt[NT * D], Yt[NT * C];
    static double P[NT * C], E[(N + NV + NT) * C];
    fixture_uniform(X, N * D, -1, 1, 61);
    fixture_uniform(Xv, NV * D, -1, 1, 62);
    fixture_uniform(Xt, NT * D, -1, 1, 63);
    fixture_normal(E, (N + NV + NT) * C, 64);
    double *Xs[] = {X, Xv, Xt}, *Ys[] = {Y, Yv, Yt};
    size_t ns[] = {N, NV, NT}, off = 0;
    for (int s = 0; s < 3; s++) {
        for (size_t i = 0; i < ns[s]; i++, off++) {
            Ys[s][i * C] = 2 * Xs[s][i * D] + 0.1 * E[off * C];
            Ys[s][i * C + 1] = -Xs[s][i * D + 1] + 0.1 * E[off * C + 1];
        }
    }
    const char *types[] = {"xgboost", "random_forest"};
    for (int t = 0; t < 2; t++) {
        mdl_param p[] = {{"eta", "0.1"}, {"nthread", "1"}, {"n_trees", "200"}};
        mdl_model *m = make_(types[t], p + t, 2, MDL_REGRESSION);
        fit_ok_(m, X, Y, N, D, C, Xv, Yv, NV);
        predict_ok_(m, Xt, NT, D, P);
        for (size_t j = 0; j < C; j++) {
            double ss = 0;
            for (size_t i = 0; i < NT; i++) ss += pow(P[i * C + j] - Yt[i * C + j], 2);
            double rmse = sqrt(ss / NT);
            ck_assert_msg(rmse < 0.15, "%s target %zu: test RMSE %.4f >= 0.15", types[t], j,
                          rmse);
        }
        mdl_free(m);
    }
}
END_TEST

// Bad values and unknown keys fail at create time with a message naming the key.
START_TEST(bad_params_fail_naming_the_key) {
    struct {
        const char *type, *key, *value;
    } bad[] = {
        {"xgboost", "eta", "0"},          {"xgboost", "eta", "-0.1"},
        {"xgboost", "max_depth", "-1"},   {"xgboost", "depth", "3"},
        {"xgboost", "subsample", "1.5"},  {"xgboost", "colsample_bytree", "0"},
        {"xgboost", "n_estimators", "0"}, {"xgboost", "early_stopping_rounds", "-2"},
        {"xgboost", "lambda", "-1"},      {"xgboost", "eta", "fast"},
        {"random_forest", "n_trees", "0"}, {"random_forest", "colsample_bynode", "2"},
        {"random_forest", "eta", "0.3"},  {"random_forest", "max_depth", "-3"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mdl_param p = {bad[i].key, bad[i].value};
        mdl_params mp = {&p, 1};
        mdl_model *m = NULL;
        rfm_error e = {RFM_OK, ""};
        rfm_status st = mdl_create(bad[i].type, &mp, MDL_CLASSIFICATION, &m, &e);
        ck_assert_msg(st == RFM_EINVAL && m == NULL, "%s %s = %s was accepted", bad[i].type,
                      bad[i].key, bad[i].value);
        ck_assert_msg(strstr(e.msg, bad[i].key) != NULL, "'%s' does not name %s", e.msg,
                      bad[i].key);
    }
}
END_TEST

// An error raised inside XGBoost comes back as one line: a value beyond float range becomes
// inf in XGBoost's float matrix, which it rejects. Wrong column counts are caught before it.
START_TEST(xgboost_errors_are_one_line) {
    enum { N = 50, D = 3 };
    static double X[N * D], Y[N * 2], P[N * 2];
    threshold_(X, Y, N, D, 71);
    mdl_param p[] = {{"n_estimators", "3"}, {"nthread", "1"}};
    mdl_model *m = make_("xgboost", p, 2, MDL_CLASSIFICATION);
    fit_ok_(m, X, Y, N, D, 2, NULL, NULL, 0);
    X[4] = 1e300;
    rfm_view z = rfm_view_of(X, N, D);
    rfm_error e = {RFM_OK, ""};
    ck_assert_int_ne(mdl_predict(m, &z, P, &e), RFM_OK);
    ck_assert_msg(strncmp(e.msg, "xgboost ", 8) == 0 && strstr(e.msg, "inf"), "message '%s'",
                  e.msg);
    ck_assert_msg(strchr(e.msg, '\n') == NULL && strchr(e.msg, '[') == NULL,
                  "message has a newline or XGBoost's time stamp: '%s'", e.msg);
    z = rfm_view_of(X, N, 1); // one column where the model has three
    ck_assert_int_eq(mdl_predict(m, &z, P, &e), RFM_EINVAL);
    ck_assert_msg(strstr(e.msg, "1 columns") != NULL, "message '%s'", e.msg);
    mdl_free(m);
}
END_TEST

int main(void) {
    Suite *s = suite_create("xgboost");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, same_seed_gives_identical_predictions);
    tcase_add_test(tc, threshold_rule_is_learned_to_97_percent);
    tcase_add_test(tc, scores_are_probability_rows);
    tcase_add_test(tc, early_stopping_picks_the_best_round_and_refit_keeps_it);
    tcase_add_test(tc, early_stopping_with_patience_one_predicts_with_the_best_round);
    tcase_add_test(tc, fit_without_validation_boosts_n_estimators_rounds);
    tcase_add_test(tc, regression_on_a_noisy_line_has_rmse_below_0_15);
    tcase_add_test(tc, bad_params_fail_naming_the_key);
    tcase_add_test(tc, xgboost_errors_are_one_line);
    suite_add_tcase(s, tc);
    return fixture_run(s);
}
