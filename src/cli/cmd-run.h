/* berth — what `run`, `start`, `attach` (cmd-run.c) and `exec`
   (cmd-exec.c) share: one attached session over a hijacked connection,
   with the terminal in raw mode, window size and signal forwarding.  */
#ifndef BERTH_CLI_CMD_RUN_H
#define BERTH_CLI_CMD_RUN_H

#include <stdbool.h>

#include <json-c/json.h>

#include "cli/cli.h"

static inline void
cli_json_putp (json_object **o)
{
  json_object_put (*o);
}
#define cleanup_json __attribute__ ((cleanup (cli_json_putp)))

struct cli_session
{
  struct cli *cli;
  const char *id;          /* container or exec ID */
  bool exec;               /* resize /exec/ID/resize, no signal proxying */
  bool in, out, err, tty;  /* streams attached, terminal */
  bool sig_proxy;          /* forward signals to the container */
  const char *detach_keys; /* NULL: ctrl-p,ctrl-q */
  int fd;                  /* the hijacked connection, -1 before */
  char *initial;           /* bytes read with the 101 */
  size_t initial_len;
};

/* "the input device is not a TTY" when TTY and IN but stdin is no
   terminal (docker's CheckTty).  Returns 0 or -1 with the message printed.  */
int cli_session_check_tty (bool in, bool tty);

/* Hijack PATH (with BODY) into S->fd; on failure the error is printed as
   docker's ("Error response from daemon: ...") with status STATUS.  */
int cli_session_attach (struct cli_session *s, const struct cli_args *a, const char *path,
                        const char *body, int status);

/* POST .../resize with the terminal's size, when TTY and stdout is one.  */
void cli_session_resize (struct cli_session *s);

/* Relay until the stream ends: raw mode (restored on every path),
   SIGWINCH, signal proxying.  Returns a CLI_RELAY_* code or < 0 with the
   error printed.  Closes S->fd.  */
int cli_session_relay (struct cli_session *s);

void cli_session_clear (struct cli_session *s);

/* docker's runStartContainerErr: 127 for a missing executable, 126 for
   EACCES/EISDIR texts, 125 otherwise.  */
int cli_start_error_status (const char *msg);

/* docker's toStatusError for run (FST 125: 126/127 by the text, printed
   with run's name and help pointer); create (FST 1) prints MSG alone.
   Returns the exit status.  */
int cli_run_create_fail (const struct cli_args *a, int fst, const char *msg);

/* docker's newCIDFile for --cidfile FILE: the open fd, -1 without a file,
   or -2 - STATUS with the error printed.  */
int cli_run_open_cidfile (const struct cli_args *a, const char *file, int fst);

/* Go's text for errno E in BUF ("no such file or directory").  */
const char *cli_go_strerror (int e, char buf[static 128]);

#endif
