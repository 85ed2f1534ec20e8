/* hx_dataset.h - datasets for the harness, in two steps: a descriptor (hx_desc: the YAML of
 * interfaces.md, or a bare CSV with the defaults) says where the data is and how to read it;
 * loading it gives the data (hx_data): rows, targets and, for format uci121, the fixed splits.
 * Features are produced by hx_prep.h (fitted on a training part), splits by hx_split.h.
 *
 * Descriptor keys (all optional except path):
 *   name         default: the file name without .yaml (.yml, .csv)
 *   task         classification | regression; csv default: inferred at load (classification when
 *                the target is non-numeric, or integer with <= 50 distinct values); uci121 default:
 *                classification (regression is rejected)
 *   format       csv | uci121; default csv
 *   path         relative to the descriptor's folder. ${VAR} expands from the environment; a
 *                path that starts with ${VAR} is taken as the variable gives it (a relative value
 *                is relative to the working directory). ${RFMBENCH_DATA}, when unset, defaults to
 *                <D>/data where D is the descriptor's nearest ancestor folder named `datasets`
 *                (so datasets/uci121/iris.yaml finds datasets/data), else to ./datasets/data.
 *   csv only:    delimiter (one character, default ","), header (default true), target (column
 *                name or 0-based index, default the last column), drop, categorical, numeric
 *                (columns declared numeric: text in them is an error instead of making them
 *                categorical), missing (default ["", "?", "NA"]), impute (mean | median | drop,
 *                default mean), standardize (default true), splits {kfold (>= 2, default 4),
 *                validation (in (0, 1), default 0.25), seed (default 0)}.
 * A column reference (target, drop, categorical, numeric) is a header name; when no column has
 * that name and it is a non-negative integer, a 0-based index.
 *
 * csv semantics: a column is numeric when every non-missing value is a finite number, unless it
 * is listed in categorical; other columns are categorical (one-hot, levels learned on the
 * training part, a missing value is a level of its own). A cell that strtod reads as NaN or Inf
 * ("nan", "-Inf", "1e999") and that is not a missing token does not make a column categorical:
 * in a column (or target) whose other values are all numbers it is the error
 * `FILE:LINE:COL: 'nan' is not a finite number (list it under missing: to treat it as missing)`,
 * unless the column is listed in categorical. impute: drop removes, at load, the rows
 * with a missing numeric feature or a missing target; otherwise a missing target is an error.
 * Class labels are the distinct target strings in numeric-aware order (numbers by value, then
 * text), so "2" < "10", over the whole file.
 *
 * Errors: YAML syntax `FILE:LINE:COL: what`; descriptor semantics `FILE: key.path: what`; data
 * problems `FILE:LINE:COL: what` (COL = 1-based field, or index position in the split files);
 * a missing data file is RFM_EIO `FILE: data file missing`. */
#ifndef HX_DATASET_H
#define HX_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "rfm.h"

typedef enum { HX_TASK_UNKNOWN = 0, HX_CLASSIFICATION, HX_REGRESSION } hx_task;
typedef enum { HX_FORMAT_CSV = 0, HX_FORMAT_UCI121 } hx_format;
typedef enum { HX_IMPUTE_MEAN = 0, HX_IMPUTE_MEDIAN, HX_IMPUTE_DROP } hx_impute;

const char *hx_task_name(hx_task t);     /* "classification", "regression", "unknown" */
const char *hx_format_name(hx_format f); /* "csv", "uci121" */

/* ---- descriptor ------------------------------------------------------------------------------ */

typedef struct hx_desc hx_desc; /* opaque; release with hx_desc_free() */

typedef struct {
    const char *name;
    const char *source;    /* the descriptor file (or the CSV for hx_desc_from_csv)          */
    hx_task task;          /* as declared; HX_TASK_UNKNOWN = inferred at load (csv)          */
    hx_format format;
    const char *data_path; /* csv: the file; uci121: fich1                                  */
    size_t size_total;     /* uci121: n_patrons1 + n_patrons2 (size filters); csv: 0         */
    size_t n_rows;         /* uci121: n_patrons1; csv: 0 (known after load)                 */
    size_t n_features_raw; /* uci121: n_entradas; csv: 0 (known after load)                 */
    size_t n_classes;      /* uci121: n_clases; csv: 0 (known after load)                   */
    int has_test_file;     /* uci121: fich2 is present (never read by the protocol)         */
    int data_present;      /* the data file exists and is readable                          */
    size_t kfold;          /* csv splits                                                     */
    double validation;
    uint64_t seed;
    hx_impute impute;
    int standardize;
} hx_desc_info;

/* Parse a dataset descriptor. For uci121, also reads <path>/<name>.txt (falling back to
 * <path>/<folder name>.txt) so the sizes are known without reading the data; the split files and
 * the data are only read by hx_data_load. data_present is checked here, its absence is not an
 * error. On RFM_OK *out is owned by the caller; otherwise NULL. */
rfm_status hx_desc_load(const char *yaml_path, hx_desc **out, rfm_error *err);

/* A bare CSV with the descriptor defaults (header, ",", target = last column, task inferred).
 * The file is not opened here (data_present tells whether it exists). */
rfm_status hx_desc_from_csv(const char *csv_path, hx_desc **out, rfm_error *err);

/* Overrides for the fit/predict CLI (csv only; RFM_EINVAL on uci121). col is copied; it is a
 * column reference as above, resolved at load. */
rfm_status hx_desc_set_target(hx_desc *d, const char *col, rfm_error *err);
rfm_status hx_desc_set_task(hx_desc *d, hx_task task, rfm_error *err);
rfm_status hx_desc_set_splits(hx_desc *d, size_t kfold, double validation, uint64_t seed,
                              rfm_error *err);

/* Borrowed; valid until d is freed or modified. */
const hx_desc_info *hx_desc_info_get(const hx_desc *d);
void hx_desc_free(hx_desc *d); /* NULL is a no-op */

/* ---- loaded data ----------------------------------------------------------------------------- */

typedef struct hx_data hx_data; /* opaque; release with hx_data_free() */

typedef struct {
    const char *name;
    const char *file;          /* the data file, as used in messages                        */
    hx_task task;              /* resolved: never HX_TASK_UNKNOWN                            */
    hx_format format;
    size_t n;                  /* rows (after impute: drop)                                 */
    size_t n_columns;          /* raw feature columns (uci121: d)                           */
    size_t n_categorical;      /* of those, categorical (one-hot encoded)                   */
    size_t n_dropped;          /* rows removed by impute: drop                              */
    size_t n_classes;          /* classification: C >= 2; regression: 0                     */
    const char *const *class_names; /* C names, label order; NULL for regression           */
    size_t outputs;            /* target columns: C, or 1 for regression                    */
} hx_data_info;

/* Load and validate the data of d (which may be freed afterwards: what is needed is copied).
 * uci121 checks everything of uci121-protocol.md section 2.5 and never reads fich2. On RFM_OK
 * *out is owned by the caller; otherwise NULL. */
rfm_status hx_data_load(const hx_desc *d, hx_data **out, rfm_error *err);

/* Borrowed; valid until data is freed. */
const hx_data_info *hx_data_info_get(const hx_data *data);

/* Targets of the given rows (each < n). Y: (n_rows, outputs) with ld = ldy >= outputs: one-hot
 * for classification, the value for regression. labels (optional, n_rows): class indices
 * (classification) or -1 (regression). Either output may be NULL. */
void hx_data_targets(const hx_data *data, const size_t *rows, size_t n_rows, double *Y,
                     size_t ldy, int *labels);

/* Class index of row r (classification), or -1 for regression. */
int hx_data_label(const hx_data *data, size_t r);

/* The most frequent label among rows (ties to the smallest label): the constant predictor of the
 * leaderboard's imputation. -1 for regression or n_rows = 0. */
int hx_data_majority(const hx_data *data, const size_t *rows, size_t n_rows);

/* One line for `rfmbench datasets`: name, task, n, d, classes, splits. Truncated to size. */
void hx_data_describe(const hx_data *data, char *buf, size_t size);

void hx_data_free(hx_data *data); /* NULL is a no-op */

#endif
