/* berthd's GnuTLS, loaded the first time it is used.  GnuTLS and what it
 * maps (p11-kit, nettle, hogweed, gmp, libtasn1, libunistring, libidn2,
 * libffi) are ~2.3 MiB of RSS that a daemon serving only its unix socket
 * never needs.  berthd links these forwarders instead of libgnutls.so
 * (meson.build, when its libraries are linked statically): the first call
 * dlopens GnuTLS and every later one goes straight to it.
 *
 * These are the GnuTLS functions that libmicrohttpd.a and src/api/tls.c
 * call.  A new call to GnuTLS fails to link ("undefined reference to
 * gnutls_..."): add its FORWARD line here.  Each definition is checked
 * against the prototype in GnuTLS's own headers.  */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>

/* The ABI these headers describe (GnuTLS >= 3.4).  */
#define GNUTLS_SONAME "libgnutls.so.30"

static void *gnutls_lib;
static pthread_once_t gnutls_once = PTHREAD_ONCE_INIT;

static void
load (void)
{
  gnutls_lib = dlopen (GNUTLS_SONAME, RTLD_NOW | RTLD_LOCAL);
  if (gnutls_lib == NULL)
    {
      /* Only --tls gets here, at start-up, before berthd serves.  */
      fprintf (stderr, "failed to start daemon: TLS needs %s: %s\n", GNUTLS_SONAME, dlerror ());
      exit (1);
    }
}

static void *
sym (const char *name)
{
  void *p;

  pthread_once (&gnutls_once, load);
  p = dlsym (gnutls_lib, name);
  if (p == NULL)
    {
      fprintf (stderr, "berthd: %s has no %s\n", GNUTLS_SONAME, name);
      abort ();
    }
  return p;
}

/* The real function, looked up once (racing threads find the same one).  */
#define REAL(name)                                                                                 \
  static __typeof__ (name) *real;                                                                  \
  if (__atomic_load_n (&real, __ATOMIC_ACQUIRE) == NULL)                                           \
  __atomic_store_n (&real, (__typeof__ (name) *) sym (#name), __ATOMIC_RELEASE)

#define FORWARD(ret, name, params, args)                                                           \
  ret name params                                                                                  \
  {                                                                                                \
    REAL (name);                                                                                   \
    return real args;                                                                              \
  }

#define FORWARD_VOID(name, params, args)                                                           \
  void name params                                                                                 \
  {                                                                                                \
    REAL (name);                                                                                   \
    real args;                                                                                     \
  }

/* libmicrohttpd's constructor and destructor call these even when no
   daemon uses TLS; GnuTLS (>= 3.3) initializes itself when it is loaded,
   so they have nothing to do here.  */
int
gnutls_global_init (void)
{
  return 0;
}

void
gnutls_global_deinit (void)
{
}

/* GnuTLS's default, which its gnutls_free (free) expects.  */
gnutls_alloc_function gnutls_malloc = malloc;

typedef gnutls_psk_server_credentials_function psk_fn;
typedef gnutls_certificate_retrieve_function2 retrieve_fn2;
typedef gnutls_certificate_retrieve_function3 retrieve_fn3;
typedef gnutls_certificate_credentials_t cert_creds;
typedef gnutls_session_t session;
typedef const gnutls_datum_t cdatum;

FORWARD (int, gnutls_alpn_set_protocols, (session s, cdatum *p, unsigned n, unsigned f),
         (s, p, n, f))
FORWARD (int, gnutls_bye, (session s, gnutls_close_request_t how), (s, how))
FORWARD (int, gnutls_certificate_allocate_credentials, (cert_creds * res), (res))
FORWARD_VOID (gnutls_certificate_free_credentials, (cert_creds c), (c))
FORWARD_VOID (gnutls_certificate_server_set_request, (session s, gnutls_certificate_request_t r),
              (s, r))
FORWARD_VOID (gnutls_certificate_set_dh_params, (cert_creds c, gnutls_dh_params_t p), (c, p))
FORWARD_VOID (gnutls_certificate_set_retrieve_function2, (cert_creds c, retrieve_fn2 *f), (c, f))
FORWARD_VOID (gnutls_certificate_set_retrieve_function3, (cert_creds c, retrieve_fn3 *f), (c, f))
FORWARD (int, gnutls_certificate_set_x509_key_mem,
         (cert_creds c, cdatum *cert, cdatum *key, gnutls_x509_crt_fmt_t t), (c, cert, key, t))
FORWARD (int, gnutls_certificate_set_x509_key_mem2,
         (cert_creds c, cdatum *cert, cdatum *key, gnutls_x509_crt_fmt_t t, const char *pass,
          unsigned int flags),
         (c, cert, key, t, pass, flags))
FORWARD (int, gnutls_certificate_set_x509_trust_mem,
         (cert_creds c, cdatum *ca, gnutls_x509_crt_fmt_t t), (c, ca, t))
FORWARD (int, gnutls_certificate_verify_peers2, (session s, unsigned int *status), (s, status))
FORWARD (gnutls_cipher_algorithm_t, gnutls_cipher_get, (session s), (s))
FORWARD (int, gnutls_credentials_set, (session s, gnutls_credentials_type_t t, void *c), (s, t, c))
FORWARD_VOID (gnutls_deinit, (session s), (s))
FORWARD_VOID (gnutls_dh_params_deinit, (gnutls_dh_params_t p), (p))
FORWARD (int, gnutls_dh_params_import_pkcs3,
         (gnutls_dh_params_t p, cdatum *pkcs3, gnutls_x509_crt_fmt_t f), (p, pkcs3, f))
FORWARD (int, gnutls_dh_params_init, (gnutls_dh_params_t * p), (p))
FORWARD (int, gnutls_error_is_fatal, (int error), (error))
FORWARD (int, gnutls_handshake, (session s), (s))
FORWARD (int, gnutls_init, (session * s, unsigned int flags), (s, flags))
FORWARD_VOID (gnutls_priority_deinit, (gnutls_priority_t p), (p))
FORWARD (int, gnutls_priority_init, (gnutls_priority_t * p, const char *prio, const char **err_pos),
         (p, prio, err_pos))
FORWARD (int, gnutls_priority_set, (session s, gnutls_priority_t p), (s, p))
FORWARD (gnutls_protocol_t, gnutls_protocol_get_version, (session s), (s))
FORWARD (int, gnutls_psk_allocate_server_credentials, (gnutls_psk_server_credentials_t * c), (c))
FORWARD_VOID (gnutls_psk_free_server_credentials, (gnutls_psk_server_credentials_t c), (c))
FORWARD_VOID (gnutls_psk_set_server_credentials_function,
              (gnutls_psk_server_credentials_t c, psk_fn *f), (c, f))
FORWARD (size_t, gnutls_record_check_pending, (session s), (s))
FORWARD (int, gnutls_record_get_direction, (session s), (s))
FORWARD (ssize_t, gnutls_record_recv, (session s, void *data, size_t n), (s, data, n))
FORWARD (ssize_t, gnutls_record_send, (session s, const void *data, size_t n), (s, data, n))
FORWARD (void *, gnutls_session_get_ptr, (session s), (s))
FORWARD_VOID (gnutls_session_set_ptr, (session s, void *ptr), (s, ptr))
FORWARD_VOID (gnutls_session_set_verify_cert, (session s, const char *host, unsigned flags),
              (s, host, flags))
FORWARD (const char *, gnutls_strerror, (int error), (error))
FORWARD_VOID (gnutls_transport_set_int2, (session s, int r, int w), (s, r, w))
