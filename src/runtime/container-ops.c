/* berth — state, kill, delete, list, pause, resume, ps and update of
   existing containers.  */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base/base.h"
#include "../base/syscalls.h"
#include "runtime-internal.h"

struct runtime_state *
runtime_container_state (struct runtime_ctx *ctx, const char *id, berth_error_t *err)
{
  return state_read (ctx, id, NULL, err);
}

/* A pidfd for the container's init, checked against its start time so a
   reused pid is never signalled.  -1 (no error) if it is gone.  */
static int
open_init (const struct runtime_state *s)
{
  unsigned long long start = 0;
  int fd;

  if (s->pid <= 0)
    return -1;
  fd = sys_pidfd_open (s->pid, 0);
  if (fd < 0)
    return -1;
  if (state_proc_stat (s->pid, &start, NULL) < 0 || start != s->starttime)
    {
      close (fd);
      return -1;
    }
  return fd;
}

int
runtime_container_kill (struct runtime_ctx *ctx, const char *id, int sig, bool all,
                        berth_error_t *err)
{
  cleanup_free char *cgpath = NULL;
  struct runtime_state *s = state_read (ctx, id, &cgpath, err);
  int r = 0;

  if (s == NULL)
    return -1;
  if (s->status == RUNTIME_STOPPED && !all)
    r = berth_make_error (err, ESRCH, "container not running");
  else if (all && cgpath)
    {
      struct cgroup *cg = cgroup_load (cgpath, err);
      r = cg ? cgroup_kill_all (cg, sig, err) : -1;
      cgroup_free (cg);
    }
  else
    {
      cleanup_close int pfd = open_init (s);
      if (pfd < 0 || sys_pidfd_send_signal (pfd, sig, NULL, 0) < 0)
        r = berth_make_error (err, pfd < 0 ? ESRCH : errno, "kill container `%s`", id);
    }
  runtime_state_free (s);
  return r;
}

/* Wait up to TIMEOUT_MS for the init to be gone.  */
static void
wait_gone (const struct runtime_state *s, int timeout_ms)
{
  cleanup_close int pfd = open_init (s);
  struct pollfd p = { .fd = pfd, .events = POLLIN };
  if (pfd >= 0)
    (void) poll (&p, 1, timeout_ms);
}

/* Processes killed outside a pid namespace (or still exiting) keep the
   cgroup busy for a moment after the init is gone: wait until it is empty,
   so destroying it does not fail with EBUSY.  */
static void
wait_cgroup_empty (struct cgroup *cg, int timeout_ms)
{
  for (int waited = 0; waited < timeout_ms; waited++)
    {
      pid_t *pids = NULL;
      size_t n = 0;
      if (cgroup_pids (cg, &pids, &n, NULL) < 0)
        return;
      free (pids);
      if (n == 0)
        return;
      usleep (1000);
    }
}

/* The poststop hooks of C (read from the state dir when NULL).  */
static void
run_poststop (struct runtime_ctx *ctx, struct runtime_state *s, const struct oci_config *c)
{
  berth_error_t err = NULL;
  struct oci_config *owned = NULL;
  cleanup_free char *st = NULL;

  if (c == NULL)
    c = owned = state_read_config (ctx, s->id, &err);
  if (c && c->hooks && c->hooks->n_hooks[OCI_HOOK_POSTSTOP])
    {
      s->status = RUNTIME_STOPPED;
      st = runtime_state_to_json (s, false);
      /* runtime-spec: a failing poststop hook is logged, deletion goes on. */
      if (hooks_run (c->hooks, OCI_HOOK_POSTSTOP, st, &err) < 0)
        log_warning ("%s", err->msg);
    }
  berth_error_release (&err);
  oci_config_free (owned);
}

int
container_teardown (struct runtime_ctx *ctx, struct runtime_state *s, const struct oci_config *c,
                    struct cgroup *cg, berth_error_t *err)
{
  cleanup_free char *dir = state_dir (ctx, s->id);
  int r = 0;

  if (cg)
    {
      /* The init is gone; without a pid namespace its children may not be
         (runc kills them too).  */
      pid_t *pids = NULL;
      size_t n = 0;
      if (cgroup_pids (cg, &pids, &n, NULL) == 0 && n > 0)
        cgroup_kill_all (cg, SIGKILL, NULL);
      free (pids);
      if (n > 0)
        wait_cgroup_empty (cg, 5000);
    }
  run_poststop (ctx, s, c);
  if (cg && cgroup_destroy (cg, err) < 0)
    r = berth_error_wrap (err, "delete container `%s`", s->id);
  if (r == 0 && fs_remove_tree (dir, err) < 0)
    r = -1;
  return r;
}

int
runtime_container_delete (struct runtime_ctx *ctx, const char *id, bool force, berth_error_t *err)
{
  cleanup_free char *cgpath = NULL;
  struct runtime_state *s = state_read (ctx, id, &cgpath, err);
  struct cgroup *cg = NULL;
  int r = 0;

  if (s == NULL)
    return -1;
  if (s->status != RUNTIME_STOPPED && s->status != RUNTIME_CREATED && !force)
    {
      r = berth_make_error (err, EBUSY, "cannot delete container %s that is not stopped: %s", id,
                            runtime_status_name (s->status));
      runtime_state_free (s);
      return r;
    }
  cg = cgpath ? cgroup_load (cgpath, NULL) : NULL;
  if (s->status != RUNTIME_STOPPED)
    {
      if (cg)
        {
          /* A frozen cgroup cannot die: thaw it after queueing SIGKILL.  */
          cgroup_kill_all (cg, SIGKILL, NULL);
          if (s->status == RUNTIME_PAUSED)
            cgroup_freeze (cg, false, NULL);
        }
      {
        cleanup_close int pfd = open_init (s);
        if (pfd >= 0)
          sys_pidfd_send_signal (pfd, SIGKILL, NULL, 0);
      }
      wait_gone (s, 10000);
    }
  r = container_teardown (ctx, s, NULL, cg, err);
  cgroup_free (cg);
  runtime_state_free (s);
  return r;
}

static int
cmp_state (const void *a, const void *b)
{
  const struct runtime_state *const *x = a, *const *y = b;
  return strcmp ((*x)->id, (*y)->id);
}

int
runtime_container_list (struct runtime_ctx *ctx, struct runtime_state ***out, berth_error_t *err)
{
  cleanup_dir DIR *d = opendir (ctx->root);
  struct runtime_state **v = xcalloc (1, sizeof *v);
  size_t n = 0;
  struct dirent *de;

  if (d == NULL)
    {
      if (errno != ENOENT)
        {
          free (v);
          return berth_make_error (err, errno, "open `%s`", ctx->root);
        }
      *out = v;
      return 0;
    }
  while ((de = readdir (d)) != NULL)
    {
      struct runtime_state *s;
      if (de->d_name[0] == '.')
        continue;
      s = state_read (ctx, de->d_name, NULL, NULL);
      if (s == NULL)
        continue; /* being created or deleted right now */
      v = xrealloc (v, (n + 2) * sizeof *v);
      v[n++] = s;
      v[n] = NULL;
    }
  qsort (v, n, sizeof *v, cmp_state);
  *out = v;
  return 0;
}

/* Load the container's cgroup, refusing containers that are not running
   (or, with ALLOW_CREATED, created).  */
static struct cgroup *
live_cgroup (struct runtime_ctx *ctx, const char *id, bool allow_created, berth_error_t *err)
{
  cleanup_free char *cgpath = NULL;
  struct runtime_state *s = state_read (ctx, id, &cgpath, err);
  struct cgroup *cg = NULL;
  enum runtime_status st;

  if (s == NULL)
    return NULL;
  st = s->status;
  runtime_state_free (s);
  if (st == RUNTIME_STOPPED || (st == RUNTIME_CREATED && !allow_created))
    {
      berth_make_error (err, EINVAL, "container not running");
      return NULL;
    }
  if (cgpath == NULL)
    {
      berth_make_error (err, ENOENT, "container `%s` has no cgroup", id);
      return NULL;
    }
  cg = cgroup_load (cgpath, err);
  return cg;
}

static int
set_frozen (struct runtime_ctx *ctx, const char *id, bool frozen, berth_error_t *err)
{
  struct cgroup *cg = live_cgroup (ctx, id, false, err);
  int r;
  if (cg == NULL)
    return -1;
  r = cgroup_freeze (cg, frozen, err);
  cgroup_free (cg);
  return r;
}

int
runtime_container_pause (struct runtime_ctx *ctx, const char *id, berth_error_t *err)
{
  return set_frozen (ctx, id, true, err);
}

int
runtime_container_resume (struct runtime_ctx *ctx, const char *id, berth_error_t *err)
{
  return set_frozen (ctx, id, false, err);
}

int
runtime_container_pids (struct runtime_ctx *ctx, const char *id, pid_t **pids, size_t *n,
                        berth_error_t *err)
{
  struct cgroup *cg = live_cgroup (ctx, id, true, err);
  int r;
  if (cg == NULL)
    return -1;
  r = cgroup_pids (cg, pids, n, err);
  cgroup_free (cg);
  return r;
}

int
runtime_container_update (struct runtime_ctx *ctx, const char *id, const struct oci_resources *res,
                          berth_error_t *err)
{
  struct cgroup *cg = live_cgroup (ctx, id, true, err);
  int r;
  if (cg == NULL)
    return -1;
  r = cgroup_update (cg, res, err);
  cgroup_free (cg);
  return r;
}
