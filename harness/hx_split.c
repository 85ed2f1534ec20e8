/* hx_split.c - row splits (hx_split.h): the fixed uci121 lines, and seeded stratified k-fold and
 * hold-out generators for the cv protocol. */
#include "hx_split.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hx_dataset_impl.h"

void hx_pair_free(hx_pair *p) {
    if (!p) return;
    free(p->train);
    free(p->test);
    memset(p, 0, sizeof *p);
}

void hx_splits_free(hx_splits *s) {
    if (!s) return;
    hx_pair_free(&s->select);
    for (size_t f = 0; f < s->k; f++) {
        if (s->outer) hx_pair_free(&s->outer[f]);
        if (s->inner) hx_pair_free(&s->inner[f]);
    }
    free(s->outer);
    free(s->inner);
    free(s);
}

static void shuffle_(size_t *a, size_t n, rfm_rng *rng) {
    for (size_t i = n; i > 1; i--) {
        size_t j = rfm_rng_below(rng, i);
        size_t t = a[i - 1];
        a[i - 1] = a[j];
        a[j] = t;
    }
}

static int size_cmp_(const void *a, const void *b) {
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

// Group positions 0..n-1 by label[item(i)] (stable); start: C + 1 offsets into order.
static rfm_status group_(const int *labels, size_t C, const size_t *items, size_t n,
                         size_t *order, size_t *start, rfm_error *err) {
    memset(start, 0, (C + 1) * sizeof *start);
    for (size_t i = 0; i < n; i++) {
        int l = labels[items ? items[i] : i];
        if (l < 0 || (size_t)l >= C) {
            return rfm_fail(err, RFM_EINVAL, "label %d of item %zu is not in [0, %zu)", l, i, C);
        }
        start[l + 1]++;
    }
    for (size_t c = 0; c < C; c++) start[c + 1] += start[c];
    size_t *next = start; // reuse: advance, then shift back
    for (size_t i = 0; i < n; i++) order[next[labels[items ? items[i] : i]]++] = i;
    for (size_t c = C; c > 0; c--) start[c] = start[c - 1];
    start[0] = 0;
    return RFM_OK;
}

rfm_status hx_split_kfold(const int *labels, size_t n_classes, size_t n, size_t k, uint64_t seed,
                          size_t *fold, rfm_error *err) {
    if (k < 2 || k > n) {
        return rfm_fail(err, RFM_EINVAL, "k = %zu folds: must be in [2, n = %zu]", k, n);
    }
    rfm_status st = RFM_OK;
    size_t *order = malloc(n * sizeof *order), *start = NULL;
    rfm_rng rng;
    rfm_rng_seed(&rng, seed);
    if (!order) return rfm_fail(err, RFM_ENOMEM, "k-fold split of %zu items: out of memory", n);
    if (!labels) {
        for (size_t i = 0; i < n; i++) order[i] = i;
        shuffle_(order, n, &rng);
    } else {
        if (!(start = malloc((n_classes + 1) * sizeof *start))) {
            st = rfm_fail(err, RFM_ENOMEM, "k-fold split of %zu items: out of memory", n);
            goto done;
        }
        if ((st = group_(labels, n_classes, NULL, n, order, start, err)) != RFM_OK) goto done;
        for (size_t c = 0; c < n_classes; c++) {
            size_t m = start[c + 1] - start[c];
            if (m > 0 && m < k) {
                st = rfm_fail(err, RFM_EINVAL, "class %zu has %zu members, fewer than k = %zu", c,
                              m, k);
                goto done;
            }
            shuffle_(order + start[c], m, &rng);
        }
    }
    // Dealing the class-grouped sequence round-robin gives every class consecutive positions, so
    // each class's fold counts differ by at most 1, and so do the fold sizes.
    for (size_t i = 0; i < n; i++) fold[order[i]] = i % k;
done:
    free(order);
    free(start);
    return st;
}

typedef struct {
    double frac;
    size_t c;
} rem_;

static int rem_cmp_(const void *a, const void *b) {
    const rem_ *x = a, *y = b;
    if (x->frac != y->frac) return x->frac > y->frac ? -1 : 1;
    return (x->c > y->c) - (x->c < y->c);
}

rfm_status hx_split_holdout(const int *labels, size_t n_classes, const size_t *items, size_t n,
                            double share, uint64_t seed, hx_pair *out, rfm_error *err) {
    memset(out, 0, sizeof *out);
    if (n < 2) return rfm_fail(err, RFM_EINVAL, "hold-out split of %zu items: needs 2", n);
    if (!(share > 0 && share < 1)) {
        return rfm_fail(err, RFM_EINVAL, "hold-out share = %g: must be in (0, 1)", share);
    }
    size_t n_val = (size_t)llround(share * (double)n);
    n_val = n_val < 1 ? 1 : n_val > n - 1 ? n - 1 : n_val;
    rfm_status st = RFM_OK;
    size_t C = labels ? n_classes : 1;
    size_t *order = malloc(n * sizeof *order), *start = malloc((C + 1) * sizeof *start);
    size_t *quota = calloc(C, sizeof *quota);
    rem_ *rem = malloc(C * sizeof *rem);
    unsigned char *held = calloc(n, 1);
    rfm_rng rng;
    rfm_rng_seed(&rng, seed);
    if (!order || !start || !quota || !rem || !held) {
        st = rfm_fail(err, RFM_ENOMEM, "hold-out split of %zu items: out of memory", n);
        goto done;
    }
    if (labels) {
        if ((st = group_(labels, C, items, n, order, start, err)) != RFM_OK) goto done;
    } else {
        for (size_t i = 0; i < n; i++) order[i] = i;
        start[0] = 0;
        start[1] = n;
    }
    // Largest remainder: floor(share * n_c) each, then one more to the largest fractions, first
    // to classes that keep a training member, so the quotas add up to n_val exactly.
    size_t given = 0;
    for (size_t c = 0; c < C; c++) {
        double q = share * (double)(start[c + 1] - start[c]);
        quota[c] = (size_t)floor(q);
        rem[c].frac = q - floor(q);
        rem[c].c = c;
        given += quota[c];
    }
    if (!labels) quota[0] = given = n_val;
    qsort(rem, C, sizeof *rem, rem_cmp_);
    for (int pass = 0; pass < 2 && given < n_val; pass++) {
        for (size_t i = 0; i < C && given < n_val; i++) {
            size_t c = rem[i].c, m = start[c + 1] - start[c];
            if (quota[c] + 1 + (pass == 0 ? 1 : 0) <= m) {
                quota[c]++;
                given++;
            }
        }
    }
    for (size_t c = 0; c < C; c++) {
        size_t m = start[c + 1] - start[c];
        shuffle_(order + start[c], m, &rng);
        for (size_t i = 0; i < quota[c]; i++) held[order[start[c] + i]] = 1;
    }
    if ((st = rfm_alloc((void **)&out->test, given, 1, sizeof(size_t), "hold-out", err)) !=
            RFM_OK ||
        (st = rfm_alloc((void **)&out->train, n - given, 1, sizeof(size_t), "hold-out", err)) !=
            RFM_OK) {
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        size_t v = items ? items[i] : i;
        if (held[i]) {
            out->test[out->n_test++] = v;
        } else {
            out->train[out->n_train++] = v;
        }
    }
    qsort(out->test, out->n_test, sizeof(size_t), size_cmp_);
    qsort(out->train, out->n_train, sizeof(size_t), size_cmp_);
done:
    if (st != RFM_OK) hx_pair_free(out);
    free(order);
    free(start);
    free(quota);
    free(rem);
    free(held);
    return st;
}

static rfm_status copy_pair_(const size_t *a, size_t na, const size_t *b, size_t nb, hx_pair *p,
                             rfm_error *err) {
    rfm_status st;
    if ((st = rfm_alloc((void **)&p->train, na, 1, sizeof(size_t), "split", err)) != RFM_OK ||
        (st = rfm_alloc((void **)&p->test, nb, 1, sizeof(size_t), "split", err)) != RFM_OK) {
        return st;
    }
    memcpy(p->train, a, na * sizeof *a);
    memcpy(p->test, b, nb * sizeof *b);
    p->n_train = na;
    p->n_test = nb;
    return RFM_OK;
}

static rfm_status cv_splits_(const hx_data *data, hx_splits *s, rfm_error *err) {
    size_t n = data->info.n, k = data->kfold, C = data->info.n_classes;
    const int *labels = data->info.task == HX_CLASSIFICATION ? data->labels : NULL;
    rfm_status st = RFM_OK;
    size_t *fold = malloc(n * sizeof *fold), *count = calloc(C ? C : 1, sizeof *count);
    if (!fold || !count) {
        st = rfm_fail(err, RFM_ENOMEM, "%s: out of memory", data->name);
        goto done;
    }
    // Checked here too, so the message can name the class and the descriptor key.
    for (size_t i = 0; labels && i < n; i++) count[labels[i]]++;
    for (size_t c = 0; labels && c < C; c++) {
        if (count[c] < k) {
            st = rfm_fail(err, RFM_EINVAL, "%s: splits.kfold: class '%s' has %zu rows, fewer than "
                          "kfold = %zu", data->source, data->class_names[c], count[c], k);
            goto done;
        }
    }
    if (n < k) {
        st = rfm_fail(err, RFM_EINVAL, "%s: splits.kfold: %zu rows, fewer than kfold = %zu",
                      data->source, n, k);
        goto done;
    }
    if ((st = hx_split_kfold(labels, C, n, k, data->seed, fold, err)) != RFM_OK) goto done;
    s->k = k;
    s->per_fold_selection = 1;
    if (!(s->outer = calloc(k, sizeof *s->outer)) || !(s->inner = calloc(k, sizeof *s->inner))) {
        st = rfm_fail(err, RFM_ENOMEM, "%s: out of memory", data->name);
        goto done;
    }
    for (size_t f = 0; f < k; f++) {
        hx_pair *p = &s->outer[f];
        size_t nt = 0;
        for (size_t i = 0; i < n; i++) nt += fold[i] == f;
        if ((st = rfm_alloc((void **)&p->test, nt, 1, sizeof(size_t), "fold", err)) != RFM_OK ||
            (st = rfm_alloc((void **)&p->train, n - nt, 1, sizeof(size_t), "fold", err)) !=
                RFM_OK) {
            goto done;
        }
        for (size_t i = 0; i < n; i++) {
            if (fold[i] == f) {
                p->test[p->n_test++] = i;
            } else {
                p->train[p->n_train++] = i;
            }
        }
        // A distinct, reproducible stream per fold (golden-ratio increments, as splitmix64 uses).
        uint64_t fseed = data->seed + 0x9e3779b97f4a7c15ULL * (uint64_t)(f + 1);
        if ((st = hx_split_holdout(labels, C, p->train, p->n_train, data->validation, fseed,
                                   &s->inner[f], err)) != RFM_OK) {
            goto done;
        }
    }
done:
    free(fold);
    free(count);
    return st;
}

rfm_status hx_data_splits(const hx_data *data, hx_splits **out, rfm_error *err) {
    *out = NULL;
    rfm_status st = RFM_OK;
    hx_splits *s = calloc(1, sizeof *s);
    if (!s) return rfm_fail(err, RFM_ENOMEM, "%s: out of memory", data->name);
    if (data->info.format == HX_FORMAT_UCI121) {
        s->k = 4;
        if (!(s->outer = calloc(4, sizeof *s->outer))) {
            st = rfm_fail(err, RFM_ENOMEM, "%s: out of memory", data->name);
            goto done;
        }
        if ((st = copy_pair_(data->split[0], data->split_len[0], data->split[1],
                             data->split_len[1], &s->select, err)) != RFM_OK) {
            goto done;
        }
        for (size_t r = 0; r < 4; r++) {
            size_t a = 2 + 2 * r;
            if ((st = copy_pair_(data->split[a], data->split_len[a], data->split[a + 1],
                                 data->split_len[a + 1], &s->outer[r], err)) != RFM_OK) {
                goto done;
            }
        }
    } else {
        st = cv_splits_(data, s, err);
    }
done:
    if (st != RFM_OK) {
        hx_splits_free(s);
        return st;
    }
    *out = s;
    return RFM_OK;
}
