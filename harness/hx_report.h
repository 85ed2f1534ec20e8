/* hx_report.h - `rfmbench report RUN_DIR`: a report page (report.md, index.html) and plots for
 * a run directory, made from the run directory alone.
 *
 * Output, in OUT (default RUN_DIR/report):
 *   index.html, report.md    the leaderboard, the plots, failures, per-dataset scores and the
 *                            run's settings (run.yaml); plain HTML + SVG, nothing from the net
 *   scores.csv               dataset,n_rows,n_features, then one score column per model
 *   failures.csv             dataset,model,fold,error: every failed fold
 *   plots/NAME.csv           the data behind each plot (header line, RFC 4180)
 *   plots/NAME.gp            the gnuplot script (re-plot: cd plots && gnuplot NAME.gp, or
 *                            gnuplot -e "fmt='png'" NAME.gp)
 *   plots/NAME.svg (.png)    the picture, when gnuplot runs (PNG only with png = 1)
 *   features/DATASET.csv     model,k,feature,m_diag,eigenvalue: for each model that saved a
 *                            learned metric (RUN_DIR/metrics, written by the harness for RFM),
 *                            row k holds feature k's M_kk and the k-th largest eigenvalue of M
 *
 * Dataset scores follow the leaderboard (hx_board.h): the mean over a (dataset, model)'s folds
 * of test_accuracy (test_rmse for regression), a failed fold counted at its constant-predictor
 * score, the last row winning for a repeated (dataset, model, fold). Without gnuplot the tables
 * and data files are still written and the summary says how to install it. */
#ifndef HX_REPORT_H
#define HX_REPORT_H

#include <stddef.h>

#include "rfm.h"

typedef struct {
    const char *run_dir; /* holds results.csv (required), run.yaml, metrics/ (optional) */
    const char *out_dir; /* NULL: RUN_DIR/report; created with its parents */
    const char *dataset; /* the dataset whose feature importances are plotted; NULL: the first
                          * dataset (by name) with a learned metric */
    int png;             /* 1: PNG copies of every plot too (gnuplot's pngcairo terminal) */
    const char *gnuplot; /* the program; NULL: $RFMBENCH_GNUPLOT, else "gnuplot" on PATH */
} hx_report_opts;

typedef struct {
    size_t n_datasets, n_models; /* in the per-dataset table */
    size_t n_plots;              /* plots whose script was written */
    size_t n_drawn;              /* of those, drawn by gnuplot */
    size_t n_feature_files;      /* features/DATASET.csv files written */
    int gnuplot_found;
    char out_dir[4096];
    char note[2048];             /* lines for the user: missing gnuplot, failed plots, ... */
} hx_report_summary;

/* Write the report of o->run_dir (see above). A plot that gnuplot fails to draw is not an
 * error: it is named in sum->note and on the page. Errors: results.csv missing or unreadable
 * (RFM_EIO / RFM_EFORMAT with the CSV position), no rows (RFM_EFORMAT), o->dataset without a
 * learned metric (RFM_EINVAL), an output file that cannot be written (RFM_EIO). sum may be
 * NULL. */
rfm_status hx_report_write(const hx_report_opts *o, hx_report_summary *sum, rfm_error *err);

/* `rfmbench report RUN_DIR [--out DIR] [--png] [--dataset NAME]`; argv[0] = "report". Exit 0
 * (also for --help), 1 on bad input or a write error ("rfmbench: ..." on stderr), 2 on a usage
 * error. Prints where the report went and the summary's note. */
int hx_cmd_report(int argc, char **argv);

/* ---- helpers shared with the harness and the tests ---------------------------------------- */

/* s as a file-name component: [A-Za-z0-9._+-] kept, anything else '_', a leading '.' made '_'
 * (no hidden files, no ".."), "" made "_". Truncated to size. */
void hx_report_safe_name(const char *s, char *buf, size_t size);

/* The learned-metric file of (dataset, model) relative to the run directory:
 * "metrics/SAFE(dataset)__SAFE(model).csv". Its content: a header of d feature names, then d
 * rows of d numbers (M row-major), or one row of d numbers (diag(M), for a diagonal M). */
void hx_report_metric_file(const char *dataset, const char *model, char *buf, size_t size);

/* diag(M) and the eigenvalues of M in decreasing order. M: (d, d) row-major and symmetric, or a
 * d-vector when diag (then both outputs are M, the eigenvalues sorted). m_diag, eig: d each,
 * caller-owned. Uses LAPACK dsyevd_ on a copy. RFM_ENOMEM, or RFM_ENUMERIC when the
 * eigensolver does not converge. */
rfm_status hx_report_spectrum(const double *M, size_t d, int diag, double *m_diag, double *eig,
                              rfm_error *err);

#endif
