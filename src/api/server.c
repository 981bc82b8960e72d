/* berth — the Engine API's HTTP server: libmicrohttpd, one daemon per
 * listener, in thread-per-connection mode.  Idle, berthd runs one thread per
 * listener; each connection gets its own thread, so a handler may block
 * (container wait, pulls) and a stream may sleep until it has data, without
 * holding up other clients.  docker's connections are short, so threads
 * come and go with them.  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <microhttpd.h>

#include "api/api-internal.h"
#include "api/tls.h"
#include "base/base.h"
#include "engine/engine.h"

/* Small stacks: handlers are shallow; 256 KiB is plenty and keeps many
   connections cheap.  */
#define STACK_SIZE ((size_t) (256 << 10))

struct listener
{
  struct listener *next;
  struct MHD_Daemon *mhd;
  char *unix_path; /* removed at shutdown */
};

struct api_server
{
  struct engine *engine;
  struct api_router *router;
  struct listener *listeners;
  struct api_tls *tls; /* of the tcp:// listeners, or NULL */
  /* The sockets of hijacked connections whose handler runs (attach, exec
     can last for days): shut down when the server stops, else
     MHD_stop_daemon would wait for them forever.  */
  pthread_mutex_t hijack_lock;
  int *hijacked;
  size_t n_hijacked;
  bool stopping;
  /* systemd socket activation: the sockets passed from fd 3 on (-1 once
     taken by a listener or when not a listening socket).  */
  int *activated;
  size_t n_activated;
  bool activation_read;
};

/* Per-request state, MHD's con_cls.  */
/* A request body is kept in memory up to SPOOL_AT bytes; a larger one
   (an image to load or import, a tar for `docker cp`) goes to an unnamed
   file under <data-root>/tmp and reaches the handler as a mapping of it, so
   its size is bounded by the disk, not by memory.  */
#define SPOOL_AT (1u << 20)

struct conn_req
{
  char *body;
  size_t len;
  int fd; /* the spool file, or -1 */
  bool too_big;
};

struct stream_ctx
{
  struct api_stream *stream;
  int client_fd;
};

struct upgrade_ctx
{
  struct api_server *server;
  api_upgrade_fn fn;
  void *data;
  void (*free_data) (void *);
};

static enum MHD_Result
collect (void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
  struct api_request *req = cls;
  if (kind == MHD_GET_ARGUMENT_KIND)
    api_request_add_query (req, key, value);
  else
    api_request_add_header (req, key, value);
  return MHD_YES;
}

static ssize_t
stream_reader (void *cls, uint64_t pos, char *buf, size_t max)
{
  struct stream_ctx *sc = cls;
  ssize_t n;
  (void) pos;
  n = api_stream_read (sc->stream, sc->client_fd, buf, max);
  if (n > 0)
    return n;
  return n == 0 ? MHD_CONTENT_READER_END_OF_STREAM : MHD_CONTENT_READER_END_WITH_ERROR;
}

static void
stream_free (void *cls)
{
  struct stream_ctx *sc = cls;
  api_stream_finish (sc->stream);
  free (sc);
}

static void
upgrade_free (struct upgrade_ctx *uc)
{
  if (uc->free_data)
    uc->free_data (uc->data);
  free (uc);
}

static void
hijack_add (struct api_server *s, int fd)
{
  pthread_mutex_lock (&s->hijack_lock);
  if (s->stopping)
    shutdown (fd, SHUT_RDWR);
  s->hijacked = xrealloc (s->hijacked, (s->n_hijacked + 1) * sizeof (int));
  s->hijacked[s->n_hijacked++] = fd;
  pthread_mutex_unlock (&s->hijack_lock);
}

static void
hijack_remove (struct api_server *s, int fd)
{
  pthread_mutex_lock (&s->hijack_lock);
  for (size_t i = 0; i < s->n_hijacked; i++)
    if (s->hijacked[i] == fd)
      {
        s->hijacked[i] = s->hijacked[--s->n_hijacked];
        break;
      }
  pthread_mutex_unlock (&s->hijack_lock);
}

/* Run the handler of a hijacked connection, then hand it back to MHD.  */
static void
run_upgraded (struct upgrade_ctx *uc, MHD_socket sock, const char *extra, size_t extra_len,
              struct MHD_UpgradeResponseHandle *urh)
{
  /* MHD's sockets are non-blocking; handlers get a blocking one.  */
  int fl = fcntl (sock, F_GETFL);
  if (fl >= 0 && (fl & O_NONBLOCK))
    fcntl (sock, F_SETFL, fl & ~O_NONBLOCK);
  hijack_add (uc->server, sock);
  uc->fn (uc->data, sock, extra, extra_len);
  hijack_remove (uc->server, sock);
  MHD_upgrade_action (urh, MHD_UPGRADE_ACTION_CLOSE);
  upgrade_free (uc);
}

struct tls_upgrade
{
  struct upgrade_ctx *uc;
  int fd;
  const char *extra;
  size_t extra_len;
};

static void *
tls_upgrade_thread (void *arg)
{
  struct tls_upgrade *tu = arg;
  hijack_add (tu->uc->server, tu->fd);
  tu->uc->fn (tu->uc->data, tu->fd, tu->extra, tu->extra_len);
  hijack_remove (tu->uc->server, tu->fd);
  close (tu->fd);
  return NULL;
}

/* Under TLS, SOCK is one end of a socketpair MHD would relay through TLS
   once this callback returns, but that relay never passes on the client's
   end of input (stdin's EOF for attach and exec).  So the handler gets a
   socketpair of ours, run on a thread of its own, and this thread relays
   it through the connection's TLS session until the handler is done.  */
static void
upgraded_tls (struct upgrade_ctx *uc, struct MHD_Connection *c, const char *extra, size_t extra_len,
              struct MHD_UpgradeResponseHandle *urh)
{
  struct tls_upgrade tu = { uc, -1, extra, extra_len };
  pthread_attr_t attr;
  pthread_t th;
  int sp[2];

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
    {
      log_warning ("http: socketpair for an upgraded TLS connection: %m");
      goto out;
    }
  tu.fd = sp[0];
  fcntl (sp[1], F_SETFL, O_NONBLOCK);
  pthread_attr_init (&attr);
  pthread_attr_setstacksize (&attr, STACK_SIZE);
  if (pthread_create (&th, &attr, tls_upgrade_thread, &tu) != 0)
    {
      log_warning ("http: cannot start the thread of an upgraded TLS connection");
      close (sp[0]);
    }
  else
    {
      api_tls_relay (c, sp[1]);
      pthread_join (th, NULL);
    }
  pthread_attr_destroy (&attr);
  close (sp[1]);
out:
  MHD_upgrade_action (urh, MHD_UPGRADE_ACTION_CLOSE);
  upgrade_free (uc);
}

static void
upgraded (void *cls, struct MHD_Connection *c, void *con_cls, const char *extra_in,
          size_t extra_in_size, MHD_socket sock, struct MHD_UpgradeResponseHandle *urh)
{
  struct upgrade_ctx *uc = cls;
  (void) con_cls;
  /* Thread-per-connection: blocking here blocks this connection only.  */
  if (MHD_get_connection_info (c, MHD_CONNECTION_INFO_GNUTLS_SESSION) != NULL)
    upgraded_tls (uc, c, extra_in, extra_in_size, urh);
  else
    run_upgraded (uc, sock, extra_in, extra_in_size, urh);
}

static struct MHD_Response *
make_mhd_response (struct api_server *s, struct MHD_Connection *c, struct api_response *resp)
{
  struct MHD_Response *r = NULL;

  if (resp->kind == API_RESPONSE_STREAM)
    {
      struct stream_ctx *sc = xmalloc0 (sizeof (*sc));
      const union MHD_ConnectionInfo *ci
          = MHD_get_connection_info (c, MHD_CONNECTION_INFO_CONNECTION_FD);
      sc->client_fd = ci ? ci->connect_fd : -1;
      sc->stream = steal_pointer (&resp->stream);
      r = MHD_create_response_from_callback (MHD_SIZE_UNKNOWN, 32 * 1024, stream_reader, sc,
                                             stream_free);
      if (r == NULL)
        stream_free (sc);
      else
        api_stream_start (sc->stream);
    }
  else if (resp->kind == API_RESPONSE_UPGRADE)
    {
      struct upgrade_ctx *uc = xmalloc0 (sizeof (*uc));
      uc->server = s;
      uc->fn = resp->upgrade_fn;
      uc->data = steal_pointer (&resp->upgrade_data);
      uc->free_data = resp->upgrade_free;
      resp->upgrade_free = NULL;
      r = MHD_create_response_for_upgrade (upgraded, uc);
      if (r == NULL)
        upgrade_free (uc);
    }
  else
    r = MHD_create_response_from_buffer (resp->body_len, resp->body ? resp->body : (char *) "",
                                         MHD_RESPMEM_MUST_COPY);
  if (r == NULL)
    return NULL;
  for (size_t i = 0; resp->header_keys && resp->header_keys[i]; i++)
    if (MHD_add_response_header (r, resp->header_keys[i], resp->header_values[i]) != MHD_YES)
      log_warning ("http: cannot set response header %s: %s", resp->header_keys[i],
                   resp->header_values[i]);
  return r;
}

static enum MHD_Result
queue_error (struct MHD_Connection *c, int status, const char *msg)
{
  cleanup_free char *body = xasprintf ("{\"message\":\"%s\"}\n", msg);
  struct MHD_Response *r
      = MHD_create_response_from_buffer (strlen (body), body, MHD_RESPMEM_MUST_COPY);
  enum MHD_Result ret;
  MHD_add_response_header (r, "Content-Type", "application/json");
  ret = MHD_queue_response (c, status, r);
  MHD_destroy_response (r);
  return ret;
}

/* An unnamed file for a large body, under <data-root>/tmp.  */
static int
spool_open (struct api_server *s)
{
  /* Unit tests serve without an engine.  */
  cleanup_free char *dir = s->engine
                               ? xasprintf ("%s/tmp", engine_get_config (s->engine)->data_root)
                               : xstrdup ("/tmp");
  berth_error_t err = NULL;
  if (fs_mkdir_p (dir, 0700, &err) < 0)
    {
      log_warning ("spool a request body: %s", err->msg);
      berth_error_release (&err);
      return -1;
    }
  int fd = open (dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    log_warning ("spool a request body in `%s`: %m", dir);
  return fd;
}

static int
body_append (struct api_server *s, struct conn_req *cr, const char *data, size_t len)
{
  if (cr->fd < 0 && cr->len + len <= SPOOL_AT)
    {
      cr->body = xrealloc (cr->body, cr->len + len + 1);
      memcpy (cr->body + cr->len, data, len);
      cr->len += len;
      cr->body[cr->len] = '\0';
      return 0;
    }
  if (cr->fd < 0)
    {
      if ((cr->fd = spool_open (s)) < 0
          || fs_write_all (cr->fd, cr->body ? cr->body : "", cr->len) < 0)
        return -1;
      free (cr->body);
      cr->body = NULL;
    }
  if (fs_write_all (cr->fd, data, len) < 0)
    return -1;
  cr->len += len;
  return 0;
}

/* The spooled body as a read-only mapping with a NUL after it (one byte
   more on the file), as handlers expect of a body.  */
static char *
spool_map (struct conn_req *cr)
{
  if (ftruncate (cr->fd, (off_t) cr->len + 1) < 0)
    return NULL;
  void *p = mmap (NULL, cr->len + 1, PROT_READ, MAP_PRIVATE, cr->fd, 0);
  return p == MAP_FAILED ? NULL : p;
}

static enum MHD_Result
handle (struct api_server *s, struct MHD_Connection *c, const char *url, const char *method,
        struct conn_req *cr)
{
  struct api_request *req = api_request_new (s->engine, method, url);
  struct api_response *resp = api_response_new ();
  struct MHD_Response *r;
  enum MHD_Result ret;
  int status;

  MHD_get_connection_values (c, MHD_GET_ARGUMENT_KIND, collect, req);
  MHD_get_connection_values (c, MHD_HEADER_KIND, collect, req);
  if (cr->fd >= 0)
    {
      char *map = spool_map (cr);
      if (map == NULL)
        {
          api_request_free (req);
          api_response_free (resp);
          return queue_error (c, 500, "cannot map the spooled request body");
        }
      api_request_set_body_mapped (req, map, cr->len);
    }
  else
    api_request_set_body (req, steal_pointer (&cr->body), cr->len);
  api_router_dispatch (s->router, req, resp);
  log_debug ("%s %s -> %d", method, url, resp->status);
  status = resp->status;
  r = make_mhd_response (s, c, resp);
  api_response_free (resp);
  api_request_free (req);
  if (r == NULL)
    return queue_error (c, 500, "cannot create the response");
  ret = MHD_queue_response (c, (unsigned) status, r);
  if (ret != MHD_YES)
    log_warning ("http: cannot queue the %d response to %s %s", status, method, url);
  MHD_destroy_response (r);
  return ret;
}

static enum MHD_Result
access_cb (void *cls, struct MHD_Connection *c, const char *url, const char *method,
           const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
  struct api_server *s = cls;
  struct conn_req *cr = *con_cls;
  (void) version;

  if (cr == NULL)
    {
      /* Belt and braces: the handshake already required the certificate.  */
      if (!api_tls_client_ok (s->tls, c))
        return MHD_NO;
      cr = xmalloc0 (sizeof (struct conn_req));
      cr->fd = -1;
      *con_cls = cr;
      return MHD_YES;
    }
  if (*upload_data_size > 0)
    {
      if (!cr->too_big && body_append (s, cr, upload_data, *upload_data_size) < 0)
        cr->too_big = true;
      *upload_data_size = 0;
      return MHD_YES;
    }
  if (cr->too_big)
    return queue_error (c, 413, "request body too large: cannot store it");
  return handle (s, c, url, method, cr);
}

static void
completed_cb (void *cls, struct MHD_Connection *c, void **con_cls,
              enum MHD_RequestTerminationCode toe)
{
  struct conn_req *cr = *con_cls;
  (void) cls;
  (void) c;
  (void) toe;
  if (cr)
    {
      free (cr->body);
      if (cr->fd >= 0)
        close (cr->fd);
      free (cr);
    }
  *con_cls = NULL;
}

static void
mhd_log (void *cls, const char *fmt, va_list ap)
{
  cleanup_free char *msg = NULL;
  (void) cls;
  if (vasprintf (&msg, fmt, ap) < 0)
    return;
  log_debug ("http: %s", str_trim (msg));
}

struct api_server *
api_server_new (struct engine *engine, berth_error_t *err)
{
  struct api_server *s = xmalloc0 (sizeof (*s));
  (void) err;
  s->engine = engine;
  pthread_mutex_init (&s->hijack_lock, NULL);
  s->router = api_router_new ();
  api_system_register (s->router);
  api_images_register (s->router);
  api_containers_register (s->router);
  api_exec_register (s->router);
  api_containers_stats_register (s->router);
  api_containers_attach_register (s->router);
  api_containers_ops_register (s->router);
  api_containers_archive_register (s->router);
  api_volumes_register (s->router);
  api_networks_register (s->router);
  return s;
}

struct api_router *
api_server_router (struct api_server *s)
{
  return s->router;
}

/* GROUP's id from /etc/group.  Read directly rather than through NSS
   (getgrnam), which would map NSS modules into the daemon for good: a few
   hundred KiB of its idle RSS.  */
static bool
local_group (const char *group, gid_t *gid)
{
  cleanup_file FILE *f = fopen ("/etc/group", "re");
  struct group gr, *res = NULL;
  char buf[4096];

  while (f && fgetgrent_r (f, &gr, buf, sizeof (buf), &res) == 0)
    if (strcmp (res->gr_name, group) == 0)
      {
        *gid = res->gr_gid;
        return true;
      }
  return false;
}

/* A unix socket at PATH: a stale one is removed (the pidfile lock tells
   that no other berthd owns it), mode 0660, group GROUP when it exists.  */
static int
listen_unix (const char *path, const char *group, berth_error_t *err)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  cleanup_close int fd = -1;
  struct stat st;

  if (strlen (path) >= sizeof (sa.sun_path))
    return berth_make_error (err, ENAMETOOLONG, "socket path `%s`", path);
  strcpy (sa.sun_path, path);
  if (lstat (path, &st) == 0)
    {
      if (!S_ISSOCK (st.st_mode))
        return berth_make_error (err, EEXIST, "`%s` exists and is not a socket", path);
      if (unlink (path) < 0)
        return berth_make_error (err, errno, "remove stale socket `%s`", path);
    }
  cleanup_free char *dir = fs_dirname (path);
  if (fs_mkdir_p (dir, 0755, err) < 0)
    return -1;
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return berth_make_error (err, errno, "socket for `%s`", path);
  /* Bind under a umask that leaves no window with a wider mode.  */
  mode_t old = umask (0117);
  int r = bind (fd, (struct sockaddr *) &sa, sizeof (sa));
  umask (old);
  if (r < 0)
    return berth_make_error (err, errno, "bind `%s`", path);
  if (chmod (path, 0660) < 0)
    return berth_make_error (err, errno, "chmod `%s`", path);
  gid_t gid;
  if (group && group[0] && local_group (group, &gid) && chown (path, 0, gid) < 0)
    log_warning ("chown socket `%s` to group %s: %m", path, group);
  if (listen (fd, 128) < 0)
    return berth_make_error (err, errno, "listen on `%s`", path);
  return steal_fd (&fd);
}

/* tcp://host:port; an empty host is every address, as in dockerd.  */
static int
listen_tcp (const char *hostport, berth_error_t *err)
{
  struct addrinfo hints = { .ai_family = AF_UNSPEC,
                            .ai_socktype = SOCK_STREAM,
                            .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
  struct addrinfo *res = NULL;
  cleanup_free char *host = NULL;
  const char *colon = strrchr (hostport, ':');
  const char *port = colon ? colon + 1 : "2375";
  int fd = -1, r;

  host = colon ? xstrndup (hostport, colon - hostport) : xstrdup (hostport);
  if (host[0] == '[' && host[strlen (host) - 1] == ']')
    {
      memmove (host, host + 1, strlen (host));
      host[strlen (host) - 1] = '\0';
    }
  r = getaddrinfo (host[0] ? host : NULL, port[0] ? port : "2375", &hints, &res);
  if (r != 0)
    return api_error (err, EINVAL, "invalid tcp address `%s`: %s", hostport, gai_strerror (r));
  for (struct addrinfo *ai = res; ai; ai = ai->ai_next)
    {
      int one = 1;
      fd = socket (ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
      if (fd < 0)
        continue;
      setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof (one));
      if (bind (fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen (fd, 128) == 0)
        break;
      close (fd);
      fd = -1;
    }
  r = errno;
  freeaddrinfo (res);
  if (fd < 0)
    return berth_make_error (err, r, "listen on tcp://%s", hostport);
  return fd;
}

/* systemd's socket activation, as sd_listen_fds does it without
   libsystemd: LISTEN_FDS sockets from fd 3 on, when LISTEN_PID names this
   process.  Read once; the variables are then unset so that the processes
   berthd starts (shims, hooks) do not take the sockets for theirs.  */
static void
activation_read (struct api_server *s)
{
  const char *pid = getenv ("LISTEN_PID"), *fds = getenv ("LISTEN_FDS");
  char *end = NULL;
  long p = 0, n = 0;

  if (s->activation_read)
    return;
  s->activation_read = true;
  if (pid && fds)
    {
      errno = 0;
      p = strtol (pid, &end, 10);
      if (errno || *end || p != (long) getpid ())
        p = 0;
      n = strtol (fds, &end, 10);
      /* Far beyond any unit's ListenStream= count: a corrupt value.  */
      if (errno || *end || n < 0 || n > 4096)
        n = 0;
    }
  s->activated = xcalloc (p && n ? (size_t) n : 1, sizeof (int));
  for (long i = 0; p && i < n; i++)
    {
      int fd = 3 + (int) i, listening = 0;
      socklen_t len = sizeof (listening);
      /* Not ours to keep across exec, whatever systemd left set.  */
      fcntl (fd, F_SETFD, FD_CLOEXEC);
      if (getsockopt (fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0 || !listening)
        fd = -1;
      s->activated[s->n_activated++] = fd;
    }
  unsetenv ("LISTEN_PID");
  unsetenv ("LISTEN_FDS");
  unsetenv ("LISTEN_FDNAMES");
}

static int
start_listener (struct api_server *s, int fd, const char *unix_path, const char *addr,
                berth_error_t *err)
{
  static const struct MHD_OptionItem no_options[] = { { MHD_OPTION_END, 0, NULL } };
  struct sockaddr_storage ss;
  socklen_t sslen = sizeof (ss);
  /* dockerd serves TLS on its tcp:// listeners only (and on activated
     sockets that are not unix ones).  */
  bool is_unix = getsockname (fd, (struct sockaddr *) &ss, &sslen) == 0 && ss.ss_family == AF_UNIX;
  struct api_tls *tls = is_unix ? NULL : s->tls;
  struct listener *l = xmalloc0 (sizeof (*l));

  l->unix_path = unix_path ? xstrdup (unix_path) : NULL;
  l->mhd = MHD_start_daemon (
      MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ITC
          | MHD_ALLOW_UPGRADE | MHD_USE_ERROR_LOG | (tls ? MHD_USE_TLS : 0),
      0, NULL, NULL, access_cb, s, MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_NOTIFY_COMPLETED,
      completed_cb, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_THREAD_STACK_SIZE,
      STACK_SIZE, MHD_OPTION_NOTIFY_CONNECTION, api_tls_notify_connection, tls, MHD_OPTION_ARRAY,
      tls ? api_tls_mhd_options (tls) : no_options, MHD_OPTION_END);
  if (l->mhd == NULL)
    {
      close (fd);
      if (l->unix_path)
        unlink (l->unix_path);
      free (l->unix_path);
      free (l);
      return berth_make_error (err, 0, "start the HTTP server on `%s`", addr);
    }
  l->next = s->listeners;
  s->listeners = l;
  return 0;
}

/* fd:// (every activated socket) or fd://N (the one at fd N), with
   dockerd's messages.  */
static int
listen_activated (struct api_server *s, const char *addr, berth_error_t *err)
{
  const char *which = addr + 5;
  size_t first = 0, last;
  char *end = NULL;

  activation_read (s);
  if (s->n_activated == 0)
    return api_error (err, EINVAL,
                      "no sockets found via socket activation: make sure the service was started "
                      "by systemd");
  last = s->n_activated;
  if (which[0] != '\0' && strcmp (which, "*") != 0)
    {
      errno = 0;
      long n = strtol (which, &end, 10);
      if (errno || *end || end == which)
        return api_error (err, EINVAL, "failed to parse systemd fd address: should be a number: %s",
                          which);
      if (n < 3 || (size_t) (n - 3) >= s->n_activated)
        return api_error (err, EINVAL, "too few socket activated files passed in by systemd");
      first = (size_t) (n - 3), last = first + 1;
      if (s->activated[first] < 0)
        return api_error (err, EINVAL, "failed to listen on systemd activated file: fd %ld", n);
    }
  for (size_t i = first; i < last; i++)
    {
      int fd = s->activated[i];
      s->activated[i] = -1;
      /* The socket file belongs to systemd's socket unit: never removed.  */
      if (fd >= 0 && start_listener (s, fd, NULL, addr, err) < 0)
        return -1;
    }
  return 0;
}

int
api_server_listen (struct api_server *s, const char *addr, const char *group, berth_error_t *err)
{
  int fd;
  bool is_unix = str_has_prefix (addr, "unix://");

  if (str_has_prefix (addr, "fd://"))
    return listen_activated (s, addr, err);
  if (is_unix)
    fd = listen_unix (addr + 7, group, err);
  else if (str_has_prefix (addr, "tcp://"))
    fd = listen_tcp (addr + 6, err);
  else
    return api_error (err, EINVAL, "Invalid bind address format: %s", addr);
  if (fd < 0)
    return -1;
  return start_listener (s, fd, is_unix ? addr + 7 : NULL, addr, err);
}

void
api_server_free (struct api_server *s)
{
  if (s == NULL)
    return;
  pthread_mutex_lock (&s->hijack_lock);
  s->stopping = true;
  for (size_t i = 0; i < s->n_hijacked; i++)
    shutdown (s->hijacked[i], SHUT_RDWR);
  pthread_mutex_unlock (&s->hijack_lock);
  while (s->listeners)
    {
      struct listener *l = s->listeners;
      s->listeners = l->next;
      /* Stop accepting first and remove the socket, then end connections.  */
      MHD_socket fd = MHD_quiesce_daemon (l->mhd);
      if (l->unix_path)
        unlink (l->unix_path);
      MHD_stop_daemon (l->mhd);
      if (fd != MHD_INVALID_SOCKET)
        close (fd);
      free (l->unix_path);
      free (l);
    }
  /* Activated sockets no -H took: closed, so clients are refused rather
     than left waiting.  */
  for (size_t i = 0; i < s->n_activated; i++)
    if (s->activated[i] >= 0)
      close (s->activated[i]);
  free (s->activated);
  api_router_free (s->router);
  api_tls_free (s->tls);
  pthread_mutex_destroy (&s->hijack_lock);
  free (s->hijacked);
  free (s);
}

void
api_server_set_tls (struct api_server *s, struct api_tls *tls)
{
  api_tls_free (s->tls);
  s->tls = tls;
}
