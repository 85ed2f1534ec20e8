/* mlp_ref.h - an independent reference for the MLP tests: the network of mlp.h evaluated by
 * plain loops (theta in mlp.h's layout), its loss, and small helpers. */
#ifndef MLP_REF_H
#define MLP_REF_H

#include <stddef.h>
#include <stdint.h>

#include "mlp.h"

typedef struct {
    int depth, bias;
    mlp_activation act;
    size_t d, w, c;
} mlp_ref_shape;

/* Input and output widths of layer i (0 .. depth). */
size_t mlp_ref_in(const mlp_ref_shape *s, int i);
size_t mlp_ref_out(const mlp_ref_shape *s, int i);
/* The activation a at x. */
double mlp_ref_sigma(mlp_activation a, double x);
/* f (c) from h0, the input of layer `start`, by loops (widths up to 4096). */
void mlp_ref_forward(const mlp_ref_shape *s, const double *theta, int start, const double *h0,
                     double *f);
/* Mean loss over the n rows of X (n, d) against Y (n, c). */
double mlp_ref_loss(const mlp_ref_shape *s, const double *theta, mlp_loss loss, const double *X,
                    const double *Y, size_t n);
/* mlp_params_default() with the shape's depth, width, bias and activation. */
mlp_params mlp_ref_params(const mlp_ref_shape *s);
/* Y (n, c): one-hot rows of seeded uniform labels (n <= 256). */
void mlp_ref_one_hot(double *Y, size_t n, size_t c, uint64_t seed);

#endif
