/* Unit tests: src/api/tls.c and the TLS listener of server.c: dockerd's
   words for bad TLS files, a client certificate required under verify,
   and a hijacked connection relayed through TLS whose client half-closes
   (stdin's end must reach the handler).  Certificates are made here with
   GnuTLS: one self-signed ECDSA certificate is the CA, the server's and
   the client's.  */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "api/api-internal.h"
#include "base/base.h"

struct fixture
{
  char dir[64];
  char *cert, *key, *ca, *garbage;
};

static char *
export_pem (int (*fn) (void *, gnutls_x509_crt_fmt_t, gnutls_datum_t *), void *obj)
{
  gnutls_datum_t d = { NULL, 0 };
  assert_int_equal (fn (obj, GNUTLS_X509_FMT_PEM, &d), 0);
  char *s = xmalloc (d.size + 1);
  memcpy (s, d.data, d.size);
  s[d.size] = '\0';
  gnutls_free (d.data);
  return s;
}

static int
crt_export (void *c, gnutls_x509_crt_fmt_t f, gnutls_datum_t *d)
{
  return gnutls_x509_crt_export2 (c, f, d);
}

static int
key_export (void *k, gnutls_x509_crt_fmt_t f, gnutls_datum_t *d)
{
  return gnutls_x509_privkey_export2 (k, f, d);
}

/* A self-signed certificate for 127.0.0.1 and its key, as PEM files.  */
static void
make_cert (const char *cert_path, const char *key_path)
{
  gnutls_x509_privkey_t key;
  gnutls_x509_crt_t crt;
  unsigned char serial = 1;
  unsigned char ip[4] = { 127, 0, 0, 1 };
  time_t now = time (NULL);

  assert_int_equal (gnutls_x509_privkey_init (&key), 0);
  assert_int_equal (gnutls_x509_privkey_generate (
                        key, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1), 0),
                    0);
  assert_int_equal (gnutls_x509_crt_init (&crt), 0);
  gnutls_x509_crt_set_version (crt, 3);
  gnutls_x509_crt_set_serial (crt, &serial, 1);
  gnutls_x509_crt_set_activation_time (crt, now - 60);
  gnutls_x509_crt_set_expiration_time (crt, now + 3600);
  gnutls_x509_crt_set_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0, "berth-test", 10);
  gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_IPADDRESS, ip, 4, GNUTLS_FSAN_SET);
  gnutls_x509_crt_set_basic_constraints (crt, 1, -1);
  gnutls_x509_crt_set_key (crt, key);
  assert_int_equal (gnutls_x509_crt_sign2 (crt, crt, key, GNUTLS_DIG_SHA256, 0), 0);
  cleanup_free char *c = export_pem (crt_export, crt);
  cleanup_free char *k = export_pem (key_export, key);
  assert_int_equal (fs_write_file_atomic (cert_path, c, strlen (c), 0644, NULL), 0);
  assert_int_equal (fs_write_file_atomic (key_path, k, strlen (k), 0600, NULL), 0);
  gnutls_x509_crt_deinit (crt);
  gnutls_x509_privkey_deinit (key);
}

static int
setup (void **state)
{
  struct fixture *f = xmalloc0 (sizeof (*f));
  strcpy (f->dir, "/tmp/test-api-tls.XXXXXX");
  assert_non_null (mkdtemp (f->dir));
  f->cert = xasprintf ("%s/cert.pem", f->dir);
  f->key = xasprintf ("%s/key.pem", f->dir);
  f->ca = f->cert; /* self-signed: its own CA */
  f->garbage = xasprintf ("%s/garbage.pem", f->dir);
  make_cert (f->cert, f->key);
  assert_int_equal (fs_write_file_atomic (f->garbage, "not a pem\n", 10, 0644, NULL), 0);
  *state = f;
  return 0;
}

static int
teardown (void **state)
{
  struct fixture *f = *state;
  assert_int_equal (fs_remove_tree (f->dir, NULL), 0);
  free (f->cert);
  free (f->key);
  free (f->garbage);
  free (f);
  return 0;
}

static void
expect_error (const char *ca, const char *cert, const char *key, bool verify, const char *msg)
{
  berth_error_t err = NULL;
  assert_null (api_tls_new (ca, cert, key, verify, &err));
  assert_non_null (err);
  assert_string_equal (err->msg, msg);
  berth_error_release (&err);
}

static void
test_bad_files (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *nope = xasprintf ("%s/nope.pem", f->dir);
  cleanup_free char *m = NULL;

  m = xasprintf ("invalid TLS configuration: could not read CA certificate \"%s\": open %s: no "
                 "such file or directory",
                 nope, nope);
  expect_error (nope, f->cert, f->key, true, m);
  free (m);
  m = xasprintf ("invalid TLS configuration: failed to append certificates from PEM file: \"%s\"",
                 f->garbage);
  expect_error (f->garbage, f->cert, f->key, true, m);
  free (m);
  m = xasprintf ("invalid TLS configuration: could not load X509 key pair (cert: \"%s\", key: "
                 "\"%s\"): open %s: no such file or directory",
                 f->cert, nope, nope);
  expect_error (NULL, f->cert, nope, false, m);
  expect_error (NULL, "", "", false,
                "invalid TLS configuration: could not load X509 key pair (cert: \"\", key: "
                "\"\"): open : no such file or directory");
  /* Without verify the CA is not read at all, as in dockerd.  */
  berth_error_t err = NULL;
  struct api_tls *t = api_tls_new (nope, f->cert, f->key, false, &err);
  assert_non_null (t);
  assert_false (api_tls_verifies (t));
  api_tls_free (t);
  t = api_tls_new (f->ca, f->cert, f->key, true, &err);
  assert_non_null (t);
  assert_true (api_tls_verifies (t));
  api_tls_free (t);
}

/* ---- a TLS server with a hijack route ---- */

static void
echo (void *data, int fd, const char *extra, size_t extra_len)
{
  char buf[256];
  ssize_t n;
  (void) data;
  if (extra_len)
    fs_write_all (fd, extra, extra_len);
  while ((n = read (fd, buf, sizeof (buf))) > 0)
    fs_write_all (fd, buf, (size_t) n);
  fs_write_all (fd, "<eof>", 5);
  shutdown (fd, SHUT_WR);
}

static int
upgrade_route (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  (void) req;
  (void) err;
  api_response_upgrade (resp, NULL, echo, NULL, NULL);
  return 0;
}

static const struct api_route routes[] = {
  { "POST", "/upgrade", upgrade_route },
  { NULL, NULL, NULL },
};

static int
free_port (void)
{
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t len = sizeof (sa);
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  assert_int_equal (bind (fd, (struct sockaddr *) &sa, sizeof (sa)), 0);
  assert_int_equal (getsockname (fd, (struct sockaddr *) &sa, &len), 0);
  close (fd);
  return ntohs (sa.sin_port);
}

static struct api_server *
start_server (struct fixture *f, int port)
{
  berth_error_t err = NULL;
  struct api_server *s = api_server_new (NULL, &err);
  struct api_tls *t = api_tls_new (f->ca, f->cert, f->key, true, &err);
  cleanup_free char *addr = xasprintf ("tcp://127.0.0.1:%d", port);

  assert_non_null (t);
  api_router_add (api_server_router (s), routes);
  api_server_set_tls (s, t);
  assert_int_equal (api_server_listen (s, addr, NULL, &err), 0);
  return s;
}

struct client
{
  int fd;
  gnutls_session_t session;
  gnutls_certificate_credentials_t cred;
};

/* Connect and shake hands; with_cert presents the client certificate.
   Returns the handshake's result.  */
static int
client_open (struct client *c, struct fixture *f, int port, bool with_cert)
{
  struct sockaddr_in sa = { .sin_family = AF_INET,
                            .sin_port = htons ((uint16_t) port),
                            .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  int r;

  c->fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  assert_int_equal (connect (c->fd, (struct sockaddr *) &sa, sizeof (sa)), 0);
  gnutls_certificate_allocate_credentials (&c->cred);
  gnutls_certificate_set_x509_trust_file (c->cred, f->ca, GNUTLS_X509_FMT_PEM);
  if (with_cert)
    assert_int_equal (
        gnutls_certificate_set_x509_key_file (c->cred, f->cert, f->key, GNUTLS_X509_FMT_PEM), 0);
  gnutls_init (&c->session, GNUTLS_CLIENT);
  gnutls_set_default_priority (c->session);
  gnutls_credentials_set (c->session, GNUTLS_CRD_CERTIFICATE, c->cred);
  gnutls_transport_set_int (c->session, c->fd);
  gnutls_handshake_set_timeout (c->session, 5000);
  do
    r = gnutls_handshake (c->session);
  while (r < 0 && !gnutls_error_is_fatal (r));
  return r;
}

static void
client_close (struct client *c)
{
  gnutls_deinit (c->session);
  gnutls_certificate_free_credentials (c->cred);
  close (c->fd);
}

/* Everything the server sends until it ends the stream (at most 4 KiB).  */
static char *
client_read_all (struct client *c)
{
  char *buf = xmalloc0 (4096);
  size_t len = 0;
  ssize_t n;
  while (len < 4095 && (n = gnutls_record_recv (c->session, buf + len, 4095 - len)) > 0)
    len += (size_t) n;
  return buf;
}

static void
test_hijack_half_close (void **state)
{
  struct fixture *f = *state;
  int port = free_port ();
  struct api_server *s = start_server (f, port);
  struct client c;
  const char *req = "POST /upgrade HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\n"
                    "Upgrade: tcp\r\nContent-Length: 0\r\n\r\n";

  assert_int_equal (client_open (&c, f, port, true), 0);
  assert_int_equal (gnutls_record_send (c.session, req, strlen (req)), (ssize_t) strlen (req));
  /* The 101 and the echo both arrive once the client's side is shut, as
     the docker CLI shuts it (a bare FIN, no close_notify).  */
  char hdr[1024];
  ssize_t n = gnutls_record_recv (c.session, hdr, sizeof (hdr) - 1);
  assert_true (n > 12);
  hdr[n] = '\0';
  assert_true (str_has_prefix (hdr, "HTTP/1.1 101"));
  assert_int_equal (gnutls_record_send (c.session, "ping", 4), 4);
  shutdown (c.fd, SHUT_WR);
  cleanup_free char *got = client_read_all (&c);
  /* Any bytes after the headers in the first read came first.  */
  char *body = strstr (hdr, "\r\n\r\n");
  cleanup_free char *all = xasprintf ("%s%s", body ? body + 4 : "", got);
  assert_string_equal (all, "ping<eof>");
  client_close (&c);
  api_server_free (s);
}

static void
test_client_cert_required (void **state)
{
  struct fixture *f = *state;
  int port = free_port ();
  struct api_server *s = start_server (f, port);
  struct client c;
  const char *req = "GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n";

  /* Under TLS 1.3 the client's handshake ends before the server has seen
     its (missing) certificate: the refusal shows on the first read.  */
  int r = client_open (&c, f, port, false);
  if (r == 0)
    {
      gnutls_record_send (c.session, req, strlen (req));
      cleanup_free char *got = client_read_all (&c);
      assert_string_equal (got, "");
    }
  client_close (&c);
  api_server_free (s);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_bad_files, setup, teardown),
    cmocka_unit_test_setup_teardown (test_hijack_half_close, setup, teardown),
    cmocka_unit_test_setup_teardown (test_client_cert_required, setup, teardown),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
