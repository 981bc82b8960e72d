/* berth — repair of what a crash left in the data root (shared/DESIGN.md
 * "State on disk").  Every file that matters is replaced through a
 * temporary "<name>.tmp-XXXXXX" (fs_write_file_atomic): a crash between
 * create and rename leaves that temporary behind, never a half file.  The
 * layer store's tmp-<id> directories (store_layer_repair) and the content
 * store's ingest/ (store_content_gc_ingest) are repaired when the image
 * store opens.  */
#ifndef BERTH_STORE_REPAIR_H
#define BERTH_STORE_REPAIR_H

#include <stdbool.h>

#include "base/error.h"

/* Whether NAME is a temporary of fs_write_file_atomic: "<name>.tmp-" and
   six characters of mkostemp.  */
bool store_repair_is_temp_name (const char *name);

/* Remove the temporaries in DIR and in its subdirectories down to DEPTH
   levels (0: DIR alone).  Only regular files are removed; no symlink is
   followed and no other filesystem entered.  Returns the number removed,
   or < 0 when DIR cannot be read (ENOENT is 0).  */
int store_repair_temp_files (const char *dir, int depth, berth_error_t *err);

/* berthd calls this at start, before any store is opened: the
   temporaries of the data root's metadata, two levels down
   (containers/<id>/config.v2.json, <driver>/<layer>/layer.json,
   image/repositories.json ...).  Layer contents (diff/, merged/) and volume
   data (volumes/<name>/_data) are deeper and never looked at: a user's
   file may be called anything.  Returns the number removed, or < 0.  */
int store_repair_data_root (const char *data_root, berth_error_t *err);

#endif
