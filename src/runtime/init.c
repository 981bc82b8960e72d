/* berth — the container's init: the clone child that becomes the process.
 *
 * It runs in the new namespaces from its first instruction, talks to the
 * runtime over a socketpair (one-byte messages, errors serialised), sets the
 * container up, reports READY, then waits for START — on the socketpair
 * (`run`) or on the exec fifo (`create` then `start`) — and execs.  Every
 * failure before READY is sent to the runtime, which removes everything the
 * container had; nothing here needs undoing since the namespaces die with
 * this process.  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/keyctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base/base.h"
#include "../base/syscalls.h"
#include "runtime-internal.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

int
sync_send (int fd, char msg, berth_error_t *err)
{
  int e;
  char tag = 0;

  if (TEMP_FAILURE_RETRY_INT (write (fd, &msg, 1)) == 1)
    return 0;
  e = errno;
  /* The peer is gone: it may have queued its error before it went, which
     says more than EPIPE.  */
  if (e == EPIPE && recv (fd, &tag, 1, MSG_DONTWAIT) == 1 && tag == SYNC_ERROR)
    {
      berth_error_recv (fd, err);
      return -1;
    }
  return berth_make_error (err, e, "sync with container process");
}

int
sync_expect (int fd, char expect, berth_error_t *err)
{
  char msg = 0;
  long n = TEMP_FAILURE_RETRY_INT (read (fd, &msg, 1));

  if (n < 0)
    return berth_make_error (err, errno, "sync with container process");
  if (n == 0)
    return berth_make_error (err, EPIPE, "container process exited before `%c`", expect);
  if (msg == SYNC_ERROR)
    {
      berth_error_recv (fd, err);
      return -1;
    }
  if (msg != expect)
    return berth_make_error (err, EPROTO, "sync: expected `%c`, got `%c`", expect, msg);
  return 0;
}

/* Mark every fd the process must not inherit close-on-exec, and clear it on
   the preserved ones (3 .. 3+n-1): no fd of the runtime may reach the
   container (runc CVE-2024-21626).  */
int
init_prepare_fds (int preserve_fds, berth_error_t *err)
{
  if (sys_close_range ((unsigned) (3 + preserve_fds), ~0U, CLOSE_RANGE_CLOEXEC) < 0)
    {
      /* Kernels before 5.11: walk /proc/self/fd.  */
      cleanup_dir DIR *d = opendir ("/proc/self/fd");
      struct dirent *de;
      if (d == NULL)
        return berth_make_error (err, errno, "open `/proc/self/fd`");
      while ((de = readdir (d)) != NULL)
        {
          int fd = atoi (de->d_name);
          if (fd >= 3 + preserve_fds && fd != dirfd (d))
            fcntl (fd, F_SETFD, FD_CLOEXEC);
        }
    }
  for (int fd = 3; fd < 3 + preserve_fds; fd++)
    {
      int fl = fcntl (fd, F_GETFD);
      if (fl >= 0)
        fcntl (fd, F_SETFD, fl & ~FD_CLOEXEC);
    }
  return 0;
}

static int
join_namespaces (struct init_args *a, berth_error_t *err)
{
  for (size_t i = 0; i < a->n_join; i++)
    if (setns (a->join_fds[i], a->join_flags[i]) < 0)
      return berth_make_error (err, errno, "join namespace (flag 0x%x)", a->join_flags[i]);
  return 0;
}

static int
set_names (const struct oci_config *c, int new_flags, berth_error_t *err)
{
  /* A UTS namespace joined by path is the container's own as well.  */
  for (size_t i = 0; c->linux && i < c->linux->n_namespaces; i++)
    if (strcmp (c->linux->namespaces[i].type, "uts") == 0)
      new_flags |= CLONE_NEWUTS;
  if (c->hostname && c->hostname[0])
    {
      if (!(new_flags & CLONE_NEWUTS))
        return berth_make_error (err, EINVAL,
                                 "unable to set hostname without a private UTS namespace");
      if (sethostname (c->hostname, strlen (c->hostname)) < 0)
        return berth_make_error (err, errno, "sethostname `%s`", c->hostname);
    }
  if (c->domainname && c->domainname[0])
    {
      if (!(new_flags & CLONE_NEWUTS))
        return berth_make_error (err, EINVAL,
                                 "unable to set domainname without a private UTS namespace");
      if (setdomainname (c->domainname, strlen (c->domainname)) < 0)
        return berth_make_error (err, errno, "setdomainname `%s`", c->domainname);
    }
  return 0;
}

/* Write linux.sysctl through /proc/sys while /proc is still the host's: the
   net and ipc entries there are those of this process's namespaces.  */
static int
write_sysctls (const struct oci_linux *l, berth_error_t *err)
{
  for (size_t i = 0; l && l->sysctl_keys && l->sysctl_keys[i]; i++)
    {
      cleanup_free char *path = xasprintf ("/proc/sys/%s", l->sysctl_keys[i]);
      const char *v = l->sysctl_values[i];
      for (char *p = path + 10; *p; p++)
        if (*p == '.')
          *p = '/';
      if (strstr (path, "/../") || strstr (l->sysctl_keys[i], "/"))
        return berth_make_error (err, EINVAL, "invalid sysctl `%s`", l->sysctl_keys[i]);
      if (fs_write_file_at (AT_FDCWD, path, v, strlen (v), err) < 0)
        return berth_error_wrap (err, "sysctl `%s`", l->sysctl_keys[i]);
    }
  return 0;
}

static int
set_oom_score_adj (const struct oci_process *p, berth_error_t *err)
{
  char buf[32];
  if (p == NULL || !p->has_oom_score_adj)
    return 0;
  snprintf (buf, sizeof buf, "%d", p->oom_score_adj);
  return fs_write_file_at (AT_FDCWD, "/proc/self/oom_score_adj", buf, strlen (buf), err);
}

/* State for hooks the init runs itself (createContainer, startContainer):
   /proc is still the host's before pivot_root, so /proc/self is our host
   pid; afterwards the runtime's saved pid is used.  */
static char *
hook_state (struct init_args *a, pid_t host_pid, const char *status)
{
  struct runtime_state s = { 0 };
  s.id = (char *) a->id;
  s.pid = host_pid;
  s.status = strcmp (status, "created") == 0 ? RUNTIME_CREATED : RUNTIME_CREATING;
  s.rootfs = (char *) a->rootfs;
  s.bundle = (char *) a->bundle;
  s.annotation_keys = a->config->annotation_keys;
  s.annotation_values = a->config->annotation_values;
  return runtime_state_to_json (&s, false);
}

static pid_t
host_pid (void)
{
  char buf[32] = "";
  ssize_t n = readlink ("/proc/self", buf, sizeof buf - 1);
  return n > 0 ? (pid_t) atoi (buf) : getpid ();
}

/* Block until `start`: a byte on the socketpair (run) or on the exec fifo
   (create; the socketpair reads EOF once the create command has gone).  */
static int
wait_for_start (struct init_args *a, berth_error_t *err)
{
  struct pollfd fds[2]
      = { { .fd = a->sync_fd, .events = POLLIN }, { .fd = a->fifo_fd, .events = POLLIN } };
  int nfds = a->fifo_fd >= 0 ? 2 : 1;
  char c;

  for (;;)
    {
      if (TEMP_FAILURE_RETRY_INT (poll (fds, (nfds_t) nfds, -1)) < 0)
        return berth_make_error (err, errno, "wait for start");
      if (fds[0].revents)
        {
          long n = TEMP_FAILURE_RETRY_INT (read (a->sync_fd, &c, 1));
          if (n == 1 && c == SYNC_START)
            return 0;
          if (n <= 0 && a->fifo_fd < 0)
            return berth_make_error (err, EPIPE, "runtime went away before start");
          /* The create command is gone: only the fifo can start us now. */
          fds[0].fd = -1;
        }
      if (nfds == 2 && fds[1].revents)
        {
          /* `start` opens the fifo and writes one byte; a writer that
             closes without writing also means start.  */
          (void) TEMP_FAILURE_RETRY_INT (read (a->fifo_fd, &c, 1));
          return 0;
        }
    }
}

/* Join the cgroup the runtime made meanwhile, then the cgroup namespace,
   whose root is the cgroup we are in at unshare time.  */
static int
join_cgroup (void *data, berth_error_t *err)
{
  struct init_args *a = data;

  if (a->cgroup_joined)
    return 0;
  a->cgroup_joined = true;
  if (a->cgroup
      && (sync_expect (a->sync_fd, SYNC_CGROUP, err) < 0
          || (!a->cgroup_by_runtime && cgroup_enter_self (a->cgroup, err) < 0)))
    return -1;
  if (a->new_cgroupns && unshare (CLONE_NEWCGROUP) < 0)
    return berth_make_error (err, errno, "unshare the cgroup namespace");
  return 0;
}

static int
create_container_hooks (void *data, berth_error_t *err)
{
  struct init_args *a = data;
  const struct oci_config *c = a->config;
  cleanup_free char *st = NULL;

  if (c->hooks == NULL || c->hooks->n_hooks[OCI_HOOK_CREATE_CONTAINER] == 0)
    return 0;
  st = hook_state (a, a->host_pid, "created");
  return hooks_run (c->hooks, OCI_HOOK_CREATE_CONTAINER, st, err);
}

/* Phase 1: the namespaces and what belongs to them, before any mount.  */
static int
enter_namespaces (struct init_args *a, berth_error_t *err)
{
  const struct oci_config *c = a->config;

  if (init_prepare_fds (a->preserve_fds, err) < 0)
    return -1;
  if (a->wait_go && sync_expect (a->sync_fd, SYNC_GO, err) < 0)
    return -1;
  if (join_namespaces (a, err) < 0)
    return -1;
  if ((a->new_flags & CLONE_NEWUSER) && (setresgid (0, 0, 0) < 0 || setresuid (0, 0, 0) < 0))
    return berth_make_error (err, errno, "become root in the user namespace");
  /* A session keyring of its own, so the container cannot read or link
     the caller's keys (runc does the same unless --no-new-keyring).  A
     kernel without keys or a seccomp'd caller: go on without one.  */
  if (!a->no_new_keyring && syscall (SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, a->id) < 0
      && errno != ENOSYS && errno != EPERM)
    return berth_make_error (err, errno, "create a session keyring");
  if (set_names (c, a->new_flags, err) < 0 || set_oom_score_adj (c->process, err) < 0
      || write_sysctls (c->linux, err) < 0)
    return -1;
  a->host_pid = host_pid ();
  return 0;
}

/* Phase 2: the root: createRuntime hooks, mounts (the cgroup joined on
   the way), pivot_root, console, masked and read-only paths.  */
static int
build_root (struct init_args *a, berth_error_t *err)
{
  const struct oci_config *c = a->config;

  /* createRuntime hooks see the container in its cgroup; join it first (the
     runtime sends SYNC_CGROUP before it reads our request).  */
  if (a->hooks_runtime
      && (join_cgroup (a, err) < 0 || sync_send (a->sync_fd, SYNC_HOOKS, err) < 0
          || sync_expect (a->sync_fd, SYNC_HOOKS_DONE, err) < 0))
    return -1;
  if (a->new_flags & CLONE_NEWNS)
    {
      struct rootfs_opts ro = { .rootfs = a->rootfs,
                                .no_pivot = a->no_pivot,
                                .new_mount_ns = true,
                                .user_ns = (a->new_flags & CLONE_NEWUSER) != 0,
                                .before_pivot = create_container_hooks,
                                .before_cgroup = join_cgroup,
                                .data = a };
      if (rootfs_setup (c, &ro, err) < 0)
        return -1;
    }
  else if (join_cgroup (a, err) < 0 || create_container_hooks (a, err) < 0)
    return -1;
  else if (chroot (a->rootfs) < 0 || chdir ("/") < 0)
    return berth_make_error (err, errno, "chroot to `%s`", a->rootfs);
  if (c->process && c->process->terminal
      && console_attach (a->console_fd, c->process, true, err) < 0)
    return -1;
  if ((a->new_flags & CLONE_NEWNS) && rootfs_finalize (c, err) < 0)
    return -1;
  return 0;
}

/* Phase 3: everything about the process that can fail is checked before
   READY, so that it fails create and not start.  */
static int
check_process (const struct oci_process *p, char **exe, berth_error_t *err)
{
  if (p == NULL)
    return 0;
  if (security_apply_rlimits (p, err) < 0 || security_check_caps (p->capabilities, err) < 0)
    return -1;
  /* A cwd that is missing or outside the root fails create, not start. */
  if (p->cwd && chdir (p->cwd) < 0)
    return berth_make_error (err, errno, "chdir to cwd `%s` set in config.json", p->cwd);
  *exe = init_find_executable (p->args[0], p->env, p->cwd, err);
  return *exe ? 0 : -1;
}

static int
init_setup (struct init_args *a, char **exe, berth_error_t *err)
{
  const struct oci_config *c = a->config;

  if (enter_namespaces (a, err) < 0 || build_root (a, err) < 0
      || check_process (c->process, exe, err) < 0)
    return -1;
  if (sync_send (a->sync_fd, SYNC_READY, err) < 0 || wait_for_start (a, err) < 0)
    return -1;
  if (c->hooks && c->hooks->n_hooks[OCI_HOOK_START_CONTAINER])
    {
      cleanup_free char *st = hook_state (a, a->host_pid, "created");
      if (hooks_run (c->hooks, OCI_HOOK_START_CONTAINER, st, err) < 0)
        return -1;
    }
  return 0;
}

void
init_main (struct init_args *a)
{
  berth_error_t err = NULL;
  cleanup_free char *exe = NULL;

  if (init_setup (a, &exe, &err) < 0)
    {
      char tag = SYNC_ERROR;
      if (write (a->sync_fd, &tag, 1) == 1)
        berth_error_send (a->sync_fd, err);
      /* After READY the create command may be gone: say it on stderr too. */
      log_error ("%s", err ? err->msg : "container init failed");
      _exit (1);
    }
  if (a->config->process == NULL)
    _exit (0);
  {
    struct exec_extras x
        = { .seccomp = a->seccomp,
            .dmz_fd = a->dmz_fd,
            .notify_sock = a->notify_sock,
            .notify_state = { .id = (char *) a->id,
                              .pid = a->host_pid,
                              .bundle = (char *) a->bundle,
                              .status = RUNTIME_RUNNING,
                              .annotation_keys = a->config->annotation_keys,
                              .annotation_values = a->config->annotation_values } };
    init_exec_process (a->config->process, a->config->linux, &x, exe, &err);
  }
  log_error ("%s", err ? err->msg : "exec failed");
  _exit (127);
}
