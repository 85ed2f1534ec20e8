/* hx_dnfa.h - the `rfmbench dnfa` subcommand: train the fully connected networks (type: mlp) of
 * an experiment YAML on each of its datasets and measure the Deep Neural Feature Ansatz
 * (rfm-algorithm.md section 11) along the training curve and on the kept weights.
 *
 * Input: the experiment schema of `run` (hx_experiment.h); only models of type mlp are allowed.
 * Their params are mlp's (mdl_mlp.c) plus `record_every` (epochs between two measurements;
 * default --every, else 10). Each grid candidate is its own run.
 * Data: uci121 datasets train on the selection split's training line (conxuntos.dat line 1) and
 * stop early on its validation line; csv datasets hold out the descriptor's splits.validation
 * share (stratified, splits.seed). The preprocessing is fitted on the training rows only, and the
 * AGOP is averaged over all training rows.
 * Output: <out>/dnfa.csv (columns in hx_dnfa.c), one row per (dataset, model, candidate, hidden
 * layer, recorded epoch), appended and fsync'ed as each measurement finishes, plus rows with
 * kept = 1 for the weights training kept (the best validation epoch); <out>/run.yaml, the
 * resolved experiment. */
#ifndef HX_DNFA_H
#define HX_DNFA_H

/* argv[0] = "dnfa". Returns the exit code: 0 success, 1 a run failed or bad input, 2 usage.
 * One-line errors and progress go to stderr, the first-layer summary table to stdout. */
int hx_cmd_dnfa(int argc, char **argv);

#endif
