/* test_uci121.c - the UCI-121 loader against the real files (iris, adult, connect-4) with values
 * read by hand from /work/shared/data/uci121, and against corrupted copies of iris, one fault
 * each, that must give one clear error naming the file and line. Skips (passing, with a note)
 * when the data is absent. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "hx_dataset.h"
#include "hx_prep.h"
#include "hx_split.h"

static char root_[2048]; // the data root, "" when the data is absent

// Find the data once (before the forked tests run); print one note when it is absent.
static void find_root_(void) {
    const char *env = getenv("RFMBENCH_DATA");
    snprintf(root_, sizeof root_, "%s", env ? env : fixture_src("../shared/data"));
    char probe[2200];
    snprintf(probe, sizeof probe, "%s/uci121/iris/iris_R.dat", root_);
    if (access(probe, R_OK) != 0) {
        printf("note: %s not found; the uci121 checks are skipped\n", probe);
        root_[0] = '\0';
        return;
    }
    setenv("RFMBENCH_DATA", root_, 1); // the descriptors below use ${RFMBENCH_DATA}
}

#define NEED_DATA_() do { if (!root_[0]) return; } while (0)

// A descriptor for uci121 folder `folder` (may contain ${RFMBENCH_DATA}) in a fresh temp dir.
static const char *desc_yaml_(const char *name, const char *folder, const char *extra) {
    static char path[2048];
    snprintf(path, sizeof path, "%s/%s.yaml", fixture_tmpdir("uci121"), name);
    FILE *f = fopen(path, "w");
    fprintf(f, "name: %s\ntask: classification\nformat: uci121\npath: %s\n%s", name, folder, extra);
    fclose(f);
    return path;
}

static hx_desc *desc_ok_(const char *name) {
    char folder[256];
    snprintf(folder, sizeof folder, "${RFMBENCH_DATA}/uci121/%s", name);
    hx_desc *d = NULL;
    rfm_error err = {0};
    ck_assert_msg(hx_desc_load(desc_yaml_(name, folder, ""), &d, &err) == RFM_OK, "%s", err.msg);
    return d;
}

static hx_data *iris_(void) {
    hx_desc *d = desc_ok_("iris");
    hx_data *data = NULL;
    rfm_error err = {0};
    ck_assert_msg(hx_data_load(d, &data, &err) == RFM_OK, "%s", err.msg);
    hx_desc_free(d);
    return data;
}

START_TEST(the_descriptor_knows_the_sizes_before_reading_data) {
    NEED_DATA_();
    hx_desc *d = desc_ok_("iris");
    const hx_desc_info *in = hx_desc_info_get(d);
    char want[2200];
    snprintf(want, sizeof want, "%s/uci121/iris/iris_R.dat", root_);
    ck_assert_str_eq(in->data_path, want);
    ck_assert_int_eq(in->format, HX_FORMAT_UCI121);
    ck_assert_int_eq(in->task, HX_CLASSIFICATION);
    ck_assert_uint_eq(in->size_total, 150);
    ck_assert_uint_eq(in->n_rows, 150);
    ck_assert_uint_eq(in->n_features_raw, 4);
    ck_assert_uint_eq(in->n_classes, 3);
    ck_assert_int_eq(in->has_test_file, 0);
    ck_assert_int_eq(in->data_present, 1);
    hx_desc_free(d);
    // adult.txt: n_patrons1= 32561, n_patrons2= 16281 (fich2), n_entradas= 14.
    d = desc_ok_("adult");
    in = hx_desc_info_get(d);
    ck_assert_uint_eq(in->size_total, 32561 + 16281);
    ck_assert_uint_eq(in->n_rows, 32561);
    ck_assert_uint_eq(in->n_features_raw, 14);
    ck_assert_int_eq(in->has_test_file, 1);
    hx_desc_free(d);
}
END_TEST

START_TEST(iris_rows_match_the_values_read_by_hand) {
    NEED_DATA_();
    hx_data *data = iris_();
    const hx_data_info *in = hx_data_info_get(data);
    ck_assert_uint_eq(in->n, 150);
    ck_assert_uint_eq(in->n_columns, 4);
    ck_assert_uint_eq(in->n_classes, 3);
    ck_assert_str_eq(in->class_names[2], "2");
    // iris_R.dat lines 2, 52 and 151 (rows 0, 50, 149).
    const size_t rows[3] = {0, 50, 149};
    const double want[12] = {-0.897674, 1.02861, -1.33679, -1.30859,
                             1.39683,   0.33672, 0.533509, 0.263815,
                             0.0684325, -0.12454, 0.760212, 0.787951};
    const size_t all[2] = {0, 1};
    hx_prep *p = NULL;
    ck_assert_int_eq(hx_prep_fit(data, all, 2, &p, NULL), RFM_OK); // identity for uci121
    ck_assert_uint_eq(hx_prep_features(p), 4);
    double X[12];
    ck_assert_int_eq(hx_prep_apply(p, data, rows, 3, X, NULL), RFM_OK);
    ck_assert(fixture_maxdiff(X, want, 12) == 0); // "used as given": not re-standardised
    int labels[3];
    double Y[9];
    hx_data_targets(data, rows, 3, Y, 3, labels);
    ck_assert_int_eq(labels[0], 0);
    ck_assert_int_eq(labels[1], 1);
    ck_assert_int_eq(labels[2], 2);
    ck_assert(Y[0] == 1 && Y[1] == 0 && Y[2] == 0 && Y[5] == 0 && Y[8] == 1);
    char line[256];
    hx_data_describe(data, line, sizeof line);
    ck_assert_str_eq(line, "iris: classification, n=150, d=4, classes=3, "
                           "splits=uci121 (select 75/75, 4 pairs 113/37)");
    hx_prep_free(p);
    hx_data_free(data);
}
END_TEST

START_TEST(iris_splits_are_the_lines_of_the_split_files) {
    NEED_DATA_();
    hx_data *data = iris_();
    hx_splits *s = NULL;
    ck_assert_int_eq(hx_data_splits(data, &s, NULL), RFM_OK);
    ck_assert_int_eq(s->per_fold_selection, 0);
    ck_assert_ptr_null(s->inner);
    ck_assert_uint_eq(s->k, 4);
    // conxuntos.dat: "46 21 13 ... 100 " and "42 28 4 ... 149 ".
    ck_assert_uint_eq(s->select.n_train, 75);
    ck_assert_uint_eq(s->select.n_test, 75);
    ck_assert_uint_eq(s->select.train[0], 46);
    ck_assert_uint_eq(s->select.train[1], 21);
    ck_assert_uint_eq(s->select.train[2], 13);
    ck_assert_uint_eq(s->select.train[74], 100);
    ck_assert_uint_eq(s->select.test[0], 42);
    ck_assert_uint_eq(s->select.test[1], 28);
    ck_assert_uint_eq(s->select.test[2], 4);
    ck_assert_uint_eq(s->select.test[74], 149);
    // conxuntos_kfold.dat lines 1-3 start "41 9 34", "17 38 15", "47 45 16".
    for (size_t r = 0; r < 4; r++) {
        ck_assert_uint_eq(s->outer[r].n_train, 113);
        ck_assert_uint_eq(s->outer[r].n_test, 37);
    }
    ck_assert_uint_eq(s->outer[0].train[0], 41);
    ck_assert_uint_eq(s->outer[0].train[1], 9);
    ck_assert_uint_eq(s->outer[0].train[2], 34);
    ck_assert_uint_eq(s->outer[0].test[0], 17);
    ck_assert_uint_eq(s->outer[0].test[1], 38);
    ck_assert_uint_eq(s->outer[0].test[2], 15);
    ck_assert_uint_eq(s->outer[1].train[0], 47);
    ck_assert_uint_eq(s->outer[1].train[1], 45);
    ck_assert_uint_eq(s->outer[1].train[2], 16);
    hx_splits_free(s);
    hx_data_free(data);
}
END_TEST

START_TEST(a_missing_data_file_is_reported_as_missing) {
    NEED_DATA_();
    hx_desc *d = desc_ok_("connect-4");
    const hx_desc_info *in = hx_desc_info_get(d);
    ck_assert_int_eq(in->data_present, 0);
    ck_assert_uint_eq(in->size_total, 67557);
    ck_assert_uint_eq(in->n_features_raw, 42);
    ck_assert_uint_eq(in->n_classes, 2);
    hx_data *data = NULL;
    rfm_error err = {0};
    ck_assert_int_eq(hx_data_load(d, &data, &err), RFM_EIO);
    ck_assert_ptr_null(data);
    char want[2300];
    snprintf(want, sizeof want, "%s/uci121/connect-4/connect-4_R.dat: data file missing", root_);
    ck_assert_str_eq(err.msg, want);
    hx_desc_free(d);
}
END_TEST

START_TEST(csv_only_keys_are_rejected_for_uci121) {
    NEED_DATA_();
    const char *yaml = desc_yaml_("iris", "${RFMBENCH_DATA}/uci121/iris", "standardize: true\n");
    hx_desc *d = NULL;
    rfm_error err = {0};
    char want[2300];
    ck_assert_int_eq(hx_desc_load(yaml, &d, &err), RFM_EINVAL);
    snprintf(want, sizeof want, "%s: standardize: only for format: csv (uci121 fixes it)", yaml);
    ck_assert_str_eq(err.msg, want);
}
END_TEST

/* ---- corrupted copies ---------------------------------------------------------------------- */

typedef struct {
    const char *file; /* which iris file is modified                  */
    const char *from; /* its first occurrence is replaced ...          */
    const char *to;   /* ... by this                                    */
    int at_desc;      /* 1: hx_desc_load fails; 0: hx_data_load fails   */
    rfm_status code;
    const char *msg;  /* the error after "<path of the modified file>"  */
} fault_;

static const fault_ faults_[] = {
    {"iris_R.dat", "150\t0.0684325\t-0.12454\t0.760212\t0.787951\t2\n", "", 0, RFM_EFORMAT,
     ": has 149 data rows, expected n_patrons1= 150"},
    {"iris_R.dat", "-1.30859\t0\n2\t", "-1.30859\t3\n2\t", 0, RFM_EFORMAT,
     ":2:6: label '3' is not in 0..2 (n_clases= 3)"},
    {"iris_R.dat", "\n2\t-1.1392", "\n7\t-1.1392", 0, RFM_EFORMAT,
     ":3:1: row number '7', expected 2"},
    {"iris_R.dat", "1\t-0.897674\t1.02861\t", "1\t-0.897674\t", 0, RFM_EFORMAT,
     ":2:6: row has 5 fields, expected 6 (n_entradas= 4 + 2)"},
    {"iris_R.dat", "-0.897674", "abc", 0, RFM_EFORMAT, ":2:2: 'abc' is not a number"},
    {"conxuntos.dat", "46 21 13", "150 21 13", 0, RFM_EFORMAT,
     ":1:1: index '150' is not in [0, 150)"},
    {"conxuntos.dat", "46 21 13", "46 46 13", 0, RFM_EFORMAT, ":1:2: index 46 repeated"},
    {"conxuntos.dat", "46 21 13", "21 13", 0, RFM_EFORMAT,
     ":1:75: line has 74 indices, expected n_patrons_entrena= 75"},
    {"conxuntos.dat", "\n42 28 4", "\n46 28 4", 0, RFM_EFORMAT,
     ":2:1: index 46 is in both the train line 1 and this validation line"},
    {"conxuntos_kfold.dat", "\n17 38 15", "\n41 38 15", 0, RFM_EFORMAT,
     ":2:1: index 41 is in both the train line 1 and this test line"},
    {"conxuntos_kfold.dat", "\n17 38 15", " 17 38 15", 0, RFM_EFORMAT,
     ": has 7 non-empty lines, expected 8"},
    {"iris.txt", "n_clases= 3\n", "", 1, RFM_EFORMAT, ": n_clases= missing"},
    {"iris.txt", "n_patrons1= 150", "n_patrons1= 151", 1, RFM_EFORMAT,
     ": n_patrons_entrena= 75 + n_patrons_valida= 75 != n_patrons1= 151"},
};

START_TEST(each_corruption_of_iris_gives_its_own_error) {
    NEED_DATA_();
    static const char *const files[] = {"iris.txt", "iris_R.dat", "conxuntos.dat",
                                        "conxuntos_kfold.dat"};
    const fault_ *ft = &faults_[_i];
    char folder[2100], src[2400], dst[2400];
    snprintf(folder, sizeof folder, "%s/iris", fixture_tmpdir("uci121bad"));
    const char *dir = folder;
    ck_assert_int_eq(mkdir(dir, 0700), 0);
    for (size_t k = 0; k < 4; k++) {
        size_t len;
        snprintf(src, sizeof src, "%s/uci121/iris/%s", root_, files[k]);
        snprintf(dst, sizeof dst, "%s/%s", dir, files[k]);
        char *text = fixture_slurp(src, &len);
        FILE *f = fopen(dst, "wb");
        if (strcmp(files[k], ft->file) == 0) {
            char *hit = strstr(text, ft->from);
            ck_assert_msg(hit != NULL, "'%s' not found in %s", ft->from, files[k]);
            fwrite(text, 1, (size_t)(hit - text), f);
            fputs(ft->to, f);
            fputs(hit + strlen(ft->from), f);
        } else {
            fwrite(text, 1, len, f);
        }
        fclose(f);
        free(text);
    }
    hx_desc *d = NULL;
    hx_data *data = NULL;
    rfm_error err = {0};
    rfm_status st = hx_desc_load(desc_yaml_("iris", folder, ""), &d, &err);
    if (!ft->at_desc) {
        ck_assert_msg(st == RFM_OK, "%s", err.msg);
        st = hx_data_load(d, &data, &err);
    }
    ck_assert_ptr_null(data);
    char want[4096];
    snprintf(want, sizeof want, "%s/%s%s", dir, ft->file, ft->msg);
    ck_assert_str_eq(err.msg, want);
    ck_assert_int_eq(st, ft->code);
    hx_desc_free(d);
}
END_TEST

int main(void) {
    find_root_();
    Suite *s = suite_create("hx_uci121");
    TCase *tc = tcase_create("real files");
    tcase_add_test(tc, the_descriptor_knows_the_sizes_before_reading_data);
    tcase_add_test(tc, iris_rows_match_the_values_read_by_hand);
    tcase_add_test(tc, iris_splits_are_the_lines_of_the_split_files);
    tcase_add_test(tc, a_missing_data_file_is_reported_as_missing);
    tcase_add_test(tc, csv_only_keys_are_rejected_for_uci121);
    suite_add_tcase(s, tc);
    tc = tcase_create("corrupted copies");
    tcase_add_loop_test(tc, each_corruption_of_iris_gives_its_own_error, 0,
                        (int)(sizeof faults_ / sizeof faults_[0]));
    suite_add_tcase(s, tc);
    return fixture_run(s);
}
