/* berth — `berth exec`, and the attached session that run, start, attach
   and exec share: hijack, raw terminal, resize, signal proxying, relay.  */
#include <json-c/json.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "cli/cli.h"
#include "cli/cmd-run.h"
#include "cli/run-opts.h"
#include "cli/stream.h"
#include "cli/tty.h"

int
cli_start_error_status (const char *msg)
{
  /* docker matches the daemon's text, not an error code.  */
  if (strstr (msg, "executable file not found") || strstr (msg, "no such file or directory")
      || strstr (msg, "system cannot find the file specified"))
    return 127;
  if (strstr (msg, "permission denied") || strstr (msg, "is a directory"))
    return 126;
  return 125;
}

int
cli_session_check_tty (bool in, bool tty)
{
  if (in && tty && !cli_tty_is_terminal (0))
    {
      fputs ("the input device is not a TTY\n", stderr);
      return -1;
    }
  return 0;
}

int
cli_session_attach (struct cli_session *s, const struct cli_args *a, const char *path,
                    const char *body, int status)
{
  struct cli_response r = { 0 };
  s->fd = cli_hijack (s->cli, path, body, &r, &s->initial, &s->initial_len);
  cli_response_clear (&r);
  if (s->fd < 0)
    return cli_fail (s->cli, a, status), -1;
  return 0;
}

static int
post_resize (struct cli_session *s, unsigned h, unsigned w)
{
  cleanup_free char *path
      = cli_path (s->cli, "/%s/%s/resize?h=%u&w=%u", s->exec ? "exec" : "containers", s->id, h, w);
  struct cli_response r = { 0 };
  int ret = path ? cli_request (s->cli, "POST", path, NULL, &r) : -1;
  cli_response_clear (&r);
  return ret;
}

void
cli_session_resize (struct cli_session *s)
{
  unsigned h = 0, w = 0;
  if (s->tty && cli_tty_get_size (1, &h, &w) == 0 && h > 0 && w > 0)
    post_resize (s, h, w);
}

static int
on_resize (void *data, unsigned h, unsigned w, berth_error_t *err)
{
  (void) err;
  post_resize (data, h, w);
  return 0;
}

static int
on_signal (void *data, int signo, berth_error_t *err)
{
  struct cli_session *s = data;
  char buf[16];
  const char *name = cli_tty_signal_name (signo, buf);
  (void) err;
  if (name == NULL)
    return 0;
  cleanup_free char *path = cli_path (s->cli, "/containers/%s/kill?signal=%s", s->id, name);
  struct cli_response r = { 0 };
  if (path)
    cli_request (s->cli, "POST", path, NULL, &r);
  cli_response_clear (&r);
  return 0;
}

static void
session_close (struct cli_session *s)
{
  if (s->fd >= 0)
    close (s->fd);
  s->fd = -1;
}

int
cli_session_relay (struct cli_session *s)
{
  berth_error_t err = NULL;
  cleanup_free unsigned char *keys = NULL;
  size_t n_keys = 0;
  if (s->tty && cli_detach_keys_parse (s->detach_keys, &keys, &n_keys, &err) < 0)
    goto fail;
  struct cli_tty_watch w = { .tty_fd = -1 };
  if (s->tty && cli_tty_is_terminal (1))
    w.tty_fd = 1, w.on_resize = on_resize, w.resize_data = s;
  if (s->sig_proxy && !s->exec)
    w.on_signal = on_signal, w.signal_data = s;
  /* run/start/attach (not exec) outlive a signal they do not proxy.  */
  w.hold_interrupts = !s->exec;
  int wfd = -1;
  if ((w.on_resize || w.on_signal || w.hold_interrupts)
      && (wfd = cli_tty_watch_start (&w, &err)) < 0)
    goto fail;
  if (s->tty && s->in && cli_tty_set_raw (0, &err) < 0)
    {
      if (wfd >= 0)
        cli_tty_watch_stop (&w);
      goto fail;
    }
  struct cli_relay_opts o = { .conn_fd = s->fd,
                              .initial = s->initial,
                              .initial_len = s->initial_len,
                              .in_fd = s->in ? 0 : -1,
                              .out_fd = s->out ? 1 : -1,
                              .err_fd = s->err ? 2 : -1,
                              .tty = s->tty,
                              .detach_keys = keys,
                              .n_detach_keys = n_keys,
                              .extra_fd = wfd,
                              .on_extra = wfd >= 0 ? cli_tty_watch_dispatch : NULL,
                              .extra_data = &w };
  int ret = cli_relay_run (&o, &err);
  cli_tty_restore ();
  if (wfd >= 0)
    cli_tty_watch_stop (&w);
  session_close (s);
  if (ret < 0)
    goto fail;
  return ret;
fail:
  cli_tty_restore ();
  session_close (s);
  fprintf (stderr, "%s\n", err ? err->msg : "relay failed");
  berth_error_release (&err);
  return -1;
}

void
cli_session_clear (struct cli_session *s)
{
  session_close (s);
  free (s->initial);
  s->initial = NULL;
}

/* ---- exec ---- */

static const struct cli_flag exec_flags[] = {
  { "detach", 'd', CLI_FLAG_BOOL, NULL, "Detached mode: run command in the background", NULL, 0 },
  { "detach-keys", 0, CLI_FLAG_STRING, NULL, "Override the key sequence for detaching a container",
    NULL, 0 },
  { "env", 'e', CLI_FLAG_STRINGS, NULL, "Set environment variables", NULL, 0 },
  { "env-file", 0, CLI_FLAG_STRINGS, NULL, "Read in a file of environment variables", NULL, 0 },
  { "interactive", 'i', CLI_FLAG_BOOL, NULL, "Keep STDIN open even if not attached", NULL, 0 },
  { "privileged", 0, CLI_FLAG_BOOL, NULL, "Give extended privileges to the command", NULL, 0 },
  { "tty", 't', CLI_FLAG_BOOL, NULL, "Allocate a pseudo-TTY", NULL, 0 },
  { "user", 'u', CLI_FLAG_STRING, NULL, "Username or UID (format: \"<name|uid>[:<group|gid>]\")",
    NULL, 0 },
  { "workdir", 'w', CLI_FLAG_STRING, NULL, "Working directory inside the container", NULL, 0 },
  { NULL },
};

/* docker's ReadKVEnvStrings: the env files first, then -e, each
   resolved from the environment when bare.  */
static json_object *
exec_env (const struct cli_args *a, berth_error_t *err)
{
  cleanup_strv char **env = NULL;
  for (char *const *f = cli_flag_strings (a, "env-file"); f && *f; f++)
    if (cli_kvfile_read (*f, true, &env, err) < 0)
      return NULL;
  for (char *const *e = cli_flag_strings (a, "env"); e && *e; e++)
    {
      char *v = cli_env_resolve (*e, err);
      if (v == NULL)
        return NULL;
      env = strv_append (env, v);
      free (v);
    }
  json_object *arr = json_object_new_array ();
  for (char **e = env; e && *e; e++)
    json_object_array_add (arr, json_object_new_string (*e));
  return arr;
}

static json_object *
exec_body (const struct cli_args *a, const char *dkeys, bool detach, bool in, bool tty,
           berth_error_t *err)
{
  json_object *env = exec_env (a, err);
  if (env == NULL)
    return NULL;
  json_object *b = json_object_new_object ();
  json_object_object_add (b, "User", json_object_new_string (cli_flag_string (a, "user") ?: ""));
  json_object_object_add (b, "Privileged",
                          json_object_new_boolean (cli_flag_bool (a, "privileged")));
  json_object_object_add (b, "Tty", json_object_new_boolean (tty));
  json_object_object_add (b, "AttachStdin", json_object_new_boolean (in));
  json_object_object_add (b, "AttachStderr", json_object_new_boolean (!detach));
  json_object_object_add (b, "AttachStdout", json_object_new_boolean (!detach));
  json_object_object_add (b, "DetachKeys", json_object_new_string (dkeys ? dkeys : ""));
  json_object_object_add (b, "Env", env);
  json_object_object_add (b, "WorkingDir",
                          json_object_new_string (cli_flag_string (a, "workdir") ?: ""));
  json_object *cmd = json_object_new_array ();
  for (int i = 1; i < a->argc; i++)
    json_object_array_add (cmd, json_object_new_string (a->argv[i]));
  json_object_object_add (b, "Cmd", cmd);
  unsigned h = 0, w = 0;
  if (tty && cli_tty_get_size (1, &h, &w) == 0 && h > 0)
    {
      json_object *cs = json_object_new_array ();
      json_object_array_add (cs, json_object_new_int64 (h));
      json_object_array_add (cs, json_object_new_int64 (w));
      json_object_object_add (b, "ConsoleSize", cs);
    }
  return b;
}

/* The created exec's ID, or NULL with the error printed.  */
static char *
exec_create (struct cli *cli, const struct cli_args *a, bool detach, bool in, bool tty)
{
  berth_error_t err = NULL;
  cleanup_free char *dkeys = cli_detach_keys (cli, cli_flag_string (a, "detach-keys"));
  cleanup_json json_object *body = exec_body (a, dkeys, detach, in, tty, &err);
  if (body == NULL)
    {
      cli_fail_msg (a, 1, "%s", err->msg);
      berth_error_release (&err);
      return NULL;
    }
  cleanup_free char *path = cli_path (cli, "/containers/%s/exec", a->argv[0]);
  struct cli_response r = { 0 };
  if (path == NULL || cli_request_json (cli, "POST", path, body, &r) < 0)
    return cli_fail (cli, a, 1), NULL;
  if (r.status >= 400)
    return cli_fail_response (cli, a, &r, 1), cli_response_clear (&r), NULL;
  cleanup_json json_object *o = json_tokener_parse (r.body);
  cli_response_clear (&r);
  json_object *id = NULL;
  if (!json_object_object_get_ex (o, "Id", &id) || !*json_object_get_string (id))
    return cli_fail_msg (a, 1, "exec ID empty"), NULL;
  return xstrdup (json_object_get_string (id));
}

static int
exec_exit_code (struct cli *cli, const struct cli_args *a, const char *id)
{
  cleanup_free char *path = cli_path (cli, "/exec/%s/json", id);
  struct cli_response r = { 0 };
  if (path == NULL || cli_request (cli, "GET", path, NULL, &r) < 0)
    return cli_fail (cli, a, 1);
  if (r.status >= 400)
    return cli_fail_response (cli, a, &r, 1), cli_response_clear (&r), 1;
  cleanup_json json_object *o = json_tokener_parse (r.body);
  cli_response_clear (&r);
  json_object *c = NULL;
  return json_object_object_get_ex (o, "ExitCode", &c) ? json_object_get_int (c) : 0;
}

static int
exec_start_detached (struct cli *cli, const struct cli_args *a, const char *id, bool tty)
{
  cleanup_free char *path = cli_path (cli, "/exec/%s/start", id);
  cleanup_free char *body = xasprintf ("{\"Detach\":true,\"Tty\":%s}", tty ? "true" : "false");
  struct cli_response r = { 0 };
  if (path == NULL || cli_request (cli, "POST", path, body, &r) < 0)
    return cli_fail (cli, a, 1);
  int ret = r.status >= 400 ? cli_fail_response (cli, a, &r, 1) : 0;
  cli_response_clear (&r);
  return ret;
}

static int
cmd_exec (struct cli *cli, struct cli_args *a)
{
  bool detach = cli_flag_bool (a, "detach"), tty = cli_flag_bool (a, "tty");
  bool in = cli_flag_bool (a, "interactive") && !detach;
  cleanup_free char *ipath = cli_path (cli, "/containers/%s/json", a->argv[0]);
  struct cli_response r = { 0 };
  if (ipath == NULL || cli_request (cli, "GET", ipath, NULL, &r) < 0)
    return cli_fail (cli, a, 1);
  if (r.status >= 400)
    return cli_fail_response (cli, a, &r, 1), cli_response_clear (&r), 1;
  cli_response_clear (&r);
  if (!detach && cli_session_check_tty (in, tty) < 0)
    return 1;
  cleanup_free char *id = exec_create (cli, a, detach, in, tty);
  if (id == NULL)
    return 1;
  if (detach)
    return exec_start_detached (cli, a, id, tty);
  cleanup_free char *dkeys = cli_detach_keys (cli, cli_flag_string (a, "detach-keys"));
  struct cli_session s = { .cli = cli,
                           .id = id,
                           .exec = true,
                           .in = in,
                           .out = true,
                           .err = true,
                           .tty = tty,
                           .fd = -1,
                           .detach_keys = dkeys };
  cleanup_free char *path = cli_path (cli, "/exec/%s/start", id);
  cleanup_free char *body = xasprintf ("{\"Detach\":false,\"Tty\":%s}", tty ? "true" : "false");
  if (cli_session_attach (&s, a, path, body, 1) < 0)
    return cli_session_clear (&s), 1;
  if (tty && cli_tty_is_terminal (0))
    cli_session_resize (&s);
  int ret = cli_session_relay (&s);
  cli_session_clear (&s);
  if (ret < 0)
    return 1;
  if (ret == CLI_RELAY_DETACHED)
    return fputs (CLI_DETACH_MESSAGE "\n", stderr), 1;
  return exec_exit_code (cli, a, id);
}

const struct cli_command cli_cmds_exec[] = {
  { .name = "exec",
    .parent = "container",
    .shortcut = "exec",
    .usage = "[OPTIONS] CONTAINER COMMAND [ARG...]",
    .short_help = "Execute a command in a running container",
    .flags = exec_flags,
    .args = CLI_ARGS_MIN,
    .nargs = 2,
    .interspersed_stop = true,
    .common = 2,
    .fn = cmd_exec },
  { NULL },
};
