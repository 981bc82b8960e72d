/* berth — container endpoints' pure pieces, exported for tests.  */
#ifndef BERTH_API_CONTAINERS_H
#define BERTH_API_CONTAINERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Docker's stdcopy frame header for a multiplexed stream (no tty): byte 0
   the stream (0 stdin, 1 stdout, 2 stderr), three zero bytes, then the
   payload's length as a big-endian uint32.  */
#define API_STDCOPY_HEADER 8
void api_stdcopy_header (unsigned char out[API_STDCOPY_HEADER], int stream, uint32_t len);

/* One log message as `docker logs` gets it: with TIMESTAMP (may be NULL)
   as "<timestamp> " before the data, framed unless RAW (a tty).  A new
   buffer of *OUT_LEN bytes.  */
char *api_logs_frame (int stream, const char *timestamp, const char *data, size_t len, bool raw,
                      size_t *out_len);

#endif
