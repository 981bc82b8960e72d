/* berth — privates shared inside the volume layer.  */
#ifndef BERTH_VOLUME_VOLUME_INTERNAL_H
#define BERTH_VOLUME_VOLUME_INTERNAL_H

#include <stdbool.h>

#include "base/error.h"

/* dockerd's names.RestrictedNameChars: what a local volume may be called,
   since the name becomes a directory under <data-root>/volumes.  */
#define VOLUME_NAME_CHARS "[a-zA-Z0-9][a-zA-Z0-9_.-]"

/* EINVAL with dockerd's local-driver message when NAME cannot be a volume
   name (too short, or a character outside VOLUME_NAME_CHARS).  */
int volume_name_validate (const char *name, berth_error_t *err);

/* NAME quoted as Go's %q does for printable text: "a\"b".  New string.  */
char *volume_go_quote (const char *name);

/* Now as dockerd formats CreatedAt: RFC 3339, seconds, the local zone.  */
char *volume_time_now (void);

#endif
