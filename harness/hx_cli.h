/* hx_cli.h - the small subcommands: `datasets` (hx_cli.c), `fit` and `predict` (hx_fitcli.c);
 * argv[0] is the command name.
 * Each returns the process exit code (0 ok, 1 bad input or failure, 2 usage). */
#ifndef HX_CLI_H
#define HX_CLI_H

int hx_cmd_datasets(int argc, char **argv);
int hx_cmd_fit(int argc, char **argv);
int hx_cmd_predict(int argc, char **argv);

#endif
