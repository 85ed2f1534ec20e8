/* test_cli.c - Check suite for the rfmbench executable end to end: fit/predict round trip, a
 * small run, resume after kill -9, the run-directory lock, refusing to overwrite results, and
 * one-line errors for bad input. The built binary (fixture_bin("rfmbench")) runs in child
 * processes; exit codes, stderr and files are checked against what this file computes itself
 * (the tests' own CSV reader, its own accuracy and argmax, an uninterrupted run as the
 * reference). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"
#include "rfm.h"

enum { P_ = 4096 };

/* ---- processes and files ------------------------------------------------------------------ */

// The whole file, NUL-terminated (NULL when it cannot be read); *len its size.
static char *slurp_(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0, got;
    char *buf = malloc(cap + 1);
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) buf = realloc(buf, (cap *= 2) + 1);
    }
    fclose(f);
    if (buf) buf[n] = '\0';
    if (len) *len = n;
    return buf;
}

static void put_(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    ck_assert_msg(f != NULL, "cannot create %s", path);
    fputs(text, f);
    fclose(f);
}

static const char *join_(char *buf, const char *dir, const char *name) {
    ck_assert_msg(snprintf(buf, P_, "%s/%s", dir, name) < P_, "path too long");
    return buf;
}

static int exists_(const char *path) { return access(path, F_OK) == 0; }

/* ---- CSV files, read by fixture_csv (the tests' own reader, not the harness's) ------------ */

// Row r (0-based data row) cell c.
static const char *cell_(const fixture_csv *t, size_t r, long c) {
    return fixture_csv_cell(t, r + 1, (size_t)c);
}

/* ---- experiments ------------------------------------------------------------------------- */

// An uci121 experiment over datasets (a list or a glob): rfm with reg_grid (x normalize when
// two_norm) and krr with two regs; one BLAS thread, so reruns reproduce every number.
static void write_experiment_(const char *path, const char *datasets, const char *reg_grid,
                              int two_norm) {
    char text[8192];
    snprintf(text, sizeof text,
             "name: t\ndatasets: [%s]\nprotocol: uci121\nmetric: accuracy\nseed: 0\n"
             "threads: 1\njobs: 1\nmodels:\n"
             "  - name: rfm\n    type: rfm\n    params: {bandwidth: 10, iters: 5}\n"
             "    grid:\n      reg: %s\n%s"
             "  - name: krr\n    type: krr\n    params: {bandwidth: 10}\n    grid:\n"
             "      reg: [1, 0.001]\n",
             datasets, reg_grid, two_norm ? "      normalize: [true, false]\n" : "");
    put_(path, text);
}

/* ---- 1. fit and predict ----------------------------------------------------------------- */

START_TEST(predict_reports_the_accuracy_of_its_own_file_and_maps_columns_by_name) {
    const char *dir = fixture_tmpdir("cli-fit");
    char model[P_], mcsv[P_], pred[P_], out[P_], err[P_];
    const char *csv = fixture_src("datasets/bundled-csv/synthetic-mixed.csv");
    join_(model, dir, "m.rfm"), join_(mcsv, dir, "M.csv"), join_(pred, dir, "pred.csv");
    join_(out, dir, "stdout"), join_(err, dir, "stderr");
    const char *fit[] = {"fit", "--data", csv, "--model", model, "--metric-out", mcsv,
                         "--val-fraction", "0.25", "--seed", "1", "--threads", "1", NULL};
    ck_assert_int_eq(fixture_run_rfmbench(out, err, fit), 0);
    char *so = slurp_(out, NULL);
    ck_assert_msg(!strncmp(so, "fit: n=450 ", 11) && strchr(so, '\n') == so + strlen(so) - 1,
                  "summary: %s", so);
    free(so);
    char prep[P_];
    ck_assert_int_lt(snprintf(prep, sizeof prep, "%s.prep", model), P_);
    ck_assert(exists_(model) && exists_(prep));
    const char *predict[] = {"predict", "--model", model, "--data", csv, "--out", pred, NULL};
    ck_assert_int_eq(fixture_run_rfmbench(out, err, predict), 0);
    so = slurp_(out, NULL);
    double acc = -1;
    size_t right = 0, total = 0;
    ck_assert_msg(sscanf(so, "accuracy = %lf (%zu/%zu)", &acc, &right, &total) == 3, "%s", so);
    free(so);
    // The truth and the predictions, read here.
    fixture_csv *data = fixture_csv_read(csv), *p = fixture_csv_read(pred);
    ck_assert_uint_eq(p->rows, data->rows);
    long lab = fixture_csv_col(data, "label"), pc = fixture_csv_col(p, "prediction");
    ck_assert_int_eq(fixture_csv_col(p, "row"), 0);
    size_t mine = 0;
    for (size_t r = 0; r < p->rows; r++) {
        ck_assert_uint_eq(strtoul(cell_(p, r, 0), NULL, 10), r);
        mine += !strcmp(cell_(p, r, pc), cell_(data, r, lab));
        // prediction = the class of the largest score_<class> (first on ties)
        size_t best = 2;
        for (size_t c = 3; c < p->cols; c++)
            if (atof(cell_(p, r, (long)c)) > atof(cell_(p, r, (long)best))) best = c;
        ck_assert_str_eq(p->cell[best] + 6, cell_(p, r, pc));
    }
    ck_assert_uint_eq(p->cols, 5); // row, prediction, score_alpha, score_beta, score_gamma
    ck_assert_uint_eq(total, data->rows);
    ck_assert_uint_eq(right, mine);
    ck_assert_msg(fabs(acc - (double)mine / (double)data->rows) <= 5e-5, "printed %.4f", acc);
    ck_assert_msg(mine > data->rows * 7 / 10, "accuracy %zu/%zu: the model learned nothing",
                  mine, data->rows);
    // M: a header of d feature names, d rows of d numbers, symmetric.
    fixture_csv *M = fixture_csv_read(mcsv);
    size_t d = M->cols, n_color = 0;
    for (size_t k = 0; k < d; k++) n_color += !strncmp(M->cell[k], "color=", 6);
    ck_assert_uint_eq(d, 6 + n_color); // x1..x6 and the one-hot colours
    ck_assert_uint_ge(n_color, 3);
    ck_assert_uint_eq(M->rows, d);
    double *m = malloc(d * d * sizeof *m), top = 0;
    for (size_t i = 0; i < d * d; i++) {
        char *end;
        m[i] = strtod(M->cell[d + i], &end);
        ck_assert_msg(*M->cell[d + i] && !*end && isfinite(m[i]), "M cell '%s'", M->cell[d + i]);
        top = fmax(top, fabs(m[i]));
    }
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < i; j++)
            ck_assert_msg(fabs(m[i * d + j] - m[j * d + i]) <= 1e-12 * top, "M[%zu][%zu] %g vs %g",
                          i, j, m[i * d + j], m[j * d + i]);
    free(m);
    fixture_csv_free(M);
    // Another file: columns reversed, an extra column, no target, the first 40 rows.
    char other[P_], pred2[P_];
    join_(other, dir, "other.csv"), join_(pred2, dir, "pred2.csv");
    FILE *f = fopen(other, "w");
    for (size_t r = 0; r <= 40; r++) {
        fprintf(f, "%s", r ? "x" : "extra");
        for (long c = lab - 1; c >= 0; c--)
            fprintf(f, ",%s", data->cell[r * data->cols + (size_t)c]);
        fprintf(f, "\n");
    }
    fclose(f);
    const char *predict2[] = {"predict", "--model", model, "--data", other, "--out", pred2, NULL};
    ck_assert_int_eq(fixture_run_rfmbench(out, err, predict2), 0);
    so = slurp_(out, NULL);
    ck_assert_msg(!strstr(so, "accuracy"), "no target, yet: %s", so);
    free(so);
    fixture_csv *q = fixture_csv_read(pred2);
    ck_assert_uint_eq(q->rows, 40);
    ck_assert_uint_eq(q->cols, p->cols);
    for (size_t r = 0; r < q->rows; r++) {
        ck_assert_str_eq(cell_(q, r, pc), cell_(p, r, pc));
        for (long c = 2; c < (long)q->cols; c++) {
            double a = atof(cell_(q, r, c)), b = atof(cell_(p, r, c));
            ck_assert_msg(fabs(a - b) <= 1e-9, "row %zu score %ld: %.17g vs %.17g", r, c, a, b);
        }
    }
    // A file without a column the model needs: one line naming the file and the column.
    put_(other, "x1,x2,x3,x4,x5,x6,label\n1,2,3,4,5,6,alpha\n");
    ck_assert_int_eq(fixture_run_rfmbench(out, err, predict2), 1);
    char *e = fixture_one_line_error(err);
    ck_assert_msg(strstr(e, other) && strstr(e, "no column 'color'"), "%s", e);
    free(e);
    fixture_csv_free(q);
    fixture_csv_free(p);
    fixture_csv_free(data);
    fixture_rm_tree(dir);
}
END_TEST

START_TEST(fit_and_predict_work_on_a_uci121_descriptor) {
    const char *dir = fixture_tmpdir("cli-uci");
    char model[P_], out[P_], pred[P_];
    const char *iris = fixture_src("datasets/bundled/iris.yaml");
    join_(model, dir, "m.rfm"), join_(out, dir, "stdout"), join_(pred, dir, "pred.csv");
    const char *fit[] = {"fit", "--data", iris, "--model", model, "--diag", NULL};
    ck_assert_int_eq(fixture_run_rfmbench(out, NULL, fit), 0);
    const char *predict[] = {"predict", "--model", model, "--data", iris, "--out", pred, NULL};
    ck_assert_int_eq(fixture_run_rfmbench(out, NULL, predict), 0);
    char *so = slurp_(out, NULL);
    size_t right = 0, total = 0;
    ck_assert_msg(sscanf(so, "accuracy = %*f (%zu/%zu)", &right, &total) == 2, "%s", so);
    free(so);
    fixture_csv *p = fixture_csv_read(pred);
    ck_assert_uint_eq(total, 150);
    ck_assert_uint_eq(p->rows, 150);
    ck_assert_str_eq(p->cell[2], "score_0");
    ck_assert_msg(right >= 135, "%zu/150 on its own training rows", right);
    fixture_csv_free(p);
    fixture_rm_tree(dir);
}
END_TEST

/* ---- 2. a small run ------------------------------------------------------------------------ */

// Every (dataset, model) of results.csv has folds 0..3 exactly once, all ok; returns the rows.
static size_t check_complete_(const char *results) {
    fixture_csv *t = fixture_csv_read(results);
    long ds = fixture_csv_col(t, "dataset"), mo = fixture_csv_col(t, "model");
    long fo = fixture_csv_col(t, "fold"), stc = fixture_csv_col(t, "status");
    long acc = fixture_csv_col(t, "test_accuracy");
    for (size_t r = 0; r < t->rows; r++) {
        ck_assert_msg(!strcmp(cell_(t, r, stc), "ok"), "row %zu: %s", r, cell_(t, r, stc));
        double a = atof(cell_(t, r, acc));
        ck_assert(a >= 0 && a <= 1);
        size_t same = 0;
        for (size_t q = 0; q < t->rows; q++)
            same += !strcmp(cell_(t, q, ds), cell_(t, r, ds)) &&
                    !strcmp(cell_(t, q, mo), cell_(t, r, mo));
        ck_assert_uint_eq(same, 4);
        long f = strtol(cell_(t, r, fo), NULL, 10);
        ck_assert(f >= 0 && f < 4);
        for (size_t q = 0; q < r; q++)
            ck_assert_msg(strcmp(cell_(t, q, ds), cell_(t, r, ds)) ||
                              strcmp(cell_(t, q, mo), cell_(t, r, mo)) ||
                              strcmp(cell_(t, q, fo), cell_(t, r, fo)),
                          "duplicate row %zu", r);
    }
    size_t n = t->rows;
    fixture_csv_free(t);
    return n;
}

static void small_run_(const char *dir, const char *run_dir) {
    char exp[P_], dsets[P_];
    snprintf(dsets, sizeof dsets, "%s, %s", fixture_src("datasets/bundled/iris.yaml"),
             fixture_src("datasets/bundled/wine.yaml"));
    write_experiment_(join_(exp, dir, "small.yaml"), dsets, "[1, 0.001]", 0);
    const char *run[] = {"run", exp, "--out", run_dir, "--quiet", NULL};
    ck_assert_int_eq(fixture_run_rfmbench(NULL, NULL, run), 0);
}

START_TEST(a_small_run_writes_every_fold_and_a_leaderboard_of_both_models) {
    const char *dir = fixture_tmpdir("cli-run");
    char run_dir[P_], path[P_];
    small_run_(dir, join_(run_dir, dir, "out"));
    ck_assert_uint_eq(check_complete_(join_(path, run_dir, "results.csv")), 2 * 2 * 4);
    fixture_csv *b = fixture_csv_read(join_(path, run_dir, "leaderboard.csv"));
    ck_assert_uint_eq(b->rows, 2);
    long mo = fixture_csv_col(b, "model");
    int rfm = 0, krr = 0;
    for (size_t r = 0; r < b->rows; r++) {
        rfm += !strcmp(cell_(b, r, mo), "rfm");
        krr += !strcmp(cell_(b, r, mo), "krr");
    }
    ck_assert(rfm == 1 && krr == 1);
    fixture_csv_free(b);
    fixture_rm_tree(dir);
}
END_TEST

/* ---- 3. resume after kill -9 --------------------------------------------------------------- */

static size_t data_lines_(const char *path) {
    char *s = slurp_(path, NULL);
    size_t n = 0;
    for (char *p = s; p && *p; p++) n += *p == '\n';
    free(s);
    return n ? n - 1 : 0;
}

static void sleep_us_(long us) {
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

static int cmp_str_(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

// Files a and b hold the same rows once the `blank` columns are emptied, in any order, and
// neither repeats a key.
static void same_rows_(const char *a, const char *b, const char *const *blank,
                       const char *const *key) {
    const char *paths[2] = {a, b};
    char **rows[2];
    size_t n[2];
    for (int f = 0; f < 2; f++) {
        fixture_csv *t = fixture_csv_read(paths[f]);
        char **keys = calloc(t->rows + 1, sizeof *keys);
        rows[f] = calloc(t->rows + 1, sizeof *rows[f]);
        n[f] = t->rows;
        for (size_t r = 0; r < t->rows; r++) {
            char line[8192] = "", k[1024] = "";
            for (size_t c = 0; c < t->cols; c++) {
                int hide = 0;
                for (const char *const *h = blank; *h; h++) hide |= !strcmp(t->cell[c], *h);
                strncat(line, hide ? "" : t->cell[(r + 1) * t->cols + c], 8000 - strlen(line));
                strcat(line, "\x1f");
            }
            for (const char *const *q = key; *q; q++) {
                strncat(k, cell_(t, r, fixture_csv_col(t, *q)), 1000 - strlen(k));
                strcat(k, "\x1f");
            }
            rows[f][r] = strdup(line);
            keys[r] = strdup(k);
        }
        qsort(keys, t->rows, sizeof *keys, cmp_str_);
        for (size_t r = 0; r + 1 < t->rows; r++)
            ck_assert_msg(strcmp(keys[r], keys[r + 1]), "%s: duplicate key %s", paths[f], keys[r]);
        for (size_t r = 0; r < t->rows; r++) free(keys[r]);
        free(keys);
        qsort(rows[f], t->rows, sizeof *rows[f], cmp_str_);
        fixture_csv_free(t);
    }
    ck_assert_msg(n[0] == n[1], "%s has %zu rows, %s has %zu", a, n[0], b, n[1]);
    for (size_t i = 0; i < n[0]; i++)
        ck_assert_msg(!strcmp(rows[0][i], rows[1][i]), "differs: %s", rows[0][i]);
    for (size_t i = 0; i < n[0]; i++) free(rows[0][i]), free(rows[1][i]);
    free(rows[0]);
    free(rows[1]);
}

START_TEST(a_run_killed_at_any_moment_resumes_to_the_uninterrupted_result) {
    // Orphaned workers of a killed run come back to this process, so they can be reaped.
    ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    const char *dir = fixture_tmpdir("cli-kill");
    char exp[P_], ref[P_], a[P_], b[P_];
    write_experiment_(join_(exp, dir, "long.yaml"), fixture_src("datasets/bundled/*.yaml"),
                      "[10, 1, 0.1, 0.01, 0.001]", 1);
    const char *run[] = {"run", exp, "--out", join_(ref, dir, "ref"), "--quiet", NULL};
    ck_assert_int_eq(fixture_run_rfmbench(NULL, NULL, run), 0);
    ck_assert_uint_eq(check_complete_(join_(a, ref, "results.csv")), 6 * 2 * 4);
    const size_t after_rows[3] = {1, 17, 36};
    rfm_rng rng;
    rfm_rng_seed(&rng, 7);
    for (int m = 0; m < 3; m++) {
        char sub[32], rd[P_], results[P_];
        snprintf(sub, sizeof sub, "killed%d", m);
        join_(rd, dir, sub);
        join_(results, rd, "results.csv");
        const char *go[] = {"run", exp, "--out", rd, "--quiet", NULL};
        pid_t pid = fixture_spawn_rfmbench(NULL, NULL, go);
        int status = 0, ended = 0;
        while (!(ended = waitpid(pid, &status, WNOHANG) == pid) &&
               data_lines_(results) < after_rows[m])
            sleep_us_(200);
        ck_assert_msg(!ended, "the run finished before kill %d", m);
        sleep_us_((long)rfm_rng_below(&rng, 3000)); // a little later, not on a row boundary
        kill(pid, SIGKILL);
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert_msg(WIFSIGNALED(status), "kill %d: the run had already exited", m);
        while (waitpid(-1, NULL, 0) > 0 || errno == EINTR) continue;
        ck_assert_msg(data_lines_(results) < 48, "kill %d came after the last row", m);
        const char *resume[] = {"run", exp, "--out", rd, "--resume", "--quiet", NULL};
        ck_assert_int_eq(fixture_run_rfmbench(NULL, NULL, resume), 0);
        static const char *const blank[] = {"fit_seconds", "predict_seconds", "peak_rss_mb", NULL};
        static const char *const key[] = {"dataset", "model", "fold", NULL};
        same_rows_(join_(a, ref, "results.csv"), results, blank, key);
        static const char *const cv_blank[] = {"mean_fit_seconds", NULL};
        static const char *const cv_key[] = {"dataset", "model", "candidate", "iter", NULL};
        same_rows_(join_(a, ref, "cv_results.csv"), join_(b, rd, "cv_results.csv"), cv_blank,
                   cv_key);
    }
    fixture_rm_tree(dir);
}
END_TEST

/* ---- 4, 5. the run directory is protected ------------------------------------------------ */

START_TEST(a_second_run_on_a_busy_directory_refuses) {
    ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    const char *dir = fixture_tmpdir("cli-lock");
    char exp[P_], rd[P_], lock[P_], log[P_], err[P_];
    // 6 datasets x 162 candidates: many seconds, far longer than the test needs it.
    write_experiment_(join_(exp, dir, "slow.yaml"), fixture_src("datasets/bundled/*.yaml"),
                      "{log10: [-3, 1, 0.05]}", 1);
    join_(rd, dir, "out"), join_(lock, rd, "run.lock"), join_(log, rd, "run.log");
    join_(err, dir, "stderr");
    const char *go[] = {"run", exp, "--out", rd, "--quiet", NULL};
    pid_t pid = fixture_spawn_rfmbench(NULL, NULL, go);
    int status = 0;
    for (int i = 0; i < 20000 && !(exists_(lock) && exists_(log)); i++) sleep_us_(500);
    ck_assert_msg(exists_(lock) && exists_(log), "the first run did not start");
    const char *again[] = {"run", exp, "--out", rd, "--quiet", NULL};
    const char *resume[] = {"run", exp, "--out", rd, "--resume", "--quiet", NULL};
    const char *const *tries[2] = {again, resume};
    for (int t = 0; t < 2; t++) {
        ck_assert_int_eq(fixture_run_rfmbench(NULL, err, tries[t]), 1);
        char *e = fixture_one_line_error(err);
        ck_assert_msg(strstr(e, "another run"), "%s", e);
        free(e);
    }
    ck_assert_msg(waitpid(pid, &status, WNOHANG) == 0, "the first run ended too soon");
    kill(pid, SIGKILL);
    while (waitpid(-1, NULL, 0) > 0 || errno == EINTR) continue;
    fixture_rm_tree(dir);
}
END_TEST

START_TEST(a_run_without_resume_leaves_existing_results_alone) {
    const char *dir = fixture_tmpdir("cli-again");
    char rd[P_], results[P_], cv[P_], exp[P_], err[P_];
    small_run_(dir, join_(rd, dir, "out"));
    join_(results, rd, "results.csv"), join_(cv, rd, "cv_results.csv");
    size_t n1 = 0, n2 = 0, c1 = 0, c2 = 0;
    char *before = slurp_(results, &n1), *cv_before = slurp_(cv, &c1);
    const char *run[] = {"run", join_(exp, dir, "small.yaml"), "--out", rd, NULL};
    ck_assert_int_eq(fixture_run_rfmbench(NULL, join_(err, dir, "stderr"), run), 1);
    char *e = fixture_one_line_error(err);
    ck_assert_msg(strstr(e, rd) && strstr(e, "--resume"), "%s", e);
    char *after = slurp_(results, &n2), *cv_after = slurp_(cv, &c2);
    ck_assert(n1 == n2 && !memcmp(before, after, n1));
    ck_assert(c1 == c2 && !memcmp(cv_before, cv_after, c1));
    free(e), free(before), free(after), free(cv_before), free(cv_after);
    fixture_rm_tree(dir);
}
END_TEST

/* ---- 6. bad input -------------------------------------------------------------------------- */

typedef struct {
    const char *what;
    struct {
        const char *file, *text;
    } files[3];        /* written into the case folder; e.yaml is the experiment run      */
    const char *named; /* the file the message must name                                  */
    const char *where; /* what follows the name, e.g. ": target:"; NULL: ":LINE:COL:"   */
    int line, col;     /* when where is NULL and line > 0: the exact position             */
} bad_case_;

#define EXP_ {"e.yaml", "name: e\ndatasets: [d.yaml]\nprotocol: cv\nmodels:\n  - {type: rfm}\n"}

static const bad_case_ bad_cases_[] = {
    {"yaml syntax", {{"e.yaml", "name: e\ndatasets: [d.yaml\nmodels: x\n"}}, "e.yaml", NULL, 0, 0},
    {"unknown key", {{"e.yaml", "name: e\ndatasets: [d.yaml]\nbogus: 1\nmodels: []\n"}},
     "e.yaml", ": bogus:", 0, 0},
    {"wrong type", {{"e.yaml", "name: e\ndatasets: [d.yaml]\nseed: [1]\nmodels: []\n"}},
     "e.yaml", ": seed:", 0, 0},
    {"missing experiment", {{0, 0}}, "e.yaml", ": cannot open", 0, 0},
    {"empty experiment", {{"e.yaml", ""}}, "e.yaml", ": ", 0, 0},
    {"ragged csv row", {EXP_, {"d.yaml", "path: d.csv\n"}, {"d.csv", "a,b,c\n1,2,x\n3,4\n"}},
     "d.csv", NULL, 3, 3},
    {"text in a numeric column",
     {EXP_, {"d.yaml", "path: d.csv\nnumeric: [b]\n"}, {"d.csv", "a,b,c\n1,2,x\n5,zz,y\n"}},
     "d.csv", NULL, 3, 2},
    {"unknown target",
     {EXP_, {"d.yaml", "path: d.csv\ntarget: nosuch\n"}, {"d.csv", "a,b,c\n1,2,x\n3,4,y\n"}},
     "d.yaml", ": target:", 0, 0},
    {"single class", {EXP_, {"d.yaml", "path: d.csv\n"}, {"d.csv", "a,b,c\n1,2,x\n3,4,x\n"}},
     "d.yaml", ": target c: a single class", 0, 0},
    {"class too small for the folds",
     {EXP_, {"d.yaml", "path: d.csv\n"}, {"d.csv", "a,b,c\n1,2,x\n3,4,x\n5,6,x\n7,8,x\n1,1,y\n"}},
     "d.yaml", ": splits.kfold:", 0, 0},
    {"missing csv data file", {EXP_, {"d.yaml", "path: nosuch.csv\n"}}, "d.yaml", ": path:", 0, 0},
    {"negative reg in a grid",
     {{"e.yaml", "name: e\ndatasets: [d.yaml]\nprotocol: cv\nmodels:\n  - name: rfm\n"
                 "    type: rfm\n    grid:\n      reg: [-1]\n"},
      {"d.yaml", "path: d.csv\n"}, {"d.csv", "a,b\n1,x\n2,y\n3,x\n4,y\n5,x\n6,y\n7,x\n8,y\n"}},
     "e.yaml", ": models[0].grid.reg[0]:", 0, 0},
};

// The run directory's file names and contents, concatenated, to see that nothing changed.
static char *dir_fingerprint_(const char *rd) {
    static const char *const names[] = {"results.csv", "cv_results.csv", "run.yaml", "run.log",
                                        "run.lock", "leaderboard.csv", NULL};
    size_t cap = 1 << 16, len = 0;
    char *fp = calloc(cap, 1), path[P_];
    for (const char *const *n = names; *n; n++) {
        char *s = slurp_(join_(path, rd, *n), NULL);
        len += (size_t)snprintf(fp + len, cap - len, "[%s:%s]", *n, s ? s : "(absent)");
        free(s);
    }
    return fp;
}

START_TEST(bad_input_is_one_line_naming_the_place_and_touches_no_results) {
    const bad_case_ *bc = &bad_cases_[_i];
    const char *dir = fixture_tmpdir("cli-bad");
    char rd[P_], path[P_], err[P_], named[P_];
    join_(rd, dir, "out");
    mkdir(rd, 0755);
    put_(join_(path, rd, "results.csv"), "dataset,model,fold\nkeep,me,0\n");
    put_(join_(path, rd, "cv_results.csv"), "untouched\n");
    char *before = dir_fingerprint_(rd);
    for (int f = 0; f < 3 && bc->files[f].file; f++)
        put_(join_(path, dir, bc->files[f].file), bc->files[f].text);
    const char *run[] = {"run", join_(path, dir, "e.yaml"), "--out", rd, NULL};
    ck_assert_int_eq(fixture_run_rfmbench(NULL, join_(err, dir, "stderr"), run), 1);
    char *e = fixture_one_line_error(err), *after = dir_fingerprint_(rd);
    join_(named, dir, bc->named);
    char *at = strstr(e, named);
    ck_assert_msg(at, "%s: the message does not name %s: %s", bc->what, named, e);
    at += strlen(named);
    if (bc->where) {
        ck_assert_msg(!strncmp(at, bc->where, strlen(bc->where)), "%s: %s", bc->what, e);
    } else {
        int line = 0, col = 0;
        ck_assert_msg(sscanf(at, ":%d:%d:", &line, &col) == 2, "%s: no LINE:COL: %s", bc->what, e);
        if (bc->line) ck_assert_msg(line == bc->line && col == bc->col, "%s: %s", bc->what, e);
    }
    ck_assert_msg(!strcmp(before, after), "%s: the run directory changed", bc->what);
    free(e), free(before), free(after);
    fixture_rm_tree(dir);
}
END_TEST

START_TEST(usage_errors_exit_2_and_every_help_exits_0) {
    const char *dir = fixture_tmpdir("cli-usage");
    char out[P_], err[P_];
    join_(out, dir, "stdout"), join_(err, dir, "stderr");
    const char *bogus[] = {"bogus", NULL}, *bare_run[] = {"run", NULL};
    const char *bad_opt[] = {"fit", "--reg", "x", "--data", "a.csv", "--model", "m", NULL};
    // A misspelt or empty --only would run nothing (or everything) and say it succeeded.
    char rd[P_], qs[P_];
    snprintf(qs, P_, "%s", fixture_src("configs/quickstart.yaml")); // fixture_src's buffers rotate
    join_(rd, dir, "never");
    const char *typo[] = {"run", qs, "--only", "iris,irsi", "--out", rd, NULL};
    const char *empty[] = {"run", qs, "--only", "", "--out", rd, NULL};
    const char *const *usage[] = {bogus, bare_run, bad_opt, typo, empty};
    for (int i = 0; i < 5; i++) {
        ck_assert_int_eq(fixture_run_rfmbench(out, err, usage[i]), 2);
        char *e = fixture_one_line_error(err);
        ck_assert_msg(i != 3 || strstr(e, "irsi"), "the message does not name irsi: %s", e);
        free(e);
    }
    ck_assert_msg(!exists_(rd), "a refused run created its directory");
    const char *cmds[] = {"run", "leaderboard", "datasets", "fit", "predict"};
    for (int i = 0; i < 5; i++) {
        const char *help[] = {cmds[i], "--help", NULL};
        ck_assert_int_eq(fixture_run_rfmbench(out, err, help), 0);
        char *so = slurp_(out, NULL), want[64];
        snprintf(want, sizeof want, "usage: rfmbench %s ", cmds[i]);
        ck_assert_msg(!strncmp(so, want, strlen(want)), "%s --help: %s", cmds[i], so);
        free(so);
    }
    fixture_rm_tree(dir);
}
END_TEST

int main(void) {
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("cli");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, predict_reports_the_accuracy_of_its_own_file_and_maps_columns_by_name);
    tcase_add_test(tc, fit_and_predict_work_on_a_uci121_descriptor);
    tcase_add_test(tc, a_small_run_writes_every_fold_and_a_leaderboard_of_both_models);
    tcase_add_test(tc, a_run_killed_at_any_moment_resumes_to_the_uninterrupted_result);
    tcase_add_test(tc, a_second_run_on_a_busy_directory_refuses);
    tcase_add_test(tc, a_run_without_resume_leaves_existing_results_alone);
    tcase_add_loop_test(tc, bad_input_is_one_line_naming_the_place_and_touches_no_results, 0,
                        (int)(sizeof bad_cases_ / sizeof bad_cases_[0]));
    tcase_add_test(tc, usage_errors_exit_2_and_every_help_exits_0);
    suite_add_tcase(s, tc);
    return fixture_run(s);
}
