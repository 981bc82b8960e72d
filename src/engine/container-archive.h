/* berth — a container's files from outside: docker cp (stat, archive,
 * extract), docker export, docker diff and docker commit.
 *
 * Paths are the container's: resolved inside its root filesystem (the rw
 * layer, mounted for the operation when the container is not running),
 * never following a symlink out of it, with the bind mounts of its
 * HostConfig (and the hostname, hosts and resolv.conf files) mounted where
 * the container sees them, in a private mount namespace of a thread of
 * its own, as dockerd's openContainerFS does.  */
#ifndef BERTH_ENGINE_CONTAINER_ARCHIVE_H
#define BERTH_ENGINE_CONTAINER_ARCHIVE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "base/error.h"

struct engine_containers;

/* container.PathStat: what X-Docker-Container-Path-Stat carries.  */
struct engine_path_stat
{
  char *name;        /* filepath.Base of the path asked for */
  int64_t size;      /* lstat's size */
  uint32_t mode;     /* Go's os.FileMode, not st_mode */
  int64_t mtime_ns;  /* ns since the epoch */
  char *link_target; /* the symlink's target resolved in the container, or NULL */
};
void engine_path_stat_release (struct engine_path_stat *st);

/* {"name","size","mode","mtime","linkTarget"} as dockerd's json.Marshal
   writes them; a new object.  */
json_object *engine_path_stat_json (const struct engine_path_stat *st);

/* st_mode as Go's os.FileMode (type bits 1<<31 dir, 1<<27 symlink ...).  */
uint32_t engine_go_file_mode (mode_t mode);

/* Go's filepath.Base: "" -> ".", "/" -> "/", trailing slashes ignored.
   A new string.  */
char *engine_path_base (const char *path);

/* archive.PreserveTrailingDotOrSeparator (filepath.Join ("/", PATH),
   PATH): the path made absolute and clean, keeping a trailing "/" or "/."
   that asks for a directory's contents.  A new string.  */
char *engine_path_abs (const char *path);

/* HEAD /containers/{id}/archive: lstat of PATH in the container.  404
   "Could not find the file PATH in container NAME".  */
int engine_container_stat_path (struct engine_containers *cs, const char *name, const char *path,
                                struct engine_path_stat *st, berth_error_t *err);

/* GET /containers/{id}/archive: *ST as above and *FD the read end of a
   pipe that a thread of the engine fills with the tar of PATH (named by
   its base name), then closes.  The caller closes *FD.  */
int engine_container_archive_path (struct engine_containers *cs, const char *name, const char *path,
                                   struct engine_path_stat *st, int *fd, berth_error_t *err);

/* PUT /containers/{id}/archive: extract the tar read from FD (plain or
   compressed) into the directory PATH.  400 "extraction point is not a
   directory", "container rootfs is marked read-only", "mounted volume is
   marked read-only"; 404 when PATH is missing.  */
int engine_container_extract (struct engine_containers *cs, const char *name, const char *path,
                              int fd, bool copy_uid_gid, bool no_overwrite_dir_nondir,
                              berth_error_t *err);

/* GET /containers/{id}/export: *FD as for archive_path, the whole root
   filesystem (bind mounts excluded).  */
int engine_container_export (struct engine_containers *cs, const char *name, int *fd,
                             berth_error_t *err);

/* GET /containers/{id}/changes: [{"Path","Kind"}] (0 modified, 1 added,
   2 deleted), a new array, parents before children.  */
json_object *engine_container_changes (struct engine_containers *cs, const char *name,
                                       berth_error_t *err);

/* POST /commit.  */
struct engine_commit_opts
{
  const char *repo, *tag; /* both may be NULL: no tag */
  const char *author;
  const char *comment;
  char *const *changes;    /* Dockerfile instructions */
  const char *config_json; /* the body's Config, NULL: the container's */
  size_t config_len;
  bool pause;
};
/* Make a new image of the container's changes on top of its image; *ID
   gets "sha256:<hex>".  */
int engine_container_commit (struct engine_containers *cs, const char *name,
                             const struct engine_commit_opts *o, char **id, berth_error_t *err);

#endif
