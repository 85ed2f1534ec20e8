/* model.h - the one model interface: RFM and every baseline are reached through it, and the
 * harness knows models only through it. A new model is one file with a mdl_vtable and one line
 * in the registry (model.c).
 *
 * Parameters arrive as string key/value pairs (the harness does not know their types); each
 * model parses its own and rejects unknown keys or bad values with a message naming the key.
 * Data: X (n, d) features, Y (n, c) targets: one-hot for classification, real for regression.
 * Predictions are raw scores (m, c); classification takes the argmax. */
#ifndef MODEL_H
#define MODEL_H

#include "rfm.h"

typedef enum { MDL_CLASSIFICATION = 0, MDL_REGRESSION } mdl_task;

typedef struct {
    const char *key;
    const char *value;
} mdl_param;

typedef struct {
    const mdl_param *items;
    size_t count;
} mdl_params;

typedef struct mdl_model mdl_model; /* opaque; release with mdl_free() */

typedef struct {
    const char *type; /* the `type:` of the experiment YAML, e.g. "rfm" */
    /* Parse params into a new state; unknown keys and bad values fail with RFM_EINVAL. */
    rfm_status (*create)(const mdl_params *p, mdl_task task, void **state, rfm_error *err);
    /* Fit on (X, Y). Xv/Yv (optional) may select internal settings (RFM: the iteration and M;
     * boosted trees: the number of rounds). */
    rfm_status (*fit)(void *state, const rfm_view *X, const rfm_view *Y, const rfm_view *Xv,
                      const rfm_view *Yv, rfm_error *err);
    /* Fit again on new data, holding fixed what the last fit selected on validation (RFM keeps
     * M_{t*} and re-solves alpha only). Used for the protocol's evaluation folds. */
    rfm_status (*refit)(void *state, const rfm_view *X, const rfm_view *Y, rfm_error *err);
    /* Scores (Z->rows, c) into out, ld = c. */
    rfm_status (*predict)(void *state, const rfm_view *Z, double *out, rfm_error *err);
    /* One-line description of what the last fit selected (e.g. "iter=3"), or "" */
    void (*describe)(void *state, char *buf, size_t size);
    /* Optional (NULL): per-internal-candidate validation scores of the last fit. */
    const double *(*val_scores)(void *state, size_t *count);
    void (*destroy)(void *state);
} mdl_vtable;

/* Optional capabilities, registered beside the vtables (model.c, one line each) so that adding
 * one changes no model's vtable initializer. */
typedef struct {
    const mdl_vtable *vt; /* the model type this extends */
    /* The learned metric of the last fit's selection (RFM: M_{t*}, kept through refit), borrowed
     * from state: (d, d) row-major, or a d-vector (diag M) when *diag = 1; NULL before a fit. */
    const double *(*metric)(void *state, size_t *d, int *diag);
} mdl_ext;

/* The registered model types, NULL-terminated. */
const mdl_vtable *const *mdl_registry(void);
const mdl_vtable *mdl_find(const char *type);

/* Create a model of the given type. On RFM_OK *out is owned by the caller. */
rfm_status mdl_create(const char *type, const mdl_params *p, mdl_task task, mdl_model **out,
                      rfm_error *err);
rfm_status mdl_fit(mdl_model *m, const rfm_view *X, const rfm_view *Y, const rfm_view *Xv,
                   const rfm_view *Yv, rfm_error *err);
rfm_status mdl_refit(mdl_model *m, const rfm_view *X, const rfm_view *Y, rfm_error *err);
rfm_status mdl_predict(mdl_model *m, const rfm_view *Z, double *out, rfm_error *err);
void mdl_describe(mdl_model *m, char *buf, size_t size);
/* Validation score of every internal candidate of the last fit (RFM: one per iteration t), or
 * NULL when the model has none; *count receives the length. Borrowed. */
const double *mdl_val_scores(mdl_model *m, size_t *count);
/* The learned metric of m's last fit (see mdl_ext.metric): a "feature importance" the harness
 * can save without knowing the model type. NULL (and *d = 0) for a type without one (all but
 * rfm today) or an unfitted model. Borrowed; valid until the next fit or mdl_free. */
const double *mdl_metric(mdl_model *m, size_t *d, int *diag);
void mdl_free(mdl_model *m);            /* NULL is a no-op */

/* Helpers for model files: look a key up; parse numbers/booleans/choices with messages that
 * name the key. `seen` marks consumed keys so mdl_check_unused can report unknown ones. */
const char *mdl_get(const mdl_params *p, const char *key);
rfm_status mdl_get_double(const mdl_params *p, const char *key, double def, double *out,
                          rfm_error *err);
rfm_status mdl_get_int(const mdl_params *p, const char *key, long def, long *out,
                       rfm_error *err);
rfm_status mdl_get_bool(const mdl_params *p, const char *key, int def, int *out, rfm_error *err);
/* choices: NULL-terminated; *out is the index of the matching choice. */
rfm_status mdl_get_choice(const mdl_params *p, const char *key, const char *const *choices,
                          int def, int *out, rfm_error *err);
/* Fail naming the first key not in `known` (NULL-terminated). */
rfm_status mdl_check_keys(const mdl_params *p, const char *type, const char *const *known,
                          rfm_error *err);

#endif
