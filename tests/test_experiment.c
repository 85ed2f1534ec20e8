/* test_experiment.c - Check suite for hx_experiment: loading every key, dataset expansion
 * (globs, folders), candidate order and override de-duplication, log10 axes, params strings
 * and hashes, the write/load round trip, and the exact shape of each error message. Expected
 * values are written out by hand (paths come from realpath of folders the test creates). */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "hx_experiment.h"

enum { P_ = 2 * PATH_MAX }; // a folder of PATH_MAX plus a relative name always fits

// Write text to dir/rel, creating dir/rel's folder (one level) when needed.
static void put_(const char *dir, const char *rel, const char *text) {
    char p[P_];
    snprintf(p, sizeof p, "%s/%s", dir, rel);
    char *slash = strrchr(p, '/');
    *slash = '\0';
    mkdir(p, 0755);
    *slash = '/';
    FILE *fp = fopen(p, "w");
    ck_assert_msg(fp != NULL, "cannot create %s", p);
    fputs(text, fp);
    fclose(fp);
}

static const char *join_(char *buf, const char *a, const char *b) {
    snprintf(buf, P_, "%s/%s", a, b);
    return buf;
}

// A fresh folder by its real path, so that expected absolute paths can be spelled out.
static void tmp_(char *real, const char *tag) {
    const char *t = fixture_tmpdir(tag);
    ck_assert_ptr_nonnull(t);
    ck_assert_ptr_nonnull(realpath(t, real));
}

static hx_experiment *load_ok_(const char *path) {
    hx_experiment *e = NULL;
    rfm_error err = {0};
    rfm_status st = hx_experiment_load(path, &e, &err);
    ck_assert_msg(st == RFM_OK, "load %s: %s", path, err.msg);
    ck_assert_ptr_nonnull(e);
    return e;
}

static void strings_eq_(char *const *got, size_t n, const char *const *want, size_t m) {
    ck_assert_uint_eq(n, m);
    for (size_t i = 0; i < n; i++) ck_assert_str_eq(got[i], want[i]);
}

// The params strings of a model's candidates on dataset ds, against the expected list.
static void candidates_eq_(const hx_model_spec *m, const char *ds, const char *const *want,
                           size_t count) {
    hx_candidate *c = NULL;
    size_t n = 0;
    rfm_error err = {0};
    ck_assert_int_eq(hx_model_candidates(m, ds, &c, &n, &err), RFM_OK);
    ck_assert_uint_eq(n, count);
    for (size_t i = 0; i < n; i++) {
        char buf[512];
        hx_params_string(c[i].kv, c[i].n, buf, sizeof buf);
        ck_assert_msg(!strcmp(buf, want[i]), "candidate %zu: got %s, want %s", i, buf, want[i]);
    }
    hx_candidates_free(c, n);
}

START_TEST(full_experiment_sets_every_field) {
    char dir[PATH_MAX], b[P_];
    ck_assert_ptr_nonnull(realpath(fixture_src("tests/data"), dir));
    hx_experiment *e = load_ok_(fixture_src("tests/data/experiments/full.yaml"));
    ck_assert_str_eq(e->name, "full-exp");
    char want0[P_], want1[P_], want2[P_];
    snprintf(want0, sizeof want0, "%s/experiments/ds/iris.yaml", dir);
    snprintf(want1, sizeof want1, "%s/experiments/ds/wine.yaml", dir);
    snprintf(want2, sizeof want2, "%s/experiments/extra/balance-scale.yaml", dir);
    const char *want_ds[] = {want0, want1, want2};
    strings_eq_(e->datasets, e->n_datasets, want_ds, 3);
    ck_assert_uint_eq(e->max_rows, 5000);
    ck_assert_uint_eq(e->max_features, 64);
    const char *only[] = {"iris", "wine"}, *exclude[] = {"balance-scale"};
    strings_eq_(e->only, e->n_only, only, 2);
    strings_eq_(e->exclude, e->n_exclude, exclude, 1);
    ck_assert_int_eq(e->protocol, HX_PROTOCOL_UCI121);
    ck_assert_int_eq(e->metric, HX_METRIC_RMSE);
    ck_assert_uint_eq(e->seed, 42);
    ck_assert_int_eq(e->threads, 2);
    ck_assert_int_eq(e->jobs, 3);
    ck_assert_str_eq(e->output, join_(b, dir, "out/full"));
    ck_assert_uint_eq(e->n_models, 2);
    const hx_model_spec *m = &e->models[0];
    ck_assert_str_eq(m->name, "rfm");
    ck_assert_str_eq(m->type, "rfm");
    ck_assert_uint_eq(m->n_params, 3); // YAML order kept
    ck_assert_str_eq(m->params[0].key, "kernel");
    ck_assert_str_eq(m->params[0].value, "laplace");
    ck_assert_str_eq(m->params[1].key, "bandwidth");
    ck_assert_str_eq(m->params[1].value, "10");
    ck_assert_str_eq(m->params[2].key, "iters");
    ck_assert_str_eq(m->params[2].value, "5");
    ck_assert_uint_eq(m->n_grid, 2);
    ck_assert_str_eq(m->grid[0].key, "reg");
    const char *regs[] = {"10", "1", "0.1", "0.01", "0.001"}, *norms[] = {"true", "false"};
    strings_eq_(m->grid[0].values, m->grid[0].n_values, regs, 5);
    ck_assert_str_eq(m->grid[1].key, "normalize");
    strings_eq_(m->grid[1].values, m->grid[1].n_values, norms, 2);
    ck_assert_uint_eq(m->n_overrides, 1);
    ck_assert_str_eq(m->overrides[0].dataset, "balance-scale");
    ck_assert_uint_eq(m->overrides[0].n, 1);
    ck_assert_str_eq(m->overrides[0].kv[0].key, "normalize");
    ck_assert_str_eq(m->overrides[0].kv[0].value, "false");
    ck_assert_str_eq(e->models[1].name, "krr");
    ck_assert_str_eq(e->models[1].type, "krr");
    ck_assert_uint_eq(e->models[1].n_params, 0);
    ck_assert_uint_eq(e->models[1].n_overrides, 0);
    hx_experiment_free(e);
}
END_TEST

START_TEST(minimal_experiment_takes_the_defaults) {
    char dir[PATH_MAX], cwd[PATH_MAX], b[P_];
    ck_assert_ptr_nonnull(realpath(fixture_src("tests/data/experiments/ds"), dir));
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    hx_experiment *e = load_ok_(fixture_src("tests/data/experiments/minimal.yaml"));
    ck_assert_str_eq(e->name, "minimal");
    char w0[P_], w1[P_];
    const char *want[] = {join_(w0, dir, "iris.yaml"), join_(w1, dir, "wine.yaml")};
    strings_eq_(e->datasets, e->n_datasets, want, 2); // the folder entry, README.txt left out
    ck_assert_uint_eq(e->max_rows, 0);
    ck_assert_uint_eq(e->max_features, 0);
    ck_assert_uint_eq(e->n_only, 0);
    ck_assert_uint_eq(e->n_exclude, 0);
    ck_assert_int_eq(e->protocol, HX_PROTOCOL_CV);
    ck_assert_int_eq(e->metric, HX_METRIC_ACCURACY);
    ck_assert_uint_eq(e->seed, 0);
    ck_assert_int_eq(e->threads, 0);
    ck_assert_int_eq(e->jobs, 1);
    ck_assert_str_eq(e->output, join_(b, cwd, "results/minimal"));
    ck_assert_uint_eq(e->n_models, 1);
    ck_assert_str_eq(e->models[0].name, "rfm");
    ck_assert_uint_eq(e->models[0].n_grid, 0);
    hx_experiment_free(e);
}
END_TEST

// tmp/data: a.yaml b.yaml c.txt .hidden.yaml sub/d.yaml; the experiment lives in tmp/exp.
static void tree_(char *root, const char *tag) {
    tmp_(root, tag);
    put_(root, "data/b.yaml", "name: b\npath: b.csv\n"); // descriptors load; data need not exist
    put_(root, "data/a.yaml", "name: a\npath: a.csv\n");
    put_(root, "data/c.txt", "not a descriptor\n");
    put_(root, "data/.hidden.yaml", "name: hidden\npath: h.csv\n");
    put_(root, "data/sub/d.yaml", "name: d\npath: d.csv\n");
}

START_TEST(globs_expand_sorted_and_without_duplicates) {
    char root[PATH_MAX], p[P_], w0[P_], w1[P_];
    tree_(root, "exp-glob");
    put_(root, "exp/e.yaml", "datasets: [../data/a.yaml, ../data/*.yaml, '../data/[ab].yaml']\n"
                             "models: [{type: rfm}]\n");
    hx_experiment *e = load_ok_(join_(p, root, "exp/e.yaml"));
    const char *want[] = {join_(w0, root, "data/a.yaml"), join_(w1, root, "data/b.yaml")};
    strings_eq_(e->datasets, e->n_datasets, want, 2);
    hx_experiment_free(e);
    ck_assert_int_eq(fixture_rm_tree(root), 0);
}
END_TEST

START_TEST(folders_expand_to_their_yaml_files_only) {
    char root[PATH_MAX], p[P_], w0[P_], w1[P_], w2[P_];
    tree_(root, "exp-dir");
    put_(root, "exp/e.yaml", "datasets: [../data]\nmodels: [{type: rfm}]\n");
    hx_experiment *e = load_ok_(join_(p, root, "exp/e.yaml"));
    const char *two[] = {join_(w0, root, "data/a.yaml"), join_(w1, root, "data/b.yaml")};
    strings_eq_(e->datasets, e->n_datasets, two, 2); // not recursive: sub/d.yaml stays out
    hx_experiment_free(e);
    put_(root, "exp/e.yaml", "datasets: [../data/sub/, ../data]\nmodels: [{type: rfm}]\n");
    e = load_ok_(p);
    const char *three[] = {w0, w1, join_(w2, root, "data/sub/d.yaml")};
    strings_eq_(e->datasets, e->n_datasets, three, 3);
    hx_experiment_free(e);
    ck_assert_int_eq(fixture_rm_tree(root), 0);
}
END_TEST

START_TEST(candidates_follow_yaml_key_order_first_key_slowest) {
    hx_experiment *e = load_ok_(fixture_src("tests/data/experiments/full.yaml"));
    const char *want[] = {
        "bandwidth=10;iters=5;kernel=laplace;normalize=true;reg=10",
        "bandwidth=10;iters=5;kernel=laplace;normalize=false;reg=10",
        "bandwidth=10;iters=5;kernel=laplace;normalize=true;reg=1",
        "bandwidth=10;iters=5;kernel=laplace;normalize=false;reg=1",
        "bandwidth=10;iters=5;kernel=laplace;normalize=true;reg=0.1",
        "bandwidth=10;iters=5;kernel=laplace;normalize=false;reg=0.1",
        "bandwidth=10;iters=5;kernel=laplace;normalize=true;reg=0.01",
        "bandwidth=10;iters=5;kernel=laplace;normalize=false;reg=0.01",
        "bandwidth=10;iters=5;kernel=laplace;normalize=true;reg=0.001",
        "bandwidth=10;iters=5;kernel=laplace;normalize=false;reg=0.001",
    };
    candidates_eq_(&e->models[0], "iris", want, 10);
    candidates_eq_(&e->models[0], NULL, want, 10);
    // The kv list itself is sorted by key, not only its string form.
    hx_candidate *c = NULL;
    size_t n = 0;
    ck_assert_int_eq(hx_model_candidates(&e->models[0], "iris", &c, &n, NULL), RFM_OK);
    const char *keys[] = {"bandwidth", "iters", "kernel", "normalize", "reg"};
    ck_assert_uint_eq(c[0].n, 5);
    for (size_t i = 0; i < 5; i++) ck_assert_str_eq(c[0].kv[i].key, keys[i]);
    hx_candidates_free(c, n);
    hx_experiment_free(e);
}
END_TEST

START_TEST(balance_scale_override_leaves_five_distinct_candidates) {
    hx_experiment *e = load_ok_(fixture_src("tests/data/experiments/full.yaml"));
    const char *want[] = {
        "bandwidth=10;iters=5;kernel=laplace;normalize=false;reg=10",
        "bandwidth=10;iters=5;kernel=laplace;normalize=false;reg=1",
        "bandwidth=10;iters=5;kernel=laplace;normalize=false;reg=0.1",
        "bandwidth=10;iters=5;kernel=laplace;normalize=false;reg=0.01",
        "bandwidth=10;iters=5;kernel=laplace;normalize=false;reg=0.001",
    };
    candidates_eq_(&e->models[0], "balance-scale", want, 5);
    hx_experiment_free(e);
}
END_TEST

START_TEST(repeated_values_and_empty_grids_are_handled) {
    // A value repeated inside an axis yields its candidates once, at the first position.
    char root[PATH_MAX], p[P_];
    tree_(root, "exp-dup");
    put_(root, "e.yaml", "datasets: [data]\n"
                         "models: [{type: t, params: {c: 0}, grid: {a: [1, 2, 1], b: [x, y]}}]\n");
    hx_experiment *e = load_ok_(join_(p, root, "e.yaml"));
    const char *want[] = {"a=1;b=x;c=0", "a=1;b=y;c=0", "a=2;b=x;c=0", "a=2;b=y;c=0"};
    candidates_eq_(&e->models[0], "iris", want, 4);
    hx_experiment_free(e);
    ck_assert_int_eq(fixture_rm_tree(root), 0);
    // No grid: one candidate, the params with the override on top (a hand-built spec).
    hx_kv params[] = {{"z", "1"}, {"k", "laplace"}}, pin[] = {{"z", "2"}, {"n", "false"}};
    hx_override ov = {"d1", pin, 2};
    hx_model_spec m = {.name = "m", .type = "t", .params = params, .n_params = 2,
                       .overrides = &ov, .n_overrides = 1};
    const char *base[] = {"k=laplace;z=1"}, *pinned[] = {"k=laplace;n=false;z=2"};
    candidates_eq_(&m, "d2", base, 1);
    candidates_eq_(&m, "d1", pinned, 1);
}
END_TEST

START_TEST(log10_axes_expand_to_powers_of_ten_inclusive) {
    hx_experiment *e = load_ok_(fixture_src("tests/data/experiments/full.yaml"));
    const char *want[] = {"0.001", "0.01", "0.1", "1", "10"};
    strings_eq_(e->models[1].grid[0].values, e->models[1].grid[0].n_values, want, 5);
    const char *cands[] = {"bandwidth=0.001", "bandwidth=0.01", "bandwidth=0.1", "bandwidth=1",
                           "bandwidth=10"};
    candidates_eq_(&e->models[1], "iris", cands, 5);
    hx_experiment_free(e);
    // Descending, with a fractional step: 10^1, 10^0.5, ..., 10^-1 (%.10g of 10^±0.5).
    char root[PATH_MAX], p[P_];
    tree_(root, "exp-log");
    put_(root, "e.yaml", "datasets: [data]\n"
                         "models: [{type: krr, grid: {reg: {log10: [1, -1, -0.5]}}}]\n");
    e = load_ok_(join_(p, root, "e.yaml"));
    const char *down[] = {"10", "3.16227766", "1", "0.316227766", "0.1"};
    strings_eq_(e->models[0].grid[0].values, e->models[0].grid[0].n_values, down, 5);
    hx_experiment_free(e);
    ck_assert_int_eq(fixture_rm_tree(root), 0);
}
END_TEST

START_TEST(params_string_sorts_keys_and_truncates_safely) {
    hx_kv kv[] = {{"reg", "0.1"}, {"kernel", "laplace"}, {"bandwidth", "10"}};
    char buf[128];
    hx_params_string(kv, 3, buf, sizeof buf);
    ck_assert_str_eq(buf, "bandwidth=10;kernel=laplace;reg=0.1");
    hx_params_string(kv, 0, buf, sizeof buf);
    ck_assert_str_eq(buf, "");
    char small[8];
    memset(small, 'x', sizeof small);
    hx_params_string(kv, 3, small, sizeof small);
    ck_assert_str_eq(small, "bandwid"); // 7 characters and the terminator
}
END_TEST

START_TEST(params_hash_is_64bit_fnv1a) {
    // The first three are the published FNV-1a 64 test vectors; the last was computed with an
    // independent 5-line implementation.
    ck_assert_uint_eq(hx_params_hash(""), 0xcbf29ce484222325ull);
    ck_assert_uint_eq(hx_params_hash("a"), 0xaf63dc4c8601ec8cull);
    ck_assert_uint_eq(hx_params_hash("foobar"), 0x85944171f73967e8ull);
    char hex[17];
    hx_params_hash_hex("bandwidth=10;iters=5;kernel=laplace;normalize=true;reg=10", hex);
    ck_assert_str_eq(hex, "dc98d7ef024ee73d");
    hx_params_hash_hex("", hex);
    ck_assert_str_eq(hex, "cbf29ce484222325");
}
END_TEST

static void same_kv_(const hx_kv *a, size_t na, const hx_kv *b, size_t nb) {
    ck_assert_uint_eq(na, nb);
    for (size_t i = 0; i < na; i++) {
        ck_assert_str_eq(a[i].key, b[i].key);
        ck_assert_str_eq(a[i].value, b[i].value);
    }
}

START_TEST(written_experiment_loads_back_identically) {
    char root[PATH_MAX], p[P_];
    tmp_(root, "exp-write");
    join_(p, root, "run.yaml");
    put_(root, "run.yaml", "stale content, replaced atomically\n");
    hx_experiment *a = load_ok_(fixture_src("tests/data/experiments/full.yaml"));
    a->threads = 0; // "auto" must survive the trip too
    rfm_error err = {0};
    ck_assert_msg(hx_experiment_write(a, p, &err) == RFM_OK, "%s", err.msg);
    hx_experiment *b = load_ok_(p);
    ck_assert_str_eq(b->name, a->name);
    strings_eq_(b->datasets, b->n_datasets, (const char *const *)a->datasets, a->n_datasets);
    ck_assert_uint_eq(b->max_rows, a->max_rows);
    ck_assert_uint_eq(b->max_features, a->max_features);
    strings_eq_(b->only, b->n_only, (const char *const *)a->only, a->n_only);
    strings_eq_(b->exclude, b->n_exclude, (const char *const *)a->exclude, a->n_exclude);
    ck_assert_int_eq(b->protocol, a->protocol);
    ck_assert_int_eq(b->metric, a->metric);
    ck_assert_uint_eq(b->seed, a->seed);
    ck_assert_int_eq(b->threads, 0);
    ck_assert_int_eq(b->jobs, a->jobs);
    ck_assert_str_eq(b->output, a->output);
    ck_assert_uint_eq(b->n_models, a->n_models);
    for (size_t i = 0; i < a->n_models; i++) {
        const hx_model_spec *x = &a->models[i], *y = &b->models[i];
        ck_assert_str_eq(y->name, x->name);
        ck_assert_str_eq(y->type, x->type);
        same_kv_(x->params, x->n_params, y->params, y->n_params);
        ck_assert_uint_eq(y->n_grid, x->n_grid);
        for (size_t g = 0; g < x->n_grid; g++) {
            ck_assert_str_eq(y->grid[g].key, x->grid[g].key);
            strings_eq_(y->grid[g].values, y->grid[g].n_values,
                        (const char *const *)x->grid[g].values, x->grid[g].n_values);
        }
        ck_assert_uint_eq(y->n_overrides, x->n_overrides);
        for (size_t o = 0; o < x->n_overrides; o++) {
            ck_assert_str_eq(y->overrides[o].dataset, x->overrides[o].dataset);
            same_kv_(x->overrides[o].kv, x->overrides[o].n, y->overrides[o].kv, y->overrides[o].n);
        }
    }
    // Strings that YAML would read as null or as other types stay strings.
    hx_experiment_free(b);
    free(a->models[0].params[0].value);
    a->models[0].params[0].value = strdup("null");
    ck_assert_int_eq(hx_experiment_write(a, p, &err), RFM_OK);
    b = load_ok_(p);
    ck_assert_str_eq(b->models[0].params[0].value, "null");
    hx_experiment_free(b);
    hx_experiment_free(a);
    unlink(p);
    ck_assert_int_eq(rmdir(root), 0); // no temporary file was left behind
}
END_TEST

/* ---- errors: each input with the exact message it must produce ---------------------------- */

// Load `text` as tmp/bad.yaml next to a valid descriptor d/a.yaml; the load must fail with
// `<path>` followed by `suffix`.
static void fails_with_(const char *text, const char *suffix) {
    char root[PATH_MAX], p[P_], want[2 * P_];
    tmp_(root, "exp-bad");
    put_(root, "d/a.yaml", "name: a\npath: a.csv\n");
    put_(root, "bad.yaml", text);
    join_(p, root, "bad.yaml");
    snprintf(want, sizeof want, "%s%s", p, suffix);
    hx_experiment *e = (hx_experiment *)1;
    rfm_error err = {0};
    ck_assert_int_ne(hx_experiment_load(p, &e, &err), RFM_OK);
    ck_assert_ptr_null(e);
    ck_assert_str_eq(err.msg, want);
    ck_assert_int_eq(fixture_rm_tree(root), 0);
}

#define OK_ "datasets: [d/a.yaml]\nmodels: [{type: rfm}]\n"

START_TEST(syntax_errors_report_line_and_column) {
    // The second ':' of line 3 is at column 8.
    fails_with_("name: x\ndatasets: [d/a.yaml]\nseed: 1: 2\n",
                ":3:8: mapping values are not allowed in this context");
    // An unclosed flow list swallows `models` into a two-line plain scalar, so the parser
    // stops at the ':' after it (line 2, column 7).
    fails_with_("datasets: [d/a.yaml\nmodels: []\n", ":2:7: did not find expected ',' or ']'");
}
END_TEST

START_TEST(unknown_keys_are_named_by_their_path) {
    fails_with_(OK_ "metrc: rmse\n", ": metrc: unknown key");
    fails_with_("datasets: [d/a.yaml]\nmodels: [{type: rfm, prams: {}}]\n",
                ": models[0].prams: unknown key");
    fails_with_("datasets: [d/a.yaml]\n"
                "models:\n  - type: rfm\n  - type: krr\n    grid:\n      reg: {lg10: [-3, 1, 1]}\n",
                ": models[1].grid.reg.lg10: unknown key (expected log10)");
}
END_TEST

START_TEST(wrong_types_are_named_by_their_path) {
    fails_with_("datasets: {a: d/a.yaml}\nmodels: [{type: rfm}]\n",
                ": datasets: expected a list, got a map");
    fails_with_(OK_ "jobs: 1.5\n", ": jobs: expected an integer >= 1, got '1.5'");
    fails_with_(OK_ "threads: 0\n", ": threads: 0 must be in [1, 2147483647]");
    fails_with_(OK_ "protocol: loo\n", ": protocol: 'loo' is not one of cv, uci121");
    fails_with_("datasets: [d/a.yaml]\nmodels: [{type: rfm, grid: {reg: 3}}]\n",
                ": models[0].grid.reg: expected a list or {log10: [lo, hi, step]}, got a scalar");
    fails_with_("datasets: [d/a.yaml]\nmodels: [{type: rfm, params: {reg: [1, 2]}}]\n",
                ": models[0].params.reg: expected a value, got a list");
    fails_with_("datasets: [d/a.yaml]\nmodels: [{type: rfm}, {type: rfm}]\n",
                ": models[1].name: 'rfm' is already the name of models[0]");
    fails_with_("datasets: [d/a.yaml]\nmodels: [{name: x}]\n", ": models[0]: missing key 'type'");
    fails_with_("datasets: [d/a.yaml]\nmodels: []\n", ": models: expected at least one model");
    fails_with_("models: [{type: rfm}]\n",
                ": datasets: missing (a list of descriptor files, folders or globs)");
    fails_with_("- a\n- b\n", ": expected a map, got a list");
}
END_TEST

START_TEST(negative_reg_is_rejected_where_written) {
    fails_with_("datasets: [d/a.yaml]\nmodels:\n  - type: rfm\n"
                "    grid: {reg: [10, 1, -1], normalize: [true]}\n",
                ": models[0].grid.reg[2]: -1 must be >= 0");
    fails_with_("datasets: [d/a.yaml]\nmodels: [{type: rfm, params: {reg: -0.5}}]\n",
                ": models[0].params.reg: -0.5 must be >= 0");
    fails_with_("datasets: [d/a.yaml]\nmodels: [{type: rfm, overrides: {iris: {reg: -1e-3}}}]\n",
                ": models[0].overrides.iris.reg: -1e-3 must be >= 0");
}
END_TEST

START_TEST(missing_and_empty_files_fail_clearly) {
    char root[PATH_MAX], p[P_], want[2 * P_];
    tmp_(root, "exp-missing");
    join_(p, root, "nope.yaml");
    hx_experiment *e = NULL;
    rfm_error err = {0};
    ck_assert_int_eq(hx_experiment_load(p, &e, &err), RFM_EIO);
    snprintf(want, sizeof want, "%s: cannot open: No such file or directory", p);
    ck_assert_str_eq(err.msg, want);
    ck_assert_int_eq(fixture_rm_tree(root), 0);
    fails_with_("", ": the file is empty (expected a map with datasets and models)");
    fails_with_("# only a comment\n\n",
                ": the file is empty (expected a map with datasets and models)");
}
END_TEST

START_TEST(unmatched_glob_names_the_entry) {
    fails_with_("datasets: [d/a.yaml, nothing/*.yaml]\nmodels: [{type: rfm}]\n",
                ": datasets[1]: 'nothing/*.yaml' matches no descriptor");
    fails_with_("datasets: [d/missing.yaml]\nmodels: [{type: rfm}]\n",
                ": datasets[0]: 'd/missing.yaml' matches no descriptor");
}
END_TEST

START_TEST(two_descriptors_of_one_name_are_rejected_naming_both_files) {
    char root[PATH_MAX], p[P_], want[4 * P_];
    tmp_(root, "exp-samename");
    put_(root, "d/a.yaml", "name: same\npath: a.csv\n");
    put_(root, "d/b.yaml", "name: same\npath: b.csv\n");
    put_(root, "d/c.yaml", "name: c\npath: c.csv\n");
    put_(root, "e.yaml", "datasets: [d]\nmodels: [{type: rfm}]\n");
    hx_experiment *e = (hx_experiment *)1;
    rfm_error err = {0};
    ck_assert_int_eq(hx_experiment_load(join_(p, root, "e.yaml"), &e, &err), RFM_EFORMAT);
    ck_assert_ptr_null(e);
    snprintf(want, sizeof want, "%s: datasets: 'same' is the name of both %s/d/a.yaml and "
             "%s/d/b.yaml", p, root, root);
    ck_assert_str_eq(err.msg, want);
    // A name taken from the file name clashes the same way: d/c.yaml and x/c.yaml are both 'c'.
    put_(root, "d/b.yaml", "name: b\npath: b.csv\n");
    put_(root, "x/c.yaml", "path: c.csv\n");
    put_(root, "e.yaml", "datasets: [d, x/c.yaml]\nmodels: [{type: rfm}]\n");
    ck_assert_int_eq(hx_experiment_load(p, &e, &err), RFM_EFORMAT);
    snprintf(want, sizeof want, "%s: datasets: 'c' is the name of both %s/d/c.yaml and "
             "%s/x/c.yaml", p, root, root);
    ck_assert_str_eq(err.msg, want);
    ck_assert_int_eq(fixture_rm_tree(root), 0);
}
END_TEST

START_TEST(unknown_names_under_only_exclude_and_overrides_are_rejected) {
    fails_with_("datasets: [d/a.yaml]\nonly: [a, irs]\nmodels: [{type: rfm}]\n",
                ": only[1]: no such dataset 'irs'");
    fails_with_("datasets: [d/a.yaml]\nexclude: [irs]\nmodels: [{type: rfm}]\n",
                ": exclude[0]: no such dataset 'irs'");
    fails_with_("datasets: [d/a.yaml]\nmodels:\n  - type: rfm\n    overrides: {a: {reg: 1}}\n"
                "  - type: krr\n    overrides: {a: {reg: 1}, irs: {reg: 1}}\n",
                ": models[1].overrides.irs: no such dataset");
}
END_TEST

// Known means "has a descriptor": a dataset whose data file is absent (an unavailable uci121
// dataset, as connect-4 without its _R.dat) and one that max_rows / max_features leave out are
// both valid under only, exclude and overrides.
START_TEST(unavailable_and_size_filtered_datasets_are_known_names) {
    char root[PATH_MAX], p[P_];
    tmp_(root, "exp-known");
    put_(root, "d/a.yaml", "name: a\npath: a.csv\n");
    put_(root, "d/big.yaml", "name: big\nformat: uci121\npath: ../big\n");
    put_(root, "big/big.txt", "n_entradas= 30\nn_clases= 2\nfich1= big_R.dat\n"
                              "n_patrons1= 10000\nn_patrons_entrena= 5000\n"
                              "n_patrons_valida= 5000\n");
    put_(root, "e.yaml", "datasets: [d]\nmax_rows: 100\nmax_features: 2\nonly: [a, big]\n"
                         "exclude: [big]\nmodels: [{type: rfm, overrides: {big: {reg: 1}}}]\n");
    hx_experiment *e = load_ok_(join_(p, root, "e.yaml"));
    ck_assert_uint_eq(e->n_datasets, 2);
    hx_experiment_free(e);
    ck_assert_int_eq(fixture_rm_tree(root), 0);
}
END_TEST

// End to end: `rfmbench run` stops with exit 1 and the one line, before creating its output.
START_TEST(run_exits_1_on_a_repeated_or_unknown_dataset_name) {
    char root[PATH_MAX], p[P_], out[P_], errf[P_], want[4 * P_];
    tmp_(root, "exp-run");
    put_(root, "d/a.yaml", "name: a\npath: a.csv\n");
    put_(root, "d/b.yaml", "name: a\npath: b.csv\n");
    join_(p, root, "e.yaml"), join_(out, root, "out"), join_(errf, root, "stderr");
    for (int c = 0; c < 2; c++) {
        if (c == 0) {
            put_(root, "e.yaml", "datasets: [d]\nmodels: [{type: rfm}]\n");
            snprintf(want, sizeof want, "rfmbench: %s: datasets: 'a' is the name of both "
                     "%s/d/a.yaml and %s/d/b.yaml\n", p, root, root);
        } else {
            put_(root, "d/b.yaml", "name: b\npath: b.csv\n");
            put_(root, "e.yaml", "datasets: [d]\nexclude: [irs]\nmodels: [{type: rfm}]\n");
            snprintf(want, sizeof want, "rfmbench: %s: exclude[0]: no such dataset 'irs'\n", p);
        }
        int rc = fixture_sh("'%s' run '%s' --out '%s' >/dev/null 2>'%s'",
                            fixture_bin("rfmbench"), p, out, errf);
        ck_assert_int_eq(rc, 1);
        char *msg = fixture_slurp(errf, NULL);
        ck_assert_str_eq(msg, want);
        free(msg);
        ck_assert_msg(access(out, F_OK) != 0, "case %d: %s was created", c, out);
    }
    ck_assert_int_eq(fixture_rm_tree(root), 0);
}
END_TEST

int main(void) {
    Suite *s = suite_create("experiment");
    TCase *load = tcase_create("load");
    tcase_add_test(load, full_experiment_sets_every_field);
    tcase_add_test(load, minimal_experiment_takes_the_defaults);
    tcase_add_test(load, globs_expand_sorted_and_without_duplicates);
    tcase_add_test(load, folders_expand_to_their_yaml_files_only);
    tcase_add_test(load, written_experiment_loads_back_identically);
    suite_add_tcase(s, load);
    TCase *cand = tcase_create("candidates");
    tcase_add_test(cand, candidates_follow_yaml_key_order_first_key_slowest);
    tcase_add_test(cand, balance_scale_override_leaves_five_distinct_candidates);
    tcase_add_test(cand, repeated_values_and_empty_grids_are_handled);
    tcase_add_test(cand, log10_axes_expand_to_powers_of_ten_inclusive);
    tcase_add_test(cand, params_string_sorts_keys_and_truncates_safely);
    tcase_add_test(cand, params_hash_is_64bit_fnv1a);
    suite_add_tcase(s, cand);
    TCase *bad = tcase_create("errors");
    tcase_add_test(bad, syntax_errors_report_line_and_column);
    tcase_add_test(bad, unknown_keys_are_named_by_their_path);
    tcase_add_test(bad, wrong_types_are_named_by_their_path);
    tcase_add_test(bad, negative_reg_is_rejected_where_written);
    tcase_add_test(bad, missing_and_empty_files_fail_clearly);
    tcase_add_test(bad, unmatched_glob_names_the_entry);
    tcase_add_test(bad, two_descriptors_of_one_name_are_rejected_naming_both_files);
    tcase_add_test(bad, unknown_names_under_only_exclude_and_overrides_are_rejected);
    tcase_add_test(bad, unavailable_and_size_filtered_datasets_are_known_names);
    tcase_add_test(bad, run_exits_1_on_a_repeated_or_unknown_dataset_name);
    suite_add_tcase(s, bad);
    return fixture_run(s);
}
