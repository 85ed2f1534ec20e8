/* ntk.h - the neural tangent kernel (NTK) of a fully connected ReLU network, as used on the UCI
 * collection by Arora et al., "Harnessing the Power of Infinitely Wide Deep Nets on Small-data
 * Tasks" (ICLR 2020; code: LeoYu/neural-tangent-kernel-UCI, NTK.py, kernel_value_batch).
 *
 * depth D is the number of hidden ReLU layers (D = 0 is the linear kernel x.z); this is the
 * index `dep` of their K[dep][fix_dep], which their comment calls "depth dep + 1" because it
 * also counts the output layer. fix F is the number of bottom weight layers held at their
 * random initialisation (not trained), 0 <= F <= D; F = D trains the output layer only, which
 * gives the NNGP kernel. The formula is stated in ntk.c. Inputs are used as given: Arora et al.
 * do not normalise the rows (the normalize option of the models that use this kernel does). */
#ifndef NTK_H
#define NTK_H

#include "rfm.h"

typedef struct {
    int depth; /* D >= 0 hidden ReLU layers; default 1          */
    int fix;   /* F in [0, D] fixed bottom layers; default 0     */
} ntk_params;

ntk_params ntk_params_default(void);

/* NULL when p is valid, else a static string naming the field and its bound (depth <= 100). */
const char *ntk_params_check(const ntk_params *p);

/* Gram matrix K_ij = Theta_D(z_i, x_j) for Z: (m, d), X: (n, d). K: (m, n), ld = ldk >= n,
 * caller-owned. same != 0 declares that Z and X are the same rows: the symmetric half is
 * computed once (one dsyrk) and mirrored, so K is exactly symmetric. Inputs are not checked for
 * NaN/Inf (the callers do). Errors: invalid params, column mismatch, ldk < n, same with
 * different row counts (RFM_EINVAL); scratch allocation (RFM_ENOMEM). */
rfm_status ntk_gram(const ntk_params *p, const rfm_view *Z, const rfm_view *X, int same,
                    double *K, size_t ldk, rfm_error *err);

#endif
