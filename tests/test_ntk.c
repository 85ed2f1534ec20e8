/* test_ntk.c - Check suite for ntk.c, the ReLU NTK Gram matrix of Arora et al.: hand-worked
 * values, the depth-1 closed form (angle from atan2, not acos), the symmetric and cross paths
 * against a per-pair loop of the published recursion with libm, a Monte-Carlo estimate from
 * wide random ReLU networks for every depth 1..4 and every number of fixed layers, and the
 * argument errors. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "ntk.h"

static const double pi_ = 3.14159265358979323846;

START_TEST(ntk_matches_hand_worked_values_and_the_depth1_closed_form) {
    // Hand-worked, depth 1: x = (1,0), z = (0,1): theta = pi/2, only Sigma1 = 1/(2 pi) remains.
    // x = (1,0), z = (1,1): x.z = 1, |z| = sqrt 2, theta = pi/4:
    //   1 * (3 pi/4)/(2 pi) + sqrt2 (sin(pi/4) + (3 pi/4) cos(pi/4)) / (2 pi)
    //   = 3/8 + (1 + 3 pi/4) / (2 pi).  x = z = (1,0): 1/2 + 1/2 = 1; with fix = 1 only 1/2.
    const double P[] = {1, 0, 0, 1, 1, 1};
    rfm_view pv = rfm_view_of(P, 3, 2);
    double K[9];
    ntk_params p = {1, 0};
    ck_assert_int_eq(ntk_gram(&p, &pv, &pv, 0, K, 3, NULL), RFM_OK);
    const double want01 = 1 / (2 * pi_), want02 = 3.0 / 8 + (1 + 3 * pi_ / 4) / (2 * pi_);
    ck_assert_msg(fabs(K[1] - want01) < 1e-12, "K(e1, e2) = %.15g, want %.15g", K[1], want01);
    ck_assert_msg(fabs(K[2] - want02) < 1e-12, "K(e1, 1) = %.15g, want %.15g", K[2], want02);
    ck_assert_msg(fabs(K[0] - 1) < 1e-12, "K(e1, e1) = %.15g, want 1", K[0]);
    p.fix = 1;
    ck_assert_int_eq(ntk_gram(&p, &pv, &pv, 1, K, 3, NULL), RFM_OK);
    ck_assert_msg(fabs(K[0] - 0.5) < 1e-12, "fix 1: K(e1, e1) = %.15g, want 0.5", K[0]);
    // Depth 0 is the linear kernel.
    p.depth = 0;
    p.fix = 0;
    ck_assert_int_eq(ntk_gram(&p, &pv, &pv, 0, K, 3, NULL), RFM_OK);
    ck_assert_msg(K[8] == 2 && K[5] == 1 && K[1] == 0, "depth 0 is not x.z");

    // Random rows, closed form with the angle from atan2(|x x z|, x.z) (3-d cross product).
    enum { M = 6, N = 5, D = 3 };
    double Z[M * D], X[N * D], G[M * N];
    fixture_normal(Z, M * D, 31);
    fixture_normal(X, N * D, 32);
    rfm_view zv = rfm_view_of(Z, M, D), xv = rfm_view_of(X, N, D);
    p.depth = 1;
    for (p.fix = 0; p.fix <= 1; p.fix++) {
        ck_assert_int_eq(ntk_gram(&p, &zv, &xv, 0, G, N, NULL), RFM_OK);
        for (size_t i = 0; i < M; i++) {
            for (size_t j = 0; j < N; j++) {
                const double *a = Z + i * D, *b = X + j * D;
                double cx = a[1] * b[2] - a[2] * b[1], cy = a[2] * b[0] - a[0] * b[2],
                       cz = a[0] * b[1] - a[1] * b[0];
                double dot = a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
                double th = atan2(sqrt(cx * cx + cy * cy + cz * cz), dot);
                double na = sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2]);
                double nb = sqrt(b[0] * b[0] + b[1] * b[1] + b[2] * b[2]);
                double sigma1 = na * nb * (sin(th) + (pi_ - th) * cos(th)) / (2 * pi_);
                double want = (p.fix == 0 ? dot * (pi_ - th) / (2 * pi_) : 0) + sigma1;
                ck_assert_msg(fabs(G[i * N + j] - want) <= 1e-12 * (1 + fabs(want)),
                              "fix %d (%zu,%zu): %.15g, closed form %.15g", p.fix, i, j,
                              G[i * N + j], want);
            }
        }
    }
}
END_TEST

START_TEST(ntk_symmetric_path_equals_the_cross_path_and_a_naive_loop) {
    enum { N = 23, D = 5, LD = N + 3 };
    double X[N * D], Ks[N * LD], Kc[N * LD];
    fixture_normal(X, N * D, 41);
    rfm_view xv = rfm_view_of(X, N, D);
    for (int depth = 0; depth <= 4; depth++) {
        for (int fix = 0; fix <= depth; fix++) {
            ntk_params p = {depth, fix};
            ck_assert_int_eq(ntk_gram(&p, &xv, &xv, 1, Ks, LD, NULL), RFM_OK);
            ck_assert_int_eq(ntk_gram(&p, &xv, &xv, 0, Kc, LD, NULL), RFM_OK);
            double worst = 0;
            for (size_t i = 0; i < N; i++) {
                for (size_t j = 0; j < N; j++) {
                    double want = fixture_ntk(X + i * D, X + j * D, D, depth, fix);
                    worst = fmax(worst, fabs(Ks[i * LD + j] - want) / (1 + fabs(want)));
                    worst = fmax(worst, fabs(Kc[i * LD + j] - want) / (1 + fabs(want)));
                    ck_assert_msg(Ks[i * LD + j] == Ks[j * LD + i], "not exactly symmetric");
                }
            }
            // 1e-7: acos near rho = 1 turns 1e-16 of rounding in rho into ~1e-8.
            ck_assert_msg(worst < 1e-7, "depth %d fix %d: relative diff %.3g", depth, fix, worst);
        }
    }
}
END_TEST

/* Standard normals by Box-Muller, both outputs of each pair used. */
static void normals_(rfm_rng *r, double *x, size_t count) {
    for (size_t i = 0; i < count; i += 2) {
        double u = 1.0 - rfm_rng_uniform(r), v = 6.283185307179586 * rfm_rng_uniform(r);
        double rad = sqrt(-2.0 * log(u));
        x[i] = rad * cos(v);
        if (i + 1 < count) x[i + 1] = rad * sin(v);
    }
}

/* Orthonormal basis of the span of the n vectors V (n, w) by Gram-Schmidt, orthogonalising
 * twice for accuracy; vectors whose remainder is below 1e-9 of their norm are dropped.
 * P: (n, w), of which the first `return value` rows are the basis. */
static size_t basis_(const double *V, size_t n, size_t w, double *P) {
    size_t s = 0;
    for (size_t j = 0; j < n; j++) {
        double *p = P + s * w, n0 = 0, nr = 0;
        memcpy(p, V + j * w, w * sizeof *p);
        for (size_t q = 0; q < w; q++) n0 += p[q] * p[q];
        for (int pass = 0; pass < 2; pass++) {
            for (size_t k = 0; k < s; k++) {
                double dot = 0;
                for (size_t q = 0; q < w; q++) dot += P[k * w + q] * p[q];
                for (size_t q = 0; q < w; q++) p[q] -= dot * P[k * w + q];
            }
        }
        for (size_t q = 0; q < w; q++) nr += p[q] * p[q];
        if (nr > 1e-18 * n0 && nr > 0) {
            for (size_t q = 0; q < w; q++) p[q] /= sqrt(nr);
            s++;
        }
    }
    return s;
}

/* Average over `reps` random ReLU networks of width w of the empirical NTK
 * <df(x)/dtheta, df(z)/dtheta> over the trained weights, for the network of ntk.c:
 * a_0 = x, g_h = W_h a_{h-1}, a_h = relu(g_h) / sqrt(w), f = v . a_D, all weights N(0, 1).
 * Backward: b_D = v relu'(g_D) / sqrt(w), b_{h-1} = (W_h^T b_h) relu'(g_{h-1}) / sqrt(w);
 * df/dW_h = b_h a_{h-1}^T, whose inner product is (a_{h-1} . a'_{h-1}) (b_h . b'_h). Fixing
 * W_1..W_F drops those terms, so one set of networks gives every F: K: (depth + 1, n, n).
 *
 * The w x w matrices W_h (h >= 2) are only ever seen through W A and W^T B (A, B: the n
 * activation and backward vectors), so they are sampled exactly through those (Gaussian
 * conditioning): with Q an orthonormal basis of span(A), G = W Q is a (w, r) standard normal
 * matrix, W A = G Q^T A, and W^T B = Q G^T B + (I - Q Q^T) W'^T B where W' = W (I - Q Q^T)
 * is independent of G and of everything B depends on; W'^T B = Z P^T B for P an orthonormal
 * basis of span(B) and Z a fresh (w, s) standard normal matrix. This is the law of the full
 * network at O(w n^2) per layer instead of O(w^2), so many wide networks are affordable. */
static void monte_carlo_ntk_(const double *X, size_t n, size_t d, int depth, size_t w, int reps,
                             uint64_t seed, double *K) {
    size_t L = (size_t)depth, top = L == 0 ? d : w, vec = (L + 1) * n * w;
    double *a = malloc(vec * sizeof *a);          // a[h][i]: (w); a[0][i] = x_i (d entries)
    double *g = malloc(vec * sizeof *g);          // g[h][i], h >= 1
    double *bk = malloc(vec * sizeof *bk);        // b[h][i], h >= 1
    double *Q = malloc(vec * sizeof *Q);          // Q[h]: (n, w) basis of span a[h-1][.]
    double *G = malloc((L + 1) * w * n * sizeof *G); // G[h]: (w, r_h)
    double *W1 = malloc(w * d * sizeof *W1), *v = malloc(top * sizeof *v);
    double *P = malloc(n * w * sizeof *P), *Z = malloc(w * n * sizeof *Z);
    double *t = malloc(w * sizeof *t), c[16], e[16];
    size_t r[16];
    ck_assert(a && g && bk && Q && G && W1 && v && P && Z && t && n <= 16 && L < 15);
    rfm_rng rng;
    rfm_rng_seed(&rng, seed);
    memset(K, 0, (L + 1) * n * n * sizeof *K);
    double sw = sqrt((double)w);
    for (int rep = 0; rep < reps; rep++) {
        normals_(&rng, W1, w * d);
        normals_(&rng, v, top);
        for (size_t i = 0; i < n; i++) memcpy(a + i * w, X + i * d, d * sizeof *a);
        for (size_t h = 1; h <= L; h++) {
            double *Qh = Q + h * n * w, *Gh = G + h * w * n;
            if (h >= 2) {
                r[h] = basis_(a + (h - 1) * n * w, n, w, Qh);
                normals_(&rng, Gh, w * r[h]);
            }
            for (size_t i = 0; i < n; i++) {
                const double *ain = a + ((h - 1) * n + i) * w;
                double *gh = g + (h * n + i) * w, *ah = a + (h * n + i) * w;
                if (h == 1) {
                    for (size_t u = 0; u < w; u++) {
                        double s = 0;
                        for (size_t q = 0; q < d; q++) s += W1[u * d + q] * ain[q];
                        gh[u] = s;
                    }
                } else {
                    for (size_t k = 0; k < r[h]; k++) { // c = Q^T a
                        c[k] = 0;
                        for (size_t q = 0; q < w; q++) c[k] += Qh[k * w + q] * ain[q];
                    }
                    for (size_t u = 0; u < w; u++) {
                        double s = 0;
                        for (size_t k = 0; k < r[h]; k++) s += Gh[u * r[h] + k] * c[k];
                        gh[u] = s;
                    }
                }
                for (size_t u = 0; u < w; u++) ah[u] = gh[u] > 0 ? gh[u] / sw : 0;
            }
        }
        if (L > 0) {
            for (size_t i = 0; i < n; i++) {
                double *bD = bk + (L * n + i) * w, *gD = g + (L * n + i) * w;
                for (size_t u = 0; u < w; u++) bD[u] = gD[u] > 0 ? v[u] / sw : 0;
            }
        }
        for (size_t h = L; h >= 2; h--) {
            const double *Qh = Q + h * n * w, *Gh = G + h * w * n, *Bh = bk + h * n * w;
            size_t s = basis_(Bh, n, w, P);
            normals_(&rng, Z, w * s);
            for (size_t j = 0; j < n; j++) {
                const double *bj = Bh + j * w;
                for (size_t k = 0; k < s; k++) { // c = P^T b_j
                    c[k] = 0;
                    for (size_t q = 0; q < w; q++) c[k] += P[k * w + q] * bj[q];
                }
                for (size_t u = 0; u < w; u++) { // t = Z c, the W'^T b_j part before projection
                    double z = 0;
                    for (size_t k = 0; k < s; k++) z += Z[u * s + k] * c[k];
                    t[u] = z;
                }
                for (size_t k = 0; k < r[h]; k++) { // e = G^T b_j - Q^T t
                    double gb = 0, qt = 0;
                    for (size_t u = 0; u < w; u++) {
                        gb += Gh[u * r[h] + k] * bj[u];
                        qt += Qh[k * w + u] * t[u];
                    }
                    e[k] = gb - qt;
                }
                for (size_t k = 0; k < r[h]; k++)
                    for (size_t q = 0; q < w; q++) t[q] += Qh[k * w + q] * e[k];
                double *bp = bk + ((h - 1) * n + j) * w, *gp = g + ((h - 1) * n + j) * w;
                for (size_t q = 0; q < w; q++) bp[q] = gp[q] > 0 ? t[q] / sw : 0;
            }
        }
        for (size_t i = 0; i < n; i++) {
            for (size_t j = 0; j < n; j++) {
                // term[h]: the weights W_h (h = 1..L) and the output layer (h = L + 1).
                double term[17] = {0}, s = 0;
                const double *ai = a + (L * n + i) * w, *aj = a + (L * n + j) * w;
                for (size_t q = 0; q < top; q++) s += ai[q] * aj[q];
                term[L + 1] = s;
                for (size_t h = 1; h <= L; h++) {
                    size_t in = h == 1 ? d : w;
                    const double *pi = a + ((h - 1) * n + i) * w, *pj = a + ((h - 1) * n + j) * w;
                    const double *bi = bk + (h * n + i) * w, *bj = bk + (h * n + j) * w;
                    double sa = 0, sb = 0;
                    for (size_t q = 0; q < in; q++) sa += pi[q] * pj[q];
                    for (size_t q = 0; q < w; q++) sb += bi[q] * bj[q];
                    term[h] = sa * sb;
                }
                // Fixing F layers keeps the terms h = F + 1 .. L + 1.
                for (size_t f = 0; f <= L; f++)
                    for (size_t h = f + 1; h <= L + 1; h++)
                        K[(f * n + i) * n + j] += term[h] / reps;
            }
        }
    }
    free(a);
    free(g);
    free(bk);
    free(Q);
    free(G);
    free(W1);
    free(v);
    free(P);
    free(Z);
    free(t);
}

START_TEST(ntk_matches_monte_carlo_estimates_from_wide_relu_networks) {
    enum { N = 5, D = 3, WIDTH = 2048, REPS = 200 };
    double X[N * D], K[N * N], E[5 * N * N];
    fixture_normal(X, N * D, 51);
    rfm_view xv = rfm_view_of(X, N, D);
    for (int depth = 1; depth <= 4; depth++) {
        monte_carlo_ntk_(X, N, D, depth, WIDTH, REPS, 50 + (uint64_t)depth, E);
        for (int fix = 0; fix <= depth; fix++) {
            ntk_params p = {depth, fix};
            ck_assert_int_eq(ntk_gram(&p, &xv, &xv, 1, K, N, NULL), RFM_OK);
            double num = 0, den = 0;
            for (size_t i = 0; i < N * N; i++) {
                double e = E[(size_t)fix * N * N + i];
                num += (K[i] - e) * (K[i] - e);
                den += K[i] * K[i];
            }
            double rel = sqrt(num / den);
            ck_assert_msg(rel < 0.03, "depth %d fix %d: relative Frobenius error %.4f >= 0.03",
                          depth, fix, rel);
        }
    }
}
END_TEST

START_TEST(ntk_rejects_bad_parameters_and_shapes) {
    double X[6] = {1, 2, 3, 4, 5, 6}, K[4];
    rfm_view a = rfm_view_of(X, 2, 3), b = rfm_view_of(X, 3, 2);
    rfm_error err = {RFM_OK, ""};
    ntk_params p = {2, 3};
    ck_assert_int_eq(ntk_gram(&p, &a, &a, 1, K, 2, &err), RFM_EINVAL);
    ck_assert_msg(strstr(err.msg, "fix"), "'%s'", err.msg);
    p = (ntk_params){-1, 0};
    ck_assert_ptr_nonnull(ntk_params_check(&p));
    p = ntk_params_default();
    ck_assert_ptr_null(ntk_params_check(&p));
    ck_assert_int_eq(ntk_gram(&p, &a, &b, 0, K, 2, &err), RFM_EINVAL);
    ck_assert_int_eq(ntk_gram(&p, &a, &a, 0, K, 1, &err), RFM_EINVAL);
}
END_TEST

static Suite *suite_(void) {
    Suite *s = suite_create("ntk");
    TCase *tc = tcase_create("ntk");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, ntk_matches_hand_worked_values_and_the_depth1_closed_form);
    tcase_add_test(tc, ntk_symmetric_path_equals_the_cross_path_and_a_naive_loop);
    tcase_add_test(tc, ntk_matches_monte_carlo_estimates_from_wide_relu_networks);
    tcase_add_test(tc, ntk_rejects_bad_parameters_and_shapes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return fixture_run(suite_()); }
