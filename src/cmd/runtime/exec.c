/* berth-runtime exec: run another process in a running container.  The
   process is --process FILE as is, or (runc's rules) the container's own
   config.json process with the command line's args and overrides.  */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/strv.h"
#include "base/xalloc.h"
#include "runtime-cmd.h"

struct exec_flags
{
  const char *console_socket, *cwd, *user, *process, *pid_file, *process_label, *apparmor;
  char **env, **additional_gids, **cap, **cgroup;
  bool tty, detach, no_new_privs, ignore_paused;
  int preserve_fds;
};

#define F(field) offsetof (struct exec_flags, field)

static const struct opt_def exec_options[] = {
  { "console-socket", NULL, OPT_STRING, F (console_socket),
    "path to an AF_UNIX socket which will receive a file descriptor referencing the master end "
    "of the console's pseudoterminal",
    NULL },
  { "cwd", NULL, OPT_STRING, F (cwd), "current working directory in the container", NULL },
  { "env", "e", OPT_STRV, F (env), "set environment variables", NULL },
  { "tty", "t", OPT_BOOL, F (tty), "allocate a pseudo-TTY", NULL },
  { "user", "u", OPT_STRING, F (user), "UID (format: <uid>[:<gid>])", NULL },
  { "additional-gids", "g", OPT_STRV, F (additional_gids), "additional gids", NULL },
  { "process", "p", OPT_STRING, F (process), "path to the process.json", NULL },
  { "detach", "d", OPT_BOOL, F (detach), "detach from the container's process", NULL },
  { "pid-file", NULL, OPT_STRING, F (pid_file), "specify the file to write the process id to",
    NULL },
  { "process-label", NULL, OPT_STRING, F (process_label),
    "set the asm process label for the process commonly used with selinux", NULL },
  { "apparmor", NULL, OPT_STRING, F (apparmor), "set the apparmor profile for the process", NULL },
  { "no-new-privs", NULL, OPT_BOOL, F (no_new_privs),
    "set the no new privileges value for the process", NULL },
  { "cap", "c", OPT_STRV, F (cap), "add a capability to the bounding set for the process", NULL },
  { "preserve-fds", NULL, OPT_INT, F (preserve_fds),
    "Pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in total)", "0" },
  { "cgroup", NULL, OPT_STRV, F (cgroup),
    "run the process in an (existing) sub-cgroup(s). Format is [<controller>:]<cgroup>.", NULL },
  { "ignore-paused", NULL, OPT_BOOL, F (ignore_paused), "allow exec in a paused container", NULL },
  { NULL },
};

static int
parse_id (const char *what, const char *s, uint32_t *out, berth_error_t *err)
{
  char *end = NULL;
  long long v;

  errno = 0;
  v = strtoll (s, &end, 10);
  if (errno || end == s || *end != '\0' || v < 0 || v > UINT32_MAX)
    return berth_make_error (err, 0, "parsing `%s` as int for %s failed", s, what);
  *out = (uint32_t) v;
  return 0;
}

/* --user uid[:gid] and --additional-gids.  */
static int
apply_user (struct oci_process *p, const struct exec_flags *f, berth_error_t *err)
{
  if (f->user && *f->user)
    {
      cleanup_strv char **parts = strv_split (f->user, ':');
      if (strv_len (parts) == 0 || strv_len (parts) > 2 || f->user[0] == ':')
        return berth_make_error (err, 0, "invalid user format: `%s`", f->user);
      if (parse_id ("uid", parts[0], &p->user.uid, err) < 0
          || (parts[1] && parse_id ("gid", parts[1], &p->user.gid, err) < 0))
        return -1;
    }
  for (size_t i = 0; f->additional_gids && f->additional_gids[i]; i++)
    {
      uint32_t gid;
      if (parse_id ("additional-gids", f->additional_gids[i], &gid, err) < 0)
        return -1;
      p->user.additional_gids
          = xrealloc (p->user.additional_gids, (p->user.n_additional_gids + 1) * sizeof (uint32_t));
      p->user.additional_gids[p->user.n_additional_gids++] = gid;
    }
  return 0;
}

/* --cap adds to bounding, effective and permitted; to ambient only when the
   spec has inheritable capabilities, since ambient needs inheritable.  */
static void
apply_caps (struct oci_process *p, char **caps)
{
  if (caps == NULL || caps[0] == NULL)
    return;
  if (p->capabilities == NULL)
    p->capabilities = xmalloc0 (sizeof (*p->capabilities));
  for (size_t i = 0; caps[i]; i++)
    {
      struct oci_capabilities *c = p->capabilities;
      c->bounding = strv_append (c->bounding, caps[i]);
      c->effective = strv_append (c->effective, caps[i]);
      c->permitted = strv_append (c->permitted, caps[i]);
      if (c->inheritable)
        c->ambient = strv_append (c->ambient, caps[i]);
    }
}

static void
replace_str (char **dst, const char *s)
{
  if (s && *s)
    {
      free (*dst);
      *dst = xstrdup (s);
    }
}

/* The container's config.json process with the command line applied.  */
static struct oci_process *
process_from_args (const struct runtime_state *st, const struct exec_flags *f, uint64_t seen,
                   char **args, berth_error_t *err)
{
  cleanup_free char *path = xasprintf ("%s/config.json", st->bundle ? st->bundle : ".");
  struct oci_config *c = oci_config_parse_file (path, err);
  struct oci_process *p;

  if (c == NULL)
    return NULL;
  p = c->process ? c->process : xmalloc0 (sizeof (*p));
  c->process = NULL;
  oci_config_free (c);

  strv_free (p->args);
  p->args = strv_dup (args);
  replace_str (&p->cwd, f->cwd);
  replace_str (&p->apparmor_profile, f->apparmor);
  replace_str (&p->selinux_label, f->process_label);
  apply_caps (p, f->cap);
  for (size_t i = 0; f->env && f->env[i]; i++)
    p->env = strv_append (p->env, f->env[i]);
  p->terminal = rcmd_seen (&rcmd_exec, seen, "tty") ? f->tty : false;
  if (rcmd_seen (&rcmd_exec, seen, "no-new-privs"))
    p->no_new_privileges = f->no_new_privs;
  if (apply_user (p, f, err) < 0)
    {
      oci_process_free (p);
      return NULL;
    }
  return p;
}

/* runc's validateProcessSpec.  */
static int
validate_process (const struct oci_process *p, berth_error_t *err)
{
  if (p->cwd == NULL || *p->cwd == '\0')
    return berth_make_error (err, 0, "Cwd property must not be empty");
  if (p->cwd[0] != '/')
    return berth_make_error (err, 0, "Cwd must be an absolute path");
  if (p->args == NULL || p->args[0] == NULL)
    return berth_make_error (err, 0, "args must not be empty");
  if (p->selinux_label && *p->selinux_label && access ("/sys/fs/selinux/enforce", F_OK) < 0)
    return berth_make_error (err, 0,
                             "SELinux label is specified in config, but SELinux is "
                             "disabled or not supported");
  return 0;
}

static int
check_state (struct rcmd_global *g, const char *id, const struct exec_flags *f,
             struct runtime_state **out, berth_error_t *err)
{
  struct runtime_state *st = runtime_container_state (&g->ctx, id, err);
  if (st == NULL)
    return -1;
  *out = st;
  if (st->status == RUNTIME_STOPPED)
    return berth_make_error (err, 0, "cannot exec in a stopped container");
  if (st->status == RUNTIME_PAUSED && !f->ignore_paused)
    return berth_make_error (err, 0,
                             "cannot exec in a paused container (use --ignore-paused to override)");
  return 0;
}

static int
do_exec (struct rcmd_global *g, struct exec_flags *f, uint64_t seen, char **args,
         berth_error_t *err)
{
  struct runtime_state *st = NULL;
  struct oci_process *p = NULL;
  int status = 0, r = -1;

  if (check_state (g, args[0], f, &st, err) < 0)
    goto out;
  if ((f->process == NULL || *f->process == '\0') && args[1] == NULL)
    {
      berth_make_error (err, 0, "process args cannot be empty");
      goto out;
    }
  if (f->cgroup && f->cgroup[0])
    {
      berth_make_error (err, ENOTSUP, "exec --cgroup `%s`", f->cgroup[0]);
      goto out;
    }
  p = f->process && *f->process ? oci_process_parse_file (f->process, err)
                                : process_from_args (st, f, seen, args + 1, err);
  if (p == NULL || validate_process (p, err) < 0)
    goto out;
  struct runtime_exec_opts o = {
    .process = p,
    .console_socket = f->console_socket,
    .pid_file = f->pid_file,
    .detach = f->detach,
    .preserve_fds = f->preserve_fds,
  };
  if (runtime_container_exec (&g->ctx, args[0], &o, &status, err) < 0)
    goto out;
  r = f->detach ? 0 : status;
out:
  oci_process_free (p);
  runtime_state_free (st);
  return r;
}

static int
cmd_exec (struct rcmd_global *g, const struct rcmd *cmd, int argc, char **argv, berth_error_t *err)
{
  struct exec_flags f = { 0 };
  cleanup_free char **args = NULL;
  uint64_t seen = 0;
  int r = rcmd_parse (cmd, &f, argc, argv, &args, &seen, err);

  if (r == 0)
    {
      if (rcmd_check_args (cmd, args, RCMD_MIN, 1, err) < 0 || rcmd_seal_binary (g, err) < 0)
        r = -1;
      else if (f.preserve_fds < 0)
        r = berth_make_error (err, 0, "invalid --preserve-fds value %d", f.preserve_fds);
      else
        r = do_exec (g, &f, seen, args, err);
    }
  else if (r > 0)
    r = 0;
  opts_free (cmd->options, &f);
  return r < 0 ? -1 : r;
}

const struct rcmd rcmd_exec = {
  .name = "exec",
  .usage = "execute new process inside the container",
  .args_usage = "<container-id> <command> [command options]  || -p process.json <container-id>\n\n"
                "Where \"<container-id>\" is the name for the instance of the container and\n"
                "\"<command>\" is the command to be executed in the container.\n"
                "\"<command>\" can't be empty unless a \"-p\" flag provided.\n\n"
                "EXAMPLE:\n"
                "For example, if the container is configured to run the linux ps command the\n"
                "following will output a list of processes running in the container:\n\n"
                "       # " RCMD_PROG " exec <container-id> ps",
  .options = exec_options,
  .no_reorder = true,
  .run = cmd_exec,
};
