/* test_csv.c - the delimited-text reader (hx_csv): quoting, line endings, delimiters, headers,
 * line numbers, and the one-line errors, on small files in tests/data. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "hx_csv.h"

static hx_csv *read_ok_(const char *rel, char delim, int header) {
    hx_csv *t = NULL;
    rfm_error err = {0};
    rfm_status st = hx_csv_read(fixture_src(rel), delim, header, &t, &err);
    ck_assert_msg(st == RFM_OK, "%s: %s", rel, err.msg);
    return t;
}

// The error message must end with the expected text after the file path.
static void read_fails_(const char *rel, char delim, int header, rfm_status code,
                        const char *suffix) {
    hx_csv *t = (hx_csv *)1;
    rfm_error err = {0};
    const char *path = fixture_src(rel);
    char want[4096];
    snprintf(want, sizeof want, "%s%s", path, suffix);
    ck_assert_int_eq(hx_csv_read(path, delim, header, &t, &err), code);
    ck_assert_ptr_null(t);
    ck_assert_str_eq(err.msg, want);
}

START_TEST(quoted_fields_keep_commas_doubled_quotes_and_crlf_newlines) {
    hx_csv *t = read_ok_("tests/data/quoted_crlf.csv", ',', 1);
    ck_assert_uint_eq(t->n_rows, 2);
    ck_assert_uint_eq(t->n_cols, 3);
    ck_assert_str_eq(hx_csv_name(t, 0), "name");
    ck_assert_str_eq(hx_csv_name(t, 2), "y"); // no '\r' left from the CRLF
    ck_assert_str_eq(hx_csv_cell(t, 0, 0), "Smith, J");
    ck_assert_str_eq(hx_csv_cell(t, 0, 1), "said \"hi\"");
    ck_assert_str_eq(hx_csv_cell(t, 0, 2), "a");
    ck_assert_str_eq(hx_csv_cell(t, 1, 1), "two\r\nlines"); // quoted newlines are data
    ck_assert_str_eq(hx_csv_cell(t, 1, 2), "b");
    ck_assert_uint_eq(hx_csv_line(t, 0), 2);
    ck_assert_uint_eq(hx_csv_line(t, 1), 3);
    hx_csv_free(t);
}
END_TEST

START_TEST(semicolon_file_without_header_skips_blank_lines_and_counts_lines) {
    hx_csv *t = read_ok_("tests/data/semicolon_noheader.csv", ';', 0);
    ck_assert_uint_eq(t->n_rows, 3);
    ck_assert_uint_eq(t->n_cols, 3);
    ck_assert_ptr_null(hx_csv_name(t, 0));
    ck_assert_str_eq(hx_csv_cell(t, 0, 0), "1.5");
    ck_assert_str_eq(hx_csv_cell(t, 1, 1), "y");
    ck_assert_str_eq(hx_csv_cell(t, 2, 0), "3.5");
    ck_assert_uint_eq(hx_csv_line(t, 0), 1);
    ck_assert_uint_eq(hx_csv_line(t, 2), 4); // line 3 is blank
    hx_csv_free(t);
}
END_TEST

START_TEST(tab_delimiter_keeps_quoted_spaces_and_inner_spaces) {
    hx_csv *t = read_ok_("tests/data/tab.tsv", '\t', 1);
    ck_assert_uint_eq(t->n_rows, 1);
    ck_assert_uint_eq(t->n_cols, 2);
    ck_assert_str_eq(hx_csv_name(t, 1), "b");
    ck_assert_str_eq(hx_csv_cell(t, 0, 0), " 1 ");
    ck_assert_str_eq(hx_csv_cell(t, 0, 1), "x y");
    hx_csv_free(t);
}
END_TEST

START_TEST(the_same_file_read_with_the_wrong_delimiter_has_one_column) {
    hx_csv *t = read_ok_("tests/data/semicolon_noheader.csv", ',', 0);
    ck_assert_uint_eq(t->n_cols, 1);
    ck_assert_str_eq(hx_csv_cell(t, 1, 0), "2.5;y;1");
    hx_csv_free(t);
}
END_TEST

START_TEST(a_short_row_is_reported_with_its_line_and_field_counts) {
    read_fails_("tests/data/ragged.csv", ',', 1, RFM_EFORMAT,
                ":3:3: row has 2 fields, expected 3");
}
END_TEST

START_TEST(an_empty_file_is_an_error) {
    read_fails_("tests/data/empty.csv", ',', 1, RFM_EFORMAT, ": empty file");
    read_fails_("tests/data/empty.csv", ',', 0, RFM_EFORMAT, ": empty file");
}
END_TEST

START_TEST(a_header_without_rows_and_a_missing_file_are_errors) {
    const char *dir = fixture_tmpdir("csv");
    char path[4096];
    snprintf(path, sizeof path, "%s/only_header.csv", dir);
    FILE *f = fopen(path, "w");
    fputs("a,b\n", f);
    fclose(f);
    hx_csv *t = NULL;
    rfm_error err = {0};
    ck_assert_int_eq(hx_csv_read(path, ',', 1, &t, &err), RFM_EFORMAT);
    ck_assert_ptr_nonnull(strstr(err.msg, ": no data rows after the header"));
    snprintf(path, sizeof path, "%s/nope.csv", dir);
    ck_assert_int_eq(hx_csv_read(path, ',', 1, &t, &err), RFM_EIO);
    ck_assert_ptr_nonnull(strstr(err.msg, "nope.csv: cannot open"));
}
END_TEST

START_TEST(a_stray_quote_in_an_unquoted_field_is_reported_with_its_column) {
    const char *dir = fixture_tmpdir("csv");
    char path[4096], want[4200];
    snprintf(path, sizeof path, "%s/bad_quote.csv", dir);
    FILE *f = fopen(path, "w");
    fputs("a,b\n1,2\n3,x\"y\n", f); // the quote is character 4 of line 3
    fclose(f);
    hx_csv *t = NULL;
    rfm_error err = {0};
    ck_assert_int_eq(hx_csv_read(path, ',', 1, &t, &err), RFM_EFORMAT);
    snprintf(want, sizeof want, "%s:3:4: malformed quoted field", path);
    ck_assert_str_eq(err.msg, want);
}
END_TEST

START_TEST(an_unterminated_quote_names_the_line_where_the_row_starts) {
    const char *dir = fixture_tmpdir("csv");
    char path[4096], want[4200];
    snprintf(path, sizeof path, "%s/open_quote.csv", dir);
    FILE *f = fopen(path, "w");
    fputs("a,b\n1,2\n3,\"never closed\n4,5\n", f);
    fclose(f);
    hx_csv *t = NULL;
    rfm_error err = {0};
    ck_assert_int_eq(hx_csv_read(path, ',', 1, &t, &err), RFM_EFORMAT);
    snprintf(want, sizeof want, "%s:3:1: unterminated quoted field", path);
    ck_assert_str_eq(err.msg, want);
}
END_TEST

START_TEST(a_long_file_keeps_every_row_and_line_across_read_chunks) {
    // 20000 rows of ~12 bytes span several 64 KiB read chunks; row r holds r and 3r.
    const char *dir = fixture_tmpdir("csv");
    char path[4096];
    snprintf(path, sizeof path, "%s/long.csv", dir);
    FILE *f = fopen(path, "w");
    fputs("i,j\n", f);
    for (int r = 0; r < 20000; r++) fprintf(f, "%d,%d\n", r, 3 * r);
    fclose(f);
    hx_csv *t = NULL;
    rfm_error err = {0};
    ck_assert_int_eq(hx_csv_read(path, ',', 1, &t, &err), RFM_OK);
    ck_assert_uint_eq(t->n_rows, 20000);
    for (size_t r = 0; r < 20000; r += 997) {
        char want[32];
        snprintf(want, sizeof want, "%zu", 3 * r);
        ck_assert_str_eq(hx_csv_cell(t, r, 1), want);
        ck_assert_uint_eq(hx_csv_line(t, r), r + 2);
    }
    hx_csv_free(t);
}
END_TEST

int main(void) {
    Suite *s = suite_create("hx_csv");
    TCase *tc = tcase_create("reader");
    tcase_add_test(tc, quoted_fields_keep_commas_doubled_quotes_and_crlf_newlines);
    tcase_add_test(tc, semicolon_file_without_header_skips_blank_lines_and_counts_lines);
    tcase_add_test(tc, tab_delimiter_keeps_quoted_spaces_and_inner_spaces);
    tcase_add_test(tc, the_same_file_read_with_the_wrong_delimiter_has_one_column);
    tcase_add_test(tc, a_short_row_is_reported_with_its_line_and_field_counts);
    tcase_add_test(tc, an_empty_file_is_an_error);
    tcase_add_test(tc, a_header_without_rows_and_a_missing_file_are_errors);
    tcase_add_test(tc, a_stray_quote_in_an_unquoted_field_is_reported_with_its_column);
    tcase_add_test(tc, an_unterminated_quote_names_the_line_where_the_row_starts);
    tcase_add_test(tc, a_long_file_keeps_every_row_and_line_across_read_chunks);
    suite_add_tcase(s, tc);
    return fixture_run(s);
}
