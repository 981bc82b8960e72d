/* berth — hijacked streams of attach and exec: the relay between a client's
 * upgraded connection and a berth-shim attach socket.
 *
 * How a handler uses it (attach; exec is the same with its own socket):
 *
 *   1. Before upgrading, parse the detachKeys query (api_detach_keys_parse)
 *      so that a bad value is dockerd's 400, and check the object exists.
 *   2. api_response_upgrade (resp, api_hijack_content_type (req, tty), fn,
 *      data, free): the CLI gets `101 UPGRADED` and then waits for the
 *      stream.
 *   3. In FN (on the connection's own thread, blocking allowed): connect to
 *      the shim's attach socket (see src/shim/shim.h for its protocol),
 *      optionally write earlier output with api_hijack_write_frame (logs=1),
 *      then call api_hijack_relay with the client's fd, the EXTRA bytes the
 *      server passed, and the shim connection.  Close the shim connection
 *      afterwards; the server closes the client's socket when FN returns.
 *
 * Output framing: without a tty, every chunk is one Docker stdcopy frame
 * (8-byte header: stream, 0, 0, 0, big-endian uint32 length; see
 * api_stdcopy_header in containers.h); with a tty the bytes go raw.
 *
 * Input: the client's bytes go to the shim raw.  The client's EOF (the CLI
 * calls CloseWrite once its stdin ends, and at once when it attaches no
 * stdin) is handled as dockerd's stream.CopyStreams does: with CLOSE_STDIN
 * (Config.StdinOnce and no tty) the shim connection is shut down for
 * writing, which closes the container's stdin, and output keeps flowing
 * until its end; otherwise the attach ends there (the container keeps its
 * stdin).  Without USE_STDIN the client's input is never read.
 *
 * Detach keys apply only with a tty, as in dockerd: when the client types
 * the whole sequence the relay ends with API_HIJACK_DETACHED and the
 * container keeps running.  A partial match is held back and sent on as
 * soon as the next byte breaks it.  */
#ifndef BERTH_API_HIJACK_H
#define BERTH_API_HIJACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

struct api_request;

#define API_DETACH_KEYS_MAX 32

/* Parse docker's detach-keys syntax (moby/term ToBytes): comma-separated
   keys, each a single character (taken as is) or "ctrl-@", "ctrl-a" ...
   "ctrl-z", "ctrl-[", "ctrl-\\", "ctrl-]", "ctrl-^", "ctrl-_" (codes 0 to
   31).  SPEC NULL or "" gives the default ctrl-p,ctrl-q.  Fills KEYS and
   *LEN.  < 0 with dockerd's 400 "Invalid detach keys (SPEC) provided".  */
int api_detach_keys_parse (const char *spec, unsigned char keys[API_DETACH_KEYS_MAX], size_t *len,
                           berth_error_t *err);

/* The Content-Type of the upgraded stream, as dockerd sends it:
   application/vnd.docker.multiplexed-stream when framed (no TTY) and the
   request's version is 1.42 or later, else application/vnd.docker.raw-stream.  */
const char *api_hijack_content_type (const struct api_request *req, bool tty);

/* Write one chunk to FD: raw when RAW, else as one stdcopy frame of STREAM
   (1 stdout, 2 stderr).  Blocking; 0, or -1 with errno (EPIPE: client gone).  */
int api_hijack_write_frame (int fd, int stream, const void *buf, size_t len, bool raw);

struct api_hijack
{
  bool tty;         /* raw output, detach keys */
  bool own_framing; /* output raw by RAW below, not by TTY (exec start's Tty) */
  bool raw;
  bool use_stdin;   /* read the client's input and send it to the shim */
  bool use_stdout;  /* send the container's stdout (and a tty's output) */
  bool use_stderr;  /* send its stderr */
  bool close_stdin; /* the client's EOF closes the container's stdin */
  unsigned char detach_keys[API_DETACH_KEYS_MAX];
  size_t detach_len; /* 0: no detach keys */
};

enum api_hijack_end
{
  API_HIJACK_OUTPUT_EOF,  /* the shim closed: the process's output ended */
  API_HIJACK_DETACHED,    /* the client typed the detach keys */
  API_HIJACK_STDIN_EOF,   /* the client's input ended (without close_stdin) */
  API_HIJACK_CLIENT_GONE, /* the client hung up or could not be written */
};

/* Pump between CLIENT_FD (the hijacked socket; EXTRA, EXTRA_LEN are bytes
   it sent before the upgrade completed, taken as its first input) and
   SHIM_FD (a connection to a shim's attach socket; the relay makes it
   non-blocking) until one side ends.  Neither fd is closed.  Returns why
   it ended.  */
enum api_hijack_end api_hijack_relay (const struct api_hijack *h, int client_fd, const char *extra,
                                      size_t extra_len, int shim_fd);

#endif
