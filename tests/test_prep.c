/* test_prep.c - Check suite for a saved preprocessing (hx_prep_save / hx_prep_load) applied by
 * column name to another file (hx_prep_frame): the `rfmbench fit` -> `predict` path. Expected
 * features are worked out by hand from tests/data/mixed.csv (or by a plain loop for the
 * z-scores); error messages are compared whole. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "hx_dataset.h"
#include "hx_prep.h"

static char dir_[1024];

static void setup_(void) { snprintf(dir_, sizeof dir_, "%s", fixture_tmpdir("prep")); }

// Runs only after a passing test, so a failure keeps its files for a look.
static void teardown_(void) { fixture_rm_tree(dir_); }

static const char *path_(const char *name) { return fixture_join(dir_, name); }

static const char *write_(const char *name, const char *text) {
    const char *p = path_(name);
    FILE *f = fopen(p, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return p;
}

// Fit on every row of the descriptor's data, save, and load the copy back.
static hx_prep *fit_save_load_(const char *yaml_extra, const char *csv) {
    char text[4096];
    snprintf(text, sizeof text, "name: t\npath: %s\n%s", fixture_src(csv), yaml_extra);
    const char *yaml = write_("fit.yaml", text);
    hx_desc *d = NULL;
    hx_data *data = NULL;
    hx_prep *p = NULL, *q = NULL;
    rfm_error err = {0};
    ck_assert_msg(hx_desc_load(yaml, &d, &err) == RFM_OK, "%s", err.msg);
    ck_assert_msg(hx_data_load(d, &data, &err) == RFM_OK, "%s", err.msg);
    size_t n = hx_data_info_get(data)->n, rows[64];
    for (size_t i = 0; i < n; i++) rows[i] = i;
    ck_assert_msg(hx_prep_fit(data, rows, n, &p, &err) == RFM_OK, "%s", err.msg);
    ck_assert_msg(hx_prep_save(p, path_("m.prep"), &err) == RFM_OK, "%s", err.msg);
    ck_assert_msg(hx_prep_load(path_("m.prep"), &q, &err) == RFM_OK, "%s", err.msg);
    // The loaded copy names its features as the fitted one does.
    ck_assert_uint_eq(hx_prep_features(q), hx_prep_features(p));
    for (size_t k = 0; k < hx_prep_features(p); k++) {
        char a[256], b[256];
        hx_prep_feature_name(p, k, a, sizeof a);
        hx_prep_feature_name(q, k, b, sizeof b);
        ck_assert_str_eq(a, b);
    }
    hx_prep_free(p);
    hx_data_free(data);
    hx_desc_free(d);
    return q;
}

static hx_frame *frame_(const hx_prep *p, const char *file, int bare, rfm_status want,
                        rfm_error *err) {
    hx_desc *d = NULL;
    hx_frame *f = NULL;
    if (bare) {
        ck_assert_int_eq(hx_desc_from_csv(file, &d, err), RFM_OK);
    } else {
        char text[2048];
        snprintf(text, sizeof text, "path: %s\n", file);
        ck_assert_int_eq(hx_desc_load(write_("new.yaml", text), &d, err), RFM_OK);
    }
    ck_assert_int_eq(hx_prep_frame(p, d, &f, err), want);
    hx_desc_free(d);
    return f;
}

START_TEST(another_file_is_mapped_by_name_with_fills_unseen_levels_and_classes) {
    // Fitted on mixed.csv without z-scores: x fill = (1+2+4+10+6+3)/6, size fill = 210/5;
    // color outputs blue, green, red, <missing> (row 7 has an empty colour).
    hx_prep *p = fit_save_load_("target: label\ndrop: [id]\nstandardize: false\n",
                                "tests/data/mixed.csv");
    hx_prep_info in = hx_prep_info_get(p);
    ck_assert_int_eq(in.task, HX_CLASSIFICATION);
    ck_assert_uint_eq(in.d, 7);
    ck_assert_uint_eq(in.n_classes, 2);
    ck_assert_str_eq(in.class_names[0], "no");
    ck_assert_str_eq(in.class_names[1], "yes");
    ck_assert_str_eq(in.target, "label");
    // Reordered, an extra column, an unseen colour and class, missing values and target.
    const char *csv = write_("new.csv", "label,k,size,extra,color,x\n"
                                        "no,7,5,a,green,2.5\n"
                                        "maybe,8,?,b,purple,\n"
                                        ",7,1,c,,-1\n");
    rfm_error err = {0};
    hx_frame *f = frame_(p, csv, 0, RFM_OK, &err);
    ck_assert_msg(f != NULL, "%s", err.msg);
    const double xf = 26.0 / 6.0;
    const double want[3][7] = {{2.5, 0, 1, 0, 0, 5, 7},
                               {xf, 0, 0, 0, 0, 42, 8},
                               {-1, 0, 0, 0, 1, 1, 7}};
    ck_assert_uint_eq(f->n, 3);
    ck_assert_uint_eq(f->d, 7);
    double diff = fixture_maxdiff(f->X, &want[0][0], 21);
    ck_assert_msg(diff <= 1e-15, "largest difference %g, tolerance 1e-15", diff);
    ck_assert_int_eq(f->has_target, 1);
    ck_assert_int_eq(f->labels[0], 0);  // no
    ck_assert_int_eq(f->labels[1], -2); // maybe: not a class of the model
    ck_assert_int_eq(f->labels[2], -1); // missing
    hx_frame_free(f);
    hx_prep_free(p);
}
END_TEST

START_TEST(saved_z_scores_reproduce_the_training_statistics) {
    hx_prep *p = fit_save_load_("target: label\ndrop: [id]\n", "tests/data/mixed.csv");
    // x over the 7 fitted rows, the missing one filled with the observed mean, by hand.
    const double raw[7] = {1, 2, 26.0 / 6.0, 4, 10, 6, 3};
    double mean = 0, ss = 0;
    for (int i = 0; i < 7; i++) mean += raw[i] / 7;
    for (int i = 0; i < 7; i++) ss += (raw[i] - mean) * (raw[i] - mean);
    double sd = sqrt(ss / 7);
    const char *csv = write_("new.csv", "x,color,size,k\n3.5,red,10,7\n,blue,10,9\n");
    rfm_error err = {0};
    hx_frame *f = frame_(p, csv, 0, RFM_OK, &err);
    ck_assert_msg(f != NULL, "%s", err.msg);
    ck_assert_int_eq(f->has_target, 0);
    ck_assert_ptr_null(f->labels);
    double e0 = fabs(f->X[0] - (3.5 - mean) / sd), e1 = fabs(f->X[7] - (26.0 / 6.0 - mean) / sd);
    ck_assert_msg(e0 <= 1e-14 && e1 <= 1e-14, "x: errors %g %g, tolerance 1e-14", e0, e1);
    // k is constant 7 when fitted: scale 1, so 7 -> 0 and 9 -> 2.
    ck_assert(f->X[6] == 0 && f->X[13] == 2);
    hx_frame_free(f);
    hx_prep_free(p);
}
END_TEST

START_TEST(a_bare_file_is_read_with_the_saved_delimiter_and_header) {
    hx_prep *p = fit_save_load_("delimiter: \";\"\nheader: false\nstandardize: false\n",
                                "tests/data/semicolon_noheader.csv");
    // column 0 numeric, column 1 = x | y; the target (column 2) is absent here.
    const char *file = write_("bare.txt", "9;y\n");
    rfm_error err = {0};
    hx_frame *f = frame_(p, file, 1, RFM_OK, &err);
    ck_assert_msg(f != NULL, "%s", err.msg);
    const double want[3] = {9, 0, 1};
    ck_assert_uint_eq(f->n, 1);
    ck_assert(fixture_maxdiff(f->X, want, 3) == 0);
    ck_assert_int_eq(f->has_target, 0);
    hx_frame_free(f);
    hx_prep_free(p);
}
END_TEST

START_TEST(a_missing_column_or_text_in_a_numeric_one_is_named) {
    hx_prep *p = fit_save_load_("target: label\ndrop: [id]\n", "tests/data/mixed.csv");
    rfm_error err = {0};
    const char *lacks = write_("lacks.csv", "x,color,k\n1,red,7\n");
    ck_assert_ptr_null(frame_(p, lacks, 0, RFM_EINVAL, &err));
    char want[4096];
    snprintf(want, sizeof want, "%s: no column 'size' (the model was fitted with it)", lacks);
    ck_assert_str_eq(err.msg, want);
    const char *text = write_("text.csv", "k,x,color,size\n7,1,red,3\n7,abc,red,3\n");
    ck_assert_ptr_null(frame_(p, text, 0, RFM_EFORMAT, &err));
    snprintf(want, sizeof want, "%s:3:2: 'abc' is not a number (column 'x' is numeric in the "
             "model)", text);
    ck_assert_str_eq(err.msg, want);
    hx_prep_free(p);
}
END_TEST

START_TEST(a_damaged_file_fails_at_its_line) {
    static const struct {
        const char *text, *suffix;
    } cases[] = {
        {"rfmbench-prep 2\nend\n", ":1: not an rfmbench preprocessing file of version 1 "
                                   "(expected 'rfmbench-prep 1') ('rfmbench-prep 2')"},
        {"rfmbench-prep 1\nformat csv\ntask regression\nfeatures 1\nclasses 0\ncolumn a\n"
         "numeric 0 0 1\n", ":7: no `end` line: the file is truncated"},
        {"rfmbench-prep 1\nformat csv\nbogus 1\nend\n", ":3: unknown key ('bogus')"},
        {"rfmbench-prep 1\nformat csv\ntask regression\nfeatures 2\nclasses 0\ncolumn a\n"
         "numeric 0 0 1\nend\n", ":8: the column blocks do not add up to `features`"},
        {"rfmbench-prep 1\nformat csv\ntask classification\nfeatures 1\nclasses 2\nclass a\n"
         "column a\ncategorical 2\nlevel x\ncolumn b\n", ":10: the column before is incomplete"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *file = write_("bad.prep", cases[i].text);
        hx_prep *p = NULL;
        rfm_error err = {0};
        ck_assert_int_eq(hx_prep_load(file, &p, &err), RFM_EFORMAT);
        ck_assert_ptr_null(p);
        char want[4096];
        snprintf(want, sizeof want, "%s%s", file, cases[i].suffix);
        ck_assert_str_eq(err.msg, want);
    }
}
END_TEST

START_TEST(names_with_line_breaks_and_tabs_survive_the_round_trip) {
    // A header cell holding a quoted newline, a tab and a backslash.
    const char *csv = write_("odd.csv", "\"a\nb\",\"c\td\\\",y\n1,p,0\n2,q,1\n3,p,0\n4,q,1\n");
    char text[2048];
    snprintf(text, sizeof text, "path: %s\nstandardize: false\n", csv);
    const char *yaml = write_("odd.yaml", text);
    hx_desc *d = NULL;
    hx_data *data = NULL;
    hx_prep *p = NULL, *q = NULL;
    rfm_error err = {0};
    ck_assert_msg(hx_desc_load(yaml, &d, &err) == RFM_OK, "%s", err.msg);
    ck_assert_msg(hx_data_load(d, &data, &err) == RFM_OK, "%s", err.msg);
    const size_t rows[4] = {0, 1, 2, 3};
    ck_assert_int_eq(hx_prep_fit(data, rows, 4, &p, &err), RFM_OK);
    ck_assert_int_eq(hx_prep_save(p, path_("odd.prep"), &err), RFM_OK);
    ck_assert_msg(hx_prep_load(path_("odd.prep"), &q, &err) == RFM_OK, "%s", err.msg);
    char name[256];
    hx_prep_feature_name(q, 0, name, sizeof name);
    ck_assert_str_eq(name, "a\nb");
    hx_prep_feature_name(q, 2, name, sizeof name);
    ck_assert_str_eq(name, "c\td\\=q");
    hx_frame *f = frame_(q, csv, 0, RFM_OK, &err);
    ck_assert_msg(f != NULL, "%s", err.msg);
    const double want[4 * 3] = {1, 1, 0, 2, 0, 1, 3, 1, 0, 4, 0, 1};
    ck_assert(fixture_maxdiff(f->X, want, 12) == 0);
    hx_frame_free(f);
    hx_prep_free(q);
    hx_prep_free(p);
    hx_data_free(data);
    hx_desc_free(d);
}
END_TEST

int main(void) {
    Suite *s = suite_create("prep");
    TCase *tc = tcase_create("prep");
    tcase_add_checked_fixture(tc, setup_, teardown_);
    tcase_add_test(tc, another_file_is_mapped_by_name_with_fills_unseen_levels_and_classes);
    tcase_add_test(tc, saved_z_scores_reproduce_the_training_statistics);
    tcase_add_test(tc, a_bare_file_is_read_with_the_saved_delimiter_and_header);
    tcase_add_test(tc, a_missing_column_or_text_in_a_numeric_one_is_named);
    tcase_add_test(tc, a_damaged_file_fails_at_its_line);
    tcase_add_test(tc, names_with_line_breaks_and_tabs_survive_the_round_trip);
    suite_add_tcase(s, tc);
    return fixture_run(s);
}
