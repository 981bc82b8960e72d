/* berth — hand a seccomp listener fd to the agent at linux.seccomp.listenerPath
 * (config-linux.md "The Container Process State").
 *
 * Runs in the runtime process, not in the container: the agent's socket is
 * a host path, and the container's filter may itself trap sendmsg.  */
#define _GNU_SOURCE

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

#include "../base/base.h"
#include "runtime-internal.h"

DEFINE_CLEANUP (json_object *, json_object_put)

/* The state as runtime.md "State" has it, at the one moment a listener fd
   exists: while the container is being created.  */
static json_object *
process_state (const struct oci_seccomp *s, pid_t pid, const struct runtime_state *st)
{
  json_object *o = json_object_new_object ();
  json_object *state = json_object_new_object ();
  json_object *fds = json_object_new_array ();
  json_object *ann = json_object_new_object ();

  json_object_array_add (fds, json_object_new_string ("seccompFd"));
  json_object_object_add (o, "ociVersion", json_object_new_string ("1.2.0"));
  json_object_object_add (o, "fds", fds);
  json_object_object_add (o, "pid", json_object_new_int64 (pid));
  if (s->listener_metadata)
    json_object_object_add (o, "metadata", json_object_new_string (s->listener_metadata));

  json_object_object_add (state, "ociVersion", json_object_new_string ("1.2.0"));
  json_object_object_add (state, "id", json_object_new_string (st && st->id ? st->id : ""));
  json_object_object_add (state, "status", json_object_new_string ("creating"));
  json_object_object_add (state, "pid", json_object_new_int64 (pid));
  json_object_object_add (state, "bundle",
                          json_object_new_string (st && st->bundle ? st->bundle : ""));
  for (size_t i = 0; st && st->annotation_keys && st->annotation_keys[i]; i++)
    json_object_object_add (ann, st->annotation_keys[i],
                            json_object_new_string (st->annotation_values[i]));
  json_object_object_add (state, "annotations", ann);
  json_object_object_add (o, "state", state);
  return o;
}

static int
connect_listener (const char *path, berth_error_t *err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int fd;

  if (strlen (path) >= sizeof addr.sun_path)
    return berth_make_error (err, ENAMETOOLONG, "seccomp listener `%s`", path);
  strcpy (addr.sun_path, path);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return berth_make_error (err, errno, "socket for seccomp listener `%s`", path);
  if (TEMP_FAILURE_RETRY_INT (connect (fd, (struct sockaddr *) &addr, sizeof addr)) < 0)
    {
      int e = errno;
      close (fd);
      return berth_make_error (err, e, "connect to seccomp listener `%s`", path);
    }
  return fd;
}

/* One sendmsg with the fd, then the rest of the payload if the socket
   took only part of it (the spec allows several, fds in the first).  */
static int
send_payload (int sock, int fd, const char *buf, size_t len, const char *path, berth_error_t *err)
{
  char control[CMSG_SPACE (sizeof (int))];
  struct iovec iov = { .iov_base = (void *) buf, .iov_len = len };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
  struct cmsghdr *cmsg;
  ssize_t n;
  size_t done;

  memset (control, 0, sizeof control);
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  cmsg = CMSG_FIRSTHDR (&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (cmsg), &fd, sizeof (int));

  n = TEMP_FAILURE_RETRY_INT (sendmsg (sock, &msg, MSG_NOSIGNAL));
  if (n < 0)
    return berth_make_error (err, errno, "send the seccomp fd to `%s`", path);
  for (done = (size_t) n; done < len; done += (size_t) n)
    {
      n = TEMP_FAILURE_RETRY_INT (send (sock, buf + done, len - done, MSG_NOSIGNAL));
      if (n < 0)
        return berth_make_error (err, errno, "send the container state to `%s`", path);
    }
  return 0;
}

int
seccomp_notify_connect (const struct oci_seccomp *s, berth_error_t *err)
{
  if (s == NULL || s->listener_path == NULL)
    {
      berth_make_error_msg (err, EINVAL,
                            "seccomp: `SCMP_ACT_NOTIFY` needs `linux.seccomp.listenerPath`");
      return -1;
    }
  return connect_listener (s->listener_path, err);
}

int
seccomp_notify_send_on (const struct oci_seccomp *s, int sock, int fd, pid_t pid,
                        const struct runtime_state *st, berth_error_t *err)
{
  cleanup_type (json_object_put) json_object *o = process_state (s, pid, st);
  const char *text = json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN);
  return send_payload (sock, fd, text, strlen (text), s->listener_path, err);
}

int
seccomp_notify_send (const struct oci_seccomp *s, int fd, pid_t pid, const struct runtime_state *st,
                     berth_error_t *err)
{
  cleanup_type (json_object_put) json_object *o = NULL;
  cleanup_close int sock = -1;
  const char *text;

  if (s == NULL || s->listener_path == NULL)
    {
      berth_make_error_msg (err, EINVAL,
                            "seccomp: `SCMP_ACT_NOTIFY` needs `linux.seccomp.listenerPath`");
      return -1;
    }
  o = process_state (s, pid, st);
  text = json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN);
  sock = connect_listener (s->listener_path, err);
  if (sock < 0)
    return -1;
  /* Exactly one state per connection, then close (config-linux.md).  */
  return send_payload (sock, fd, text, strlen (text), s->listener_path, err);
}
