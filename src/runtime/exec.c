/* berth — exec: another process in a running container.
 *
 * We join the container's pid namespace for our children, fork, and the
 * child joins the others (user first), is put in the container's cgroup by
 * us, and becomes the process with the container's seccomp profile.  The
 * sync socket is close-on-exec: EOF means the exec succeeded, SYNC_ERROR
 * carries why it did not.  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../base/base.h"
#include "runtime-internal.h"

struct joiner
{
  int fds[INIT_MAX_JOIN];
  int flags[INIT_MAX_JOIN];
  size_t n;
  int pid_fd;
};

static void
joiner_release (struct joiner *j)
{
  for (size_t i = 0; i < j->n; i++)
    close (j->fds[i]);
  if (j->pid_fd >= 0)
    close (j->pid_fd);
  j->n = 0;
  j->pid_fd = -1;
}

/* Open the container's namespaces through its init's /proc/<pid>/ns,
   skipping those we already share (setns into our own user namespace
   fails).  User comes first.  */
static int
open_namespaces (struct joiner *j, pid_t pid, const struct oci_linux *l, int above,
                 berth_error_t *err)
{
  j->n = 0;
  j->pid_fd = -1;
  for (size_t i = 0; l && i < l->n_namespaces; i++)
    {
      const char *name = namespace_proc_name (l->namespaces[i].type);
      int flag = namespace_flag (l->namespaces[i].type);
      cleanup_free char *theirs = NULL;
      cleanup_free char *ours = NULL;
      struct stat a, b;
      int fd;

      if (name == NULL || j->n >= INIT_MAX_JOIN)
        continue;
      theirs = xasprintf ("/proc/%d/ns/%s", (int) pid, name);
      ours = xasprintf ("/proc/self/ns/%s", name);
      if (stat (theirs, &a) == 0 && stat (ours, &b) == 0 && a.st_ino == b.st_ino
          && a.st_dev == b.st_dev)
        continue;
      fd = open (theirs, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        return berth_make_error (err, errno, "open `%s`", theirs);
      fd = fd_move_above (fd, above);
      if (fd < 0)
        return berth_make_error (err, errno, "dup `%s`", theirs);
      if (flag == CLONE_NEWPID)
        {
          j->pid_fd = fd;
          continue;
        }
      j->fds[j->n] = fd;
      j->flags[j->n] = flag;
      if (flag == CLONE_NEWUSER && j->n > 0)
        {
          j->fds[j->n] = j->fds[0];
          j->flags[j->n] = j->flags[0];
          j->fds[0] = fd;
          j->flags[0] = flag;
        }
      j->n++;
    }
  return 0;
}

struct exec_child
{
  const struct runtime_exec_opts *o;
  const struct oci_config *config;
  struct joiner *j;
  int sync_fd;
  int console_fd;
  struct cgroup *cgroup; /* entered by the child itself */
  struct seccomp_program *seccomp;
  int dmz_fd;
  int notify_sock;
  const struct runtime_state *state;
};

static int
child_setup (struct exec_child *c, berth_error_t *err)
{
  cleanup_free char *exe = NULL;
  const struct oci_process *p = c->o->process;

  char self[32] = "";
  pid_t host_pid;

  if (sync_expect (c->sync_fd, SYNC_GO, err) < 0)
    return -1;
  /* /proc is still the host's: our pid as the seccomp agent sees it.  */
  host_pid = readlink ("/proc/self", self, sizeof self - 1) > 0 ? (pid_t) atoi (self) : getpid ();
  /* Before joining the mount namespace: the cgroup paths are the host's. */
  if (c->cgroup && cgroup_enter_self (c->cgroup, err) < 0)
    return -1;
  for (size_t i = 0; i < c->j->n; i++)
    if (setns (c->j->fds[i], c->j->flags[i]) < 0)
      return berth_make_error (err, errno, "join the container's namespace (flag 0x%x)",
                               c->j->flags[i]);
  if (init_prepare_fds (c->o->preserve_fds, err) < 0)
    return -1;
  if (p->terminal && console_attach (c->console_fd, p, false, err) < 0)
    return -1;
  if (security_apply_rlimits (p, err) < 0)
    return -1;
  if (p->cwd && chdir (p->cwd) < 0)
    return berth_make_error (err, errno, "chdir to cwd `%s`", p->cwd);
  exe = init_find_executable (p->args[0], p->env, p->cwd, err);
  if (exe == NULL)
    return -1;
  {
    struct exec_extras x = { .seccomp = c->seccomp,
                             .dmz_fd = c->dmz_fd,
                             .notify_sock = c->notify_sock,
                             .notify_state = *c->state };
    x.notify_state.pid = host_pid;
    x.notify_state.status = RUNTIME_RUNNING;
    return init_exec_process (p, c->config->linux, &x, exe, err);
  }
}

static void __attribute__ ((noreturn)) child_main (struct exec_child *c)
{
  berth_error_t err = NULL;
  char tag = SYNC_ERROR;

  child_setup (c, &err);
  if (write (c->sync_fd, &tag, 1) == 1)
    berth_error_send (c->sync_fd, err);
  _exit (127);
}

/* EOF on the sync socket: the exec happened.  */
static int
wait_exec (int fd, berth_error_t *err)
{
  char tag;
  long n = TEMP_FAILURE_RETRY_INT (read (fd, &tag, 1));
  if (n == 0)
    return 0;
  if (n == 1 && tag == SYNC_ERROR)
    {
      berth_error_recv (fd, err);
      return -1;
    }
  return berth_make_error (err, n < 0 ? errno : EPROTO, "exec: lost the child");
}

static int
wait_child (pid_t pid)
{
  int st = 0;
  while (waitpid (pid, &st, 0) < 0)
    if (errno != EINTR)
      return 255;
  return WIFEXITED (st) ? WEXITSTATUS (st) : WIFSIGNALED (st) ? 128 + WTERMSIG (st) : 255;
}

static int
spawn_exec (struct exec_child *c, struct cgroup *cg, const struct runtime_state *s, int *status,
            berth_error_t *err)
{
  int pair[2];
  pid_t pid;
  int r;

  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
    return berth_make_error (err, errno, "socketpair");
  for (int i = 0; i < 2; i++)
    pair[i] = fd_move_above (pair[i], 3 + c->o->preserve_fds);
  if (c->j->pid_fd >= 0 && setns (c->j->pid_fd, CLONE_NEWPID) < 0)
    {
      close (pair[0]);
      close (pair[1]);
      return berth_make_error (err, errno, "join the pid namespace of container `%s`", s->id);
    }
  pid = (pid_t) syscall (SYS_clone, (unsigned long) SIGCHLD, NULL, NULL, NULL, NULL);
  if (pid == 0)
    {
      close (pair[0]);
      c->sync_fd = pair[1];
      child_main (c);
    }
  close (pair[1]);
  if (pid < 0)
    {
      close (pair[0]);
      return berth_make_error (err, errno, "fork");
    }
  (void) cg;
  r = sync_send (pair[0], SYNC_GO, err);
  if (r == 0)
    r = wait_exec (pair[0], err);
  close (pair[0]);
  if (r < 0)
    {
      kill (pid, SIGKILL);
      wait_child (pid);
      return -1;
    }
  if (c->o->pid_file)
    {
      char buf[32];
      int n = snprintf (buf, sizeof buf, "%d", (int) pid);
      if (fs_write_file_atomic (c->o->pid_file, buf, (size_t) n, 0644, err) < 0)
        return -1;
    }
  *status = c->o->detach ? 0 : wait_child (pid);
  return 0;
}

int
runtime_container_exec (struct runtime_ctx *ctx, const char *id, const struct runtime_exec_opts *o,
                        int *status, berth_error_t *err)
{
  cleanup_free char *cgpath = NULL;
  struct runtime_state *s = state_read (ctx, id, &cgpath, err);
  struct oci_config *config = NULL;
  struct cgroup *cg = NULL;
  struct joiner j = { .pid_fd = -1 };
  struct exec_child c
      = { .o = o, .j = &j, .console_fd = -1, .dmz_fd = -1, .notify_sock = -1, .state = s };
  int r = -1;

  if (s == NULL)
    return -1;
  if (s->status != RUNTIME_RUNNING && s->status != RUNTIME_CREATED)
    {
      r = berth_make_error (err, EINVAL, "cannot exec in a %s container",
                            runtime_status_name (s->status));
      goto out;
    }
  if (o->process == NULL || o->process->args == NULL || o->process->args[0] == NULL)
    {
      r = berth_make_error (err, EINVAL, "exec: no command given");
      goto out;
    }
  config = state_read_config (ctx, id, err);
  if (config == NULL)
    goto out;
  if (security_check_apparmor (o->process->apparmor_profile, err) < 0)
    goto out;
  c.config = config;
  if (o->process->terminal)
    {
      c.console_fd = console_connect (o->console_socket, 3 + o->preserve_fds, err);
      if (c.console_fd < 0)
        goto out;
    }
  if (cgpath && (cg = cgroup_load (cgpath, err)) == NULL)
    goto out;
  c.cgroup = cg;
  c.dmz_fd = runtime_dmz_open (3 + o->preserve_fds, err);
  if (c.dmz_fd < 0)
    {
      if (berth_error_status (*err) != ENOSYS)
        goto out;
      berth_error_release (err);
    }
  if (config->linux && config->linux->seccomp)
    {
      cleanup_free char *cache = xasprintf ("%s/.cache/seccomp", ctx->root);
      if (seccomp_compile (config->linux->seccomp, cache, &c.seccomp, err) < 0)
        goto out;
      if (seccomp_program_has_notify (c.seccomp)
          && (c.notify_sock = fd_move_above (seccomp_notify_connect (config->linux->seccomp, err),
                                             3 + o->preserve_fds))
                 < 0)
        goto out;
    }
  if (open_namespaces (&j, s->pid, config->linux, 3 + o->preserve_fds, err) < 0)
    goto out;
  r = spawn_exec (&c, cg, s, status, err);
out:
  joiner_release (&j);
  if (c.console_fd >= 0)
    close (c.console_fd);
  if (c.dmz_fd >= 0)
    close (c.dmz_fd);
  if (c.notify_sock >= 0)
    close (c.notify_sock);
  cgroup_free (cg);
  seccomp_program_free (c.seccomp);
  oci_config_free (config);
  runtime_state_free (s);
  return r;
}
