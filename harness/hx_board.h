/* hx_board.h - the leaderboard of uci121-protocol.md section 7: per-dataset scores from the
 * per-fold rows of results.csv (failed folds imputed by the constant predictor), then mean,
 * std, average (Friedman) rank, p90, p95, pma and wins per model, the Friedman test with its
 * p-value, the Iman-Davenport F and the Nemenyi critical difference; leaderboard.csv,
 * leaderboard_stats.csv and the terminal table; and the `rfmbench leaderboard` subcommand.
 *
 * Regression runs (no accuracy anywhere, test_rmse filled) are ranked by RMSE, lower is better;
 * the ratio metrics then use best/s instead of s/best. Undefined numbers are NaN and are written
 * as empty CSV fields. Only hx_cmd_leaderboard and hx_board_print print. */
#ifndef HX_BOARD_H
#define HX_BOARD_H

#include <stddef.h>
#include <stdio.h>

#include "hx_results.h"
#include "rfm.h"

/* Equal scores: |s - s'| <= HX_BOARD_TIE (section 7). */
#define HX_BOARD_TIE 1e-12

/* ---- pure metrics ------------------------------------------------------------------------- */

typedef struct {
    double mean;     /* (1/N) sum_j s[a][j] */
    double std;      /* sample std (N - 1); NaN when N < 2 */
    double avg_rank; /* mean rank, 1 = best, ties share the mean of their positions */
    double p90, p95; /* share of datasets with s/best >= 0.90 (0.95) - 1e-12 */
    double pma;      /* mean of s/best; a dataset whose best is 0 counts 1 */
    size_t wins;     /* datasets where s ties the best; ties count for every tied model */
} hx_board_model_stats;

typedef struct {
    double friedman_chi2;    /* Demsar's form, without tie correction; NaN when k < 2 or N = 0 */
    double friedman_p;       /* Q((k - 1)/2, chi2/2) */
    double iman_davenport_f; /* NaN when N < 2; +inf when every dataset ranks alike */
    double nemenyi_cd;       /* q_0.05 sqrt(k(k+1)/(6N)); NaN outside k = 2..10 */
    const char *cd_note;     /* static reason when nemenyi_cd is NaN, else NULL */
} hx_board_run_stats;

/* Metrics of k models on N datasets. S: (k, N) row-major, S[a*N + j] = s[a][j], all finite.
 * lower_is_better: 0 for accuracy, 1 for RMSE. models: k entries, caller-owned. N = 0 gives NaN
 * everywhere and 0 wins. Errors: k = 0 or a non-finite score (RFM_EINVAL). */
rfm_status hx_board_metrics(const double *S, size_t k, size_t N, int lower_is_better,
                            hx_board_model_stats *models, hx_board_run_stats *run,
                            rfm_error *err);

/* Regularised upper incomplete gamma Q(a, x) = Gamma(a, x) / Gamma(a), a > 0, x >= 0 (NaN
 * otherwise): a series below x = a + 1, a continued fraction above; relative accuracy ~1e-14. */
double hx_gamma_q(double a, double x);
/* P(chi2_dof > x) = Q(dof/2, x/2). */
double hx_chi2_sf(double x, double dof);
/* Upper 5% point of the studentized range (infinite dof) / sqrt 2, for k = 2..10; else NaN. */
double hx_nemenyi_q05(size_t k);

/* ---- the leaderboard from results rows ------------------------------------------------------ */

typedef struct {
    char *model;              /* owned */
    size_t n_datasets;        /* N, the same for every model */
    size_t n_failed;          /* datasets of D with at least one imputed fold */
    hx_board_model_stats s;   /* in score units: accuracy, or RMSE when regression */
    double mean_fit_seconds;  /* over the ok folds of D; NaN when none */
} hx_board_entry;

typedef struct {
    int regression;           /* 1: scores are RMSE, lower is better */
    size_t k, n;              /* models; datasets in D */
    hx_board_entry *entry;    /* k entries, by avg_rank ascending, then model name */
    hx_board_run_stats run;
    size_t n_all_failed;      /* datasets left out: every model failed every fold */
    size_t n_incomplete;      /* datasets left out: some model has no rows there */
    size_t n_unscored;        /* datasets left out: a fold has neither a score nor an imputation */
    size_t n_duplicates;      /* repeated (dataset, model, fold) rows; the last one counted */
    char note[4096];          /* one sentence per line: what was left out and why, empty stats */
} hx_board;

/* Build the leaderboard from n results rows (borrowed; several files may be concatenated).
 * Dataset score = mean over its folds of test_accuracy (test_rmse for regression); a fold with
 * status != "ok" is imputed with majority_accuracy (constant_rmse) and marks the (dataset,
 * model) as failed. D = the datasets where every model has rows, some fold succeeded and
 * every fold has a value. On RFM_OK *out is owned by the caller (hx_board_free). */
rfm_status hx_board_build(const hx_result_row *rows, size_t n, hx_board **out, rfm_error *err);
void hx_board_free(hx_board *b); /* NULL is a no-op */

/* Write out_dir/leaderboard.csv (model,n_datasets,n_failed,mean_accuracy,std_accuracy,avg_rank,
 * p90,p95,pma,wins,mean_fit_seconds, then mean_rmse,std_rmse) and out_dir/leaderboard_stats.csv
 * (n_models,n_datasets,friedman_chi2,friedman_p,iman_davenport_f,nemenyi_cd_0.05, then metric,
 * n_datasets_all_failed,n_datasets_incomplete,n_datasets_unscored), each atomically (temp file,
 * fsync, rename). The folder must exist. RFM_EIO / RFM_ENOMEM on failure. */
rfm_status hx_board_save(const hx_board *b, const char *out_dir, rfm_error *err);

/* Aligned text table plus the run statistics and the note, for the terminal. n_failed is shown
 * beside the score, e.g. "0.8123 (2)". */
void hx_board_print(const hx_board *b, FILE *fp);

/* hx_board_build + hx_board_save. note (may be NULL) receives the board's note (truncated to
 * note_size). */
rfm_status hx_board_write(const hx_result_row *rows, size_t n, const char *out_dir, char *note,
                          size_t note_size, rfm_error *err);

/* `rfmbench leaderboard RESULTS.csv... [--out DIR]`; argv[0] = "leaderboard". --out defaults to
 * the folder of the first results file (created when missing). Prints the table to stdout.
 * Returns 0 on success (and for --help), 1 on bad or unreadable files ("rfmbench: FILE:LINE:
 * what" on stderr), 2 on a usage error (one "rfmbench: ..." line on stderr). */
int hx_cmd_leaderboard(int argc, char **argv);

#endif
