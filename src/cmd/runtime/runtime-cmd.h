/* berth-runtime — what the verbs share: the global options, the command
   table entry, and runc's usage checks and messages.  */
#ifndef BERTH_CMD_RUNTIME_CMD_H
#define BERTH_CMD_RUNTIME_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/error.h"
#include "base/opts.h"
#include "runtime/runtime.h"

#define RCMD_PROG "berth-runtime"

struct rcmd_global
{
  struct runtime_ctx ctx;
  const char *root;
  const char *log;
  const char *log_format;
  const char *criu;     /* accepted, no checkpoint/restore */
  const char *rootless; /* accepted: true, false or auto */
  bool debug;
  bool systemd_cgroup;
  bool version;
  char **argv; /* the whole command line, for the sealed re-exec */
};

/* Commands that make a container process call this first: it re-execs the
   command line from a sealed copy of the binary (CVE-2019-5736).  */
int rcmd_seal_binary (struct rcmd_global *g, berth_error_t *err);

struct rcmd;

/* A verb: ARGV holds what follows its name.  Returns the exit code (>= 0)
   or < 0 with *err set (printed by main, exit 1).  */
typedef int (*rcmd_fn) (struct rcmd_global *g, const struct rcmd *cmd, int argc, char **argv,
                        berth_error_t *err);

struct rcmd
{
  const char *name;
  const char *usage;       /* one line after the name in help */
  const char *args_usage;  /* what follows [command options]; NULL: [arguments...] */
  const char *description; /* NULL: none */
  const struct opt_def *options;
  bool no_reorder; /* exec and ps pass the container's own flags on */
  rcmd_fn run;
};

extern const struct rcmd rcmd_create, rcmd_delete, rcmd_exec, rcmd_features, rcmd_kill, rcmd_list,
    rcmd_pause, rcmd_resume, rcmd_ps, rcmd_run, rcmd_spec, rcmd_start, rcmd_state, rcmd_update;

/* Print CMD's help as `runc CMD --help` does.  */
void rcmd_help (const struct rcmd *cmd, FILE *out);

/* Parse ARGV against CMD's options into DEST.  *ARGS gets the positional
   arguments (free the array only).  Returns 0, 1 when help was printed (exit
   0), or < 0 after printing runc's "Incorrect Usage: ..." and the help on
   stdout, with *err set.  */
int rcmd_parse (const struct rcmd *cmd, void *dest, int argc, char **argv, char ***args,
                uint64_t *seen, berth_error_t *err);

enum rcmd_nargs
{
  RCMD_EXACT,
  RCMD_MIN,
  RCMD_MAX,
};

/* runc's checkArgs: "Incorrect Usage." and the help on stdout, and
   `runc: "kill" requires a minimum of 1 argument(s)` in *err.  */
int rcmd_check_args (const struct rcmd *cmd, char **args, enum rcmd_nargs how, size_t n,
                     berth_error_t *err);

/* Set bit of option NAME in SEEN?  */
bool rcmd_seen (const struct rcmd *cmd, uint64_t seen, const char *name);

/* Write TEXT, then "\n" to stdout; < 0 on a write error.  */
int rcmd_print_line (const char *text, berth_error_t *err);

/* The create options shared by create and run.  */
struct rcmd_create_flags
{
  const char *bundle;
  const char *console_socket;
  const char *pid_file;
  bool no_pivot;
  bool no_new_keyring;
  bool no_subreaper;
  bool detach;
  bool keep;
  int preserve_fds;
};

struct runtime_create_opts;

/* create and run: parse ARGV into F and O (O's strings point into F and
   ARGS, which the caller frees), check the id, then re-exec sealed.
   Returns 0 to go on, 1 when help was printed, < 0 on error.  */
int rcmd_create_prepare (struct rcmd_global *g, const struct rcmd *cmd, int argc, char **argv,
                         struct rcmd_create_flags *f, char ***args, struct runtime_create_opts *o,
                         berth_error_t *err);

#endif
