/* test_rfm_io.c - Check suite for rfm_io.c: save -> load gives a bitwise identical model
 * (predictions, metric, params, history, best iteration, note); every truncation and every
 * corrupted byte fails with RFM_EFORMAT; a missing file or folder fails with RFM_EIO. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "fixture.h"
#include "rfm.h"

/* A corrupted size field may make the loader ask for a huge block: under AddressSanitizer such
 * requests must fail like plain malloc (NULL), and blocks over 256 MiB (the cap of the
 * corruption test below) are refused outright. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) {
    return "allocator_may_return_null=1:max_allocation_size_mb=256";
}

enum { DIRMAX_ = 4096, PATHMAX_ = 4200 }; // a folder name, and that plus a file name

// Small on purpose: the corruption tests rewrite and reload the file once per byte.
enum { N_ = 12, NV_ = 8, D_ = 3, C_ = 2, MZ_ = 25 };

// A small model: full metric with validation, row normalisation and the RMSE score, or the
// diagonal variant without validation (so val_score is NaN in its history).
static rfm_model *model_(int diag) {
    double X[N_ * D_], Y[N_ * C_], Xv[NV_ * D_], Yv[NV_ * C_];
    fixture_normal(X, N_ * D_, 1u);
    fixture_normal(Xv, NV_ * D_, 2u);
    for (size_t i = 0; i < N_ + NV_; i++) {
        const double *x = i < N_ ? X + i * D_ : Xv + (i - N_) * D_;
        double *y = i < N_ ? Y + i * C_ : Yv + (i - N_) * C_;
        y[0] = x[0] * x[0];
        y[1] = sin(x[1]) - x[2];
    }
    rfm_params p = rfm_params_default();
    p.kernel.bandwidth = 3.0;
    p.kernel.exponent = diag ? 1.5 : 1.0;
    p.iters = 3;
    p.diag = diag;
    p.normalize = !diag;
    p.score = RFM_SCORE_RMSE;
    p.seed = 12345;
    p.m_scale = diag ? RFM_MSCALE_MAX : RFM_MSCALE_MEAN;
    rfm_view xv = rfm_view_of(X, N_, D_), yv = rfm_view_of(Y, N_, C_);
    rfm_view vx = rfm_view_of(Xv, NV_, D_), vy = rfm_view_of(Yv, NV_, C_);
    rfm_model *mo = NULL;
    rfm_error err = {RFM_OK, ""};
    rfm_status st = rfm_fit(&p, NULL, &xv, &yv, diag ? NULL : &vx, diag ? NULL : &vy, &mo, &err);
    ck_assert_msg(st == RFM_OK, "fit: %s", err.msg);
    return mo;
}

static char *path_(char *buf, size_t size, const char *dir, const char *name) {
    snprintf(buf, size, "%s/%s", dir, name);
    return buf;
}

static void spit_(const char *path, const unsigned char *b, size_t len) {
    // A new file, not a truncated one: ext4 flushes files truncated and rewritten in place.
    remove(path);
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot write %s", path);
    ck_assert_msg(fwrite(b, 1, len, f) == len, "short write of %s", path);
    fclose(f);
}

// Bitwise equality of doubles, so that NaN equals NaN.
static int same_(const double *a, const double *b, size_t n) {
    return memcmp(a, b, n * sizeof *a) == 0;
}

// Remove the files a test made in dir (absent ones are fine), then dir itself.
static void cleanup_(const char *dir) {
    const char *names[] = {"m.rfm", "bad.rfm", "full.rfm", "diag.rfm"};
    char path[PATHMAX_];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        remove(path_(path, sizeof path, dir, names[i]));
    rmdir(dir);
}

START_TEST(save_then_load_gives_an_identical_model) {
    const char *dir = fixture_tmpdir("rfmio");
    ck_assert_ptr_nonnull(dir);
    char path[PATHMAX_], tmp[PATHMAX_ + 8];
    double Z[MZ_ * D_], a[MZ_ * C_], b[MZ_ * C_];
    fixture_normal(Z, MZ_ * D_, 3u);
    rfm_view zv = rfm_view_of(Z, MZ_, D_);
    for (int diag = 0; diag <= 1; diag++) {
        rfm_model *m = model_(diag), *l = NULL;
        rfm_error err = {RFM_OK, ""};
        path_(path, sizeof path, dir, diag ? "diag.rfm" : "full.rfm");
        ck_assert_msg(rfm_save(m, path, &err) == RFM_OK, "save: %s", err.msg);
        snprintf(tmp, sizeof tmp, "%s.tmp", path);
        ck_assert_msg(access(tmp, F_OK) != 0, "%s left behind", tmp);
        ck_assert_msg(rfm_load(path, &l, &err) == RFM_OK, "load: %s", err.msg);
        ck_assert_uint_eq(rfm_model_centres(l), rfm_model_centres(m));
        ck_assert_uint_eq(rfm_model_features(l), rfm_model_features(m));
        ck_assert_uint_eq(rfm_model_outputs(l), rfm_model_outputs(m));
        ck_assert_int_eq(rfm_model_best_iter(l), rfm_model_best_iter(m));
        ck_assert_str_eq(rfm_model_note(l), rfm_model_note(m));
        ck_assert_int_eq(rfm_predict(m, &zv, a, &err), RFM_OK);
        ck_assert_int_eq(rfm_predict(l, &zv, b, &err), RFM_OK);
        ck_assert_msg(same_(a, b, MZ_ * C_), "diag %d: predictions differ (max %.3g)", diag,
                      fixture_maxdiff(a, b, MZ_ * C_));
        size_t len = diag ? D_ : D_ * D_;
        ck_assert_msg(same_(rfm_model_metric(m), rfm_model_metric(l), len), "metric differs");
        const rfm_params *p = rfm_model_params(m), *q = rfm_model_params(l);
        ck_assert_msg(p->kernel.type == q->kernel.type &&
                          same_(&p->kernel.bandwidth, &q->kernel.bandwidth, 1) &&
                          same_(&p->kernel.exponent, &q->kernel.exponent, 1) &&
                          same_(&p->reg, &q->reg, 1) && p->iters == q->iters &&
                          p->diag == q->diag && p->m_scale == q->m_scale &&
                          p->agop_sample == q->agop_sample && p->normalize == q->normalize &&
                          p->seed == q->seed && p->score == q->score && p->jitter == q->jitter,
                      "diag %d: params differ", diag);
        size_t hm, hl;
        const rfm_iter_record *rm = rfm_model_history(m, &hm), *rl = rfm_model_history(l, &hl);
        ck_assert_uint_eq(hl, hm);
        for (size_t t = 0; t < hm; t++) {
            ck_assert_int_eq(rl[t].t, rm[t].t);
            ck_assert_msg(same_(&rl[t].val_score, &rm[t].val_score, 1) &&
                              same_(&rl[t].trace_m, &rm[t].trace_m, 1) &&
                              same_(&rl[t].kernel_seconds, &rm[t].kernel_seconds, 1) &&
                              same_(&rl[t].solve_seconds, &rm[t].solve_seconds, 1) &&
                              same_(&rl[t].agop_seconds, &rm[t].agop_seconds, 1) &&
                              same_(&rl[t].jitter, &rm[t].jitter, 1),
                          "diag %d: history record %zu differs", diag, t);
        }
        rfm_free(m);
        rfm_free(l);
    }
    cleanup_(dir);
}
END_TEST

// Save the full model into a fresh folder (copied into dir), return the file's bytes and the
// path of a scratch file next to it.
static unsigned char *saved_(char dir[DIRMAX_], char scratch[PATHMAX_], size_t *len) {
    const char *d = fixture_tmpdir("rfmio");
    ck_assert_ptr_nonnull(d);
    snprintf(dir, DIRMAX_, "%s", d);
    char path[PATHMAX_];
    rfm_model *m = model_(0);
    rfm_error err = {RFM_OK, ""};
    ck_assert_msg(rfm_save(m, path_(path, sizeof path, dir, "m.rfm"), &err) == RFM_OK, "%s",
                  err.msg);
    rfm_free(m);
    path_(scratch, PATHMAX_, dir, "bad.rfm");
    return (unsigned char *)fixture_slurp(path, len);
}

// Load path and expect RFM_EFORMAT with a message and no model; returns the status.
static rfm_status load_status_(const char *path, char *msg, size_t size) {
    rfm_model *l = (rfm_model *)&l;
    rfm_error err = {RFM_OK, ""};
    rfm_status st = rfm_load(path, &l, &err);
    snprintf(msg, size, "%s", err.msg);
    if (l != NULL && st == RFM_OK) rfm_free(l);
    ck_assert_msg(st == RFM_OK || l == NULL, "failed load left *out set");
    return st;
}

START_TEST(every_truncation_fails_with_eformat) {
    char dir[DIRMAX_], bad[PATHMAX_], msg[512];
    size_t len;
    unsigned char *b = saved_(dir, bad, &len);
    size_t wrong = 0, first = 0;
    rfm_status first_st = RFM_EFORMAT;
    for (size_t cut = 0; cut < len; cut++) {
        spit_(bad, b, cut);
        rfm_status st = load_status_(bad, msg, sizeof msg);
        if ((st != RFM_EFORMAT || !msg[0]) && wrong++ == 0) {
            first = cut;
            first_st = st;
        }
    }
    free(b);
    cleanup_(dir);
    ck_assert_msg(wrong == 0, "%zu of %zu truncations were not RFM_EFORMAT; first: %zu bytes, "
                  "%s", wrong, len, first, rfm_status_name(first_st));
}
END_TEST

START_TEST(a_corrupted_byte_fails_with_eformat) {
    char dir[DIRMAX_], bad[PATHMAX_], msg[512];
    size_t len;
    unsigned char *b = saved_(dir, bad, &len);
    // The magic, a byte in the middle of the payload, and the checksum's last byte.
    const size_t at[] = {0, len / 2, len - 1};
    rfm_status st[3];
    for (size_t i = 0; i < 3; i++) {
        b[at[i]] ^= 0x5a;
        spit_(bad, b, len);
        b[at[i]] ^= 0x5a;
        st[i] = load_status_(bad, msg, sizeof msg);
        if (!msg[0]) st[i] = RFM_OK; // an empty message counts as a failure too
    }
    free(b);
    cleanup_(dir);
    for (size_t i = 0; i < 3; i++)
        ck_assert_msg(st[i] == RFM_EFORMAT, "byte %zu of %zu corrupted: %s", at[i], len,
                      rfm_status_name(st[i]));
}
END_TEST

START_TEST(every_single_corrupted_byte_fails_with_eformat_without_huge_allocations) {
    char dir[DIRMAX_], bad[PATHMAX_], msg[512], first[1024] = "";
    size_t len, wrong = 0;
    unsigned char *b = saved_(dir, bad, &len);
#ifndef __SANITIZE_ADDRESS__
    // The file is about 1 KB, so loading it never needs a large block: cap this (forked) test's
    // address space at its current size + 256 MiB, so that a loader trusting a corrupted size
    // fails (and is reported) instead of allocating and clearing gigabytes.
    struct rlimit old, cap;
    getrlimit(RLIMIT_AS, &old);
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long pages = 0;
    if (f && fscanf(f, "%lu", &pages) == 1) {
        cap = old;
        cap.rlim_cur = (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE) + ((rlim_t)256 << 20);
        setrlimit(RLIMIT_AS, &cap);
    }
    if (f) fclose(f);
#endif
    for (size_t at = 0; at < len; at++) {
        for (int flip = 0; flip < 2; flip++) {
            unsigned char mask = flip ? 0xff : 0x01; // the lowest bit, and the whole byte
            b[at] ^= mask;
            spit_(bad, b, len);
            b[at] ^= mask;
            rfm_status st = load_status_(bad, msg, sizeof msg);
            if (st != RFM_EFORMAT || !msg[0]) {
                if (wrong++ < 4) {
                    size_t used = strlen(first);
                    snprintf(first + used, sizeof first - used, " [byte %zu ^ 0x%02x: %s '%s']",
                             at, mask, rfm_status_name(st), msg);
                }
            }
        }
    }
#ifndef __SANITIZE_ADDRESS__
    setrlimit(RLIMIT_AS, &old);
#endif
    free(b);
    cleanup_(dir);
    ck_assert_msg(wrong == 0, "%zu of %zu corruptions were not RFM_EFORMAT; first:%s", wrong,
                  2 * len, first);
}
END_TEST

START_TEST(missing_file_or_folder_fails_with_eio) {
    const char *dir = fixture_tmpdir("rfmio");
    ck_assert_ptr_nonnull(dir);
    char path[PATHMAX_];
    rfm_model *l = (rfm_model *)&l;
    rfm_error err = {RFM_OK, ""};
    ck_assert_int_eq(rfm_load(path_(path, sizeof path, dir, "absent.rfm"), &l, &err), RFM_EIO);
    ck_assert_msg(l == NULL && strstr(err.msg, "absent.rfm") != NULL, "load: '%s'", err.msg);
    rfm_model *m = model_(1);
    err.msg[0] = '\0';
    ck_assert_int_eq(rfm_save(m, path_(path, sizeof path, dir, "no/such/dir/m.rfm"), &err),
                     RFM_EIO);
    ck_assert_msg(err.msg[0] != '\0', "save into a missing folder: no message");
    rfm_free(m);
    cleanup_(dir);
}
END_TEST

static Suite *suite_(void) {
    Suite *s = suite_create("rfm_io");
    TCase *tc = tcase_create("io");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, save_then_load_gives_an_identical_model);
    tcase_add_test(tc, every_truncation_fails_with_eformat);
    tcase_add_test(tc, a_corrupted_byte_fails_with_eformat);
    tcase_add_test(tc, every_single_corrupted_byte_fails_with_eformat_without_huge_allocations);
    tcase_add_test(tc, missing_file_or_folder_fails_with_eio);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return fixture_run(suite_()); }
