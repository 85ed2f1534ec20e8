/* test_baselines.c - Check suite for the model interface (model.c) and the models behind it:
 * one conformance test run over every registered model type (defaults, unknown keys, predict
 * before fit, shapes and a guard past the output, column and row errors, refit, regression,
 * free), then KRR (laplace, gaussian, ntk; mdl_krr.c) against a naive kernel and Gaussian
 * elimination, linear ridge (mdl_ridge.c) against the augmented normal equations, and the
 * parameter and NaN errors of krr, svm and ridge. The NTK and the SVM have their own suites
 * (test_ntk.c, test_ksvm.c). */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "model.h"

/* ---- independent references: plain loops (with fixture_ntk and fixture_solve) -------------- */

enum { K_LAPLACE_, K_GAUSSIAN_, K_NTK_ };

static double naive_kernel_(int kind, const double *x, const double *z, size_t d, double L,
                            int depth, int fix) {
    if (kind == K_NTK_) return fixture_ntk(x, z, d, depth, fix);
    double s = 0;
    for (size_t p = 0; p < d; p++) s += (x[p] - z[p]) * (x[p] - z[p]);
    return kind == K_LAPLACE_ ? exp(-sqrt(s) / L) : exp(-s / (2 * L * L));
}

static double max_abs_(const double *a, size_t count) {
    double m = 0;
    for (size_t i = 0; i < count; i++) m = fmax(m, fabs(a[i]));
    return m;
}

/* ---- conformance: every registered model ----------------------------------------------------- */

enum { CN_ = 60, CM_ = 17, CD_ = 4, CC_ = 3, GUARD_ = 8 };
static const double SENTINEL_ = -12345.678;

START_TEST(every_model_creates_with_defaults_and_names_an_unknown_key) {
    const mdl_vtable *const *reg = mdl_registry();
    ck_assert_ptr_nonnull(reg[0]);
    mdl_param bad[] = {{"no_such_key", "1"}};
    mdl_params pb = {bad, 1};
    for (size_t t = 0; reg[t]; t++) {
        ck_assert_ptr_eq(mdl_find(reg[t]->type), reg[t]);
        for (int task = 0; task < 2; task++) {
            mdl_model *m = NULL;
            rfm_error err = {RFM_OK, ""};
            rfm_status st = mdl_create(reg[t]->type, NULL, (mdl_task)task, &m, &err);
            ck_assert_msg(st == RFM_OK, "%s: defaults rejected: %s", reg[t]->type, err.msg);
            mdl_free(m);
            m = (mdl_model *)&err; // must be reset to NULL on failure
            st = mdl_create(reg[t]->type, &pb, (mdl_task)task, &m, &err);
            ck_assert_msg(st == RFM_EINVAL && m == NULL, "%s: unknown key accepted",
                          reg[t]->type);
            ck_assert_msg(strstr(err.msg, "no_such_key"), "%s: message '%s' lacks the key",
                          reg[t]->type, err.msg);
        }
    }
    mdl_model *m = (mdl_model *)&pb;
    rfm_error err = {RFM_OK, ""};
    ck_assert_int_eq(mdl_create("no-such-type", NULL, MDL_CLASSIFICATION, &m, &err), RFM_EINVAL);
    ck_assert_ptr_null(m);
    ck_assert_msg(strstr(err.msg, "no-such-type") && strstr(err.msg, "svm"), "'%s'", err.msg);
    mdl_free(NULL);
}
END_TEST

// Predict into out (m, c) followed by GUARD_ sentinels; the guard must survive.
static void check_predict_(const char *type, mdl_model *m, const double *Z, size_t rows,
                           size_t c, double *out) {
    for (size_t i = 0; i < rows * c + GUARD_; i++) out[i] = SENTINEL_;
    rfm_view zv = rfm_view_of(Z, rows, CD_);
    rfm_error err = {RFM_OK, ""};
    rfm_status st = mdl_predict(m, &zv, out, &err);
    ck_assert_msg(st == RFM_OK, "%s: predict: %s", type, err.msg);
    for (size_t i = 0; i < rows * c; i++)
        ck_assert_msg(isfinite(out[i]) && out[i] != SENTINEL_, "%s: score %zu not written", type,
                      i);
    for (size_t i = rows * c; i < rows * c + GUARD_; i++)
        ck_assert_msg(out[i] == SENTINEL_, "%s: wrote past (%zu, %zu)", type, rows, c);
}

START_TEST(every_model_fits_predicts_the_right_shape_and_refits) {
    double X[CN_ * CD_], Y[CN_ * CC_], Z[CM_ * CD_], out[CN_ * CC_ + GUARD_];
    double yr[CN_], Xb[CN_ * CD_];
    fixture_blobs(X, Y, NULL, CN_, CD_, CC_, 11);
    fixture_blobs(Z, NULL, NULL, CM_, CD_, CC_, 12);
    fixture_blobs(Xb, NULL, NULL, CN_, CD_, CC_, 13);
    for (size_t i = 0; i < CN_; i++) yr[i] = X[i * CD_] - 0.5 * X[i * CD_ + 1];
    const mdl_vtable *const *reg = mdl_registry();
    for (size_t t = 0; reg[t]; t++) {
        const char *type = reg[t]->type;
        mdl_model *m = NULL;
        rfm_error err = {RFM_OK, ""};
        ck_assert_int_eq(mdl_create(type, NULL, MDL_CLASSIFICATION, &m, &err), RFM_OK);
        // Predicting before any fit is an error, not a crash.
        rfm_view zv = rfm_view_of(Z, CM_, CD_);
        err.msg[0] = '\0';
        ck_assert_msg(mdl_predict(m, &zv, out, &err) != RFM_OK && err.msg[0],
                      "%s: predict before fit succeeded or gave no message", type);
        // Fit with a validation set (the first 40 rows train, the rest validate).
        rfm_view xv = rfm_view_of(X, 40, CD_), yv = rfm_view_of(Y, 40, CC_);
        rfm_view xvv = rfm_view_of(X + 40 * CD_, CN_ - 40, CD_);
        rfm_view yvv = rfm_view_of(Y + 40 * CC_, CN_ - 40, CC_);
        rfm_status st = mdl_fit(m, &xv, &yv, &xvv, &yvv, &err);
        ck_assert_msg(st == RFM_OK, "%s: fit: %s", type, err.msg);
        check_predict_(type, m, X, CN_, CC_, out);
        size_t right = 0;
        for (size_t i = 0; i < CN_; i++) right += fixture_argmax(out + i * CC_, CC_) == i % CC_;
        ck_assert_msg(right >= CN_ * 9 / 10, "%s: %zu of %d separable points right", type, right,
                      CN_);
        size_t ns = 0;
        const double *vs = mdl_val_scores(m, &ns);
        ck_assert_msg((vs == NULL) == (ns == 0), "%s: val_scores and count disagree", type);
        char small[6];
        memset(small, 'x', sizeof small);
        mdl_describe(m, small, sizeof small);
        ck_assert_msg(memchr(small, '\0', sizeof small) != NULL, "%s: describe overflows", type);
        // Columns that do not match the fit are an error.
        rfm_view narrow = rfm_view_of(Z, CM_, CD_ - 1);
        err.msg[0] = '\0';
        ck_assert_msg(mdl_predict(m, &narrow, out, &err) != RFM_OK && err.msg[0],
                      "%s: predict with %d columns accepted", type, CD_ - 1);
        // Rows that do not match are refused by the dispatcher for fit and refit alike.
        rfm_view yshort = rfm_view_of(Y, 39, CC_);
        ck_assert_int_eq(mdl_fit(m, &xv, &yshort, NULL, NULL, &err), RFM_EINVAL);
        ck_assert_int_eq(mdl_refit(m, &xv, &yshort, &err), RFM_EINVAL);
        // A refit keeps what the fit selected (RFM: a d x d metric), so it keeps the columns.
        rfm_view xnarrow = rfm_view_of(Xb, 40, CD_ - 1);
        err.msg[0] = '\0';
        ck_assert_msg(mdl_refit(m, &xnarrow, &yv, &err) == RFM_EINVAL && err.msg[0],
                      "%s: refit with %d columns accepted", type, CD_ - 1);
        // Refit on other rows, then predict a different number of rows.
        rfm_view xb = rfm_view_of(Xb, CN_, CD_), yb = rfm_view_of(Y, CN_, CC_);
        st = mdl_refit(m, &xb, &yb, &err);
        ck_assert_msg(st == RFM_OK, "%s: refit: %s", type, err.msg);
        check_predict_(type, m, Z, CM_, CC_, out);
        mdl_free(m);

        // Regression, one target column.
        m = NULL;
        ck_assert_int_eq(mdl_create(type, NULL, MDL_REGRESSION, &m, &err), RFM_OK);
        rfm_view xr = rfm_view_of(X, CN_, CD_), yrv = rfm_view_of(yr, CN_, 1);
        st = mdl_fit(m, &xr, &yrv, NULL, NULL, &err);
        ck_assert_msg(st == RFM_OK, "%s: regression fit: %s", type, err.msg);
        check_predict_(type, m, Z, CM_, 1, out);
        mdl_free(m);

        // Freed right after create, with no fit.
        m = NULL;
        ck_assert_int_eq(mdl_create(type, NULL, MDL_CLASSIFICATION, &m, &err), RFM_OK);
        mdl_free(m);
    }
}
END_TEST

/* ---- RFM refit ------------------------------------------------------------------------------ */

// The protocol's evaluation folds refit the selected model: M_{t*} stays, alpha is solved on
// the new rows. Checked against plain loops (fixture_krr_predict with the selected M).
START_TEST(rfm_refit_keeps_the_selected_metric_and_solves_on_the_new_rows) {
    enum { N = 60, NV = 30, N2 = 50, M = 20, D = 4, C = 2 };
    static double X[N * D], Y[N * C], Xv[NV * D], Yv[NV * C], X2[N2 * D], Y2[N2 * C];
    static double Z[M * D], want[M * C], got[M * C];
    static double Msel[D * D];
    fixture_blobs(X, Y, NULL, N, D, C, 31);
    fixture_blobs(Xv, Yv, NULL, NV, D, C, 32);
    fixture_blobs(X2, Y2, NULL, N2, D, C, 33);
    fixture_normal(Z, M * D, 34);
    mdl_param p[] = {{"iters", "3"}, {"reg", "0.1"}, {"bandwidth", "3"}};
    mdl_params mp = {p, 3};
    mdl_model *m = NULL;
    rfm_error err = {RFM_OK, ""};
    ck_assert_int_eq(mdl_create("rfm", &mp, MDL_CLASSIFICATION, &m, &err), RFM_OK);
    rfm_view x = rfm_view_of(X, N, D), y = rfm_view_of(Y, N, C);
    rfm_view xv = rfm_view_of(Xv, NV, D), yv = rfm_view_of(Yv, NV, C);
    ck_assert_msg(mdl_fit(m, &x, &y, &xv, &yv, &err) == RFM_OK, "fit: %s", err.msg);
    size_t d = 0;
    int diag = 1;
    const double *Mfit = mdl_metric(m, &d, &diag);
    ck_assert(Mfit && d == D && !diag);
    memcpy(Msel, Mfit, sizeof Msel);
    rfm_view x2 = rfm_view_of(X2, N2, D), y2 = rfm_view_of(Y2, N2, C);
    ck_assert_msg(mdl_refit(m, &x2, &y2, &err) == RFM_OK, "refit: %s", err.msg);
    const double *Mref = mdl_metric(m, &d, &diag);
    ck_assert_msg(Mref && fixture_maxdiff(Mref, Msel, D * D) == 0, "refit changed M");
    fixture_krr_predict(X2, N2, Y2, C, Z, M, D, Msel, 0, 3.0, 0.1, want);
    rfm_view z = rfm_view_of(Z, M, D);
    ck_assert_msg(mdl_predict(m, &z, got, &err) == RFM_OK, "predict: %s", err.msg);
    double e = fixture_relerr(got, want, M * C);
    ck_assert_msg(e <= 1e-9, "refit predictions vs loops: relative error %g (tol 1e-9)", e);
    mdl_free(m);
}
END_TEST

/* ---- KRR ------------------------------------------------------------------------------------ */

START_TEST(krr_matches_a_direct_dense_solve_for_every_kernel) {
    enum { N = 15, M = 7, D = 3, C = 2 };
    double X[N * D], Y[N * C], Z[M * D], K[N * N], A[N * C], want[M * C], got[M * C];
    fixture_normal(X, N * D, 21);
    fixture_normal(Y, N * C, 22);
    fixture_normal(Z, M * D, 23);
    struct {
        const char *kernel, *bandwidth, *depth, *fix, *normalize;
        int kind;
        double L;
    } cases[] = {
        {"laplace", "2", "1", "0", "false", K_LAPLACE_, 2.0},
        {"laplace", "2", "1", "0", "true", K_LAPLACE_, 2.0},
        {"gaussian", "1.5", "1", "0", "false", K_GAUSSIAN_, 1.5},
        {"ntk", "10", "2", "1", "false", K_NTK_, 0},
        {"ntk", "10", "3", "0", "true", K_NTK_, 0},
        {"ntk", "10", "0", "0", "false", K_NTK_, 0},
    };
    const double reg = 0.05;
    for (size_t t = 0; t < sizeof cases / sizeof cases[0]; t++) {
        double Xn[N * D], Zn[M * D];
        memcpy(Xn, X, sizeof Xn);
        memcpy(Zn, Z, sizeof Zn);
        if (!strcmp(cases[t].normalize, "true")) {
            for (size_t i = 0; i < N + M; i++) {
                double *r = i < N ? Xn + i * D : Zn + (i - N) * D, s = 0;
                for (size_t p = 0; p < D; p++) s += r[p] * r[p];
                for (size_t p = 0; p < D; p++) r[p] /= sqrt(s);
            }
        }
        int depth = atoi(cases[t].depth), fix = atoi(cases[t].fix);
        for (size_t i = 0; i < N; i++)
            for (size_t j = 0; j < N; j++)
                K[i * N + j] = naive_kernel_(cases[t].kind, Xn + i * D, Xn + j * D, D,
                                             cases[t].L, depth, fix);
        fixture_solve(K, N, reg, Y, C, A);
        for (size_t i = 0; i < M; i++) {
            for (size_t k = 0; k < C; k++) {
                double s = 0;
                for (size_t j = 0; j < N; j++)
                    s += naive_kernel_(cases[t].kind, Zn + i * D, Xn + j * D, D, cases[t].L,
                                       depth, fix) *
                         A[j * C + k];
                want[i * C + k] = s;
            }
        }
        mdl_param pv[] = {{"kernel", cases[t].kernel}, {"bandwidth", cases[t].bandwidth},
                          {"depth", cases[t].depth},   {"fix", cases[t].fix},
                          {"normalize", cases[t].normalize}, {"reg", "0.05"}};
        mdl_params mp = {pv, sizeof pv / sizeof pv[0]};
        mdl_model *m = NULL;
        rfm_error err = {RFM_OK, ""};
        ck_assert_int_eq(mdl_create("krr", &mp, MDL_REGRESSION, &m, &err), RFM_OK);
        rfm_view xv = rfm_view_of(X, N, D), yv = rfm_view_of(Y, N, C), zv = rfm_view_of(Z, M, D);
        ck_assert_msg(mdl_fit(m, &xv, &yv, NULL, NULL, &err) == RFM_OK, "fit: %s", err.msg);
        ck_assert_msg(mdl_predict(m, &zv, got, &err) == RFM_OK, "predict: %s", err.msg);
        double diff = fixture_maxdiff(got, want, M * C), tol = 1e-9 * (1 + max_abs_(want, M * C));
        ck_assert_msg(diff <= tol, "krr %s (normalize %s, depth %d, fix %d): max diff %.3g > %.3g",
                      cases[t].kernel, cases[t].normalize, depth, fix, diff, tol);
        mdl_free(m);
    }
}
END_TEST

/* ---- ridge ---------------------------------------------------------------------------------- */

START_TEST(ridge_matches_the_augmented_normal_equations) {
    enum { N = 30, M = 9, D = 4, C = 2, DA = D + 1 };
    double X[N * D], Y[N * C], Z[M * D], got[M * C], want[M * C];
    fixture_normal(X, N * D, 101);
    fixture_normal(Z, M * D, 102);
    fixture_normal(Y, N * C, 103);
    for (size_t i = 0; i < N; i++) Y[i * C] += 3 + 2 * X[i * D + 1];
    const double reg = 0.7;
    for (int intercept = 0; intercept <= 1; intercept++) {
        // [X 1]^T [X 1] + diag(reg, ..., reg, 0) w = [X 1]^T Y: the intercept unpenalised.
        size_t da = intercept ? DA : D;
        double A[DA * DA] = {0}, B[DA * C] = {0}, W[DA * C];
        for (size_t i = 0; i < N; i++) {
            double row[DA];
            for (size_t p = 0; p < D; p++) row[p] = X[i * D + p];
            row[D] = 1;
            for (size_t p = 0; p < da; p++) {
                for (size_t q = 0; q < da; q++) A[p * da + q] += row[p] * row[q];
                for (size_t k = 0; k < C; k++) B[p * C + k] += row[p] * Y[i * C + k];
            }
        }
        for (size_t p = 0; p < D; p++) A[p * da + p] += reg;
        fixture_solve(A, da, 0.0, B, C, W);
        for (size_t i = 0; i < M; i++)
            for (size_t k = 0; k < C; k++) {
                double s = intercept ? W[D * C + k] : 0;
                for (size_t p = 0; p < D; p++) s += Z[i * D + p] * W[p * C + k];
                want[i * C + k] = s;
            }
        mdl_param pv[] = {{"reg", "0.7"}, {"intercept", intercept ? "true" : "false"}};
        mdl_params mp = {pv, 2};
        mdl_model *m = NULL;
        rfm_error err = {RFM_OK, ""};
        ck_assert_int_eq(mdl_create("ridge", &mp, MDL_REGRESSION, &m, &err), RFM_OK);
        rfm_view xv = rfm_view_of(X, N, D), yv = rfm_view_of(Y, N, C), zv = rfm_view_of(Z, M, D);
        ck_assert_msg(mdl_fit(m, &xv, &yv, NULL, NULL, &err) == RFM_OK, "%s", err.msg);
        ck_assert_int_eq(mdl_predict(m, &zv, got, &err), RFM_OK);
        double diff = fixture_maxdiff(got, want, M * C);
        ck_assert_msg(diff < 1e-10, "intercept %d: max diff %.3g >= 1e-10", intercept, diff);
        mdl_free(m);
    }
}
END_TEST

/* ---- parameter errors ------------------------------------------------------------------------ */

START_TEST(bad_parameters_fail_with_a_message_naming_the_key) {
    struct {
        const char *type, *key, *value, *key2, *value2;
    } cases[] = {
        {"krr", "kernel", "polynomial", NULL, NULL}, {"krr", "fix", "3", "depth", "2"},
        {"krr", "reg", "-1", NULL, NULL},            {"krr", "bandwidth", "0", NULL, NULL},
        {"krr", "depth", "two", NULL, NULL},         {"svm", "C", "0", NULL, NULL},
        {"svm", "gamma", "-1", NULL, NULL},          {"svm", "kernel", "poly", NULL, NULL},
        {"svm", "fix", "2", "depth", "1"},           {"svm", "epsilon", "-0.1", NULL, NULL},
        {"ridge", "reg", "-2", NULL, NULL},          {"ridge", "intercept", "maybe", NULL, NULL},
    };
    for (size_t t = 0; t < sizeof cases / sizeof cases[0]; t++) {
        mdl_param pv[2] = {{cases[t].key, cases[t].value}, {cases[t].key2, cases[t].value2}};
        mdl_params mp = {pv, cases[t].key2 ? 2 : 1};
        mdl_model *m = NULL;
        rfm_error err = {RFM_OK, ""};
        rfm_status st = mdl_create(cases[t].type, &mp, MDL_CLASSIFICATION, &m, &err);
        ck_assert_msg(st == RFM_EINVAL && m == NULL, "%s %s = %s accepted", cases[t].type,
                      cases[t].key, cases[t].value);
        ck_assert_msg(strstr(err.msg, cases[t].key), "%s %s = %s: message '%s' lacks the key",
                      cases[t].type, cases[t].key, cases[t].value, err.msg);
    }
}
END_TEST

START_TEST(nan_inputs_fail_with_einval) {
    double X[12] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, Y[12] = {1, 0, 0, 1, 1, 0,
                                                                    0, 1, 1, 0, 0, 1};
    // The dispatcher refuses NaN for every registered model, before the model sees it.
    const mdl_vtable *const *reg = mdl_registry();
    for (size_t t = 0; reg[t]; t++) {
        const char *types[1] = {reg[t]->type};
        mdl_model *m = NULL;
        ck_assert_int_eq(mdl_create(types[0], NULL, MDL_CLASSIFICATION, &m, NULL), RFM_OK);
        rfm_view xv = rfm_view_of(X, 6, 2), yv = rfm_view_of(Y, 6, 2);
        ck_assert_int_eq(mdl_fit(m, &xv, &yv, NULL, NULL, NULL), RFM_OK);
        X[3] = NAN;
        double out[12];
        rfm_error err = {RFM_OK, ""};
        ck_assert_msg(mdl_predict(m, &xv, out, &err) == RFM_EINVAL, "%s: NaN predicted",
                      types[0]);
        ck_assert_msg(mdl_fit(m, &xv, &yv, NULL, NULL, &err) == RFM_EINVAL, "%s: NaN fitted",
                      types[0]);
        ck_assert_msg(mdl_refit(m, &xv, &yv, &err) == RFM_EINVAL, "%s: NaN refitted", types[0]);
        X[3] = 3;
        mdl_free(m);
    }
}
END_TEST

static Suite *suite_(void) {
    Suite *s = suite_create("baselines");
    TCase *tc = tcase_create("conformance");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, every_model_creates_with_defaults_and_names_an_unknown_key);
    tcase_add_test(tc, every_model_fits_predicts_the_right_shape_and_refits);
    tcase_add_test(tc, rfm_refit_keeps_the_selected_metric_and_solves_on_the_new_rows);
    suite_add_tcase(s, tc);
    tc = tcase_create("models");
    tcase_add_test(tc, krr_matches_a_direct_dense_solve_for_every_kernel);
    tcase_add_test(tc, ridge_matches_the_augmented_normal_equations);
    tcase_add_test(tc, bad_parameters_fail_with_a_message_naming_the_key);
    tcase_add_test(tc, nan_inputs_fail_with_einval);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return fixture_run(suite_()); }
