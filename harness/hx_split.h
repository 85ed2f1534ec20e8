/* hx_split.h - the row splits of a dataset: for uci121 the fixed lines of conxuntos.dat and
 * conxuntos_kfold.dat (uci121-protocol.md sections 2.3-2.4), for csv seeded k-fold outer folds
 * with a validation share held out of each outer training part (protocol cv). The generators are
 * exported so they can be tested and reused (e.g. `fit --val-fraction`).
 *
 * Randomness: only rfm_rng, seeded from the given seed; the same inputs and seed give the same
 * splits on every platform. Index arrays are row numbers of the data (0-based). */
#ifndef HX_SPLIT_H
#define HX_SPLIT_H

#include <stddef.h>
#include <stdint.h>

#include "hx_dataset.h"

typedef struct {
    size_t *train;
    size_t n_train;
    size_t *test; /* the held-out part: test, or validation for selection splits */
    size_t n_test;
} hx_pair;

typedef struct {
    int per_fold_selection; /* 0: select once on `select` (uci121); 1: on inner[f] (cv)         */
    hx_pair select;         /* uci121: conxuntos.dat line 1 (train) and 2 (validation), in file
                             * order; cv: empty                                                  */
    size_t k;               /* outer pairs: 4 for uci121, splits.kfold for cv                    */
    hx_pair *outer;         /* k (train, test) pairs. uci121: conxuntos_kfold.dat lines 2r+1,
                             * 2r+2 in file order; cv: test folds partition the rows, sorted     */
    hx_pair *inner;         /* cv: k (train, validation) pairs splitting outer[f].train (sorted
                             * data row numbers); uci121: NULL                                   */
} hx_splits;

/* The splits of data. cv: stratified by class for classification, seeded with splits.seed
 * (inner pair f uses a seed derived from splits.seed and f); a class with fewer rows than kfold
 * fails with RFM_EINVAL `SOURCE: splits.kfold: class 'x' has 3 rows, fewer than kfold = 4`.
 * On RFM_OK *out is owned by the caller (hx_splits_free); otherwise NULL. */
rfm_status hx_data_splits(const hx_data *data, hx_splits **out, rfm_error *err);
void hx_splits_free(hx_splits *s); /* NULL is a no-op */

/* Assign items 0..n-1 to k folds: fold[i] in [0, k). labels (optional, n entries in
 * [0, n_classes)): stratified, so within every class the fold counts differ by at most 1 (and so
 * do the fold sizes); without labels, a seeded shuffle dealt round-robin. Fails (RFM_EINVAL) when
 * k < 2, k > n, or a class has fewer than k members (the message names the class index). */
rfm_status hx_split_kfold(const int *labels, size_t n_classes, size_t n, size_t k, uint64_t seed,
                          size_t *fold, rfm_error *err);

/* Split items (n row numbers; NULL means 0..n-1) into train and a held-out part of
 * round(share * n) items (at least 1, at most n - 1). labels (optional) is indexed by row number
 * (labels[items[i]]): each class then contributes floor(share * n_c) or one more, by largest
 * remainder, preferring to leave every class a training member. out's arrays are new (sorted
 * ascending) and owned by the caller (hx_pair_free). Fails (RFM_EINVAL) when n < 2 or share is
 * not in (0, 1). */
rfm_status hx_split_holdout(const int *labels, size_t n_classes, const size_t *items, size_t n,
                            double share, uint64_t seed, hx_pair *out, rfm_error *err);

void hx_pair_free(hx_pair *p); /* frees the arrays (not p) and zeroes p; NULL is a no-op */

#endif
