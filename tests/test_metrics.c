/* test_metrics.c - the learned-metric files behind the report's feature importances: the
 * model interface's metric hook (RFM keeps the selection's M_{t*} through refit, krr has none),
 * and `rfmbench run` writing RUN_DIR/metrics/DATASET__MODEL.csv that `rfmbench report` turns
 * into features/DATASET.csv, end to end on the bundled iris dataset. */
#include <check.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "fixture.h"
#include "hx_results.h"
#include "model.h"

#define CHECK_NEAR_(got, want, tol, what)                                                        \
    ck_assert_msg(fabs((double)(got) - (double)(want)) <= (tol),                                 \
                  "%s: got %.15g, want %.15g (diff %.3g > %.3g)", what, (double)(got),           \
                  (double)(want), fabs((double)(got) - (double)(want)), (double)(tol))

static void write_text_(const char *path, const char *text) {
    FILE *fp = fopen(path, "w");
    ck_assert_ptr_nonnull(fp);
    fputs(text, fp);
    fclose(fp);
}

static hx_rtable *read_(const char *dir, const char *rel) {
    char path[4600];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    hx_rtable *t = NULL;
    rfm_error err = {0};
    ck_assert_msg(hx_rtable_read(path, &t, &err) == RFM_OK, "%s", err.msg);
    return t;
}

static const char *cell_(const hx_rtable *t, size_t row, const char *col) {
    long c = hx_rtable_column(t, col);
    ck_assert_msg(c >= 0, "no column '%s'", col);
    return hx_rtable_cell(t, row, (size_t)c);
}

static double num_(const hx_rtable *t, size_t row, const char *col) {
    const char *s = cell_(t, row, col);
    return *s ? strtod(s, NULL) : NAN;
}

static int exists_(const char *dir, const char *rel) {
    char path[4600];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    struct stat sb;
    return stat(path, &sb) == 0 && sb.st_size > 0;
}

static int sh_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh_(const char *fmt, ...) { // exit status of a shell command (paths are /tmp only)
    char cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

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
             "  - {name: rfm, type: rfm, params: {bandwidth: 10, iters: 3}, grid: {reg: [1, 0.001]}}\n"
             "  - {name: laplace, type: krr, params: {bandwidth: 10, reg: 0.001}}\n",
             fixture_src("datasets/bundled/iris.yaml"));
    write_text_(exp, text);
    ck_assert_int_eq(sh_("'%s' run '%s' --quiet >/dev/null 2>&1", bin, exp), 0);
    char run[4200];
    snprintf(run, sizeof run, "%s/run", dir);
    ck_assert(exists_(run, "metrics/iris__rfm.csv"));
    ck_assert(!exists_(run, "metrics/iris__laplace.csv"));
    hx_rtable *t = read_(run, "metrics/iris__rfm.csv");
    ck_assert_uint_eq(t->cols, 4);
    ck_assert_uint_eq(t->rows, 4);
    double M[16];
    for (size_t r = 0; r < 4; r++) {
        char name[8];
        snprintf(name, sizeof name, "f%zu", r + 1);
        ck_assert_str_eq(hx_rtable_cell(t, 0, r), name);
        for (size_t c = 0; c < 4; c++) M[r * 4 + c] = strtod(hx_rtable_cell(t, r + 1, c), NULL);
    }
    hx_rtable_free(t);
    int identity = 1;
    for (int r = 0; r < 4; r++) {
        ck_assert_msg(M[r * 5] >= 0, "negative M_kk");
        for (int c = 0; c < 4; c++) {
            CHECK_NEAR_(M[r * 4 + c], M[c * 4 + r], 1e-12 * (1 + fabs(M[r * 4 + c])), "symmetry");
            identity &= M[r * 4 + c] == (r == c ? 1.0 : 0.0);
        }
    }
    t = read_(run, "results.csv");
    const char *sel = NULL;
    for (size_t r = 1; r <= t->rows && !sel; r++)
        if (!strcmp(cell_(t, r, "model"), "rfm")) sel = strstr(cell_(t, r, "selected"), "iter=");
    ck_assert_ptr_nonnull(sel);
    ck_assert_int_eq(identity, atoi(sel + 5) == 0);
    hx_rtable_free(t);
    ck_assert_int_eq(sh_("'%s' report '%s' --dataset iris >/dev/null 2>&1", bin, run), 0);
    char out[4300];
    snprintf(out, sizeof out, "%s/report", run);
    t = read_(out, "features/iris.csv");
    ck_assert_uint_eq(t->rows, 4);
    for (size_t r = 1; r <= 4; r++)
        CHECK_NEAR_(num_(t, r, "m_diag"), M[(r - 1) * 5], 0, "features m_diag vs metrics file");
    hx_rtable_free(t);
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

int main(void) {
    SRunner *sr = srunner_create(suite_());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed != 0;
}
