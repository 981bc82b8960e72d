/* Unit tests: src/store/ref.c, image references.  The cases follow the
   tables of github.com/distribution/reference (reference_test.go and
   normalize_test.go), restated here as data.  */
#define _GNU_SOURCE
#include <errno.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"
#include "store/ref.h"

#define HEX_F "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
#define HEX_A "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c"
#define HEX_B "e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582"

#define E_FORMAT "invalid reference format"
#define E_UPPER "repository name must be lowercase"
#define E_EMPTY "repository name must have at least one component"
#define E_LONG "repository name must not be more than 255 characters"
#define E_DLEN "invalid checksum digest length"
#define E_DFMT "invalid checksum digest format"
#define E_DALG "unsupported digest algorithm"

static void
assert_str_or_null (const char *got, const char *want, const char *what, const char *input)
{
  if (want == NULL && got == NULL)
    return;
  if (want == NULL || got == NULL || strcmp (want, got) != 0)
    fail_msg ("`%s`: %s is `%s`, expected `%s`", input, what, got ? got : "(null)",
              want ? want : "(null)");
}

/* Expect failure with exactly MSG and EINVAL, and a zeroed *out.  */
static void
expect_error (int r, berth_error_t *err, struct store_ref *out, const char *msg, const char *in)
{
  if (r == 0)
    fail_msg ("`%s` accepted, expected `%s`", in, msg);
  assert_int_equal (r, -EINVAL);
  assert_non_null (*err);
  assert_int_equal ((*err)->status, EINVAL);
  if (strcmp ((*err)->msg, msg) != 0)
    fail_msg ("`%s`: error `%s`, expected `%s`", in, (*err)->msg, msg);
  assert_null (out->domain);
  assert_null (out->path);
  assert_null (out->tag);
  assert_null (out->digest);
  berth_error_release (err);
}

/* reference.Parse: the grammar alone.  name/domain/tag/digest NULL when
   absent; err set for a failure.  */
struct parse_case
{
  const char *in, *err, *name, *domain, *tag, *digest;
};

static char *
repeat (const char *s, int n, const char *suffix)
{
  size_t l = strlen (s);
  char *r = xmalloc (l * (size_t) n + strlen (suffix) + 1);
  for (int i = 0; i < n; i++)
    memcpy (r + l * (size_t) i, s, l);
  strcpy (r + l * (size_t) n, suffix);
  return r;
}

static void
check_parse (const struct parse_case *c)
{
  struct store_ref ref;
  berth_error_t err = NULL;
  int r = store_ref_parse (c->in, &ref, &err);

  if (c->err)
    {
      expect_error (r, &err, &ref, c->err, c->in);
      return;
    }
  if (r != 0)
    fail_msg ("`%s` refused: %s", c->in, err->msg);
  char *s = store_ref_string (&ref), *name = store_ref_name (&ref);
  assert_str_or_null (s, c->in, "string", c->in);
  assert_str_or_null (name, c->name, "name", c->in);
  assert_str_or_null (ref.domain, c->domain, "domain", c->in);
  assert_str_or_null (ref.tag, c->tag, "tag", c->in);
  assert_str_or_null (ref.digest, c->digest, "digest", c->in);
  free (s);
  free (name);
  store_ref_clear (&ref);
  assert_null (ref.path);
}

static void
test_parse_table (void **state)
{
  static const struct parse_case cases[] = {
    { "test_com", NULL, "test_com", NULL, NULL, NULL },
    { "test.com:tag", NULL, "test.com", NULL, "tag", NULL },
    { "test.com:5000", NULL, "test.com", NULL, "5000", NULL },
    { "test.com/repo:tag", NULL, "test.com/repo", "test.com", "tag", NULL },
    { "test:5000/repo", NULL, "test:5000/repo", "test:5000", NULL, NULL },
    { "test:5000/repo:tag", NULL, "test:5000/repo", "test:5000", "tag", NULL },
    { "test:5000/repo@sha256:" HEX_F, NULL, "test:5000/repo", "test:5000", NULL, "sha256:" HEX_F },
    { "test:5000/repo:tag@sha256:" HEX_F, NULL, "test:5000/repo", "test:5000", "tag",
      "sha256:" HEX_F },
    { "", E_EMPTY },
    { ":justtag", E_FORMAT },
    { "@sha256:" HEX_F, E_FORMAT },
    { "repo@sha256:ffffffffffffffffffffffffffffffffff", E_DLEN },
    { "validname@invaliddigest:" HEX_F, E_DALG },
    { "validname@sha256:" HEX_F "@sha256:" HEX_F, E_FORMAT },
    /* the digest pattern takes upper-case hex, go-digest does not */
    { "validname@sha256:FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", E_DFMT },
    { "validname@SHA256:" HEX_F, E_DFMT },
    { "Uppercase:tag", E_UPPER },
    /* "Uppercase" is taken for a domain here: valid, as in Go */
    { "Uppercase/lowercase:tag", NULL, "Uppercase/lowercase", "Uppercase", "tag", NULL },
    { "test:5000/Uppercase/lowercase:tag", E_UPPER },
    { "lowercase:Uppercase", NULL, "lowercase", NULL, "Uppercase", NULL },
    { "aa/asdf$$^/aa", E_FORMAT },
    { "sub-dom1.foo.com/bar/baz/quux", NULL, "sub-dom1.foo.com/bar/baz/quux", "sub-dom1.foo.com" },
    { "sub-dom1.foo.com/bar/baz/quux:some-long-tag", NULL, "sub-dom1.foo.com/bar/baz/quux",
      "sub-dom1.foo.com", "some-long-tag" },
    { "b.gcr.io/test.example.com/my-app:test.example.com", NULL, "b.gcr.io/test.example.com/my-app",
      "b.gcr.io", "test.example.com" },
    { "xn--n3h.com/myimage:xn--n3h.com", NULL, "xn--n3h.com/myimage", "xn--n3h.com",
      "xn--n3h.com" },
    { "xn--7o8h.com/myimage:xn--7o8h.com@sha256:" HEX_F, NULL, "xn--7o8h.com/myimage",
      "xn--7o8h.com", "xn--7o8h.com", "sha256:" HEX_F },
    { "foo_bar.com:8080", NULL, "foo_bar.com", NULL, "8080" },
    { "foo/foo_bar.com:8080", NULL, "foo/foo_bar.com", "foo", "8080" },
    { "192.168.1.1", NULL, "192.168.1.1" },
    { "192.168.1.1:tag", NULL, "192.168.1.1", NULL, "tag" },
    { "192.168.1.1:5000", NULL, "192.168.1.1", NULL, "5000" },
    { "192.168.1.1/repo", NULL, "192.168.1.1/repo", "192.168.1.1" },
    { "192.168.1.1:5000/repo", NULL, "192.168.1.1:5000/repo", "192.168.1.1:5000" },
    { "192.168.1.1:5000/repo:5050", NULL, "192.168.1.1:5000/repo", "192.168.1.1:5000", "5050" },
    { "[2001:db8::1]", E_FORMAT },
    { "[2001:db8::1]:5000", E_FORMAT },
    { "[2001:db8::1]:tag", E_FORMAT },
    { "[2001:db8::1]/repo", NULL, "[2001:db8::1]/repo", "[2001:db8::1]" },
    { "[2001:db8:1:2:3:4:5:6]/repo:tag", NULL, "[2001:db8:1:2:3:4:5:6]/repo",
      "[2001:db8:1:2:3:4:5:6]", "tag" },
    { "[2001:db8::1]:5000/repo", NULL, "[2001:db8::1]:5000/repo", "[2001:db8::1]:5000" },
    { "[2001:db8::1]:5000/repo:tag", NULL, "[2001:db8::1]:5000/repo", "[2001:db8::1]:5000", "tag" },
    { "[2001:db8::1]:5000/repo@sha256:" HEX_F, NULL, "[2001:db8::1]:5000/repo",
      "[2001:db8::1]:5000", NULL, "sha256:" HEX_F },
    { "[2001:db8::1]:5000/repo:tag@sha256:" HEX_F, NULL, "[2001:db8::1]:5000/repo",
      "[2001:db8::1]:5000", "tag", "sha256:" HEX_F },
    { "[2001:db8::]:5000/repo", NULL, "[2001:db8::]:5000/repo", "[2001:db8::]:5000" },
    { "[::1]:5000/repo", NULL, "[::1]:5000/repo", "[::1]:5000" },
    { "[fe80::1%eth0]:5000/repo", E_FORMAT },
    { "[fe80::1%@invalidzone]:5000/repo", E_FORMAT },
    { "[]:5000/repo", E_FORMAT },
    { "host:/repo", E_FORMAT },
    { "-host/repo", E_FORMAT },
    { "host-/repo", E_FORMAT },
    { "a/b:", E_FORMAT },
    { "a/b@", E_FORMAT },
    { "a//b", E_FORMAT },
    { "a/b/", E_FORMAT },
  };

  (void) state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    check_parse (&cases[i]);
}

/* The length limits: path over 255 (the domain does not count), tag over
   128.  */
static void
test_parse_lengths (void **state)
{
  char *too_long = repeat ("a", 256, ":tag");
  char *in_too_long = xasprintf ("domain/%s", too_long);
  char *a255 = repeat ("a", 255, "");
  char *ok255 = xasprintf ("example.com/%s:tag", a255);
  char *ok255name = xasprintf ("example.com/%s", a255);
  char *many = repeat ("a/", 127, "a:tag-puts-this-over-max");
  char *many_name = repeat ("a/", 127, "a");
  char *tag128 = repeat ("t", 128, "");
  char *ok_tag = xasprintf ("repo:%s", tag128);
  char *bad_tag = xasprintf ("repo:%st", tag128);
  const struct parse_case cases[] = {
    { in_too_long, E_LONG },
    { ok255, NULL, ok255name, "example.com", "tag" },
    { many, NULL, many_name, "a", "tag-puts-this-over-max" },
    { ok_tag, NULL, "repo", NULL, tag128 },
    { bad_tag, E_FORMAT },
  };

  (void) state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    check_parse (&cases[i]);
  free (too_long);
  free (in_too_long);
  free (a255);
  free (ok255);
  free (ok255name);
  free (many);
  free (many_name);
  free (tag128);
  free (ok_tag);
  free (bad_tag);
}

static void
test_normalized_valid_invalid (void **state)
{
  static const char *const valid[] = {
    "docker/docker",
    "library/debian",
    "debian",
    "localhost/library/debian",
    "localhost/debian",
    "LOCALDOMAIN/library/debian",
    "LOCALDOMAIN/debian",
    "docker.io/docker/docker",
    "docker.io/library/debian",
    "docker.io/debian",
    "index.docker.io/docker/docker",
    "index.docker.io/library/debian",
    "index.docker.io/debian",
    "127.0.0.1:5000/docker/docker",
    "127.0.0.1:5000/library/debian",
    "127.0.0.1:5000/debian",
    "192.168.0.1",
    "192.168.0.1:80",
    "192.168.0.1:8/debian",
    "192.168.0.2:25000/debian",
    "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
    "[fc00::1]:5000/docker",
    "[fc00::1]:5000/docker/docker",
    "[fc00:1:2:3:4:5:6:7]:5000/library/debian",
    /* with a domain a 64-hex name is no longer ambiguous */
    "docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a",
    "Docker/docker",
    "DOCKER/docker",
    "docker-rules/docker",
    "docker---rules/docker",
    "doc/docker",
    "d/docker",
    "jess/t",
    "dock__er/docker",
  };
  static const char *const invalid[] = {
    "https://github.com/docker/docker",
    "docker/Docker",
    "-docker",
    "-docker/docker",
    "-docker.io/docker/docker",
    "docker///docker",
    "docker.io/docker/Docker",
    "docker.io/docker///docker",
    "[fc00::1]",
    "[fc00::1]:5000",
    "fc00::1:5000/debian",
    "[fe80::1%eth0]:5000/debian",
    "[2001:db8:3:4::192.0.2.33]:5000/debian",
    "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a",
    "docker-/docker",
    "-docker-/docker",
    "____/____",
    "_docker/_docker",
    "dock..er/docker",
    "dock_.er/docker",
    "dock-.er/docker",
    "docker/",
    "dock___er/docker",
    "",
    "this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_"
    "namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_"
    "lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_"
    "255/docker",
  };
  struct store_ref ref;
  berth_error_t err = NULL;

  (void) state;
  for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++)
    {
      if (store_ref_parse_normalized (valid[i], &ref, &err) != 0)
        fail_msg ("`%s` refused: %s", valid[i], err->msg);
      assert_non_null (ref.domain);
      assert_non_null (ref.path);
      store_ref_clear (&ref);
    }
  for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++)
    {
      if (store_ref_parse_normalized (invalid[i], &ref, &err) == 0)
        fail_msg ("`%s` accepted", invalid[i]);
      assert_int_equal (err->status, EINVAL);
      berth_error_release (&err);
    }
}

/* Every spelling of one repository gives one full name, one familiar name,
   one domain and path.  */
struct repo_case
{
  const char *path, *familiar, *full, *ambiguous, *domain;
};

static void
check_repo_spelling (const struct repo_case *c, const char *in)
{
  struct store_ref ref;
  berth_error_t err = NULL;

  if (store_ref_parse_normalized (in, &ref, &err) != 0)
    fail_msg ("`%s` refused: %s", in, err->msg);
  char *fam = store_ref_familiar_name (&ref), *full = store_ref_string (&ref);
  assert_str_or_null (fam, c->familiar, "familiar name", in);
  assert_str_or_null (full, c->full, "full name", in);
  assert_str_or_null (ref.domain, c->domain, "domain", in);
  assert_str_or_null (ref.path, c->path, "path", in);
  free (fam);
  free (full);
  store_ref_clear (&ref);
}

static void
test_repository_info (void **state)
{
  static const struct repo_case cases[] = {
    { "fooo", "localhost/fooo", "localhost/fooo", NULL, "localhost" },
    { "fooo/bar", "localhost/fooo/bar", "localhost/fooo/bar", NULL, "localhost" },
    { "fooo", "LOCALDOMAIN/fooo", "LOCALDOMAIN/fooo", NULL, "LOCALDOMAIN" },
    { "fooo/bar", "LOCALDOMAIN/fooo/bar", "LOCALDOMAIN/fooo/bar", NULL, "LOCALDOMAIN" },
    { "fooo/bar", "fooo/bar", "docker.io/fooo/bar", "index.docker.io/fooo/bar", "docker.io" },
    { "library/ubuntu", "ubuntu", "docker.io/library/ubuntu", "library/ubuntu", "docker.io" },
    { "nonlibrary/ubuntu", "nonlibrary/ubuntu", "docker.io/nonlibrary/ubuntu", NULL, "docker.io" },
    { "other/library", "other/library", "docker.io/other/library", NULL, "docker.io" },
    { "private/moonbase", "127.0.0.1:8000/private/moonbase", "127.0.0.1:8000/private/moonbase",
      NULL, "127.0.0.1:8000" },
    { "privatebase", "127.0.0.1:8000/privatebase", "127.0.0.1:8000/privatebase", NULL,
      "127.0.0.1:8000" },
    { "private/moonbase", "example.com/private/moonbase", "example.com/private/moonbase", NULL,
      "example.com" },
    { "privatebase", "example.com/privatebase", "example.com/privatebase", NULL, "example.com" },
    { "private/moonbase", "example.com:8000/private/moonbase", "example.com:8000/private/moonbase",
      NULL, "example.com:8000" },
    { "privatebasee", "example.com:8000/privatebasee", "example.com:8000/privatebasee", NULL,
      "example.com:8000" },
    { "library/ubuntu-12.04-base", "ubuntu-12.04-base", "docker.io/library/ubuntu-12.04-base",
      "index.docker.io/library/ubuntu-12.04-base", "docker.io" },
    { "library/foo", "foo", "docker.io/library/foo", "docker.io/foo", "docker.io" },
    { "library/foo/bar", "library/foo/bar", "docker.io/library/foo/bar", NULL, "docker.io" },
    { "store/foo/bar", "store/foo/bar", "docker.io/store/foo/bar", NULL, "docker.io" },
    { "bar", "Foo/bar", "Foo/bar", NULL, "Foo" },
    { "bar", "FOO/bar", "FOO/bar", NULL, "FOO" },
  };

  (void) state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      check_repo_spelling (&cases[i], cases[i].familiar);
      check_repo_spelling (&cases[i], cases[i].full);
      if (cases[i].ambiguous)
        check_repo_spelling (&cases[i], cases[i].ambiguous);
    }
}

/* Normalised domain and path of familiar input.  */
static void
test_split_domain (void **state)
{
  static const char *const cases[][3] = {
    { "test.com/foo", "test.com", "foo" },
    { "test_com/foo", "docker.io", "test_com/foo" },
    { "docker/migrator", "docker.io", "docker/migrator" },
    { "test.com:8080/foo", "test.com:8080", "foo" },
    { "test-com:8080/foo", "test-com:8080", "foo" },
    { "foo", "docker.io", "library/foo" },
    { "xn--n3h.com/foo", "xn--n3h.com", "foo" },
    { "xn--n3h.com:18080/foo", "xn--n3h.com:18080", "foo" },
    { "docker.io/foo", "docker.io", "library/foo" },
    { "docker.io/library/foo", "docker.io", "library/foo" },
    { "docker.io/library/foo/bar", "docker.io", "library/foo/bar" },
    { "localhost:5000/x", "localhost:5000", "x" },
    { "index.docker.io/user/img", "docker.io", "user/img" },
  };
  struct store_ref ref;
  berth_error_t err = NULL;

  (void) state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      if (store_ref_parse_normalized (cases[i][0], &ref, &err) != 0)
        fail_msg ("`%s` refused: %s", cases[i][0], err->msg);
      assert_str_or_null (ref.domain, cases[i][1], "domain", cases[i][0]);
      assert_str_or_null (ref.path, cases[i][2], "path", cases[i][0]);
      assert_null (ref.tag);
      store_ref_clear (&ref);
    }
}

/* Full and familiar strings of normalised references, with and without
   the default tag.  */
static void
test_familiar (void **state)
{
  static const char *const cases[][4] = {
    /* input, full, full with TagNameOnly, familiar with TagNameOnly */
    { "busybox", "docker.io/library/busybox", "docker.io/library/busybox:latest",
      "busybox:latest" },
    { "user/img", "docker.io/user/img", "docker.io/user/img:latest", "user/img:latest" },
    { "localhost:5000/x", "localhost:5000/x", "localhost:5000/x:latest",
      "localhost:5000/x:latest" },
    { "docker.io/library/busybox:latest", "docker.io/library/busybox:latest",
      "docker.io/library/busybox:latest", "busybox:latest" },
    { "example.com/a/b:tag@sha256:" HEX_F, "example.com/a/b:tag@sha256:" HEX_F,
      "example.com/a/b:tag@sha256:" HEX_F, "example.com/a/b:tag@sha256:" HEX_F },
    { "busybox:latest@sha256:" HEX_A, "docker.io/library/busybox:latest@sha256:" HEX_A,
      "docker.io/library/busybox:latest@sha256:" HEX_A, "busybox:latest@sha256:" HEX_A },
    { "busybox@sha256:" HEX_A, "docker.io/library/busybox@sha256:" HEX_A,
      "docker.io/library/busybox@sha256:" HEX_A, "busybox@sha256:" HEX_A },
    { "library/foo/bar", "docker.io/library/foo/bar", "docker.io/library/foo/bar:latest",
      "library/foo/bar:latest" },
    { "docker.io/library", "docker.io/library/library", "docker.io/library/library:latest",
      "library:latest" },
  };
  struct store_ref ref;
  berth_error_t err = NULL;

  (void) state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      if (store_ref_parse_normalized (cases[i][0], &ref, &err) != 0)
        fail_msg ("`%s` refused: %s", cases[i][0], err->msg);
      char *s = store_ref_string (&ref);
      assert_str_or_null (s, cases[i][1], "string", cases[i][0]);
      free (s);
      store_ref_tag_name_only (&ref);
      s = store_ref_string (&ref);
      assert_str_or_null (s, cases[i][2], "tagged string", cases[i][0]);
      free (s);
      s = store_ref_familiar (&ref);
      assert_str_or_null (s, cases[i][3], "familiar", cases[i][0]);
      free (s);
      store_ref_clear (&ref);
    }
}

static void
test_parse_any (void **state)
{
  static const char *const cases[][2] = {
    { "redis", "docker.io/library/redis" },
    { "redis:latest", "docker.io/library/redis:latest" },
    { "docker.io/library/redis:latest", "docker.io/library/redis:latest" },
    { "redis@sha256:" HEX_A, "docker.io/library/redis@sha256:" HEX_A },
    { "docker.io/library/redis@sha256:" HEX_A, "docker.io/library/redis@sha256:" HEX_A },
    { "dmcgowan/myapp", "docker.io/dmcgowan/myapp" },
    { "dmcgowan/myapp:latest", "docker.io/dmcgowan/myapp:latest" },
    { "docker.io/mcgowan/myapp:latest", "docker.io/mcgowan/myapp:latest" },
    { "dmcgowan/myapp@sha256:" HEX_A, "docker.io/dmcgowan/myapp@sha256:" HEX_A },
    { "docker.io/dmcgowan/myapp@sha256:" HEX_A, "docker.io/dmcgowan/myapp@sha256:" HEX_A },
    { HEX_A, "sha256:" HEX_A },
    { "sha256:" HEX_A, "sha256:" HEX_A },
    /* 63 hex: a name */
    { "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9",
      "docker.io/library/dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9" },
    { "dbcc1", "docker.io/library/dbcc1" },
  };
  struct store_ref ref;
  berth_error_t err = NULL;

  (void) state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      if (store_ref_parse_any (cases[i][0], &ref, &err) != 0)
        fail_msg ("`%s` refused: %s", cases[i][0], err->msg);
      char *s = store_ref_string (&ref), *f = store_ref_familiar (&ref);
      assert_str_or_null (s, cases[i][1], "string", cases[i][0]);
      if (strncmp (cases[i][1], "sha256:", 7) == 0)
        {
          /* An image ID: no name, and its familiar form is itself.  */
          assert_null (ref.path);
          assert_null (ref.domain);
          assert_str_or_null (f, cases[i][1], "familiar", cases[i][0]);
          assert_false (store_ref_is_name_only (&ref));
          store_ref_tag_name_only (&ref);
          assert_null (ref.tag);
        }
      free (s);
      free (f);
      store_ref_clear (&ref);
    }
  assert_true (store_ref_is_identifier (HEX_A));
  assert_false (store_ref_is_identifier ("sha256:" HEX_A));
  assert_false (
      store_ref_is_identifier ("DBCC1C35AC38DF41FD2F5E4130B32FFDB93EBAE8B3DBE638C23575912276FC9C"));
}

static void
test_parse_docker (void **state)
{
  static const char *const cases[][2] = {
    { "busybox", "docker.io/library/busybox:latest" },
    { "busybox:latest", "docker.io/library/busybox:latest" },
    { "busybox@sha256:" HEX_B, "docker.io/library/busybox@sha256:" HEX_B },
    { "library/busybox", "docker.io/library/busybox:latest" },
    { "docker.io/busybox", "docker.io/library/busybox:latest" },
    { "docker.io/library/busybox", "docker.io/library/busybox:latest" },
    { "docker.io/busybox:latest", "docker.io/library/busybox:latest" },
    { "library/busybox:latest", "docker.io/library/busybox:latest" },
    { "docker.io/library/busybox:latest", "docker.io/library/busybox:latest" },
    { "gcr.io/library/busybox", "gcr.io/library/busybox:latest" },
    { "gcr.io/library/busybox:latest@sha256:" HEX_B, "gcr.io/library/busybox@sha256:" HEX_B },
  };
  struct store_ref ref, again;
  berth_error_t err = NULL;

  (void) state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      if (store_ref_parse_docker (cases[i][0], &ref, &err) != 0)
        fail_msg ("`%s` refused: %s", cases[i][0], err->msg);
      char *s = store_ref_string (&ref);
      assert_str_or_null (s, cases[i][1], "string", cases[i][0]);
      /* The output is itself a valid reference.  */
      assert_int_equal (store_ref_parse (s, &again, &err), 0);
      store_ref_clear (&again);
      free (s);
      store_ref_clear (&ref);
    }
}

/* Go's exact messages for the normalising parser.  */
static void
test_normalized_errors (void **state)
{
  static const char *const cases[][2] = {
    { HEX_A, "invalid repository name (" HEX_A "), cannot specify 64-byte hexadecimal strings" },
    { "Busybox", "invalid reference format: repository name (library/Busybox) must be lowercase" },
    { "docker/Docker:Tag",
      "invalid reference format: repository name (docker/Docker) must be lowercase" },
    { "localhost:5000/Foo:tag",
      "invalid reference format: repository name (Foo) must be lowercase" },
    { "a/b@SHA256:" HEX_A,
      "invalid reference format: repository name (a/b@SHA256) must be lowercase" },
    { "Foo_bar/x", E_UPPER },
    { "busybox:-tag", E_FORMAT },
    { "busybox@sha256:abc", E_FORMAT },
    { "busybox@sha256:" HEX_A "00", E_DLEN },
    { "busybox@md5:" HEX_A, E_DALG },
    { "", E_FORMAT },
    { "busybox$", E_FORMAT },
    /* invalid UTF-8 changes under Go's strings.ToLower (U+FFFD) */
    { "busy\xff",
      "invalid reference format: repository name (library/busy\xff) must be lowercase" },
    /* lower-case non-ASCII does not */
    { "caf\xc3\xa9", E_FORMAT },
  };
  struct store_ref ref;
  berth_error_t err = NULL;
  char *long_name = repeat ("a", 248, "");

  (void) state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    expect_error (store_ref_parse_normalized (cases[i][0], &ref, &err), &err, &ref, cases[i][1],
                  cases[i][0]);
  /* "library/" counts toward the 255: 8 + 248 = 256.  */
  expect_error (store_ref_parse_normalized (long_name, &ref, &err), &err, &ref, E_LONG, long_name);
  long_name[247] = '\0';
  assert_int_equal (store_ref_parse_normalized (long_name, &ref, &err), 0);
  store_ref_clear (&ref);
  free (long_name);
}

/* Go lower-cases with Unicode's simple mapping: the Kelvin sign becomes
   'k'.  Only testable where the C.UTF-8 locale exists.  */
static void
test_unicode_lowercase (void **state)
{
  locale_t loc = newlocale (LC_CTYPE_MASK, "C.UTF-8", (locale_t) 0);
  struct store_ref ref;
  berth_error_t err = NULL;

  (void) state;
  if (loc == (locale_t) 0)
    skip ();
  freelocale (loc);
  expect_error (store_ref_parse_normalized ("\xe2\x84\xaa", &ref, &err), &err, &ref,
                "invalid reference format: repository name (library/\xe2\x84\xaa) must be "
                "lowercase",
                "kelvin");
  /* In a tag the remote check passes; Parse then finds that the lower-cased
     string would match.  */
  expect_error (store_ref_parse ("a:\xe2\x84\xaa", &ref, &err), &err, &ref, E_UPPER, "kelvin tag");
}

static void
test_set_tag (void **state)
{
  struct store_ref ref;
  berth_error_t err = NULL;
  char *s, *t128 = repeat ("x", 128, ""), *t129 = repeat ("x", 129, "");

  (void) state;
  assert_int_equal (store_ref_parse_normalized ("test.com:8000/foo", &ref, &err), 0);
  assert_true (store_ref_is_name_only (&ref));
  assert_int_equal (store_ref_set_tag (&ref, "TAG5", &err), 0);
  assert_false (store_ref_is_name_only (&ref));
  s = store_ref_string (&ref);
  assert_string_equal (s, "test.com:8000/foo:TAG5");
  free (s);
  assert_int_equal (store_ref_set_tag (&ref, "_x.y-z", &err), 0);
  assert_int_equal (store_ref_set_tag (&ref, t128, &err), 0);
  static const char *const bad[] = { "-foo", ".foo", "", "a/b", "a:b", "a@b", "t\xc3\xa9" };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      assert_int_equal (store_ref_set_tag (&ref, bad[i], &err), -EINVAL);
      assert_string_equal (err->msg, "invalid tag format");
      berth_error_release (&err);
    }
  assert_int_equal (store_ref_set_tag (&ref, t129, &err), -EINVAL);
  berth_error_release (&err);
  assert_string_equal (ref.tag, t128);
  store_ref_clear (&ref);
  free (t128);
  free (t129);

  /* TagNameOnly leaves a digested reference alone.  */
  assert_int_equal (store_ref_parse_normalized ("foo@sha256:" HEX_F, &ref, &err), 0);
  store_ref_tag_name_only (&ref);
  assert_null (ref.tag);
  s = store_ref_name (&ref);
  assert_string_equal (s, "docker.io/library/foo");
  free (s);
  s = store_ref_familiar_name (&ref);
  assert_string_equal (s, "foo");
  free (s);
  store_ref_clear (&ref);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_parse_table),
    cmocka_unit_test (test_parse_lengths),
    cmocka_unit_test (test_normalized_valid_invalid),
    cmocka_unit_test (test_repository_info),
    cmocka_unit_test (test_split_domain),
    cmocka_unit_test (test_familiar),
    cmocka_unit_test (test_parse_any),
    cmocka_unit_test (test_parse_docker),
    cmocka_unit_test (test_normalized_errors),
    cmocka_unit_test (test_unicode_lowercase),
    cmocka_unit_test (test_set_tag),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
