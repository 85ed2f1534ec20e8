/* hx_task.h - one unit of an experiment: a (dataset, model) under the experiment's protocol.
 *
 * protocol uci121 (uci121-protocol.md section 3): every grid candidate is fit on the selection
 * split's training line and scored on its validation line (RFM: every iteration t is its own
 * candidate); the first best candidate wins (strict '>'). Its settings, and for RFM its learned
 * M_{t*}, are then held fixed while alpha is re-solved on each of the 4 kfold training lines
 * and scored on the matching test line.
 * protocol cv: in each outer fold the grid is searched on the inner (train, validation) split
 * of the outer training part, the winner is refit on the whole outer training part and scored
 * on the outer test fold. Preprocessing is fitted on the outer training part (so the one-hot
 * levels of the selection and the refit agree).
 *
 * Rows go straight to the run directory as each fold finishes: results.csv (one line per fold,
 * one write + fsync), cv_results.csv (all candidate rows of one selection in one write), and
 * run.log (one line per fold). Folds listed in `skip` (already in results.csv) are not redone. */
#ifndef HX_TASK_H
#define HX_TASK_H

#include <stddef.h>
#include <stdint.h>

#include "hx_experiment.h"
#include "rfm.h"

typedef struct {
    const hx_experiment *exp;
    const hx_model_spec *model;
    const char *descriptor; /* dataset descriptor path */
    const char *dataset;    /* its name */
    const char *run_dir;
    int threads;            /* BLAS threads for this unit */
    const unsigned char *skip; /* per fold: 1 = already done; may be NULL */
    size_t n_skip;
    int skip_selection_rows; /* 1: cv_results.csv already holds this unit's candidates */
    char spec_hash[17];      /* hx_unit_spec_hash of this unit, written into every row */
} hx_unit;

/* What the unit runs, as a hash for the resume key: protocol, metric, seed, the descriptor
 * file's bytes (its splits, columns, imputation), model type and the model's candidates for
 * this dataset in enumeration order (their order decides ties), so a changed grid, parameter,
 * override or descriptor makes earlier rows of the unit not count as done. */
rfm_status hx_unit_spec_hash(const hx_unit *u, char out[17], rfm_error *err);

/* Run one unit. Returns RFM_OK when every fold row was written (ok or failed: a failing model
 * is a result, not an error); an error only when the run directory cannot be written or the
 * data cannot be loaded, in which case err says why. *n_failed receives the failed folds. */
rfm_status hx_unit_run(const hx_unit *u, size_t *n_failed, rfm_error *err);

/* Append failed rows for folds [0, k) not marked in skip, with the given reason: used when a
 * worker process died (signal, out of memory) before writing them. */
rfm_status hx_unit_fail_rest(const hx_unit *u, size_t k, const char *reason, rfm_error *err);

#endif
