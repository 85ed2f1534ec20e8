/* hx_report_impl.h - internals shared by the report's files: the per-dataset table
 * (hx_report_data.c), the plots (hx_plot.c) and the page (hx_report_page.c). Not public. */
#ifndef HX_REPORT_IMPL_H
#define HX_REPORT_IMPL_H

#include <stddef.h>

#include "hx_board.h"
#include "hx_report.h"
#include "hx_results.h"

/* One (dataset, model) of the run. */
typedef struct {
    double score;       /* mean over the folds, failed folds imputed; NaN: no value */
    double fit_seconds; /* mean over the ok folds; NaN when none */
    size_t folds;       /* distinct folds with a row */
    size_t failed;      /* of those, failed */
    int unscored;       /* a fold has neither a score nor an imputation */
    const char *error;  /* the first failed fold's reason (borrowed from the rows), or NULL */
} hx_rep_cell;

/* The run by dataset and model. Strings are borrowed from the rows it was built from. */
typedef struct {
    size_t n_ds, k;
    const char **dataset; /* n_ds, sorted by strcmp */
    const char **model;   /* k: the leaderboard's order (best average rank first) */
    long *n_rows;         /* per dataset: max over its rows of n_train + n_test; -1 unknown */
    long *n_features;     /* per dataset: max n_features; -1 unknown */
    hx_rep_cell *cell;    /* (n_ds, k) */
    int regression;       /* scores are RMSE, lower is better */
    /* Per dataset: 1 when it is in the leaderboard's D (every model has rows, some fold of
     * some model succeeded, every fold has a value). Every plot is drawn over D. */
    unsigned char *in_d;
    size_t n_in_d;
    /* The failed rows after de-duplication, borrowed, ordered by dataset, model, fold. */
    const hx_result_row **failed;
    size_t n_failed;
} hx_rep_table;

/* Build the table from n rows and the leaderboard b built from the same rows (its model order
 * is used; models it lacks follow in order of appearance). On RFM_OK t is owned by the caller
 * (hx_rep_table_free); the rows must outlive it. */
rfm_status hx_rep_table_build(const hx_result_row *rows, size_t n, const hx_board *b,
                              hx_rep_table *t, rfm_error *err);
void hx_rep_table_free(hx_rep_table *t);

/* A learned metric read back, summarised. */
typedef struct {
    const char *model;  /* borrowed from the table */
    size_t d;
    char **names;       /* d feature names, owned */
    double *m_diag;     /* d */
    double *eig;        /* d, decreasing */
    int identity;       /* M = I: the selection kept RFM's first fit, nothing was learned */
} hx_rep_metric;

typedef struct {
    const char *dataset; /* borrowed */
    hx_rep_metric *m;    /* n, in the table's model order */
    size_t n;
} hx_rep_features;

/* Read RUN_DIR/metrics/... of every (dataset, model) of t that has one; *out gets one entry per
 * dataset with at least one metric (owned: hx_rep_features_free). A malformed metric file is
 * an error (RFM_EFORMAT "FILE:LINE: what"). */
rfm_status hx_rep_features_load(const hx_rep_table *t, const char *run_dir,
                                hx_rep_features **out, size_t *n_out, rfm_error *err);
void hx_rep_features_free(hx_rep_features *f, size_t n);
/* Write OUT/features/DATASET.csv for one entry. */
rfm_status hx_rep_features_save(const hx_rep_features *f, const char *path, rfm_error *err);

/* One plot of the page. */
typedef struct {
    char name[300];     /* file stem in plots/ */
    char title[256];    /* section heading */
    char caption[768];  /* what it shows, how to read it */
    int drawn;          /* 1 when plots/NAME.svg was made in this run */
} hx_rep_plot;

/* The plots' data, scripts and pictures. Each writer fills *p, writes plots/NAME.csv and .gp,
 * and runs gnuplot when program != NULL (drawn = 1 on success; a gnuplot failure is recorded
 * in note, not returned). RFM_EIO when a file cannot be written. */
typedef struct {
    const char *dir;     /* OUT/plots */
    const char *program; /* gnuplot, or NULL when missing */
    int png;
    char *note;          /* appended to: one line per failed plot */
    size_t note_size;
} hx_plot_ctx;

/* Best model (t->model[0]) against model `other` (index >= 1). */
rfm_status hx_plot_scatter(const hx_plot_ctx *c, const hx_rep_table *t, size_t other,
                           hx_rep_plot *p, rfm_error *err);
/* Critical-difference diagram from the leaderboard's ranks and Nemenyi CD. */
rfm_status hx_plot_cd(const hx_plot_ctx *c, const hx_board *b, hx_rep_plot *p, rfm_error *err);
/* Score against dataset size, every model. */
rfm_status hx_plot_size(const hx_plot_ctx *c, const hx_rep_table *t, hx_rep_plot *p,
                        rfm_error *err);
/* Mean fit seconds per dataset, every model, log scale. */
rfm_status hx_plot_fit_time(const hx_plot_ctx *c, const hx_rep_table *t, hx_rep_plot *p,
                            rfm_error *err);
/* Top features by M_kk and the top eigenvalues of one learned metric. */
rfm_status hx_plot_features(const hx_plot_ctx *c, const char *dataset, const hx_rep_metric *m,
                            hx_rep_plot *p, rfm_error *err);

/* 1 when program can be executed (a path, or a name found on PATH). */
int hx_plot_program_found(const char *program);

/* Everything the page shows. */
typedef struct {
    const char *run_dir;
    const char *run_yaml;       /* its text, or NULL when missing */
    const hx_board *board;
    const hx_rep_table *table;
    const hx_rep_plot *plots;
    size_t n_plots;
    const hx_rep_features *features;
    size_t n_features;
    const char *feature_dataset; /* the dataset whose features are plotted, or NULL */
    int gnuplot_found;
    int png;
} hx_rep_page;

/* Write OUT/report.md and OUT/index.html. */
rfm_status hx_rep_page_write(const hx_rep_page *pg, const char *out_dir, rfm_error *err);

/* Growing text with printf; a failed allocation is sticky and reported by hx_rep_buf_take. */
typedef struct {
    char *s;
    size_t len, cap;
    int failed;
} hx_rep_buf;
void hx_rep_printf(hx_rep_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Write b to path atomically and free it. RFM_ENOMEM when an append failed, RFM_EIO. */
rfm_status hx_rep_buf_save(hx_rep_buf *b, const char *path, rfm_error *err);
/* Append a line to a bounded note (truncating, never overflowing). */
void hx_rep_note(char *note, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
