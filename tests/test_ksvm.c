/* test_ksvm.c - Check suite for ksvm.c and mdl_svm.c (LIBSVM behind the model interface):
 * 100% on separable toy sets with the rbf, laplace and ntk kernels, predictions that agree
 * with LIBSVM's own svm-predict on the saved model file (rbf, precomputed laplace, and three
 * classes), decision values recomputed from that file by a plain loop, and the vote scores. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "ksvm.h"
#include "model.h"

START_TEST(svm_separates_separable_toy_sets_with_every_kernel) {
    enum { N = 60, M = 40, D = 3 };
    double X[N * D], Y[N * 3], Z[M * D], out[N * 3];
    int zl[M];
    const char *kernels[][4] = {{"rbf", "gamma", "0.5", ""},
                                {"laplace", "bandwidth", "2", ""},
                                {"ntk", "depth", "2", "fix"}};
    for (size_t c = 2; c <= 3; c++) {
        fixture_blobs(X, Y, NULL, N, D, c, 61 + c);
        fixture_blobs(Z, NULL, zl, M, D, c, 71 + c);
        for (size_t t = 0; t < 3; t++) {
            mdl_param pv[] = {{"kernel", kernels[t][0]}, {kernels[t][1], kernels[t][2]},
                              {"C", "10"}};
            mdl_params mp = {pv, 3};
            mdl_model *m = NULL;
            rfm_error err = {RFM_OK, ""};
            ck_assert_int_eq(mdl_create("svm", &mp, MDL_CLASSIFICATION, &m, &err), RFM_OK);
            rfm_view xv = rfm_view_of(X, N, D), yv = rfm_view_of(Y, N, c);
            ck_assert_msg(mdl_fit(m, &xv, &yv, NULL, NULL, &err) == RFM_OK, "%s", err.msg);
            rfm_view views[2] = {rfm_view_of(X, N, D), rfm_view_of(Z, M, D)};
            for (int s = 0; s < 2; s++) {
                ck_assert_int_eq(mdl_predict(m, &views[s], out, &err), RFM_OK);
                for (size_t i = 0; i < views[s].rows; i++) {
                    size_t want = s == 0 ? i % c : (size_t)zl[i];
                    ck_assert_msg(fixture_argmax(out + i * c, c) == want,
                                  "%s, %zu classes, %s row %zu: class %zu, want %zu",
                                  kernels[t][0], c, s ? "test" : "train", i,
                                  fixture_argmax(out + i * c, c), want);
                }
            }
            mdl_free(m);
        }
    }
}
END_TEST

typedef struct {
    double gamma, rho;
    size_t total;
    int precomputed;
    double coef[256];
    double sv[256][8]; // rbf: features 1..d; precomputed: sv[i][0] = serial
} model_file_;

// Read the fields of a binary LIBSVM model file that its decision function needs.
static void read_model_file_(const char *path, size_t d, model_file_ *mf) {
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    char line[8192];
    memset(mf, 0, sizeof *mf);
    while (fgets(line, sizeof line, f) && strncmp(line, "SV", 2) != 0) {
        if (!strncmp(line, "gamma ", 6)) mf->gamma = strtod(line + 6, NULL);
        if (!strncmp(line, "rho ", 4)) mf->rho = strtod(line + 4, NULL);
        if (!strncmp(line, "kernel_type precomputed", 23)) mf->precomputed = 1;
    }
    while (mf->total < 256 && fgets(line, sizeof line, f)) {
        char *p = line, *end;
        mf->coef[mf->total] = strtod(p, &end);
        for (p = end; *p && *p != '\n';) {
            long idx = strtol(p, &end, 10);
            ck_assert(*end == ':' && idx >= 0 && (size_t)idx <= d);
            mf->sv[mf->total][mf->precomputed ? 0 : idx - 1] = strtod(end + 1, &p);
            while (*p == ' ') p++;
        }
        mf->total++;
    }
    fclose(f);
}

// Run svm-predict on a test file; returns its labels in out (rows of them).
static void svm_predict_tool_(const char *test, const char *model, const char *pred,
                              size_t rows, double *out) {
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "/usr/bin/svm-predict '%s' '%s' '%s' > /dev/null", test, model,
             pred);
    ck_assert_msg(system(cmd) == 0, "svm-predict failed: %s", cmd);
    FILE *f = fopen(pred, "r");
    ck_assert_ptr_nonnull(f);
    for (size_t i = 0; i < rows; i++) ck_assert_int_eq(fscanf(f, "%lf", &out[i]), 1);
    fclose(f);
}

START_TEST(svm_matches_svm_predict_and_the_saved_decision_function) {
    if (access("/usr/bin/svm-predict", X_OK) != 0) {
        fprintf(stderr, "skipped: /usr/bin/svm-predict missing (Debian libsvm-tools)\n");
        return;
    }
    enum { N = 50, M = 30, D = 3 };
    double X[N * D], Z[M * D], y[N], dec[M * 3], pred[M], tool[M];
    int zl[M];
    const char *dir = fixture_tmpdir("ksvm");
    ck_assert_ptr_nonnull(dir);
    char model[4200], test[4200], out[4200];
    snprintf(model, sizeof model, "%s/model", dir);
    snprintf(test, sizeof test, "%s/test", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    // Overlapping classes (noise as wide as the gap) so that the decision values are not all
    // far from 0 and the support vectors are many.
    fixture_normal(X, N * D, 81);
    fixture_normal(Z, M * D, 82);
    for (size_t i = 0; i < N; i++) {
        y[i] = X[i * D] + 0.5 * X[i * D + 1] > 0;
    }
    for (size_t i = 0; i < M; i++) zl[i] = Z[i * D] > 0;
    rfm_view xv = rfm_view_of(X, N, D), zv = rfm_view_of(Z, M, D);
    for (int kern = KSVM_RBF; kern <= KSVM_LAPLACE; kern++) {
        ksvm_params p = ksvm_params_default();
        p.kernel = (ksvm_kernel)kern;
        p.C = 4;
        p.gamma = 0.7;
        p.bandwidth = 1.5;
        ksvm_model *m = NULL;
        rfm_error err = {RFM_OK, ""};
        ck_assert_msg(ksvm_fit(&p, &xv, y, &m, &err) == RFM_OK, "%s", err.msg);
        ck_assert_uint_eq(ksvm_decision_count(m), 1);
        ck_assert_int_eq(ksvm_predict(m, &zv, dec, pred, &err), RFM_OK);
        ck_assert_int_eq(ksvm_save(m, model, &err), RFM_OK);
        FILE *f = fopen(test, "w");
        for (size_t i = 0; i < M; i++) {
            fprintf(f, "%d", zl[i]);
            if (kern == KSVM_RBF) {
                for (size_t q = 0; q < D; q++) fprintf(f, " %zu:%.17g", q + 1, Z[i * D + q]);
            } else {
                fprintf(f, " 0:%zu", i + 1);
                for (size_t j = 0; j < N; j++) {
                    double s = 0;
                    for (size_t q = 0; q < D; q++)
                        s += (Z[i * D + q] - X[j * D + q]) * (Z[i * D + q] - X[j * D + q]);
                    fprintf(f, " %zu:%.17g", j + 1, exp(-sqrt(s) / 1.5));
                }
            }
            fputc('\n', f);
        }
        fclose(f);
        svm_predict_tool_(test, model, out, M, tool);
        for (size_t i = 0; i < M; i++)
            ck_assert_msg(tool[i] == pred[i], "%s row %zu: svm-predict %g, ksvm %g",
                          kern ? "laplace" : "rbf", i, tool[i], pred[i]);
        // The decision function from the file: sum_i coef_i K(sv_i, z) - rho.
        model_file_ mf;
        read_model_file_(model, D, &mf);
        ck_assert_uint_eq(mf.total, ksvm_support_count(m));
        ck_assert_int_eq(mf.precomputed, kern != KSVM_RBF);
        double worst = 0;
        size_t near0 = 0;
        for (size_t i = 0; i < M; i++) {
            double s = -mf.rho;
            for (size_t k = 0; k < mf.total; k++) {
                const double *sv = kern == KSVM_RBF ? mf.sv[k] : X + ((size_t)mf.sv[k][0] - 1) * D;
                double d2 = 0;
                for (size_t q = 0; q < D; q++)
                    d2 += (Z[i * D + q] - sv[q]) * (Z[i * D + q] - sv[q]);
                s += mf.coef[k] * (kern == KSVM_RBF ? exp(-mf.gamma * d2) : exp(-sqrt(d2) / 1.5));
            }
            // LIBSVM's labels come in order of appearance: dec > 0 means ksvm_labels()[0].
            worst = fmax(worst, fabs(s - dec[i]));
            near0 += fabs(dec[i]) < 1;
        }
        // rbf: the file keeps the support vectors to 8 digits (%.8g).
        double tol = kern == KSVM_RBF ? 1e-6 : 1e-10;
        ck_assert_msg(worst <= tol, "%s: decision values differ by %.3g > %.3g",
                      kern ? "laplace" : "rbf", worst, tol);
        ck_assert_msg(near0 > 0, "no decision value near 0: the comparison is too easy");
        ksvm_free(m);
    }
    // Three classes, one-vs-one: the labels must agree with svm-predict.
    for (size_t i = 0; i < N; i++) y[i] = (double)((X[i * D] > 0) + (X[i * D + 1] > 0.5));
    ksvm_params p = ksvm_params_default();
    ksvm_model *m = NULL;
    ck_assert_int_eq(ksvm_fit(&p, &xv, y, &m, NULL), RFM_OK);
    ck_assert_uint_eq(ksvm_classes(m), 3);
    ck_assert_int_eq(ksvm_predict(m, &zv, dec, pred, NULL), RFM_OK);
    ck_assert_int_eq(ksvm_save(m, model, NULL), RFM_OK);
    FILE *f = fopen(test, "w");
    for (size_t i = 0; i < M; i++) {
        fprintf(f, "0");
        for (size_t q = 0; q < D; q++) fprintf(f, " %zu:%.17g", q + 1, Z[i * D + q]);
        fputc('\n', f);
    }
    fclose(f);
    svm_predict_tool_(test, model, out, M, tool);
    for (size_t i = 0; i < M; i++)
        ck_assert_msg(tool[i] == pred[i], "3 classes, row %zu: svm-predict %g, ksvm %g", i,
                      tool[i], pred[i]);
    ksvm_free(m);
    remove(model);
    remove(test);
    remove(out);
    rmdir(dir);
}
END_TEST

START_TEST(svm_scores_are_votes_whose_argmax_is_libsvm_answer) {
    enum { N = 45, M = 20, D = 2, C = 4 };
    double X[N * D], Y[N * C], Z[M * D], out[M * C];
    fixture_blobs(X, NULL, NULL, N, D, 3, 91); // class 3 never appears in training
    for (size_t i = 0; i < N; i++)
        for (size_t k = 0; k < C; k++) Y[i * C + k] = k == i % 3;
    fixture_normal(Z, M * D, 92);
    mdl_model *m = NULL;
    ck_assert_int_eq(mdl_create("svm", NULL, MDL_CLASSIFICATION, &m, NULL), RFM_OK);
    rfm_view xv = rfm_view_of(X, N, D), yv = rfm_view_of(Y, N, C), zv = rfm_view_of(Z, M, D);
    ck_assert_int_eq(mdl_fit(m, &xv, &yv, NULL, NULL, NULL), RFM_OK);
    ck_assert_int_eq(mdl_predict(m, &zv, out, NULL), RFM_OK);
    for (size_t i = 0; i < M; i++) {
        double sum = 0, *o = out + i * C;
        for (size_t k = 0; k < C; k++) sum += o[k];
        // 3 classes: 3 pairwise votes, plus the half point of LIBSVM's answer.
        ck_assert_msg(sum == 3.5, "row %zu: scores sum to %g, want 3.5", i, sum);
        ck_assert_msg(o[3] == 0, "row %zu: the class absent from training scored %g", i, o[3]);
    }
    mdl_free(m);
}
END_TEST

static Suite *suite_(void) {
    Suite *s = suite_create("ksvm");
    TCase *tc = tcase_create("svm");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, svm_separates_separable_toy_sets_with_every_kernel);
    tcase_add_test(tc, svm_matches_svm_predict_and_the_saved_decision_function);
    tcase_add_test(tc, svm_scores_are_votes_whose_argmax_is_libsvm_answer);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return fixture_run(suite_()); }
