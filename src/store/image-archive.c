/* berth — docker save / load: the docker-archive format (moby's
 * image/tarexport), and read support for the OCI image layout docker 25+
 * writes next to manifest.json.
 *
 * Layer tars: an image's ID covers its config, whose rootfs.diff_ids are
 * the sha256 of each layer's uncompressed tar as it was imported.  A tar
 * written again from the layer's directory cannot match those bytes (tar
 * flavour, header order, mtimes, and vfs keeps whole trees), so the
 * original uncompressed tar is kept in the content store under its diff ID
 * when a layer is imported or loaded, and save writes it back verbatim.
 *
 * Load reads the whole archive once, holding every regular file in a
 * memfd (the API buffers bodies up to 64 MiB anyway): manifest.json may
 * come after the layers, and the archive may be a pipe.  Names are checked
 * before anything is kept: an absolute path, a `..` component or a symlink
 * leaving the archive fails the load.  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "base/base.h"
#include "store/content.h"
#include "store/image-internal.h"
#include "store/layer.h"
#include "store/ref.h"
#include "store/tar.h"

/* manifest.json, index.json, configs: no real one comes near.  */
#define SMALL_MAX (16u << 20)
#define ENTRIES_MAX 100000
#define LINK_DEPTH_MAX 16

int
store_image_keep_layer_tar (struct store_images *s, int fd, const char *diff_id, berth_error_t *err)
{
  struct archive *a = NULL;
  struct archive_entry *e;
  struct store_content_writer *w = NULL;
  char buf[65536];
  la_ssize_t n;

  if (store_content_exists (s->content, diff_id, NULL) == 1)
    return 0;
  if (lseek (fd, 0, SEEK_SET) < 0)
    return berth_make_error (err, errno, "keep layer tar %s: seek", diff_id);
  /* The raw format hands out the decompressed stream as one entry.  */
  a = archive_read_new ();
  archive_read_support_filter_all (a);
  archive_read_support_format_raw (a);
  if (archive_read_open_fd (a, fd, sizeof (buf)) != ARCHIVE_OK
      || archive_read_next_header (a, &e) != ARCHIVE_OK)
    goto fail_archive;
  w = store_content_writer_new (s->content, diff_id, STORE_CONTENT_SIZE_UNKNOWN, err);
  if (w == NULL)
    goto fail;
  while ((n = archive_read_data (a, buf, sizeof (buf))) > 0)
    if (store_content_writer_write (w, buf, (size_t) n, err) < 0)
      goto fail;
  if (n < 0)
    goto fail_archive;
  archive_read_free (a);
  return store_content_writer_commit (w, NULL, err);

fail_archive:
  berth_make_error_msg (err, EINVAL, "keep layer tar %s: %s", diff_id,
                        archive_error_string (a) ? archive_error_string (a) : "unreadable");
fail:
  store_content_writer_abort (w);
  archive_read_free (a);
  return -1;
}

/* ---------------------------------------------------------------- save */

struct save_image
{
  struct store_image *img;
  char **tags; /* familiar, for RepoTags */
};

/* The RepoTags NAME gives its image, as moby's parseNames: an ID none, a
   bare repository its tags, a tagged reference itself.  */
static void
save_add_tags (struct save_image *si, const char *name)
{
  struct store_ref r = { 0 };
  const char *hex = digest_hex (si->img->id);
  const char *n = str_has_prefix (name, "sha256:") ? name + 7 : name;
  cleanup_free char *familiar = NULL;
  cleanup_free char *repo = NULL;

  if (strncmp (hex, n, strlen (n)) == 0 || store_ref_parse_normalized (name, &r, NULL) < 0)
    return;
  if (r.digest == NULL && !store_ref_is_name_only (&r))
    {
      familiar = store_ref_familiar (&r);
      if (!strv_contains (si->tags, familiar))
        si->tags = strv_append (si->tags, familiar);
    }
  else if (r.digest == NULL)
    {
      repo = store_ref_familiar_name (&r);
      for (size_t i = 0; si->img->repo_tags && si->img->repo_tags[i]; i++)
        {
          const char *t = si->img->repo_tags[i];
          size_t l = strlen (repo);
          if (strncmp (t, repo, l) == 0 && t[l] == ':' && !strv_contains (si->tags, t))
            si->tags = strv_append (si->tags, t);
        }
    }
  store_ref_clear (&r);
}

static int
write_header (struct archive *w, const char *path, mode_t type, int64_t size, berth_error_t *err)
{
  struct archive_entry *e = archive_entry_new ();
  int r;

  archive_entry_set_pathname (e, path);
  archive_entry_set_filetype (e, type);
  archive_entry_set_perm (e, type == AE_IFDIR ? 0755 : 0644);
  archive_entry_set_size (e, type == AE_IFDIR ? 0 : size);
  r = archive_write_header (w, e);
  archive_entry_free (e);
  if (r != ARCHIVE_OK)
    return berth_make_error_msg (err, EIO, "write image archive: %s", archive_error_string (w));
  return 0;
}

static int
write_buffer (struct archive *w, const char *path, const char *buf, size_t len, berth_error_t *err)
{
  if (write_header (w, path, AE_IFREG, (int64_t) len, err) < 0)
    return -1;
  if (len && archive_write_data (w, buf, len) != (la_ssize_t) len)
    return berth_make_error_msg (err, EIO, "write image archive: %s", archive_error_string (w));
  return 0;
}

/* <hex>/VERSION and <hex>/layer.tar from the kept tar of DIFF_ID.  */
static int
write_layer (struct store_images *s, struct archive *w, const char *diff_id, berth_error_t *err)
{
  const char *hex = digest_hex (diff_id);
  cleanup_free char *dir = xasprintf ("%s/", hex);
  cleanup_free char *version = xasprintf ("%s/VERSION", hex);
  cleanup_free char *tar = xasprintf ("%s/layer.tar", hex);
  cleanup_close int fd = -1;
  uint64_t size = 0, done = 0;
  char buf[65536];

  if (store_content_size (s->content, diff_id, &size, NULL) < 0
      || (fd = store_content_open (s->content, diff_id, NULL)) < 0)
    return berth_make_error_msg (err, ENOENT,
                                 "layer %s: its tar was not kept at import: import or load the "
                                 "image again to save it",
                                 diff_id);
  if (write_header (w, dir, AE_IFDIR, 0, err) < 0 || write_buffer (w, version, "1.0", 3, err) < 0
      || write_header (w, tar, AE_IFREG, (int64_t) size, err) < 0)
    return -1;
  while (done < size)
    {
      ssize_t n = read (fd, buf, sizeof (buf));
      if (n <= 0)
        return berth_make_error (err, n < 0 ? errno : EIO, "read layer %s", diff_id);
      if (archive_write_data (w, buf, (size_t) n) != n)
        return berth_make_error_msg (err, EIO, "write image archive: %s", archive_error_string (w));
      done += (uint64_t) n;
    }
  return 0;
}

/* manifest.json and repositories for IMGS.  */
static int
write_indexes (struct archive *w, struct save_image *imgs, size_t n, berth_error_t *err)
{
  struct oci_archive_manifest m = { 0 };
  json_object *repos = json_object_new_object ();
  cleanup_free char *manifest = NULL;
  int ret;

  m.entries = xcalloc (n, sizeof (*m.entries));
  m.n_entries = n;
  for (size_t i = 0; i < n; i++)
    {
      char **diffs = imgs[i].img->config->diff_ids;
      size_t nl = strv_len (diffs);
      m.entries[i].config = xasprintf ("%s.json", digest_hex (imgs[i].img->id));
      m.entries[i].repo_tags = strv_dup (imgs[i].tags);
      for (size_t j = 0; j < nl; j++)
        {
          cleanup_free char *p = xasprintf ("%s/layer.tar", digest_hex (diffs[j]));
          m.entries[i].layers = strv_append (m.entries[i].layers, p);
        }
      for (size_t j = 0; nl && imgs[i].tags && imgs[i].tags[j]; j++)
        {
          cleanup_free char *repo = xstrdup (imgs[i].tags[j]);
          json_object *r;
          *strrchr (repo, ':') = '\0';
          if (!json_object_object_get_ex (repos, repo, &r))
            json_object_object_add (repos, repo, r = json_object_new_object ());
          json_object_object_add (r, strrchr (imgs[i].tags[j], ':') + 1,
                                  json_object_new_string (digest_hex (diffs[nl - 1])));
        }
    }
  manifest = oci_archive_manifest_write (&m);
  for (size_t i = 0; i < n; i++)
    {
      free (m.entries[i].config);
      strv_free (m.entries[i].repo_tags);
      strv_free (m.entries[i].layers);
    }
  free (m.entries);
  ret = write_buffer (w, "manifest.json", manifest, strlen (manifest), err);
  if (ret == 0 && json_object_object_length (repos) > 0)
    {
      const char *r = json_object_to_json_string_ext (repos, JSON_C_TO_STRING_PLAIN);
      ret = write_buffer (w, "repositories", r, strlen (r), err);
    }
  json_object_put (repos);
  return ret;
}

static int
write_archive (struct store_images *s, struct save_image *imgs, size_t n, int out_fd,
               berth_error_t *err)
{
  struct archive *w = archive_write_new ();
  char **written = NULL;
  int ret = 0;

  archive_write_set_format_pax_restricted (w);
  archive_write_set_bytes_in_last_block (w, 1);
  if (archive_write_open_fd (w, out_fd) != ARCHIVE_OK)
    ret = berth_make_error_msg (err, EIO, "write image archive: %s", archive_error_string (w));
  for (size_t i = 0; ret == 0 && i < n; i++)
    {
      char **diffs = imgs[i].img->config->diff_ids;
      cleanup_free char *cfg = xasprintf ("%s.json", digest_hex (imgs[i].img->id));
      for (size_t j = 0; ret == 0 && diffs && diffs[j]; j++)
        if (!strv_contains (written, diffs[j]))
          {
            written = strv_append (written, diffs[j]);
            ret = write_layer (s, w, diffs[j], err);
          }
      if (ret == 0)
        ret = write_buffer (w, cfg, imgs[i].img->config_json, imgs[i].img->config_len, err);
    }
  if (ret == 0)
    ret = write_indexes (w, imgs, n, err);
  if (ret == 0 && archive_write_close (w) != ARCHIVE_OK)
    ret = berth_make_error_msg (err, EIO, "write image archive: %s", archive_error_string (w));
  archive_write_free (w);
  strv_free (written);
  return ret;
}

int
store_image_save (struct store_images *s, char *const *names, int out_fd, berth_error_t *err)
{
  struct save_image *imgs = NULL;
  size_t n = 0;
  int ret = 0;

  for (size_t i = 0; ret == 0 && names && names[i]; i++)
    {
      struct store_image *img = store_image_get (s, names[i], err);
      size_t j;
      if (img == NULL)
        {
          ret = -1;
          break;
        }
      for (j = 0; j < n && strcmp (imgs[j].img->id, img->id) != 0; j++)
        ;
      if (j == n)
        {
          imgs = xrealloc (imgs, (n + 1) * sizeof (*imgs));
          imgs[n].img = img;
          imgs[n++].tags = NULL;
        }
      else
        store_image_free (img);
      save_add_tags (&imgs[j], names[i]);
    }
  if (ret == 0 && n == 0)
    ret = berth_make_error_msg (err, EINVAL, "no images to save");
  if (ret == 0)
    ret = write_archive (s, imgs, n, out_fd, err);
  for (size_t i = 0; i < n; i++)
    {
      store_image_free (imgs[i].img);
      strv_free (imgs[i].tags);
    }
  free (imgs);
  return ret;
}

/* ---------------------------------------------------------------- load */

/* One file of the archive: a regular file's bytes in a memfd, or a link
   (symbolic or hard) to another member, resolved inside the archive.  */
struct member
{
  char *name; /* normalised: no "./", no trailing "/" */
  int fd;     /* -1 for a link */
  char *link; /* normalised target */
};

struct members
{
  struct member *v;
  size_t n;
};

static void
members_clear (struct members *m)
{
  for (size_t i = 0; i < m->n; i++)
    {
      free (m->v[i].name);
      free (m->v[i].link);
      if (m->v[i].fd >= 0)
        close (m->v[i].fd);
    }
  free (m->v);
  m->v = NULL;
  m->n = 0;
}

/* BASE/PATH made canonical inside the archive; NULL when it is absolute
   or climbs out of it.  BASE may be NULL or "".  */
static char *
clean_path (const char *base, const char *path)
{
  cleanup_free char *joined = base && base[0] ? xasprintf ("%s/%s", base, path) : xstrdup (path);
  char *out = xmalloc0 (strlen (joined) + 1);
  size_t len = 0;
  char *save = NULL;

  if (path[0] == '/')
    {
      free (out);
      return NULL;
    }
  for (char *c = strtok_r (joined, "/", &save); c; c = strtok_r (NULL, "/", &save))
    {
      if (strcmp (c, ".") == 0)
        continue;
      if (strcmp (c, "..") == 0)
        {
          free (out);
          return NULL;
        }
      len += (size_t) sprintf (out + len, "%s%s", len ? "/" : "", c);
    }
  return out;
}

static struct member *
member_find (struct members *m, const char *name)
{
  for (size_t i = m->n; i > 0; i--) /* the last of duplicates wins */
    if (strcmp (m->v[i - 1].name, name) == 0)
      return &m->v[i - 1];
  return NULL;
}

/* The fd of NAME's bytes at offset 0, following links when FOLLOW.  */
static int
member_fd (struct members *m, const char *path, bool follow, berth_error_t *err)
{
  cleanup_free char *name = clean_path (NULL, path);
  struct member *e;

  if (name == NULL)
    return berth_make_error_msg (err, EINVAL, "invalid archive: path `%s` escapes the archive",
                                 path);
  for (int depth = 0; (e = member_find (m, name)) != NULL && e->fd < 0; depth++)
    {
      if (!follow)
        return berth_make_error_msg (err, EINVAL, "invalid archive: `%s` is a link", name);
      if (depth == LINK_DEPTH_MAX)
        return berth_make_error_msg (err, ELOOP, "invalid archive: too many links at `%s`", path);
      free (name);
      name = xstrdup (e->link);
    }
  if (e == NULL)
    return berth_make_error_msg (err, EINVAL, "invalid archive: `%s` not found", name);
  if (lseek (e->fd, 0, SEEK_SET) < 0)
    return berth_make_error (err, errno, "seek `%s`", name);
  return e->fd;
}

/* The whole of a small member, NUL-terminated; links refused.  */
static char *
member_read (struct members *m, const char *path, size_t *len, berth_error_t *err)
{
  int fd = member_fd (m, path, false, err);
  off_t size;
  char *buf;

  if (fd < 0)
    return NULL;
  size = lseek (fd, 0, SEEK_END);
  if (size < 0 || (uint64_t) size > SMALL_MAX || lseek (fd, 0, SEEK_SET) < 0)
    {
      berth_make_error_msg (err, EFBIG, "invalid archive: `%s` is too large", path);
      return NULL;
    }
  buf = xmalloc ((size_t) size + 1);
  if (fs_read_all (fd, buf, (size_t) size) != (ssize_t) size)
    {
      free (buf);
      berth_make_error_msg (err, EIO, "read `%s`", path);
      return NULL;
    }
  buf[size] = '\0';
  *len = (size_t) size;
  return buf;
}

static int
copy_data (struct archive *a, int fd, const char *name, berth_error_t *err)
{
  char buf[65536];
  la_ssize_t n;

  while ((n = archive_read_data (a, buf, sizeof (buf))) > 0)
    if (fs_write_all (fd, buf, (size_t) n) < 0)
      return berth_make_error (err, errno, "buffer `%s`", name);
  if (n < 0)
    return berth_make_error_msg (err, EINVAL, "invalid archive: %s", archive_error_string (a));
  return 0;
}

/* Record the entry E of A in M.  */
static int
add_member (struct members *m, struct archive *a, struct archive_entry *e, berth_error_t *err)
{
  const char *path = archive_entry_pathname (e);
  cleanup_free char *name = path ? clean_path (NULL, path) : NULL;
  cleanup_free char *dir = NULL;
  const char *target = NULL;
  struct member mb = { NULL, -1, NULL };

  if (name == NULL)
    return berth_make_error_msg (err, EINVAL, "invalid archive: entry `%s` escapes the archive",
                                 path ? path : "");
  if (archive_entry_hardlink (e))
    mb.link = clean_path (NULL, archive_entry_hardlink (e));
  else if (archive_entry_filetype (e) == AE_IFLNK)
    {
      target = archive_entry_symlink (e) ? archive_entry_symlink (e) : "";
      dir = fs_dirname (name);
      mb.link = clean_path (strcmp (dir, ".") == 0 ? NULL : dir, target);
    }
  else if (archive_entry_filetype (e) == AE_IFDIR || name[0] == '\0')
    return 0;
  else if (archive_entry_filetype (e) != AE_IFREG)
    return berth_make_error_msg (err, EINVAL, "invalid archive: entry `%s` is not a file", name);
  else
    {
      mb.fd = memfd_create ("berth-load", MFD_CLOEXEC);
      if (mb.fd < 0)
        return berth_make_error (err, errno, "memfd_create");
      if (copy_data (a, mb.fd, name, err) < 0)
        {
          close (mb.fd);
          return -1;
        }
    }
  if (mb.fd < 0 && mb.link == NULL)
    return berth_make_error_msg (err, EINVAL,
                                 "invalid archive: link `%s` points outside the archive", name);
  mb.name = steal_pointer (&name);
  m->v = xrealloc (m->v, (m->n + 1) * sizeof (*m->v));
  m->v[m->n++] = mb;
  return 0;
}

/* Read the whole archive of FD into M.  */
static int
read_members (int fd, struct members *m, berth_error_t *err)
{
  struct archive *a = archive_read_new ();
  struct archive_entry *e;
  int r, ret = 0;

  archive_read_support_filter_all (a);
  archive_read_support_format_tar (a);
  if (archive_read_open_fd (a, fd, 65536) != ARCHIVE_OK)
    ret = berth_make_error_msg (err, EINVAL, "invalid archive: %s", archive_error_string (a));
  while (ret == 0 && (r = archive_read_next_header (a, &e)) != ARCHIVE_EOF)
    {
      if (r < ARCHIVE_WARN)
        ret = berth_make_error_msg (err, EINVAL, "invalid archive: %s", archive_error_string (a));
      else if (m->n >= ENTRIES_MAX)
        ret = berth_make_error_msg (err, EINVAL, "invalid archive: more than %d entries",
                                    ENTRIES_MAX);
      else
        ret = add_member (m, a, e, err);
    }
  archive_read_free (a);
  return ret;
}

static char *
blob_path (const char *digest)
{
  const char *colon = strchr (digest, ':');
  return xasprintf ("blobs/%.*s/%s", (int) (colon - digest), digest, colon + 1);
}

static const char *
annotation (char *const *keys, char *const *values, const char *key)
{
  for (size_t i = 0; keys && keys[i]; i++)
    if (strcmp (keys[i], key) == 0)
      return values[i];
  return NULL;
}

static bool
is_index (const char *media_type)
{
  return media_type
         && (strcmp (media_type, OCI_MEDIA_TYPE_INDEX) == 0
             || strcmp (media_type, DOCKER_MEDIA_TYPE_MANIFEST_LIST) == 0);
}

/* Append to OUT the image of the manifest (or, one level down, the first
   image of the index) D points at.  */
static int
add_layout_image (struct members *m, const struct oci_descriptor *d, const char *name, int depth,
                  struct oci_archive_manifest *out, berth_error_t *err)
{
  cleanup_free char *path = blob_path (d->digest);
  cleanup_free char *text = NULL;
  struct oci_archive_entry *e;
  struct oci_manifest *mf;
  size_t len = 0;
  int ret = 0;

  if ((text = member_read (m, path, &len, err)) == NULL)
    return -1;
  if (is_index (d->media_type))
    {
      struct oci_index *ix = oci_index_parse (text, len, path, err);
      if (ix == NULL)
        return -1;
      if (depth > 0 || ix->n_manifests == 0)
        ret = berth_make_error_msg (err, EINVAL, "invalid archive: `%s` holds no image manifest",
                                    path);
      else
        ret = add_layout_image (m, &ix->manifests[0], name, depth + 1, out, err);
      oci_index_free (ix);
      return ret;
    }
  if ((mf = oci_manifest_parse (text, len, path, err)) == NULL)
    return -1;
  out->entries = xrealloc (out->entries, (out->n_entries + 1) * sizeof (*out->entries));
  e = &out->entries[out->n_entries++];
  memset (e, 0, sizeof (*e));
  e->config = blob_path (mf->config.digest);
  if (name)
    e->repo_tags = strv_append (NULL, name);
  for (size_t i = 0; i < mf->n_layers; i++)
    {
      cleanup_free char *lp = blob_path (mf->layers[i].digest);
      e->layers = strv_append (e->layers, lp);
    }
  oci_manifest_free (mf);
  return 0;
}

/* The images of an OCI image layout, as a docker-archive manifest.  */
static struct oci_archive_manifest *
layout_manifest (struct members *m, berth_error_t *err)
{
  cleanup_free char *layout = NULL;
  cleanup_free char *index = NULL;
  struct oci_archive_manifest *out;
  struct oci_index *ix;
  size_t len = 0;

  if ((layout = member_read (m, "oci-layout", &len, err)) == NULL
      || oci_layout_check (layout, len, "oci-layout", err) < 0
      || (index = member_read (m, "index.json", &len, err)) == NULL
      || (ix = oci_index_parse (index, len, "index.json", err)) == NULL)
    return NULL;
  out = xmalloc0 (sizeof (*out));
  for (size_t i = 0; i < ix->n_manifests; i++)
    {
      const struct oci_descriptor *d = &ix->manifests[i];
      const char *name
          = annotation (d->annotation_keys, d->annotation_values, "io.containerd.image.name");
      if (add_layout_image (m, d, name, 0, out, err) < 0)
        {
          oci_archive_manifest_free (out);
          out = NULL;
          break;
        }
    }
  oci_index_free (ix);
  return out;
}

static struct oci_archive_manifest *
archive_manifest (struct members *m, berth_error_t *err)
{
  cleanup_free char *text = NULL;
  size_t len = 0;

  if (member_find (m, "manifest.json") == NULL)
    {
      if (member_find (m, "index.json") == NULL)
        {
          berth_make_error_msg (
              err, EINVAL, "invalid archive: no manifest.json or index.json: not an image archive");
          return NULL;
        }
      return layout_manifest (m, err);
    }
  if ((text = member_read (m, "manifest.json", &len, err)) == NULL)
    return NULL;
  return oci_archive_manifest_parse (text, len, "manifest.json", err);
}

/* Apply the layer tar of FD on PARENT; CHAIN gets the new layer, the
   caller one reference on it.  The tar must hash to DIFF_ID.  */
static int
load_layer (struct store_images *s, int fd, const char *parent, const char *diff_id,
            const char *path, char chain[DIGEST_SHA256_STRLEN], berth_error_t *err)
{
  struct layer_new *n = store_layer_create_begin (s->layers, parent, err);
  struct store_tar_opts o = { 0 };
  struct store_tar_stats st;
  cleanup_close int dirfd = -1;

  if (n == NULL)
    return -1;
  o.whiteout_mode = store_layer_store_whiteouts (s->layers) == LAYER_WHITEOUT_OVERLAY
                        ? STORE_WHITEOUT_OVERLAY
                        : STORE_WHITEOUT_DELETE;
  memset (&st, 0, sizeof (st));
  dirfd = open (store_layer_new_diff_path (n), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0)
    berth_make_error (err, errno, "open `%s`", store_layer_new_diff_path (n));
  else if (store_tar_apply (fd, dirfd, &o, &st, err) < 0)
    berth_error_wrap (err, "layer `%s`", path);
  else if (strcmp (st.diff_id, diff_id) != 0)
    berth_make_error_msg (err, EINVAL, "layer `%s`: diff ID %s does not match the config's %s",
                          path, st.diff_id, diff_id);
  else if (store_layer_create_commit (n, st.diff_id, st.content_bytes, chain, err) == 0)
    return 0;
  store_layer_create_abort (n);
  return -1;
}

/* The layers of E made present (created from the archive when missing);
   TOP gets the top chain ID, the caller one reference on it ("" when the
   image has no layers).  */
static int
load_layers (struct store_images *s, struct members *m, const struct oci_archive_entry *e,
             char *const *diff_ids, char top[DIGEST_SHA256_STRLEN], berth_error_t *err)
{
  char chain[DIGEST_SHA256_STRLEN];

  top[0] = '\0';
  for (size_t i = 0; diff_ids[i]; i++)
    {
      int fd;
      store_layer_chain_id (top[0] ? top : NULL, diff_ids[i], chain);
      if (store_layer_get (s->layers, chain))
        {
          if (store_layer_ref (s->layers, chain, err) < 0)
            goto fail;
        }
      else if ((fd = member_fd (m, e->layers[i], true, err)) < 0
               || load_layer (s, fd, top[0] ? top : NULL, diff_ids[i], e->layers[i], chain, err)
                      < 0)
        goto fail;
      /* The child keeps its parent alive.  */
      if (top[0])
        store_layer_release (s->layers, top, NULL);
      memcpy (top, chain, DIGEST_SHA256_STRLEN);
    }
  return 0;

fail:
  if (top[0])
    store_layer_release (s->layers, top, NULL);
  top[0] = '\0';
  return -1;
}

static void say (store_image_load_fn fn, void *data, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

static void
say (store_image_load_fn fn, void *data, const char *fmt, ...)
{
  char *msg = NULL;
  va_list ap;

  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    msg = NULL;
  va_end (ap);
  if (fn && msg)
    fn (data, msg);
  free (msg);
}

/* Register ID (holding TOP, "" for none) as an image.  */
static int
register_loaded (struct store_images *s, const char *id, const char *top, berth_error_t *err)
{
  int ret = 0;

  pthread_mutex_lock (&s->lock);
  if (image_find_rec (s, id) >= 0)
    {
      if (top[0])
        store_layer_release (s->layers, top, NULL); /* the image holds it already */
    }
  else
    {
      image_add_rec (s, id, NULL);
      ret = image_save_images (s, err);
    }
  pthread_mutex_unlock (&s->lock);
  return ret;
}

/* Point TAG (a RepoTags entry) at ID, moving it from another image.  */
static int
load_tag (struct store_images *s, const char *id, const char *tag, store_image_load_fn fn,
          void *data, berth_error_t *err)
{
  struct store_ref r = { 0 };
  cleanup_free char *full = NULL;
  cleanup_free char *familiar = NULL;
  struct store_image *old;
  int ret;

  if (store_ref_parse_normalized (tag, &r, err) < 0)
    return berth_error_wrap (err, "invalid tag `%s` in the archive", tag);
  if (r.digest)
    {
      store_ref_clear (&r);
      return berth_make_error_msg (err, EINVAL, "invalid tag `%s` in the archive: it has a digest",
                                   tag);
    }
  store_ref_tag_name_only (&r);
  full = store_ref_string (&r);
  familiar = store_ref_familiar (&r);
  store_ref_clear (&r);
  old = store_image_get (s, full, NULL);
  if (old && strcmp (old->id, id) != 0)
    say (fn, data, "The image %s already exists, renaming the old one with ID %s to empty string",
         familiar, old->id);
  store_image_free (old);
  ret = store_image_tag (s, id, full, err);
  if (ret == 0)
    say (fn, data, "Loaded image: %s", familiar);
  return ret;
}

/* Load the image of E.  */
static int
load_one (struct store_images *s, struct members *m, const struct oci_archive_entry *e,
          store_image_load_fn fn, void *data, berth_error_t *err)
{
  cleanup_free char *cfg = NULL;
  struct oci_image_config *c = NULL;
  char id[DIGEST_SHA256_STRLEN], top[DIGEST_SHA256_STRLEN];
  size_t len = 0, n;
  int ret = -1;

  if ((cfg = member_read (m, e->config, &len, err)) == NULL
      || (c = oci_image_config_parse (cfg, len, e->config, err)) == NULL)
    return -1;
  n = strv_len (c->diff_ids);
  if (n != strv_len (e->layers))
    berth_make_error_msg (err, EINVAL,
                          "invalid manifest, layers length mismatch: expected %zu, got %zu", n,
                          strv_len (e->layers));
  else if (load_layers (s, m, e, c->diff_ids ? c->diff_ids : (char *[]){ NULL }, top, err) == 0)
    {
      if (store_content_ingest_buffer (s->content, cfg, len, NULL, id, err) < 0
          || register_loaded (s, id, top, err) < 0)
        {
          if (top[0])
            store_layer_release (s->layers, top, NULL);
        }
      else
        ret = 0;
    }
  /* Keep each layer's tar for a later save; a compressed or unreadable one
     is only a save that will fail, not a failed load.  */
  for (size_t i = 0; ret == 0 && i < n; i++)
    {
      int fd = member_fd (m, e->layers[i], true, NULL);
      berth_error_t kerr = NULL;
      if (fd >= 0 && store_image_keep_layer_tar (s, fd, c->diff_ids[i], &kerr) < 0)
        berth_error_release (&kerr);
    }
  for (size_t i = 0; ret == 0 && e->repo_tags && e->repo_tags[i]; i++)
    ret = load_tag (s, id, e->repo_tags[i], fn, data, err);
  if (ret == 0 && (e->repo_tags == NULL || e->repo_tags[0] == NULL))
    say (fn, data, "Loaded image ID: %s", id);
  oci_image_config_free (c);
  return ret;
}

int
store_image_load (struct store_images *s, int fd, store_image_load_fn msg_fn, void *data,
                  berth_error_t *err)
{
  struct members m = { NULL, 0 };
  struct oci_archive_manifest *am = NULL;
  int ret = read_members (fd, &m, err);

  if (ret == 0 && (am = archive_manifest (&m, err)) == NULL)
    ret = -1;
  if (ret == 0 && am->n_entries == 0)
    ret = berth_make_error_msg (err, EINVAL, "invalid archive: it holds no image");
  for (size_t i = 0; ret == 0 && i < am->n_entries; i++)
    ret = load_one (s, &m, &am->entries[i], msg_fn, data, err);
  if (am)
    oci_archive_manifest_free (am);
  members_clear (&m);
  return ret;
}
