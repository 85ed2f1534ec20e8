/* test_run.c - Check suite for `rfmbench run` when things go wrong mid-run: a worker killed by
 * a signal (its folds become failed rows the leaderboard can impute, and --resume retries
 * them), resume with more than 64 folds, a selection in which every candidate fails, and the
 * protocol/format combinations the runner refuses. Files are read with the tests' own CSV
 * reader (fixture_csv); expectations come from a run that was never interrupted or are worked
 * out here. */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"

enum { P_ = 4096 };

// Data row r (0-based), column col.
static const char *cell_(const fixture_csv *t, size_t r, const char *col) {
    return fixture_csv_str(t, r + 1, col);
}

static void sleep_us_(long us) {
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

// The first child of pid (from /proc), or 0 when it has none yet.
static pid_t first_child_(pid_t pid) {
    char path[64], buf[256] = "";
    snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)pid, (int)pid);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return (pid_t)strtol(buf, NULL, 10);
}

// iris and wine (bundled), rfm and krr (its grid given), protocol uci121, one BLAS thread:
// reruns reproduce every number.
static void write_experiment_(const char *path, const char *krr_grid) {
    char text[4096];
    snprintf(text, sizeof text,
             "name: t\ndatasets: [%s, %s]\nprotocol: uci121\nseed: 0\nthreads: 1\njobs: 1\n"
             "models:\n"
             "  - {name: rfm, type: rfm, params: {iters: 3}, grid: {reg: [1, 0.001]}}\n"
             "  - {name: krr, type: krr, grid: {reg: %s}}\n",
             fixture_src("datasets/bundled/iris.yaml"), fixture_src("datasets/bundled/wine.yaml"),
             krr_grid);
    fixture_write_text(path, text);
}

static void write_small_experiment_(const char *path) { write_experiment_(path, "[1, 0.001]"); }

// leaderboard.csv rows as "model,n_datasets,n_failed,mean_accuracy,avg_rank" lines, sorted by
// the order the file gives (the board sorts them itself).
static char *board_summary_(const char *path) {
    fixture_csv *t = fixture_csv_read(path);
    char *s = calloc(1, 4096);
    for (size_t r = 0; r < t->rows; r++)
        snprintf(s + strlen(s), 4096 - strlen(s), "%s,%s,%s,%s,%s\n", cell_(t, r, "model"),
                 cell_(t, r, "n_datasets"), cell_(t, r, "n_failed"),
                 cell_(t, r, "mean_accuracy"), cell_(t, r, "avg_rank"));
    fixture_csv_free(t);
    return s;
}

START_TEST(a_killed_worker_leaves_imputable_failed_rows_and_resume_retries_them) {
    // Orphaned workers come back to this process, so they can be reaped.
    ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    const char *dir = fixture_tmpdir("run-killed");
    char exp[P_], ref[P_], rd[P_];
    snprintf(exp, P_, "%s", fixture_join(dir, "e.yaml"));
    snprintf(ref, P_, "%s", fixture_join(dir, "ref"));
    snprintf(rd, P_, "%s", fixture_join(dir, "out"));
    write_small_experiment_(exp);
    const char *go_ref[] = {"run", exp, "--out", ref, "--quiet", NULL};
    ck_assert_int_eq(fixture_run_rfmbench(NULL, NULL, go_ref), 0);

    // Kill the first worker as soon as it exists: it has written nothing yet.
    const char *go[] = {"run", exp, "--out", rd, "--quiet", NULL};
    pid_t pid = fixture_spawn_rfmbench(NULL, NULL, go), w = 0;
    for (int i = 0; i < 200000 && !(w = first_child_(pid)); i++) sleep_us_(50);
    ck_assert_msg(w > 0, "no worker appeared");
    kill(w, SIGKILL);
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 1, "a killed unit must exit 1");
    while (waitpid(-1, NULL, WNOHANG) > 0) continue;

    // Its 4 folds are failed rows that still carry sizes and the majority baseline.
    fixture_csv *t = fixture_csv_read(fixture_join(rd, "results.csv"));
    size_t failed = 0;
    for (size_t r = 0; r < t->rows; r++) {
        if (strcmp(cell_(t, r, "status"), "failed")) continue;
        failed++;
        ck_assert_msg(strstr(cell_(t, r, "error"), "signal 9"), "error '%s'",
                      cell_(t, r, "error"));
        ck_assert_msg(atol(cell_(t, r, "n_train")) > 0 && atol(cell_(t, r, "n_test")) > 0,
                      "failed row %zu has no sizes", r);
        double maj = fixture_csv_num(t, r + 1, "majority_accuracy");
        ck_assert_msg(maj > 0 && maj < 1, "failed row %zu: majority_accuracy %g", r, maj);
    }
    ck_assert_uint_eq(failed, 4);
    ck_assert_uint_eq(t->rows, 16);
    fixture_csv_free(t);
    // The board keeps the dataset for both models and counts the failure (protocol 7.6).
    fixture_csv *b = fixture_csv_read(fixture_join(rd, "leaderboard.csv"));
    size_t total_failed = 0;
    for (size_t r = 0; r < b->rows; r++) {
        ck_assert_str_eq(cell_(b, r, "n_datasets"), "2");
        total_failed += (size_t)atol(cell_(b, r, "n_failed"));
    }
    ck_assert_uint_eq(total_failed, 1);
    fixture_csv_free(b);

    // --resume reruns exactly the failed unit; the board then equals the uninterrupted one.
    const char *resume[] = {"run", exp, "--out", rd, "--resume", "--quiet", NULL};
    ck_assert_int_eq(fixture_run_rfmbench(NULL, NULL, resume), 0);
    t = fixture_csv_read(fixture_join(rd, "results.csv"));
    ck_assert_uint_eq(t->rows, 20);
    fixture_csv_free(t);
    char *want = board_summary_(fixture_join(ref, "leaderboard.csv"));
    char *got = board_summary_(fixture_join(rd, "leaderboard.csv"));
    ck_assert_msg(!strcmp(want, got), "resumed board:\n%s\nuninterrupted:\n%s", got, want);
    free(want);
    free(got);
    fixture_rm_tree(dir);
}
END_TEST

// The resume key holds what was run: after the krr grid changes, --resume reruns krr (its old
// rows stay, the new ones come last and win) and keeps rfm; the board then equals a fresh run
// of the changed experiment.
START_TEST(resume_after_a_grid_change_reruns_only_the_changed_model) {
    const char *dir = fixture_tmpdir("run-spec");
    char exp[P_], fresh[P_], rd[P_];
    snprintf(exp, P_, "%s", fixture_join(dir, "e.yaml"));
    snprintf(fresh, P_, "%s", fixture_join(dir, "fresh"));
    snprintf(rd, P_, "%s", fixture_join(dir, "out"));
    write_experiment_(exp, "[1, 0.001]");
    const char *go[] = {"run", exp, "--out", rd, "--quiet", NULL};
    ck_assert_int_eq(fixture_run_rfmbench(NULL, NULL, go), 0);
    write_experiment_(exp, "[0.1]");
    const char *resume[] = {"run", exp, "--out", rd, "--resume", "--quiet", NULL};
    ck_assert_int_eq(fixture_run_rfmbench(NULL, NULL, resume), 0);
    fixture_csv *t = fixture_csv_read(fixture_join(rd, "results.csv"));
    size_t rfm = 0, krr = 0, krr_new = 0;
    for (size_t r = 0; r < t->rows; r++) {
        int is_krr = !strcmp(cell_(t, r, "model"), "krr");
        rfm += is_krr ? 0u : 1u;
        krr += is_krr ? 1u : 0u;
        if (is_krr && strstr(cell_(t, r, "params"), "reg=0.1")) {
            krr_new++;
            ck_assert_msg(r >= 16, "a row of the new grid (%zu) precedes the old rows", r);
        }
    }
    ck_assert_uint_eq(rfm, 8);
    ck_assert_uint_eq(krr, 16);
    ck_assert_uint_eq(krr_new, 8);
    fixture_csv_free(t);
    const char *go_fresh[] = {"run", exp, "--out", fresh, "--quiet", NULL};
    ck_assert_int_eq(fixture_run_rfmbench(NULL, NULL, go_fresh), 0);
    char *want = board_summary_(fixture_join(fresh, "leaderboard.csv"));
    char *got = board_summary_(fixture_join(rd, "leaderboard.csv"));
    ck_assert_msg(!strcmp(want, got), "resumed board:\n%s\nfresh:\n%s", got, want);
    free(want);
    free(got);
    // Resuming again with nothing changed runs nothing.
    ck_assert_int_eq(fixture_run_rfmbench(NULL, NULL, resume), 0);
    t = fixture_csv_read(fixture_join(rd, "results.csv"));
    ck_assert_uint_eq(t->rows, 24);
    fixture_csv_free(t);
    fixture_rm_tree(dir);
}
END_TEST

// 140 rows, two classes alternating, two features: 70 stratified folds of one row per class.
static void write_seventy_folds_(const char *dir) {
    char *csv = malloc(1 << 16);
    size_t len = (size_t)snprintf(csv, 1 << 16, "a,b,y\n");
    for (int i = 0; i < 140; i++)
        len += (size_t)snprintf(csv + len, (1 << 16) - len, "%d,%d,%s\n", i, (i * 37) % 11,
                                i % 2 ? "p" : "q");
    fixture_write_text(fixture_join(dir, "d.csv"), csv);
    free(csv);
    fixture_write_text(fixture_join(dir, "d.yaml"),
                       "path: d.csv\nsplits: {kfold: 70, validation: 0.25, seed: 1}\n");
    fixture_write_text(fixture_join(dir, "e.yaml"),
                       "name: e\ndatasets: [d.yaml]\nprotocol: cv\nthreads: 1\nmodels:\n"
                       "  - {name: ridge, type: ridge, grid: {reg: [1]}}\n");
}

START_TEST(resume_with_more_than_64_folds_redoes_only_the_missing_fold) {
    const char *dir = fixture_tmpdir("run-70");
    write_seventy_folds_(dir);
    char exp[P_], rd[P_], results[P_];
    snprintf(exp, P_, "%s", fixture_join(dir, "e.yaml"));
    snprintf(rd, P_, "%s", fixture_join(dir, "out"));
    snprintf(results, P_, "%s", fixture_join(rd, "results.csv"));
    const char *go[] = {"run", exp, "--out", rd, "--quiet", NULL};
    ck_assert_int_eq(fixture_run_rfmbench(NULL, NULL, go), 0);
    // Drop fold 0's row, as if the run had died before writing it.
    char *all = fixture_slurp(results, NULL), *keep = calloc(strlen(all) + 1, 1);
    int dropped = 0;
    for (char *line = strtok(all, "\n"); line; line = strtok(NULL, "\n")) {
        if (!strncmp(line, "d,ridge,0,", 10)) {
            dropped++;
            continue;
        }
        strcat(keep, line);
        strcat(keep, "\n");
    }
    ck_assert_int_eq(dropped, 1);
    fixture_write_text(results, keep);
    free(all);
    free(keep);
    const char *resume[] = {"run", exp, "--out", rd, "--resume", "--quiet", NULL};
    ck_assert_int_eq(fixture_run_rfmbench(NULL, NULL, resume), 0);
    fixture_csv *t = fixture_csv_read(results);
    ck_assert_uint_eq(t->rows, 70);
    unsigned char seen[70] = {0};
    for (size_t r = 0; r < t->rows; r++) {
        long f = atol(cell_(t, r, "fold"));
        ck_assert_msg(f >= 0 && f < 70 && !seen[f], "fold %ld twice or out of range", f);
        seen[f] = 1;
    }
    fixture_csv_free(t);
    fixture_rm_tree(dir);
}
END_TEST

// Editing the descriptor (here its folds) changes what a fold is: --resume reruns the unit.
START_TEST(resume_after_a_descriptor_change_reruns_its_units) {
    const char *dir = fixture_tmpdir("run-desc");
    write_seventy_folds_(dir);
    fixture_write_text(fixture_join(dir, "d.yaml"), "path: d.csv\nsplits: {kfold: 2}\n");
    char exp[P_], rd[P_];
    snprintf(exp, P_, "%s", fixture_join(dir, "e.yaml"));
    snprintf(rd, P_, "%s", fixture_join(dir, "out"));
    const char *go[] = {"run", exp, "--out", rd, "--quiet", NULL};
    ck_assert_int_eq(fixture_run_rfmbench(NULL, NULL, go), 0);
    fixture_write_text(fixture_join(dir, "d.yaml"), "path: d.csv\nsplits: {kfold: 3}\n");
    const char *resume[] = {"run", exp, "--out", rd, "--resume", "--quiet", NULL};
    ck_assert_int_eq(fixture_run_rfmbench(NULL, NULL, resume), 0);
    fixture_csv *t = fixture_csv_read(fixture_join(rd, "results.csv"));
    ck_assert_uint_eq(t->rows, 2 + 3);
    for (size_t r = 2; r < 5; r++)
        ck_assert_msg(atol(cell_(t, r, "fold")) == (long)r - 2, "row %zu: fold %s", r,
                      cell_(t, r, "fold"));
    ck_assert_msg(strcmp(cell_(t, 0, "spec_hash"), cell_(t, 2, "spec_hash")) != 0,
                  "the descriptor edit left spec_hash unchanged");
    fixture_csv_free(t);
    fixture_rm_tree(dir);
}
END_TEST

START_TEST(a_selection_where_every_candidate_fails_writes_no_score_and_no_params) {
    // Every row twice and reg 0: K has equal rows, so no Cholesky succeeds in any fold.
    const char *dir = fixture_tmpdir("run-allfail");
    char csv[4096] = "a,b,y\n";
    for (int i = 0; i < 24; i++)
        snprintf(csv + strlen(csv), sizeof csv - strlen(csv), "%d,%d,%s\n", i / 2, (i / 2) % 3,
                 (i / 2) % 2 ? "p" : "q");
    fixture_write_text(fixture_join(dir, "d.csv"), csv);
    fixture_write_text(fixture_join(dir, "d.yaml"), "path: d.csv\nsplits: {kfold: 2}\n");
    fixture_write_text(fixture_join(dir, "e.yaml"),
                       "name: e\ndatasets: [d.yaml]\nprotocol: cv\nthreads: 1\nmodels:\n"
                       "  - {name: k, type: krr, grid: {reg: [0]}}\n");
    char exp[P_], rd[P_];
    snprintf(exp, P_, "%s", fixture_join(dir, "e.yaml"));
    snprintf(rd, P_, "%s", fixture_join(dir, "out"));
    const char *go[] = {"run", exp, "--out", rd, "--quiet", NULL};
    ck_assert_int_eq(fixture_run_rfmbench(NULL, NULL, go), 1);
    fixture_csv *t = fixture_csv_read(fixture_join(rd, "results.csv"));
    ck_assert_uint_eq(t->rows, 2);
    for (size_t r = 0; r < t->rows; r++) {
        ck_assert_str_eq(cell_(t, r, "status"), "failed");
        ck_assert_msg(strstr(cell_(t, r, "error"), "every candidate failed"), "error '%s'",
                      cell_(t, r, "error"));
        ck_assert_msg(!cell_(t, r, "val_score")[0], "val_score '%s'", cell_(t, r, "val_score"));
        ck_assert_msg(!cell_(t, r, "params")[0], "params '%s'", cell_(t, r, "params"));
        ck_assert_msg(!cell_(t, r, "selected")[0], "selected '%s'", cell_(t, r, "selected"));
    }
    fixture_csv_free(t);
    fixture_rm_tree(dir);
}
END_TEST

START_TEST(protocol_cv_on_a_uci121_dataset_is_refused_in_one_line) {
    const char *dir = fixture_tmpdir("run-cv-uci");
    char text[2048], exp[P_], err[P_], rd[P_];
    const char *iris = fixture_src("datasets/bundled/iris.yaml");
    snprintf(text, sizeof text,
             "name: e\ndatasets: [%s]\nprotocol: cv\nmodels:\n  - {type: ridge}\n", iris);
    snprintf(exp, P_, "%s", fixture_join(dir, "e.yaml"));
    snprintf(err, P_, "%s", fixture_join(dir, "stderr"));
    snprintf(rd, P_, "%s", fixture_join(dir, "out"));
    fixture_write_text(exp, text);
    const char *go[] = {"run", exp, "--out", rd, NULL};
    ck_assert_int_eq(fixture_run_rfmbench(NULL, err, go), 1);
    char *e = fixture_one_line_error(err);
    ck_assert_msg(strstr(e, "iris.yaml") && strstr(e, "protocol: uci121"), "%s", e);
    ck_assert_msg(access(rd, F_OK) != 0, "the run directory was created");
    free(e);
    fixture_rm_tree(dir);
}
END_TEST

static Suite *suite_(void) {
    Suite *s = suite_create("run");
    TCase *tc = tcase_create("recovery");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, a_killed_worker_leaves_imputable_failed_rows_and_resume_retries_them);
    tcase_add_test(tc, resume_with_more_than_64_folds_redoes_only_the_missing_fold);
    tcase_add_test(tc, resume_after_a_grid_change_reruns_only_the_changed_model);
    tcase_add_test(tc, resume_after_a_descriptor_change_reruns_its_units);
    tcase_add_test(tc, a_selection_where_every_candidate_fails_writes_no_score_and_no_params);
    tcase_add_test(tc, protocol_cv_on_a_uci121_dataset_is_refused_in_one_line);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return fixture_run(suite_()); }
