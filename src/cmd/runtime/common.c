/* berth-runtime — help, flag parsing and argument checks shared by the verbs,
   worded and laid out as runc's (urfave/cli v1) so that scripts and callers
   parsing runc's output see the same thing.  */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/fs.h"
#include "runtime-cmd.h"

void
rcmd_help (const struct rcmd *cmd, FILE *out)
{
  bool has_opts = cmd->options && cmd->options[0].name;

  fprintf (out, "NAME:\n   %s %s - %s\n\nUSAGE:\n   %s %s%s %s\n", RCMD_PROG, cmd->name, cmd->usage,
           RCMD_PROG, cmd->name, has_opts ? " [command options]" : "",
           cmd->args_usage ? cmd->args_usage : "[arguments...]");
  if (cmd->description)
    fprintf (out, "\nDESCRIPTION:\n   %s\n", cmd->description);
  if (has_opts)
    {
      fputs ("\nOPTIONS:\n", out);
      opts_print_help (out, cmd->options);
      fputs ("   \n", out);
    }
  fflush (out);
}

int
rcmd_parse (const struct rcmd *cmd, void *dest, int argc, char **argv, char ***args, uint64_t *seen,
            berth_error_t *err)
{
  int r = opts_parse (cmd->options, dest, argc, argv, cmd->no_reorder ? 0 : OPTS_REORDER, args,
                      seen, err);
  if (r < 0)
    {
      printf ("Incorrect Usage: %s\n\n", (*err)->msg);
      rcmd_help (cmd, stdout);
      return r;
    }
  if (r == OPTS_HELP)
    {
      rcmd_help (cmd, stdout);
      return 1;
    }
  return 0;
}

int
rcmd_check_args (const struct rcmd *cmd, char **args, enum rcmd_nargs how, size_t n,
                 berth_error_t *err)
{
  size_t have = 0;
  const char *what = NULL;

  while (args && args[have])
    have++;
  if (how == RCMD_EXACT && have != n)
    what = "exactly";
  else if (how == RCMD_MIN && have < n)
    what = "a minimum of";
  else if (how == RCMD_MAX && have > n)
    what = "a maximum of";
  if (what == NULL)
    return 0;
  printf ("Incorrect Usage.\n\n");
  rcmd_help (cmd, stdout);
  return berth_make_error (err, 0, "%s: \"%s\" requires %s %zu argument(s)", RCMD_PROG, cmd->name,
                           what, n);
}

bool
rcmd_seen (const struct rcmd *cmd, uint64_t seen, const char *name)
{
  int i = opts_index (cmd->options, name);
  return i >= 0 && i < 64 && (seen & (UINT64_C (1) << i));
}

int
rcmd_print_line (const char *text, berth_error_t *err)
{
  if (fputs (text, stdout) == EOF || fputc ('\n', stdout) == EOF || fflush (stdout) == EOF)
    return berth_make_error (err, errno, "write to stdout");
  return 0;
}

int
rcmd_seal_binary (struct rcmd_global *g, berth_error_t *err)
{
  extern char **environ;
  return runtime_protect_self (g->argv, environ, err);
}

int
rcmd_create_prepare (struct rcmd_global *g, const struct rcmd *cmd, int argc, char **argv,
                     struct rcmd_create_flags *f, char ***args, struct runtime_create_opts *o,
                     berth_error_t *err)
{
  int r = rcmd_parse (cmd, f, argc, argv, args, NULL, err);

  if (r != 0)
    return r < 0 ? r : 1;
  if (rcmd_check_args (cmd, *args, RCMD_EXACT, 1, err) < 0)
    return -1;
  if (f->preserve_fds < 0)
    return berth_make_error (err, 0, "invalid --preserve-fds value %d", f->preserve_fds);
  *o = (struct runtime_create_opts){
    .id = (*args)[0],
    .bundle = f->bundle,
    .pid_file = f->pid_file,
    .console_socket = f->console_socket,
    .no_pivot = f->no_pivot,
    .no_new_keyring = f->no_new_keyring,
    .preserve_fds = f->preserve_fds,
    .detach = f->detach,
    .keep = f->keep,
  };
  if (runtime_id_validate (o->id, err) < 0)
    return -1;
  /* After the cheap checks: a usage error costs no re-exec.  */
  return rcmd_seal_binary (g, err);
}
