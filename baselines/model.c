/* model.c - the model registry, the dispatch behind mdl_*, and the parameter parsers that every
 * model file uses so that bad values are reported the same way everywhere. */
#include "model.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

extern const mdl_vtable mdl_rfm_vtable;
extern const mdl_vtable mdl_krr_vtable;
extern const mdl_vtable mdl_svm_vtable;
extern const mdl_vtable mdl_ridge_vtable;
extern const mdl_vtable mdl_xgboost_vtable;
extern const mdl_vtable mdl_random_forest_vtable;
extern const mdl_vtable mdl_mlp_vtable;

/* The registry: one line per model type. */
static const mdl_vtable *const registry_[] = {
    &mdl_rfm_vtable,
    &mdl_krr_vtable,
    &mdl_svm_vtable,
    &mdl_ridge_vtable,
    &mdl_xgboost_vtable,
    &mdl_random_forest_vtable,
    &mdl_mlp_vtable,
    NULL,
};

/* Optional capabilities (model.h, mdl_ext): one line per extended model type. */
extern const mdl_ext mdl_rfm_ext;
static const mdl_ext *const exts_[] = {
    &mdl_rfm_ext,
    NULL,
};

struct mdl_model {
    const mdl_vtable *vt;
    void *state;
    /* Shape of the last successful fit (0 before one): a refit keeps the selection (e.g. RFM's
     * d x d metric) and a prediction uses it, so neither may change the columns. */
    size_t d, c;
};

const mdl_vtable *const *mdl_registry(void) { return registry_; }

const mdl_vtable *mdl_find(const char *type) {
    for (size_t i = 0; registry_[i]; i++)
        if (strcmp(registry_[i]->type, type) == 0) return registry_[i];
    return NULL;
}

rfm_status mdl_create(const char *type, const mdl_params *p, mdl_task task, mdl_model **out,
                      rfm_error *err) {
    *out = NULL;
    const mdl_vtable *vt = mdl_find(type);
    if (!vt) {
        char known[256] = "";
        for (size_t i = 0; registry_[i]; i++) {
            if (i) strncat(known, ", ", sizeof known - strlen(known) - 1);
            strncat(known, registry_[i]->type, sizeof known - strlen(known) - 1);
        }
        return rfm_fail(err, RFM_EINVAL, "unknown model type '%s' (known: %s)", type, known);
    }
    mdl_model *m = calloc(1, sizeof *m);
    if (!m) return rfm_fail(err, RFM_ENOMEM, "model: out of memory");
    m->vt = vt;
    rfm_status st = vt->create(p, task, &m->state, err);
    if (st) {
        free(m);
        return st;
    }
    *out = m;
    return RFM_OK;
}

/* NaN or Inf anywhere in V: refused here, once for every model behind the interface. */
static rfm_status check_finite_(const rfm_view *V, const char *what, rfm_error *err) {
    for (size_t i = 0; V && i < V->rows; i++)
        for (size_t j = 0; j < V->cols; j++)
            if (!isfinite(V->data[i * V->ld + j]))
                return rfm_fail(err, RFM_EINVAL, "%s[%zu][%zu] is not finite", what, i, j);
    return RFM_OK;
}

static rfm_status check_xy_(const rfm_view *X, const rfm_view *Y, rfm_error *err) {
    if (!X || !Y || X->rows == 0 || X->cols == 0 || Y->cols == 0)
        return rfm_fail(err, RFM_EINVAL, "fit: empty data");
    if (X->rows != Y->rows)
        return rfm_fail(err, RFM_EINVAL, "fit: X has %zu rows, Y has %zu", X->rows, Y->rows);
    rfm_status st = check_finite_(X, "X", err);
    return st ? st : check_finite_(Y, "Y", err);
}

rfm_status mdl_fit(mdl_model *m, const rfm_view *X, const rfm_view *Y, const rfm_view *Xv,
                   const rfm_view *Yv, rfm_error *err) {
    rfm_status st = check_xy_(X, Y, err);
    if (st) return st;
    if ((Xv == NULL) != (Yv == NULL))
        return rfm_fail(err, RFM_EINVAL, "fit: give both Xv and Yv or neither");
    if (Xv && (Xv->cols != X->cols || Yv->cols != Y->cols || Xv->rows != Yv->rows))
        return rfm_fail(err, RFM_EINVAL, "fit: validation shapes do not match the training data");
    if ((st = check_finite_(Xv, "Xv", err)) || (st = check_finite_(Yv, "Yv", err))) return st;
    m->d = m->c = 0;
    if ((st = m->vt->fit(m->state, X, Y, Xv, Yv, err))) return st;
    m->d = X->cols;
    m->c = Y->cols;
    return RFM_OK;
}

rfm_status mdl_refit(mdl_model *m, const rfm_view *X, const rfm_view *Y, rfm_error *err) {
    rfm_status st = check_xy_(X, Y, err);
    if (st) return st;
    if (m->d && (X->cols != m->d || Y->cols != m->c))
        return rfm_fail(err, RFM_EINVAL,
                        "refit: %zu columns and %zu outputs, the fit had %zu and %zu", X->cols,
                        Y->cols, m->d, m->c);
    if ((st = m->vt->refit(m->state, X, Y, err))) return st;
    m->d = X->cols;
    m->c = Y->cols;
    return RFM_OK;
}

rfm_status mdl_predict(mdl_model *m, const rfm_view *Z, double *out, rfm_error *err) {
    if (m->d && Z->cols != m->d)
        return rfm_fail(err, RFM_EINVAL, "predict: %zu columns, the fit had %zu", Z->cols, m->d);
    rfm_status st = check_finite_(Z, "Z", err);
    return st ? st : m->vt->predict(m->state, Z, out, err);
}

void mdl_describe(mdl_model *m, char *buf, size_t size) {
    if (size) buf[0] = '\0';
    if (m->vt->describe) m->vt->describe(m->state, buf, size);
}

const double *mdl_val_scores(mdl_model *m, size_t *count) {
    *count = 0;
    return m->vt->val_scores ? m->vt->val_scores(m->state, count) : NULL;
}

const double *mdl_metric(mdl_model *m, size_t *d, int *diag) {
    *d = 0;
    *diag = 0;
    for (size_t i = 0; exts_[i]; i++)
        if (exts_[i]->vt == m->vt && exts_[i]->metric) return exts_[i]->metric(m->state, d, diag);
    return NULL;
}

void mdl_free(mdl_model *m) {
    if (!m) return;
    m->vt->destroy(m->state);
    free(m);
}

const char *mdl_get(const mdl_params *p, const char *key) {
    if (!p) return NULL;
    // The last occurrence wins, so a later override replaces an earlier value.
    const char *v = NULL;
    for (size_t i = 0; i < p->count; i++)
        if (strcmp(p->items[i].key, key) == 0) v = p->items[i].value;
    return v;
}

rfm_status mdl_get_double(const mdl_params *p, const char *key, double def, double *out,
                          rfm_error *err) {
    const char *v = mdl_get(p, key);
    *out = def;
    if (!v) return RFM_OK;
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (end == v || *end != '\0' || errno == ERANGE || !isfinite(x))
        return rfm_fail(err, RFM_EINVAL, "%s = '%s': not a finite number", key, v);
    *out = x;
    return RFM_OK;
}

rfm_status mdl_get_int(const mdl_params *p, const char *key, long def, long *out,
                       rfm_error *err) {
    const char *v = mdl_get(p, key);
    *out = def;
    if (!v) return RFM_OK;
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (end == v || *end != '\0' || errno == ERANGE)
        return rfm_fail(err, RFM_EINVAL, "%s = '%s': not an integer", key, v);
    *out = x;
    return RFM_OK;
}

rfm_status mdl_get_bool(const mdl_params *p, const char *key, int def, int *out, rfm_error *err) {
    const char *v = mdl_get(p, key);
    *out = def;
    if (!v) return RFM_OK;
    if (!strcmp(v, "true") || !strcmp(v, "True") || !strcmp(v, "1") || !strcmp(v, "yes")) {
        *out = 1;
    } else if (!strcmp(v, "false") || !strcmp(v, "False") || !strcmp(v, "0") ||
               !strcmp(v, "no")) {
        *out = 0;
    } else {
        return rfm_fail(err, RFM_EINVAL, "%s = '%s': expected true or false", key, v);
    }
    return RFM_OK;
}

rfm_status mdl_get_choice(const mdl_params *p, const char *key, const char *const *choices,
                          int def, int *out, rfm_error *err) {
    const char *v = mdl_get(p, key);
    *out = def;
    if (!v) return RFM_OK;
    for (int i = 0; choices[i]; i++) {
        if (strcmp(v, choices[i]) == 0) {
            *out = i;
            return RFM_OK;
        }
    }
    char list[200] = "";
    for (int i = 0; choices[i]; i++) {
        if (i) strncat(list, " | ", sizeof list - strlen(list) - 1);
        strncat(list, choices[i], sizeof list - strlen(list) - 1);
    }
    return rfm_fail(err, RFM_EINVAL, "%s = '%s': expected %s", key, v, list);
}

rfm_status mdl_check_keys(const mdl_params *p, const char *type, const char *const *known,
                          rfm_error *err) {
    if (!p) return RFM_OK;
    for (size_t i = 0; i < p->count; i++) {
        int ok = 0;
        for (size_t j = 0; known[j] && !ok; j++) ok = strcmp(p->items[i].key, known[j]) == 0;
        if (!ok)
            return rfm_fail(err, RFM_EINVAL, "unknown parameter '%s' for model type %s",
                            p->items[i].key, type);
    }
    return RFM_OK;
}
