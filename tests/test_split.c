/* test_split.c - the split generators (stratified k-fold, hold-out) and the cv splits of a csv
 * dataset: stratification, disjointness, coverage and seeding, checked by counting loops and
 * against per-class sizes worked out by hand. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "hx_dataset.h"
#include "hx_split.h"

// Class sizes 50, 31, 22 (n = 103), spread over the items by a stride coprime with n.
static void labels103_(int *labels) {
    for (size_t i = 0; i < 103; i++) {
        size_t j = (i * 29) % 103;
        labels[i] = j < 50 ? 0 : j < 81 ? 1 : 2;
    }
}

START_TEST(stratified_folds_differ_by_at_most_one_per_class) {
    int labels[103];
    size_t fold[103], count[3][4] = {{0}}, size[4] = {0};
    labels103_(labels);
    ck_assert_int_eq(hx_split_kfold(labels, 3, 103, 4, 11, fold, NULL), RFM_OK);
    for (size_t i = 0; i < 103; i++) {
        ck_assert_uint_lt(fold[i], 4);
        count[labels[i]][fold[i]]++;
        size[fold[i]]++;
    }
    const size_t n_c[3] = {50, 31, 22};
    for (size_t c = 0; c < 3; c++) {
        for (size_t f = 0; f < 4; f++) {
            // 50/4 -> 12 or 13; 31/4 -> 7 or 8; 22/4 -> 5 or 6
            ck_assert_msg(count[c][f] == n_c[c] / 4 || count[c][f] == n_c[c] / 4 + 1,
                          "class %zu fold %zu: %zu", c, f, count[c][f]);
        }
    }
    for (size_t f = 0; f < 4; f++) ck_assert(size[f] == 25 || size[f] == 26);
}
END_TEST

START_TEST(unstratified_folds_have_sizes_that_differ_by_at_most_one) {
    size_t fold[10], size[3] = {0};
    ck_assert_int_eq(hx_split_kfold(NULL, 0, 10, 3, 5, fold, NULL), RFM_OK);
    for (size_t i = 0; i < 10; i++) size[fold[i]]++;
    ck_assert_uint_eq(size[0] + size[1] + size[2], 10);
    for (size_t f = 0; f < 3; f++) ck_assert(size[f] == 3 || size[f] == 4);
}
END_TEST

START_TEST(the_same_seed_gives_the_same_folds_and_another_seed_others) {
    int labels[103];
    size_t a[103], b[103], c[103];
    labels103_(labels);
    ck_assert_int_eq(hx_split_kfold(labels, 3, 103, 4, 7, a, NULL), RFM_OK);
    ck_assert_int_eq(hx_split_kfold(labels, 3, 103, 4, 7, b, NULL), RFM_OK);
    ck_assert_int_eq(hx_split_kfold(labels, 3, 103, 4, 8, c, NULL), RFM_OK);
    ck_assert(memcmp(a, b, sizeof a) == 0);
    size_t differ = 0;
    for (size_t i = 0; i < 103; i++) differ += a[i] != c[i];
    ck_assert_uint_gt(differ, 10);
}
END_TEST

START_TEST(a_class_smaller_than_k_and_too_many_folds_are_errors) {
    const int labels[7] = {0, 0, 0, 0, 1, 1, 1};
    size_t fold[7];
    rfm_error err = {0};
    ck_assert_int_eq(hx_split_kfold(labels, 2, 7, 4, 0, fold, &err), RFM_EINVAL);
    ck_assert_str_eq(err.msg, "class 1 has 3 members, fewer than k = 4");
    ck_assert_int_eq(hx_split_kfold(NULL, 0, 4, 5, 0, fold, &err), RFM_EINVAL);
    ck_assert_str_eq(err.msg, "k = 5 folds: must be in [2, n = 4]");
}
END_TEST

START_TEST(a_stratified_holdout_takes_the_share_from_every_class) {
    int labels[103];
    labels103_(labels);
    hx_pair p;
    ck_assert_int_eq(hx_split_holdout(labels, 3, NULL, 103, 0.25, 1, &p, NULL), RFM_OK);
    // round(25.75) = 26 held out: floors 12, 7, 5 (24) plus one each for the largest
    // remainders, 0.75 (class 1: 7.75) and the first of the tied 0.5s (class 0: 12.5; class 2:
    // 5.5 loses the tie) -> 13, 8, 5.
    ck_assert_uint_eq(p.n_test, 26);
    ck_assert_uint_eq(p.n_train, 77);
    size_t seen[103] = {0}, held[3] = {0};
    for (size_t i = 0; i < p.n_test; i++) {
        seen[p.test[i]]++;
        held[labels[p.test[i]]]++;
        if (i) ck_assert_uint_lt(p.test[i - 1], p.test[i]);
    }
    for (size_t i = 0; i < p.n_train; i++) {
        seen[p.train[i]]++;
        if (i) ck_assert_uint_lt(p.train[i - 1], p.train[i]);
    }
    for (size_t i = 0; i < 103; i++) ck_assert_uint_eq(seen[i], 1);
    ck_assert_uint_eq(held[0], 13);
    ck_assert_uint_eq(held[1], 8);
    ck_assert_uint_eq(held[2], 5);
    hx_pair_free(&p);
}
END_TEST

START_TEST(a_holdout_of_a_subset_returns_only_its_items) {
    int labels[60];
    size_t items[30];
    for (size_t i = 0; i < 60; i++) labels[i] = (int)(i % 4 < 2); // even items: 0,1,0,1,...
    for (size_t i = 0; i < 30; i++) items[i] = 2 * i;
    hx_pair p;
    ck_assert_int_eq(hx_split_holdout(labels, 2, items, 30, 0.2, 9, &p, NULL), RFM_OK);
    ck_assert_uint_eq(p.n_test, 6); // 15 of each class: 3 + 3
    ck_assert_uint_eq(p.n_train, 24);
    size_t ones = 0;
    for (size_t i = 0; i < p.n_test; i++) {
        ck_assert_uint_eq(p.test[i] % 2, 0);
        ones += (size_t)labels[p.test[i]];
    }
    for (size_t i = 0; i < p.n_train; i++) ck_assert_uint_eq(p.train[i] % 2, 0);
    ck_assert_uint_eq(ones, 3);
    hx_pair_free(&p);
    // Unstratified: round(0.5 * 3) = 2 of 3.
    ck_assert_int_eq(hx_split_holdout(NULL, 0, NULL, 3, 0.5, 9, &p, NULL), RFM_OK);
    ck_assert_uint_eq(p.n_test, 2);
    ck_assert_uint_eq(p.n_train, 1);
    ck_assert_uint_eq(p.train[0] + p.test[0] + p.test[1], 0 + 1 + 2);
    hx_pair_free(&p);
}
END_TEST

/* ---- cv splits of a csv dataset ----------------------------------------------------------- */

// 40 rows, classes a: 20, b: 12, c: 8, in a scrambled order; kfold 4, validation 0.25.
static hx_data *cv40_(uint64_t seed) {
    char dir[1024], csv[1100], yaml[1100];
    snprintf(dir, sizeof dir, "%s", fixture_tmpdir("split"));
    snprintf(csv, sizeof csv, "%s/cv40.csv", dir);
    snprintf(yaml, sizeof yaml, "%s/cv40.yaml", dir);
    FILE *f = fopen(csv, "w");
    fputs("x,y\n", f);
    for (size_t i = 0; i < 40; i++) {
        size_t j = (i * 17) % 40;
        fprintf(f, "%zu,%s\n", i, j < 20 ? "a" : j < 32 ? "b" : "c");
    }
    fclose(f);
    f = fopen(yaml, "w");
    fprintf(f, "path: cv40.csv\nsplits: {kfold: 4, validation: 0.25, seed: %llu}\n",
            (unsigned long long)seed);
    fclose(f);
    hx_desc *d = NULL;
    hx_data *data = NULL;
    rfm_error err = {0};
    ck_assert_msg(hx_desc_load(yaml, &d, &err) == RFM_OK, "%s", err.msg);
    ck_assert_msg(hx_data_load(d, &data, &err) == RFM_OK, "%s", err.msg);
    hx_desc_free(d);
    return data;
}

static void class_counts_(const hx_data *data, const size_t *rows, size_t n, size_t *count) {
    count[0] = count[1] = count[2] = 0;
    for (size_t i = 0; i < n; i++) count[hx_data_label(data, rows[i])]++;
}

START_TEST(cv_test_folds_partition_the_rows_with_exact_class_shares) {
    hx_data *data = cv40_(3);
    hx_splits *s = NULL;
    rfm_error err = {0};
    ck_assert_msg(hx_data_splits(data, &s, &err) == RFM_OK, "%s", err.msg);
    ck_assert_int_eq(s->per_fold_selection, 1);
    ck_assert_uint_eq(s->k, 4);
    ck_assert_uint_eq(s->select.n_train + s->select.n_test, 0);
    size_t in_test[40] = {0}, count[3];
    for (size_t f = 0; f < 4; f++) {
        const hx_pair *o = &s->outer[f], *in = &s->inner[f];
        ck_assert_uint_eq(o->n_test, 10);
        ck_assert_uint_eq(o->n_train, 30);
        unsigned char mark[40] = {0};
        for (size_t i = 0; i < o->n_test; i++) {
            in_test[o->test[i]]++;
            mark[o->test[i]] = 1;
        }
        for (size_t i = 0; i < o->n_train; i++) {
            ck_assert_uint_eq(mark[o->train[i]], 0); // disjoint from the test fold
            mark[o->train[i]] = 2;
        }
        for (size_t r = 0; r < 40; r++) ck_assert_uint_ne(mark[r], 0); // together: every row
        class_counts_(data, o->test, o->n_test, count);
        ck_assert_uint_eq(count[0], 5); // 20 / 4
        ck_assert_uint_eq(count[1], 3); // 12 / 4
        ck_assert_uint_eq(count[2], 2); // 8 / 4
        // Inner split of the 30 training rows (a 15, b 9, c 6): round(7.5) = 8 held out,
        // floors 3, 2, 1 and one more each for the remainders 0.75 (a) and 0.5 (c).
        ck_assert_uint_eq(in->n_test, 8);
        ck_assert_uint_eq(in->n_train, 22);
        for (size_t i = 0; i < in->n_test; i++) {
            ck_assert_uint_eq(mark[in->test[i]], 2);
            mark[in->test[i]] = 3;
        }
        for (size_t i = 0; i < in->n_train; i++) {
            ck_assert_uint_eq(mark[in->train[i]], 2);
            mark[in->train[i]] = 3;
        }
        for (size_t r = 0; r < 40; r++) ck_assert_uint_ne(mark[r], 2); // covers outer train
        class_counts_(data, in->test, in->n_test, count);
        ck_assert_uint_eq(count[0], 4);
        ck_assert_uint_eq(count[1], 2);
        ck_assert_uint_eq(count[2], 2);
    }
    for (size_t r = 0; r < 40; r++) ck_assert_uint_eq(in_test[r], 1);
    hx_splits_free(s);
    hx_data_free(data);
}
END_TEST

START_TEST(cv_splits_repeat_with_the_seed_and_change_with_another) {
    hx_data *a = cv40_(3), *b = cv40_(3), *c = cv40_(4);
    hx_splits *sa = NULL, *sb = NULL, *sc = NULL;
    ck_assert_int_eq(hx_data_splits(a, &sa, NULL), RFM_OK);
    ck_assert_int_eq(hx_data_splits(b, &sb, NULL), RFM_OK);
    ck_assert_int_eq(hx_data_splits(c, &sc, NULL), RFM_OK);
    size_t differ = 0;
    for (size_t f = 0; f < 4; f++) {
        ck_assert(memcmp(sa->outer[f].test, sb->outer[f].test, 10 * sizeof(size_t)) == 0);
        ck_assert(memcmp(sa->inner[f].test, sb->inner[f].test, 8 * sizeof(size_t)) == 0);
        differ += memcmp(sa->outer[f].test, sc->outer[f].test, 10 * sizeof(size_t)) != 0;
    }
    ck_assert_uint_gt(differ, 0);
    hx_splits_free(sa);
    hx_splits_free(sb);
    hx_splits_free(sc);
    hx_data_free(a);
    hx_data_free(b);
    hx_data_free(c);
}
END_TEST

START_TEST(a_class_with_fewer_rows_than_kfold_is_named) {
    // mixed.csv: 'yes' 4 rows, 'no' 3 rows; the default kfold is 4.
    const char *csv = fixture_src("tests/data/mixed.csv");
    hx_desc *d = NULL;
    hx_data *data = NULL;
    hx_splits *s = NULL;
    rfm_error err = {0};
    char want[4200];
    ck_assert_int_eq(hx_desc_from_csv(csv, &d, NULL), RFM_OK);
    ck_assert_int_eq(hx_data_load(d, &data, NULL), RFM_OK);
    ck_assert_int_eq(hx_data_splits(data, &s, &err), RFM_EINVAL);
    ck_assert_ptr_null(s);
    snprintf(want, sizeof want, "%s: splits.kfold: class 'no' has 3 rows, fewer than kfold = 4",
             csv);
    ck_assert_str_eq(err.msg, want);
    hx_data_free(data);
    // With kfold 3 every class has enough rows.
    ck_assert_int_eq(hx_desc_set_splits(d, 3, 0.25, 0, NULL), RFM_OK);
    ck_assert_int_eq(hx_data_load(d, &data, NULL), RFM_OK);
    ck_assert_int_eq(hx_data_splits(data, &s, NULL), RFM_OK);
    ck_assert_uint_eq(s->outer[0].n_test + s->outer[1].n_test + s->outer[2].n_test, 7);
    hx_splits_free(s);
    hx_data_free(data);
    hx_desc_free(d);
}
END_TEST

int main(void) {
    Suite *s = suite_create("hx_split");
    TCase *tc = tcase_create("generators");
    tcase_add_test(tc, stratified_folds_differ_by_at_most_one_per_class);
    tcase_add_test(tc, unstratified_folds_have_sizes_that_differ_by_at_most_one);
    tcase_add_test(tc, the_same_seed_gives_the_same_folds_and_another_seed_others);
    tcase_add_test(tc, a_class_smaller_than_k_and_too_many_folds_are_errors);
    tcase_add_test(tc, a_stratified_holdout_takes_the_share_from_every_class);
    tcase_add_test(tc, a_holdout_of_a_subset_returns_only_its_items);
    suite_add_tcase(s, tc);
    tc = tcase_create("dataset splits");
    tcase_add_test(tc, cv_test_folds_partition_the_rows_with_exact_class_shares);
    tcase_add_test(tc, cv_splits_repeat_with_the_seed_and_change_with_another);
    tcase_add_test(tc, a_class_with_fewer_rows_than_kfold_is_named);
    suite_add_tcase(s, tc);
    return fixture_run(s);
}
