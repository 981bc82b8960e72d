/* Unit tests: src/base/digest.c (sha256, digest validation).  */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/base.h"
#include "base/digest.h"

/* FIPS 180-2 test vectors.  */
#define SHA_EMPTY "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SHA_ABC "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define SHA_MILLION_A "sha256:cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
#define SHA_448BIT "sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"

static void
test_buffer_vectors (void **state)
{
  char out[DIGEST_SHA256_STRLEN];
  const char *msg = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

  (void) state;
  digest_buffer ("", 0, out);
  assert_string_equal (out, SHA_EMPTY);
  digest_buffer ("abc", 3, out);
  assert_string_equal (out, SHA_ABC);
  digest_buffer (msg, strlen (msg), out);
  assert_string_equal (out, SHA_448BIT);
  assert_int_equal (strlen (out), DIGEST_SHA256_STRLEN - 1);
}

/* Fed in uneven pieces, the digester gives what one call gives.  */
static void
test_incremental (void **state)
{
  char one[DIGEST_SHA256_STRLEN], inc[DIGEST_SHA256_STRLEN];
  size_t len = 1000000, off = 0, step = 1;
  char *buf = malloc (len);
  struct digester *d = digester_new ();

  (void) state;
  memset (buf, 'a', len);
  while (off < len)
    {
      size_t n = step < len - off ? step : len - off;
      digester_update (d, buf + off, n);
      off += n;
      step = step * 3 + 1;
    }
  digester_finish (d, inc);
  digest_buffer (buf, len, one);
  assert_string_equal (inc, SHA_MILLION_A);
  assert_string_equal (one, SHA_MILLION_A);
  free (buf);

  /* A digester dropped unfinished is freed without a leak.  */
  d = digester_new ();
  digester_update (d, "x", 1);
  digester_free (d);
  digester_free (NULL);
}

/* digest_fd reads the rest of the fd in chunks: the result and the size
   match the buffer's, across chunk boundaries, from the current offset.  */
static void
test_fd (void **state)
{
  char a[DIGEST_SHA256_STRLEN], b[DIGEST_SHA256_STRLEN];
  size_t sizes[] = { 0, 1, 65535, 65536, 65537, 200001 };
  berth_error_t err = NULL;

  (void) state;
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
    {
      size_t len = sizes[i];
      char *buf = malloc (len + 1);
      uint64_t size = 12345;
      int fd = memfd_create ("digest", MFD_CLOEXEC);

      for (size_t j = 0; j < len; j++)
        buf[j] = (char) (j * 7 + j / 251);
      assert_true (fd >= 0);
      assert_int_equal (fs_write_all (fd, buf, len), 0);
      assert_int_equal (lseek (fd, 0, SEEK_SET), 0);
      assert_int_equal (digest_fd (fd, a, &size, &err), 0);
      assert_null (err);
      digest_buffer (buf, len, b);
      assert_string_equal (a, b);
      assert_int_equal (size, len);

      /* From an offset: only what is left counts.  */
      if (len > 1)
        {
          assert_int_equal (lseek (fd, 1, SEEK_SET), 1);
          assert_int_equal (digest_fd (fd, a, NULL, &err), 0);
          digest_buffer (buf + 1, len - 1, b);
          assert_string_equal (a, b);
        }
      close (fd);
      free (buf);
    }
}

static void
test_fd_error (void **state)
{
  char out[DIGEST_SHA256_STRLEN];
  berth_error_t err = NULL;
  int fds[2];

  (void) state;
  assert_int_equal (pipe2 (fds, O_CLOEXEC), 0);
  /* The write end cannot be read.  */
  assert_true (digest_fd (fds[1], out, NULL, &err) < 0);
  assert_non_null (err);
  assert_int_equal (err->status, EBADF);
  berth_error_release (&err);
  close (fds[0]);
  close (fds[1]);
}

static void
test_validate_valid (void **state)
{
  static const char *const ok[] = {
    SHA_EMPTY,
    /* sha512 of "abc" */
    "sha512:ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
    "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
    "blake3:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b",
    /* Unregistered algorithms pass on the grammar (descriptor.md).  */
    "multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8",
    "sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564",
    "a.b_c-d:x=",
    "md5:0",
  };
  berth_error_t err = NULL;

  (void) state;
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
    {
      if (digest_validate (ok[i], &err) != 0)
        fail_msg ("`%s` refused: %s", ok[i], err->msg);
      assert_null (err);
    }
}

static void
test_validate_invalid (void **state)
{
  static const char *const bad[] = {
    "",
    "sha256",
    "sha256:",
    ":e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    /* upper-case hex is forbidden for sha256 */
    "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
    /* 63 and 65 hex */
    "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",
    "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555",
    "sha256:g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "sha512:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "SHA256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "sha256:../../../etc/passwd",
    "+sha:abc",
    "sha+:abc",
    "sh..a:abc",
    "sha:ab/c",
    "sha:ab:c",
    "sha:a b",
    "md5:",
  };
  berth_error_t err = NULL;

  (void) state;
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      char *want = xasprintf ("invalid digest `%s`", bad[i]);
      if (digest_validate (bad[i], &err) != -EINVAL)
        fail_msg ("`%s` accepted", bad[i]);
      assert_int_equal (err->status, EINVAL);
      assert_string_equal (err->msg, want);
      berth_error_release (&err);
      free (want);
    }
  assert_int_equal (digest_validate (NULL, &err), -EINVAL);
  berth_error_release (&err);
  /* No error object asked for: the status alone.  */
  assert_int_equal (digest_validate ("x", NULL), -EINVAL);
}

static void
test_hex (void **state)
{
  (void) state;
  assert_string_equal (digest_hex (SHA_ABC),
                       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  assert_string_equal (digest_hex ("abc"), "abc");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_buffer_vectors),
    cmocka_unit_test (test_incremental),
    cmocka_unit_test (test_fd),
    cmocka_unit_test (test_fd_error),
    cmocka_unit_test (test_validate_valid),
    cmocka_unit_test (test_validate_invalid),
    cmocka_unit_test (test_hex),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
