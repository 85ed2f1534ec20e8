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
 * Output column order: the data's feature columns in file order, each expanded in place. */
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

#endif
