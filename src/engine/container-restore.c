/* berth — live restore and crash repair of the container store.
 *
 * berth-shim outlives berthd, so when berthd starts (after a stop, or a
 * SIGKILL) the containers it left running may still run.  For each record:
 *   running, exit file there    the exit happened while berthd was down:
 *                               recorded as the shim left it
 *   running, shim alive         found again: its pid verified (the shim's
 *                               command line names the container, the init
 *                               is the runtime's, start time included), its
 *                               mount counted, a pidfd on the shim watched
 *   running, shim gone          exit 255 as dockerd records a task it can
 *                               no longer find; the container is killed and
 *                               deleted, its rootfs unmounted
 *   not running                 a stale rootfs mount, runtime state or
 *                               bundle leftovers are removed
 *   dead (a removal cut short)  the removal is finished
 * then AutoRemove containers that are not running go, and the restart
 * policies start what dockerd starts at boot.  Directories of containers
 * that never got a record (a create cut short) are removed with their rw
 * layer.
 *
 * While berthd runs, the monitor asks container_check_shim whether a
 * running container's shim died without an exit file (kill -9 of the
 * shim): containerd then reports exit 137 and deletes the task.
 *
 * PID 1 may not reap orphans (a bare container as init): a dead shim then
 * stays a zombie, which counts as dead everywhere here.  */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "base/base.h"
#include "base/syscalls.h"
#include "engine/container-internal.h"
#include "engine/engine.h"
#include "runtime/runtime.h"
#include "store/image.h"
#include "store/layer.h"
#include "store/repair.h"

/* Exit code of a task whose shim died (containerd's cleanupAfterDeadShim:
   128 + SIGKILL) and of one berthd cannot find at start (dockerd's
   restore).  */
#define EXIT_DEAD_SHIM 137
#define EXIT_LOST 255

/* ---- processes ---- */

/* Field 3 (state) and 4 (ppid) of /proc/PID/stat.  */
static int
proc_stat (pid_t pid, char *state, pid_t *ppid)
{
  char path[64];
  cleanup_free char *text = NULL;
  const char *p;
  int pp = 0;

  snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
  if ((text = fs_read_file (path, NULL, NULL)) == NULL || (p = strrchr (text, ')')) == NULL
      || sscanf (p + 1, " %c %d", state, &pp) != 2)
    return -1;
  *ppid = pp;
  return 0;
}

/* Whether PID is the berth-shim of container ID under RUNTIME_ROOT (not an
   exec's shim): its command line says so.  A zombie's is empty.  */
static bool
is_shim_of (pid_t pid, const char *id, const char *runtime_root)
{
  char path[64];
  size_t len = 0;
  cleanup_free char *cmd = NULL;
  bool id_ok = false, root_ok = false, bundle = false;
  const char *argv0;

  snprintf (path, sizeof path, "/proc/%d/cmdline", (int) pid);
  if ((cmd = fs_read_file (path, &len, NULL)) == NULL || len == 0)
    return false;
  argv0 = strrchr (cmd, '/') ? strrchr (cmd, '/') + 1 : cmd;
  if (strcmp (argv0, "berth-shim") != 0)
    return false;
  for (size_t off = strlen (cmd) + 1; off < len; off += strlen (cmd + off) + 1)
    {
      const char *a = cmd + off, *next = off + strlen (a) + 1 < len ? a + strlen (a) + 1 : "";
      if (strcmp (a, "--exec-container") == 0)
        return false;
      bundle |= strcmp (a, "--bundle") == 0;
      id_ok |= strcmp (a, "--id") == 0 && strcmp (next, id) == 0;
      root_ok |= strcmp (a, "--runtime-root") == 0 && strcmp (next, runtime_root) == 0;
    }
  return bundle && id_ok && root_ok;
}

static bool
alive (pid_t pid)
{
  char st = 0;
  pid_t pp;
  return pid > 0 && proc_stat (pid, &st, &pp) == 0 && st != 'Z' && st != 'X';
}

/* The shim of C: the parent of its init (the shim is the init's
   subreaper), else any process whose command line names it (the init may
   be gone while the shim drains its output).  0 when there is none.  */
static pid_t
find_shim (struct engine_containers *cs, const struct container *c)
{
  cleanup_dir DIR *d = NULL;
  struct dirent *de;
  pid_t pp = 0;
  char st = 0;

  if (c->pid > 0 && proc_stat (c->pid, &st, &pp) == 0 && alive (pp)
      && is_shim_of (pp, c->id, cs->runtime_root))
    return pp;
  if ((d = opendir ("/proc")) == NULL)
    return 0;
  while ((de = readdir (d)) != NULL)
    {
      pid_t pid = (pid_t) atoi (de->d_name);
      if (pid > 0 && is_shim_of (pid, c->id, cs->runtime_root) && alive (pid))
        return pid;
    }
  return 0;
}

/* A pidfd on SHIM, checked again after it is opened: the pid could have
   been reused between the look-up and pidfd_open.  */
static void
watch_pid (struct engine_containers *cs, struct container *c, pid_t shim)
{
  int fd;
  container_shim_unwatch (c);
  /* A shim that is gone already (a container that exits at once can end
     before its start returns) left its exit file: look now.  */
  if (shim <= 0 || (fd = sys_pidfd_open (shim, 0)) < 0)
    {
      container_monitor_wake (cs);
      return;
    }
  fcntl (fd, F_SETFD, FD_CLOEXEC);
  if (fd == 0 || !is_shim_of (shim, c->id, cs->runtime_root) || !alive (shim))
    {
      close (fd);
      container_monitor_wake (cs);
      return;
    }
  c->shim_pidfd = fd;
  /* Closing the pidfd takes it out of the set again.  */
  if (epoll_ctl (cs->monitor_epfd, EPOLL_CTL_ADD, fd, &(struct epoll_event){ .events = EPOLLIN })
      < 0)
    log_warning ("watch the shim of container %s: %m", c->id);
}

void
container_shim_watch (struct engine_containers *cs, struct container *c)
{
  watch_pid (cs, c, find_shim (cs, c));
}

void
container_shim_unwatch (struct container *c)
{
  if (c->shim_pidfd > 0)
    close (c->shim_pidfd);
  c->shim_pidfd = 0;
}

/* ---- a container whose shim is gone ---- */

/* Kill and delete what is left of C in the runtime, unmount its rootfs.  */
static void
clean_runtime (struct engine_containers *cs, struct container *c)
{
  struct runtime_ctx ctx = { .root = cs->runtime_root };
  berth_error_t err = NULL;
  cleanup_free char *state = xasprintf ("%s/%s", cs->runtime_root, c->id);

  if (access (state, F_OK) == 0 && runtime_container_delete (&ctx, c->id, true, &err) < 0)
    {
      log_warning ("delete container %s from the runtime: %s", c->id, err->msg);
      berth_error_release (&err);
    }
  if (store_layer_get_rw (store_images_layers (cs->images), c->id)
      && store_layer_unmount (store_images_layers (cs->images), c->id, &err) < 0)
    {
      log_warning ("unmount rootfs of container %s: %s", c->id, err->msg);
      berth_error_release (&err);
    }
}

static void
mark_lost (struct engine_containers *cs, struct container *c, int code)
{

  container_shim_unwatch (c);
  clean_runtime (cs, c);
  container_mounts_teardown (cs, c);
  container_net_stop (cs, c);
  free (c->state);
  c->state = xstrdup ("exited");
  c->exit_code = code;
  c->pid = 0;
  c->exits++;
  free (c->finished_at);
  c->finished_at = container_now ();
  container_save_logged (cs, c);
  container_publish_die (cs, c);
}

int
container_check_shim (struct engine_containers *cs, struct container *c)
{
  struct pollfd p = { .fd = c->shim_pidfd, .events = POLLIN };

  if (c->shim_pidfd <= 0 || poll (&p, 1, 0) <= 0)
    return 0;
  /* The shim writes the exit file before it exits.  */
  if (container_check_exit (cs, c) > 0)
    {
      container_shim_unwatch (c);
      return 1;
    }
  log_warning ("berth-shim of container %s died without recording its exit", c->id);
  mark_lost (cs, c, EXIT_DEAD_SHIM);
  return 1;
}

/* ---- at start ---- */

static void
restore_running (struct engine_containers *cs, struct container *c)
{
  berth_error_t err = NULL;
  pid_t shim;
  cleanup_free char *rootfs = NULL;

  if (container_check_exit (cs, c) > 0)
    return;
  if ((shim = find_shim (cs, c)) == 0)
    {
      /* The shim may have written the exit file as it went.  */
      if (container_check_exit (cs, c) > 0)
        return;
      log_warning ("container %s: its berth-shim is gone", c->id);
      mark_lost (cs, c, EXIT_LOST);
      return;
    }
  /* The mount is there; count it so the exit unmounts it.  */
  if ((rootfs = store_layer_mount (store_images_layers (cs->images), c->id, &err)) == NULL)
    {
      log_warning ("container %s: %s", c->id, err->msg);
      berth_error_release (&err);
    }
  watch_pid (cs, c, shim);
  container_net_restore (cs, c);
  log_info ("container %s restored: shim %d, pid %d", c->id, (int) shim, c->pid);
}

/* Leftovers of a container that does not run: the mount of its rootfs,
   runtime state, the bundle's exit file and temporary files.  */
static void
repair_stopped (struct engine_containers *cs, struct container *c)
{
  cleanup_free char *bundle = xasprintf ("%s/%s", cs->exec_dir, c->id);
  cleanup_free char *exitf = xasprintf ("%s/exit.json", bundle);
  berth_error_t err = NULL;

  clean_runtime (cs, c);
  /* Endpoints and the namespace of a container that exited while berthd
     was down (or whose teardown a crash cut short) are released.  */
  if (container_net_stop (cs, c))
    container_save_logged (cs, c);
  unlink (exitf);
  if (store_repair_temp_files (bundle, 0, &err) < 0)
    berth_error_release (&err);
}

static bool
known (struct engine_containers *cs, const char *id)
{
  for (size_t i = 0; i < cs->n; i++)
    if (strcmp (cs->v[i]->id, id) == 0)
      return true;
  return false;
}

/* Directories under DIR of containers the store does not know.  In the
   data root only those without config.v2.json go (a create cut short); a
   record that failed to parse is kept for a human to look at.  */
static void
remove_orphans (struct engine_containers *cs, const char *dir, bool data)
{
  cleanup_dir DIR *d = opendir (dir);
  struct dirent *de;

  while (d && (de = readdir (d)) != NULL)
    {
      berth_error_t err = NULL;
      cleanup_free char *path = NULL, *rec = NULL;
      if (!engine_container_id_valid (de->d_name) || known (cs, de->d_name))
        continue;
      path = xasprintf ("%s/%s", dir, de->d_name);
      rec = xasprintf ("%s/config.v2.json", path);
      if (data && access (rec, F_OK) == 0)
        continue;
      if (data && store_layer_get_rw (store_images_layers (cs->images), de->d_name))
        store_layer_remove_rw (store_images_layers (cs->images), de->d_name, &err);
      if (err == NULL)
        fs_remove_tree (path, &err);
      if (err)
        {
          log_warning ("remove leftovers of container %s: %s", de->d_name, err->msg);
          berth_error_release (&err);
        }
      else
        log_info ("removed leftovers of container %s", de->d_name);
    }
}

/* Removal, AutoRemove and the restart policies, once every record is
   settled.  */
static void
finish (struct engine_containers *cs)
{
  for (size_t i = 0; i < cs->n; i++)
    {
      struct container *c = cs->v[i];
      berth_error_t err = NULL;
      bool dead = strcmp (c->state, "dead") == 0;
      bool gone = dead || (c->auto_remove && strcmp (c->state, "running") != 0);
      if (gone && container_destroy (cs, c, &err) == 0)
        {
          i--; /* the vector shifted */
          continue;
        }
      if (err)
        {
          log_warning ("remove container %s: %s", c->id, err->msg);
          berth_error_release (&err);
          continue;
        }
      if (!container_restart_on_boot (c))
        continue;
      container_restart_reset (c);
      if (container_start_locked (cs, c, &err) < 0)
        {
          log_warning ("start container %s: %s", c->id, err->msg);
          berth_error_release (&err);
        }
    }
}

void
container_restore_all (struct engine_containers *cs)
{
  pthread_mutex_lock (&cs->lock);
  for (size_t i = 0; i < cs->n; i++)
    {
      struct container *c = cs->v[i];
      /* A restart was pending when berthd went down: it is stopped now,
         and the restart policy decides below.  */
      if (strcmp (c->state, "restarting") == 0)
        {
          free (c->state);
          c->state = xstrdup ("exited");
        }
      if (strcmp (c->state, "running") == 0)
        restore_running (cs, c);
      else
        repair_stopped (cs, c);
      /* The volume store keeps no references: they are the containers'.  */
      container_mounts_restore (cs, c);
    }
  remove_orphans (cs, cs->data_dir, true);
  remove_orphans (cs, cs->exec_dir, false);
  finish (cs);
  pthread_mutex_unlock (&cs->lock);
}
