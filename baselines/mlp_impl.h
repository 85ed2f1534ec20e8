/* mlp_impl.h - internals shared by mlp.c (network, training) and mlp_dnfa.c (Jacobians, AGOP,
 * the ansatz); not public. */
#ifndef MLP_IMPL_H
#define MLP_IMPL_H

#include "mlp.h"

struct mlp_net {
    mlp_params p;
    size_t d, c;     /* inputs, outputs                                                   */
    size_t L;        /* weight layers = depth + 1                                          */
    size_t maxw;     /* the largest layer dimension (in or out) over all layers            */
    size_t *in;      /* L: in_i, the dimension of h_i                                      */
    size_t *out;     /* L: out_i (width for hidden layers, c for the readout)               */
    size_t *woff;    /* L: offset of W_i in theta                                          */
    size_t *boff;    /* L: offset of b_i in theta (unused without biases)                  */
    size_t n_params;
    double *theta;   /* current parameters                                                 */
    double *theta0;  /* parameters at initialisation                                       */
    rfm_rng rng;     /* continues from initialisation into the epoch shuffles              */
};

/* sigma'(a) written through h = sigma(a), so the backward pass needs only the stored outputs:
 * ReLU 1[h > 0] (h > 0 exactly when a > 0), tanh 1 - h^2, sigmoid h (1 - h). */
static inline double mlp_dsigma_(mlp_activation a, double h) {
    if (a == MLP_RELU) return h > 0 ? 1.0 : 0.0;
    if (a == MLP_TANH) return 1.0 - h * h;
    return h * (1.0 - h);
}

/* Forward b rows of X (b, d), ld ldx: H[i] (b, in_i), 1 <= i < L, receives h_i (H[0] is not
 * touched: X is read in place); F (b, c) receives f. */
void mlp_forward_block_(const mlp_net *net, const double *X, size_t ldx, size_t b,
                        double *const *H, double *F);

/* Rows per block so that a (rows, width) scratch stays near `budget` doubles (at least 1, at
 * most n). */
size_t mlp_block_rows_(size_t n, size_t width, size_t budget);

#endif
