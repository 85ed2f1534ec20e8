/* hx_run.h - the `rfmbench run` subcommand (see hx_run.c). */
#ifndef HX_RUN_H
#define HX_RUN_H

/* argv[0] = "run". Returns the process exit code: 0 success, 1 a task failed or bad input,
 * 2 usage error. Prints one-line errors to stderr, progress to stderr, the leaderboard to
 * stdout. */
int hx_cmd_run(int argc, char **argv);

#endif
