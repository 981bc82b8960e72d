/* berth — the Engine API: HTTP server, router, version negotiation, errors.
 *
 * A handler gets a decoded request (method, path variables, query, headers,
 * body, negotiated API version) and fills a response: a JSON or text body,
 * a chunked stream fed from any thread, or a hijacked connection after
 * `101 UPGRADED` (attach, exec).  Handlers run on their connection's own
 * thread, so they may block.  */
#ifndef BERTH_API_API_H
#define BERTH_API_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "base/error.h"

struct engine;
struct api_request;
struct api_response;
struct api_router;
struct api_server;
struct api_stream;

/* API versions this daemon serves (dockerd's MinAPIVersion and
   MaxAPIVersion); the default is the maximum.  */
#define API_MIN_VERSION "1.24"
#define API_MAX_VERSION "1.50"

/* ---- versions (version.c) ---- */

/* Compare dotted versions as moby's versions.compare does: numeric fields,
   missing or malformed fields are 0.  Returns <0, 0, >0.  */
int api_version_compare (const char *a, const char *b);
/* 0 when V is served, else < 0 with dockerd's 400 message in *err.  */
int api_version_check (const char *v, berth_error_t *err);

/* ---- errors (errors.c) ---- */

/* A new error whose message is FMT verbatim (no strerror suffix) and whose
   status is STATUS: for Docker's own wording, e.g.
   api_error (err, ENOENT, "No such container: %s", id).  Returns -STATUS
   (-1 when STATUS is 0).  */
#define api_error(err, status, ...) berth_make_error_msg ((err), (status), __VA_ARGS__)
/* The HTTP status of an error: ENOENT 404, EEXIST/EBUSY 409, EINVAL 400,
   ENOTSUP/ENOSYS 501, else 500.  */
int api_error_http_status (int status);

/* ---- requests ---- */

typedef int (*api_handler_fn) (struct api_request *req, struct api_response *resp,
                               berth_error_t *err);

const char *api_request_method (const struct api_request *req);
const char *api_request_path (const struct api_request *req);
/* The negotiated version: the /vX.Y prefix's, or API_MAX_VERSION.  */
const char *api_request_version (const struct api_request *req);
/* True when the request's version is older than V ("1.44").  */
bool api_request_version_before (const struct api_request *req, const char *v);
/* A path variable ("{name}" in the route), or NULL.  */
const char *api_request_var (const struct api_request *req, const char *name);
/* The first value of query parameter KEY, or NULL.  */
const char *api_request_query (const struct api_request *req, const char *key);
/* dockerd's httputils.BoolValue: false for "", "0", "no", "false", "none".  */
bool api_request_query_bool (const struct api_request *req, const char *key);
/* A request header (case-insensitive), or NULL.  */
const char *api_request_header (const struct api_request *req, const char *name);
const char *api_request_body (const struct api_request *req, size_t *len);
struct engine *api_request_engine (const struct api_request *req);

/* ---- responses ---- */

void api_response_header (struct api_response *resp, const char *name, const char *value);
/* Send OBJ (ownership taken) as application/json with a trailing newline,
   as Go's json.Encoder writes it.  */
void api_response_json (struct api_response *resp, int status, json_object *obj);
void api_response_text (struct api_response *resp, int status, const char *content_type,
                        const char *body, size_t len);
void api_response_empty (struct api_response *resp, int status);
/* The error as Docker sends it: {"message": "..."} with its HTTP status.  */
void api_response_error (struct api_response *resp, berth_error_t err);

/* A chunked response fed by api_stream_write.  The stream lives until the
   response ends (end of stream, deadline, client gone); then ON_CLOSE (see
   api_stream_on_close) is called once, and after it returns the producer
   must not touch the stream again.  */
struct api_stream *api_response_stream (struct api_response *resp, int status,
                                        const char *content_type);

/* Called on the connection's thread with the client's socket once `101
   UPGRADED` is sent; EXTRA holds bytes the client sent early.  The socket
   may be shut down but not closed: the server closes it when FN returns.  */
typedef void (*api_upgrade_fn) (void *data, int fd, const char *extra, size_t extra_len);
void api_response_upgrade (struct api_response *resp, const char *content_type, api_upgrade_fn fn,
                           void *data, void (*free_data) (void *));

/* ---- streams (stream.c) ---- */

/* Queue LEN bytes; never blocks (the events bus calls it under its lock).
   < 0 (-EPIPE) once the client has gone or the stream ended.  */
int api_stream_write (struct api_stream *s, const void *buf, size_t len);
/* Like api_stream_write, but waits while more than a few hundred KiB are
   queued (backpressure for producer threads).  */
int api_stream_write_wait (struct api_stream *s, const void *buf, size_t len);
/* The producer is done: the response ends once the queue is sent.  */
void api_stream_close (struct api_stream *s);
/* End the response at CLOCK_MONOTONIC time DEADLINE_NS (events' until=).  */
void api_stream_set_deadline (struct api_stream *s, int64_t deadline_ns);
void api_stream_on_close (struct api_stream *s, void (*fn) (void *), void *data);
/* Run FN (S, DATA) on a thread of its own once the response starts; the
   stream's end waits for FN to return.  */
void api_stream_run (struct api_stream *s, void (*fn) (struct api_stream *, void *), void *data);

/* ---- routing (router.c) ---- */

struct api_route
{
  const char *method;  /* "GET", "HEAD", "POST", "PUT", "DELETE" */
  const char *pattern; /* "/containers/{name}/json"; "{name:.*}" may span '/' */
  api_handler_fn fn;
};

struct api_router *api_router_new (void);
void api_router_free (struct api_router *r);
/* Add a NULL-terminated table (borrowed: keep it static).  */
void api_router_add (struct api_router *r, const struct api_route *routes);
/* Handle one decoded request: route it (with or without the /vX.Y prefix),
   check the version, run the handler, map its error.  The server calls it;
   unit tests call it directly.  */
void api_router_dispatch (struct api_router *r, struct api_request *req, struct api_response *resp);

/* Resource tables.  */
void api_system_register (struct api_router *r);
void api_images_register (struct api_router *r);
void api_containers_register (struct api_router *r);
void api_exec_register (struct api_router *r);
/* containers-stats.c: stats, list (GET /containers/json), prune.  */
void api_containers_stats_register (struct api_router *r);
/* attach (hijacked) and resize: containers-attach.c.  */
void api_containers_attach_register (struct api_router *r);
/* stop, restart, kill, pause, unpause, rename, update, top.  */
void api_containers_ops_register (struct api_router *r);
/* cp (archive), export, changes, commit: containers-archive.c.  */
void api_containers_archive_register (struct api_router *r);
/* volumes.c: list, create, inspect, remove, prune.  */
void api_volumes_register (struct api_router *r);
/* networks.c: list, inspect, create, remove, prune, connect, disconnect.  */
void api_networks_register (struct api_router *r);

/* ---- TLS of the tcp:// listeners (tls.c) ---- */

struct api_tls;
/* Read and check dockerd's --tlscert/--tlskey pair and, with VERIFY
   (--tlsverify: clients must present a certificate CAFILE signed), the CA;
   without VERIFY the CA is not read, as in dockerd.  NULL with dockerd's
   "invalid TLS configuration: ..." message (EINVAL), or ENOTSUP when
   libmicrohttpd was built without TLS.  */
struct api_tls *api_tls_new (const char *cafile, const char *certfile, const char *keyfile,
                             bool verify, berth_error_t *err);
void api_tls_free (struct api_tls *t);
/* True when T requires and verifies client certificates.  */
bool api_tls_verifies (const struct api_tls *t);

/* ---- server (server.c) ---- */

/* A server for ENGINE (borrowed) with every resource's routes.  */
struct api_server *api_server_new (struct engine *engine, berth_error_t *err);
/* Listen on ADDR: unix:///path (mode 0660, group GROUP when it exists,
   stale socket replaced) or tcp://host:port.  */
int api_server_listen (struct api_server *s, const char *addr, const char *group,
                       berth_error_t *err);
/* Close the listeners, remove the unix sockets, free.  */
void api_server_free (struct api_server *s);
/* Serve the tcp:// listeners opened from now on with TLS (T taken over;
   NULL for plain HTTP).  */
void api_server_set_tls (struct api_server *s, struct api_tls *t);
/* The router, to add test routes.  */
struct api_router *api_server_router (struct api_server *s);

#endif
