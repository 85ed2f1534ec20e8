/* main.c - the rfmbench executable: dispatch to the subcommands of interfaces.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hx_board.h"
#include "hx_cli.h"
#include "hx_dnfa.h"
#include "hx_report.h"
#include "hx_run.h"

static int usage_(FILE *fp) {
    fprintf(fp,
            "usage: rfmbench COMMAND [options]   (rfmbench COMMAND --help for each)\n"
            "  run EXPERIMENT.yaml     run an experiment and write its run directory\n"
            "  leaderboard RESULTS.csv...  recompute leaderboard files from results\n"
            "  datasets PATH...        load and validate dataset descriptors\n"
            "  fit --data DATA --model OUT.rfm   fit one RFM (like LIBSVM's svm-train)\n"
            "  predict --model FILE --data DATA  predict with a fitted model\n"
            "  report RUN_DIR          plots and a report page for a run directory\n"
            "  dnfa EXPERIMENT.yaml    measure the Deep Neural Feature Ansatz of mlp models\n");
    return fp == stdout ? 0 : 2;
}

/* OpenBLAS's idle worker threads spin for about 2^28 cycles before they sleep, and while they
 * spin they compete for the cores with rfm's own threaded kernel pass that runs between BLAS
 * calls (measured: the 90-dataset UCI run took 85 s with the default and 76 s with 2^4). The
 * timeout is read from the environment only when the library loads, so set it and re-execute
 * once; a value the user set is kept. */
static void tune_openblas_(char **argv) {
    if (getenv("OPENBLAS_THREAD_TIMEOUT")) return;
    if (setenv("OPENBLAS_THREAD_TIMEOUT", "4", 1) != 0) return;
    execv("/proc/self/exe", argv); // returns only on failure: then run with the default
}

int main(int argc, char **argv) {
    if (argc < 2) return usage_(stderr);
    tune_openblas_(argv);
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help"))
        return usage_(stdout);
    if (!strcmp(cmd, "run")) return hx_cmd_run(argc - 1, argv + 1);
    if (!strcmp(cmd, "leaderboard")) return hx_cmd_leaderboard(argc - 1, argv + 1);
    if (!strcmp(cmd, "datasets")) return hx_cmd_datasets(argc - 1, argv + 1);
    if (!strcmp(cmd, "fit")) return hx_cmd_fit(argc - 1, argv + 1);
    if (!strcmp(cmd, "predict")) return hx_cmd_predict(argc - 1, argv + 1);
    if (!strcmp(cmd, "report")) return hx_cmd_report(argc - 1, argv + 1);
    if (!strcmp(cmd, "dnfa")) return hx_cmd_dnfa(argc - 1, argv + 1);
    fprintf(stderr, "rfmbench: unknown command '%s' (see rfmbench --help)\n", cmd);
    return 2;
}
