/* berth — errors, crun's convention.
 *
 * Every fallible function takes `berth_error_t *err` last and returns < 0 (or
 * NULL) with *err set.  The status is errno-style, so the API layer can map it
 * to an HTTP status once, and the runtime CLI can print the message.  */
#ifndef BERTH_BASE_ERROR_H
#define BERTH_BASE_ERROR_H

struct berth_error
{
  int status; /* errno-style; 0 when not from a syscall */
  char *msg;
};
typedef struct berth_error *berth_error_t;

/* Set *err to a new error.  When status is non-zero, ": strerror(status)" is
   appended.  Always returns a negative number (-status, or -1).  */
int berth_make_error (berth_error_t *err, int status, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

/* Like berth_make_error, but the message stays exactly as formatted: no
   ": strerror(status)" suffix, for wordings that must match Docker's,
   runc's, containerd's or Go's while the status still maps (EINVAL -> 400,
   ENOENT -> 404).  Returns -status, or -1 when status is 0.  */
int berth_make_error_msg (berth_error_t *err, int status, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

/* Prefix the message of *err with context: "context: old message".  Returns
   a negative number like berth_make_error.  */
int berth_error_wrap (berth_error_t *err, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

/* Free *err and set it to NULL; NULL-safe.  */
void berth_error_release (berth_error_t *err);

/* The status of *err, or 0 if there is none.  */
int berth_error_status (berth_error_t err);

/* Serialise an error so it can cross a pipe to another process (for example
   from a container's init to the runtime), and read it back.  */
int berth_error_send (int fd, berth_error_t err);
int berth_error_recv (int fd, berth_error_t *err);

#endif
