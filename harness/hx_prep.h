/* hx_prep.h - feature preprocessing fitted on a training part of an hx_data and applied to any
 * rows of the same data: one-hot encoding of categorical columns, imputation of missing numeric
 * values, and z-scoring of numeric columns (descriptor key standardize).
 *
 * Fit (on the given rows only, so nothing leaks from held-out rows):
 *   categorical  one output per level present in the fitted rows, in the data's level order
 *                (numeric-aware), then one for "missing" if a fitted row lacks the value; a level
 *                never seen when fitting encodes as all zeros when applied.
 *   numeric      fill = mean or median (impute) of the observed fitted values, 0 if none; then,
 *                when standardize, mean and population standard deviation of the filled fitted
 *                column (a scikit-learn imputer-then-scaler pipeline); a constant column gets
 *                scale 1 instead of a division by zero.
 *   uci121       identity: the features are used as given (already standardised).
 * Output column order: the data's feature columns in file order, each expanded in place.
 *
 * A preprocessing owns copies of what it learned (column names, levels, statistics, the task,
 * the class names and the target's name), so it can be saved (hx_prep_save), loaded without
 * the data (hx_prep_load) and applied by column name to another file with the same columns
 * (hx_prep_frame): that is what `rfmbench fit` / `predict` do. */
#ifndef HX_PREP_H
#define HX_PREP_H

#include <stddef.h>

#include "hx_dataset.h"

typedef struct hx_prep hx_prep; /* opaque; release with hx_prep_free() */

/* Learn the preprocessing on rows[0..n) (each < info.n, n >= 1). data is borrowed and must
 * outlive *out, which is owned by the caller on RFM_OK (else NULL). */
rfm_status hx_prep_fit(const hx_data *data, const size_t *rows, size_t n, hx_prep **out,
                       rfm_error *err);

/* d: the number of features after encoding. */
size_t hx_prep_features(const hx_prep *p);

/* Write the features of rows[0..n) of data (the object p was fitted on) into X: (n, d)
 * row-major, caller-owned. A value that is not finite after preprocessing (e.g. a statistic that
 * overflowed) fails with RFM_ENUMERIC `FILE:LINE:COL: value is not finite after preprocessing
 * (column 'x')`; X is then partly written. */
rfm_status hx_prep_apply(const hx_prep *p, const hx_data *data, const size_t *rows, size_t n,
                         double *X, rfm_error *err);

/* The name of output feature k: the column name, or "column=level" / "column=<missing>" for a
 * one-hot output. Truncated to size. */
void hx_prep_feature_name(const hx_prep *p, size_t k, char *buf, size_t size);

void hx_prep_free(hx_prep *p); /* NULL is a no-op */

/* ---- what the preprocessing knows, save and load ----------------------------------------- */

typedef struct {
    hx_format format;
    hx_task task;
    size_t d;                       /* hx_prep_features                                    */
    size_t n_classes;               /* classification: C; regression: 0                   */
    const char *const *class_names; /* C names in label order (the fitted data's); else NULL */
    const char *target;             /* csv: the target column's name; uci121: NULL         */
} hx_prep_info;

/* Borrowed views; valid until p is freed. */
hx_prep_info hx_prep_info_get(const hx_prep *p);

/* Write p to path in the versioned line-based text format documented in hx_prep_io.c, through
 * a temporary sibling renamed over path (a crash leaves the old file or the new one). RFM_EIO
 * when it cannot be written. */
rfm_status hx_prep_save(const hx_prep *p, const char *path, rfm_error *err);

/* Read a file written by hx_prep_save. The result applies only through hx_prep_frame (it has
 * no fitted data: hx_prep_apply refuses it). Errors: cannot open (RFM_EIO); a malformed or
 * inconsistent file or another version (RFM_EFORMAT, `FILE:LINE: what`). On RFM_OK *out is owned
 * by the caller; otherwise NULL. */
rfm_status hx_prep_load(const char *path, hx_prep **out, rfm_error *err);

/* ---- applying to another file ----------------------------------------------------------- */

typedef struct {
    size_t n, d;     /* rows of the file; features (= hx_prep_features)                    */
    double *X;       /* (n, d) row-major                                                    */
    int has_target;  /* the target column is present                                        */
    int *labels;     /* classification with target: n class indices, -1 = target missing,
                      * -2 = a class the preprocessing does not know; else NULL             */
    double *y;       /* regression with target: n values, NaN = missing; else NULL         */
    char *file;      /* the data file, for messages                                          */
} hx_frame;

/* Read the data of desc and map it through p. csv: the columns are found by name (order and
 * extra columns do not matter; without a header, names are "column K"); a yaml descriptor
 * brings its own delimiter, header and missing tokens, a bare CSV (hx_desc_from_csv) is read
 * with those saved in p. Every row is kept: a missing numeric value gets the fitted fill (also
 * after impute: drop), an unseen or missing level encodes as zeros unless "missing" had an
 * output. The target column is optional. uci121: desc must be uci121 with the same number of
 * features; the rows of fich1 are used as given. Errors name the file: a feature column the
 * file lacks (`FILE: no column 'x' (the model was fitted with it)`), text in a numeric column
 * (`FILE:LINE:COL: 'v' is not a number (column 'x' is numeric in the model)`), a format or
 * feature-count mismatch, and the loaders' errors. On RFM_OK *out is owned by the caller
 * (hx_frame_free); otherwise NULL. */
rfm_status hx_prep_frame(const hx_prep *p, const hx_desc *desc, hx_frame **out, rfm_error *err);
void hx_frame_free(hx_frame *f); /* NULL is a no-op */

#endif
