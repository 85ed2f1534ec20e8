/* mlp.h - a fully connected network trained by backpropagation on OpenBLAS, and the measurement
 * of the Deep Neural Feature Ansatz (rfm-algorithm.md section 11): per-layer neural feature
 * matrices compared with the average gradient outer product (AGOP) of the trained network.
 *
 * The network with H = depth hidden layers has L = H + 1 weight layers:
 *   h_0 = x,  h_{i+1} = sigma(W_i h_i + b_i) for i < H,  f(x) = W_H h_H + b_H,
 * W_0: (width, d), W_i: (width, width), W_H: (c, width); depth 0 is the linear map W_0 x + b_0.
 * [DNFA]'s "depth 3" is H = 3: W_0..W_2 with ReLU and the readout W_3. Biases are optional
 * (the paper had none). Initialisation is PyTorch's default for linear layers: every weight and
 * bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)), drawn from rfm_rng seeded with params.seed, so a
 * seed reproduces a network exactly; the initial weights are kept for the ansatz.
 *
 * Numeric only (no YAML, no CSV). Matrices are row-major; inputs are borrowed. Minibatch forward
 * and backward passes are dgemms; the Jacobian rows of all outputs of a block of inputs are
 * back-propagated together (one dgemm per layer) and accumulated with dsyrk, so nothing larger
 * than (block rows * c, width) is ever held. Fallible calls return rfm_status and fill a non-NULL
 * err with one line; nothing prints or exits. */
#ifndef MLP_H
#define MLP_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "rfm.h"

typedef enum { MLP_RELU = 0, MLP_TANH, MLP_SIGMOID } mlp_activation;
typedef enum { MLP_LOSS_MSE = 0, MLP_LOSS_XENT } mlp_loss;
typedef enum { MLP_SGD = 0, MLP_ADAM } mlp_optimizer;

typedef struct {
    int depth;                 /* hidden layers H, 0..64; default 3 ([DNFA])                  */
    size_t width;              /* units per hidden layer, >= 1; default 1024 ([DNFA])          */
    mlp_activation activation; /* default relu                                                */
    int bias;                  /* 1: every layer has a bias; default 0 ([DNFA])                */
    mlp_loss loss;             /* mse: mean over rows and outputs of (f - y)^2 ([DNFA]);
                                * xent: mean over rows of -sum_k y_k log softmax(f)_k          */
    mlp_optimizer optimizer;   /* sgd (heavy-ball momentum as PyTorch's SGD) or adam           */
    double lr;                 /* > 0; default 0.1 ([DNFA])                                    */
    double momentum;           /* sgd only, in [0, 1); default 0                               */
    size_t batch;              /* minibatch rows >= 1, shuffled every epoch; default 128       */
    int epochs;                /* passes over the training rows, 1..100000; default 500        */
    int patience;              /* with validation rows: stop after this many epochs without a
                                * strict improvement; 0 = run every epoch; default 0          */
    int classification;        /* 1: validation scored by accuracy (argmax), else RMSE; def. 1 */
    uint64_t seed;             /* initialisation and shuffling; default 0                      */
} mlp_params;

mlp_params mlp_params_default(void);

/* NULL when p is valid, else a static string naming the field and its bound. */
const char *mlp_params_check(const mlp_params *p);

const char *mlp_activation_name(mlp_activation a); /* "relu", "tanh", "sigmoid" */

/* ---- the network ----------------------------------------------------------------------------- */

typedef struct mlp_net mlp_net; /* opaque; release with mlp_free() */

/* A new network for d inputs and c outputs, initialised from p->seed (see above). p is copied.
 * Errors: invalid params or d, c = 0 (RFM_EINVAL); allocation (RFM_ENOMEM). On RFM_OK *out is
 * owned by the caller; otherwise NULL. */
rfm_status mlp_create(const mlp_params *p, size_t d, size_t c, mlp_net **out, rfm_error *err);
void mlp_free(mlp_net *net); /* NULL is a no-op */

const mlp_params *mlp_net_params(const mlp_net *net);
size_t mlp_layer_count(const mlp_net *net); /* L = depth + 1 */
/* Shape of W_i: (out, in); in is the dimension of h_i. i < L. */
void mlp_layer_shape(const mlp_net *net, size_t i, size_t *out, size_t *in);

/* Every parameter in one array, layer by layer: W_i (out_i, in_i) row-major, then b_i (out_i)
 * when biases are on. Mutable, for optimisers, finite differences and loading. */
size_t mlp_param_count(const mlp_net *net);
double *mlp_param_data(mlp_net *net);
const double *mlp_param_init(const mlp_net *net); /* the same layout at initialisation */
/* Borrowed pointers into those arrays. mlp_bias is NULL without biases. */
const double *mlp_weight(const mlp_net *net, size_t i);
const double *mlp_weight_init(const mlp_net *net, size_t i);
const double *mlp_bias(const mlp_net *net, size_t i);

/* Outputs f at the rows of X (n, d): out (n, c), ld = c, caller-owned. Processed in blocks.
 * Errors: X->cols != d (RFM_EINVAL); scratch allocation (RFM_ENOMEM). */
rfm_status mlp_forward(const mlp_net *net, const rfm_view *X, double *out, rfm_error *err);

/* The loss of params.loss, averaged over the rows of (X, Y), and its gradient with respect to
 * every parameter (grad: mlp_param_count entries, the layout of mlp_param_data). Y: (n, c).
 * loss or grad may be NULL. Errors: shapes (RFM_EINVAL); allocation (RFM_ENOMEM). */
rfm_status mlp_loss_grad(const mlp_net *net, const rfm_view *X, const rfm_view *Y, double *loss,
                         double *grad, rfm_error *err);

/* ---- training -------------------------------------------------------------------------------- */

typedef struct {
    int epoch;         /* epochs completed, 1-based                                         */
    double train_loss; /* mean of the epoch's minibatch losses, weighted by rows            */
    double val_score;  /* accuracy or RMSE at the end of the epoch; NaN without validation   */
    int best_epoch;    /* the kept epoch so far (0 before any validation)                    */
} mlp_epoch_info;

/* Called after every epoch with the current weights; a non-OK return stops training with that
 * status (err is the callback's to fill). */
typedef rfm_status (*mlp_epoch_fn)(void *ctx, const mlp_net *net, const mlp_epoch_info *info,
                                   rfm_error *err);

typedef struct {
    int epochs_run;    /* epochs completed (< params.epochs after early stopping)           */
    int best_epoch;    /* the epoch whose weights the net holds on return                    */
    double best_val;   /* its validation score; NaN without validation                       */
    double last_loss;  /* training loss of the last epoch                                    */
    int diverged;      /* 1: the loss became non-finite and training stopped there           */
} mlp_train_info;

/* Train net from its current weights on X (n, d), Y (n, c) (one-hot for classification):
 * params.epochs epochs of shuffled minibatches with params.optimizer (its state starts at zero
 * on every call). With Xv, Yv (both or neither), the validation score is taken after every
 * epoch; the best epoch's weights are kept, a later epoch winning ties (as [DNFA] did with >=),
 * and params.patience epochs without a strict improvement stop training. Without validation
 * the last epoch is kept. A non-finite loss stops training: with validation the best earlier
 * epoch is kept (info->diverged = 1); with none to keep it fails with RFM_ENUMERIC naming the
 * epoch and lr. cb (may be NULL) runs after every epoch. info may be NULL.
 * Errors: shapes (RFM_EINVAL), non-finite inputs (RFM_EINVAL), allocation (RFM_ENOMEM). */
rfm_status mlp_train(mlp_net *net, const rfm_view *X, const rfm_view *Y, const rfm_view *Xv,
                     const rfm_view *Yv, mlp_epoch_fn cb, void *ctx, mlp_train_info *info,
                     rfm_error *err);

/* ---- Jacobians, AGOP and the ansatz (mlp_dnfa.c) --------------------------------------------- */

/* J = d f / d h_layer at the input x (d entries): J (c, in_layer), ld = in_layer. */
rfm_status mlp_jacobian(const mlp_net *net, const double *x, size_t layer, double *J,
                        rfm_error *err);

/* For every layer i < L at the rows of X (n, d): G[i] = (1/n) sum_x J_i(x)^T J_i(x), the
 * uncentred AGOP (in_i, in_i), full (both triangles); Jbar[i] = (1/n) sum_x J_i(x), (c, in_i).
 * G and Jbar are arrays of L caller-owned pointers; a NULL array or entry skips that output.
 * The centred AGOP is G[i] - Jbar[i]^T Jbar[i]. Errors: shapes, n = 0 (RFM_EINVAL); scratch
 * (RFM_ENOMEM). */
rfm_status mlp_agop(const mlp_net *net, const rfm_view *X, double *const *G, double *const *Jbar,
                    rfm_error *err);

/* rho(A, B) = <A, B>_F / (||A||_F ||B||_F) over count entries (a cosine: no mean removal);
 * NaN when either is zero. */
double mlp_cosine(const double *A, const double *B, size_t count);

/* S = A^{1/2} for a symmetric A (d, d) through its eigenpairs (LAPACK dsyevd): V diag(sqrt(max(e,
 * 0))) V^T. A is not modified; S (d, d) is caller-owned. Errors: dsyevd did not converge
 * (RFM_ENUMERIC); allocation (RFM_ENOMEM). */
rfm_status mlp_psd_sqrt(const double *A, size_t d, double *S, rfm_error *err);

/* The ansatz at one layer, all cosines rho() of (in_i, in_i) matrices:
 *   NFM_i = (W_i - W_i0)^T (W_i - W_i0),  Gram_i = W_i^T W_i,  Init_i = W_i0^T W_i0,
 *   AGOP_i and its centred form from mlp_agop, A^{1/2} from mlp_psd_sqrt. */
typedef struct {
    double cos_nfm_agop;               /* rho(NFM, AGOP)                                   */
    double cos_nfm_sqrt_agop;          /* rho(NFM, AGOP^{1/2})                             */
    double cos_nfm_agop_centered;      /* rho(NFM, centred AGOP)                           */
    double cos_nfm_sqrt_agop_centered; /* rho(NFM, centred AGOP^{1/2})                     */
    double cos_init_agop;              /* control: rho(Init, AGOP of the current net)      */
    double cos_init_sqrt_agop;         /* control: rho(Init, AGOP^{1/2})                   */
    double cos_nfm_init;               /* [DNFA]'s printed control: rho(NFM, Init)         */
    double cos_gram_agop;              /* rho(Gram, AGOP)                                  */
    double cos_gram_sqrt_agop;         /* rho(Gram, AGOP^{1/2})                            */
} mlp_dnfa_layer;

/* The ansatz of every layer i < L of net at the rows of X (n, d): out[i] for i < L. A
 * centred AGOP that vanishes to rounding (the readout layer, whose Jacobian is W_L for every x)
 * gives NaN for its centred cosines; so does NFM = 0 (untrained weights). Errors: as mlp_agop,
 * and mlp_psd_sqrt's. */
rfm_status mlp_dnfa(const mlp_net *net, const rfm_view *X, mlp_dnfa_layer *out, rfm_error *err);

/* ---- behind the model interface (mdl_mlp.c) -------------------------------------------------- */

/* Parse the string parameters of `type: mlp` into p (keys depth, width, activation, bias, loss,
 * optimizer, lr, momentum, batch, epochs, patience, seed; unknown keys fail). `extra`
 * (NULL-terminated, may be NULL) lists more keys to accept and ignore, for callers that add
 * their own (rfmbench dnfa's record_every). loss xent with a regression task fails. */
rfm_status mlp_params_parse(const mdl_params *mp, mdl_task task, const char *const *extra,
                            mlp_params *p, rfm_error *err);

#endif
