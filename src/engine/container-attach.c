/* berth — attaching to a container's stdio (the shim's attach socket) and
 * sizing its pty (the shim's control socket).
 *
 * The docker CLI attaches before it starts (create, attach, wait, start),
 * so an attach to a container that does not run yet waits as a pending
 * attacher.  Start counts them and tells the shim to hold the output until
 * that many clients have connected (--attach-hold), then connects one
 * socket per pending attacher at once: nothing the container prints, from
 * its first byte, is missed.  `run -d` has no pending attacher and pays
 * nothing.  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/container-internal.h"

char *
container_attach_socket (struct engine_containers *cs, struct container *c)
{
  return xasprintf ("%s/%s/attach.sock", cs->exec_dir, c->id);
}

char *
container_control_socket (struct engine_containers *cs, struct container *c)
{
  return xasprintf ("%s/%s/control.sock", cs->exec_dir, c->id);
}

int
engine_unix_connect (const char *path, berth_error_t *err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  cleanup_close int dirfd = -1;
  cleanup_close int fd = -1;
  cleanup_free char *via = NULL;
  const char *target = path;

  if (strlen (path) >= sizeof addr.sun_path)
    {
      /* The shim bound it the same way (shim_unix_listen).  */
      cleanup_free char *dir = fs_dirname (path);
      dirfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (dirfd < 0)
        return berth_make_error (err, errno, "open `%s`", dir);
      via = xasprintf ("/proc/self/fd/%d/%s", dirfd, strrchr (path, '/') + 1);
      target = via;
      if (strlen (target) >= sizeof addr.sun_path)
        return berth_make_error (err, ENAMETOOLONG, "unix socket `%s`", path);
    }
  strcpy (addr.sun_path, target);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return berth_make_error (err, errno, "socket");
  if (TEMP_FAILURE_RETRY_INT (connect (fd, (struct sockaddr *) &addr, sizeof addr)) < 0)
    return berth_make_error (err, errno, "connect to `%s`", path);
  return steal_fd (&fd);
}

unsigned
container_attach_pending (struct container *c)
{
  unsigned n = 0;
  for (struct container_attacher *a = c->attachers; a; a = a->next)
    n++;
  return n;
}

void
container_attach_connect_pending (struct engine_containers *cs, struct container *c)
{
  cleanup_free char *path = container_attach_socket (cs, c);
  if (c->attachers == NULL)
    return;
  while (c->attachers)
    {
      struct container_attacher *a = c->attachers;
      berth_error_t err = NULL;
      c->attachers = a->next;
      a->fd = engine_unix_connect (path, &err);
      if (a->fd < 0)
        {
          log_warning ("attach to container %s: %s", c->id, err->msg);
          berth_error_release (&err);
        }
      a->done = true;
    }
  pthread_cond_broadcast (&cs->changed);
}

static void
unlink_attacher (struct container *c, struct container_attacher *a)
{
  for (struct container_attacher **p = &c->attachers; *p; p = &(*p)->next)
    if (*p == a)
      {
        *p = a->next;
        return;
      }
}

static void
wait_a_while (struct engine_containers *cs)
{
  struct timespec ts;
  clock_gettime (CLOCK_REALTIME, &ts);
  ts.tv_nsec += 200 * 1000000L;
  if (ts.tv_nsec >= 1000000000L)
    {
      ts.tv_sec++;
      ts.tv_nsec -= 1000000000L;
    }
  pthread_cond_timedwait (&cs->changed, &cs->lock, &ts);
}

/* Lock held: wait on A, a pending attacher of container C, until its
   start connects it.  *FD -1 when the container went away or the connect
   failed.  */
static int
wait_pending (struct engine_containers *cs, struct container *c, struct container_attacher *a,
              bool (*cancelled) (void *), void *data, int *fd, berth_error_t *err)
{
  berth_error_t e2 = NULL;

  while (!a->done)
    {
      wait_a_while (cs);
      if (a->done)
        break;
      c = container_find (cs, a->id, &e2);
      berth_error_release (&e2);
      /* Removed: the record (and its list) is gone.  */
      if (c == NULL)
        {
          a->done = true;
          return 0;
        }
      if (cancelled && cancelled (data))
        {
          unlink_attacher (c, a);
          a->done = true;
          return berth_make_error (err, ECANCELED, "attach to container %s: client gone", a->id);
        }
    }
  *fd = a->fd;
  a->fd = -1;
  return 0;
}

/* Lock held.  */
static struct container_attacher *
reserve_locked (struct container *c)
{
  struct container_attacher *a = xmalloc0 (sizeof *a);
  a->fd = -1;
  snprintf (a->id, sizeof a->id, "%s", c->id);
  a->next = c->attachers;
  c->attachers = a;
  return a;
}

struct container_attacher *
engine_container_attach_reserve (struct engine_containers *cs, const char *id)
{
  struct container_attacher *a = NULL;
  struct container *c;

  pthread_mutex_lock (&cs->lock);
  if ((c = container_find (cs, id, NULL)) != NULL && strcmp (c->state, "running") != 0)
    a = reserve_locked (c);
  pthread_mutex_unlock (&cs->lock);
  return a;
}

void
engine_container_attach_slot_free (struct engine_containers *cs, struct container_attacher *a)
{
  struct container *c;

  if (a == NULL)
    return;
  pthread_mutex_lock (&cs->lock);
  if (!a->done && (c = container_find (cs, a->id, NULL)) != NULL)
    unlink_attacher (c, a);
  pthread_mutex_unlock (&cs->lock);
  if (a->fd >= 0)
    close (a->fd);
  free (a);
}

int
engine_container_attach (struct engine_containers *cs, const char *id,
                         struct container_attacher *slot, bool (*cancelled) (void *), void *data,
                         int *fd, berth_error_t *err)
{
  struct container *c;
  int r = 0;

  *fd = -1;
  pthread_mutex_lock (&cs->lock);
  if (slot && slot->done)
    {
      /* Connected by the start already: the output waits in the socket,
         even when the container has ended and gone since (`run --rm`).  */
      *fd = slot->fd;
      slot->fd = -1;
      c = container_find (cs, id, NULL);
    }
  else if ((c = container_find (cs, id, err)) == NULL)
    r = -1;
  else if (slot == NULL && strcmp (c->state, "running") == 0)
    {
      cleanup_free char *path = container_attach_socket (cs, c);
      berth_error_t e2 = NULL;
      /* A shim that just finished: nothing more to stream.  */
      *fd = engine_unix_connect (path, &e2);
      berth_error_release (&e2);
    }
  else
    {
      struct container_attacher *own = slot ? NULL : reserve_locked (c);
      r = wait_pending (cs, c, slot ? slot : own, cancelled, data, fd, err);
      free (own);
    }
  if (r == 0 && (c = container_find (cs, id, NULL)) != NULL)
    container_publish (cs, c, "attach");
  pthread_mutex_unlock (&cs->lock);
  return r;
}

int
engine_container_attach_info (struct engine_containers *cs, const char *name,
                              struct engine_attach_info *out, berth_error_t *err)
{
  struct container *c;
  berth_error_t e2 = NULL;

  memset (out, 0, sizeof *out);
  pthread_mutex_lock (&cs->lock);
  if ((c = container_find (cs, name, err)) == NULL)
    {
      pthread_mutex_unlock (&cs->lock);
      return -1;
    }
  out->id = xstrdup (c->id);
  out->log_path = xasprintf ("%s/%s/%s-json.log", cs->data_dir, c->id, c->id);
  out->tty = c->tty;
  out->running = strcmp (c->state, "running") == 0;
  if (bjson_get_bool (c->config, "Config", "OpenStdin", &out->open_stdin, &e2) < 0
      || bjson_get_bool (c->config, "Config", "StdinOnce", &out->stdin_once, &e2) < 0)
    berth_error_release (&e2);
  pthread_mutex_unlock (&cs->lock);
  return 0;
}

void
engine_attach_info_release (struct engine_attach_info *info)
{
  free (info->id);
  free (info->log_path);
  info->id = info->log_path = NULL;
}

int
engine_container_resize (struct engine_containers *cs, const char *name, int height, int width,
                         berth_error_t *err)
{
  struct container *c;
  cleanup_free char *path = NULL;
  cleanup_free char *id = NULL;
  char line[64];
  bool tty;

  pthread_mutex_lock (&cs->lock);
  if ((c = container_find (cs, name, err)) == NULL)
    {
      pthread_mutex_unlock (&cs->lock);
      return -1;
    }
  id = xstrdup (c->id);
  tty = c->tty;
  if (strcmp (c->state, "running") == 0)
    path = container_control_socket (cs, c);
  pthread_mutex_unlock (&cs->lock);
  if (path == NULL)
    return berth_make_error_msg (err, EBUSY, "container %s is not running", id);
  /* No pty, nothing to size (containerd ignores it too).  */
  if (!tty)
    return 0;
  cleanup_close int fd = engine_unix_connect (path, err);
  if (fd < 0)
    return berth_error_wrap (err, "resize container %s", id);
  snprintf (line, sizeof line, "resize %d %d\n", height, width);
  if (fs_write_all (fd, line, strlen (line)) < 0)
    return berth_make_error (err, errno, "resize container %s", id);
  return 0;
}

void
container_console_size_apply (struct container *c, json_object *doc)
{
  json_object *cs = NULL, *proc = NULL;
  berth_error_t err = NULL;

  /* The CLI sends the terminal's size with create (HostConfig.ConsoleSize,
     API 1.42+) so that the pty has it before the process runs; its resize
     after start comes too late for a process that asks at once.  */
  if (!c->tty || bjson_get_array (c->host_config, "", "ConsoleSize", &cs, &err) < 0 || cs == NULL
      || json_object_array_length (cs) != 2 || !json_object_object_get_ex (doc, "process", &proc))
    {
      berth_error_release (&err);
      return;
    }
  int64_t h = json_object_get_int64 (json_object_array_get_idx (cs, 0));
  int64_t w = json_object_get_int64 (json_object_array_get_idx (cs, 1));
  if (h <= 0 || w <= 0 || h > 0xffff || w > 0xffff)
    return;
  json_object *box = json_object_new_object ();
  json_object_object_add (box, "height", json_object_new_int64 (h));
  json_object_object_add (box, "width", json_object_new_int64 (w));
  json_object_object_add (proc, "consoleSize", box);
}
