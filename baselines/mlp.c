/* mlp.c - the fully connected network of mlp.h: parameters, seeded PyTorch-style
 * initialisation, blocked forward pass, backpropagation of the MSE or cross-entropy loss over a
 * minibatch (dgemms), and training with SGD (momentum) or Adam with best-validation early
 * stopping. The Jacobians, the AGOP and the ansatz are in mlp_dnfa.c. */
#include <cblas.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mlp_impl.h"

/* Scratch budget (doubles) of one forward block: 2^18 doubles = 2 MiB, cache-sized. */
#define FORWARD_BUDGET ((size_t)1 << 18)

mlp_params mlp_params_default(void) {
    mlp_params p;
    memset(&p, 0, sizeof p);
    p.depth = 3;
    p.width = 1024;
    p.activation = MLP_RELU;
    p.bias = 0;
    p.loss = MLP_LOSS_MSE;
    p.optimizer = MLP_SGD;
    p.lr = 0.1;
    p.momentum = 0.0;
    p.batch = 128;
    p.epochs = 500;
    p.patience = 0;
    p.classification = 1;
    p.seed = 0;
    return p;
}

const char *mlp_params_check(const mlp_params *p) {
    if (p->depth < 0 || p->depth > 64) return "depth: must be 0..64";
    // BLAS dimensions are int; 2^20 units is far beyond any sensible width anyway.
    if (p->width < 1 || p->width > ((size_t)1 << 20)) return "width: must be 1..1048576";
    if ((unsigned)p->activation > MLP_SIGMOID) return "activation: must be relu, tanh or sigmoid";
    if ((unsigned)p->loss > MLP_LOSS_XENT) return "loss: must be mse or xent";
    if ((unsigned)p->optimizer > MLP_ADAM) return "optimizer: must be sgd or adam";
    if (!(p->lr > 0) || !isfinite(p->lr)) return "lr: must be a finite number > 0";
    if (!(p->momentum >= 0 && p->momentum < 1)) return "momentum: must be in [0, 1)";
    if (p->batch < 1 || p->batch > ((size_t)1 << 24)) return "batch: must be 1..16777216";
    if (p->epochs < 1 || p->epochs > 100000) return "epochs: must be 1..100000";
    if (p->patience < 0) return "patience: must be >= 0";
    return NULL;
}

const char *mlp_activation_name(mlp_activation a) {
    return a == MLP_RELU ? "relu" : a == MLP_TANH ? "tanh" : "sigmoid";
}

size_t mlp_block_rows_(size_t n, size_t width, size_t budget) {
    size_t b = width ? budget / width : n;
    if (b < 1) b = 1;
    return b < n ? b : n;
}

/* ---- create, free, access -------------------------------------------------------------------- */

void mlp_free(mlp_net *net) {
    if (!net) return;
    free(net->in);
    free(net->out);
    free(net->woff);
    free(net->boff);
    free(net->theta);
    free(net->theta0);
    free(net);
}

rfm_status mlp_create(const mlp_params *p, size_t d, size_t c, mlp_net **out, rfm_error *err) {
    *out = NULL;
    const char *why = mlp_params_check(p);
    if (why) return rfm_fail(err, RFM_EINVAL, "%s", why);
    if (d < 1 || c < 1 || d > INT_MAX / 2 || c > INT_MAX / 2)
        return rfm_fail(err, RFM_EINVAL, "mlp: %zu inputs and %zu outputs: both must be >= 1", d,
                        c);
    rfm_status st = RFM_OK;
    mlp_net *net = calloc(1, sizeof *net);
    if (!net) return rfm_fail(err, RFM_ENOMEM, "mlp: out of memory");
    net->p = *p;
    net->d = d;
    net->c = c;
    net->L = (size_t)p->depth + 1;
    size_t L = net->L;
    net->in = calloc(L, sizeof *net->in);
    net->out = calloc(L, sizeof *net->out);
    net->woff = calloc(L, sizeof *net->woff);
    net->boff = calloc(L, sizeof *net->boff);
    if (!net->in || !net->out || !net->woff || !net->boff) {
        st = rfm_fail(err, RFM_ENOMEM, "mlp: out of memory");
        goto done;
    }
    size_t total = 0;
    for (size_t i = 0; i < L; i++) {
        net->in[i] = i == 0 ? d : p->width;
        net->out[i] = i + 1 == L ? c : p->width;
        if (net->in[i] > net->maxw) net->maxw = net->in[i];
        if (net->out[i] > net->maxw) net->maxw = net->out[i];
        size_t w = net->in[i] * net->out[i], b = p->bias ? net->out[i] : 0;
        if (total > SIZE_MAX / 16 - w - b) {
            st = rfm_fail(err, RFM_ENOMEM, "mlp: the parameter count overflows");
            goto done;
        }
        net->woff[i] = total;
        net->boff[i] = total + w;
        total += w + b;
    }
    net->n_params = total;
    if ((st = rfm_alloc((void **)&net->theta, total, 1, sizeof(double), "mlp parameters", err)) ||
        (st = rfm_alloc((void **)&net->theta0, total, 1, sizeof(double), "mlp parameters", err)))
        goto done;
    rfm_rng_seed(&net->rng, p->seed);
    // PyTorch's nn.Linear default: kaiming_uniform(a = sqrt 5) is U(-1/sqrt(fan_in), ..), and
    // the bias uses the same bound.
    for (size_t i = 0; i < L; i++) {
        double bound = 1.0 / sqrt((double)net->in[i]);
        size_t count = net->in[i] * net->out[i] + (p->bias ? net->out[i] : 0);
        double *w = net->theta + net->woff[i];
        for (size_t k = 0; k < count; k++) w[k] = (2.0 * rfm_rng_uniform(&net->rng) - 1.0) * bound;
    }
    memcpy(net->theta0, net->theta, total * sizeof *net->theta);
    *out = net;
    net = NULL;
done:
    mlp_free(net);
    return st;
}

const mlp_params *mlp_net_params(const mlp_net *net) { return &net->p; }
size_t mlp_layer_count(const mlp_net *net) { return net->L; }

void mlp_layer_shape(const mlp_net *net, size_t i, size_t *out, size_t *in) {
    if (out) *out = net->out[i];
    if (in) *in = net->in[i];
}

size_t mlp_param_count(const mlp_net *net) { return net->n_params; }
double *mlp_param_data(mlp_net *net) { return net->theta; }
const double *mlp_param_init(const mlp_net *net) { return net->theta0; }
const double *mlp_weight(const mlp_net *net, size_t i) { return net->theta + net->woff[i]; }
const double *mlp_weight_init(const mlp_net *net, size_t i) { return net->theta0 + net->woff[i]; }
const double *mlp_bias(const mlp_net *net, size_t i) {
    return net->p.bias ? net->theta + net->boff[i] : NULL;
}

/* ---- forward --------------------------------------------------------------------------------- */

static void activate_(mlp_activation a, double *x, size_t count) {
    if (a == MLP_RELU) {
        for (size_t k = 0; k < count; k++) x[k] = x[k] > 0 ? x[k] : 0.0;
    } else if (a == MLP_TANH) {
        for (size_t k = 0; k < count; k++) x[k] = tanh(x[k]);
    } else {
        for (size_t k = 0; k < count; k++) x[k] = 1.0 / (1.0 + exp(-x[k]));
    }
}

void mlp_forward_block_(const mlp_net *net, const double *X, size_t ldx, size_t b,
                        double *const *H, double *F) {
    const double *src = X;
    size_t lds = ldx;
    for (size_t i = 0; i < net->L; i++) {
        size_t o = net->out[i], in = net->in[i];
        double *dst = i + 1 == net->L ? F : H[i + 1];
        // dst (b, o) = src (b, in) W_i^T, W_i: (o, in)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)b, (int)o, (int)in, 1.0, src,
                    (int)lds, net->theta + net->woff[i], (int)in, 0.0, dst, (int)o);
        if (net->p.bias) {
            const double *bi = net->theta + net->boff[i];
            for (size_t r = 0; r < b; r++)
                for (size_t k = 0; k < o; k++) dst[r * o + k] += bi[k];
        }
        if (i + 1 < net->L) activate_(net->p.activation, dst, b * o);
        src = dst;
        lds = o;
    }
}

/* Scratch of a forward/backward pass over up to `cap` rows. */
typedef struct {
    size_t cap;
    double **H;      /* L: H[0] (cap, d) gathered inputs, H[i] (cap, in_i)   */
    double *Y;       /* (cap, c) gathered targets                            */
    double *F;       /* (cap, c) outputs                                     */
    double *D0, *D1; /* (cap, maxw) deltas, ping-pong                        */
} work_;

static void work_free_(work_ *w, size_t L) {
    if (w->H)
        for (size_t i = 0; i < L; i++) free(w->H[i]);
    free(w->H);
    free(w->Y);
    free(w->F);
    free(w->D0);
    free(w->D1);
    memset(w, 0, sizeof *w);
}

static rfm_status work_make_(const mlp_net *net, size_t cap, int backward, work_ *w,
                             rfm_error *err) {
    memset(w, 0, sizeof *w);
    w->cap = cap;
    rfm_status st = RFM_OK;
    w->H = calloc(net->L, sizeof *w->H);
    if (!w->H) st = rfm_fail(err, RFM_ENOMEM, "mlp: out of memory");
    for (size_t i = 0; !st && i < net->L; i++)
        st = rfm_alloc((void **)&w->H[i], cap, net->in[i], sizeof(double), "mlp activations", err);
    if (!st) st = rfm_alloc((void **)&w->F, cap, net->c, sizeof(double), "mlp outputs", err);
    if (!st && backward) {
        if (!st) st = rfm_alloc((void **)&w->Y, cap, net->c, sizeof(double), "mlp targets", err);
        if (!st) st = rfm_alloc((void **)&w->D0, cap, net->maxw, sizeof(double), "mlp deltas", err);
        if (!st) st = rfm_alloc((void **)&w->D1, cap, net->maxw, sizeof(double), "mlp deltas", err);
    }
    if (st) work_free_(w, net->L);
    return st;
}

/* Outputs of every row of X into out (rows, c) in blocks of w->cap rows. */
static void forward_rows_(const mlp_net *net, work_ *w, const rfm_view *X, double *out) {
    for (size_t r0 = 0; r0 < X->rows; r0 += w->cap) {
        size_t b = X->rows - r0 < w->cap ? X->rows - r0 : w->cap;
        mlp_forward_block_(net, X->data + r0 * X->ld, X->ld, b, w->H, out + r0 * net->c);
    }
}

rfm_status mlp_forward(const mlp_net *net, const rfm_view *X, double *out, rfm_error *err) {
    if (X->cols != net->d)
        return rfm_fail(err, RFM_EINVAL, "mlp: X has %zu columns, the network %zu inputs", X->cols,
                        net->d);
    if (X->rows == 0) return RFM_OK;
    work_ w;
    rfm_status st = work_make_(net, mlp_block_rows_(X->rows, net->maxw, FORWARD_BUDGET), 0, &w,
                               err);
    if (st) return st;
    forward_rows_(net, &w, X, out);
    work_free_(&w, net->L);
    return RFM_OK;
}

/* ---- loss and backpropagation ---------------------------------------------------------------- */

/* Mean loss of the b rows in w (F against Y) and dLoss/dF into w->D0 (b, c). */
static double loss_delta_(const mlp_net *net, work_ *w, size_t b) {
    size_t c = net->c;
    double total = 0;
    if (net->p.loss == MLP_LOSS_MSE) {
        double s = 2.0 / ((double)b * (double)c);
        for (size_t k = 0; k < b * c; k++) {
            double e = w->F[k] - w->Y[k];
            total += e * e;
            w->D0[k] = s * e;
        }
        return total / ((double)b * (double)c);
    }
    for (size_t r = 0; r < b; r++) {
        const double *f = w->F + r * c, *y = w->Y + r * c;
        double *g = w->D0 + r * c;
        // log-sum-exp shifted by the largest output so exp never overflows.
        double m = f[0], se = 0, ys = 0;
        for (size_t k = 1; k < c; k++) m = f[k] > m ? f[k] : m;
        for (size_t k = 0; k < c; k++) se += exp(f[k] - m);
        double lse = m + log(se);
        for (size_t k = 0; k < c; k++) {
            total -= y[k] * (f[k] - lse);
            ys += y[k];
        }
        // d/df_k of -sum_j y_j (f_j - lse) = ys p_k - y_k (ys = 1 for one-hot targets).
        for (size_t k = 0; k < c; k++) g[k] = (ys * exp(f[k] - lse) - y[k]) / (double)b;
    }
    return total / (double)b;
}

/* Forward and backward over the b rows already in w->H[0] and w->Y; grad (n_params). */
static double batch_grad_(const mlp_net *net, work_ *w, size_t b, double *grad) {
    mlp_forward_block_(net, w->H[0], net->d, b, w->H, w->F);
    double loss = loss_delta_(net, w, b);
    double *D = w->D0, *Dn = w->D1;
    for (size_t i = net->L; i-- > 0;) {
        size_t o = net->out[i], in = net->in[i];
        const double *W = net->theta + net->woff[i];
        // dW_i (o, in) = D^T (o, b) H_i (b, in)
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)o, (int)in, (int)b, 1.0, D,
                    (int)o, w->H[i], (int)in, 0.0, grad + net->woff[i], (int)in);
        if (net->p.bias) {
            double *gb = grad + net->boff[i];
            memset(gb, 0, o * sizeof *gb);
            for (size_t r = 0; r < b; r++)
                for (size_t k = 0; k < o; k++) gb[k] += D[r * o + k];
        }
        if (i == 0) break;
        // Dn (b, in) = (D W_i) .* sigma'(h_i): h_i is the output of layer i - 1.
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)b, (int)in, (int)o, 1.0, D,
                    (int)o, W, (int)in, 0.0, Dn, (int)in);
        const double *h = w->H[i];
        for (size_t k = 0; k < b * in; k++) Dn[k] *= mlp_dsigma_(net->p.activation, h[k]);
        double *t = D;
        D = Dn;
        Dn = t;
    }
    return loss;
}

/* Copy rows idx[0..b) (NULL: rows r0..r0+b) of X and Y into w->H[0] and w->Y. */
static void gather_(const mlp_net *net, work_ *w, const rfm_view *X, const rfm_view *Y,
                    const size_t *idx, size_t r0, size_t b) {
    for (size_t r = 0; r < b; r++) {
        size_t s = idx ? idx[r] : r0 + r;
        memcpy(w->H[0] + r * net->d, X->data + s * X->ld, net->d * sizeof(double));
        memcpy(w->Y + r * net->c, Y->data + s * Y->ld, net->c * sizeof(double));
    }
}

/* The first row holding NaN or Inf, or SIZE_MAX. */
static size_t nonfinite_row_(const rfm_view *V) {
    for (size_t r = 0; r < V->rows; r++)
        for (size_t k = 0; k < V->cols; k++)
            if (!isfinite(V->data[r * V->ld + k])) return r;
    return SIZE_MAX;
}

static rfm_status check_xy_(const mlp_net *net, const rfm_view *X, const rfm_view *Y,
                            const char *what, rfm_error *err) {
    if (X->cols != net->d || Y->cols != net->c || X->rows != Y->rows || X->rows == 0)
        return rfm_fail(err, RFM_EINVAL,
                        "mlp: %s data (%zu x %zu, targets %zu x %zu) does not fit a network of "
                        "%zu inputs and %zu outputs",
                        what, X->rows, X->cols, Y->rows, Y->cols, net->d, net->c);
    size_t r = nonfinite_row_(X);
    if (r == SIZE_MAX) r = nonfinite_row_(Y);
    if (r != SIZE_MAX)
        return rfm_fail(err, RFM_EINVAL, "mlp: %s data has a non-finite value in row %zu", what,
                        r);
    return RFM_OK;
}

rfm_status mlp_loss_grad(const mlp_net *net, const rfm_view *X, const rfm_view *Y, double *loss,
                         double *grad, rfm_error *err) {
    rfm_status st = check_xy_(net, X, Y, "loss", err);
    if (st) return st;
    work_ w;
    double *g = grad;
    if ((st = work_make_(net, X->rows, 1, &w, err))) return st;
    if (!g && (st = rfm_alloc((void **)&g, net->n_params, 1, sizeof *g, "mlp gradient", err)))
        goto done;
    gather_(net, &w, X, Y, NULL, 0, X->rows);
    double l = batch_grad_(net, &w, X->rows, g);
    if (loss) *loss = l;
done:
    if (g != grad) free(g);
    work_free_(&w, net->L);
    return st;
}

/* ---- training -------------------------------------------------------------------------------- */

/* Index of the largest entry; the first one on ties (rfm_argmax's rule). */
static size_t argmax_(const double *x, size_t c) {
    size_t best = 0;
    for (size_t k = 1; k < c; k++)
        if (x[k] > x[best]) best = k;
    return best;
}

/* Accuracy (argmax against the one-hot argmax) or RMSE over rows and outputs; P: (n, c). */
static double score_(const mlp_net *net, work_ *w, const rfm_view *Xv, const rfm_view *Yv,
                     double *P) {
    forward_rows_(net, w, Xv, P);
    size_t c = net->c, n = Xv->rows;
    double acc = 0;
    for (size_t r = 0; r < n; r++) {
        const double *y = Yv->data + r * Yv->ld, *f = P + r * c;
        if (net->p.classification) {
            acc += argmax_(f, c) == argmax_(y, c);
        } else {
            for (size_t k = 0; k < c; k++) acc += (f[k] - y[k]) * (f[k] - y[k]);
        }
    }
    return net->p.classification ? acc / (double)n : sqrt(acc / ((double)n * (double)c));
}

/* One optimiser step on theta with gradient g; t = 1-based step count (Adam's bias correction).
 * SGD momentum follows PyTorch: v = mu v + g, theta -= lr v. Adam uses PyTorch's defaults
 * beta1 = 0.9, beta2 = 0.999, eps = 1e-8. */
static void step_(const mlp_params *p, double *theta, const double *g, double *m1, double *m2,
                  size_t count, long t) {
    double lr = p->lr;
    if (p->optimizer == MLP_ADAM) {
        const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
        double c1 = 1.0 - pow(b1, (double)t), c2 = 1.0 - pow(b2, (double)t);
        for (size_t k = 0; k < count; k++) {
            m1[k] = b1 * m1[k] + (1.0 - b1) * g[k];
            m2[k] = b2 * m2[k] + (1.0 - b2) * g[k] * g[k];
            theta[k] -= lr * (m1[k] / c1) / (sqrt(m2[k] / c2) + eps);
        }
    } else if (p->momentum > 0) {
        for (size_t k = 0; k < count; k++) {
            m1[k] = p->momentum * m1[k] + g[k];
            theta[k] -= lr * m1[k];
        }
    } else {
        for (size_t k = 0; k < count; k++) theta[k] -= lr * g[k];
    }
}

rfm_status mlp_train(mlp_net *net, const rfm_view *X, const rfm_view *Y, const rfm_view *Xv,
                     const rfm_view *Yv, mlp_epoch_fn cb, void *ctx, mlp_train_info *info,
                     rfm_error *err) {
    mlp_train_info res = {0, 0, NAN, NAN, 0};
    if ((Xv == NULL) != (Yv == NULL))
        return rfm_fail(err, RFM_EINVAL, "mlp: give both validation X and Y or neither");
    rfm_status st = check_xy_(net, X, Y, "training", err);
    if (!st && Xv) st = check_xy_(net, Xv, Yv, "validation", err);
    if (st) return st;
    const mlp_params *p = &net->p;
    size_t n = X->rows, np = net->n_params, bsz = p->batch < n ? p->batch : n;
    int adam = p->optimizer == MLP_ADAM, mom = adam || p->momentum > 0;
    work_ w = {0};
    size_t *idx = NULL;
    double *grad = NULL, *m1 = NULL, *m2 = NULL, *best = NULL, *P = NULL;
    if ((st = work_make_(net, bsz, 1, &w, err)) ||
        (st = rfm_alloc((void **)&idx, n, 1, sizeof *idx, "mlp row order", err)) ||
        (st = rfm_alloc((void **)&grad, np, 1, sizeof *grad, "mlp gradient", err)) ||
        (mom && (st = rfm_alloc((void **)&m1, np, 1, sizeof *m1, "mlp optimiser state", err))) ||
        (adam && (st = rfm_alloc((void **)&m2, np, 1, sizeof *m2, "mlp optimiser state", err))) ||
        (Xv && (st = rfm_alloc((void **)&best, np, 1, sizeof *best, "mlp best weights", err))) ||
        (Xv && (st = rfm_alloc((void **)&P, Xv->rows, net->c, sizeof *P, "mlp predictions", err))))
        goto done;
    if (m1) memset(m1, 0, np * sizeof *m1);
    if (m2) memset(m2, 0, np * sizeof *m2);
    for (size_t i = 0; i < n; i++) idx[i] = i;
    double best_good = -INFINITY;
    int last_improve = 0;
    long t = 0;
    for (int epoch = 1; epoch <= p->epochs; epoch++) {
        for (size_t i = n; i > 1; i--) { // Fisher-Yates: a fresh seeded order every epoch
            size_t j = rfm_rng_below(&net->rng, i), tmp = idx[i - 1];
            idx[i - 1] = idx[j];
            idx[j] = tmp;
        }
        double sum = 0;
        for (size_t r0 = 0; r0 < n; r0 += bsz) {
            size_t b = n - r0 < bsz ? n - r0 : bsz;
            gather_(net, &w, X, Y, idx + r0, 0, b);
            sum += batch_grad_(net, &w, b, grad) * (double)b;
            step_(p, net->theta, grad, m1, m2, np, ++t);
        }
        res.epochs_run = epoch;
        res.last_loss = sum / (double)n;
        if (!isfinite(res.last_loss)) {
            res.diverged = 1;
            break;
        }
        double vs = NAN;
        if (Xv) {
            vs = score_(net, &w, Xv, Yv, P);
            double good = p->classification ? vs : -vs;
            // >= : a later epoch wins ties, as [DNFA] kept its best model.
            if (!isnan(good) && good >= best_good) {
                if (good > best_good) last_improve = epoch;
                best_good = good;
                res.best_epoch = epoch;
                res.best_val = vs;
                memcpy(best, net->theta, np * sizeof *best);
            }
        } else {
            res.best_epoch = epoch;
        }
        if (cb) {
            mlp_epoch_info ei = {epoch, res.last_loss, vs, res.best_epoch};
            if ((st = cb(ctx, net, &ei, err))) goto done;
        }
        if (Xv && p->patience > 0 && epoch - last_improve >= p->patience) break;
    }
    if (res.diverged && (!Xv || res.best_epoch == 0)) {
        st = rfm_fail(err, RFM_ENUMERIC,
                      "mlp: the training loss is not finite at epoch %d (lr = %g): lower lr",
                      res.epochs_run, p->lr);
        goto done;
    }
    if (Xv && res.best_epoch > 0) memcpy(net->theta, best, np * sizeof *best);
    if (info) *info = res;
done:
    work_free_(&w, net->L);
    free(idx);
    free(grad);
    free(m1);
    free(m2);
    free(best);
    free(P);
    return st;
}
