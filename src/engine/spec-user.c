/* berth — the container's user from its own /etc/passwd and /etc/group, as
   dockerd's getUser resolves it at start (moby/sys/user GetExecUser and
   GetAdditionalGroups).  The files are opened inside the rootfs with
   fs_root_open: the rootfs is hostile, /etc/passwd may be a symlink to the
   host's.  */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/fs-root.h"
#include "base/strv.h"
#include "base/xalloc.h"
#include "engine/spec-internal.h"

struct entry
{
  char *name;
  long long id, gid; /* gid: passwd only */
  char **members;    /* group only */
};

static void
entries_free (struct entry *v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free (v[i].name), strv_free (v[i].members);
  free (v);
}

static bool
atoid (const char *s, long long *out)
{
  char *end = NULL;
  long long v;
  if (s == NULL || *s == '\0')
    return false;
  errno = 0;
  v = strtoll (s, &end, 10);
  if (errno || *end != '\0' || v < 0 || v > 2147483647LL)
    return false;
  *out = v;
  return true;
}

/* name:x:id:... lines of PATH in the root; a missing file has no entries.
   For passwd the 4th field is the gid, for group the members list.  */
static struct entry *
read_db (int rootfd, const char *path, bool passwd, size_t *n)
{
  berth_error_t err = NULL;
  int fd = fs_root_open (rootfd, path, O_RDONLY, 0, &err);
  cleanup_file FILE *f = NULL;
  cleanup_free char *line = NULL;
  size_t cap = 0;
  struct entry *v = NULL;
  *n = 0;
  if (fd < 0)
    {
      berth_error_release (&err);
      return NULL;
    }
  f = fdopen (fd, "re");
  if (f == NULL)
    {
      close (fd);
      return NULL;
    }
  while (getline (&line, &cap, f) > 0)
    {
      char *fields[4] = { NULL }, *s = line;
      line[strcspn (line, "\n")] = '\0';
      for (int i = 0; i < 4 && s; i++)
        {
          fields[i] = s;
          s = strchr (s, ':');
          if (s)
            *s++ = '\0';
        }
      if (*line == '\0' || *line == '#' || fields[2] == NULL)
        continue;
      v = xrealloc (v, (*n + 1) * sizeof *v);
      v[*n] = (struct entry){ xstrdup (fields[0]), -1, -1, NULL };
      if (!atoid (fields[2], &v[*n].id))
        v[*n].id = -1;
      if (passwd && fields[3] && !atoid (fields[3], &v[*n].gid))
        v[*n].gid = -1;
      if (!passwd && fields[3])
        v[*n].members = strv_split (fields[3], ',');
      (*n)++;
    }
  return v;
}

struct db
{
  struct entry *pw, *gr;
  size_t n_pw, n_gr;
};

/* GetExecUser: uid, gid and the supplementary groups of SPEC.  */
static int
exec_user (const struct db *db, const char *spec, long long *uid, long long *gid, long long **sgids,
           size_t *n_sgids, berth_error_t *err)
{
  cleanup_free char *user = xstrdup (spec ? spec : "");
  char *group = strchr (user, ':');
  long long uarg = -1, garg = -1;
  bool unum, gnum;
  const char *name = NULL;
  if (group)
    *group++ = '\0';
  unum = atoid (user, &uarg);
  gnum = group && atoid (group, &garg);
  *uid = *gid = 0;
  for (size_t i = 0; i < db->n_pw && name == NULL; i++)
    if (*user == '\0' ? db->pw[i].id == 0
        : unum        ? db->pw[i].id == uarg
                      : strcmp (db->pw[i].name, user) == 0)
      name = db->pw[i].name, *uid = db->pw[i].id, *gid = db->pw[i].gid < 0 ? 0 : db->pw[i].gid;
  if (name == NULL && *user)
    {
      if (!unum)
        return berth_make_error_msg (
            err, EINVAL, "unable to find user %s: no matching entries in passwd file", user);
      *uid = uarg;
    }
  if (group && *group)
    {
      for (size_t i = 0; i < db->n_gr; i++)
        if (gnum ? db->gr[i].id == garg : strcmp (db->gr[i].name, group) == 0)
          return *gid = db->gr[i].id, 0;
      if (!gnum)
        return berth_make_error_msg (
            err, EINVAL, "unable to find group %s: no matching entries in group file", group);
      *gid = garg;
      return 0;
    }
  for (size_t i = 0; name && i < db->n_gr; i++)
    if (strv_contains (db->gr[i].members, name))
      (*sgids)[(*n_sgids)++] = db->gr[i].id;
  return 0;
}

/* GetAdditionalGroups: names or numbers, first match wins, no duplicates
   (in the order given, where Go's map order is random).  */
static int
additional_groups (const struct db *db, char *const *groups, long long *gids, size_t *n,
                   berth_error_t *err)
{
  for (size_t i = 0; groups && groups[i]; i++)
    {
      long long g = -1;
      bool dup = false;
      for (size_t j = 0; j < db->n_gr && g < 0; j++)
        {
          cleanup_free char *num = xasprintf ("%lld", db->gr[j].id);
          if (strcmp (db->gr[j].name, groups[i]) == 0 || strcmp (num, groups[i]) == 0)
            g = db->gr[j].id;
        }
      if (g < 0 && !atoid (groups[i], &g))
        return berth_make_error_msg (
            err, EINVAL, "Unable to find group %s: no matching entries in group file", groups[i]);
      for (size_t j = 0; j < *n; j++)
        dup = dup || gids[j] == g;
      if (!dup)
        gids[(*n)++] = g;
    }
  return 0;
}

int
engine_spec_resolve_user (struct engine_spec *s, int rootfd, berth_error_t *err)
{
  struct db db = { NULL, NULL, 0, 0 };
  long long uid, gid, *gids;
  cleanup_free uint32_t *out = NULL;
  size_t n = 0;
  int r;
  if (!s->needs_user)
    return 0;
  db.pw = read_db (rootfd, "/etc/passwd", true, &db.n_pw);
  db.gr = read_db (rootfd, "/etc/group", false, &db.n_gr);
  gids = xcalloc (db.n_gr + strv_len (s->group_add) + 1, sizeof *gids);
  r = exec_user (&db, s->user, &uid, &gid, &gids, &n, err);
  if (r == 0)
    r = additional_groups (&db, s->group_add, gids, &n, err);
  if (r == 0)
    {
      out = xcalloc (n + 1, sizeof *out);
      for (size_t i = 0; i < n; i++)
        out[i] = (uint32_t) gids[i];
      engine_spec_set_user (s, (uint32_t) uid, (uint32_t) gid, out, n);
      s->needs_user = false;
    }
  free (gids);
  entries_free (db.pw, db.n_pw);
  entries_free (db.gr, db.n_gr);
  return r;
}
