/* test_results.c - the run files: CSV quoting round trips, exact number round trips, the header
 * contract, torn last lines (ignored on read, cut on append-open), and the error positions. Files
 * with torn or malformed content are written by hand here, not by the code under test. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fixture.h"
#include "hx_results.h"

// The header that interfaces.md fixes, plus our documented extras, spelled out independently.
static const char RESULTS_HEADER_[] =
    "dataset,model,fold,params,val_score,test_accuracy,test_rmse,n_train,n_test,n_features,"
    "n_classes,fit_seconds,predict_seconds,peak_rss_mb,threads,seed,status,error,"
    "test_r2,selected,majority_accuracy,param_hash,constant_rmse,spec_hash\n";
// The same header before spec_hash existed: files written then are upgraded on open.
static const char OLD_RESULTS_HEADER_[] =
    "dataset,model,fold,params,val_score,test_accuracy,test_rmse,n_train,n_test,n_features,"
    "n_classes,fit_seconds,predict_seconds,peak_rss_mb,threads,seed,status,error,"
    "test_r2,selected,majority_accuracy,param_hash,constant_rmse\n";

static char dir_[4096];

static const char *path_(const char *name) { return fixture_join(dir_, name); }

static void setup_(void) {
    const char *d = fixture_tmpdir("results");
    ck_assert_ptr_nonnull(d);
    snprintf(dir_, sizeof dir_, "%s", d);
}

static void append_text_(const char *path, const char *text) {
    FILE *f = fopen(path, "ab");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(text, 1, strlen(text), f), strlen(text));
    fclose(f);
}

static hx_result_row sample_row_(long fold) {
    hx_result_row r = hx_result_row_init();
    r.dataset = "iris";
    r.model = "rfm";
    r.fold = fold;
    r.params = "bandwidth=10;normalize=true;reg=0.001";
    r.val_score = 1.0 / 3.0; // needs all 17 digits to read back exactly
    r.test_accuracy = 0.1 + 0.2; // 0.30000000000000004: the shortest form is not %.15g
    r.n_train = 113;
    r.n_test = 37;
    r.n_features = 4;
    r.n_classes = 3;
    r.fit_seconds = 1.23456;
    r.predict_seconds = 0.0004;
    r.peak_rss_mb = 55.0;
    r.threads = 2;
    r.seed = 18446744073709551615ULL; // 2^64 - 1: beyond a long
    r.status = "ok";
    r.selected = "iter=3";
    r.majority_accuracy = 0.25;
    return r;
}

// FNV-1a 64 known answers: "foobar" hashes to 85944171f73967e8, "" to the offset basis
// cbf29ce484222325. The column before the (empty) constant_rmse and spec_hash is the hash; NULL
// params count as "".
START_TEST(param_hash_column_is_fnv1a_64_of_params) {
    static const struct {
        const char *params, *hash;
    } cases[] = {{"foobar", ",85944171f73967e8,,\n"}, {"", ",cbf29ce484222325,,\n"},
                 {NULL, ",cbf29ce484222325,,\n"}};
    hx_csv_out l = {0};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hx_result_row r = hx_result_row_init();
        r.params = cases[i].params;
        ck_assert_int_eq(hx_result_row_format(&r, &l, NULL), RFM_OK);
        size_t n = strlen(cases[i].hash);
        ck_assert_msg(l.len >= n && !strcmp(l.buf + l.len - n, cases[i].hash), "%s", l.buf);
    }
    hx_csv_out_free(&l);
}
END_TEST

START_TEST(write_field_quotes_only_when_needed) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    const char *in[] = {"plain", "a,b", "say \"hi\"", "two\nlines", "cr\rhere", "", NULL};
    for (size_t i = 0; i < sizeof in / sizeof *in; i++) {
        ck_assert_int_eq(hx_csv_write_field(f, in[i]), 0);
        fputc('|', f);
    }
    fclose(f);
    ck_assert_str_eq(buf, "plain|\"a,b\"|\"say \"\"hi\"\"\"|\"two\nlines\"|\"cr\rhere\"|||");
    free(buf);
}
END_TEST

START_TEST(appended_file_starts_with_the_interface_header) {
    const char *p = path_("results.csv");
    hx_appender *a = NULL;
    rfm_error err = {0};
    ck_assert_msg(hx_results_open(p, HX_KIND_RESULTS, &a, &err) == RFM_OK, "%s", err.msg);
    hx_result_row r = sample_row_(0);
    ck_assert_int_eq(hx_results_append_row(a, &r, &err), RFM_OK);
    hx_results_close(a);
    char *s = fixture_slurp(p, NULL);
    ck_assert_int_eq(strncmp(s, RESULTS_HEADER_, strlen(RESULTS_HEADER_)), 0);
    // the row itself, by hand: shortest exact doubles, %.3f seconds, %.1f MB, empties for NaN
    const char *want = "iris,rfm,0,bandwidth=10;normalize=true;reg=0.001,0.3333333333333333,"
                       "0.30000000000000004,,113,37,4,3,1.235,0.000,55.0,2,18446744073709551615,"
                       "ok,,,iter=3,0.25,";
    ck_assert_msg(strncmp(s + strlen(RESULTS_HEADER_), want, strlen(want)) == 0, "row: %s",
                  s + strlen(RESULTS_HEADER_));
    free(s);
    // reopening an intact file appends after it and writes no second header
    ck_assert_int_eq(hx_results_open(p, HX_KIND_RESULTS, &a, &err), RFM_OK);
    ck_assert_uint_eq(hx_appender_torn_bytes(a), 0);
    ck_assert_int_eq(hx_results_append_row(a, &r, &err), RFM_OK);
    hx_results_close(a);
    s = fixture_slurp(p, NULL);
    size_t lines = 0;
    for (const char *q = s; *q; q++) lines += *q == '\n';
    ck_assert_uint_eq(lines, 3);
    ck_assert_ptr_null(strstr(s + 1, "dataset,model"));
    free(s);
}
END_TEST

START_TEST(quoting_and_numbers_round_trip_through_the_reader) {
    const char *p = path_("results.csv");
    hx_appender *a = NULL;
    rfm_error err = {0};
    ck_assert_int_eq(hx_results_open(p, HX_KIND_RESULTS, &a, &err), RFM_OK);
    hx_result_row r0 = sample_row_(0), r1 = sample_row_(1);
    r1.dataset = "weird, \"name\"";
    r1.status = "failed";
    r1.error = "fit: K + lambda I, \"not SPD\"\nsecond line\r\nthird";
    r1.test_accuracy = NAN;
    r1.n_classes = -1;
    r1.test_rmse = 1e-300;
    r1.test_r2 = -0.0;
    ck_assert_int_eq(hx_results_append_row(a, &r0, &err), RFM_OK);
    ck_assert_int_eq(hx_results_append_row(a, &r1, &err), RFM_OK);
    hx_results_close(a);
    hx_result_row *rows = NULL;
    size_t n = 0, torn = 9;
    ck_assert_msg(hx_results_read_ex(p, &rows, &n, &torn, &err) == RFM_OK, "%s", err.msg);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(torn, 0);
    ck_assert_str_eq(rows[1].dataset, "weird, \"name\"");
    ck_assert_str_eq(rows[1].error, "fit: K + lambda I, \"not SPD\"\nsecond line\r\nthird");
    ck_assert_str_eq(rows[1].status, "failed");
    ck_assert_str_eq(rows[0].params, "bandwidth=10;normalize=true;reg=0.001");
    ck_assert_str_eq(rows[0].selected, "iter=3");
    ck_assert_str_eq(rows[0].error, "");
    ck_assert_msg(rows[0].val_score == 1.0 / 3.0, "val_score %.17g", rows[0].val_score);
    ck_assert_msg(rows[0].test_accuracy == 0.1 + 0.2, "acc %.17g", rows[0].test_accuracy);
    ck_assert_msg(rows[1].test_rmse == 1e-300, "rmse %.17g", rows[1].test_rmse);
    ck_assert(isnan(rows[1].test_accuracy));
    ck_assert(isnan(rows[0].test_rmse));
    ck_assert(isnan(rows[0].constant_rmse));
    ck_assert_msg(rows[0].majority_accuracy == 0.25, "%.17g", rows[0].majority_accuracy);
    ck_assert_msg(fabs(rows[0].fit_seconds - 1.235) < 1e-12, "%.17g", rows[0].fit_seconds);
    ck_assert_int_eq(rows[1].fold, 1);
    ck_assert_int_eq(rows[1].n_classes, -1);
    ck_assert_int_eq(rows[0].n_train, 113);
    ck_assert_int_eq(rows[0].threads, 2);
    ck_assert(rows[0].seed == 18446744073709551615ULL);
    ck_assert_str_eq(rows[0].param_hash, "3c2b729fb20e9462"); // FNV-1a 64 of the params
    hx_result_rows_free(rows, n);
}
END_TEST

// A kill during write() leaves a prefix of the last line; the reader must not see it.
START_TEST(torn_last_line_is_ignored_on_read) {
    const char *p = path_("results.csv");
    char text[8192];
    snprintf(text, sizeof text, "%s%s", OLD_RESULTS_HEADER_,
             "iris,rfm,0,a=1,0.9,0.8,,1,1,1,2,0.1,0.1,1.0,1,0,ok,,,,0.5,x,\n"
             "iris,rfm,1,a=1,0.9,0.7,,1,1,1,2,0.1,0.1,1.0,1,0,ok,,,,0.5,x,\n"
             "iris,rfm,2,a=1,0.9,0.");
    fixture_write_text(p, text);
    hx_result_row *rows = NULL;
    size_t n = 0, torn = 0;
    rfm_error err = {0};
    ck_assert_msg(hx_results_read_ex(p, &rows, &n, &torn, &err) == RFM_OK, "%s", err.msg);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(torn, 1);
    ck_assert_msg(rows[1].test_accuracy == 0.7, "%g", rows[1].test_accuracy);
    hx_result_rows_free(rows, n);
    // a tear inside a quoted field that already holds a newline
    fixture_write_text(p, text);
    append_text_(p, "0,,1,1,1,2,0.1,0.1,1.0,1,0,failed,\"boom\nhalf");
    ck_assert_int_eq(hx_results_read_ex(p, &rows, &n, &torn, &err), RFM_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(torn, 1);
    hx_result_rows_free(rows, n);
}
END_TEST

// A results.csv from before spec_hash: opening it for append rewrites it with an empty last
// field on every record (a quoted newline is not a record end, CRLF keeps its CR), drops a torn
// tail, and the rows read back as they were, with spec_hash "".
START_TEST(append_open_upgrades_a_file_without_spec_hash) {
    const char *p = path_("results.csv");
    char text[8192], want[8192];
    const char *r0 = "iris,rfm,0,a=1,0.9,0.8,,1,1,1,2,0.1,0.1,1.0,1,0,ok,,,,0.5,x,";
    const char *r1 = "iris,rfm,1,a=1,,,,1,1,1,2,0.1,0.1,1.0,1,0,failed,\"two\nlines\",,,0.5,x,";
    snprintf(text, sizeof text, "%s%s\n%s\r\n%s", OLD_RESULTS_HEADER_, r0, r1, "iris,rfm,2,a");
    snprintf(want, sizeof want, "%s%s,\n%s,\r\n", RESULTS_HEADER_, r0, r1);
    fixture_write_text(p, text);
    hx_appender *a = NULL;
    rfm_error err = {0};
    ck_assert_msg(hx_results_open(p, HX_KIND_RESULTS, &a, &err) == RFM_OK, "%s", err.msg);
    hx_results_close(a);
    char *s = fixture_slurp(p, NULL);
    ck_assert_msg(!strcmp(s, want), "upgraded file:\n%s\nwant:\n%s", s, want);
    free(s);
    hx_result_row *rows = NULL;
    size_t n = 0;
    ck_assert_int_eq(hx_results_read(p, &rows, &n, &err), RFM_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(rows[1].error, "two\nlines");
    ck_assert_str_eq(rows[0].spec_hash, "");
    hx_result_rows_free(rows, n);
    // A header of some other version is still refused, untouched.
    const char *other = "dataset,model,fold,something_else\nx,y,0,1\n";
    fixture_write_text(p, other);
    ck_assert_int_eq(hx_results_open(p, HX_KIND_RESULTS, &a, &err), RFM_EFORMAT);
    s = fixture_slurp(p, NULL);
    ck_assert_str_eq(s, other);
    free(s);
}
END_TEST

START_TEST(append_open_cuts_a_torn_tail_before_writing) {
    const char *p = path_("results.csv");
    char text[8192];
    snprintf(text, sizeof text, "%s%s", RESULTS_HEADER_,
             "iris,rfm,0,a=1,0.9,0.8,,1,1,1,2,0.1,0.1,1.0,1,0,ok,,,,0.5,x,,\n");
    const char *tail = "iris,rfm,1,a=1,0.9,0.7,,1,1,1,2,0.1,0.1,1.0,1,0,failed,\"half \n quoted";
    fixture_write_text(p, text);
    append_text_(p, tail);
    hx_appender *a = NULL;
    rfm_error err = {0};
    ck_assert_msg(hx_results_open(p, HX_KIND_RESULTS, &a, &err) == RFM_OK, "%s", err.msg);
    ck_assert_uint_eq(hx_appender_torn_bytes(a), strlen(tail));
    size_t len = 0;
    char *s = fixture_slurp(p, &len);
    ck_assert_uint_eq(len, strlen(text)); // cut back to the last complete record
    ck_assert_str_eq(s, text);
    free(s);
    hx_result_row r = sample_row_(1);
    ck_assert_int_eq(hx_results_append_row(a, &r, &err), RFM_OK);
    hx_results_close(a);
    hx_result_row *rows = NULL;
    size_t n = 0, torn = 9;
    ck_assert_int_eq(hx_results_read_ex(p, &rows, &n, &torn, &err), RFM_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(torn, 0);
    ck_assert_int_eq(rows[0].fold, 0);
    ck_assert_int_eq(rows[1].fold, 1);
    ck_assert_str_eq(rows[1].status, "ok");
    hx_result_rows_free(rows, n);
    // a torn header alone: the file is restarted with a full header
    fixture_write_text(p, "dataset,mod");
    ck_assert_int_eq(hx_results_open(p, HX_KIND_RESULTS, &a, &err), RFM_OK);
    hx_results_close(a);
    s = fixture_slurp(p, NULL);
    ck_assert_str_eq(s, RESULTS_HEADER_);
    free(s);
}
END_TEST

START_TEST(wrong_header_is_rejected_at_line_1) {
    const char *p = path_("other.csv");
    fixture_write_text(p, "dataset,model,fold,parameters\nx,y,0,z\n");
    hx_result_row *rows = NULL;
    size_t n = 0;
    rfm_error err = {0};
    char want[4300];
    snprintf(want, sizeof want, "%s:1: ", p);
    ck_assert_int_eq(hx_results_read(p, &rows, &n, &err), RFM_EFORMAT);
    ck_assert_msg(strncmp(err.msg, want, strlen(want)) == 0 && strstr(err.msg, "'params'"), "%s",
                  err.msg);
    hx_appender *a = NULL;
    err.msg[0] = '\0';
    ck_assert_int_eq(hx_results_open(p, HX_KIND_RESULTS, &a, &err), RFM_EFORMAT);
    ck_assert_ptr_null(a);
    ck_assert_msg(strncmp(err.msg, want, strlen(want)) == 0, "%s", err.msg);
    // a foreign file is never truncated, even when it ends without a newline
    fixture_write_text(p, "name,age\nbob,4");
    ck_assert_int_eq(hx_results_open(p, HX_KIND_RESULTS, &a, &err), RFM_EFORMAT);
    char *s = fixture_slurp(p, NULL);
    ck_assert_str_eq(s, "name,age\nbob,4");
    free(s);
    fixture_write_text(p, "hello");
    ck_assert_int_eq(hx_results_open(p, HX_KIND_RESULTS, &a, &err), RFM_EFORMAT);
    s = fixture_slurp(p, NULL);
    ck_assert_str_eq(s, "hello");
    free(s);
    // a cv_results file is not a results file either way round
    const char *cv = path_("cv_results.csv");
    ck_assert_int_eq(hx_results_open(cv, HX_KIND_CV, &a, &err), RFM_OK);
    hx_results_close(a);
    ck_assert_int_eq(hx_results_open(cv, HX_KIND_RESULTS, &a, &err), RFM_EFORMAT);
    ck_assert_int_eq(hx_results_open(cv, "bogus", &a, &err), RFM_EINVAL);
}
END_TEST

START_TEST(bad_cells_report_line_and_column) {
    const char *p = path_("results.csv");
    char text[8192];
    // The reader takes files from before spec_hash too (23 columns).
    // line 3, test_accuracy starts after "iris,rfm,1,a=1,0.9," = column 20
    snprintf(text, sizeof text, "%s%s", OLD_RESULTS_HEADER_,
             "iris,rfm,0,a=1,0.9,0.8,,1,1,1,2,0.1,0.1,1.0,1,0,ok,,,,0.5,x,\n"
             "iris,rfm,1,a=1,0.9,abc,,1,1,1,2,0.1,0.1,1.0,1,0,ok,,,,0.5,x,\n");
    fixture_write_text(p, text);
    hx_result_row *rows = NULL;
    size_t n = 0;
    rfm_error err = {0};
    char want[4300];
    ck_assert_int_eq(hx_results_read(p, &rows, &n, &err), RFM_EFORMAT);
    snprintf(want, sizeof want, "%s:3:20: column 'test_accuracy': 'abc' is not a number", p);
    ck_assert_str_eq(err.msg, want);
    ck_assert_ptr_null(rows);
    // a short record: field count against the header's 23
    snprintf(text, sizeof text, "%s\n%s", OLD_RESULTS_HEADER_, "iris,rfm,0\n");
    fixture_write_text(p, text);
    ck_assert_int_eq(hx_results_read(p, &rows, &n, &err), RFM_EFORMAT);
    snprintf(want, sizeof want, "%s:3: 3 fields, the header has 23", p); // line 2 is blank
    ck_assert_str_eq(err.msg, want);
    // a stray quote inside an unquoted field
    snprintf(text, sizeof text, "%s%s", OLD_RESULTS_HEADER_, "iris,r\"fm,0\n");
    fixture_write_text(p, text);
    ck_assert_int_eq(hx_results_read(p, &rows, &n, &err), RFM_EFORMAT);
    snprintf(want, sizeof want, "%s:2:7: quote inside an unquoted field", p);
    ck_assert_str_eq(err.msg, want);
}
END_TEST

// Values of the right type that interfaces.md rules out: a negative fold, a status other than
// ok / failed, a test_accuracy that is not a fraction. Line 3 holds the bad value at column col.
static void contract_fails_(const char *line3, unsigned col, const char *what) {
    const char *p = path_("results.csv");
    char text[8192], want[4300];
    snprintf(text, sizeof text, "%s%s%s\n", OLD_RESULTS_HEADER_,
             "iris,rfm,0,a=1,0.9,0.8,,1,1,1,2,0.1,0.1,1.0,1,0,ok,,,,0.5,x,\n", line3);
    fixture_write_text(p, text);
    hx_result_row *rows = NULL;
    size_t n = 0;
    rfm_error err = {0};
    ck_assert_int_eq(hx_results_read(p, &rows, &n, &err), RFM_EFORMAT);
    snprintf(want, sizeof want, "%s:3:%u: %s", p, col, what);
    ck_assert_str_eq(err.msg, want);
    ck_assert_ptr_null(rows);
}

START_TEST(rows_the_contract_rules_out_report_line_and_column) {
    // fold starts at column 10 ("iris,rfm,"), test_accuracy at 20, status at 49.
    contract_fails_("iris,rfm,-1,a=1,0.9,0.8,,1,1,1,2,0.1,0.1,1.0,1,0,ok,,,,0.5,x,", 10,
                    "column 'fold': '-1' must be >= 0 (it counts from 0)");
    contract_fails_("iris,rfm,1,a=1,0.9,1.5,,1,1,1,2,0.1,0.1,1.0,1,0,ok,,,,0.5,x,", 20,
                    "column 'test_accuracy': '1.5' is outside [0, 1]");
    contract_fails_("iris,rfm,1,a=1,0.9,-0.1,,1,1,1,2,0.1,0.1,1.0,1,0,ok,,,,0.5,x,", 20,
                    "column 'test_accuracy': '-0.1' is outside [0, 1]");
    contract_fails_("iris,rfm,1,a=1,0.9,nan,,1,1,1,2,0.1,0.1,1.0,1,0,ok,,,,0.5,x,", 20,
                    "column 'test_accuracy': 'nan' is not a finite number");
    contract_fails_("iris,rfm,1,a=1,0.9,inf,,1,1,1,2,0.1,0.1,1.0,1,0,ok,,,,0.5,x,", 20,
                    "column 'test_accuracy': 'inf' is not a finite number");
    contract_fails_("iris,rfm,1,a=1,0.9,0.8,,1,1,1,2,0.1,0.1,1.0,1,0,done,,,,0.5,x,", 49,
                    "column 'status': 'done' is not ok or failed");
    contract_fails_("iris,rfm,1,a=1,0.9,0.8,,1,1,1,2,0.1,0.1,1.0,1,0,,,,,0.5,x,", 49,
                    "column 'status': '' is not ok or failed");
    // The bounds themselves, an empty accuracy (regression, failed fold) and 'failed' are valid.
    const char *p = path_("results.csv");
    char text[8192];
    snprintf(text, sizeof text, "%s%s", OLD_RESULTS_HEADER_,
             "iris,rfm,0,a=1,0.9,0,,1,1,1,2,0.1,0.1,1.0,1,0,ok,,,,0.5,x,\n"
             "iris,rfm,1,a=1,0.9,1,,1,1,1,2,0.1,0.1,1.0,1,0,ok,,,,0.5,x,\n"
             "iris,rfm,2,a=1,,,,1,1,1,2,,,,1,0,failed,boom,,,0.5,x,\n"
             "reg,rfm,0,a=1,0.9,,0.25,1,1,1,,0.1,0.1,1.0,1,0,ok,,,,,x,\n");
    fixture_write_text(p, text);
    hx_result_row *rows = NULL;
    size_t n = 0;
    rfm_error err = {0};
    ck_assert_msg(hx_results_read(p, &rows, &n, &err) == RFM_OK, "%s", err.msg);
    ck_assert_uint_eq(n, 4);
    ck_assert(rows[0].test_accuracy == 0 && rows[1].test_accuracy == 1);
    ck_assert(isnan(rows[2].test_accuracy) && isnan(rows[3].test_accuracy));
    ck_assert_str_eq(rows[2].status, "failed");
    hx_result_rows_free(rows, n);
}
END_TEST

// Another tool's file: CRLF endings, a BOM, only the 18 required columns.
START_TEST(required_columns_alone_with_crlf_are_read) {
    const char *p = path_("results.csv");
    fixture_write_text(p, "\xEF\xBB\xBF"
                          "dataset,model,fold,params,val_score,test_accuracy,test_rmse,"
                          "n_train,n_test,n_features,n_classes,fit_seconds,predict_seconds,"
                          "peak_rss_mb,threads,seed,status,error\r\n"
                          "iris,svm,3,C=1,0.5,0.25,,10,5,4,3,1.5,0.5,12,1,7,ok,\"\"\r\n");
    hx_result_row *rows = NULL;
    size_t n = 0;
    rfm_error err = {0};
    ck_assert_msg(hx_results_read(p, &rows, &n, &err) == RFM_OK, "%s", err.msg);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(rows[0].dataset, "iris");
    ck_assert_str_eq(rows[0].error, "");
    ck_assert_int_eq(rows[0].fold, 3);
    ck_assert(rows[0].test_accuracy == 0.25);
    ck_assert(rows[0].seed == 7);
    ck_assert(isnan(rows[0].majority_accuracy));
    ck_assert_str_eq(rows[0].selected, "");
    hx_result_rows_free(rows, n);
}
END_TEST

START_TEST(cv_rows_round_trip_and_kinds_do_not_mix) {
    const char *p = path_("cv_results.csv");
    hx_appender *a = NULL;
    rfm_error err = {0};
    ck_assert_int_eq(hx_results_open(p, HX_KIND_CV, &a, &err), RFM_OK);
    hx_cv_row c = hx_cv_row_init();
    c.dataset = "iris";
    c.model = "rfm";
    c.candidate = 7;
    c.params = "normalize=false;reg=10";
    c.mean_val_score = 0.96;
    c.rank_val_score = 1;
    c.mean_fit_seconds = 0.25;
    c.status = "ok";
    c.iter = 2;
    ck_assert_int_eq(hx_results_append_cv(a, &c, &err), RFM_OK);
    hx_result_row r = sample_row_(0);
    ck_assert_int_eq(hx_results_append_row(a, &r, &err), RFM_EINVAL);
    hx_results_close(a);
    char *s = fixture_slurp(p, NULL);
    const char *want = "dataset,model,candidate,params,mean_val_score,rank_val_score,"
                       "mean_fit_seconds,status,iter,error,param_hash,spec_hash\n"
                       "iris,rfm,7,normalize=false;reg=10,0.96,1,0.250,ok,2,,";
    ck_assert_msg(strncmp(s, want, strlen(want)) == 0, "file: %s", s);
    const char *hash = s + strlen(want); // 16 hex digits, the empty spec_hash, the line end
    ck_assert_uint_eq(strspn(hash, "0123456789abcdef"), 16);
    ck_assert_str_eq(hash + 16, ",\n");
    free(s);
}
END_TEST

START_TEST(cv_reader_returns_what_was_written) {
    const char *p = path_("cv_results.csv");
    hx_appender *a = NULL;
    rfm_error err = {0};
    ck_assert_int_eq(hx_results_open(p, HX_KIND_CV, &a, &err), RFM_OK);
    hx_cv_row c = hx_cv_row_init();
    c.dataset = "d";
    c.model = "m";
    c.candidate = 0;
    c.params = "k=v";
    c.status = "failed";
    c.error = "singular, \"badly\"";
    ck_assert_int_eq(hx_results_append_cv(a, &c, &err), RFM_OK);
    hx_results_close(a);
    hx_cv_row *rows = NULL;
    size_t n = 0;
    ck_assert_msg(hx_cv_read(p, &rows, &n, NULL, &err) == RFM_OK, "%s", err.msg);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(rows[0].error, "singular, \"badly\"");
    ck_assert_int_eq(rows[0].rank_val_score, -1);
    ck_assert_int_eq(rows[0].iter, -1);
    ck_assert(isnan(rows[0].mean_val_score));
    ck_assert_str_eq(rows[0].param_hash, "3d0a411935b82599"); // FNV-1a 64 of "k=v"
    hx_cv_rows_free(rows, n);
}
END_TEST

static Suite *suite_(void) {
    Suite *s = suite_create("results");
    TCase *tc = tcase_create("files");
    tcase_add_checked_fixture(tc, setup_, NULL);
    tcase_add_test(tc, param_hash_column_is_fnv1a_64_of_params);
    tcase_add_test(tc, write_field_quotes_only_when_needed);
    tcase_add_test(tc, appended_file_starts_with_the_interface_header);
    tcase_add_test(tc, quoting_and_numbers_round_trip_through_the_reader);
    tcase_add_test(tc, torn_last_line_is_ignored_on_read);
    tcase_add_test(tc, append_open_cuts_a_torn_tail_before_writing);
    tcase_add_test(tc, append_open_upgrades_a_file_without_spec_hash);
    tcase_add_test(tc, wrong_header_is_rejected_at_line_1);
    tcase_add_test(tc, bad_cells_report_line_and_column);
    tcase_add_test(tc, rows_the_contract_rules_out_report_line_and_column);
    tcase_add_test(tc, required_columns_alone_with_crlf_are_read);
    tcase_add_test(tc, cv_rows_round_trip_and_kinds_do_not_mix);
    tcase_add_test(tc, cv_reader_returns_what_was_written);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return fixture_run(suite_()); }
