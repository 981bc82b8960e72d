/* berth-runtime — an OCI runtime with runc's command line:
     berth-runtime [global options] command [command options] [arguments...]
   Each verb is a file under runtime/; this file parses the global options,
   finds the verb, and reports its error the way runc does.  */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <seccomp.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "runtime/runtime-cmd.h"

#ifndef BERTH_VERSION
#define BERTH_VERSION "0.0.0"
#endif
#define OCI_SPEC_VERSION "1.2.0"

static const struct rcmd *const commands[] = {
  &rcmd_create, &rcmd_delete, &rcmd_exec,   &rcmd_kill,     &rcmd_list,
  &rcmd_pause,  &rcmd_ps,     &rcmd_resume, &rcmd_run,      &rcmd_spec,
  &rcmd_start,  &rcmd_state,  &rcmd_update, &rcmd_features, NULL,
};

#define G(field) offsetof (struct rcmd_global, field)

static const struct opt_def global_options[] = {
  { "debug", NULL, OPT_BOOL, G (debug), "enable debug logging", NULL },
  { "log", NULL, OPT_STRING, G (log),
    "set the log file to write " RCMD_PROG " logs to (default is '/dev/stderr')", NULL },
  { "log-format", NULL, OPT_STRING, G (log_format),
    "set the log format ('text' (default), or 'json')", "\"text\"" },
  { "root", NULL, OPT_STRING, G (root),
    "root directory for storage of container state (this should be located in tmpfs)",
    "\"" RUNTIME_DEFAULT_ROOT "\"" },
  { "criu", NULL, OPT_STRING, G (criu), "path to the criu binary used for checkpoint and restore",
    "\"criu\"" },
  { "systemd-cgroup", NULL, OPT_BOOL, G (systemd_cgroup),
    "enable systemd cgroup support, expects cgroupsPath to be of form \"slice:prefix:name\" for "
    "e.g. \"system.slice:" RCMD_PROG ":434234\"",
    NULL },
  { "rootless", NULL, OPT_STRING, G (rootless),
    "ignore cgroup permission errors ('true', 'false', or 'auto')", "\"auto\"" },
  { "version", "v", OPT_BOOL, G (version), "print the version", NULL },
  { NULL },
};

static void
print_version (void)
{
  const struct scmp_version *v = seccomp_version ();
  printf ("%s version %s\nspec: %s\n", RCMD_PROG, BERTH_VERSION, OCI_SPEC_VERSION);
  if (v)
    printf ("libseccomp: %u.%u.%u\n", v->major, v->minor, v->micro);
}

static void
print_app_help (FILE *out)
{
  fprintf (out,
           "NAME:\n   %s - Open Container Initiative runtime\n\n"
           "%s is a command line client for running applications packaged according to\n"
           "the Open Container Initiative (OCI) format and is a compliant implementation of the\n"
           "Open Container Initiative specification.\n\n"
           "Containers are configured using bundles. A bundle for a container is a directory\n"
           "that includes a specification file named \"config.json\" and a root filesystem.\n"
           "The root filesystem contains the contents of the container.\n\n"
           "To start a new instance of a container:\n\n"
           "    # %s run [ -b bundle ] <container-id>\n\n"
           "Where \"<container-id>\" is your name for the instance of the container that you\n"
           "are starting. The name you provide for the container instance must be unique on\n"
           "your host. Providing the bundle directory using \"-b\" is optional. The default\n"
           "value for \"bundle\" is the current directory.\n\n"
           "USAGE:\n   %s [global options] command [command options] [arguments...]\n\n"
           "VERSION:\n   %s\nspec: %s\n\nCOMMANDS:\n",
           RCMD_PROG, RCMD_PROG, RCMD_PROG, RCMD_PROG, BERTH_VERSION, OCI_SPEC_VERSION);
  for (size_t i = 0; commands[i]; i++)
    fprintf (out, "   %-9s  %s\n", commands[i]->name, commands[i]->usage);
  fprintf (out, "   %-9s  %s\n", "help, h", "Shows a list of commands or help for one command");
  fputs ("\nGLOBAL OPTIONS:\n", out);
  opts_print_help (out, global_options);
  fputs ("   --help, -h          show help\n", out);
  fflush (out);
}

/* Go's %q, as logrus quotes a message.  */
static void
print_quoted (FILE *out, const char *s)
{
  fputc ('"', out);
  for (const unsigned char *p = (const unsigned char *) s; *p; p++)
    {
      if (*p == '"' || *p == '\\')
        fprintf (out, "\\%c", *p);
      else if (*p == '\n')
        fputs ("\\n", out);
      else if (*p == '\t')
        fputs ("\\t", out);
      else if (*p == '\r')
        fputs ("\\r", out);
      else if (*p < 0x20 || *p == 0x7f)
        fprintf (out, "\\x%02x", *p);
      else
        fputc (*p, out);
    }
  fputc ('"', out);
}

/* The error of a failed command, as runc (logrus) prints it: the level and
   message to the log (json or text), and when the log is a file, the bare
   message on stderr too, so a caller reading stderr always sees it.  */
static void
report_error (const struct rcmd_global *g, const char *msg)
{
  bool json = g->log_format && strcmp (g->log_format, "json") == 0;

  if (g->log || json)
    log_error ("%s", msg);
  if (g->log)
    fprintf (stderr, "%s\n", msg);
  else if (!json && isatty (2))
    fprintf (stderr, "\033[31mERRO\033[0m[0000] %-44s\n", msg);
  else if (!json)
    {
      char when[64];
      time_t t = time (NULL);
      struct tm tm;
      localtime_r (&t, &tm);
      strftime (when, sizeof when, "%Y-%m-%dT%H:%M:%S%z", &tm);
      /* RFC 3339 offset: +0000 -> Z, +0100 -> +01:00.  */
      size_t n = strlen (when);
      if (strcmp (when + n - 5, "+0000") == 0)
        strcpy (when + n - 5, "Z");
      else
        memmove (when + n - 1, when + n - 2, 3), when[n - 2] = ':';
      fprintf (stderr, "time=\"%s\" level=error msg=", when);
      print_quoted (stderr, msg);
      fputc ('\n', stderr);
    }
  fflush (stderr);
}

static int
setup_logging (struct rcmd_global *g, berth_error_t *err)
{
  enum berth_log_format fmt = BERTH_LOG_TEXT;

  if (g->log_format && strcmp (g->log_format, "json") == 0)
    fmt = BERTH_LOG_JSON;
  else if (g->log_format && strcmp (g->log_format, "text") != 0)
    return berth_make_error (err, 0, "unknown log-format `%s`", g->log_format);
  if (berth_log_open (g->log, fmt) < 0)
    return berth_make_error (err, errno, "open log file `%s`", g->log);
  if (g->debug)
    berth_log_set_level (BERTH_LOG_DEBUG);
  g->ctx.root = g->root && *g->root ? g->root : RUNTIME_DEFAULT_ROOT;
  g->ctx.debug = g->debug;
  g->ctx.systemd_cgroup = g->systemd_cgroup;
  return 0;
}

static const struct rcmd *
find_command (const char *name)
{
  for (size_t i = 0; commands[i]; i++)
    if (strcmp (commands[i]->name, name) == 0)
      return commands[i];
  return NULL;
}

/* `help [command]`.  Returns the exit code.  */
static int
cmd_help (struct rcmd_global *g, char **args)
{
  const struct rcmd *c;
  if (args[0] == NULL)
    {
      print_app_help (stdout);
      return 0;
    }
  c = find_command (args[0]);
  if (c == NULL)
    {
      cleanup_free char *m = xasprintf ("No help topic for '%s'", args[0]);
      report_error (g, m);
      return 3;
    }
  rcmd_help (c, stdout);
  return 0;
}

static int
dispatch (struct rcmd_global *g, char **args, berth_error_t *err)
{
  const struct rcmd *c;
  int argc = 0;

  if (args[0] == NULL)
    {
      print_app_help (stdout);
      return 0;
    }
  if (strcmp (args[0], "help") == 0 || strcmp (args[0], "h") == 0)
    return cmd_help (g, args + 1);
  c = find_command (args[0]);
  if (c == NULL)
    {
      /* urfave/cli: an unknown command is a help topic not found, exit 3. */
      cleanup_free char *m = xasprintf ("No help topic for '%s'", args[0]);
      report_error (g, m);
      return 3;
    }
  while (args[argc + 1])
    argc++;
  return c->run (g, c, argc, args + 1, err);
}

int
main (int argc, char **argv)
{
  struct rcmd_global g = { .argv = argv };
  cleanup_free char **args = NULL;
  berth_error_t err = NULL;
  int r;

  r = opts_parse (global_options, &g, argc - 1, argv + 1, 0, &args, NULL, &err);
  if (r < 0)
    {
      printf ("Incorrect Usage. %s\n\n", err->msg);
      print_app_help (stdout);
      report_error (&g, err->msg);
      berth_error_release (&err);
      return 1;
    }
  if (r == OPTS_HELP)
    {
      print_app_help (stdout);
      return 0;
    }
  if (g.version)
    {
      print_version ();
      return 0;
    }
  if (setup_logging (&g, &err) < 0)
    r = -1;
  else
    r = dispatch (&g, args, &err);
  if (r < 0)
    {
      report_error (&g, err ? err->msg : "unknown error");
      berth_error_release (&err);
      return 1;
    }
  if (fflush (stdout) == EOF)
    return 1;
  return r;
}
