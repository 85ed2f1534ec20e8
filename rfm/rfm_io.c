/* rfm_io.c - save and load a fitted model.
 *
 * File format "RFMMODEL" version 1, little-endian, all integers unsigned unless noted:
 *   magic "RFMMODEL" (8 bytes) | u32 version = 1 | u32 byte-order mark 0x01020304
 *   params: u32 kernel (0 laplace, 1 gaussian) | f64 bandwidth | f64 exponent | f64 reg |
 *           u32 iters | u32 diag | u32 m_scale (0 mean, 1 max) | u64 agop_sample |
 *           u32 normalize | u64 seed | u32 score (0 accuracy, 1 rmse, 2 r2) | u32 jitter
 *   u64 n | u64 d | u64 c | i32 best iteration | u64 history length h
 *   f64 X[n*d] (centres, already row-normalised when normalize = 1) | f64 A[n*c] |
 *   f64 M[d*d] (or M[d] when diag) | h records of 7 f64 (t, val_score, trace_m,
 *   kernel_seconds, solve_seconds, agop_seconds, jitter) | u32 note length | note bytes |
 *   u64 FNV-1a hash of every preceding byte (detects truncation and corruption).
 * Files are written to a temporary name and renamed, so a crash never leaves half a model. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rfm_impl.h"

#define MAGIC "RFMMODEL"
#define VERSION 1u
#define BOM 0x01020304u

typedef struct {
    FILE *f;
    uint64_t hash;
    int bad;
} stream_;

static void hash_(stream_ *s, const void *p, size_t len) {
    const unsigned char *b = p;
    for (size_t i = 0; i < len; i++) s->hash = (s->hash ^ b[i]) * 0x100000001b3ULL;
}

static void put_(stream_ *s, const void *p, size_t len) {
    if (s->bad || len == 0) return;
    if (fwrite(p, 1, len, s->f) != len) s->bad = 1;
    hash_(s, p, len);
}

static void get_(stream_ *s, void *p, size_t len) {
    if (s->bad || len == 0) return;
    if (fread(p, 1, len, s->f) != len) {
        s->bad = 1;
        memset(p, 0, len);
        return;
    }
    hash_(s, p, len);
}

#define PUT(s, v) put_((s), &(v), sizeof(v))
#define GET(s, v) get_((s), &(v), sizeof(v))

rfm_status rfm_save(const rfm_model *m, const char *path, rfm_error *err) {
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return rfm_fail(err, RFM_EINVAL, "%s: path too long", path);
    stream_ s = {fopen(tmp, "wb"), 0xcbf29ce484222325ULL, 0};
    if (!s.f) return rfm_fail(err, RFM_EIO, "%s: cannot write: %s", tmp, strerror(errno));
    const rfm_params *p = rfm_model_params(m);
    size_t n = rfm_model_centres(m), d = rfm_model_features(m), c = rfm_model_outputs(m), h;
    const rfm_iter_record *hist = rfm_model_history(m, &h);
    uint32_t version = VERSION, bom = BOM, kern = (uint32_t)p->kernel.type,
             iters = (uint32_t)p->iters, diag = (uint32_t)p->diag,
             mscale = (uint32_t)p->m_scale, norm = (uint32_t)p->normalize,
             score = (uint32_t)p->score, jit = (uint32_t)p->jitter;
    uint64_t sample = p->agop_sample, seed = p->seed, un = n, ud = d, uc = c, uh = h;
    int32_t best = rfm_model_best_iter(m);
    put_(&s, MAGIC, 8);
    PUT(&s, version);
    PUT(&s, bom);
    PUT(&s, kern);
    PUT(&s, p->kernel.bandwidth);
    PUT(&s, p->kernel.exponent);
    PUT(&s, p->reg);
    PUT(&s, iters);
    PUT(&s, diag);
    PUT(&s, mscale);
    PUT(&s, sample);
    PUT(&s, norm);
    PUT(&s, seed);
    PUT(&s, score);
    PUT(&s, jit);
    PUT(&s, un);
    PUT(&s, ud);
    PUT(&s, uc);
    PUT(&s, best);
    PUT(&s, uh);
    put_(&s, rfm_model_centres_data_(m), n * d * sizeof(double));
    put_(&s, rfm_model_coef_data_(m), n * c * sizeof(double));
    put_(&s, rfm_model_metric(m), (diag ? d : d * d) * sizeof(double));
    for (size_t i = 0; i < h; i++) {
        double rec[7] = {(double)hist[i].t,       hist[i].val_score,    hist[i].trace_m,
                         hist[i].kernel_seconds,  hist[i].solve_seconds, hist[i].agop_seconds,
                         hist[i].jitter};
        put_(&s, rec, sizeof rec);
    }
    const char *note = rfm_model_note(m);
    uint32_t nl = (uint32_t)strlen(note);
    PUT(&s, nl);
    put_(&s, note, nl);
    uint64_t sum = s.hash;
    if (!s.bad && fwrite(&sum, sizeof sum, 1, s.f) != 1) s.bad = 1;
    if (fclose(s.f) != 0) s.bad = 1;
    if (s.bad) {
        remove(tmp);
        return rfm_fail(err, RFM_EIO, "%s: write failed", tmp);
    }
    if (rename(tmp, path) != 0) {
        remove(tmp);
        return rfm_fail(err, RFM_EIO, "%s: cannot rename into place", path);
    }
    return RFM_OK;
}

rfm_status rfm_load(const char *path, rfm_model **out, rfm_error *err) {
    *out = NULL;
    stream_ s = {fopen(path, "rb"), 0xcbf29ce484222325ULL, 0};
    if (!s.f) return rfm_fail(err, RFM_EIO, "%s: cannot open", path);
    rfm_status st = RFM_OK;
    rfm_model *m = NULL;
    char magic[8];
    uint32_t version = 0, bom = 0, kern = 0, iters = 0, diag = 0, mscale = 0, norm = 0,
             score = 0, jit = 0, nl = 0;
    uint64_t sample = 0, seed = 0, un = 0, ud = 0, uc = 0, uh = 0, sum = 0;
    int32_t best = 0;
    rfm_params p = rfm_params_default();
    get_(&s, magic, 8);
    GET(&s, version);
    GET(&s, bom);
    if (s.bad || memcmp(magic, MAGIC, 8) != 0) {
        st = rfm_fail(err, RFM_EFORMAT, "%s: not an rfmbench model file", path);
        goto done;
    }
    if (version != VERSION || bom != BOM) {
        st = rfm_fail(err, RFM_EFORMAT, "%s: unsupported model version %u or byte order", path,
                      version);
        goto done;
    }
    GET(&s, kern);
    GET(&s, p.kernel.bandwidth);
    GET(&s, p.kernel.exponent);
    GET(&s, p.reg);
    GET(&s, iters);
    GET(&s, diag);
    GET(&s, mscale);
    GET(&s, sample);
    GET(&s, norm);
    GET(&s, seed);
    GET(&s, score);
    GET(&s, jit);
    GET(&s, un);
    GET(&s, ud);
    GET(&s, uc);
    GET(&s, best);
    GET(&s, uh);
    p.kernel.type = kern ? RFM_KERNEL_GAUSSIAN : RFM_KERNEL_LAPLACE;
    p.iters = (int)iters;
    p.diag = diag != 0;
    p.m_scale = mscale ? RFM_MSCALE_MAX : RFM_MSCALE_MEAN;
    p.agop_sample = (size_t)sample;
    p.normalize = norm != 0;
    p.seed = seed;
    p.score = score == 1 ? RFM_SCORE_RMSE : score == 2 ? RFM_SCORE_R2 : RFM_SCORE_ACCURACY;
    p.jitter = jit != 0;
    // Sizes beyond 2^40 entries cannot come from a real model: treat them as corruption.
    if (s.bad || kern > 1 || un == 0 || ud == 0 || uc == 0 || un > (1ULL << 40) / ud ||
        un > (1ULL << 40) / uc || ud > (1ULL << 20) || uh > 100000 || rfm_params_check(&p)) {
        st = rfm_fail(err, RFM_EFORMAT, "%s: corrupt model header", path);
        goto done;
    }
    size_t n = (size_t)un, d = (size_t)ud, c = (size_t)uc, h = (size_t)uh;
    // The header fixes the size of everything after it: compare with the file before
    // allocating, so a corrupted count is a format error, not a huge allocation.
    {
        long here = ftell(s.f);
        if (here < 0 || fseek(s.f, 0, SEEK_END) != 0) {
            st = rfm_fail(err, RFM_EIO, "%s: cannot seek", path);
            goto done;
        }
        long end = ftell(s.f);
        if (end < 0 || fseek(s.f, here, SEEK_SET) != 0) {
            st = rfm_fail(err, RFM_EIO, "%s: cannot seek", path);
            goto done;
        }
        uint64_t body = ((uint64_t)n * d + (uint64_t)n * c + (p.diag ? d : (uint64_t)d * d)) * 8u +
                        (uint64_t)h * 56u + 4u + 8u; // + note bytes (< 256)
        uint64_t rest = (uint64_t)(end - here);
        if (rest < body || rest > body + 255u) {
            st = rfm_fail(err, RFM_EFORMAT, "%s: truncated or corrupt model file (size)", path);
            goto done;
        }
    }
    if (!(m = rfm_model_new_(&p, n, d, c, h, err))) {
        st = err ? err->code : RFM_ENOMEM;
        goto done;
    }
    get_(&s, rfm_model_centres_mut_(m), n * d * sizeof(double));
    get_(&s, rfm_model_coef_mut_(m), n * c * sizeof(double));
    get_(&s, rfm_model_metric_mut_(m), (p.diag ? d : d * d) * sizeof(double));
    rfm_iter_record *hist = rfm_model_history_mut_(m);
    for (size_t i = 0; i < h; i++) {
        double rec[7] = {0, 0, 0, 0, 0, 0, 0};
        get_(&s, rec, sizeof rec);
        hist[i].t = (int)rec[0];
        hist[i].val_score = rec[1];
        hist[i].trace_m = rec[2];
        hist[i].kernel_seconds = rec[3];
        hist[i].solve_seconds = rec[4];
        hist[i].agop_seconds = rec[5];
        hist[i].jitter = rec[6];
    }
    GET(&s, nl);
    char note[256] = "";
    if (nl >= sizeof note) s.bad = 1;
    else get_(&s, note, nl);
    uint64_t expect = s.hash;
    if (!s.bad && fread(&sum, sizeof sum, 1, s.f) != 1) s.bad = 1;
    if (s.bad || sum != expect) {
        st = rfm_fail(err, RFM_EFORMAT, "%s: truncated or corrupt model file (checksum)", path);
        goto done;
    }
    rfm_model_set_(m, best, note);
    *out = m;
    m = NULL;
done:
    fclose(s.f);
    rfm_free(m);
    return st;
}
