/* mlp_dnfa.c - Jacobians of the network of mlp.h with respect to each layer's input, their
 * average gradient outer product (AGOP), and the Deep Neural Feature Ansatz measurement of
 * rfm-algorithm.md section 11: cosines between NFM_i = (W_i - W_i0)^T (W_i - W_i0) (and the
 * controls) and AGOP_i, AGOP_i^{1/2}, centred and uncentred.
 *
 * J_i(x) = W_{L-1} D_{L-1} W_{L-2} ... D_{i+1} W_i with D_l = diag(sigma'(W_{l-1} h_{l-1})),
 * read from the top: J_{L-1} = W_{L-1} for every x, and J_{i-1} = (J_i .* sigma'_i) W_{i-1}.
 * For a block of b inputs the b*c Jacobian rows of all outputs are stacked into one (b*c, in_i)
 * matrix R and carried down the layers by one dgemm each; G_i += R^T R is one dsyrk. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mlp_impl.h"

/* LAPACK's symmetric eigensolver, exported by OpenBLAS (LP64: Fortran INTEGER is int). */
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda,
             double *w, double *work, const int *lwork, int *iwork, const int *liwork,
             int *info);

/* Stacked Jacobian rows held at once (doubles): 2^21 = 16 MiB per buffer. */
#define AGOP_BUDGET ((size_t)1 << 21)

/* Mirror the upper triangle of the row-major (d, d) matrix A into its lower one. */
static void mirror_upper_(double *A, size_t d) {
    for (size_t r = 1; r < d; r++)
        for (size_t k = 0; k < r; k++) A[r * d + k] = A[k * d + r];
}

/* Scratch of the Jacobian pass over blocks of up to cap inputs. */
typedef struct {
    size_t cap;
    double **H;      /* L: H[i] (cap, in_i) for i >= 1; H[0] unused (inputs read in place) */
    double *F;       /* (cap, c)                                                          */
    double *R0, *R1; /* (cap * c, maxw): stacked Jacobian rows, ping-pong                  */
} jwork_;

static void jwork_free_(jwork_ *w, size_t L) {
    if (w->H)
        for (size_t i = 0; i < L; i++) free(w->H[i]);
    free(w->H);
    free(w->F);
    free(w->R0);
    free(w->R1);
    memset(w, 0, sizeof *w);
}

static rfm_status jwork_make_(const mlp_net *net, size_t cap, jwork_ *w, rfm_error *err) {
    memset(w, 0, sizeof *w);
    w->cap = cap;
    rfm_status st = RFM_OK;
    w->H = calloc(net->L, sizeof *w->H);
    if (!w->H) st = rfm_fail(err, RFM_ENOMEM, "mlp: out of memory");
    for (size_t i = 1; !st && i < net->L; i++)
        st = rfm_alloc((void **)&w->H[i], cap, net->in[i], sizeof(double), "mlp activations", err);
    if (!st) st = rfm_alloc((void **)&w->F, cap, net->c, sizeof(double), "mlp outputs", err);
    if (!st)
        st = rfm_alloc((void **)&w->R0, cap * net->c, net->maxw, sizeof(double), "mlp Jacobians",
                       err);
    if (!st)
        st = rfm_alloc((void **)&w->R1, cap * net->c, net->maxw, sizeof(double), "mlp Jacobians",
                       err);
    if (st) jwork_free_(w, net->L);
    return st;
}

/* The Jacobians of b inputs X (b, d), ld ldx, carried from the readout down to layer 0. For
 * each layer i: G[i] += R^T R (upper triangle only) and Jsum[i] += sum over inputs of J_i when
 * those are non-NULL; Jout (b*c, in_want) receives the rows of layer `want` when non-NULL. */
static void jac_block_(const mlp_net *net, jwork_ *w, const double *X, size_t ldx, size_t b,
                       double *const *G, double *const *Jsum, size_t want, double *Jout) {
    size_t c = net->c, rows = b * c, top = net->L - 1;
    mlp_forward_block_(net, X, ldx, b, w->H, w->F);
    double *R = w->R0, *Rn = w->R1;
    for (size_t j = 0; j < b; j++) // J_top = W_top for every input
        memcpy(R + j * c * net->in[top], net->theta + net->woff[top],
               c * net->in[top] * sizeof *R);
    for (size_t i = top + 1; i-- > 0;) {
        size_t in = net->in[i];
        if (G && G[i])
            cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)in, (int)rows, 1.0, R,
                        (int)in, 1.0, G[i], (int)in);
        if (Jsum && Jsum[i]) {
            for (size_t j = 0; j < b; j++)
                for (size_t k = 0; k < c * in; k++) Jsum[i][k] += R[j * c * in + k];
        }
        if (Jout && i == want) memcpy(Jout, R, rows * in * sizeof *R);
        if (i == 0) break;
        // Through h_i = sigma(W_{i-1} h_{i-1}): scale by sigma'(.) of the row's own input, then
        // Rn (rows, in_{i-1}) = R (rows, in_i) W_{i-1} (in_i, in_{i-1}).
        const double *h = w->H[i];
        for (size_t j = 0; j < b; j++)
            for (size_t k = 0; k < c; k++) {
                double *r = R + (j * c + k) * in;
                const double *hj = h + j * in;
                for (size_t q = 0; q < in; q++) r[q] *= mlp_dsigma_(net->p.activation, hj[q]);
            }
        size_t inp = net->in[i - 1];
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)rows, (int)inp, (int)in, 1.0,
                    R, (int)in, net->theta + net->woff[i - 1], (int)inp, 0.0, Rn, (int)inp);
        double *t = R;
        R = Rn;
        Rn = t;
    }
}

rfm_status mlp_jacobian(const mlp_net *net, const double *x, size_t layer, double *J,
                        rfm_error *err) {
    if (layer >= net->L)
        return rfm_fail(err, RFM_EINVAL, "mlp: layer %zu: the network has %zu layers", layer,
                        net->L);
    jwork_ w;
    rfm_status st = jwork_make_(net, 1, &w, err);
    if (st) return st;
    jac_block_(net, &w, x, net->d, 1, NULL, NULL, layer, J);
    jwork_free_(&w, net->L);
    return RFM_OK;
}

rfm_status mlp_agop(const mlp_net *net, const rfm_view *X, double *const *G, double *const *Jbar,
                    rfm_error *err) {
    if (X->cols != net->d || X->rows == 0)
        return rfm_fail(err, RFM_EINVAL, "mlp: AGOP rows (%zu x %zu) do not fit %zu inputs",
                        X->rows, X->cols, net->d);
    size_t n = X->rows, c = net->c;
    for (size_t i = 0; i < net->L; i++) {
        if (G && G[i]) memset(G[i], 0, net->in[i] * net->in[i] * sizeof(double));
        if (Jbar && Jbar[i]) memset(Jbar[i], 0, c * net->in[i] * sizeof(double));
    }
    jwork_ w;
    rfm_status st = jwork_make_(net, mlp_block_rows_(n, c * net->maxw, AGOP_BUDGET), &w, err);
    if (st) return st;
    for (size_t r0 = 0; r0 < n; r0 += w.cap) {
        size_t b = n - r0 < w.cap ? n - r0 : w.cap;
        jac_block_(net, &w, X->data + r0 * X->ld, X->ld, b, G, Jbar, 0, NULL);
    }
    jwork_free_(&w, net->L);
    double s = 1.0 / (double)n;
    for (size_t i = 0; i < net->L; i++) {
        size_t in = net->in[i];
        if (G && G[i]) {
            for (size_t k = 0; k < in * in; k++) G[i][k] *= s;
            mirror_upper_(G[i], in);
        }
        if (Jbar && Jbar[i])
            for (size_t k = 0; k < c * in; k++) Jbar[i][k] *= s;
    }
    return RFM_OK;
}

double mlp_cosine(const double *A, const double *B, size_t count) {
    double ab = 0, aa = 0, bb = 0;
    for (size_t k = 0; k < count; k++) {
        ab += A[k] * B[k];
        aa += A[k] * A[k];
        bb += B[k] * B[k];
    }
    if (aa == 0 || bb == 0) return NAN;
    return ab / (sqrt(aa) * sqrt(bb));
}

rfm_status mlp_psd_sqrt(const double *A, size_t d, double *S, rfm_error *err) {
    if (d == 0) return RFM_OK;
    if (d > 46340) return rfm_fail(err, RFM_EINVAL, "mlp: d = %zu: too large for dsyevd", d);
    int n = (int)d, lwork = -1, liwork = -1, info = 0, iq = 0;
    double wq = 0;
    double *E = NULL, *e = NULL, *work = NULL;
    int *iwork = NULL;
    rfm_status st = rfm_alloc((void **)&E, d, d, sizeof *E, "eigenvectors", err);
    if (!st) st = rfm_alloc((void **)&e, d, 1, sizeof *e, "eigenvalues", err);
    if (st) goto done;
    memcpy(E, A, d * d * sizeof *E);
    dsyevd_("V", "U", &n, E, &n, e, &wq, &lwork, &iq, &liwork, &info); // workspace query
    lwork = (int)wq;
    liwork = iq;
    if (!st) st = rfm_alloc((void **)&work, (size_t)lwork, 1, sizeof *work, "dsyevd work", err);
    if (!st) st = rfm_alloc((void **)&iwork, (size_t)liwork, 1, sizeof *iwork, "dsyevd work", err);
    if (st) goto done;
    dsyevd_("V", "U", &n, E, &n, e, work, &lwork, iwork, &liwork, &info);
    if (info != 0) {
        st = rfm_fail(err, RFM_ENUMERIC, "mlp: dsyevd failed (info = %d) on a %zu x %zu matrix",
                      info, d, d);
        goto done;
    }
    // Column-major eigenvectors are the rows of the row-major array: A = E^T diag(e) E. Scale
    // row k by e_k^{1/4} so that E^T E = V diag(sqrt e) V^T. A PSD matrix has e >= 0; a negative
    // eigenvalue here is rounding, clamped at 0 (the square root is taken of the PSD part).
    for (size_t k = 0; k < d; k++) {
        double s = sqrt(sqrt(e[k] > 0 ? e[k] : 0.0));
        for (size_t q = 0; q < d; q++) E[k * d + q] *= s;
    }
    memset(S, 0, d * d * sizeof *S);
    rfm_agop_accumulate(E, d, d, d, 0, S);
done:
    free(E);
    free(e);
    free(work);
    free(iwork);
    return st;
}

static double frob_(const double *A, size_t count) {
    double s = 0;
    for (size_t k = 0; k < count; k++) s += A[k] * A[k];
    return sqrt(s);
}

rfm_status mlp_dnfa(const mlp_net *net, const rfm_view *X, mlp_dnfa_layer *out, rfm_error *err) {
    size_t L = net->L, c = net->c, m = 0, mo = 0;
    for (size_t i = 0; i < L; i++) {
        if (net->in[i] > m) m = net->in[i];
        if (net->out[i] > mo) mo = net->out[i];
    }
    double **G = calloc(L, sizeof *G), **Jb = calloc(L, sizeof *Jb);
    double *buf[6] = {NULL}, *Delta = NULL;
    rfm_status st = G && Jb ? RFM_OK : rfm_fail(err, RFM_ENOMEM, "mlp: out of memory");
    for (size_t i = 0; !st && i < L; i++) {
        st = rfm_alloc((void **)&G[i], net->in[i], net->in[i], sizeof(double), "AGOP", err);
        if (!st) st = rfm_alloc((void **)&Jb[i], c, net->in[i], sizeof(double), "AGOP", err);
    }
    for (size_t k = 0; !st && k < 6; k++)
        st = rfm_alloc((void **)&buf[k], m, m, sizeof(double), "ansatz matrices", err);
    if (!st) st = rfm_alloc((void **)&Delta, mo, m, sizeof(double), "ansatz matrices", err);
    if (!st) st = mlp_agop(net, X, G, Jb, err);
    double *N = buf[0], *Gram = buf[1], *Init = buf[2], *Gc = buf[3], *SG = buf[4], *SGc = buf[5];
    for (size_t i = 0; !st && i < L; i++) {
        size_t in = net->in[i], o = net->out[i], dd = in * in;
        const double *W = mlp_weight(net, i), *W0 = mlp_weight_init(net, i);
        for (size_t k = 0; k < o * in; k++) Delta[k] = W[k] - W0[k];
        memset(N, 0, dd * sizeof *N);
        memset(Gram, 0, dd * sizeof *Gram);
        memset(Init, 0, dd * sizeof *Init);
        rfm_agop_accumulate(Delta, o, in, in, 0, N);
        rfm_agop_accumulate(W, o, in, in, 0, Gram);
        rfm_agop_accumulate(W0, o, in, in, 0, Init);
        // Centred AGOP = AGOP - Jbar^T Jbar.
        memcpy(Gc, G[i], dd * sizeof *Gc);
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)in, (int)c, -1.0, Jb[i], (int)in,
                    1.0, Gc, (int)in);
        mirror_upper_(Gc, in);
        // Where J(x) does not depend on x (the readout) the centred AGOP is zero up to the
        // rounding of the mean; a cosine with that residue would be noise, so report NaN.
        int centred = frob_(Gc, dd) > 1e-10 * frob_(G[i], dd);
        if ((st = mlp_psd_sqrt(G[i], in, SG, err))) break;
        if (centred && (st = mlp_psd_sqrt(Gc, in, SGc, err))) break;
        mlp_dnfa_layer *r = &out[i];
        r->cos_nfm_agop = mlp_cosine(N, G[i], dd);
        r->cos_nfm_sqrt_agop = mlp_cosine(N, SG, dd);
        r->cos_nfm_agop_centered = centred ? mlp_cosine(N, Gc, dd) : NAN;
        r->cos_nfm_sqrt_agop_centered = centred ? mlp_cosine(N, SGc, dd) : NAN;
        r->cos_init_agop = mlp_cosine(Init, G[i], dd);
        r->cos_init_sqrt_agop = mlp_cosine(Init, SG, dd);
        r->cos_nfm_init = mlp_cosine(N, Init, dd);
        r->cos_gram_agop = mlp_cosine(Gram, G[i], dd);
        r->cos_gram_sqrt_agop = mlp_cosine(Gram, SG, dd);
    }
    for (size_t i = 0; i < L; i++) {
        if (G) free(G[i]);
        if (Jb) free(Jb[i]);
    }
    free(G);
    free(Jb);
    for (size_t k = 0; k < 6; k++) free(buf[k]);
    free(Delta);
    return st;
}
