/* mdl_mlp.c - the fully connected network of mlp.h behind the model interface (type: mlp).
 *
 * fit with validation rows trains up to `epochs` epochs and keeps the best-validation epoch's
 * weights (early stopping with `patience`); refit, for the protocol's evaluation folds, trains a
 * fresh network from the same seed on the new rows for exactly the selected number of epochs,
 * without validation (the epoch count is what selection chose, as RFM keeps its iteration).
 *
 * Defaults here are a practical tabular network (depth 2, width 256, biases, Adam at 1e-3,
 * cross-entropy for classification and MSE for regression, batch 64, up to 200 epochs, patience
 * 20): the paper's DNFA network (depth 3, width 1024, no biases, MSE, SGD at 0.1, 500 epochs)
 * diverges on unscaled regression targets and is spelled out where it is wanted, in
 * configs/dnfa.yaml. mlp_params_default() in mlp.c keeps the paper's values. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlp.h"
#include "model.h"

static const char *const keys_[] = {"depth",    "width", "activation", "bias",     "loss",
                                    "optimizer", "lr",   "momentum",   "batch",    "epochs",
                                    "patience", "seed",  NULL};
static const char *const activations_[] = {"relu", "tanh", "sigmoid", NULL};
static const char *const losses_[] = {"mse", "xent", NULL};
static const char *const optimizers_[] = {"sgd", "adam", NULL};

rfm_status mlp_params_parse(const mdl_params *mp, mdl_task task, const char *const *extra,
                            mlp_params *p, rfm_error *err) {
    const char *known[32];
    size_t nk = 0;
    for (size_t i = 0; keys_[i]; i++) known[nk++] = keys_[i];
    for (size_t i = 0; extra && extra[i] && nk + 1 < sizeof known / sizeof *known; i++)
        known[nk++] = extra[i];
    known[nk] = NULL;
    rfm_status st = mdl_check_keys(mp, "mlp", known, err);
    if (st) return st;
    *p = mlp_params_default();
    p->depth = 2;
    p->width = 256;
    p->lr = 1e-3;
    p->batch = 64;
    p->epochs = 200;
    p->patience = 20;
    long depth, width, batch, epochs, patience, seed;
    int act, loss, opt, bias;
    int def_loss = task == MDL_CLASSIFICATION ? MLP_LOSS_XENT : MLP_LOSS_MSE;
    if ((st = mdl_get_int(mp, "depth", p->depth, &depth, err)) ||
        (st = mdl_get_int(mp, "width", (long)p->width, &width, err)) ||
        (st = mdl_get_choice(mp, "activation", activations_, 0, &act, err)) ||
        (st = mdl_get_bool(mp, "bias", 1, &bias, err)) ||
        (st = mdl_get_choice(mp, "loss", losses_, def_loss, &loss, err)) ||
        (st = mdl_get_choice(mp, "optimizer", optimizers_, MLP_ADAM, &opt, err)) ||
        (st = mdl_get_double(mp, "lr", p->lr, &p->lr, err)) ||
        (st = mdl_get_double(mp, "momentum", p->momentum, &p->momentum, err)) ||
        (st = mdl_get_int(mp, "batch", (long)p->batch, &batch, err)) ||
        (st = mdl_get_int(mp, "epochs", p->epochs, &epochs, err)) ||
        (st = mdl_get_int(mp, "patience", p->patience, &patience, err)) ||
        (st = mdl_get_int(mp, "seed", 0, &seed, err)))
        return st;
    // Range checks on the longs before narrowing them, naming the key as written.
    if (depth < 0 || depth > 64)
        return rfm_fail(err, RFM_EINVAL, "depth = %ld: must be 0..64", depth);
    if (width < 1 || width > (1L << 20))
        return rfm_fail(err, RFM_EINVAL, "width = %ld: must be 1..1048576", width);
    if (batch < 1 || batch > (1L << 24))
        return rfm_fail(err, RFM_EINVAL, "batch = %ld: must be 1..16777216", batch);
    if (epochs < 1 || epochs > 100000)
        return rfm_fail(err, RFM_EINVAL, "epochs = %ld: must be 1..100000", epochs);
    if (patience < 0 || patience > 100000)
        return rfm_fail(err, RFM_EINVAL, "patience = %ld: must be 0..100000", patience);
    if (seed < 0) return rfm_fail(err, RFM_EINVAL, "seed = %ld: must be >= 0", seed);
    if (!(p->lr > 0)) return rfm_fail(err, RFM_EINVAL, "lr = %g: must be > 0", p->lr);
    if (!(p->momentum >= 0 && p->momentum < 1))
        return rfm_fail(err, RFM_EINVAL, "momentum = %g: must be in [0, 1)", p->momentum);
    if (loss == MLP_LOSS_XENT && task == MDL_REGRESSION)
        return rfm_fail(err, RFM_EINVAL, "loss = xent: needs a classification task (use mse)");
    p->depth = (int)depth;
    p->width = (size_t)width;
    p->activation = (mlp_activation)act;
    p->bias = bias;
    p->loss = (mlp_loss)loss;
    p->optimizer = (mlp_optimizer)opt;
    p->batch = (size_t)batch;
    p->epochs = (int)epochs;
    p->patience = (int)patience;
    p->seed = (uint64_t)seed;
    p->classification = task == MDL_CLASSIFICATION;
    const char *why = mlp_params_check(p);
    if (why) return rfm_fail(err, RFM_EINVAL, "%s", why);
    return RFM_OK;
}

typedef struct {
    mlp_params p;
    mlp_net *net;
    mlp_train_info info; /* of the last fit (refit keeps it) */
    int selected;        /* epochs chosen by the last fit with validation; 0 = none */
} mlp_state_;

static rfm_status create_(const mdl_params *mp, mdl_task task, void **state, rfm_error *err) {
    mlp_state_ *s = calloc(1, sizeof *s);
    if (!s) return rfm_fail(err, RFM_ENOMEM, "model: out of memory");
    rfm_status st = mlp_params_parse(mp, task, NULL, &s->p, err);
    if (st) {
        free(s);
        return st;
    }
    *state = s;
    return RFM_OK;
}

/* A fresh network from the seed, trained with p on (X, Y) and optional validation. */
static rfm_status train_(mlp_state_ *s, const mlp_params *p, const rfm_view *X, const rfm_view *Y,
                         const rfm_view *Xv, const rfm_view *Yv, mlp_train_info *info,
                         rfm_error *err) {
    mlp_net *net = NULL;
    rfm_status st = mlp_create(p, X->cols, Y->cols, &net, err);
    if (!st) st = mlp_train(net, X, Y, Xv, Yv, NULL, NULL, info, err);
    if (st) {
        mlp_free(net);
        return st;
    }
    mlp_free(s->net);
    s->net = net;
    return RFM_OK;
}

static rfm_status fit_(void *state, const rfm_view *X, const rfm_view *Y, const rfm_view *Xv,
                       const rfm_view *Yv, rfm_error *err) {
    mlp_state_ *s = state;
    mlp_train_info info;
    rfm_status st = train_(s, &s->p, X, Y, Xv, Yv, &info, err);
    if (st) return st;
    s->info = info;
    s->selected = Xv ? info.best_epoch : 0;
    return RFM_OK;
}

static rfm_status refit_(void *state, const rfm_view *X, const rfm_view *Y, rfm_error *err) {
    mlp_state_ *s = state;
    if (!s->selected) return fit_(state, X, Y, NULL, NULL, err);
    mlp_params p = s->p;
    p.epochs = s->selected;
    p.patience = 0;
    mlp_train_info info;
    return train_(s, &p, X, Y, NULL, NULL, &info, err);
}

static rfm_status predict_(void *state, const rfm_view *Z, double *out, rfm_error *err) {
    mlp_state_ *s = state;
    if (!s->net) return rfm_fail(err, RFM_EINVAL, "predict: the model is not fitted");
    return mlp_forward(s->net, Z, out, err);
}

static void describe_(void *state, char *buf, size_t size) {
    mlp_state_ *s = state;
    if (!s->net) return;
    snprintf(buf, size, "epoch=%d;epochs_run=%d%s", s->info.best_epoch, s->info.epochs_run,
             s->info.diverged ? ";diverged after the kept epoch" : "");
}

static void destroy_(void *state) {
    mlp_state_ *s = state;
    if (!s) return;
    mlp_free(s->net);
    free(s);
}

/* No val_scores: the harness scores the kept (best-epoch) weights on the validation rows. */
const mdl_vtable mdl_mlp_vtable = {"mlp", create_, fit_, refit_, predict_, describe_, NULL,
                                   destroy_};
