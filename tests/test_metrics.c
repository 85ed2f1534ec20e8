/* test_metrics.c - the learned-metric files behind the report's feature importances: the
 * model interface's metric hook (RFM keeps the selection's M_{t*} through refit, krr has none),
 * and `rfmbench run` writing RUN_DIR/metrics/DATASET__MODEL.csv that `rfmbench report` turns
 * into features/DATASET.csv, end to end on the bundled iris dataset. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "model.h"

#define CHECK_NEAR_(got, want, tol, what)                                                        \
    ck_assert_msg(fabs((double)(got) - (double)(want)) <= (tol),                                 \
                  "%s: got %.15g, want %.15g (diff %.3g > %.3g)", what, (double)(got),           \
                  (double)(want), fabs((double)(got) - (double)(want)), (double)(tol))

// The hook keeps the selection's M_{t*} after refit replaces the fitted model; krr has none.
START_TEST(rfm_metric_hook_survives_refit_and_krr_has_none) {
    enum { N = 60, D = 3 };
    double X[N * D], Y[N], X2[N * D];
    fixture_normal(X, N * D, 5u);
    fixture_normal(X2, N * D, 6u);
    for (int i = 0; i < N; i++) Y[i] = X[i * D] * X[i * D] + 0.1 * X[i * D + 1];
    mdl_param kv[] = {{"iters", "3"}, {"reg", "0.01"}};
    mdl_params p = {kv, 2};
    mdl_model *m = NULL;
    ck_assert_int_eq(mdl_create("rfm", &p, MDL_REGRESSION, &m, NULL), RFM_OK);
    rfm_view Xv = rfm_view_of(X, N, D), Yv = rfm_view_of(Y, N, 1);
    ck_assert_int_eq(mdl_fit(m, &Xv, &Yv, NULL, NULL, NULL), RFM_OK);
    size_t d = 0;
    int diag = 1;
    const double *M = mdl_metric(m, &d, &diag);
    ck_assert_ptr_nonnull(M);
    ck_assert_uint_eq(d, D);
    ck_assert_int_eq(diag, 0);
    double before[D * D];
    memcpy(before, M, sizeof before);
    // Without validation the fit is the last one (t = 2), whose M is an AGOP, not I.
    ck_assert_msg(fabs(before[0] - 1) > 1e-6 || fabs(before[1]) > 1e-6, "M is still I");
    rfm_view X2v = rfm_view_of(X2, N, D);
    ck_assert_int_eq(mdl_refit(m, &X2v, &Yv, NULL), RFM_OK);
    M = mdl_metric(m, &d, &diag);
    ck_assert_msg(fixture_maxdiff(M, before, D * D) == 0, "M changed by refit");
    mdl_free(m);
    mdl_param kk[] = {{"reg", "0.01"}};
    mdl_params pk = {kk, 1};
    ck_assert_int_eq(mdl_create("krr", &pk, MDL_REGRESSION, &m, NULL), RFM_OK);
    ck_assert_int_eq(mdl_fit(m, &Xv, &Yv, NULL, NULL, NULL), RFM_OK);
    ck_assert_ptr_null(mdl_metric(m, &d, &diag));
    ck_assert_uint_eq(d, 0);
    mdl_free(m);
}
END_TEST

// rfmbench run writes metrics/iris__rfm.csv (none for krr) holding the selected M_{t*}: I when
// the selection kept iteration 0, a symmetric AGOP otherwise; the report's features file
// carries its diagonal.
START_TEST(run_saves_the_selected_metric_and_report_reads_it) {
    char dir[4096], bin[4096];
    snprintf(dir, sizeof dir, "%s", fixture_tmpdir("report-e2e"));
    snprintf(bin, sizeof bin, "%s", fixture_bin("rfmbench"));
    char exp[4200], text[8192];
    snprintf(exp, sizeof exp, "%s/exp.yaml", dir);
    snprintf(text, sizeof text,
             "name: e2e\ndatasets: [%s]\nprotocol: uci121\nmetric: accuracy\nseed: 0\n"
             "threads: 1\njobs: 1\noutput: run\nmodels:\n"
             "  - {name: rfm, type: rfm, params: {bandwidth: 10, iters: 3},\n"
             "     grid: {reg: [1, 0.001]}}\n"
             "  - {name: laplace, type: krr, params: {bandwidth: 10, reg: 0.001}}\n",
             fixture_src("datasets/bundled/iris.yaml"));
    fixture_write_text(exp, text);
    ck_assert_int_eq(fixture_sh("'%s' run '%s' --quiet >/dev/null 2>&1", bin, exp), 0);
    char run[4200];
    snprintf(run, sizeof run, "%s/run", dir);
    ck_assert(fixture_nonempty(fixture_join(run, "metrics/iris__rfm.csv")));
    ck_assert(!fixture_nonempty(fixture_join(run, "metrics/iris__laplace.csv")));
    fixture_csv *t = fixture_csv_read(fixture_join(run, "metrics/iris__rfm.csv"));
    ck_assert_uint_eq(t->cols, 4);
    ck_assert_uint_eq(t->rows, 4);
    double M[16];
    for (size_t r = 0; r < 4; r++) {
        char name[8];
        snprintf(name, sizeof name, "f%zu", r + 1);
        ck_assert_str_eq(fixture_csv_cell(t, 0, r), name);
        for (size_t c = 0; c < 4; c++) M[r * 4 + c] = strtod(fixture_csv_cell(t, r + 1, c), NULL);
    }
    fixture_csv_free(t);
    int identity = 1;
    for (int r = 0; r < 4; r++) {
        ck_assert_msg(M[r * 5] >= 0, "negative M_kk");
        for (int c = 0; c < 4; c++) {
            CHECK_NEAR_(M[r * 4 + c], M[c * 4 + r], 1e-12 * (1 + fabs(M[r * 4 + c])), "symmetry");
            identity &= M[r * 4 + c] == (r == c ? 1.0 : 0.0);
        }
    }
    t = fixture_csv_read(fixture_join(run, "results.csv"));
    const char *sel = NULL;
    for (size_t r = 1; r <= t->rows && !sel; r++)
        if (!strcmp(fixture_csv_str(t, r, "model"), "rfm"))
            sel = strstr(fixture_csv_str(t, r, "selected"), "iter=");
    ck_assert_ptr_nonnull(sel);
    ck_assert_int_eq(identity, atoi(sel + 5) == 0);
    fixture_csv_free(t);
    ck_assert_int_eq(fixture_sh("'%s' report '%s' --dataset iris >/dev/null 2>&1", bin, run), 0);
    char out[4300];
    snprintf(out, sizeof out, "%s/report", run);
    t = fixture_csv_read(fixture_join(out, "features/iris.csv"));
    ck_assert_uint_eq(t->rows, 4);
    for (size_t r = 1; r <= 4; r++)
        CHECK_NEAR_(fixture_csv_num(t, r, "m_diag"), M[(r - 1) * 5], 0,
                    "features m_diag vs metrics file");
    fixture_csv_free(t);
}
END_TEST

static Suite *suite_(void) {
    Suite *s = suite_create("metrics");
    TCase *h = tcase_create("hook");
    tcase_add_test(h, rfm_metric_hook_survives_refit_and_krr_has_none);
    suite_add_tcase(s, h);
    TCase *e = tcase_create("end_to_end");
    tcase_set_timeout(e, 300); // a run and a report of the rfmbench executable
    tcase_add_test(e, run_saves_the_selected_metric_and_report_reads_it);
    suite_add_tcase(s, e);
    return s;
}

int main(void) { return fixture_run(suite_()); }
