/* test_board.c - leaderboard metrics against the hand-worked example of uci121-protocol.md 7.4,
 * ranks against a naive sort-based ranking, the incomplete gamma against closed forms and
 * published chi-square quantiles, imputation and D membership on hand-made rows, and the
 * `rfmbench leaderboard` command end to end on a results.csv written by hand. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>

#include "fixture.h"
#include "hx_board.h"
#include "hx_results.h"

#define CHECK_NEAR_(got, want, tol, what)                                                        \
    ck_assert_msg(fabs((got) - (want)) <= (tol), "%s: got %.10g, want %.10g (diff %.3g > %.3g)", \
                  what, (double)(got), (double)(want), fabs((got) - (want)), (double)(tol))

// The section 7.4 scores as fractions: rows are models A, B, C; columns d1..d4.
static const double EXAMPLE_[3 * 4] = {0.90, 0.70, 0.50, 0.95,
                                       0.80, 0.70, 0.60, 0.90,
                                       0.85, 0.60, 0.55, 0.99};

START_TEST(worked_example_of_section_7_4) {
    hx_board_model_stats m[3];
    hx_board_run_stats run;
    rfm_error err = {0};
    ck_assert_int_eq(hx_board_metrics(EXAMPLE_, 3, 4, 0, m, &run, &err), RFM_OK);
    // the doc prints percent to 3 decimals: half a unit in the last place is 5e-6 as a fraction
    const double mean[3] = {0.7625, 0.7500, 0.7475}, sd[3] = {0.20565, 0.12910, 0.20823};
    const double rank[3] = {1.875, 2.125, 2.000}, pma[3] = {0.94823, 0.94949, 0.92956};
    const double p90[3] = {0.75, 0.75, 0.75}, p95[3] = {0.75, 0.50, 0.25};
    const size_t wins[3] = {2, 2, 1};
    for (int a = 0; a < 3; a++) {
        CHECK_NEAR_(m[a].mean, mean[a], 1e-12, "mean");
        CHECK_NEAR_(m[a].std, sd[a], 5e-6, "std");
        CHECK_NEAR_(m[a].avg_rank, rank[a], 1e-12, "avg_rank");
        CHECK_NEAR_(m[a].pma, pma[a], 5e-6, "pma");
        CHECK_NEAR_(m[a].p90, p90[a], 1e-12, "p90");
        CHECK_NEAR_(m[a].p95, p95[a], 1e-12, "p95");
        ck_assert_uint_eq(m[a].wins, wins[a]);
    }
    CHECK_NEAR_(run.friedman_chi2, 0.125, 1e-12, "chi2");
    CHECK_NEAR_(run.friedman_p, exp(-0.0625), 1e-13, "p (closed form, k - 1 = 2)");
    CHECK_NEAR_(run.friedman_p, 0.93941, 5e-6, "p (doc)");
    CHECK_NEAR_(run.iman_davenport_f, 0.047619, 5e-7, "Iman-Davenport F");
    CHECK_NEAR_(run.iman_davenport_f, 3 * 0.125 / (8 - 0.125), 1e-13, "F by formula");
    CHECK_NEAR_(run.nemenyi_cd, 1.65725, 2e-3, "CD (doc tolerance)");
    CHECK_NEAR_(run.nemenyi_cd, 2.34370 * sqrt(0.5), 1e-12, "CD by formula");
    ck_assert_ptr_null(run.cd_note);
}
END_TEST

// Independent ranking: sort a copy, give each tie group the mean of its 1-based positions.
static void naive_ranks_(const double *s, size_t k, double *rank) {
    size_t idx[64];
    for (size_t a = 0; a < k; a++) idx[a] = a;
    for (size_t i = 1; i < k; i++) { // insertion sort, best (largest) first
        for (size_t j = i; j > 0 && s[idx[j]] > s[idx[j - 1]]; j--) {
            size_t t = idx[j];
            idx[j] = idx[j - 1];
            idx[j - 1] = t;
        }
    }
    for (size_t i = 0; i < k;) {
        size_t e = i;
        while (e + 1 < k && s[idx[e + 1]] == s[idx[i]]) e++;
        for (size_t q = i; q <= e; q++) rank[idx[q]] = (double)(i + e + 2) / 2.0;
        i = e + 1;
    }
}

START_TEST(ranks_match_a_naive_ranking_and_sum_to_k_k1_over_2) {
    enum { K = 7, N = 40 };
    double S[K * N], col[K], r[K], want[K] = {0};
    fixture_uniform(S, K * N, 0.0, 1.0, 42u);
    for (size_t i = 0; i < K * N; i++) S[i] = floor(S[i] * 8) / 8; // coarse: many ties
    hx_board_model_stats m[K];
    hx_board_run_stats run;
    ck_assert_int_eq(hx_board_metrics(S, K, N, 0, m, &run, NULL), RFM_OK);
    for (size_t j = 0; j < N; j++) {
        for (size_t a = 0; a < K; a++) col[a] = S[a * N + j];
        naive_ranks_(col, K, r);
        for (size_t a = 0; a < K; a++) want[a] += r[a] / N;
    }
    double sum = 0, chi_sum = 0;
    for (size_t a = 0; a < K; a++) {
        CHECK_NEAR_(m[a].avg_rank, want[a], 1e-12, "avg_rank vs naive");
        sum += m[a].avg_rank;
        chi_sum += (want[a] - (K + 1) / 2.0) * (want[a] - (K + 1) / 2.0);
    }
    CHECK_NEAR_(sum, K * (K + 1) / 2.0, 1e-9, "sum of average ranks");
    // the same statistic written as 12N/(k(k+1)) sum (R - (k+1)/2)^2
    CHECK_NEAR_(run.friedman_chi2, 12.0 * N / (K * (K + 1)) * chi_sum, 1e-9, "chi2");
    // read as lower-is-better, every rank r becomes k + 1 - r (tie groups included)
    hx_board_model_stats ml[K];
    ck_assert_int_eq(hx_board_metrics(S, K, N, 1, ml, &run, NULL), RFM_OK);
    for (size_t a = 0; a < K; a++) CHECK_NEAR_(ml[a].avg_rank, (K + 1) - want[a], 1e-12, "mirror");
}
END_TEST

// Ratios that are exactly 0.90 / 0.95 in decimal but land just below in binary still count.
START_TEST(p90_p95_boundaries_hold_despite_rounding) {
    // model Y over X: 0.09/0.1 = 0.8999999999999999, 0.5225/0.55 = 0.9499999999999998, 0.95/1
    const double S[2 * 3] = {0.1, 0.55, 1.0, 0.09, 0.5225, 0.95};
    hx_board_model_stats m[2];
    hx_board_run_stats run;
    ck_assert_int_eq(hx_board_metrics(S, 2, 3, 0, m, &run, NULL), RFM_OK);
    CHECK_NEAR_(m[1].p90, 1.0, 1e-15, "p90");
    CHECK_NEAR_(m[1].p95, 2.0 / 3.0, 1e-15, "p95");
    CHECK_NEAR_(m[0].p95, 1.0, 1e-15, "best model p95");
    CHECK_NEAR_(m[1].pma, (0.09 / 0.1 + 0.5225 / 0.55 + 0.95) / 3, 1e-15, "pma");
    ck_assert_uint_eq(m[0].wins, 3);
    ck_assert_uint_eq(m[1].wins, 0);
}
END_TEST

START_TEST(gamma_q_matches_the_closed_form_for_even_dof) {
    const double xs[] = {1e-3, 0.3, 1.0, 2.5, 4.0, 7.5, 12.0, 30.0, 60.0};
    double worst = 0;
    for (int a = 1; a <= 8; a++) {
        for (size_t i = 0; i < sizeof xs / sizeof *xs; i++) {
            double x = xs[i], term = 1, sum = 0;
            for (int q = 0; q < a; q++) { // e^-x sum_{q<a} x^q / q!
                sum += term;
                term *= x / (q + 1);
            }
            double want = exp(-x) * sum, got = hx_gamma_q(a, x);
            double rel = fabs(got - want) / want;
            if (rel > worst) worst = rel;
            ck_assert_msg(rel <= 1e-12, "Q(%d, %g) = %.17g, closed form %.17g (rel %.3g)", a, x,
                          got, want, rel);
        }
    }
    ck_assert_msg(worst <= 1e-12, "largest relative error %.3g", worst);
}
END_TEST

START_TEST(gamma_q_half_integer_matches_erfc_and_chi2_quantiles) {
    // Q(1/2, x) = erfc(sqrt x): one odd dof, both branches of the algorithm
    const double xs[] = {1e-4, 0.2, 1.0, 1.4, 3.0, 9.0, 25.0};
    for (size_t i = 0; i < sizeof xs / sizeof *xs; i++) {
        double want = erfc(sqrt(xs[i])), got = hx_gamma_q(0.5, xs[i]);
        ck_assert_msg(fabs(got - want) <= 1e-13 * want + 1e-300, "Q(0.5, %g) = %.17g vs %.17g",
                      xs[i], got, want);
    }
    // upper 5% points of chi-square (standard tables, 6 decimals)
    const double dof[] = {1, 3, 5, 10}, q95[] = {3.841459, 7.814728, 11.070498, 18.307038};
    for (int i = 0; i < 4; i++) {
        CHECK_NEAR_(hx_chi2_sf(q95[i], dof[i]), 0.05, 1e-6, "chi2 5% point");
    }
    CHECK_NEAR_(hx_chi2_sf(6.634897, 1), 0.01, 1e-6, "chi2_1 1% point");
    CHECK_NEAR_(hx_gamma_q(3, 0), 1.0, 0, "Q(a, 0)");
    ck_assert(isnan(hx_gamma_q(0, 1)) && isnan(hx_gamma_q(1, -1)));
}
END_TEST

START_TEST(nemenyi_cd_is_empty_outside_the_table_and_for_one_model) {
    double S[11 * 3];
    fixture_uniform(S, 11 * 3, 0, 1, 7u);
    hx_board_model_stats m[11];
    hx_board_run_stats run;
    ck_assert_int_eq(hx_board_metrics(S, 11, 3, 0, m, &run, NULL), RFM_OK);
    ck_assert(isnan(run.nemenyi_cd) && run.cd_note != NULL);
    ck_assert(!isnan(run.friedman_chi2));
    ck_assert_int_eq(hx_board_metrics(S, 10, 3, 0, m, &run, NULL), RFM_OK);
    CHECK_NEAR_(run.nemenyi_cd, 3.16368 * sqrt(110.0 / 18.0), 1e-12, "CD k = 10");
    ck_assert_int_eq(hx_board_metrics(S, 1, 3, 0, m, &run, NULL), RFM_OK);
    ck_assert(isnan(run.nemenyi_cd) && isnan(run.friedman_chi2) && run.cd_note != NULL);
    CHECK_NEAR_(m[0].avg_rank, 1.0, 0, "single model rank");
    ck_assert_int_eq(hx_board_metrics(S, 3, 1, 0, m, &run, NULL), RFM_OK); // N = 1
    ck_assert(isnan(m[0].std) && isnan(run.iman_davenport_f));
    S[4] = NAN;
    ck_assert_int_eq(hx_board_metrics(S, 3, 3, 0, m, &run, NULL), RFM_EINVAL);
}
END_TEST

// A results row held in memory: status "ok" unless maj >= 0 marks an imputed failure.
static hx_result_row row_(const char *ds, const char *model, long fold, double acc, double fit,
                          const char *status, double maj) {
    hx_result_row r = hx_result_row_init();
    r.dataset = ds;
    r.model = model;
    r.fold = fold;
    r.params = "";
    r.test_accuracy = acc;
    r.fit_seconds = fit;
    r.status = status;
    r.majority_accuracy = maj;
    return r;
}

static const hx_board_entry *entry_(const hx_board *b, const char *model) {
    for (size_t a = 0; a < b->k; a++) {
        if (strcmp(b->entry[a].model, model) == 0) return &b->entry[a];
    }
    ck_abort_msg("model %s is not on the board", model);
    return NULL;
}

START_TEST(failed_fold_is_imputed_with_majority_accuracy) {
    hx_result_row rows[16];
    size_t n = 0;
    for (long f = 0; f < 4; f++) {
        rows[n++] = row_("d1", "A", f, 0.8, 1.0, "ok", 0.3);
        rows[n++] = row_("d2", "A", f, 0.6, 1.0, "ok", 0.3);
        rows[n++] = row_("d2", "B", f, 0.7, 2.0, "ok", 0.3);
        // B fails fold 1 of d1: a stale test_accuracy must not be used, nor its fit time
        rows[n++] = f == 1 ? row_("d1", "B", f, 0.99, 50.0, "failed", 0.3)
                           : row_("d1", "B", f, 0.9, 2.0, "ok", 0.3);
    }
    hx_board *b = NULL;
    rfm_error err = {0};
    ck_assert_msg(hx_board_build(rows, n, &b, &err) == RFM_OK, "%s", err.msg);
    ck_assert_uint_eq(b->k, 2);
    ck_assert_uint_eq(b->n, 2);
    const hx_board_entry *A = entry_(b, "A"), *B = entry_(b, "B");
    // B on d1: (0.9 + 0.3 + 0.9 + 0.9) / 4 = 0.75, on d2 0.7
    CHECK_NEAR_(B->s.mean, (0.75 + 0.7) / 2, 1e-12, "B mean with the imputed fold");
    CHECK_NEAR_(A->s.mean, 0.7, 1e-12, "A mean");
    ck_assert_uint_eq(B->n_failed, 1);
    ck_assert_uint_eq(A->n_failed, 0);
    ck_assert_uint_eq(B->n_datasets, 2);
    CHECK_NEAR_(B->mean_fit_seconds, 2.0, 1e-12, "fit seconds over ok folds");
    CHECK_NEAR_(A->s.avg_rank, 1.5, 1e-12, "A rank: first on d1, second on d2");
    ck_assert_str_eq(b->entry[0].model, "A"); // equal average ranks: by name
    ck_assert_uint_eq(b->n_all_failed + b->n_incomplete + b->n_unscored, 0);
    hx_board_free(b);
}
END_TEST

START_TEST(dataset_every_model_failed_leaves_D_and_is_named) {
    hx_result_row rows[64];
    size_t n = 0;
    for (long f = 0; f < 4; f++) {
        rows[n++] = row_("d1", "A", f, 0.8, 1.0, "ok", 0.5);
        rows[n++] = row_("d1", "B", f, 0.5, 1.0, "ok", 0.5);
        rows[n++] = row_("d2", "A", f, 0.6, 1.0, "ok", 0.5);
        rows[n++] = row_("d2", "B", f, NAN, 1.0, "failed", 0.4); // B failed all of d2: stays
        rows[n++] = row_("gone", "A", f, NAN, 1.0, "failed", 0.5);
        rows[n++] = row_("gone", "B", f, NAN, 1.0, "failed", 0.5);
        rows[n++] = row_("lonely", "A", f, 0.9, 1.0, "ok", 0.5); // B never ran there
    }
    rows[n++] = row_("d1", "A", 3, 0.4, 1.0, "ok", 0.5); // a rerun fold: the later row counts
    hx_board *b = NULL;
    rfm_error err = {0};
    ck_assert_msg(hx_board_build(rows, n, &b, &err) == RFM_OK, "%s", err.msg);
    ck_assert_uint_eq(b->n, 2);
    ck_assert_uint_eq(b->n_all_failed, 1);
    ck_assert_uint_eq(b->n_incomplete, 1);
    ck_assert_uint_eq(b->n_duplicates, 1);
    ck_assert_msg(strstr(b->note, "gone") && strstr(b->note, "lonely"), "note: %s", b->note);
    const hx_board_entry *A = entry_(b, "A"), *B = entry_(b, "B");
    CHECK_NEAR_(A->s.mean, ((0.8 * 3 + 0.4) / 4 + 0.6) / 2, 1e-12, "A over d1, d2");
    CHECK_NEAR_(B->s.mean, (0.5 + 0.4) / 2, 1e-12, "B with d2 imputed");
    ck_assert_uint_eq(B->n_failed, 1);
    ck_assert_uint_eq(A->s.wins, 2);
    hx_board_free(b);
}
END_TEST

START_TEST(regression_rows_rank_by_rmse_lower_first) {
    hx_result_row rows[8];
    const char *ds[2] = {"r1", "r2"};
    const double rmse_a[2] = {1.0, 1.0}, rmse_b[2] = {2.0, 4.0};
    size_t n = 0;
    for (int j = 0; j < 2; j++) {
        for (long f = 0; f < 2; f++) {
            rows[n] = row_(ds[j], "B", f, NAN, 1.0, "ok", NAN);
            rows[n++].test_rmse = rmse_b[j];
            rows[n] = row_(ds[j], "A", f, NAN, 1.0, "ok", NAN);
            rows[n++].test_rmse = rmse_a[j];
        }
    }
    hx_board *b = NULL;
    ck_assert_int_eq(hx_board_build(rows, n, &b, NULL), RFM_OK);
    ck_assert_int_eq(b->regression, 1);
    ck_assert_str_eq(b->entry[0].model, "A");
    CHECK_NEAR_(b->entry[0].s.avg_rank, 1.0, 0, "A rank");
    CHECK_NEAR_(b->entry[1].s.mean, 3.0, 1e-12, "B mean rmse");
    CHECK_NEAR_(b->entry[1].s.pma, (0.5 + 0.25) / 2, 1e-12, "B pma = mean best/s");
    hx_board_free(b);
    // a failed regression fold without constant_rmse cannot be imputed: the dataset leaves D
    rows[0].status = "failed";
    ck_assert_int_eq(hx_board_build(rows, n, &b, NULL), RFM_OK);
    ck_assert_uint_eq(b->n, 1);
    ck_assert_uint_eq(b->n_unscored, 1);
    hx_board_free(b);
}
END_TEST

/* ---- end to end -------------------------------------------------------------------------- */

static const char HEADER_[] =
    "dataset,model,fold,params,val_score,test_accuracy,test_rmse,n_train,n_test,n_features,"
    "n_classes,fit_seconds,predict_seconds,peak_rss_mb,threads,seed,status,error,"
    "test_r2,selected,majority_accuracy,param_hash,constant_rmse\n";

START_TEST(leaderboard_command_end_to_end) {
    char dir[4096], res[4200], out[4200], lb[4300], st[4300];
    snprintf(dir, sizeof dir, "%s", fixture_tmpdir("board"));
    snprintf(res, sizeof res, "%s/results.csv", dir);
    snprintf(out, sizeof out, "%s/lb", dir);
    // the 7.4 example, 2 identical folds each (so the mean is the score exactly), plus a dataset
    // every model failed and one that only A ran: both must leave D without changing anything
    char *text = malloc(1 << 16);
    size_t len = (size_t)snprintf(text, 1 << 16, "%s", HEADER_);
    const char *models[3] = {"A", "B", "C"}, *fit[3] = {"1.000", "2.000", "3.000"};
    for (int a = 0; a < 3; a++) {
        for (int j = 0; j < 4; j++) {
            for (int f = 0; f < 2; f++) {
                len += (size_t)snprintf(text + len, (1 << 16) - len,
                                        "d%d,%s,%d,k=v,0.5,%.2f,,10,5,2,2,%s,0.001,1.0,1,0,ok,"
                                        ",,,0.5,x,\n", j + 1, models[a], f, EXAMPLE_[a * 4 + j],
                                        fit[a]);
            }
            len += (size_t)snprintf(text + len, (1 << 16) - len,
                                    "d5,%s,%d,k=v,,,,10,5,2,2,99.000,,,1,0,failed,"
                                    "\"boom, \"\"bad\"\"\",,,0.5,x,\n", models[a], j);
        }
    }
    len += (size_t)snprintf(text + len, (1 << 16) - len,
                            "d6,A,0,k=v,0.5,0.99,,10,5,2,2,1.000,0.001,1.0,1,0,ok,,,,0.5,x,\n");
    fixture_write_text(res, text);
    free(text);
    char *argv[] = {"leaderboard", res, "--out", out, NULL};
    ck_assert_int_eq(hx_cmd_leaderboard(4, argv), 0);

    snprintf(lb, sizeof lb, "%s/leaderboard.csv", out);
    fixture_csv *t = fixture_csv_read(lb);
    const char *cols[] = {"model", "n_datasets", "n_failed", "mean_accuracy", "std_accuracy",
                          "avg_rank", "p90", "p95", "pma", "wins", "mean_fit_seconds"};
    ck_assert_uint_ge(t->cols, 11);
    for (size_t c = 0; c < 11; c++) ck_assert_str_eq(fixture_csv_cell(t, 0, c), cols[c]);
    ck_assert_uint_eq(t->rows, 3);
    // sorted by avg_rank: A 1.875, C 2.000, B 2.125
    const char *order[3] = {"A", "C", "B"};
    const double mean[3] = {0.7625, 0.7475, 0.75}, rank[3] = {1.875, 2.0, 2.125};
    const double p95[3] = {0.75, 0.25, 0.5}, wins[3] = {2, 1, 2}, fits[3] = {1, 3, 2};
    for (size_t i = 0; i < 3; i++) {
        ck_assert_str_eq(fixture_csv_cell(t, i + 1, 0), order[i]);
        CHECK_NEAR_(fixture_csv_num(t, i + 1, "n_datasets"), 4, 0, "n_datasets");
        CHECK_NEAR_(fixture_csv_num(t, i + 1, "n_failed"), 0, 0, "n_failed");
        CHECK_NEAR_(fixture_csv_num(t, i + 1, "mean_accuracy"), mean[i], 1e-12, "mean_accuracy");
        CHECK_NEAR_(fixture_csv_num(t, i + 1, "avg_rank"), rank[i], 1e-12, "avg_rank");
        CHECK_NEAR_(fixture_csv_num(t, i + 1, "p95"), p95[i], 1e-12, "p95");
        CHECK_NEAR_(fixture_csv_num(t, i + 1, "wins"), wins[i], 0, "wins");
        CHECK_NEAR_(fixture_csv_num(t, i + 1, "mean_fit_seconds"), fits[i], 1e-12, "fit seconds");
    }
    fixture_csv_free(t);
    snprintf(st, sizeof st, "%s/leaderboard_stats.csv", out);
    t = fixture_csv_read(st);
    const char *scols[] = {"n_models", "n_datasets", "friedman_chi2", "friedman_p",
                           "iman_davenport_f", "nemenyi_cd_0.05"};
    for (size_t c = 0; c < 6; c++) ck_assert_str_eq(fixture_csv_cell(t, 0, c), scols[c]);
    ck_assert_uint_eq(t->rows, 1);
    CHECK_NEAR_(fixture_csv_num(t, 1, "n_models"), 3, 0, "n_models");
    CHECK_NEAR_(fixture_csv_num(t, 1, "n_datasets"), 4, 0, "n_datasets");
    CHECK_NEAR_(fixture_csv_num(t, 1, "friedman_chi2"), 0.125, 1e-12, "chi2");
    CHECK_NEAR_(fixture_csv_num(t, 1, "friedman_p"), 0.93941, 5e-6, "p");
    CHECK_NEAR_(fixture_csv_num(t, 1, "iman_davenport_f"), 0.047619, 5e-7, "F");
    CHECK_NEAR_(fixture_csv_num(t, 1, "nemenyi_cd_0.05"), 1.65725, 2e-3, "CD");
    CHECK_NEAR_(fixture_csv_num(t, 1, "n_datasets_all_failed"), 1, 0, "all failed");
    CHECK_NEAR_(fixture_csv_num(t, 1, "n_datasets_incomplete"), 1, 0, "incomplete");
    fixture_csv_free(t);
    // the atomic writes leave no temporary files behind
    DIR *d = opendir(out);
    ck_assert_ptr_nonnull(d);
    size_t files = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.') continue;
        ck_assert_msg(strstr(e->d_name, ".tmp") == NULL, "left behind: %s", e->d_name);
        files++;
    }
    closedir(d);
    ck_assert_uint_eq(files, 2);
}
END_TEST

START_TEST(leaderboard_command_exit_codes) {
    char dir[4096], bad[4200], missing[4200];
    snprintf(dir, sizeof dir, "%s", fixture_tmpdir("boardrc"));
    snprintf(bad, sizeof bad, "%s/bad.csv", dir);
    snprintf(missing, sizeof missing, "%s/none.csv", dir);
    fixture_write_text(bad, "a,b\n1,2\n");
    char *help[] = {"leaderboard", "--help", NULL};
    char *none[] = {"leaderboard", NULL};
    char *unknown[] = {"leaderboard", "--bogus", bad, NULL};
    char *noval[] = {"leaderboard", bad, "--out", NULL};
    char *badfile[] = {"leaderboard", bad, NULL};
    char *nofile[] = {"leaderboard", missing, NULL};
    ck_assert_int_eq(hx_cmd_leaderboard(2, help), 0);
    ck_assert_int_eq(hx_cmd_leaderboard(1, none), 2);
    ck_assert_int_eq(hx_cmd_leaderboard(3, unknown), 2);
    ck_assert_int_eq(hx_cmd_leaderboard(3, noval), 2);
    ck_assert_int_eq(hx_cmd_leaderboard(2, badfile), 1);
    ck_assert_int_eq(hx_cmd_leaderboard(2, nofile), 1);
}
END_TEST

// A row the contract rules out stops the command with exit 1 and one line naming its cell,
// before any leaderboard file is written.
START_TEST(leaderboard_command_refuses_rows_the_contract_rules_out) {
    char dir[4096], res[4200], out[4200], err[4200], lb[4300], want[4400];
    snprintf(dir, sizeof dir, "%s", fixture_tmpdir("boardbad"));
    snprintf(res, sizeof res, "%s/results.csv", dir);
    snprintf(out, sizeof out, "%s/lb", dir);
    snprintf(err, sizeof err, "%s/stderr", dir);
    snprintf(lb, sizeof lb, "%s/leaderboard.csv", out);
    // line 3: fold at column 6 (after "d1,B,"), test_accuracy at 16, status at 50
    static const struct { const char *row, *what; } cases[] = {
        {"d1,B,0,k=v,0.5,0.7,,10,5,2,2,1.000,0.001,1.0,1,0,done,,,,0.5,x,",
         ":3:50: column 'status': 'done' is not ok or failed"},
        {"d1,B,0,k=v,0.5,70,,10,5,2,2,1.000,0.001,1.0,1,0,ok,,,,0.5,x,",
         ":3:16: column 'test_accuracy': '70' is outside [0, 1]"},
        {"d1,B,0,k=v,0.5,NaN,,10,5,2,2,1.000,0.001,1.0,1,0,ok,,,,0.5,x,",
         ":3:16: column 'test_accuracy': 'NaN' is not a finite number"},
        {"d1,B,-2,k=v,0.5,0.7,,10,5,2,2,1.000,0.001,1.0,1,0,ok,,,,0.5,x,",
         ":3:6: column 'fold': '-2' must be >= 0 (it counts from 0)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[4096];
        snprintf(text, sizeof text, "%sd1,A,0,k=v,0.5,0.9,,10,5,2,2,1.000,0.001,1.0,1,0,ok,,,,"
                 "0.5,x,\n%s\n", HEADER_, cases[i].row);
        fixture_write_text(res, text);
        int rc = fixture_sh("'%s' leaderboard '%s' --out '%s' 2>'%s' >/dev/null",
                            fixture_bin("rfmbench"), res, out, err);
        ck_assert_msg(rc == 1, "case %zu: exit %d, want 1", i, rc);
        char *msg = fixture_slurp(err, NULL);
        snprintf(want, sizeof want, "rfmbench: %s%s\n", res, cases[i].what);
        ck_assert_str_eq(msg, want);
        free(msg);
        ck_assert_msg(access(lb, F_OK) != 0, "case %zu: %s was written", i, lb);
    }
    fixture_rm_tree(dir);
}
END_TEST

START_TEST(terminal_table_shows_failures_beside_the_score) {
    hx_result_row rows[8];
    size_t n = 0;
    for (long f = 0; f < 2; f++) {
        rows[n++] = row_("d1", "rfm", f, 0.75, 1.0, "ok", 0.5);
        rows[n++] = row_("d2", "rfm", f, 0.5, 1.0, "ok", 0.5);
        rows[n++] = row_("d1", "svm", f, NAN, 1.0, "failed", 0.5);
        rows[n++] = row_("d2", "svm", f, 1.0, 1.0, "ok", 0.5);
    }
    hx_board *b = NULL;
    ck_assert_int_eq(hx_board_build(rows, n, &b, NULL), RFM_OK);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    hx_board_print(b, f);
    fclose(f);
    // svm: d1 imputed 0.5, d2 1.0 -> 0.75 with one failed dataset
    ck_assert_msg(strstr(buf, "0.7500 (1)") != NULL, "table:\n%s", buf);
    ck_assert_msg(strstr(buf, "0.6250 ") != NULL && strstr(buf, "0.6250 (") == NULL, "table:\n%s",
                  buf);
    free(buf);
    hx_board_free(b);
}
END_TEST

static Suite *suite_(void) {
    Suite *s = suite_create("board");
    TCase *m = tcase_create("metrics");
    tcase_add_test(m, worked_example_of_section_7_4);
    tcase_add_test(m, ranks_match_a_naive_ranking_and_sum_to_k_k1_over_2);
    tcase_add_test(m, p90_p95_boundaries_hold_despite_rounding);
    tcase_add_test(m, gamma_q_matches_the_closed_form_for_even_dof);
    tcase_add_test(m, gamma_q_half_integer_matches_erfc_and_chi2_quantiles);
    tcase_add_test(m, nemenyi_cd_is_empty_outside_the_table_and_for_one_model);
    suite_add_tcase(s, m);
    TCase *r = tcase_create("rows");
    tcase_add_test(r, failed_fold_is_imputed_with_majority_accuracy);
    tcase_add_test(r, dataset_every_model_failed_leaves_D_and_is_named);
    tcase_add_test(r, regression_rows_rank_by_rmse_lower_first);
    tcase_add_test(r, terminal_table_shows_failures_beside_the_score);
    suite_add_tcase(s, r);
    TCase *c = tcase_create("command");
    tcase_add_test(c, leaderboard_command_end_to_end);
    tcase_add_test(c, leaderboard_command_exit_codes);
    tcase_add_test(c, leaderboard_command_refuses_rows_the_contract_rules_out);
    suite_add_tcase(s, c);
    return s;
}

int main(void) { return fixture_run(suite_()); }
