/* berth — the CLI's entry: global options, the environment, dispatch to a
   command of the table, and docker's exit statuses for each kind of bad
   input (125 for flags, 1 for unknown commands and argument counts).  */
#include <errno.h>
#include <string.h>

#include "base/base.h"
#include "cli/cli.h"

enum
{
  G_CONFIG,
  G_DEBUG,
  G_HOST,
  G_LOG_LEVEL,
  G_TLS,
  G_TLSCACERT,
  G_TLSCERT,
  G_TLSKEY,
  G_TLSVERIFY,
  G_VERSION,
  G_COUNT,
};

struct globals
{
  char *config_dir, *cert_dir;
  char *def_config, *def_ca, *def_cert, *def_key;
  struct cli_flag flags[G_COUNT + 1];
  struct cli_command cmd;
};

/* docker's global options; the defaults of the paths depend on the
   environment, so the table is built at start.  */
static void
globals_init (struct globals *g)
{
  const char *home = getenv ("HOME");
  const char *env_config = getenv ("DOCKER_CONFIG");
  const char *env_certs = getenv ("DOCKER_CERT_PATH");
  g->def_config = xasprintf ("%s/.docker", home ? home : "");
  g->config_dir = xstrdup (env_config && *env_config ? env_config : g->def_config);
  g->cert_dir = xstrdup (env_certs && *env_certs ? env_certs : g->config_dir);
  g->def_ca = xasprintf ("%s/ca.pem", g->cert_dir);
  g->def_cert = xasprintf ("%s/cert.pem", g->cert_dir);
  g->def_key = xasprintf ("%s/key.pem", g->cert_dir);
  const struct cli_flag f[G_COUNT] = {
    [G_CONFIG]
    = { "config", 0, CLI_FLAG_STRING, g->def_config, "Location of client config files", NULL, 0 },
    [G_DEBUG] = { "debug", 'D', CLI_FLAG_BOOL, NULL, "Enable debug mode", NULL, 0 },
    [G_HOST] = { "host", 'H', CLI_FLAG_STRINGS, NULL, "Daemon socket to connect to", NULL, 0 },
    [G_LOG_LEVEL]
    = { "log-level", 'l', CLI_FLAG_STRING, "info",
        "Set the logging level (\"debug\", \"info\", \"warn\", \"error\", \"fatal\")", NULL, 0 },
    [G_TLS] = { "tls", 0, CLI_FLAG_BOOL, NULL, "Use TLS; implied by --tlsverify", NULL, 0 },
    [G_TLSCACERT]
    = { "tlscacert", 0, CLI_FLAG_STRING, g->def_ca, "Trust certs signed only by this CA", NULL, 0 },
    [G_TLSCERT]
    = { "tlscert", 0, CLI_FLAG_STRING, g->def_cert, "Path to TLS certificate file", NULL, 0 },
    [G_TLSKEY] = { "tlskey", 0, CLI_FLAG_STRING, g->def_key, "Path to TLS key file", NULL, 0 },
    [G_TLSVERIFY]
    = { "tlsverify", 0, CLI_FLAG_BOOL, NULL, "Use TLS and verify the remote", NULL, 0 },
    [G_VERSION]
    = { "version", 'v', CLI_FLAG_BOOL, NULL, "Print version information and quit", NULL, 0 },
  };
  memcpy (g->flags, f, sizeof f);
  g->cmd = (struct cli_command){ .name = "berth",
                                 .usage = "[OPTIONS] COMMAND [ARG...]",
                                 .flags = g->flags,
                                 .interspersed_stop = true,
                                 .fn = NULL };
}

static void
globals_clear (struct globals *g)
{
  free (g->config_dir);
  free (g->cert_dir);
  free (g->def_config);
  free (g->def_ca);
  free (g->def_cert);
  free (g->def_key);
}

static const char *
env (const char *name)
{
  const char *v = getenv (name);
  return v && *v ? v : NULL;
}

/* Flags over BERTH_HOST over DOCKER_HOST over the default socket.  */
static int
configure (struct cli *cli, const struct cli_args *ga)
{
  char *const *hosts = cli_flag_strings (ga, "host");
  if (strv_len (hosts) > 1)
    return cli_fail_msg (NULL, 1,
                         "Failed to initialize: unable to resolve berth endpoint: Specify only "
                         "one -H"),
           -1;
  const char *host = hosts                ? hosts[0]
                     : env ("BERTH_HOST") ? env ("BERTH_HOST")
                                          : env ("DOCKER_HOST");
  if (host)
    {
      free (cli->host);
      cli->host = xstrdup (host);
      cli->host_given = true;
    }
  /* --config over DOCKER_CONFIG over ~/.docker (the flag's default).  */
  cli->config_dir = xstrdup (!cli_flag_set (ga, "config") && env ("DOCKER_CONFIG")
                                 ? env ("DOCKER_CONFIG")
                                 : cli_flag_string (ga, "config"));
  cli->debug = cli_flag_bool (ga, "debug");
  cli->log_level = xstrdup (cli->debug ? "debug" : cli_flag_string (ga, "log-level"));
  cli->tlsverify = cli_flag_bool (ga, "tlsverify") || env ("DOCKER_TLS_VERIFY");
  cli->tls = cli_flag_bool (ga, "tls") || cli->tlsverify;
  cli->tlscacert = xstrdup (cli_flag_string (ga, "tlscacert"));
  cli->tlscert = xstrdup (cli_flag_string (ga, "tlscert"));
  cli->tlskey = xstrdup (cli_flag_string (ga, "tlskey"));
  if (env ("DOCKER_API_VERSION"))
    {
      cli->api_version = xstrdup (env ("DOCKER_API_VERSION"));
      cli->api_fixed = true;
    }
  return 0;
}

static int
unknown_command (const char *path, const char *name, const struct cli_command *mgmt)
{
  fprintf (stderr, "berth: unknown command: %s %s\n\n", path, name);
  if (mgmt)
    fprintf (stderr, "Usage:  %s\n\n", path);
  fprintf (stderr, "Run '%s --help' for more information\n", path);
  return 1;
}

/* Parse the command's flags, check its arguments, run it.  */
static int
run_command (struct cli *cli, const struct cli_command *cmd, const char *path, int argc,
             char **argv)
{
  struct cli_args a;
  berth_error_t err = NULL;
  int ret;
  if (cli_args_parse (&a, cmd, path, argc, argv, &err) < 0)
    ret = cli_usage_error (&a, err->msg);
  else if (a.help)
    {
      if (a.help_short)
        puts ("Flag shorthand -h has been deprecated, use --help");
      cli_help_command (stdout, cmd, path);
      ret = 0;
    }
  else if (cli_args_check (&a, &err) < 0)
    {
      cleanup_free char *use = cli_use_line (cmd, path);
      /* docker 28: "See" after RequiresMinArgs, "Run" after the others;
         its RequiresMaxArgs has a stray "S" before "Run" (a typo in
         cli/required.go, printed every time).  */
      const char *run = cmd->args == CLI_ARGS_MIN   ? "See"
                        : cmd->args == CLI_ARGS_MAX ? "SRun"
                                                    : "Run";
      fprintf (stderr, "berth: %s\n\nUsage:  %s\n\n%s '%s --help' for more information\n", err->msg,
               use, run, path);
      ret = 1;
    }
  else
    ret = cmd->fn (cli, &a);
  berth_error_release (&err);
  cli_args_clear (&a);
  return ret;
}

/* `berth container ...`: its help, or one of its subcommands.  */
static int
run_management (struct cli *cli, const struct cli_command *mgmt, int argc, char **argv)
{
  cleanup_free char *path = xasprintf ("berth %s", mgmt->name);
  if (argc == 0)
    {
      /* cobra: a bare group prints its help on stderr and succeeds.  */
      cli_help_command (stderr, mgmt, path);
      return 0;
    }
  if (strcmp (argv[0], "--help") == 0 || strcmp (argv[0], "-h") == 0)
    {
      cli_help_command (stdout, mgmt, path);
      return 0;
    }
  const struct cli_command *sub = cli_command_find (mgmt->name, argv[0]);
  if (sub == NULL)
    return unknown_command (path, argv[0], mgmt);
  cleanup_free char *subpath = xasprintf ("%s %s", path, sub->name);
  if (sub->fn == NULL)
    return run_management (cli, sub, argc - 1, argv + 1);
  return run_command (cli, sub, subpath, argc - 1, argv + 1);
}

/* `berth help [COMMAND...]`.  */
static int
help_topic (const struct globals *g, int argc, char **argv)
{
  if (argc == 0)
    {
      cli_help_top (stdout, g->flags);
      return 0;
    }
  const struct cli_command *c = cli_command_find (NULL, argv[0]);
  cleanup_free char *path = NULL;
  if (c && c->parent && c->shortcut)
    path = xasprintf ("berth %s", c->shortcut);
  else if (c)
    path = xasprintf ("berth %s", c->name);
  if (c && c->fn == NULL && argc > 1)
    {
      const char *parent = c->name;
      c = cli_command_find (parent, argv[1]);
      free (path);
      path = c ? xasprintf ("berth %s %s", parent, c->name) : NULL;
    }
  if (c == NULL)
    {
      fprintf (stderr, "unknown help topic: %s\n", argv[argc - 1]);
      return 1;
    }
  cli_help_command (stdout, c, path);
  return 0;
}

static int
dispatch (struct cli *cli, struct globals *g, const struct cli_args *ga)
{
  if (ga->help || cli_flag_bool (ga, "version"))
    {
      if (ga->help)
        cli_help_top (stdout, g->flags);
      else
        printf ("berth version %s\n", BERTH_VERSION);
      return 0;
    }
  if (ga->argc == 0)
    {
      cli_help_top (stderr, g->flags);
      return 0;
    }
  if (configure (cli, ga) < 0)
    return 1;
  const char *name = ga->argv[0];
  if (strcmp (name, "help") == 0)
    return help_topic (g, ga->argc - 1, ga->argv + 1);
  const struct cli_command *cmd = cli_command_find (NULL, name);
  if (cmd == NULL)
    return unknown_command ("berth", name, NULL);
  if (cmd->fn == NULL)
    return run_management (cli, cmd, ga->argc - 1, ga->argv + 1);
  /* A shortcut keeps its short path: "berth ps", as docker prints it.  */
  cleanup_free char *path = xasprintf ("berth %s", name);
  return run_command (cli, cmd, path, ga->argc - 1, ga->argv + 1);
}

int
cli_main (int argc, char **argv)
{
  struct globals g = { 0 };
  struct cli cli;
  struct cli_args ga;
  berth_error_t err = NULL;
  int ret;
  globals_init (&g);
  cli_init (&cli, argc > 0 ? argv[0] : "berth");
  cli.globals = g.flags;
  if (cli_args_parse (&ga, &g.cmd, "berth", argc > 0 ? argc - 1 : 0, argv + 1, &err) < 0)
    ret = cli_usage_error (&ga, err->msg);
  else
    ret = dispatch (&cli, &g, &ga);
  fflush (stdout);
  berth_error_release (&err);
  cli_args_clear (&ga);
  cli_clear (&cli);
  globals_clear (&g);
  return ret;
}
