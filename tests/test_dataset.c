/* test_dataset.c - descriptors (YAML keys, defaults, path expansion, one-line errors), csv data
 * (column kinds, missing values, class labels, task inference) and the preprocessing fitted on a
 * training part, against values worked out by hand from the files in tests/data. */
#include <check.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fixture.h"
#include "hx_dataset.h"
#include "hx_prep.h"

/* ---- helpers --------------------------------------------------------------------------------- */

static char tmp_[1024];

static const char *tmp_path_(const char *name) { return fixture_join(tmp_, name); }

static const char *write_(const char *name, const char *text) {
    const char *path = tmp_path_(name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static void setup_(void) { snprintf(tmp_, sizeof tmp_, "%s", fixture_tmpdir("dataset")); }

// A descriptor in the temp dir whose path is tests/data/<csv>, followed by extra lines.
static const char *yaml_for_(const char *csv, const char *extra) {
    char text[8192];
    snprintf(text, sizeof text, "name: t\npath: %s\n%s", fixture_src(csv), extra);
    return write_("t.yaml", text);
}

static hx_data *load_ok_(const char *yaml) {
    hx_desc *d = NULL;
    hx_data *data = NULL;
    rfm_error err = {0};
    ck_assert_msg(hx_desc_load(yaml, &d, &err) == RFM_OK, "desc: %s", err.msg);
    ck_assert_msg(hx_data_load(d, &data, &err) == RFM_OK, "data: %s", err.msg);
    hx_desc_free(d);
    return data;
}

// Loading must fail with code and a message that is exactly prefix + suffix.
static void load_fails_(const char *yaml, rfm_status code, const char *prefix,
                        const char *suffix) {
    hx_desc *d = NULL;
    hx_data *data = NULL;
    rfm_error err = {0};
    rfm_status st = hx_desc_load(yaml, &d, &err);
    if (st == RFM_OK) {
        st = hx_data_load(d, &data, &err);
        ck_assert_ptr_null(data);
    } else {
        ck_assert_ptr_null(d);
    }
    char want[8192];
    snprintf(want, sizeof want, "%s%s", prefix, suffix);
    ck_assert_str_eq(err.msg, want);
    ck_assert_int_eq(st, code);
    hx_desc_free(d);
}

static void desc_fails_(const char *yaml_text, const char *suffix) {
    const char *yaml = write_("bad.yaml", yaml_text);
    load_fails_(yaml, RFM_EINVAL, yaml, suffix);
}

static const size_t all7_[7] = {0, 1, 2, 3, 4, 5, 6};
static const size_t fit6_[6] = {0, 1, 2, 4, 5, 6}; // row 3 (the only 'green') is held out

// Apply a preprocessing fitted on fit6_ to all 7 rows of mixed.csv and compare with want (7, 6).
static void check_mixed_(const char *extra, const double want[7][6]) {
    hx_data *data = load_ok_(yaml_for_("tests/data/mixed.csv", extra));
    hx_prep *p = NULL;
    rfm_error err = {0};
    ck_assert_msg(hx_prep_fit(data, fit6_, 6, &p, &err) == RFM_OK, "%s", err.msg);
    ck_assert_uint_eq(hx_prep_features(p), 6);
    double X[7 * 6];
    ck_assert_msg(hx_prep_apply(p, data, all7_, 7, X, &err) == RFM_OK, "%s", err.msg);
    double diff = fixture_maxdiff(X, &want[0][0], 42);
    ck_assert_msg(diff <= 1e-12, "largest difference %g, tolerance 1e-12", diff);
    hx_prep_free(p);
    hx_data_free(data);
}

/* ---- descriptors ----------------------------------------------------------------------------- */

START_TEST(a_bare_csv_gets_the_descriptor_defaults) {
    const char *csv = fixture_src("tests/data/mixed.csv");
    hx_desc *d = NULL;
    ck_assert_int_eq(hx_desc_from_csv(csv, &d, NULL), RFM_OK);
    const hx_desc_info *in = hx_desc_info_get(d);
    ck_assert_str_eq(in->name, "mixed");
    ck_assert_str_eq(in->data_path, csv);
    ck_assert_int_eq(in->format, HX_FORMAT_CSV);
    ck_assert_int_eq(in->task, HX_TASK_UNKNOWN);
    ck_assert_uint_eq(in->kfold, 4);
    ck_assert(in->validation == 0.25);
    ck_assert_uint_eq(in->seed, 0);
    ck_assert_int_eq(in->impute, HX_IMPUTE_MEAN);
    ck_assert_int_eq(in->standardize, 1);
    ck_assert_int_eq(in->data_present, 1);
    hx_data *data = NULL;
    ck_assert_int_eq(hx_data_load(d, &data, NULL), RFM_OK);
    const hx_data_info *di = hx_data_info_get(data);
    ck_assert_int_eq(di->task, HX_CLASSIFICATION); // the last column, label: text
    ck_assert_uint_eq(di->n, 7);
    ck_assert_uint_eq(di->n_columns, 5); // id, x, color, size, k
    ck_assert_uint_eq(di->n_categorical, 1);
    ck_assert_uint_eq(di->n_classes, 2);
    ck_assert_str_eq(di->class_names[0], "no");
    ck_assert_str_eq(di->class_names[1], "yes");
    ck_assert_uint_eq(di->outputs, 2);
    hx_data_free(data);
    hx_desc_free(d);
}
END_TEST

START_TEST(every_yaml_key_is_read) {
    const char *yaml = write_("full.yaml",
                              "name: full\ntask: classification\nformat: csv\npath: data.csv\n"
                              "delimiter: \";\"\nheader: false\ntarget: 2\ndrop: [0]\n"
                              "categorical: [1]\nmissing: [\"-\"]\nimpute: median\n"
                              "standardize: false\nsplits: {kfold: 5, validation: 0.5, seed: 7}\n");
    hx_desc *d = NULL;
    rfm_error err = {0};
    ck_assert_msg(hx_desc_load(yaml, &d, &err) == RFM_OK, "%s", err.msg);
    const hx_desc_info *in = hx_desc_info_get(d);
    ck_assert_str_eq(in->name, "full");
    ck_assert_str_eq(in->source, yaml);
    ck_assert_str_eq(in->data_path, tmp_path_("data.csv")); // relative to the YAML's folder
    ck_assert_int_eq(in->task, HX_CLASSIFICATION);
    ck_assert_int_eq(in->impute, HX_IMPUTE_MEDIAN);
    ck_assert_int_eq(in->standardize, 0);
    ck_assert_uint_eq(in->kfold, 5);
    ck_assert(in->validation == 0.5);
    ck_assert_uint_eq(in->seed, 7);
    ck_assert_int_eq(in->data_present, 0);
    hx_desc_free(d);
}
END_TEST

START_TEST(the_name_defaults_to_the_file_name) {
    const char *yaml = write_("my-data.yaml", "path: x.csv\n");
    hx_desc *d = NULL;
    ck_assert_int_eq(hx_desc_load(yaml, &d, NULL), RFM_OK);
    ck_assert_str_eq(hx_desc_info_get(d)->name, "my-data");
    hx_desc_free(d);
}
END_TEST

START_TEST(path_variables_expand_from_the_environment) {
    setenv("HX_TEST_ROOT", "/some/where", 1);
    const char *yaml = write_("env.yaml", "path: ${HX_TEST_ROOT}/x.csv\n");
    hx_desc *d = NULL;
    ck_assert_int_eq(hx_desc_load(yaml, &d, NULL), RFM_OK);
    ck_assert_str_eq(hx_desc_info_get(d)->data_path, "/some/where/x.csv");
    hx_desc_free(d);
    unsetenv("HX_TEST_ROOT");
    desc_fails_("path: ${HX_TEST_ROOT}/x.csv\n",
                ": path: environment variable HX_TEST_ROOT is not set");
    desc_fails_("path: ${HX_TEST_ROOT/x.csv\n",
                ": path: unterminated '${' in '${HX_TEST_ROOT/x.csv'");
}
END_TEST

START_TEST(rfmbench_data_defaults_to_the_data_folder_of_the_datasets_tree) {
    unsetenv("RFMBENCH_DATA");
    char dir[4200], real[PATH_MAX], want[PATH_MAX + 64];
    snprintf(dir, sizeof dir, "%s/datasets", tmp_);
    mkdir(dir, 0700);
    snprintf(dir, sizeof dir, "%s/datasets/uci121", tmp_);
    mkdir(dir, 0700);
    const char *yaml = write_("datasets/uci121/iris.yaml", "path: ${RFMBENCH_DATA}/uci121/i.csv\n");
    hx_desc *d = NULL;
    rfm_error err = {0};
    ck_assert_msg(hx_desc_load(yaml, &d, &err) == RFM_OK, "%s", err.msg);
    ck_assert_ptr_nonnull(realpath(tmp_, real));
    snprintf(want, sizeof want, "%s/datasets/data/uci121/i.csv", real);
    ck_assert_str_eq(hx_desc_info_get(d)->data_path, want);
    hx_desc_free(d);
}
END_TEST

START_TEST(a_yaml_syntax_error_gives_line_and_column) {
    // Line 3 indents a new key under a scalar; libyaml stops at its ':' (column 6).
    const char *yaml = write_("syntax.yaml", "name: x\npath: a.csv\n  bad: indentation\n");
    load_fails_(yaml, RFM_EFORMAT, yaml,
                ":3:6: mapping values are not allowed in this context");
}
END_TEST

START_TEST(an_unknown_key_is_named) {
    desc_fails_("path: a.csv\ncolour: red\n",
                ": colour: unknown key (expected one of name, task, format, path, delimiter, "
                "header, target, drop, categorical, numeric, missing, impute, standardize, "
                "splits)");
    desc_fails_("path: a.csv\nsplits: {folds: 4}\n",
                ": splits.folds: unknown key (expected kfold, validation, seed)");
}
END_TEST

START_TEST(a_value_of_the_wrong_type_is_named_with_its_key_path) {
    desc_fails_("path: a.csv\nheader: maybe\n", ": header: expected true or false, got 'maybe'");
    desc_fails_("path: a.csv\nsplits: {kfold: [4]}\n",
                ": splits.kfold: expected a non-negative integer, got a list");
    desc_fails_("path: a.csv\ndrop: id\n", ": drop: expected a list such as [a, b], got a scalar");
    desc_fails_("path: a.csv\nsplits: 4\n",
                ": splits: expected a mapping such as {kfold: 4}, got a scalar");
    desc_fails_("path: [a.csv]\n", ": path: expected a string, got a list");
    desc_fails_("path: a.csv\ndelimiter: \";;\"\n",
                ": delimiter: expected one character other than a quote or line break, got ';;'");
}
END_TEST

START_TEST(bad_values_and_missing_keys_are_named) {
    desc_fails_("path: a.csv\ntask: clustering\n",
                ": task: expected classification or regression, got 'clustering'");
    desc_fails_("path: a.csv\nimpute: mode\n",
                ": impute: expected mean, median or drop, got 'mode'");
    desc_fails_("path: a.csv\nsplits: {validation: 1.5}\n",
                ": splits.validation: expected a number in (0, 1), got '1.5'");
    desc_fails_("path: a.csv\nsplits: {kfold: 1}\n", ": splits.kfold: 1: must be >= 2");
    desc_fails_("name: x\n", ": path: missing (the data file or uci121 folder)");
    desc_fails_("path: a.csv\npath: b.csv\n", ": path: duplicate key");
    desc_fails_("- a\n- b\n", ": expected a mapping of keys (name, path, ...)");
}
END_TEST

/* ---- csv data and preprocessing ------------------------------------------------------------ */

// mixed.csv, fitted on rows {0,1,2,4,5,6}: x observed 1,2,10,6,3 (mean 4.4, median 3); size
// observed 10,30,60,70 (mean 42.5, median 45); color levels blue, red and missing seen; green
// (row 3) unseen -> all zeros. Columns: x, color=blue, color=red, color=<missing>, size, k.
START_TEST(mean_imputation_and_one_hot_levels_come_from_the_training_rows) {
    static const double want[7][6] = {
        {1, 0, 1, 0, 10, 7},  {2, 1, 0, 0, 42.5, 7}, {4.4, 0, 1, 0, 30, 7},
        {4, 0, 0, 0, 40, 7},  {10, 1, 0, 0, 42.5, 7}, {6, 0, 1, 0, 60, 7},
        {3, 0, 0, 1, 70, 7}};
    check_mixed_("target: label\ndrop: [id]\nstandardize: false\n", want);
}
END_TEST

START_TEST(median_imputation_uses_the_middle_of_the_training_values) {
    static const double want[7][6] = {
        {1, 0, 1, 0, 10, 7}, {2, 1, 0, 0, 45, 7}, {3, 0, 1, 0, 30, 7}, {4, 0, 0, 0, 40, 7},
        {10, 1, 0, 0, 45, 7}, {6, 0, 1, 0, 60, 7}, {3, 0, 0, 1, 70, 7}};
    check_mixed_("target: label\ndrop: [id]\nimpute: median\nstandardize: false\n", want);
}
END_TEST

// Standardised: x filled on the fit rows is 1,2,4.4,10,6,3: mean 4.4, sum of squared deviations
// 53.2; size filled is 10,42.5,30,42.5,60,70: mean 42.5, sum 2275; k is constant: scale 1.
START_TEST(standardize_uses_training_statistics_and_leaves_constant_columns_at_zero) {
    const double sx = sqrt(53.2 / 6), ss = sqrt(2275.0 / 6);
    const double want[7][6] = {
        {(1 - 4.4) / sx, 0, 1, 0, (10 - 42.5) / ss, 0},
        {(2 - 4.4) / sx, 1, 0, 0, 0, 0},
        {0, 0, 1, 0, (30 - 42.5) / ss, 0},
        {(4 - 4.4) / sx, 0, 0, 0, (40 - 42.5) / ss, 0},
        {(10 - 4.4) / sx, 1, 0, 0, 0, 0},
        {(6 - 4.4) / sx, 0, 1, 0, (60 - 42.5) / ss, 0},
        {(3 - 4.4) / sx, 0, 0, 1, (70 - 42.5) / ss, 0}};
    check_mixed_("target: label\ndrop: [id]\n", want);
}
END_TEST

START_TEST(impute_drop_removes_rows_with_a_missing_numeric_value) {
    hx_data *data = load_ok_(yaml_for_("tests/data/mixed.csv",
                                       "target: label\ndrop: [id]\nimpute: drop\n"
                                       "standardize: false\n"));
    const hx_data_info *in = hx_data_info_get(data);
    // Rows with '?' (size), '' (x) and 'NA' (size) go; the missing color of row 7 stays.
    ck_assert_uint_eq(in->n, 4);
    ck_assert_uint_eq(in->n_dropped, 3);
    const size_t rows[4] = {0, 1, 2, 3};
    int labels[4];
    hx_data_targets(data, rows, 4, NULL, 0, labels);
    ck_assert_int_eq(labels[0], 1); // yes
    ck_assert_int_eq(labels[1], 0); // no (file row 4)
    ck_assert_int_eq(labels[2], 0);
    ck_assert_int_eq(labels[3], 1);
    hx_prep *p = NULL;
    ck_assert_int_eq(hx_prep_fit(data, rows, 4, &p, NULL), RFM_OK);
    // x, color=green, color=red, color=<missing>, size, k (blue only occurred in dropped rows)
    const double want[4][6] = {{1, 0, 1, 0, 10, 7}, {4, 1, 0, 0, 40, 7}, {6, 0, 1, 0, 60, 7},
                               {3, 0, 0, 1, 70, 7}};
    ck_assert_uint_eq(hx_prep_features(p), 6);
    double X[24];
    ck_assert_int_eq(hx_prep_apply(p, data, rows, 4, X, NULL), RFM_OK);
    double diff = fixture_maxdiff(X, &want[0][0], 24);
    ck_assert_msg(diff == 0, "largest difference %g, tolerance 0", diff);
    char name[64];
    hx_prep_feature_name(p, 1, name, sizeof name);
    ck_assert_str_eq(name, "color=green");
    hx_prep_feature_name(p, 3, name, sizeof name);
    ck_assert_str_eq(name, "color=<missing>");
    hx_prep_feature_name(p, 4, name, sizeof name);
    ck_assert_str_eq(name, "size");
    hx_prep_free(p);
    hx_data_free(data);
}
END_TEST

START_TEST(targets_are_one_hot_and_the_majority_breaks_ties_to_the_smallest_label) {
    hx_data *data = load_ok_(yaml_for_("tests/data/mixed.csv", "target: label\ndrop: [id]\n"));
    // labels: yes no yes no yes no yes -> 1 0 1 0 1 0 1
    double Y[7 * 3];
    int labels[7];
    for (size_t i = 0; i < 21; i++) Y[i] = -1;
    hx_data_targets(data, all7_, 7, Y, 3, labels); // ld 3 > 2 outputs: column 2 untouched
    for (size_t i = 0; i < 7; i++) {
        int want = i % 2 == 0 ? 1 : 0;
        ck_assert_int_eq(labels[i], want);
        ck_assert(Y[i * 3 + 0] == (want == 0 ? 1.0 : 0.0));
        ck_assert(Y[i * 3 + 1] == (want == 1 ? 1.0 : 0.0));
        ck_assert(Y[i * 3 + 2] == -1);
    }
    ck_assert_int_eq(hx_data_majority(data, all7_, 7), 1);   // 4 yes, 3 no
    ck_assert_int_eq(hx_data_majority(data, all7_, 2), 0);   // 1 yes, 1 no: the smaller label
    const size_t odd[3] = {1, 3, 5};
    ck_assert_int_eq(hx_data_majority(data, odd, 3), 0);
    ck_assert_int_eq(hx_data_majority(data, odd, 0), -1);
    char line[256];
    hx_data_describe(data, line, sizeof line);
    ck_assert_str_eq(line, "t: classification, n=7, d=4 (1 categorical), classes=2, "
                           "splits=cv (kfold=4, validation=0.25, seed=0)");
    hx_data_free(data);
}
END_TEST

START_TEST(a_headerless_semicolon_file_uses_indices_and_the_last_column) {
    hx_data *data = load_ok_(yaml_for_("tests/data/semicolon_noheader.csv",
                                       "delimiter: \";\"\nheader: false\nstandardize: false\n"));
    const hx_data_info *in = hx_data_info_get(data);
    ck_assert_uint_eq(in->n, 3);
    ck_assert_int_eq(in->task, HX_CLASSIFICATION); // integers 0, 1
    ck_assert_str_eq(in->class_names[0], "0");
    ck_assert_str_eq(in->class_names[1], "1");
    const size_t rows[3] = {0, 1, 2};
    hx_prep *p = NULL;
    ck_assert_int_eq(hx_prep_fit(data, rows, 3, &p, NULL), RFM_OK);
    const double want[9] = {1.5, 1, 0, 2.5, 0, 1, 3.5, 1, 0}; // column 0, column 1=x, =y
    double X[9];
    ck_assert_int_eq(hx_prep_apply(p, data, rows, 3, X, NULL), RFM_OK);
    ck_assert(fixture_maxdiff(X, want, 9) == 0);
    char name[64];
    hx_prep_feature_name(p, 2, name, sizeof name);
    ck_assert_str_eq(name, "column 1=y");
    hx_prep_free(p);
    hx_data_free(data);
}
END_TEST

START_TEST(text_in_a_declared_numeric_column_is_an_error_at_its_cell) {
    const char *csv = fixture_src("tests/data/numeric_text.csv");
    load_fails_(yaml_for_("tests/data/numeric_text.csv", "numeric: [b]\n"), RFM_EFORMAT, csv,
                ":3:2: 'abc' is not a number");
    // Undeclared, the same column is simply categorical.
    hx_data *data = load_ok_(yaml_for_("tests/data/numeric_text.csv", ""));
    ck_assert_uint_eq(hx_data_info_get(data)->n_categorical, 1);
    hx_data_free(data);
}
END_TEST

// A descriptor t.yaml (csv in the temp dir) with extra keys; loading must fail at csv:LINE:COL.
static void nonfinite_fails_(const char *csv_text, const char *extra, const char *where) {
    const char *csv = write_("nf.csv", csv_text);
    char text[8192], want[4200];
    snprintf(text, sizeof text, "name: t\npath: nf.csv\n%s", extra);
    const char *yaml = write_("t.yaml", text);
    snprintf(want, sizeof want, "%s%s", where, " is not a finite number (list it under missing: to "
             "treat it as missing)");
    load_fails_(yaml, RFM_EFORMAT, csv, want);
}

START_TEST(a_nan_or_inf_cell_is_an_error_unless_missing_or_categorical) {
    // Each token once in an otherwise numeric column: an error at its cell, not a text level.
    const char *nan_b = "a,b,y\n1,2,x\n3,nan,y\n5,6,x\n7,8,y\n";
    nonfinite_fails_(nan_b, "", ":3:2: 'nan'");
    nonfinite_fails_("a,b,y\n1,2,x\n3,4,y\n-Inf,6,x\n7,8,y\n", "", ":4:1: '-Inf'");
    nonfinite_fails_("a,b,y\n1,NaN,x\n3,4,y\n5,6,x\n7,8,y\n", "", ":2:2: 'NaN'");
    nonfinite_fails_("a,b,y\n1,2,x\n3,4,y\n5,6,x\n1e999,8,y\n", "", ":5:1: '1e999'");
    nonfinite_fails_("a,b,y\n1,2,x\n3,4,y\n5,inf,x\n7,8,y\n", "numeric: [b]\n", ":4:2: 'inf'");
    // The target too: the labels 0/1 would otherwise become text with a class "nan".
    nonfinite_fails_("a,b,y\n1,2,0\n3,4,1\n5,6,nan\n7,8,1\n", "", ":4:3: 'nan'");
    // Listed under missing, it is a missing value: mean of b over rows 0, 2, 3 = (2+6+8)/3.
    write_("nf.csv", nan_b);
    hx_data *data = load_ok_(write_("t.yaml", "name: t\npath: nf.csv\nstandardize: false\n"
                                              "missing: ['', nan]\n"));
    ck_assert_uint_eq(hx_data_info_get(data)->n_columns, 2);
    ck_assert_uint_eq(hx_data_info_get(data)->n_categorical, 0);
    const size_t rows[4] = {0, 1, 2, 3};
    hx_prep *p = NULL;
    rfm_error err = {0};
    ck_assert_msg(hx_prep_fit(data, rows, 4, &p, &err) == RFM_OK, "%s", err.msg);
    ck_assert_uint_eq(hx_prep_features(p), 2);
    double X[8];
    ck_assert_msg(hx_prep_apply(p, data, rows, 4, X, &err) == RFM_OK, "%s", err.msg);
    const double want[8] = {1, 2, 3, 16.0 / 3.0, 5, 6, 7, 8};
    double diff = fixture_maxdiff(X, want, 8);
    ck_assert_msg(diff <= 1e-15, "largest difference %g, tolerance 1e-15", diff);
    hx_prep_free(p);
    hx_data_free(data);
    // Declared categorical, or in a column that holds text anyway, it is a level like any other.
    data = load_ok_(write_("t.yaml", "name: t\npath: nf.csv\ncategorical: [b]\n"));
    ck_assert_uint_eq(hx_data_info_get(data)->n_categorical, 1);
    hx_data_free(data);
    write_("nf.csv", "a,b,y\n1,red,x\n3,nan,y\n5,blue,x\n7,red,y\n");
    data = load_ok_(write_("t.yaml", "name: t\npath: nf.csv\n"));
    ck_assert_uint_eq(hx_data_info_get(data)->n_categorical, 1);
    hx_data_free(data);
    // End to end: `rfmbench datasets` exits 1 with the one line on stderr.
    char csv[2048], yaml[2048], errf[2048], line[4400];
    snprintf(csv, sizeof csv, "%s", write_("nf.csv", nan_b));
    snprintf(yaml, sizeof yaml, "%s", write_("t.yaml", "name: t\npath: nf.csv\n"));
    snprintf(errf, sizeof errf, "%s", tmp_path_("stderr"));
    int rc = fixture_sh("'%s' datasets '%s' >/dev/null 2>'%s'", fixture_bin("rfmbench"), yaml,
                        errf);
    ck_assert_int_eq(rc, 1);
    char *msg = fixture_slurp(errf, NULL);
    snprintf(line, sizeof line, "rfmbench: %s:3:2: 'nan' is not a finite number (list it under "
             "missing: to treat it as missing)\n", csv);
    ck_assert_str_eq(msg, line);
    free(msg);
}
END_TEST

START_TEST(column_references_that_do_not_resolve_are_named) {
    const char *yaml = yaml_for_("tests/data/mixed.csv", "target: nope\n");
    load_fails_(yaml, RFM_EINVAL, yaml, ": target: no column 'nope' (the file has 6 columns)");
    yaml = yaml_for_("tests/data/mixed.csv", "target: 6\n");
    load_fails_(yaml, RFM_EINVAL, yaml, ": target: no column '6' (the file has 6 columns)");
    yaml = yaml_for_("tests/data/mixed.csv", "drop: [label]\n");
    load_fails_(yaml, RFM_EINVAL, yaml, ": drop: 'label' is the target");
    yaml = yaml_for_("tests/data/mixed.csv", "categorical: [colour]\n");
    load_fails_(yaml, RFM_EINVAL, yaml, ": categorical: no column 'colour' (the file has 6 "
                "columns)");
}
END_TEST

START_TEST(a_target_index_selects_that_column) {
    // target 0 (id: 7 distinct integers) -> classification with classes "1".."7"; label dropped.
    hx_data *data = load_ok_(yaml_for_("tests/data/mixed.csv", "target: 0\ndrop: [5]\n"));
    const hx_data_info *in = hx_data_info_get(data);
    ck_assert_uint_eq(in->n_classes, 7);
    ck_assert_str_eq(in->class_names[6], "7");
    ck_assert_uint_eq(in->n_columns, 4); // x, color, size, k
    hx_data_free(data);
}
END_TEST

START_TEST(a_single_class_target_is_an_error) {
    const char *yaml = yaml_for_("tests/data/single_class.csv", "");
    load_fails_(yaml, RFM_EINVAL, yaml,
                ": target y: a single class ('a') in 3 rows; classification needs at least 2");
}
END_TEST

START_TEST(an_empty_or_absent_data_file_is_an_error) {
    load_fails_(yaml_for_("tests/data/empty.csv", ""), RFM_EFORMAT,
                fixture_src("tests/data/empty.csv"), ": empty file");
    load_fails_(yaml_for_("tests/data/absent.csv", ""), RFM_EIO,
                fixture_src("tests/data/absent.csv"), ": data file missing");
}
END_TEST

START_TEST(a_missing_target_is_an_error_unless_rows_are_dropped) {
    // x is missing on file line 4 (column 2).
    const char *yaml = yaml_for_("tests/data/mixed.csv", "target: x\ntask: regression\n");
    load_fails_(yaml, RFM_EFORMAT, fixture_src("tests/data/mixed.csv"),
                ":4:2: the target is missing (impute: drop skips such rows)");
    hx_data *data = load_ok_(yaml_for_("tests/data/mixed.csv",
                                       "target: x\ntask: regression\nimpute: drop\n"));
    ck_assert_uint_eq(hx_data_info_get(data)->n, 4); // '?', '' and 'NA' rows go
    const size_t rows[4] = {0, 1, 2, 3};
    double y[4];
    hx_data_targets(data, rows, 4, y, 1, NULL);
    const double want[4] = {1, 4, 6, 3};
    ck_assert(fixture_maxdiff(y, want, 4) == 0);
    hx_data_free(data);
}
END_TEST

START_TEST(the_task_is_inferred_from_the_target) {
    char text[8192];
    struct { const char *name; int kind; hx_task want; } cases[] = {
        {"int60.csv", 0, HX_REGRESSION},     // 60 distinct integers
        {"int3.csv", 1, HX_CLASSIFICATION},  // 3 distinct integers
        {"real.csv", 2, HX_REGRESSION},      // non-integers
        {"text.csv", 3, HX_CLASSIFICATION}}; // text
    for (size_t c = 0; c < 4; c++) {
        size_t len = (size_t)snprintf(text, sizeof text, "x,y\n");
        for (int i = 0; i < 60; i++) {
            const int k = cases[c].kind;
            if (k == 3) {
                len += (size_t)snprintf(text + len, sizeof text - len, "%d,c%d\n", i, i % 2);
            } else {
                len += (size_t)snprintf(text + len, sizeof text - len, "%d,%g\n", i,
                                        k == 0 ? i : k == 1 ? i % 3 : i + 0.5);
            }
        }
        hx_desc *d = NULL;
        hx_data *data = NULL;
        rfm_error err = {0};
        ck_assert_int_eq(hx_desc_from_csv(write_(cases[c].name, text), &d, NULL), RFM_OK);
        ck_assert_msg(hx_data_load(d, &data, &err) == RFM_OK, "%s", err.msg);
        ck_assert_msg(hx_data_info_get(data)->task == cases[c].want, "%s", cases[c].name);
        hx_data_free(data);
        hx_desc_free(d);
    }
}
END_TEST

START_TEST(cli_overrides_set_the_target_and_task) {
    hx_desc *d = NULL;
    hx_data *data = NULL;
    ck_assert_int_eq(hx_desc_from_csv(fixture_src("tests/data/mixed.csv"), &d, NULL), RFM_OK);
    ck_assert_int_eq(hx_desc_set_target(d, "id", NULL), RFM_OK);
    ck_assert_int_eq(hx_desc_set_task(d, HX_REGRESSION, NULL), RFM_OK);
    ck_assert_int_eq(hx_data_load(d, &data, NULL), RFM_OK);
    const hx_data_info *in = hx_data_info_get(data);
    ck_assert_int_eq(in->task, HX_REGRESSION);
    ck_assert_uint_eq(in->outputs, 1);
    ck_assert_uint_eq(in->n_columns, 5); // x, color, size, k, label
    double y[7];
    int lab[7];
    hx_data_targets(data, all7_, 7, y, 1, lab);
    for (int i = 0; i < 7; i++) {
        ck_assert(y[i] == i + 1);
        ck_assert_int_eq(lab[i], -1);
    }
    ck_assert_int_eq(hx_data_majority(data, all7_, 7), -1);
    hx_data_free(data);
    hx_desc_free(d);
}
END_TEST

START_TEST(a_text_regression_target_is_an_error_at_its_cell) {
    const char *csv = write_("rt.csv", "x,y\n1,2.5\n2,abc\n");
    hx_desc *d = NULL;
    hx_data *data = NULL;
    rfm_error err = {0};
    char want[4200];
    ck_assert_int_eq(hx_desc_from_csv(csv, &d, NULL), RFM_OK);
    ck_assert_int_eq(hx_desc_set_task(d, HX_REGRESSION, NULL), RFM_OK);
    ck_assert_int_eq(hx_data_load(d, &data, &err), RFM_EFORMAT);
    snprintf(want, sizeof want, "%s:3:2: 'abc' is not a number (the target of a regression)", csv);
    ck_assert_str_eq(err.msg, want);
    hx_desc_free(d);
}
END_TEST

START_TEST(a_value_that_overflows_in_standardisation_is_reported_with_its_row) {
    // 1e308 + 1e308 overflows the mean to inf, so (x - mean) is -inf on every row.
    const char *csv = write_("big.csv", "v,y\n1e308,a\n1e308,b\n1e308,a\n");
    hx_desc *d = NULL;
    hx_data *data = NULL;
    hx_prep *p = NULL;
    rfm_error err = {0};
    char want[4200];
    ck_assert_int_eq(hx_desc_from_csv(csv, &d, NULL), RFM_OK);
    ck_assert_int_eq(hx_data_load(d, &data, NULL), RFM_OK);
    const size_t rows[3] = {0, 1, 2};
    double X[3];
    ck_assert_int_eq(hx_prep_fit(data, rows, 3, &p, NULL), RFM_OK);
    ck_assert_int_eq(hx_prep_apply(p, data, rows + 1, 2, X, &err), RFM_ENUMERIC);
    snprintf(want, sizeof want, "%s:3:1: value is not finite after preprocessing (column 'v')",
             csv);
    ck_assert_str_eq(err.msg, want);
    hx_prep_free(p);
    hx_data_free(data);
    hx_desc_free(d);
}
END_TEST

START_TEST(numbers_sort_by_value_before_text_in_class_order) {
    const char *csv = write_("order.csv", "x,y\n1,10\n2,b\n3,2\n4,a\n5,10\n6,-1.5\n");
    hx_desc *d = NULL;
    hx_data *data = NULL;
    ck_assert_int_eq(hx_desc_from_csv(csv, &d, NULL), RFM_OK);
    ck_assert_int_eq(hx_data_load(d, &data, NULL), RFM_OK);
    const hx_data_info *in = hx_data_info_get(data);
    static const char *const want[] = {"-1.5", "2", "10", "a", "b"};
    ck_assert_uint_eq(in->n_classes, 5);
    for (size_t c = 0; c < 5; c++) ck_assert_str_eq(in->class_names[c], want[c]);
    ck_assert_int_eq(hx_data_label(data, 0), 2); // "10"
    ck_assert_int_eq(hx_data_label(data, 5), 0); // "-1.5"
    hx_data_free(data);
    hx_desc_free(d);
}
END_TEST

int main(void) {
    Suite *s = suite_create("hx_dataset");
    TCase *tc = tcase_create("descriptor");
    tcase_add_checked_fixture(tc, setup_, NULL);
    tcase_add_test(tc, a_bare_csv_gets_the_descriptor_defaults);
    tcase_add_test(tc, every_yaml_key_is_read);
    tcase_add_test(tc, the_name_defaults_to_the_file_name);
    tcase_add_test(tc, path_variables_expand_from_the_environment);
    tcase_add_test(tc, rfmbench_data_defaults_to_the_data_folder_of_the_datasets_tree);
    tcase_add_test(tc, a_yaml_syntax_error_gives_line_and_column);
    tcase_add_test(tc, an_unknown_key_is_named);
    tcase_add_test(tc, a_value_of_the_wrong_type_is_named_with_its_key_path);
    tcase_add_test(tc, bad_values_and_missing_keys_are_named);
    suite_add_tcase(s, tc);
    tc = tcase_create("csv data");
    tcase_add_checked_fixture(tc, setup_, NULL);
    tcase_add_test(tc, mean_imputation_and_one_hot_levels_come_from_the_training_rows);
    tcase_add_test(tc, median_imputation_uses_the_middle_of_the_training_values);
    tcase_add_test(tc, standardize_uses_training_statistics_and_leaves_constant_columns_at_zero);
    tcase_add_test(tc, impute_drop_removes_rows_with_a_missing_numeric_value);
    tcase_add_test(tc, targets_are_one_hot_and_the_majority_breaks_ties_to_the_smallest_label);
    tcase_add_test(tc, a_headerless_semicolon_file_uses_indices_and_the_last_column);
    tcase_add_test(tc, text_in_a_declared_numeric_column_is_an_error_at_its_cell);
    tcase_add_test(tc, a_nan_or_inf_cell_is_an_error_unless_missing_or_categorical);
    tcase_add_test(tc, column_references_that_do_not_resolve_are_named);
    tcase_add_test(tc, a_target_index_selects_that_column);
    tcase_add_test(tc, a_single_class_target_is_an_error);
    tcase_add_test(tc, an_empty_or_absent_data_file_is_an_error);
    tcase_add_test(tc, a_missing_target_is_an_error_unless_rows_are_dropped);
    tcase_add_test(tc, the_task_is_inferred_from_the_target);
    tcase_add_test(tc, cli_overrides_set_the_target_and_task);
    tcase_add_test(tc, a_text_regression_target_is_an_error_at_its_cell);
    tcase_add_test(tc, a_value_that_overflows_in_standardisation_is_reported_with_its_row);
    tcase_add_test(tc, numbers_sort_by_value_before_text_in_class_order);
    suite_add_tcase(s, tc);
    return fixture_run(s);
}
