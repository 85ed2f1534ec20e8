/* hx_results.h - the run directory's CSV files: row readers for results.csv and cv_results.csv
 * (on the RFC 4180 reader of hx_rtable.h, included here), a CSV line builder, and crash-safe
 * appenders (interfaces.md, "Run directory").
 *
 * Durability contract: every appended row is ONE complete line handed to ONE write() on an
 * O_APPEND descriptor and then fsync'ed, so a kill -9 can tear at most the last line. Readers
 * ignore (and count) a final record that lacks its terminating newline; opening for append cuts
 * such a torn tail off before writing. Concurrent appenders in several processes do not
 * interleave bytes (Linux serialises O_APPEND writes to a regular file).
 *
 * Empty fields mean "not applicable": NaN for doubles, -1 for the long counts below. Scores are
 * printed with the shortest of %.15g/%.16g/%.17g that reads back to the same double (so a reread
 * is exact), seconds with %.3f, peak_rss_mb with %.1f. */
#ifndef HX_RESULTS_H
#define HX_RESULTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hx_rtable.h"
#include "rfm.h"

#define HX_KIND_RESULTS "results"       /* header_kind of results.csv    */
#define HX_KIND_CV "cv_results"         /* header_kind of cv_results.csv */

/* Column order, header = the field names below: results.csv has the 18 columns of interfaces.md
 * (dataset ... error), then test_r2,selected,majority_accuracy,param_hash,constant_rmse,
 * spec_hash; cv_results.csv has its 8 (dataset ... status), then iter,error,param_hash,
 * spec_hash. A file written before spec_hash existed (the same header without it) is upgraded
 * in place by hx_results_open: an empty spec_hash is appended to every record. */

/* ---- rows -------------------------------------------------------------------------------- */

/* One results.csv row: one (dataset, model, fold). Strings may be NULL (written empty). Rows
 * produced by hx_results_read own their strings (release with hx_result_rows_free); rows passed
 * to the writer are borrowed. */
typedef struct {
    const char *dataset;
    const char *model;
    long fold;                /* 0-based fold index */
    const char *params;       /* compact key=value;key=value, keys sorted */
    double val_score;         /* selection score; the same on every fold of a (dataset, model) */
    double test_accuracy;     /* fraction in [0, 1]; NaN for regression */
    double test_rmse;         /* NaN for classification */
    long n_train, n_test, n_features, n_classes; /* -1: empty */
    double fit_seconds, predict_seconds;
    double peak_rss_mb;
    long threads;             /* -1: empty */
    uint64_t seed;
    const char *status;       /* "ok" or "failed" */
    const char *error;        /* one-line reason when failed */
    /* extras, after the required columns */
    double test_r2;
    const char *selected;     /* what the model's validation chose, e.g. "iter=3" */
    /* Accuracy on the fold's test part of the constant predictor (most frequent label of the
     * fold's train part, ties to the smallest label): the leaderboard imputes failed folds
     * with it, from the CSV alone. */
    double majority_accuracy;
    /* Regression's counterpart: RMSE of predicting the train-part mean. NaN when unknown, in
     * which case a failed regression fold cannot be imputed (the leaderboard says so). */
    double constant_rmse;
    char param_hash[17];      /* hx_params_hash_hex(params) (hx_experiment.h) of the selected
                               * params; the writer recomputes it (NULL hashes as "") */
    /* The resume key beside (dataset, model, fold): hx_unit_spec_hash (hx_task.h) of what was
     * run: protocol, metric, seed and the model's candidate list for the dataset. A row whose
     * spec_hash differs from the current experiment's is not counted as done; "" (a file from
     * before the column) matches any. Written as given. */
    char spec_hash[17];
} hx_result_row;

/* One cv_results.csv row: one (dataset, model, candidate). Same ownership rules. */
typedef struct {
    const char *dataset;
    const char *model;
    long candidate;           /* 0-based, in enumeration order */
    const char *params;
    double mean_val_score;
    long rank_val_score;      /* 1 = selected; -1: empty (failed candidate) */
    double mean_fit_seconds;
    const char *status;
    long iter;                /* RFM iteration t of this candidate; -1: empty */
    const char *error;
    char param_hash[17];
    char spec_hash[17];       /* as in hx_result_row */
} hx_cv_row;

/* A row with every number empty (NaN / -1), every string NULL, seed 0. Start from this so
 * that a field left unset is written as "not applicable", not as 0. */
hx_result_row hx_result_row_init(void);
hx_cv_row hx_cv_row_init(void);

/* ---- reading ----------------------------------------------------------------------------- */

/* Read results.csv. The first 18 header columns must be the required ones in order (else
 * RFM_EFORMAT "FILE:1: ..."); extras are matched by name and may be absent (then empty).
 * A bad number is "FILE:LINE:COL: column 'x': 'v' is not a number"; so are the values the
 * contract rules out: a fold < 0 ("must be >= 0"), a status other than ok / failed ("is not ok
 * or failed"), and a non-empty test_accuracy that is not finite or lies outside [0, 1] ("is not
 * a finite number", "is outside [0, 1]"). On RFM_OK *rows (owned,
 * hx_result_rows_free) holds *n rows and *torn (when non-NULL) the count of ignored torn
 * final lines (0 or 1). */
rfm_status hx_results_read_ex(const char *path, hx_result_row **rows, size_t *n, size_t *torn,
                              rfm_error *err);
rfm_status hx_results_read(const char *path, hx_result_row **rows, size_t *n, rfm_error *err);
void hx_result_rows_free(hx_result_row *rows, size_t n); /* NULL is a no-op */
/* The same for cv_results.csv (its 8 required columns first). */
rfm_status hx_cv_read(const char *path, hx_cv_row **rows, size_t *n, size_t *torn,
                      rfm_error *err);
void hx_cv_rows_free(hx_cv_row *rows, size_t n);

/* ---- writing ----------------------------------------------------------------------------- */

/* Write s (NULL = empty) as one CSV field: quoted, with quotes doubled, when it contains a comma,
 * quote, CR or LF. Returns 0, or -1 on a write error. */
int hx_csv_write_field(FILE *fp, const char *s);

/* A growing CSV text: add fields left to right; hx_csv_out_end closes the line with '\n' and
 * starts the next one in the same buffer, so a whole file can be built and written at once.
 * An allocation failure is sticky (failed = 1) and reported by hx_csv_out_end. A zeroed struct
 * is a valid empty builder. */
typedef struct {
    char *buf;       /* len bytes + NUL */
    size_t len, cap;
    size_t nfields;  /* fields in the current line; a comma precedes every later one */
    int failed;
} hx_csv_out;
void hx_csv_out_reset(hx_csv_out *l);                  /* empty it, keep the buffer */
void hx_csv_out_str(hx_csv_out *l, const char *s);     /* quoted as hx_csv_write_field */
void hx_csv_out_double(hx_csv_out *l, double v);       /* shortest exact; NaN -> empty */
void hx_csv_out_fixed(hx_csv_out *l, double v, int decimals); /* %.*f; NaN -> empty */
void hx_csv_out_long(hx_csv_out *l, long v);           /* negative -> empty */
void hx_csv_out_u64(hx_csv_out *l, uint64_t v);
rfm_status hx_csv_out_end(hx_csv_out *l, rfm_error *err); /* RFM_ENOMEM if an adder failed */
void hx_csv_out_free(hx_csv_out *l);                   /* and leave it empty and reusable */

/* Reset l and put the exact line (with '\n') that the appender writes for r. */
rfm_status hx_result_row_format(const hx_result_row *r, hx_csv_out *l, rfm_error *err);
rfm_status hx_cv_row_format(const hx_cv_row *r, hx_csv_out *l, rfm_error *err);

/* ---- appending --------------------------------------------------------------------------- */

typedef struct hx_appender hx_appender; /* opaque; release with hx_results_close() */

/* Open path for appending rows of header_kind (HX_KIND_RESULTS or HX_KIND_CV), creating it.
 * The existing header must equal this version's exactly (RFM_EFORMAT "FILE:1: ..."), so a
 * resume never mixes layouts; a file without any complete line must be empty or a torn prefix
 * of the header. Only then is a torn final line truncated away (see hx_appender_torn_bytes) and
 * an empty file given the header. Errors: unknown kind (RFM_EINVAL), open/read/truncate/write
 * (RFM_EIO). On RFM_OK *out is owned by the caller; otherwise it is NULL and the file is
 * untouched (apart from being created when it did not exist). */
rfm_status hx_results_open(const char *path, const char *header_kind, hx_appender **out,
                           rfm_error *err);
/* Bytes cut off as a torn final line when a was opened (0 normally). */
size_t hx_appender_torn_bytes(const hx_appender *a);
/* Append one row with one write() and fsync(). The appender must be of the matching kind
 * (RFM_EINVAL otherwise). RFM_EIO on a failed write or fsync. */
rfm_status hx_results_append_row(hx_appender *a, const hx_result_row *r, rfm_error *err);
rfm_status hx_results_append_cv(hx_appender *a, const hx_cv_row *r, rfm_error *err);
void hx_results_close(hx_appender *a); /* NULL is a no-op */

/* Write the bytes [0, len) to path atomically: a temporary sibling, fsync, rename, fsync of the
 * folder. A kill leaves the old file or the new one, never a torn one. RFM_EIO on failure. */
rfm_status hx_write_atomic(const char *path, const char *data, size_t len, rfm_error *err);

#endif
