/* berth — TLS of the Engine API's tcp:// listeners (dockerd's --tls and
 * --tlsverify), served by libmicrohttpd through GnuTLS.  */
#ifndef BERTH_API_TLS_H
#define BERTH_API_TLS_H

#include <stdbool.h>

#include <microhttpd.h>

#include "api/api.h"

/* The MHD options of a daemon serving T, ended by MHD_OPTION_END, for
   MHD_OPTION_ARRAY; they point into T, which must outlive the daemon.  */
const struct MHD_OptionItem *api_tls_mhd_options (const struct api_tls *t);

/* MHD_OPTION_NOTIFY_CONNECTION's callback, CLS a struct api_tls or NULL:
   under --tlsverify a client must present a certificate, checked against
   the CA during the handshake (Go's RequireAndVerifyClientCert).  */
void api_tls_notify_connection (void *cls, struct MHD_Connection *c, void **socket_context,
                                enum MHD_ConnectionNotificationCode toe);

/* False when T verifies clients and the TLS client of C presented no
   certificate the CA signed; true otherwise (also for a unix socket's
   connection).  */
bool api_tls_client_ok (const struct api_tls *t, struct MHD_Connection *c);

/* Under TLS, relay a hijacked connection (C's TLS session) to and from
   APP_FD, the relay's end of a socketpair whose other end the handler
   has, until the handler's output ends or the client goes.  A client's
   end of input (close_notify or a bare FIN) is shut down on APP_FD, which
   libmicrohttpd's own relay would not pass on.  Runs on C's thread.  */
void api_tls_relay (struct MHD_Connection *c, int app_fd);

#endif
