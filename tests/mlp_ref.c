/* mlp_ref.c - the tests' own network for test_mlp.c and test_mlp_dnfa.c: plain loops over the
 * parameter layout that mlp.h documents, independent of mlp.c's BLAS code. */
#include "mlp_ref.h"

#include <math.h>
#include <string.h>

#include "fixture.h"

size_t mlp_ref_in(const mlp_ref_shape *s, int i) { return i == 0 ? s->d : s->w; }
size_t mlp_ref_out(const mlp_ref_shape *s, int i) { return i == s->depth ? s->c : s->w; }

double mlp_ref_sigma(mlp_activation a, double x) {
    if (a == MLP_RELU) return x > 0 ? x : 0;
    if (a == MLP_TANH) return tanh(x);
    return 1 / (1 + exp(-x));
}

/* f from h_start (the input of layer `start`) by loops; theta in the layout of mlp.h. */
void mlp_ref_forward(const mlp_ref_shape *s, const double *theta, int start, const double *h0,
                     double *f) {
    static double a[4096], b[4096]; // up to width 4096
    size_t off = 0;
    for (int i = 0; i < start; i++)
        off += mlp_ref_in(s, i) * mlp_ref_out(s, i) + (s->bias ? mlp_ref_out(s, i) : 0);
    memcpy(a, h0, mlp_ref_in(s, start) * sizeof *a);
    for (int i = start; i <= s->depth; i++) {
        size_t in = mlp_ref_in(s, i), o = mlp_ref_out(s, i);
        for (size_t k = 0; k < o; k++) {
            double z = s->bias ? theta[off + in * o + k] : 0;
            for (size_t q = 0; q < in; q++) z += theta[off + k * in + q] * a[q];
            b[k] = i < s->depth ? mlp_ref_sigma(s->act, z) : z;
        }
        memcpy(a, b, o * sizeof *a);
        off += in * o + (s->bias ? o : 0);
    }
    memcpy(f, a, s->c * sizeof *f);
}

double mlp_ref_loss(const mlp_ref_shape *s, const double *theta, mlp_loss loss, const double *X,
                    const double *Y, size_t n) {
    double total = 0, f[64];
    for (size_t r = 0; r < n; r++) {
        mlp_ref_forward(s, theta, 0, X + r * s->d, f);
        const double *y = Y + r * s->c;
        if (loss == MLP_LOSS_MSE) {
            for (size_t k = 0; k < s->c; k++) total += (f[k] - y[k]) * (f[k] - y[k]);
        } else {
            double se = 0;
            for (size_t k = 0; k < s->c; k++) se += exp(f[k]);
            for (size_t k = 0; k < s->c; k++) total -= y[k] * log(exp(f[k]) / se);
        }
    }
    return loss == MLP_LOSS_MSE ? total / (double)(n * s->c) : total / (double)n;
}

mlp_params mlp_ref_params(const mlp_ref_shape *s) {
    mlp_params p = mlp_params_default();
    p.depth = s->depth;
    p.width = s->w;
    p.bias = s->bias;
    p.activation = s->act;
    return p;
}

void mlp_ref_one_hot(double *Y, size_t n, size_t c, uint64_t seed) {
    double u[256];
    fixture_uniform(u, n, 0, (double)c, seed);
    memset(Y, 0, n * c * sizeof *Y);
    for (size_t r = 0; r < n; r++) Y[r * c + (size_t)u[r] % c] = 1;
}

