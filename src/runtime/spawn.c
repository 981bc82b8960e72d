/* berth — spawning a container's init: namespaces, clone, id maps, cgroup,
   hooks, and the READY handshake.  The runtime side of init.c.  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../base/base.h"
#include "../base/syscalls.h"
#include "runtime-internal.h"
#include "spawn.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* Our fds sit above the preserved range 3..3+n-1 so the init can hand
   exactly those to the process.  */
static int
move_above (int fd, int preserve_fds)
{
  return fd_move_above (fd, 3 + preserve_fds);
}

static int
open_ns (const char *path, int preserve_fds, berth_error_t *err)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return berth_make_error (err, errno, "open namespace `%s`", path);
  return move_above (fd, preserve_fds);
}

/* Sort the namespaces: created by clone(), joined by the init (user first:
   it grants the rights to join the others), or joined by us before clone()
   since they only apply to children (pid, time).  */
static int
plan_namespaces (struct spawn *sp, const struct oci_linux *l, int preserve_fds, berth_error_t *err)
{
  for (size_t i = 0; l && i < l->n_namespaces; i++)
    {
      const struct oci_namespace *ns = &l->namespaces[i];
      int flag = namespace_flag (ns->type);
      if (flag == 0)
        return berth_make_error (err, EINVAL, "unknown namespace type `%s`", ns->type);
      if (ns->path == NULL || ns->path[0] == '\0')
        {
          sp->new_flags |= flag;
          continue;
        }
      int fd = open_ns (ns->path, preserve_fds, err);
      if (fd < 0)
        return -1;
      if (flag == CLONE_NEWPID)
        sp->pid_join_fd = fd;
      else if (flag == CLONE_NEWTIME)
        sp->time_join_fd = fd;
      else
        {
          size_t k = sp->args.n_join++;
          if (flag == CLONE_NEWUSER && k > 0)
            {
              /* user first */
              sp->args.join_fds[k] = sp->args.join_fds[0];
              sp->args.join_flags[k] = sp->args.join_flags[0];
              k = 0;
            }
          sp->args.join_fds[k] = fd;
          sp->args.join_flags[k] = flag;
        }
    }
  return 0;
}

void
spawn_release (struct spawn *sp)
{
  for (size_t i = 0; i < sp->args.n_join; i++)
    close (sp->args.join_fds[i]);
  sp->args.n_join = 0;
  if (sp->pid_join_fd >= 0)
    close (sp->pid_join_fd);
  if (sp->time_join_fd >= 0)
    close (sp->time_join_fd);
  if (sp->args.console_fd >= 0)
    close (sp->args.console_fd);
  if (sp->sync_fd >= 0)
    close (sp->sync_fd);
  if (sp->args.fifo_fd >= 0)
    close (sp->args.fifo_fd);
  if (sp->args.dmz_fd >= 0)
    close (sp->args.dmz_fd);
  sp->args.dmz_fd = -1;
  if (sp->args.notify_sock >= 0)
    close (sp->args.notify_sock);
  sp->args.notify_sock = -1;
  seccomp_program_free (sp->args.seccomp);
  sp->args.seccomp = NULL;
  sp->pid_join_fd = sp->time_join_fd = sp->args.console_fd = sp->sync_fd = sp->args.fifo_fd = -1;
}

/* Write uid_map/gid_map of the init; we are privileged in the parent
   namespace so setgroups need not be denied.  */
static int
write_id_map (pid_t pid, const char *file, const struct oci_id_mapping *m, size_t n,
              berth_error_t *err)
{
  cleanup_free char *path = xasprintf ("/proc/%d/%s", (int) pid, file);
  size_t cap = 64 * (n + 1), used = 0;
  cleanup_free char *buf = xmalloc (cap);

  buf[0] = '\0';
  for (size_t i = 0; i < n; i++)
    used += (size_t) snprintf (buf + used, cap - used, "%u %u %u\n", m[i].container_id,
                               m[i].host_id, m[i].size);
  if (fs_write_file_at (AT_FDCWD, path, buf, used, err) < 0)
    return berth_error_wrap (err, "write %s", file);
  return 0;
}

struct clone3_args
{
  uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
      set_tid_size, cgroup;
};

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* fork() semantics with namespace flags.  On pure cgroup v2 the child is
   born in its cgroup (clone3 CLONE_INTO_CGROUP): no migration at all.
   Elsewhere it enters its cgroup itself, on the kernel's fast path.  */
static pid_t
clone_init (struct spawn *sp, unsigned long flags, berth_error_t *err)
{
  cleanup_close int cgfd = cgroup_clone_dirfd (sp->cgroup);
  pid_t pid;

  (void) err;
  if (cgfd >= 0)
    {
      struct clone3_args ca = { .flags = flags | CLONE_INTO_CGROUP,
                                .exit_signal = SIGCHLD,
                                .cgroup = (uint64_t) cgfd };
      pid = (pid_t) syscall (__NR_clone3, &ca, sizeof ca);
      if (pid >= 0 || errno != ENOSYS)
        {
          if (pid == 0)
            sp->args.cgroup = NULL;
          sp->born_in_cgroup = pid > 0;
          return pid;
        }
    }
  return (pid_t) syscall (SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
}

static pid_t
do_clone (struct spawn *sp, berth_error_t *err)
{
  cleanup_close int own_pid = -1;
  cleanup_close int own_time = -1;
  pid_t pid;

  /* pid and time namespaces apply to children: enter them (or create the
     time one) for the clone, then return to ours.  */
  if (sp->pid_join_fd >= 0)
    {
      own_pid = open ("/proc/self/ns/pid_for_children", O_RDONLY | O_CLOEXEC);
      if (setns (sp->pid_join_fd, CLONE_NEWPID) < 0)
        return berth_make_error (err, errno, "join pid namespace");
    }
  if (sp->time_join_fd >= 0 || (sp->new_flags & CLONE_NEWTIME))
    {
      own_time = open ("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
      if (sp->time_join_fd >= 0 ? setns (sp->time_join_fd, CLONE_NEWTIME) < 0
                                : unshare (CLONE_NEWTIME) < 0)
        return berth_make_error (err, errno, "time namespace");
      if (sp->time_join_fd < 0 && spawn_time_offsets (sp->config, err) < 0)
        return -1;
    }
  /* The cgroup namespace is unshared by the init once it is in its cgroup,
     so that its root is the container's cgroup.  */
  pid = clone_init (sp, (unsigned long) (sp->new_flags & ~(CLONE_NEWTIME | CLONE_NEWCGROUP)), err);
  if (pid == 0)
    {
      close (sp->sync_fd);
      init_main (&sp->args);
    }
  if (pid < 0)
    berth_make_error (err, errno, "clone");
  if (own_pid >= 0)
    setns (own_pid, CLONE_NEWPID);
  if (own_time >= 0)
    setns (own_time, CLONE_NEWTIME);
  return pid;
}

static bool
has_ns (const struct oci_linux *l, const char *type)
{
  for (size_t i = 0; l && i < l->n_namespaces; i++)
    if (strcmp (l->namespaces[i].type, type) == 0)
      return true;
  return false;
}

/* A sysctl is written through /proc/sys by a process in the container's
   namespaces: one that is not namespaced, or whose namespace the container
   does not have, would change the host's (runc refuses these too).  */
static int
validate_sysctls (const struct oci_linux *l, berth_error_t *err)
{
  static const char *const ipc[]
      = { "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",          "kernel.sem", "kernel.shmall",
          "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced", NULL };
  for (size_t i = 0; l && l->sysctl_keys && l->sysctl_keys[i]; i++)
    {
      const char *k = l->sysctl_keys[i];
      const char *need = NULL;
      if (strv_contains ((char *const *) ipc, k) || str_has_prefix (k, "fs.mqueue."))
        need = "ipc";
      else if (str_has_prefix (k, "net."))
        need = "network";
      else if (strcmp (k, "kernel.hostname") == 0 || strcmp (k, "kernel.domainname") == 0)
        need = "uts";
      if (need == NULL)
        return berth_make_error (err, EINVAL, "sysctl `%s` is not allowed: it is not namespaced",
                                 k);
      if (!has_ns (l, need))
        return berth_make_error (
            err, EINVAL, "sysctl `%s` is not allowed: the container has no %s namespace", k, need);
      if (strstr (k, "..") || strchr (k, '/'))
        return berth_make_error (err, EINVAL, "invalid sysctl `%s`", k);
    }
  return 0;
}

int
spawn_prepare (struct spawn *sp, const struct oci_config *c, const struct spawn_opts *o,
               berth_error_t *err)
{
  int pair[2];

  memset (sp, 0, sizeof *sp);
  sp->pid_join_fd = sp->time_join_fd = sp->sync_fd = -1;
  sp->args.fifo_fd = sp->args.console_fd = sp->args.sync_fd = sp->args.dmz_fd = -1;
  sp->args.notify_sock = -1;
  sp->config = c;
  sp->args.config = c;
  sp->args.rootfs = o->rootfs;
  sp->args.id = o->id;
  sp->args.bundle = o->bundle;
  sp->args.no_pivot = o->no_pivot;
  sp->args.no_new_keyring = o->no_new_keyring;
  sp->args.preserve_fds = o->preserve_fds;
  if (validate_sysctls (c->linux, err) < 0
      || (c->process && security_check_apparmor (c->process->apparmor_profile, err) < 0))
    return -1;
  if (plan_namespaces (sp, c->linux, o->preserve_fds, err) < 0)
    return -1;
  sp->args.new_flags = sp->new_flags;
  sp->args.new_cgroupns = (sp->new_flags & CLONE_NEWCGROUP) != 0;
  /* Only id maps need the runtime before the init can go on.  */
  sp->args.wait_go = (sp->new_flags & CLONE_NEWUSER) != 0;
  /* Root of a user namespace is an unprivileged uid on the host: it cannot
     write the host's cgroup files (EACCES), so we move it (as runc does
     from the parent).  User is joined first (plan_namespaces).  */
  sp->args.cgroup_by_runtime = (sp->new_flags & CLONE_NEWUSER)
                               || (sp->args.n_join > 0 && sp->args.join_flags[0] == CLONE_NEWUSER);
  sp->args.hooks_runtime
      = c->hooks
        && (c->hooks->n_hooks[OCI_HOOK_PRESTART] || c->hooks->n_hooks[OCI_HOOK_CREATE_RUNTIME]);
  if (c->process && c->process->terminal)
    {
      if (o->console_socket == NULL)
        return berth_make_error (
            err, EINVAL, "cannot allocate tty if runc will detach without setting console socket");
      sp->args.console_fd = console_connect (o->console_socket, 3 + o->preserve_fds, err);
      if (sp->args.console_fd < 0)
        return -1;
    }
  else if (o->console_socket)
    return berth_make_error (err, EINVAL,
                             "cannot use console socket if runc will not detach or allocate tty");
  if (o->fifo_path)
    {
      int fd = open (o->fifo_path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
      if (fd < 0)
        return berth_make_error (err, errno, "open exec fifo `%s`", o->fifo_path);
      sp->args.fifo_fd = move_above (fd, o->preserve_fds);
    }
  if (c->process)
    {
      sp->args.dmz_fd = runtime_dmz_open (3 + o->preserve_fds, err);
      if (sp->args.dmz_fd < 0)
        {
          if (berth_error_status (*err) != ENOSYS)
            return -1;
          berth_error_release (err);
        }
    }
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
    return berth_make_error (err, errno, "socketpair");
  sp->sync_fd = move_above (pair[0], o->preserve_fds);
  sp->args.sync_fd = move_above (pair[1], o->preserve_fds);
  return 0;
}

/* Clone the init, put it in its cgroup with its id maps, run the
   createRuntime hooks when it asks, and wait for READY.  On failure the init
   is killed and reaped and the cgroup removed.  */
/* Clone the init and set its cgroup up while it does its mounts.  On pure
   cgroup v2 the cgroup is made first and the init born in it; elsewhere the
   init joins it itself once told it exists (SYNC_CGROUP).  On return the
   init runs; spawn_wait_ready() finishes the handshake.  On failure the
   init is killed and reaped and the cgroup removed.  */
int
spawn_start (struct spawn *sp, const struct spawn_opts *o, berth_error_t *err)
{
  const struct oci_linux *l = sp->config->linux;
  const struct oci_resources *res = l ? l->resources : NULL;
  bool born_in = cgroup_mode_detect () == CGROUP_MODE_UNIFIED;

  sp->cgroup = cgroup_plan (l ? l->cgroups_path : NULL, o->id, err);
  if (sp->cgroup == NULL)
    return -1;
  if (born_in && cgroup_realize (sp->cgroup, res, err) < 0)
    goto fail_plan;
  sp->cgroup_made = born_in;
  sp->args.cgroup = sp->cgroup;
  if (l && l->seccomp && seccomp_compile (l->seccomp, o->seccomp_cache, &sp->args.seccomp, err) < 0)
    goto fail;
  /* The listenerPath is a host path: connect now, send after pivot_root. */
  if (seccomp_program_has_notify (sp->args.seccomp))
    {
      sp->args.notify_sock = move_above (seccomp_notify_connect (l->seccomp, err), o->preserve_fds);
      if (sp->args.notify_sock < 0)
        goto fail;
    }
  sp->pid = do_clone (sp, err);
  close (sp->args.sync_fd);
  sp->args.sync_fd = -1;
  if (sp->pid < 0)
    goto fail;
  if (l && (sp->new_flags & CLONE_NEWUSER)
      && (write_id_map (sp->pid, "uid_map", l->uid_mappings, l->n_uid_mappings, err) < 0
          || write_id_map (sp->pid, "gid_map", l->gid_mappings, l->n_gid_mappings, err) < 0))
    goto fail;
  if (sp->args.wait_go && sync_send (sp->sync_fd, SYNC_GO, err) < 0)
    goto fail;
  if (!sp->cgroup_made)
    {
      if (cgroup_realize (sp->cgroup, res, err) < 0)
        goto fail;
      sp->cgroup_made = true;
    }
  if (!sp->born_in_cgroup
      && ((sp->args.cgroup_by_runtime && cgroup_enter (sp->cgroup, sp->pid, err) < 0)
          || sync_send (sp->sync_fd, SYNC_CGROUP, err) < 0))
    goto fail;
  if (state_proc_stat (sp->pid, &sp->starttime, NULL) < 0)
    {
      berth_make_error (err, ESRCH, "container process exited during create");
      goto fail;
    }
  return 0;
fail:
  spawn_abort (sp);
  return -1;
fail_plan:
  cgroup_free (sp->cgroup);
  sp->cgroup = NULL;
  return -1;
}

/* Run the createRuntime hooks when the init asks, and wait for READY.  */
int
spawn_wait_ready (struct spawn *sp, const struct spawn_opts *o, berth_error_t *err)
{
  if (sp->args.hooks_runtime)
    {
      cleanup_free char *st = NULL;
      if (sync_expect (sp->sync_fd, SYNC_HOOKS, err) < 0)
        goto fail;
      /* runtime-tools checks that these hooks see "created".  */
      st = spawn_state_json (sp, o, RUNTIME_CREATED);
      if (hooks_run (sp->config->hooks, OCI_HOOK_PRESTART, st, err) < 0
          || hooks_run (sp->config->hooks, OCI_HOOK_CREATE_RUNTIME, st, err) < 0
          || sync_send (sp->sync_fd, SYNC_HOOKS_DONE, err) < 0)
        goto fail;
    }
  if (sync_expect (sp->sync_fd, SYNC_READY, err) < 0)
    goto fail;
  return 0;
fail:
  spawn_abort (sp);
  return -1;
}

void
spawn_abort (struct spawn *sp)
{
  if (sp->pid > 0)
    {
      kill (sp->pid, SIGKILL);
      while (waitpid (sp->pid, NULL, 0) < 0 && errno == EINTR)
        ;
      sp->pid = -1;
    }
  if (sp->cgroup)
    {
      if (sp->cgroup_made)
        cgroup_destroy (sp->cgroup, NULL);
      cgroup_free (sp->cgroup);
      sp->cgroup = NULL;
    }
}

char *
spawn_state_json (struct spawn *sp, const struct spawn_opts *o, enum runtime_status status)
{
  struct runtime_state s = { 0 };
  s.id = (char *) o->id;
  s.pid = sp->pid;
  s.status = status;
  s.bundle = (char *) o->bundle;
  s.rootfs = (char *) o->rootfs;
  s.annotation_keys = sp->config->annotation_keys;
  s.annotation_values = sp->config->annotation_values;
  return runtime_state_to_json (&s, false);
}

int
spawn_time_offsets (const struct oci_config *c, berth_error_t *err)
{
  const struct oci_linux *l = c->linux;
  for (size_t i = 0; l && i < l->n_time_offsets; i++)
    {
      char buf[128];
      int n = snprintf (buf, sizeof buf, "%s %lld %u\n", l->time_offsets[i].clock,
                        (long long) l->time_offsets[i].secs, l->time_offsets[i].nanosecs);
      if (fs_write_file_at (AT_FDCWD, "/proc/self/timens_offsets", buf, (size_t) n, err) < 0)
        return berth_error_wrap (err, "time offset `%s`", l->time_offsets[i].clock);
    }
  return 0;
}
