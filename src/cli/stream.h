/* berth — CLI streams: docker's stdcopy demultiplexer, detach keys, and the
 * full-duplex relay of an attach/exec session over a hijacked connection.
 *
 * Everything here is single-threaded and poll-driven: the relay owns no
 * thread, and signals reach it through one extra fd (see tty.h).  */
#ifndef BERTH_CLI_STREAM_H
#define BERTH_CLI_STREAM_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

struct cli_demux;

/* A demultiplexer of docker's stdcopy framing (8-byte headers: stream, 0, 0,
   0, length as big-endian u32).  Stream 0 and 1 go to OUT_FD, 2 to ERR_FD,
   3 (systemerr) ends the stream with "error from daemon in stream: MSG".
   A fd of -1 discards that stream.  The fds stay the caller's.  */
struct cli_demux *cli_demux_new (int out_fd, int err_fd);
void cli_demux_free (struct cli_demux *d);

/* Feed LEN bytes, split anywhere.  Payloads are written as they arrive
   rather than a whole frame at a time, so an interactive program's output
   is never held back.  Returns 0, or < 0 with *err set (systemerr frame,
   unknown stream "unrecognized stream: N", write error).  */
int cli_demux_feed (struct cli_demux *d, const void *buf, size_t len, berth_error_t *err);

/* The source ended.  A truncated frame ends quietly, as docker's StdCopy
   does.  Returns 0.  */
int cli_demux_finish (struct cli_demux *d, berth_error_t *err);

/* Detach keys: "ctrl-p,ctrl-q" style (moby/term's ToBytes: one character,
   ctrl-@ .. ctrl-_, or DEL).  On a bad spec the error reads as docker's:
   "invalid detach keys (SPEC): Unknown character: 'KEY'".  *KEYS is a new
   buffer of *N bytes.  NULL or "" gives the default ctrl-p,ctrl-q.  */
int cli_detach_keys_parse (const char *spec, unsigned char **keys, size_t *n, berth_error_t *err);

/* Client-side detection of the detach sequence, with the semantics of
   moby/term's escape proxy: bytes matching a prefix of the sequence are
   held back; a mismatch releases them (the mismatching byte does not
   restart a match); a full match ends input and drops what follows.  */
struct cli_escape
{
  const unsigned char *keys; /* borrowed */
  size_t n_keys;
  size_t pos;
};

/* Filter LEN bytes of IN into OUT, which must hold LEN + n_keys bytes.
   Returns the number of bytes to forward; *DETACHED is set when the whole
   sequence was read.  */
size_t cli_escape_filter (struct cli_escape *e, const unsigned char *in, size_t len,
                          unsigned char *out, bool *detached);

/* One attached session.  */
struct cli_relay_opts
{
  int conn_fd;         /* the hijacked socket; not closed here */
  const void *initial; /* output bytes read along with the 101 response */
  size_t initial_len;
  int in_fd;                        /* -1: no stdin attached */
  int out_fd;                       /* -1: discard */
  int err_fd;                       /* -1: discard (ignored with tty) */
  bool tty;                         /* raw output passthrough, detach keys on stdin */
  const unsigned char *detach_keys; /* NULL: ctrl-p,ctrl-q; used with tty only,
                                       as the docker CLI does */
  size_t n_detach_keys;
  /* An extra fd to watch (tty.h's signal fd), -1 for none.  ON_EXTRA
     returns < 0 to fail the relay, > 0 to stop it, 0 to go on.  */
  int extra_fd;
  int (*on_extra) (void *data, berth_error_t *err);
  void *extra_data;
};

enum
{
  CLI_RELAY_DONE = 0,     /* the daemon closed its side */
  CLI_RELAY_DETACHED = 1, /* the user typed the detach keys */
  CLI_RELAY_STOPPED = 2,  /* on_extra asked to stop */
};

/* The message of a detach, as docker's term.EscapeError prints it: `docker
   attach` and `docker exec` print it and exit 1, `docker run` exits 0.  */
#define CLI_DETACH_MESSAGE "read escape sequence"

/* Relay stdin to the connection (half-closing it with shutdown(SHUT_WR) at
   stdin's EOF) and the connection's output to stdout/stderr until the daemon
   closes its side.  Returns one of the CLI_RELAY_* codes, or < 0 with *err
   set.  */
int cli_relay_run (const struct cli_relay_opts *o, berth_error_t *err);

#endif
