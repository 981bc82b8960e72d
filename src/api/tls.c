/* berth — TLS of the tcp:// listeners (see tls.h).  The files are read
 * and checked once at start-up with dockerd's wording (go-connections'
 * tlsconfig.Server); libmicrohttpd then serves them from memory.  */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <microhttpd.h>

#include "api/tls.h"
#include "base/base.h"

/* Go's crypto/tls server default floor is TLS 1.2 (tlsconfig's
   MinVersion); GnuTLS's NORMAL set otherwise.  */
#define TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

enum
{
  OPT_KEY,
  OPT_CERT,
  OPT_PRIORITIES,
  OPT_TRUST,
  OPT_END,
  OPT_COUNT,
};

struct api_tls
{
  char *cert, *key, *ca; /* PEM text */
  bool verify;
  struct MHD_OptionItem opts[OPT_COUNT];
};

/* "open /x: no such file or directory", as Go's os errors read.  */
static char *
go_open_error (const char *path, int status)
{
  char *msg = xasprintf ("open %s: %s", path, strerror (status ? status : EIO));
  char *colon = strrchr (msg, ':');
  if (colon && colon[1] == ' ')
    colon[2] = (char) tolower ((unsigned char) colon[2]);
  return msg;
}

static char *
read_pem (const char *path, int *status)
{
  berth_error_t err = NULL;
  size_t len = 0;
  char *text = path && path[0] ? fs_read_file (path, &len, &err) : NULL;

  *status = 0;
  if (text == NULL)
    {
      *status = err ? berth_error_status (err) : ENOENT;
      berth_error_release (&err);
    }
  return text;
}

#define invalid(err, ...)                                                                          \
  berth_make_error_msg ((err), EINVAL, "invalid TLS configuration: " __VA_ARGS__)

/* tls.LoadX509KeyPair: both files read, the key matching the certificate.  */
static int
load_pair (struct api_tls *t, const char *certfile, const char *keyfile, berth_error_t *err)
{
  const char *cf = certfile ? certfile : "", *kf = keyfile ? keyfile : "";
  gnutls_certificate_credentials_t cred = NULL;
  int status = 0, r;

  t->cert = read_pem (cf, &status);
  if (t->cert)
    t->key = read_pem (kf, &status);
  if (t->key == NULL)
    {
      cleanup_free char *why = go_open_error (t->cert ? kf : cf, status);
      return invalid (err, "could not load X509 key pair (cert: \"%s\", key: \"%s\"): %s", cf, kf,
                      why);
    }
  gnutls_datum_t c = { (unsigned char *) t->cert, (unsigned) strlen (t->cert) };
  gnutls_datum_t k = { (unsigned char *) t->key, (unsigned) strlen (t->key) };
  if (gnutls_certificate_allocate_credentials (&cred) < 0)
    return berth_make_error_msg (err, ENOMEM, "invalid TLS configuration: out of memory");
  r = gnutls_certificate_set_x509_key_mem (cred, &c, &k, GNUTLS_X509_FMT_PEM);
  gnutls_certificate_free_credentials (cred);
  if (r < 0)
    return invalid (err,
                    "error reading X509 key pair - make sure the key is not encrypted (cert: "
                    "\"%s\", key: \"%s\"): %s",
                    cf, kf, gnutls_strerror (r));
  return 0;
}

/* tlsconfig's certPool: the CA file read, at least one certificate in it.  */
static int
load_ca (struct api_tls *t, const char *cafile, berth_error_t *err)
{
  const char *f = cafile ? cafile : "";
  gnutls_certificate_credentials_t cred = NULL;
  int status = 0, r;

  t->ca = read_pem (f, &status);
  if (t->ca == NULL)
    {
      cleanup_free char *why = go_open_error (f, status);
      return invalid (err, "could not read CA certificate \"%s\": %s", f, why);
    }
  gnutls_datum_t d = { (unsigned char *) t->ca, (unsigned) strlen (t->ca) };
  if (gnutls_certificate_allocate_credentials (&cred) < 0)
    return berth_make_error_msg (err, ENOMEM, "invalid TLS configuration: out of memory");
  r = gnutls_certificate_set_x509_trust_mem (cred, &d, GNUTLS_X509_FMT_PEM);
  gnutls_certificate_free_credentials (cred);
  if (r <= 0)
    return invalid (err, "failed to append certificates from PEM file: \"%s\"", f);
  return 0;
}

struct api_tls *
api_tls_new (const char *cafile, const char *certfile, const char *keyfile, bool verify,
             berth_error_t *err)
{
  struct api_tls *t;

  if (MHD_is_feature_supported (MHD_FEATURE_TLS) != MHD_YES)
    {
      berth_make_error_msg (err, ENOTSUP,
                            "invalid TLS configuration: this libmicrohttpd was built without "
                            "TLS support");
      return NULL;
    }
  t = xmalloc0 (sizeof (*t));
  t->verify = verify;
  /* Without client verification dockerd does not read the CA at all.  */
  if (load_pair (t, certfile, keyfile, err) < 0 || (verify && load_ca (t, cafile, err) < 0))
    {
      api_tls_free (t);
      return NULL;
    }
  t->opts[OPT_KEY] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, t->key };
  t->opts[OPT_CERT] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, t->cert };
  t->opts[OPT_PRIORITIES]
      = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_PRIORITIES, 0, (void *) TLS_PRIORITIES };
  t->opts[OPT_TRUST] = verify ? (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_TRUST, 0, t->ca }
                              : (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
  t->opts[OPT_END] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
  return t;
}

void
api_tls_free (struct api_tls *t)
{
  if (t == NULL)
    return;
  if (t->key)
    explicit_bzero (t->key, strlen (t->key));
  free (t->key);
  free (t->cert);
  free (t->ca);
  free (t);
}

bool
api_tls_verifies (const struct api_tls *t)
{
  return t && t->verify;
}

const struct MHD_OptionItem *
api_tls_mhd_options (const struct api_tls *t)
{
  return t->opts;
}

void
api_tls_notify_connection (void *cls, struct MHD_Connection *c, void **socket_context,
                           enum MHD_ConnectionNotificationCode toe)
{
  const struct api_tls *t = cls;
  const union MHD_ConnectionInfo *ci;
  (void) socket_context;

  if (t == NULL || !t->verify || toe != MHD_CONNECTION_NOTIFY_STARTED)
    return;
  ci = MHD_get_connection_info (c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
  if (ci == NULL || ci->tls_session == NULL)
    return;
  /* libmicrohttpd only requests a certificate; dockerd requires one and
     fails the handshake when it is missing or not signed by the CA.  */
  gnutls_certificate_server_set_request ((gnutls_session_t) ci->tls_session, GNUTLS_CERT_REQUIRE);
  gnutls_session_set_verify_cert ((gnutls_session_t) ci->tls_session, NULL, 0);
}

bool
api_tls_client_ok (const struct api_tls *t, struct MHD_Connection *c)
{
  const union MHD_ConnectionInfo *ci;
  unsigned int status = 0;

  if (t == NULL || !t->verify)
    return true;
  ci = MHD_get_connection_info (c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
  if (ci == NULL || ci->tls_session == NULL)
    return true; /* a unix socket's connection */
  if (gnutls_certificate_verify_peers2 ((gnutls_session_t) ci->tls_session, &status) < 0)
    return false;
  return status == 0;
}

/* ---- hijacked connections ---- */

#define RELAY_BUF (16 * 1024)

struct tls_relay
{
  gnutls_session_t session;
  int tcp_fd, app_fd;
  char in[RELAY_BUF], out[RELAY_BUF]; /* client->app, app->client */
  size_t in_len, in_off, out_len;
  bool client_eof, app_eof, gone, app_shut;
};

/* The client's next record; its end (close_notify, or a bare FIN as the
   docker CLI's CloseWrite sends) is stdin's end for the handler.  */
static void
relay_from_client (struct tls_relay *r)
{
  char c;
  ssize_t n;

  /* A bare FIN would be GNUTLS_E_PREMATURE_TERMINATION, which invalidates
     the session for sending too, and the handler's output still has to go
     out: spot it on the socket first, when no record is half read.  */
  if (gnutls_record_check_pending (r->session) == 0
      && recv (r->tcp_fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0)
    {
      r->client_eof = true;
      return;
    }
  n = gnutls_record_recv (r->session, r->in, sizeof (r->in));
  if (n > 0)
    {
      r->in_len = (size_t) n;
      r->in_off = 0;
    }
  else if (n == 0 || n == GNUTLS_E_PREMATURE_TERMINATION)
    r->client_eof = true;
  else if (n != GNUTLS_E_AGAIN && n != GNUTLS_E_INTERRUPTED && gnutls_error_is_fatal ((int) n))
    r->gone = true;
}

static void
relay_to_app (struct tls_relay *r)
{
  ssize_t n = send (r->app_fd, r->in + r->in_off, r->in_len - r->in_off, MSG_NOSIGNAL);
  if (n > 0 && (r->in_off += (size_t) n) == r->in_len)
    r->in_len = r->in_off = 0;
  else if (n < 0 && errno != EAGAIN && errno != EINTR)
    r->gone = true; /* the handler is done with its input */
}

static void
relay_from_app (struct tls_relay *r)
{
  ssize_t n = read (r->app_fd, r->out, sizeof (r->out));
  if (n > 0)
    r->out_len = (size_t) n;
  else if (n == 0 || (errno != EAGAIN && errno != EINTR))
    r->app_eof = true;
}

/* GnuTLS wants a send that returned GNUTLS_E_AGAIN repeated with the same
   data: OUT stays put until it is all sent.  */
static void
relay_to_client (struct tls_relay *r)
{
  ssize_t n = gnutls_record_send (r->session, r->out, r->out_len);
  if (n > 0)
    {
      memmove (r->out, r->out + n, r->out_len - (size_t) n);
      r->out_len -= (size_t) n;
    }
  else if (n != GNUTLS_E_AGAIN && n != GNUTLS_E_INTERRUPTED)
    r->gone = true;
}

static bool
relay_step (struct tls_relay *r)
{
  bool want_client = !r->client_eof && r->in_len == 0;
  struct pollfd p[2] = {
    { r->tcp_fd, (short) ((want_client ? POLLIN : 0) | (r->out_len ? POLLOUT : 0)), 0 },
    { r->app_fd, (short) ((!r->app_eof && !r->out_len ? POLLIN : 0) | (r->in_len ? POLLOUT : 0)),
      0 },
  };

  /* Records GnuTLS already decrypted do not show on the socket.  */
  if (want_client && gnutls_record_check_pending (r->session) > 0)
    relay_from_client (r);
  else if (poll (p, 2, -1) < 0)
    return errno == EINTR;
  if (p[0].revents & POLLIN)
    relay_from_client (r);
  else if ((p[0].revents & (POLLHUP | POLLERR)) && !r->out_len)
    r->gone = true; /* reset, or shut both ways: nothing more to say */
  if (p[1].revents & (POLLIN | POLLHUP | POLLERR))
    relay_from_app (r);
  if (r->in_len && !r->gone)
    relay_to_app (r);
  if (r->out_len && !r->gone && (p[0].revents & (POLLOUT | POLLERR | POLLHUP)))
    relay_to_client (r);
  if (r->client_eof && r->in_len == 0 && !r->app_shut)
    {
      shutdown (r->app_fd, SHUT_WR);
      r->app_shut = true;
    }
  return !r->gone && !(r->app_eof && r->out_len == 0);
}

void
api_tls_relay (struct MHD_Connection *c, int app_fd)
{
  const union MHD_ConnectionInfo *si
      = MHD_get_connection_info (c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
  const union MHD_ConnectionInfo *fi
      = MHD_get_connection_info (c, MHD_CONNECTION_INFO_CONNECTION_FD);
  struct tls_relay *r;

  if (si == NULL || fi == NULL)
    return;
  r = xmalloc0 (sizeof (*r));
  r->session = (gnutls_session_t) si->tls_session;
  r->tcp_fd = fi->connect_fd;
  r->app_fd = app_fd;
  while (relay_step (r))
    ;
  /* The handler's output is all sent: end it as a TLS stream ends
     (close_notify), which the CLI reads as EOF.  */
  if (!r->gone)
    for (int i = 0; i < 100; i++)
      {
        int e = gnutls_bye (r->session, GNUTLS_SHUT_WR);
        struct pollfd p = { r->tcp_fd, POLLOUT, 0 };
        if (e != GNUTLS_E_AGAIN && e != GNUTLS_E_INTERRUPTED)
          break;
        poll (&p, 1, 100);
      }
  shutdown (app_fd, SHUT_RDWR);
  free (r);
}
