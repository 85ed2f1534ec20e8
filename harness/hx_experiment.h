/* hx_experiment.h - the experiment YAML (interfaces.md, "Experiment (YAML)"): load it into a
 * plain public struct, expand each model's grid into ordered hyperparameter candidates
 * (uci121-protocol.md section 3), and write the resolved experiment back (run.yaml).
 *
 * Errors are one line: `FILE:LINE:COL: problem` for YAML syntax, `FILE: key.path: what is wrong`
 * for semantics (e.g. `x.yaml: models[0].grid.reg[2]: -1 must be >= 0`). Hyperparameter values
 * stay strings exactly as written in YAML; each model parses its own. */
#ifndef HX_EXPERIMENT_H
#define HX_EXPERIMENT_H

#include <stddef.h>
#include <stdint.h>

#include "rfm.h"

enum { HX_PROTOCOL_CV = 0, HX_PROTOCOL_UCI121 = 1 };
enum { HX_METRIC_ACCURACY = 0, HX_METRIC_RMSE = 1, HX_METRIC_R2 = 2 };

typedef struct {
    char *key;
    char *value;
} hx_kv;

/* One grid axis: `key: [v0, v1, ...]`, or a {log10: [lo, hi, step]} already expanded. */
typedef struct {
    char *key;
    char **values;
    size_t n_values; /* >= 1 */
} hx_grid_axis;

/* Per-dataset pins: `overrides: {dataset: {key: value, ...}}`. */
typedef struct {
    char *dataset;
    hx_kv *kv;
    size_t n;
} hx_override;

typedef struct {
    char *name;   /* unique in the experiment; defaults to type */
    char *type;   /* required: rfm | krr | svm | ... (not checked here) */
    hx_kv *params; /* in YAML order */
    size_t n_params;
    hx_grid_axis *grid; /* in YAML key order: the first axis varies slowest */
    size_t n_grid;
    hx_override *overrides;
    size_t n_overrides;
} hx_model_spec;

typedef struct {
    char *path;          /* the file loaded, as given to hx_experiment_load */
    char *name;          /* default: the file name without .yaml / .yml */
    char **datasets;     /* absolute descriptor paths, sorted by strcmp, without duplicates */
    size_t n_datasets;   /* >= 1 */
    size_t max_rows;     /* 0 = no limit */
    size_t max_features; /* 0 = no limit */
    char **only;         /* dataset names; n_only = 0: no filter */
    size_t n_only;
    char **exclude;
    size_t n_exclude;
    int protocol;        /* HX_PROTOCOL_*; default cv */
    int metric;          /* HX_METRIC_*; default accuracy */
    uint64_t seed;       /* default 0 */
    int threads;         /* BLAS threads per task; 0 = auto (the default, `threads: auto`) */
    int jobs;            /* tasks in parallel, >= 1; default 1 */
    char *output;        /* absolute run directory; default $PWD/results/<name> */
    hx_model_spec *models;
    size_t n_models;     /* >= 1 */
} hx_experiment;

/* A candidate: the full parameter set, sorted by key (strcmp). Owns its strings. */
typedef struct {
    hx_kv *kv;
    size_t n;
} hx_candidate;

/* Load and validate an experiment. Relative `datasets` entries and `output` are resolved
 * against the folder of `path`; each entry is a descriptor file, a folder (its *.yaml files,
 * non-recursive, hidden files skipped) or a glob(3) pattern, and every entry must yield at
 * least one descriptor. Every descriptor is loaded (hx_desc_load, which does not need the data
 * itself) for its dataset name: two descriptors of one name are an error naming both files, and
 * so is a name under only, exclude or a model's overrides that no descriptor has (`FILE:
 * models[0].overrides.irs: no such dataset`); a dataset without its data, or one that max_rows /
 * max_features leave out, is still known. The grid of each model may hold at most 100000
 * candidates. On RFM_OK *out is a new experiment owned by the caller; otherwise *out is NULL
 * and err says why: RFM_EIO (cannot open), RFM_EFORMAT (syntax or schema), RFM_ENOMEM, or a
 * descriptor's own error (hx_dataset.h). */
rfm_status hx_experiment_load(const char *path, hx_experiment **out, rfm_error *err);

/* Write e as YAML that hx_experiment_load reads back into the same struct: defaults spelled
 * out, datasets and output absolute, log10 axes as their value lists. max_rows/max_features
 * are omitted when 0, only/exclude when empty. Written to a temporary file in the same folder,
 * fsync'ed and renamed over path, so readers never see a partial file. */
rfm_status hx_experiment_write(const hx_experiment *e, const char *path, rfm_error *err);

void hx_experiment_free(hx_experiment *e); /* NULL is a no-op */

/* The candidates of model m on dataset `dataset_name` (NULL: no override applies): the
 * cartesian product of the grid, first axis slowest, values in written order; each candidate
 * is the base params, then its grid values, then the dataset's override on top, sorted by key.
 * Candidates equal to an earlier one (as an override can make them) are dropped, so *count may
 * be smaller than the grid size. An empty grid gives one candidate. On RFM_OK the caller owns
 * *out (release with hx_candidates_free); otherwise *out = NULL and *count = 0. */
rfm_status hx_model_candidates(const hx_model_spec *m, const char *dataset_name,
                               hx_candidate **out, size_t *count, rfm_error *err);

void hx_candidates_free(hx_candidate *c, size_t count); /* NULL is a no-op */

/* `key=value;key=value` with keys sorted by strcmp (equal keys keep their input order): the
 * `params` column of results.csv. kv need not be sorted. buf always ends with '\0'; output
 * longer than size - 1 is truncated. */
void hx_params_string(const hx_kv *kv, size_t n, char *buf, size_t size);

/* 64-bit FNV-1a of the bytes of s (offset 0xcbf29ce484222325, prime 0x100000001b3); stable
 * across runs and machines. The hex form is 16 lowercase digits, zero-padded. */
uint64_t hx_params_hash(const char *s);
void hx_params_hash_hex(const char *s, char out[17]);

/* The value of key in kv, or NULL. Borrowed. */
const char *hx_kv_get(const hx_kv *kv, size_t n, const char *key);

const char *hx_protocol_name(int protocol); /* "cv", "uci121" */
const char *hx_metric_name(int metric);     /* "accuracy", "rmse", "r2" */

#endif
