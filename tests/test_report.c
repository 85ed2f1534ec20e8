/* test_report.c - `rfmbench report`: the data behind every plot and table against a naive
 * recomputation from the run's results.csv (read here cell by cell), on a hand-made run with a
 * model that fails everywhere, a failed fold, a repeated fold and a dataset outside the
 * leaderboard; learned-metric spectra against closed forms and invariants; the report without
 * gnuplot; the command's exit codes; the page in headless Chromium when it is installed.
 * (The metric files that `rfmbench run` writes are tested in test_metrics.c.) */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "hx_report.h"
#include "hx_results.h"

#define CHECK_NEAR_(got, want, tol, what)                                                        \
    ck_assert_msg(fabs((double)(got) - (double)(want)) <= (tol),                                 \
                  "%s: got %.15g, want %.15g (diff %.3g > %.3g)", what, (double)(got),           \
                  (double)(want), fabs((double)(got) - (double)(want)), (double)(tol))

enum { ND_ = 5, NM_ = 3, NF_ = 4 };
static const char *const DS_[ND_] = {"d1", "d2", "d3", "d4", "d5"};
static const char *const MODELS_[NM_] = {"rfm", "krr", "broken"};
static const long NTRAIN_[ND_] = {90, 300, 60, 1500, 30}, NTEST_[ND_] = {30, 100, 20, 500, 10};
static const char BOOM_[] = "boom: \"out of memory\", twice";

/* ---- the hand-made run ------------------------------------------------------------------- */

static void append_(hx_appender *a, const char *ds, const char *model, long fold, double acc,
                    double maj, double fit, const char *error) {
    hx_result_row r = hx_result_row_init();
    r.dataset = ds;
    r.model = model;
    r.fold = fold;
    r.params = "reg=1";
    r.val_score = 0.5;
    r.test_accuracy = error ? NAN : acc;
    r.majority_accuracy = maj;
    r.fit_seconds = error ? NAN : fit;
    r.predict_seconds = 0.001;
    r.threads = 1;
    r.status = error ? "failed" : "ok";
    r.error = error;
    for (int j = 0; j < ND_; j++) {
        if (strcmp(ds, DS_[j])) continue;
        r.n_train = NTRAIN_[j];
        r.n_test = NTEST_[j];
        r.n_features = 2 + j;
        r.n_classes = 2;
    }
    rfm_error err = {0};
    ck_assert_msg(hx_results_append_row(a, &r, &err) == RFM_OK, "%s", err.msg);
}

/* rfm and krr score from a seeded generator (krr copies rfm on d3: a rank tie); broken fails
 * every fold; krr fails fold 2 of d2; rfm's d1 fold 1 is written twice (the later counts); d5
 * has rfm rows only, so it is outside the leaderboard. */
static const char *make_run_(void) {
    static char dir[4096];
    snprintf(dir, sizeof dir, "%s", fixture_tmpdir("report"));
    char path[4200];
    snprintf(path, sizeof path, "%s/results.csv", dir);
    hx_appender *a = NULL;
    rfm_error err = {0};
    ck_assert_msg(hx_results_open(path, HX_KIND_RESULTS, &a, &err) == RFM_OK, "%s", err.msg);
    double acc[2 * ND_ * NF_];
    fixture_uniform(acc, 2 * ND_ * NF_, 0.55, 0.99, 7u);
    for (int j = 0; j < ND_; j++) {
        for (int f = 0; f < NF_; f++) {
            double maj = 0.4 + 0.01 * f + 0.02 * j, r = acc[j * NF_ + f];
            double k = j == 2 ? r : acc[(ND_ + j) * NF_ + f];
            if (j == 0 && f == 1) append_(a, DS_[j], "rfm", f, 0.11, maj, 9.0, NULL); // stale
            append_(a, DS_[j], "rfm", f, r, maj, 0.0015 * (1 + j + f), NULL);
            if (j == 4) continue;
            append_(a, DS_[j], "krr", f, k, maj, 0.002 * (1 + j * f),
                    j == 1 && f == 2 ? "Cholesky failed" : NULL);
            append_(a, DS_[j], "broken", f, 0, maj, 0, BOOM_);
        }
    }
    hx_results_close(a);
    snprintf(path, sizeof path, "%s/run.yaml", dir);
    fixture_write_text(path, "name: hand-made <run>\nprotocol: uci121\n");
    snprintf(path, sizeof path, "%s/metrics", dir);
    ck_assert_int_eq(mkdir(path, 0755), 0);
    snprintf(path, sizeof path, "%s/metrics/d1__rfm.csv", dir);
    fixture_write_text(path, "x1,\"x,2\",x3\n2,1,0\n1,2,0\n0,0,5\n"); // eigenvalues 5, 3, 1
    snprintf(path, sizeof path, "%s/metrics/d2__rfm.csv", dir);
    fixture_write_text(path, "a,b\n0.5,3\n"); // a diagonal M, one row
    return dir;
}

/* ---- independent recomputation from results.csv ------------------------------------------ */

typedef struct {
    double v[ND_][NM_][NF_], fit[ND_][NM_][NF_];
    int has[ND_][NM_][NF_], ok[ND_][NM_][NF_];
    double score[ND_][NM_], fit_mean[ND_][NM_];
    int in_d[ND_], n_in_d;
    double rank[NM_];
    int order[NM_]; /* models by average rank, then name */
    long n_failed;
} truth_;

static int idx_(const char *const *names, int n, const char *s) {
    for (int i = 0; i < n; i++)
        if (!strcmp(names[i], s)) return i;
    return -1;
}

/* nm: the first nm of MODELS_ are in the run. */
static void truth_build_(const char *dir, int regression, int nm, truth_ *T) {
    memset(T, 0, sizeof *T);
    fixture_csv *t = fixture_csv_read(fixture_join(dir, "results.csv"));
    for (size_t r = 1; r <= t->rows; r++) { // in file order: a later repeat overwrites
        int j = idx_(DS_, ND_, fixture_csv_str(t, r, "dataset"));
        int a = idx_(MODELS_, NM_, fixture_csv_str(t, r, "model"));
        int f = (int)fixture_csv_num(t, r, "fold");
        ck_assert(j >= 0 && a >= 0 && f >= 0 && f < NF_);
        int ok = !strcmp(fixture_csv_str(t, r, "status"), "ok");
        T->has[j][a][f] = 1;
        T->ok[j][a][f] = ok;
        T->v[j][a][f] = fixture_csv_num(t, r, ok ? (regression ? "test_rmse" : "test_accuracy")
                                      : (regression ? "constant_rmse" : "majority_accuracy"));
        T->fit[j][a][f] = fixture_csv_num(t, r, "fit_seconds");
    }
    fixture_csv_free(t);
    for (int j = 0; j < ND_; j++) {
        int all = 1, any_ok = 0;
        for (int a = 0; a < nm; a++) {
            double s = 0, fs = 0;
            int n = 0, nf = 0;
            for (int f = 0; f < NF_; f++) {
                if (!T->has[j][a][f]) continue;
                s += T->v[j][a][f];
                n++;
                T->n_failed += !T->ok[j][a][f];
                any_ok |= T->ok[j][a][f];
                if (T->ok[j][a][f]) {
                    fs += T->fit[j][a][f];
                    nf++;
                }
            }
            all &= n > 0;
            T->score[j][a] = n ? s / n : NAN;
            T->fit_mean[j][a] = nf ? fs / nf : NAN;
        }
        T->in_d[j] = all && any_ok;
        T->n_in_d += T->in_d[j];
    }
    // Ranks by counting: 1 + (strictly better) + (ties other than itself) / 2.
    for (int j = 0; j < ND_; j++) {
        if (!T->in_d[j]) continue;
        for (int a = 0; a < nm; a++) {
            double better = 0, tied = 0;
            for (int b = 0; b < nm; b++) {
                double d = T->score[j][b] - T->score[j][a];
                if (regression) d = -d;
                if (b != a && fabs(d) <= 1e-12) tied++;
                else if (d > 0) better++;
            }
            T->rank[a] += (1 + better + tied / 2) / T->n_in_d;
        }
    }
    for (int a = 0; a < nm; a++) T->order[a] = a;
    for (int i = 0; i < nm; i++)
        for (int p = i + 1; p < nm; p++) {
            int x = T->order[i], y = T->order[p];
            if (T->rank[y] < T->rank[x] ||
                (T->rank[y] == T->rank[x] && strcmp(MODELS_[y], MODELS_[x]) < 0)) {
                T->order[i] = y;
                T->order[p] = x;
            }
        }
}

static int file_has_(const char *path, const char *needle) {
    FILE *fp = fopen(path, "rb");
    if (!fp) return 0;
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    return strstr(buf, needle) != NULL;
}

static hx_report_summary report_(const char *run, const char *out, const char *gnuplot,
                                 const char *dataset) {
    hx_report_opts o = {run, out, dataset, 0, gnuplot};
    hx_report_summary sum;
    rfm_error err = {0};
    ck_assert_msg(hx_report_write(&o, &sum, &err) == RFM_OK, "%s", err.msg);
    return sum;
}

/* ---- tests ------------------------------------------------------------------------------- */

START_TEST(spectrum_of_a_2x2_matches_the_closed_form) {
    const double M[4] = {2, 1, 1, 2}, V[3] = {0.5, 3, 1};
    double dg[3], ev[3];
    ck_assert_int_eq(hx_report_spectrum(M, 2, 0, dg, ev, NULL), RFM_OK);
    CHECK_NEAR_(dg[0], 2, 0, "M_00");
    CHECK_NEAR_(dg[1], 2, 0, "M_11");
    CHECK_NEAR_(ev[0], 3, 1e-14, "largest eigenvalue");
    CHECK_NEAR_(ev[1], 1, 1e-14, "smallest eigenvalue");
    ck_assert_int_eq(hx_report_spectrum(V, 3, 1, dg, ev, NULL), RFM_OK); // diag: sorted copy
    CHECK_NEAR_(dg[1], 3, 0, "diag kept in feature order");
    CHECK_NEAR_(ev[0], 3, 0, "diag eig 0");
    CHECK_NEAR_(ev[1], 1, 0, "diag eig 1");
    CHECK_NEAR_(ev[2], 0.5, 0, "diag eig 2");
}
END_TEST

// Trace = sum of eigenvalues, Frobenius norm^2 = sum of squares, and the largest one from a
// plain power iteration: three independent constraints on the whole spectrum.
START_TEST(spectrum_of_an_spd_matrix_matches_trace_frobenius_and_power_iteration) {
    enum { D = 7 };
    double M[D * D], dg[D], ev[D], v[D], w[D];
    fixture_spd(M, D, 11u);
    ck_assert_int_eq(hx_report_spectrum(M, D, 0, dg, ev, NULL), RFM_OK);
    double tr = 0, fro = 0, se = 0, se2 = 0;
    for (int i = 0; i < D; i++) {
        tr += M[i * D + i];
        CHECK_NEAR_(dg[i], M[i * D + i], 0, "diag");
        for (int k = 0; k < D; k++) fro += M[i * D + k] * M[i * D + k];
        se += ev[i];
        se2 += ev[i] * ev[i];
        if (i) ck_assert_msg(ev[i] <= ev[i - 1], "eigenvalues not decreasing at %d", i);
        v[i] = 1;
    }
    CHECK_NEAR_(se, tr, 1e-12 * tr, "sum of eigenvalues vs trace");
    CHECK_NEAR_(se2, fro, 1e-12 * fro, "sum of squares vs Frobenius");
    double lam = 0;
    for (int it = 0; it < 2000; it++) {
        double nrm = 0;
        for (int i = 0; i < D; i++) {
            w[i] = 0;
            for (int k = 0; k < D; k++) w[i] += M[i * D + k] * v[k];
            nrm += w[i] * w[i];
        }
        nrm = sqrt(nrm);
        lam = nrm; // |v| = 1 after the first step, so |Mv| converges to the top eigenvalue
        for (int i = 0; i < D; i++) v[i] = w[i] / nrm;
    }
    CHECK_NEAR_(ev[0], lam, 1e-9 * lam, "top eigenvalue vs power iteration");
}
END_TEST

START_TEST(safe_names_keep_only_file_name_characters) {
    char b[64];
    hx_report_safe_name("a/b c", b, sizeof b);
    ck_assert_str_eq(b, "a_b_c");
    hx_report_safe_name("..", b, sizeof b);
    ck_assert_str_eq(b, "_.");
    hx_report_safe_name("", b, sizeof b);
    ck_assert_str_eq(b, "_");
    hx_report_metric_file("wine-quality", "rfm 2", b, sizeof b);
    ck_assert_str_eq(b, "metrics/wine-quality__rfm_2.csv");
}
END_TEST

// scores.csv, the scatter, size and fit-time data, the CD ranks and failures.csv, each
// against the naive recomputation.
START_TEST(plot_data_match_a_recomputation_from_results_csv) {
    const char *run = make_run_();
    char out[4200];
    snprintf(out, sizeof out, "%s/out", run);
    truth_ T;
    truth_build_(run, 0, NM_, &T);
    ck_assert_int_eq(T.n_in_d, 4); // d5 has no krr or broken rows
    hx_report_summary sum = report_(run, out, "/nonexistent/gnuplot", NULL);
    ck_assert_uint_eq(sum.n_datasets, ND_);
    ck_assert_uint_eq(sum.n_models, NM_);
    fixture_csv *t = fixture_csv_read(fixture_join(out, "scores.csv"));
    ck_assert_uint_eq(t->rows, ND_);
    for (size_t r = 1; r <= t->rows; r++) {
        int j = idx_(DS_, ND_, fixture_csv_str(t, r, "dataset"));
        ck_assert_int_ge(j, 0);
        CHECK_NEAR_(fixture_csv_num(t, r, "n_rows"), NTRAIN_[j] + NTEST_[j], 0, "n_rows");
        CHECK_NEAR_(fixture_csv_num(t, r, "in_leaderboard"), T.in_d[j], 0, "in_leaderboard");
        for (int a = 0; a < NM_; a++) {
            if (isnan(T.score[j][a])) ck_assert_str_eq(fixture_csv_str(t, r, MODELS_[a]), "");
            else CHECK_NEAR_(fixture_csv_num(t, r, MODELS_[a]), T.score[j][a], 1e-12, "score");
        }
    }
    fixture_csv_free(t);
    // One scatter per other model: best (x) against it (y), over D, and the counts in its title.
    int best = T.order[0];
    for (int p = 1; p < NM_; p++) {
        int o = T.order[p];
        char rel[256], gp[4600];
        snprintf(rel, sizeof rel, "plots/scatter_%d_%s.csv", p + 1, MODELS_[o]);
        t = fixture_csv_read(fixture_join(out, rel));
        ck_assert_uint_eq(t->rows, (size_t)T.n_in_d);
        int above = 0, below = 0, on = 0;
        for (size_t r = 1; r <= t->rows; r++) {
            int j = idx_(DS_, ND_, fixture_csv_str(t, r, "dataset"));
            ck_assert_msg(j >= 0 && T.in_d[j], "dataset outside D in %s", rel);
            CHECK_NEAR_(fixture_csv_num(t, r, MODELS_[best]), T.score[j][best], 1e-12, "scatter x");
            CHECK_NEAR_(fixture_csv_num(t, r, MODELS_[o]), T.score[j][o], 1e-12, "scatter y");
            double d = T.score[j][o] - T.score[j][best];
            above += d > 1e-12;
            below += d < -1e-12;
            on += fabs(d) <= 1e-12;
            int nf = 0;
            for (int f = 0; f < NF_; f++) nf += !T.ok[j][best][f] + !T.ok[j][o][f];
            CHECK_NEAR_(fixture_csv_num(t, r, "failed_folds"), nf, 0, "failed_folds");
        }
        fixture_csv_free(t);
        char title[200];
        snprintf(title, sizeof title, "%d above y = x, %d below, %d on it", above, below, on);
        snprintf(gp, sizeof gp, "%s/plots/scatter_%d_%s.gp", out, p + 1, MODELS_[o]);
        ck_assert_msg(file_has_(gp, title), "%s lacks '%s'", gp, title);
    }
    // Critical-difference data: the ranks, and CD = q_0.05(k = 3) sqrt(k(k+1)/(6N)).
    t = fixture_csv_read(fixture_join(out, "plots/cd.csv"));
    ck_assert_uint_eq(t->rows, NM_);
    for (size_t r = 1; r <= t->rows; r++) {
        ck_assert_str_eq(fixture_csv_str(t, r, "model"), MODELS_[T.order[r - 1]]);
        CHECK_NEAR_(fixture_csv_num(t, r, "avg_rank"), T.rank[T.order[r - 1]], 1e-12, "avg_rank");
    }
    fixture_csv_free(t);
    char gp[4600], cd[64];
    snprintf(cd, sizeof cd, "CD = %.3f", 2.34370 * sqrt(3.0 * 4.0 / (6.0 * T.n_in_d)));
    snprintf(gp, sizeof gp, "%s/plots/cd.gp", out);
    ck_assert_msg(file_has_(gp, cd), "cd.gp lacks '%s'", cd);
    // Size and fit time: rows of D by size, one column per model.
    const char *rels[2] = {"plots/accuracy_vs_size.csv", "plots/fit_time.csv"};
    for (int q = 0; q < 2; q++) {
        t = fixture_csv_read(fixture_join(out, rels[q]));
        ck_assert_uint_eq(t->rows, (size_t)T.n_in_d);
        double last = 0;
        for (size_t r = 1; r <= t->rows; r++) {
            int j = idx_(DS_, ND_, fixture_csv_str(t, r, "dataset"));
            ck_assert(j >= 0 && T.in_d[j]);
            double n = fixture_csv_num(t, r, "n_rows");
            CHECK_NEAR_(n, NTRAIN_[j] + NTEST_[j], 0, "n_rows");
            ck_assert_msg(n >= last, "%s not sorted by size", rels[q]);
            last = n;
            for (int a = 0; a < NM_; a++) {
                double want = q ? T.fit_mean[j][a] : T.score[j][a];
                if (isnan(want)) ck_assert_str_eq(fixture_csv_str(t, r, MODELS_[a]), "");
                else CHECK_NEAR_(fixture_csv_num(t, r, MODELS_[a]), want, 1e-12, rels[q]);
            }
        }
        fixture_csv_free(t);
    }
    t = fixture_csv_read(fixture_join(out, "failures.csv"));
    ck_assert_uint_eq(t->rows, (size_t)T.n_failed);
    for (size_t r = 1; r <= t->rows; r++) {
        int j = idx_(DS_, ND_, fixture_csv_str(t, r, "dataset"));
        int a = idx_(MODELS_, NM_, fixture_csv_str(t, r, "model"));
        int f = (int)fixture_csv_num(t, r, "fold");
        ck_assert(j >= 0 && a >= 0 && f >= 0 && f < NF_);
        ck_assert_msg(!T.ok[j][a][f], "failures.csv lists an ok fold");
        ck_assert_str_eq(fixture_csv_str(t, r, "error"), a == 2 ? BOOM_ : "Cholesky failed");
    }
    fixture_csv_free(t);
}
END_TEST

START_TEST(failed_model_is_shown_on_the_page_and_the_page_is_offline) {
    const char *run = make_run_();
    char out[4200], path[4600];
    snprintf(out, sizeof out, "%s/out", run);
    report_(run, out, "/nonexistent/gnuplot", NULL);
    const char *files[2] = {"index.html", "report.md"};
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s", out, files[i]);
        ck_assert_msg(file_has_(path, "broken"), "%s lacks the failed model", files[i]);
        ck_assert_msg(file_has_(path, "4 of 4"), "%s lacks the failed-fold count", files[i]);
        ck_assert_msg(file_has_(path, "Cholesky failed"), "%s lacks a failure reason", files[i]);
    }
    snprintf(path, sizeof path, "%s/index.html", out);
    ck_assert(file_has_(path, "boom: &quot;out of memory&quot;, twice")); // escaped
    ck_assert(file_has_(path, "hand-made &lt;run&gt;"));                  // run.yaml, escaped
    ck_assert(!file_has_(path, "<script"));
    ck_assert(!file_has_(path, "http://") && !file_has_(path, "https://"));
}
END_TEST

START_TEST(without_gnuplot_tables_and_scripts_are_written_and_the_fix_is_named) {
    const char *run = make_run_();
    char out[4200];
    snprintf(out, sizeof out, "%s/out", run);
    hx_report_summary sum = report_(run, out, "/nonexistent/gnuplot", NULL);
    ck_assert_int_eq(sum.gnuplot_found, 0);
    ck_assert_uint_eq(sum.n_drawn, 0);
    ck_assert_uint_gt(sum.n_plots, 4);
    ck_assert_msg(strstr(sum.note, "apt-get install gnuplot-nox"), "note: %s", sum.note);
    ck_assert(fixture_nonempty(fixture_join(out, "plots/cd.csv")) &&
              fixture_nonempty(fixture_join(out, "plots/cd.gp")));
    ck_assert(!fixture_nonempty(fixture_join(out, "plots/cd.svg")));
    char path[4600];
    snprintf(path, sizeof path, "%s/index.html", out);
    ck_assert(file_has_(path, "apt-get install gnuplot-nox"));
}
END_TEST

START_TEST(with_gnuplot_every_plot_is_drawn_and_on_the_page) {
    if (system("command -v gnuplot >/dev/null 2>&1") != 0) {
        printf("with_gnuplot: skipped, gnuplot is not installed\n");
        return;
    }
    const char *run = make_run_();
    char out[4200], path[4600];
    snprintf(out, sizeof out, "%s/out", run);
    hx_report_summary sum = report_(run, out, NULL, NULL);
    ck_assert_int_eq(sum.gnuplot_found, 1);
    ck_assert_msg(sum.n_drawn == sum.n_plots, "%zu of %zu drawn: %s", sum.n_drawn, sum.n_plots,
                  sum.note);
    // 2 scatters, cd, size, fit time, and d1's features (the first non-identity metric).
    ck_assert_uint_eq(sum.n_plots, 6);
    snprintf(path, sizeof path, "%s/index.html", out);
    const char *names[] = {"cd", "accuracy_vs_size", "fit_time", "features_d1__rfm"};
    for (int i = 0; i < 4; i++) {
        char rel[200], svg[4800];
        snprintf(rel, sizeof rel, "plots/%s.svg", names[i]);
        ck_assert_msg(file_has_(path, rel), "index.html does not show %s", rel);
        snprintf(svg, sizeof svg, "%s/%s", out, rel);
        ck_assert_msg(file_has_(svg, "</svg>"), "%s is not a complete SVG", rel);
    }
}
END_TEST

START_TEST(features_files_hold_diag_and_spectrum_of_each_saved_metric) {
    const char *run = make_run_();
    char out[4200];
    snprintf(out, sizeof out, "%s/out", run);
    hx_report_summary sum = report_(run, out, "/nonexistent/gnuplot", "d2");
    ck_assert_uint_eq(sum.n_feature_files, 2);
    fixture_csv *t = fixture_csv_read(fixture_join(out, "features/d1.csv"));
    const char *names[3] = {"x1", "x,2", "x3"};
    const double dg[3] = {2, 2, 5}, ev[3] = {5, 3, 1};
    ck_assert_uint_eq(t->rows, 3);
    for (size_t r = 1; r <= 3; r++) {
        ck_assert_str_eq(fixture_csv_str(t, r, "model"), "rfm");
        ck_assert_str_eq(fixture_csv_str(t, r, "feature"), names[r - 1]);
        CHECK_NEAR_(fixture_csv_num(t, r, "m_diag"), dg[r - 1], 0, "m_diag");
        CHECK_NEAR_(fixture_csv_num(t, r, "eigenvalue"), ev[r - 1], 1e-13, "eigenvalue");
    }
    fixture_csv_free(t);
    t = fixture_csv_read(fixture_join(out, "features/d2.csv"));
    ck_assert_uint_eq(t->rows, 2);
    CHECK_NEAR_(fixture_csv_num(t, 1, "m_diag"), 0.5, 0, "diag M_aa");
    CHECK_NEAR_(fixture_csv_num(t, 1, "eigenvalue"), 3, 0, "diag eigenvalue 1");
    CHECK_NEAR_(fixture_csv_num(t, 2, "eigenvalue"), 0.5, 0, "diag eigenvalue 2");
    fixture_csv_free(t);
    // --dataset d2 picks its plot: the top features by M_kk, b first.
    t = fixture_csv_read(fixture_join(out, "plots/features_d2__rfm.csv"));
    ck_assert_str_eq(fixture_csv_str(t, 1, "feature"), "b");
    fixture_csv_free(t);
    hx_report_opts o = {run, out, "d9", 0, "/nonexistent/gnuplot"};
    rfm_error err = {0};
    ck_assert_int_eq(hx_report_write(&o, NULL, &err), RFM_EINVAL);
    ck_assert_msg(strstr(err.msg, "d9"), "%s", err.msg);
}
END_TEST

START_TEST(regression_run_reports_rmse_ranked_lower_first) {
    char dir[4096], path[4200];
    snprintf(dir, sizeof dir, "%s", fixture_tmpdir("report-reg"));
    snprintf(path, sizeof path, "%s/results.csv", dir);
    hx_appender *a = NULL;
    ck_assert_int_eq(hx_results_open(path, HX_KIND_RESULTS, &a, NULL), RFM_OK);
    double v[2 * ND_ * NF_];
    fixture_uniform(v, 2 * ND_ * NF_, 0.1, 2.0, 3u);
    for (int j = 0; j < ND_; j++) {
        for (int m = 0; m < 2; m++) {
            for (int f = 0; f < NF_; f++) {
                hx_result_row r = hx_result_row_init();
                int failed = j == 3 && m == 1 && f == 0;
                r.dataset = DS_[j];
                r.model = MODELS_[m];
                r.fold = f;
                r.n_train = NTRAIN_[j];
                r.n_test = NTEST_[j];
                r.test_rmse = failed ? NAN : v[(m * ND_ + j) * NF_ + f];
                r.constant_rmse = 2.5;
                r.fit_seconds = 0.01;
                r.status = failed ? "failed" : "ok";
                r.error = failed ? "diverged" : NULL;
                ck_assert_int_eq(hx_results_append_row(a, &r, NULL), RFM_OK);
            }
        }
    }
    hx_results_close(a);
    truth_ T;
    truth_build_(dir, 1, 2, &T);
    report_(dir, NULL, "/nonexistent/gnuplot", NULL);
    char out[4200];
    snprintf(out, sizeof out, "%s/report", dir);
    fixture_csv *t = fixture_csv_read(fixture_join(out, "plots/rmse_vs_size.csv"));
    ck_assert_uint_eq(t->rows, ND_);
    for (size_t r = 1; r <= t->rows; r++) {
        int j = idx_(DS_, ND_, fixture_csv_str(t, r, "dataset"));
        for (int m = 0; m < 2; m++)
            CHECK_NEAR_(fixture_csv_num(t, r, MODELS_[m]), T.score[j][m], 1e-12, "mean RMSE");
    }
    fixture_csv_free(t);
    t = fixture_csv_read(fixture_join(out, "plots/cd.csv"));
    for (size_t r = 1; r <= t->rows; r++) {
        int m = idx_(MODELS_, 2, fixture_csv_str(t, r, "model"));
        CHECK_NEAR_(fixture_csv_num(t, r, "avg_rank"), T.rank[m], 1e-12,
                    "avg_rank, lower RMSE better");
    }
    fixture_csv_free(t);
}
END_TEST



START_TEST(command_line_exit_codes) {
    char bin[4096];
    snprintf(bin, sizeof bin, "%s", fixture_bin("rfmbench"));
    ck_assert_int_eq(fixture_sh("'%s' report --help >/dev/null 2>&1", bin), 0);
    ck_assert_int_eq(fixture_sh("'%s' report >/dev/null 2>&1", bin), 2);
    ck_assert_int_eq(fixture_sh("'%s' report /tmp --bogus >/dev/null 2>&1", bin), 2);
    ck_assert_int_eq(fixture_sh("'%s' report /nonexistent/run >/dev/null 2>&1", bin), 1);
}
END_TEST

START_TEST(page_renders_in_headless_chromium_when_installed) {
    if (fixture_sh("{ command -v chromium || command -v chromium-browser || "
                   "command -v google-chrome; } >/dev/null 2>&1") != 0) {
        printf("page_renders_in_headless_chromium: skipped, Chromium is not installed\n");
        return;
    }
    const char *run = make_run_();
    char out[4200], shot[4300];
    snprintf(out, sizeof out, "%s/out", run);
    report_(run, out, NULL, NULL);
    snprintf(shot, sizeof shot, "%s/shot.png", out);
    ck_assert_int_eq(fixture_sh("sh '%s' '%s/index.html' '%s' >/dev/null 2>&1",
                                fixture_src("scripts/render_report.sh"), out, shot), 0);
    FILE *fp = fopen(shot, "rb");
    ck_assert_ptr_nonnull(fp);
    unsigned char magic[8] = {0};
    size_t got = fread(magic, 1, 8, fp);
    fseek(fp, 0, SEEK_END);
    long size = ftell(fp);
    fclose(fp);
    ck_assert_uint_eq(got, 8);
    ck_assert_msg(!memcmp(magic, "\x89PNG\r\n\x1a\n", 8), "not a PNG");
    ck_assert_msg(size > 20000, "screenshot of %ld bytes: a blank page?", size);
}
END_TEST

static Suite *suite_(void) {
    Suite *s = suite_create("report");
    TCase *u = tcase_create("units");
    tcase_add_test(u, spectrum_of_a_2x2_matches_the_closed_form);
    tcase_add_test(u, spectrum_of_an_spd_matrix_matches_trace_frobenius_and_power_iteration);
    tcase_add_test(u, safe_names_keep_only_file_name_characters);
    suite_add_tcase(s, u);
    TCase *r = tcase_create("report");
    tcase_add_test(r, plot_data_match_a_recomputation_from_results_csv);
    tcase_add_test(r, failed_model_is_shown_on_the_page_and_the_page_is_offline);
    tcase_add_test(r, without_gnuplot_tables_and_scripts_are_written_and_the_fix_is_named);
    tcase_add_test(r, with_gnuplot_every_plot_is_drawn_and_on_the_page);
    tcase_add_test(r, features_files_hold_diag_and_spectrum_of_each_saved_metric);
    tcase_add_test(r, regression_run_reports_rmse_ranked_lower_first);
    suite_add_tcase(s, r);
    TCase *e = tcase_create("end_to_end");
    tcase_set_timeout(e, 300); // a run, a report and a Chromium start
    tcase_add_test(e, command_line_exit_codes);
    tcase_add_test(e, page_renders_in_headless_chromium_when_installed);
    suite_add_tcase(s, e);
    return s;
}

int main(void) { return fixture_run(suite_()); }
