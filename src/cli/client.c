#define _GNU_SOURCE
/* berth — the Engine API client: libcurl over the daemon's unix socket (or
   tcp:// with TLS), the docker CLI's version negotiation, streamed answers,
   and the hijacked connection of attach and exec.  */
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/base.h"
#include "cli/cli.h"

void
cli_init (struct cli *cli, const char *argv0)
{
  memset (cli, 0, sizeof *cli);
  cli->argv0 = argv0;
  cli->host = xstrdup (CLI_DEFAULT_HOST);
}

void
cli_clear (struct cli *cli)
{
  if (cli->curl)
    curl_easy_cleanup (cli->curl);
  free (cli->host);
  free (cli->config_dir);
  free (cli->log_level);
  free (cli->tlscacert);
  free (cli->tlscert);
  free (cli->tlskey);
  free (cli->api_version);
  berth_error_release (&cli->err);
  memset (cli, 0, sizeof *cli);
}

void
cli_response_clear (struct cli_response *r)
{
  free (r->body);
  memset (r, 0, sizeof *r);
}

/* The docker CLI's wording, with berth's name.  */
static int
connect_error (struct cli *cli)
{
  berth_error_release (&cli->err);
  return berth_make_error_msg (&cli->err, ECONNREFUSED,
                               "Cannot connect to the berth daemon at %s. Is the berth daemon "
                               "running?",
                               cli->host);
}

/* Base URL and transport options for the host.  */
static int
setup_transport (struct cli *cli, CURL *c, const char *path)
{
  cleanup_free char *url = NULL;
  if (str_has_prefix (cli->host, "unix://"))
    {
      curl_easy_setopt (c, CURLOPT_UNIX_SOCKET_PATH, cli->host + strlen ("unix://"));
      url = xasprintf ("http://localhost%s", path);
    }
  else if (str_has_prefix (cli->host, "tcp://") || str_has_prefix (cli->host, "http://")
           || str_has_prefix (cli->host, "https://"))
    {
      const char *hp = strstr (cli->host, "://") + 3;
      bool tls = cli->tls || cli->tlsverify || str_has_prefix (cli->host, "https://");
      url = xasprintf ("%s://%s%s", tls ? "https" : "http", hp, path);
      if (tls)
        {
          if (cli->tlscacert)
            curl_easy_setopt (c, CURLOPT_CAINFO, cli->tlscacert);
          /* docker drops the client key pair when its (default) files do
             not exist: --tls alone is TLS without a client certificate.  */
          if (cli->tlscert && access (cli->tlscert, F_OK) == 0)
            curl_easy_setopt (c, CURLOPT_SSLCERT, cli->tlscert);
          if (cli->tlskey && access (cli->tlskey, F_OK) == 0)
            curl_easy_setopt (c, CURLOPT_SSLKEY, cli->tlskey);
          curl_easy_setopt (c, CURLOPT_SSL_VERIFYPEER, cli->tlsverify ? 1L : 0L);
          curl_easy_setopt (c, CURLOPT_SSL_VERIFYHOST, cli->tlsverify ? 2L : 0L);
        }
    }
  else
    return berth_make_error_msg (&cli->err, EINVAL, "unable to parse docker host `%s`", cli->host);
  curl_easy_setopt (c, CURLOPT_URL, url);
  return 0;
}

static CURL *
handle (struct cli *cli)
{
  if (cli->curl == NULL)
    cli->curl = curl_easy_init ();
  else
    curl_easy_reset (cli->curl);
  return cli->curl;
}

struct sink
{
  cli_chunk_cb cb;
  void *opaque;
  CURL *curl;
  char *buf;
  size_t len, cap;
  bool stopped;
};

static void
sink_append (struct sink *s, const char *data, size_t n)
{
  if (s->len + n + 1 > s->cap)
    {
      s->cap = (s->len + n + 1) * 2;
      s->buf = xrealloc (s->buf, s->cap);
    }
  memcpy (s->buf + s->len, data, n);
  s->len += n;
  s->buf[s->len] = '\0';
}

static size_t
on_data (char *data, size_t size, size_t nmemb, void *opaque)
{
  struct sink *s = opaque;
  size_t n = size * nmemb;
  long status = 0;
  curl_easy_getinfo (s->curl, CURLINFO_RESPONSE_CODE, &status);
  if (s->cb == NULL || status >= 400)
    {
      sink_append (s, data, n);
      return n;
    }
  if (s->cb (data, n, s->opaque) < 0)
    {
      s->stopped = true;
      return 0; /* CURLE_WRITE_ERROR: the caller asked to stop */
    }
  return n;
}

static size_t
on_upload (char *buf, size_t size, size_t nmemb, void *opaque)
{
  int fd = *(int *) opaque;
  ssize_t n = TEMP_FAILURE_RETRY_INT (read (fd, buf, size * nmemb));
  return n < 0 ? CURL_READFUNC_ABORT : (size_t) n;
}

struct header_want
{
  const char *key; /* lower case, with the ':' */
  char **value;
};

static char *
header_value (const char *key, char *line, size_t len)
{
  size_t klen = strlen (key);
  if (len < klen || strncasecmp (line, key, klen) != 0)
    return NULL;
  cleanup_free char *v = xstrndup (line + klen, len - klen);
  return xstrdup (str_trim (v));
}

static size_t
on_header (char *line, size_t size, size_t nmemb, void *opaque)
{
  struct header_want *w = opaque;
  char *v = header_value (w->key, line, size * nmemb);
  if (v)
    {
      free (*w->value);
      *w->value = v;
    }
  return size * nmemb;
}

struct exchange
{
  const char *method, *path, *body, *content_type;
  int body_fd;
  cli_chunk_cb cb;
  void *opaque;
  char **api_version; /* when set, the Api-Version header lands here */
  const char *header; /* with HEADER_VALUE: this header (lower case, ':') */
  char **header_value;
};

/* One HTTP exchange; < 0 with cli->err when the daemon cannot answer.  */
static int
perform (struct cli *cli, const struct exchange *x, struct cli_response *r)
{
  CURL *c = handle (cli);
  memset (r, 0, sizeof *r);
  if (setup_transport (cli, c, x->path) < 0)
    return -1;
  struct sink s = { .cb = x->cb, .opaque = x->opaque, .curl = c };
  int fd = x->body_fd;
  struct curl_slist *headers = NULL;
  headers = curl_slist_append (headers, "User-Agent: berth/" BERTH_VERSION);
  headers = curl_slist_append (headers, "Expect:");
  if (x->body || fd >= 0)
    {
      cleanup_free char *ct
          = xasprintf ("Content-Type: %s", x->content_type ? x->content_type : "application/json");
      headers = curl_slist_append (headers, ct);
    }
  curl_easy_setopt (c, CURLOPT_CUSTOMREQUEST, x->method);
  if (x->body)
    {
      curl_easy_setopt (c, CURLOPT_POSTFIELDS, x->body);
      curl_easy_setopt (c, CURLOPT_POSTFIELDSIZE, (long) strlen (x->body));
    }
  else if (fd >= 0)
    {
      headers = curl_slist_append (headers, "Transfer-Encoding: chunked");
      curl_easy_setopt (c, CURLOPT_POST, 1L);
      curl_easy_setopt (c, CURLOPT_READFUNCTION, on_upload);
      curl_easy_setopt (c, CURLOPT_READDATA, &fd);
    }
  else if (strcmp (x->method, "POST") == 0)
    curl_easy_setopt (c, CURLOPT_POSTFIELDSIZE, 0L);
  curl_easy_setopt (c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt (c, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt (c, CURLOPT_WRITEDATA, &s);
  struct header_want want = { "api-version:", x->api_version };
  if (x->header_value)
    want = (struct header_want){ x->header, x->header_value };
  if (want.value)
    {
      curl_easy_setopt (c, CURLOPT_HEADERFUNCTION, on_header);
      curl_easy_setopt (c, CURLOPT_HEADERDATA, &want);
    }
  if (strcmp (x->method, "HEAD") == 0)
    curl_easy_setopt (c, CURLOPT_NOBODY, 1L);
  CURLcode rc = curl_easy_perform (c);
  curl_slist_free_all (headers);
  curl_easy_getinfo (c, CURLINFO_RESPONSE_CODE, &r->status);
  r->body = s.buf ? s.buf : xstrdup ("");
  r->len = s.len;
  if (rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && s.stopped))
    return 0;
  if (r->status == 0 && rc != CURLE_COULDNT_CONNECT && !str_has_prefix (cli->host, "unix://"))
    {
      /* Reached but no answer (a TLS handshake refused, plain HTTP on a
         TLS port): docker's url.Error, `error during connect: Get "URL":
         ...`.  */
      cli_response_clear (r);
      char *url = NULL;
      curl_easy_getinfo (c, CURLINFO_EFFECTIVE_URL, &url);
      cleanup_free char *m = xstrdup (x->method);
      for (char *p = m + 1; *p; p++)
        *p = (char) tolower ((unsigned char) *p);
      berth_error_release (&cli->err);
      return berth_make_error_msg (&cli->err, ECONNRESET, "error during connect: %s \"%s\": %s", m,
                                   url ? url : "", curl_easy_strerror (rc));
    }
  if (rc == CURLE_COULDNT_CONNECT || r->status == 0)
    {
      cli_response_clear (r);
      return connect_error (cli);
    }
  /* The daemon went away mid-answer (a stream cut short): Go's reader of
     the chunked body says io.ErrUnexpectedEOF, which docker's logs,
     events, wait and attach print as is.  */
  cli_response_clear (r);
  berth_error_release (&cli->err);
  return berth_make_error_msg (&cli->err, EIO, "unexpected EOF");
}

/* ---- starting berthd on a fresh machine ---- */

/* berthd beside our binary (build tree, or bin/ and sbin/ of a prefix).  */
static char *
find_berthd (void)
{
  char self[4096];
  ssize_t n = readlink ("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0)
    return NULL;
  self[n] = '\0';
  char *slash = strrchr (self, '/');
  if (slash == NULL)
    return NULL;
  *slash = '\0';
  cleanup_free char *beside = xasprintf ("%s/berthd", self);
  if (access (beside, X_OK) == 0)
    return steal_pointer (&beside);
  cleanup_free char *sbin = xasprintf ("%s/../sbin/berthd", self);
  if (access (sbin, X_OK) == 0)
    return steal_pointer (&sbin);
  return NULL;
}

/* Fork berthd into its own session, its output to /run/berth/berthd.log;
   the socket is what we wait for, not the child.  */
static int
spawn_berthd (const char *berthd)
{
  if (mkdir ("/run/berth", 0711) < 0 && errno != EEXIST)
    return -1;
  pid_t pid = fork ();
  if (pid < 0)
    return -1;
  if (pid == 0)
    {
      int null = open ("/dev/null", O_RDONLY | O_CLOEXEC);
      int log = open ("/run/berth/berthd.log", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
      if (null < 0 || log < 0 || dup2 (null, 0) < 0 || dup2 (log, 1) < 0 || dup2 (log, 2) < 0)
        _exit (127);
      setsid ();
      /* A second fork: berthd is nobody's child, no zombie when it exits.  */
      if (fork () != 0)
        _exit (0);
      execl (berthd, "berthd", (char *) NULL);
      _exit (127);
    }
  int status = 0;
  TEMP_FAILURE_RETRY_INT (waitpid (pid, &status, 0));
  return 0;
}

static bool
may_start_daemon (const struct cli *cli)
{
  return !cli->host_given && geteuid () == 0 && strcmp (cli->host, CLI_DEFAULT_HOST) == 0;
}

static int
ping (struct cli *cli, char **version)
{
  struct cli_response r = { 0 };
  struct exchange x = { .method = "GET", .path = "/_ping", .body_fd = -1, .api_version = version };
  int ret = perform (cli, &x, &r);
  cli_response_clear (&r);
  return ret;
}

/* Go's versions.LessThan on "1.41" strings.  */
static bool
version_less (const char *a, const char *b)
{
  unsigned a1 = 0, a2 = 0, b1 = 0, b2 = 0;
  sscanf (a, "%u.%u", &a1, &a2);
  sscanf (b, "%u.%u", &b1, &b2);
  return a1 < b1 || (a1 == b1 && a2 < b2);
}

int
cli_negotiate (struct cli *cli)
{
  if (cli->api_version)
    return 0;
  cleanup_free char *version = NULL;
  int r = ping (cli, &version);
  if (r < 0 && berth_error_status (cli->err) == ECONNREFUSED && may_start_daemon (cli))
    {
      cleanup_free char *berthd = find_berthd ();
      if (berthd && spawn_berthd (berthd) == 0)
        for (int i = 0; i < 100 && r < 0; i++)
          {
            usleep (50 * 1000);
            r = ping (cli, &version);
          }
    }
  if (r < 0)
    return r;
  /* docker: a daemon that sends no Api-Version is taken to speak 1.24.  */
  if (version == NULL || *version == '\0')
    cli->api_version = xstrdup ("1.24");
  else if (version_less (version, CLI_API_VERSION))
    cli->api_version = steal_pointer (&version);
  else
    cli->api_version = xstrdup (CLI_API_VERSION);
  return 0;
}

char *
cli_path (struct cli *cli, const char *fmt, ...)
{
  if (cli_negotiate (cli) < 0)
    return NULL;
  va_list ap;
  va_start (ap, fmt);
  cleanup_free char *p = NULL;
  if (vasprintf (&p, fmt, ap) < 0)
    abort ();
  va_end (ap);
  return xasprintf ("/v%s%s", cli->api_version, p);
}

int
cli_request (struct cli *cli, const char *method, const char *path, const char *body,
             struct cli_response *r)
{
  struct exchange x = { .method = method, .path = path, .body = body, .body_fd = -1 };
  if (path == NULL)
    return memset (r, 0, sizeof *r), -1; /* cli_path failed: cli->err is set */
  return perform (cli, &x, r);
}

int
cli_request_json (struct cli *cli, const char *method, const char *path, json_object *obj,
                  struct cli_response *r)
{
  const char *body = obj ? json_object_to_json_string_ext (obj, JSON_C_TO_STRING_PLAIN) : NULL;
  return cli_request (cli, method, path, body, r);
}

int
cli_stream (struct cli *cli, const char *method, const char *path, const char *content_type,
            int body_fd, cli_chunk_cb cb, void *opaque, struct cli_response *r)
{
  struct exchange x = { .method = method,
                        .path = path,
                        .content_type = content_type,
                        .body_fd = body_fd,
                        .cb = cb,
                        .opaque = opaque };
  if (path == NULL)
    return memset (r, 0, sizeof *r), -1;
  return perform (cli, &x, r);
}

/* ---- client config ---- */

char *
cli_detach_keys (struct cli *cli, const char *flag)
{
  if (flag && *flag)
    return xstrdup (flag);
  if (cli->config_dir == NULL)
    return NULL;
  cleanup_free char *path = xasprintf ("%s/config.json", cli->config_dir);
  berth_error_t err = NULL;
  /* A missing or unreadable config is no config, as for docker.  */
  json_object *conf = access (path, F_OK) == 0 ? bjson_parse_file (path, &err) : NULL;
  berth_error_release (&err);
  char *keys = NULL;
  json_object *v = NULL;
  if (conf && json_object_object_get_ex (conf, "detachKeys", &v)
      && json_object_is_type (v, json_type_string) && json_object_get_string_len (v) > 0)
    keys = xstrdup (json_object_get_string (v));
  json_object_put (conf);
  return keys;
}

int
cli_head (struct cli *cli, const char *path, const char *header, char **value,
          struct cli_response *r)
{
  struct exchange x
      = { .method = "HEAD", .path = path, .body_fd = -1, .header = header, .header_value = value };
  if (path == NULL)
    return memset (r, 0, sizeof *r), -1;
  return perform (cli, &x, r);
}

/* ---- query strings ---- */

char *
cli_query_escape (const char *s)
{
  static const char hex[] = "0123456789ABCDEF";
  char *out = xmalloc (strlen (s) * 3 + 1);
  char *p = out;
  for (; *s; s++)
    {
      unsigned char c = (unsigned char) *s;
      if (isalnum (c) || c == '-' || c == '_' || c == '.' || c == '~')
        *p++ = (char) c;
      else if (c == ' ')
        *p++ = '+';
      else
        {
          *p++ = '%';
          *p++ = hex[c >> 4];
          *p++ = hex[c & 15];
        }
    }
  *p = '\0';
  return out;
}

void
cli_query_add (char **query, const char *key, const char *value)
{
  cleanup_free char *k = cli_query_escape (key);
  cleanup_free char *v = cli_query_escape (value);
  char *old = *query;
  *query = xasprintf ("%s%s%s=%s", old ? old : "", old && *old ? "&" : "?", k, v);
  free (old);
}

/* ---- errors ---- */

char *
cli_response_message (const struct cli_response *r)
{
  if (r->body && r->len > 0)
    {
      json_object *obj = json_tokener_parse (r->body);
      json_object *m = NULL;
      if (obj && json_object_object_get_ex (obj, "message", &m)
          && json_object_is_type (m, json_type_string))
        {
          char *msg = xstrdup (json_object_get_string (m));
          json_object_put (obj);
          return msg;
        }
      json_object_put (obj);
      cleanup_free char *body = xstrdup (r->body);
      if (*str_trim (body))
        return xstrdup (body);
    }
  return xasprintf ("%ld %s", r->status, r->status == 404 ? "Not Found" : "Error");
}

static void
vfail (const struct cli_args *a, int status, const char *msg)
{
  /* docker: run/create-type errors (125) say which command and point to
     its help; the others print the message alone.  */
  if (status == 125 && a)
    fprintf (stderr, "berth: %s\n\nRun '%s --help' for more information\n", msg, a->path);
  else
    fprintf (stderr, "%s\n", msg);
}

int
cli_fail (struct cli *cli, const struct cli_args *a, int status)
{
  vfail (a, status, cli->err ? cli->err->msg : "unknown error");
  return status;
}

int
cli_fail_response (struct cli *cli, const struct cli_args *a, const struct cli_response *r,
                   int status)
{
  (void) cli;
  cleanup_free char *m = cli_response_message (r);
  cleanup_free char *msg = xasprintf ("Error response from daemon: %s", m);
  vfail (a, status, msg);
  return status;
}

int
cli_fail_msg (const struct cli_args *a, int status, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  cleanup_free char *msg = NULL;
  if (vasprintf (&msg, fmt, ap) < 0)
    abort ();
  va_end (ap);
  vfail (a, status, msg);
  return status;
}

/* ---- hijack ---- */

/* Over TLS the hijacked stream goes through curl (CONNECT_ONLY): a thread
   pumps between it and one end of a socketpair, so the relay keeps working
   on a plain fd, half-close (CloseWrite) included.  */
static int send_all (int fd, const char *buf, size_t len);
static int dial (struct cli *cli);

struct tls_pump
{
  CURL *c;
  curl_socket_t sock;
  int pair;
};

static int
tls_send_all (struct tls_pump *p, const char *buf, size_t len)
{
  while (len > 0)
    {
      size_t n = 0;
      CURLcode rc = curl_easy_send (p->c, buf, len, &n);
      if (rc == CURLE_AGAIN)
        {
          struct pollfd pf = { .fd = p->sock, .events = POLLOUT };
          if (poll (&pf, 1, -1) < 0 && errno != EINTR)
            return -1;
          continue;
        }
      if (rc != CURLE_OK)
        return -1;
      buf += n, len -= n;
    }
  return 0;
}

static void *
tls_pump_run (void *data)
{
  struct tls_pump *p = data;
  char buf[16384];
  bool in_open = true;
  for (;;)
    {
      /* curl may hold decrypted bytes already: drain before polling.  */
      size_t got = 0;
      CURLcode rc = curl_easy_recv (p->c, buf, sizeof buf, &got);
      if (rc == CURLE_OK && got == 0)
        break;
      if (rc == CURLE_OK)
        {
          if (send_all (p->pair, buf, got) < 0)
            break;
          continue;
        }
      if (rc != CURLE_AGAIN)
        break;
      struct pollfd pf[2] = { { .fd = p->sock, .events = POLLIN },
                              { .fd = in_open ? p->pair : -1, .events = POLLIN } };
      if (poll (pf, 2, -1) < 0 && errno != EINTR)
        break;
      if (pf[1].revents & (POLLIN | POLLHUP))
        {
          ssize_t n = TEMP_FAILURE_RETRY_INT (read (p->pair, buf, sizeof buf));
          if (n <= 0)
            {
              /* The CLI's CloseWrite: end our direction of the stream.  */
              in_open = false;
              shutdown (p->sock, SHUT_WR);
            }
          else if (tls_send_all (p, buf, (size_t) n) < 0)
            break;
        }
    }
  close (p->pair);
  curl_easy_cleanup (p->c);
  free (p);
  return NULL;
}

static int
dial_tls (struct cli *cli)
{
  CURL *c = curl_easy_init ();
  if (c == NULL || setup_transport (cli, c, "/") < 0)
    return curl_easy_cleanup (c), -1;
  curl_easy_setopt (c, CURLOPT_CONNECT_ONLY, 1L);
  CURLcode rc = curl_easy_perform (c);
  curl_socket_t sock = CURL_SOCKET_BAD;
  if (rc == CURLE_OK)
    curl_easy_getinfo (c, CURLINFO_ACTIVESOCKET, &sock);
  int sv[2];
  if (rc != CURLE_OK || sock == CURL_SOCKET_BAD
      || socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
    {
      berth_error_release (&cli->err);
      berth_make_error_msg (&cli->err, ECONNRESET, "error during connect: %s",
                            curl_easy_strerror (rc));
      return curl_easy_cleanup (c), -1;
    }
  struct tls_pump *p = xmalloc (sizeof *p);
  *p = (struct tls_pump){ .c = c, .sock = sock, .pair = sv[1] };
  pthread_t th;
  if (pthread_create (&th, NULL, tls_pump_run, p) != 0)
    {
      close (sv[0]), close (sv[1]), curl_easy_cleanup (c), free (p);
      return berth_make_error_msg (&cli->err, EAGAIN, "start the TLS stream");
    }
  pthread_detach (th);
  return sv[0];
}

int
cli_dial (struct cli *cli)
{
  return dial (cli);
}

static int
dial (struct cli *cli)
{
  if (str_has_prefix (cli->host, "unix://"))
    {
      struct sockaddr_un sun = { .sun_family = AF_UNIX };
      const char *p = cli->host + strlen ("unix://");
      if (strlen (p) >= sizeof sun.sun_path)
        return berth_make_error_msg (&cli->err, ENAMETOOLONG, "socket path too long: %s", p);
      strcpy (sun.sun_path, p);
      cleanup_close int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (fd < 0 || connect (fd, (struct sockaddr *) &sun, sizeof sun) < 0)
        return connect_error (cli);
      return steal_fd (&fd);
    }
  if (cli->tls || cli->tlsverify || str_has_prefix (cli->host, "https://"))
    return dial_tls (cli);
  const char *hp = strstr (cli->host, "://");
  cleanup_free char *host = xstrdup (hp ? hp + 3 : cli->host);
  char *colon = strrchr (host, ':');
  const char *port = "2375";
  if (colon)
    *colon = '\0', port = colon + 1;
  struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL;
  if (getaddrinfo (host, port, &hints, &res) != 0)
    return connect_error (cli);
  int fd = -1;
  for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next)
    {
      fd = socket (ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
      if (fd >= 0 && connect (fd, ai->ai_addr, ai->ai_addrlen) < 0)
        {
          close (fd);
          fd = -1;
        }
    }
  freeaddrinfo (res);
  return fd < 0 ? connect_error (cli) : fd;
}

static int
send_all (int fd, const char *buf, size_t len)
{
  while (len > 0)
    {
      /* A daemon that answers early and closes must not kill us.  */
      ssize_t n = TEMP_FAILURE_RETRY_INT (send (fd, buf, len, MSG_NOSIGNAL));
      if (n <= 0)
        return -1;
      buf += n, len -= (size_t) n;
    }
  return 0;
}

/* Read the answer's headers; *hlen is where the body starts in *buf.  */
static int
read_head (int fd, struct sink *s, size_t *hlen)
{
  char chunk[4096];
  for (;;)
    {
      char *end = s->buf ? strstr (s->buf, "\r\n\r\n") : NULL;
      if (end)
        return *hlen = (size_t) (end - s->buf) + 4, 0;
      if (s->len > 65536)
        return -1;
      ssize_t n = TEMP_FAILURE_RETRY_INT (read (fd, chunk, sizeof chunk));
      if (n <= 0)
        return -1;
      sink_append (s, chunk, (size_t) n);
    }
}

/* An error answer: its body up to Content-Length or EOF.  */
static void
read_error_body (int fd, struct sink *s, size_t hlen, struct cli_response *r)
{
  long clen = -1;
  const char *cl = strcasestr (s->buf, "\r\ncontent-length:");
  if (cl && cl < s->buf + hlen)
    clen = strtol (cl + strlen ("\r\ncontent-length:"), NULL, 10);
  char chunk[4096];
  while (clen < 0 || s->len - hlen < (size_t) clen)
    {
      ssize_t n = TEMP_FAILURE_RETRY_INT (read (fd, chunk, sizeof chunk));
      if (n <= 0)
        break;
      sink_append (s, chunk, (size_t) n);
    }
  r->body = xstrdup (s->buf + hlen);
  r->len = strlen (r->body);
}

int
cli_hijack (struct cli *cli, const char *path, const char *body, struct cli_response *r,
            char **extra, size_t *extra_len)
{
  memset (r, 0, sizeof *r);
  *extra = NULL, *extra_len = 0;
  if (path == NULL)
    return -1;
  cleanup_close int fd = dial (cli);
  if (fd < 0)
    return -1;
  size_t blen = body ? strlen (body) : 0;
  cleanup_free char *req = xasprintf ("POST %s HTTP/1.1\r\nHost: localhost\r\n"
                                      "User-Agent: berth/" BERTH_VERSION "\r\n"
                                      "Content-Type: application/json\r\nContent-Length: %zu\r\n"
                                      "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n",
                                      path, blen);
  /* A failed send is not the end: the daemon may have answered with an
     error and closed before reading the body; its answer is what counts.  */
  bool sent = send_all (fd, req, strlen (req)) == 0 && send_all (fd, body ? body : "", blen) == 0;
  struct sink s = { 0 };
  size_t hlen = 0;
  if (read_head (fd, &s, &hlen) < 0 || sscanf (s.buf, "HTTP/1.%*d %ld", &r->status) != 1)
    {
      free (s.buf);
      if (!sent)
        return connect_error (cli);
      berth_error_release (&cli->err);
      return berth_make_error_msg (&cli->err, EPROTO, "error during hijack: bad answer from %s",
                                   cli->host);
    }
  if (r->status == 101 || r->status == 200)
    {
      *extra_len = s.len - hlen;
      *extra = xmalloc (*extra_len + 1);
      memcpy (*extra, s.buf + hlen, *extra_len);
      (*extra)[*extra_len] = '\0';
      free (s.buf);
      return steal_fd (&fd);
    }
  read_error_body (fd, &s, hlen, r);
  free (s.buf);
  cleanup_free char *m = cli_response_message (r);
  berth_error_release (&cli->err);
  berth_make_error_msg (&cli->err, EIO, "Error response from daemon: %s", m);
  return -1;
}

int
cli_chunk_to_fd (const char *data, size_t len, void *opaque)
{
  return fs_write_all (*(int *) opaque, data, len);
}
