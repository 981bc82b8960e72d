/* Unit tests: src/engine/spec*.c (a container's OCI spec as dockerd builds
   it), round-tripped through oci_config_parse; one test runs the result
   with build/berth-runtime on a busybox bundle when root.  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/base.h"
#include "engine/spec.h"
#include "oci/image-spec.h"
#include "oci/runtime-spec.h"

#ifdef linux
#undef linux
#endif

/* A fixed host: cgroup v2, amd64, kernel 6.1, all capabilities known.  */
static struct engine_spec *
gen_full (const char *body, const struct oci_image_exec_config *img, bool v2, berth_error_t *err)
{
  struct engine_spec_params p = { 0 };
  struct engine_create_request *r = engine_create_request_parse (body, strlen (body), err);
  struct engine_spec *s;
  if (r == NULL)
    return NULL;
  engine_host_config_adapt (&r->host);
  p.id = "0123456789ab";
  p.rootfs = "/var/lib/berth/containers/0123456789ab/rootfs";
  p.image = img;
  p.create = r;
  p.cgroup_v2 = v2;
  p.goarch = "amd64";
  p.kernel_release = "6.1.0-18-amd64";
  p.hosts_path = "/var/lib/berth/containers/0123456789ab/hosts";
  p.hostname_path = "/var/lib/berth/containers/0123456789ab/hostname";
  p.resolv_conf_path = "/var/lib/berth/containers/0123456789ab/resolv.conf";
  p.init_path = "/usr/libexec/berth/docker-init";
  s = engine_spec_generate (&p, err);
  engine_create_request_free (r);
  return s;
}

static struct engine_spec *
gen (const char *body)
{
  berth_error_t err = NULL;
  struct engine_spec *s = gen_full (body, NULL, true, &err);
  if (s == NULL)
    fail_msg ("%s: %s", body, err->msg);
  return s;
}

static void
expect_error (const char *body, const char *msg)
{
  berth_error_t err = NULL;
  struct engine_spec *s = gen_full (body, NULL, true, &err);
  assert_null (s);
  assert_non_null (err);
  assert_int_equal (err->status, EINVAL);
  assert_string_equal (err->msg, msg);
  berth_error_release (&err);
}

/* "process.args", "linux.resources.cpu.quota", "mounts[3].options" */
static json_object *
jget (json_object *o, const char *path)
{
  char buf[256];
  snprintf (buf, sizeof buf, "%s", path);
  for (char *save = NULL, *t = strtok_r (buf, ".", &save); o && t; t = strtok_r (NULL, ".", &save))
    {
      char *br = strchr (t, '[');
      if (br)
        *br = '\0';
      if (!json_object_object_get_ex (o, t, &o))
        return NULL;
      if (br)
        o = json_object_array_get_idx (o, (size_t) atoi (br + 1));
    }
  return o;
}

static const char *
jstr (json_object *doc, const char *path)
{
  json_object *o = jget (doc, path);
  return o ? json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN
                                                    | JSON_C_TO_STRING_NOSLASHESCAPE)
           : "(absent)";
}

static json_object *
mount_at (json_object *doc, const char *dest)
{
  json_object *m = jget (doc, "mounts"), *d;
  for (size_t i = 0; m && i < json_object_array_length (m); i++)
    {
      json_object *e = json_object_array_get_idx (m, i);
      if (json_object_object_get_ex (e, "destination", &d)
          && strcmp (json_object_get_string (d), dest) == 0)
        return e;
    }
  return NULL;
}

static const char *
mount_str (json_object *doc, const char *dest)
{
  json_object *m = mount_at (doc, dest);
  return m ? json_object_to_json_string_ext (m, JSON_C_TO_STRING_PLAIN
                                                    | JSON_C_TO_STRING_NOSLASHESCAPE)
           : "(absent)";
}

static bool
array_has (json_object *a, const char *s)
{
  for (size_t i = 0; a && i < json_object_array_length (a); i++)
    if (strcmp (json_object_get_string (json_object_array_get_idx (a, i)), s) == 0)
      return true;
  return false;
}

/* The names allowed by the converted seccomp rules without conditions.  */
static bool
seccomp_allows (json_object *doc, const char *name, bool with_args)
{
  json_object *calls = jget (doc, "linux.seccomp.syscalls");
  for (size_t i = 0; calls && i < json_object_array_length (calls); i++)
    {
      json_object *c = json_object_array_get_idx (calls, i);
      bool args = jget (c, "args") != NULL;
      if (strcmp (jstr (c, "action"), "\"SCMP_ACT_ALLOW\"") == 0 && args == with_args
          && array_has (jget (c, "names"), name))
        return true;
    }
  return false;
}

static void
roundtrip (const struct engine_spec *s)
{
  berth_error_t err = NULL;
  char *text = engine_spec_to_json (s);
  struct oci_config *c = oci_config_parse (text, strlen (text), "generated", &err);
  if (c == NULL)
    fail_msg ("oci_config_parse: %s", err->msg);
  assert_non_null (c->process);
  assert_non_null (c->linux);
  oci_config_free (c);
  free (text);
}

#define DEFAULT_CAPS                                                                               \
  "[\"CAP_CHOWN\",\"CAP_DAC_OVERRIDE\",\"CAP_FSETID\",\"CAP_FOWNER\",\"CAP_MKNOD\","               \
  "\"CAP_NET_RAW\",\"CAP_SETGID\",\"CAP_SETUID\",\"CAP_SETFCAP\",\"CAP_SETPCAP\","                 \
  "\"CAP_NET_BIND_SERVICE\",\"CAP_SYS_CHROOT\",\"CAP_KILL\",\"CAP_AUDIT_WRITE\"]"

static void
test_default_spec (void **state)
{
  berth_error_t err = NULL;
  char *env[] = { "PATH=/usr/bin:/bin", "IMGVAR=1", NULL };
  char *cmd[] = { "sh", NULL };
  struct oci_image_exec_config img = { .env = env, .cmd = cmd };
  struct engine_spec *s
      = gen_full ("{\"Image\":\"busybox\",\"Hostname\":\"0123456789ab\"}", &img, true, &err);
  json_object *d;
  (void) state;
  assert_non_null (s);
  d = s->doc;
  assert_string_equal (jstr (d, "ociVersion"), "\"1.2.0\"");
  assert_string_equal (jstr (d, "process.args"), "[\"sh\"]");
  assert_string_equal (jstr (d, "process.env"),
                       "[\"PATH=/usr/bin:/bin\",\"HOSTNAME=0123456789ab\",\"IMGVAR=1\"]");
  assert_string_equal (jstr (d, "process.cwd"), "\"/\"");
  assert_string_equal (jstr (d, "process.terminal"), "false");
  assert_string_equal (jstr (d, "process.user"), "{\"uid\":0,\"gid\":0}");
  assert_string_equal (jstr (d, "process.capabilities"),
                       "{\"bounding\":" DEFAULT_CAPS ",\"effective\":" DEFAULT_CAPS
                       ",\"permitted\":" DEFAULT_CAPS "}");
  assert_string_equal (jstr (d, "process.oomScoreAdj"), "0");
  assert_null (s->user);
  assert_false (s->needs_user);
  assert_string_equal (jstr (d, "root"),
                       "{\"path\":\"/var/lib/berth/containers/0123456789ab/rootfs\"}");
  assert_string_equal (jstr (d, "hostname"), "\"0123456789ab\"");
  /* oci/defaults.go's mounts in order, /dev/shm sized by ShmSize, then the
     /etc files.  */
  assert_string_equal (jstr (d, "mounts[0]"),
                       "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\","
                       "\"options\":[\"nosuid\",\"noexec\",\"nodev\"]}");
  assert_string_equal (jstr (d, "mounts[1].destination"), "\"/dev\"");
  assert_string_equal (jstr (d, "mounts[2].destination"), "\"/dev/pts\"");
  assert_string_equal (jstr (d, "mounts[3]"),
                       "{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\","
                       "\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"ro\"]}");
  assert_string_equal (jstr (d, "mounts[4].destination"), "\"/sys/fs/cgroup\"");
  assert_string_equal (jstr (d, "mounts[5].destination"), "\"/dev/mqueue\"");
  assert_string_equal (jstr (d, "mounts[6]"),
                       "{\"destination\":\"/dev/shm\",\"type\":\"tmpfs\",\"source\":\"shm\","
                       "\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"mode=1777\","
                       "\"size=67108864\"]}");
  assert_string_equal (jstr (d, "mounts[7]"),
                       "{\"destination\":\"/etc/resolv.conf\",\"type\":\"bind\",\"source\":"
                       "\"/var/lib/berth/containers/0123456789ab/resolv.conf\",\"options\":"
                       "[\"rbind\",\"rprivate\"]}");
  assert_string_equal (jstr (d, "mounts[8].destination"), "\"/etc/hostname\"");
  assert_string_equal (jstr (d, "mounts[9].destination"), "\"/etc/hosts\"");
  assert_null (jget (d, "mounts[10]"));
  assert_string_equal (jstr (d, "linux.namespaces"),
                       "[{\"type\":\"mount\"},{\"type\":\"network\"},{\"type\":\"uts\"},"
                       "{\"type\":\"pid\"},{\"type\":\"ipc\"},{\"type\":\"cgroup\"}]");
  assert_string_equal (jstr (d, "linux.cgroupsPath"), "\"/berth/0123456789ab\"");
  assert_string_equal (jstr (d, "linux.resources.devices"),
                       "[{\"allow\":false,\"access\":\"rwm\"},"
                       "{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":5,\"access\":\"rwm\"},"
                       "{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"rwm\"},"
                       "{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":9,\"access\":\"rwm\"},"
                       "{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":8,\"access\":\"rwm\"},"
                       "{\"allow\":true,\"type\":\"c\",\"major\":5,\"minor\":0,\"access\":\"rwm\"},"
                       "{\"allow\":true,\"type\":\"c\",\"major\":5,\"minor\":1,\"access\":\"rwm\"},"
                       "{\"allow\":false,\"type\":\"c\",\"major\":10,\"minor\":229,"
                       "\"access\":\"rwm\"}]");
  assert_string_equal (jstr (d, "linux.maskedPaths"),
                       "[\"/proc/asound\",\"/proc/acpi\",\"/proc/kcore\",\"/proc/keys\","
                       "\"/proc/latency_stats\",\"/proc/timer_list\",\"/proc/timer_stats\","
                       "\"/proc/sched_debug\",\"/proc/scsi\",\"/sys/firmware\","
                       "\"/sys/devices/virtual/powercap\"]");
  assert_string_equal (jstr (d, "linux.readonlyPaths"),
                       "[\"/proc/bus\",\"/proc/fs\",\"/proc/irq\",\"/proc/sys\","
                       "\"/proc/sysrq-trigger\"]");
  assert_string_equal (jstr (d, "linux.seccomp.defaultAction"), "\"SCMP_ACT_ERRNO\"");
  assert_string_equal (jstr (d, "linux.seccomp.defaultErrnoRet"), "1");
  assert_string_equal (jstr (d, "linux.seccomp.architectures"),
                       "[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"]");
  roundtrip (s);
  engine_spec_free (s);

  /* cgroup v1 hosts keep the host's cgroup namespace (dockerd's default).  */
  s = gen_full ("{\"Cmd\":[\"true\"]}", NULL, false, &err);
  assert_non_null (s);
  assert_false (strstr (jstr (s->doc, "linux.namespaces"), "cgroup"));
  engine_spec_free (s);
}

/* Entrypoint and Cmd (daemon/create.go merge, getEntrypointAndArgs).  */
static void
test_entrypoint_cmd (void **state)
{
  char *img_ep[] = { "/entry", NULL };
  char *img_cmd[] = { "a", NULL };
  struct oci_image_exec_config with_ep = { .entrypoint = img_ep, .cmd = img_cmd };
  struct oci_image_exec_config cmd_only = { .cmd = img_cmd };
  struct
  {
    const struct oci_image_exec_config *img;
    const char *body, *args;
  } cases[] = {
    { &cmd_only, "{}", "[\"a\"]" },
    { &cmd_only, "{\"Cmd\":[\"echo\",\"hi\"]}", "[\"echo\",\"hi\"]" },
    { &cmd_only, "{\"Cmd\":\"echo hi\"}", "[\"echo hi\"]" },
    { &with_ep, "{}", "[\"/entry\",\"a\"]" },
    { &with_ep, "{\"Cmd\":[\"b\"]}", "[\"/entry\",\"b\"]" },
    { &with_ep, "{\"Entrypoint\":[\"/x\"]}", "[\"/x\"]" },
    { &with_ep, "{\"Entrypoint\":[\"/x\"],\"Cmd\":[\"y\"]}", "[\"/x\",\"y\"]" },
    { &with_ep, "{\"Entrypoint\":null,\"Cmd\":[]}", "[\"/entry\",\"a\"]" },
    { &with_ep, "{\"Entrypoint\":[]}", "[\"a\"]" },
    { &with_ep, "{\"Entrypoint\":[\"\"],\"Cmd\":[\"b\"]}", "[\"b\"]" },
    { &with_ep, "{\"Entrypoint\":\"\"}", "[\"a\"]" },
    { NULL, "{\"Entrypoint\":[\"/x\",\"-v\"],\"Cmd\":[\"y\"]}", "[\"/x\",\"-v\",\"y\"]" },
    { &with_ep, "{\"HostConfig\":{\"Init\":true}}",
      "[\"/sbin/docker-init\",\"--\",\"/entry\",\"a\"]" },
  };
  berth_error_t err = NULL;
  (void) state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      struct engine_spec *s = gen_full (cases[i].body, cases[i].img, true, &err);
      if (s == NULL)
        fail_msg ("case %zu: %s", i, err->msg);
      if (strcmp (jstr (s->doc, "process.args"), cases[i].args) != 0)
        fail_msg ("case %zu %s: got %s, expected %s", i, cases[i].body,
                  jstr (s->doc, "process.args"), cases[i].args);
      engine_spec_free (s);
    }
  {
    struct engine_spec *s = gen ("{\"Cmd\":[\"x\"],\"HostConfig\":{\"Init\":true}}");
    assert_string_equal (mount_str (s->doc, "/sbin/docker-init"),
                         "{\"destination\":\"/sbin/docker-init\",\"type\":\"bind\",\"source\":"
                         "\"/usr/libexec/berth/docker-init\",\"options\":[\"bind\",\"ro\"]}");
    engine_spec_free (s);
  }
  expect_error ("{}", "No command specified");
  expect_error ("{\"Entrypoint\":[\"\"]}", "No command specified");
  expect_error ("{\"Cmd\":[\"x\"],\"WorkingDir\":\"rel\"}",
                "the working directory 'rel' is invalid, it needs to be an absolute path");
}

static void
test_env_user_cwd (void **state)
{
  char *env[] = { "PATH=/img", "A=img", "B=img", NULL };
  char *cmd[] = { "sh", NULL };
  struct oci_image_exec_config img
      = { .env = env, .cmd = cmd, .user = "1000", .working_dir = "/w" };
  berth_error_t err = NULL;
  struct engine_spec *s = gen_full (
      "{\"Hostname\":\"h\",\"Tty\":true,\"Env\":[\"A=user\",\"HOSTNAME\",\"C=3\",\"C=4\"]}", &img,
      true, &err);
  (void) state;
  assert_non_null (s);
  /* The user's A wins, HOSTNAME (no "=") is unset, duplicates append.  */
  assert_string_equal (jstr (s->doc, "process.env"),
                       "[\"PATH=/img\",\"TERM=xterm\",\"A=user\",\"C=3\",\"C=4\",\"B=img\"]");
  assert_string_equal (jstr (s->doc, "process.terminal"), "true");
  assert_string_equal (jstr (s->doc, "process.cwd"), "\"/w\"");
  /* A bare uid still needs /etc/passwd for its gid: left for the engine. */
  assert_string_equal (s->user, "1000");
  assert_true (s->needs_user);
  assert_string_equal (jstr (s->doc, "process.user"), "{\"uid\":1000,\"gid\":0}");
  assert_string_equal (jstr (s->doc, "process.capabilities"), "{\"bounding\":" DEFAULT_CAPS "}");
  engine_spec_set_user (s, 0, 0, NULL, 0);
  assert_non_null (jget (s->doc, "process.capabilities.effective"));
  engine_spec_free (s);

  s = gen (
      "{\"Cmd\":[\"x\"],\"User\":\"1000:1000\",\"HostConfig\":{\"GroupAdd\":[\"10\",\"audio\"]}}");
  assert_true (s->needs_user);
  assert_string_equal (s->group_add[1], "audio");
  assert_string_equal (jstr (s->doc, "process.user"),
                       "{\"uid\":1000,\"gid\":1000,\"additionalGids\":[10]}");
  engine_spec_free (s);
  s = gen ("{\"Cmd\":[\"x\"],\"User\":\"app:staff\"}");
  assert_string_equal (s->user, "app:staff");
  engine_spec_free (s);
}

static void
test_capabilities (void **state)
{
  berth_error_t err = NULL;
  struct engine_spec *s;
  char **caps;
  char *add_all[] = { "ALL", NULL }, *drop_sa[] = { "CAP_SYS_ADMIN", NULL };
  (void) state;
  s = gen ("{\"Cmd\":[\"x\"],\"HostConfig\":{\"CapAdd\":[\"net_admin\"],\"CapDrop\":[\"chown\","
           "\"Cap_Kill\"]}}");
  assert_string_equal (
      jstr (s->doc, "process.capabilities.bounding"),
      "[\"CAP_DAC_OVERRIDE\",\"CAP_FSETID\",\"CAP_FOWNER\",\"CAP_MKNOD\","
      "\"CAP_NET_RAW\",\"CAP_SETGID\",\"CAP_SETUID\",\"CAP_SETFCAP\",\"CAP_SETPCAP\","
      "\"CAP_NET_BIND_SERVICE\",\"CAP_SYS_CHROOT\",\"CAP_AUDIT_WRITE\","
      "\"CAP_NET_ADMIN\"]");
  engine_spec_free (s);
  s = gen ("{\"Cmd\":[\"x\"],\"HostConfig\":{\"CapDrop\":[\"ALL\"],\"CapAdd\":[\"kill\"]}}");
  assert_string_equal (jstr (s->doc, "process.capabilities.bounding"), "[\"CAP_KILL\"]");
  engine_spec_free (s);
  caps = engine_caps_tweak (add_all, drop_sa, false, 0, &err);
  assert_int_equal (strv_len (caps), 40);
  assert_false (strv_contains (caps, "CAP_SYS_ADMIN"));
  assert_string_equal (caps[39], "CAP_CHECKPOINT_RESTORE");
  strv_free (caps);
  /* An older kernel knows fewer capabilities.  */
  caps = engine_caps_tweak (add_all, NULL, false, 37, &err);
  assert_int_equal (strv_len (caps), 38);
  strv_free (caps);
  expect_error ("{\"Cmd\":[\"x\"],\"HostConfig\":{\"CapAdd\":[\"FOO\"]}}",
                "unknown capability: \"CAP_FOO\"");
  expect_error ("{\"Cmd\":[\"x\"],\"HostConfig\":{\"CapDrop\":[\"cap_bar\"]}}",
                "unknown capability: \"CAP_BAR\"");
}

static void
test_privileged (void **state)
{
  struct engine_spec *s
      = gen ("{\"Cmd\":[\"x\"],\"HostConfig\":{\"Privileged\":true,\"CapDrop\":[\"ALL\"]}}");
  (void) state;
  assert_int_equal (json_object_array_length (jget (s->doc, "process.capabilities.bounding")), 41);
  assert_null (jget (s->doc, "linux.seccomp"));
  assert_null (jget (s->doc, "linux.maskedPaths"));
  assert_null (jget (s->doc, "linux.readonlyPaths"));
  assert_string_equal (jstr (s->doc, "linux.resources.devices"),
                       "[{\"allow\":true,\"access\":\"rwm\"}]");
  assert_string_equal (jstr (s->doc, "mounts[3].options"), "[\"nosuid\",\"noexec\",\"nodev\"]");
  assert_string_equal (jstr (s->doc, "mounts[4].options"), "[\"nosuid\",\"noexec\",\"nodev\"]");
  assert_true (json_object_array_length (jget (s->doc, "linux.devices")) > 0);
  roundtrip (s);
  engine_spec_free (s);
}

static void
test_binds (void **state)
{
  struct engine_spec *s;
  (void) state;
  s = gen ("{\"Cmd\":[\"x\"],\"HostConfig\":{\"Binds\":[\"/x:/b/c\",\"/a:/b\",\"/r:/ro:ro\","
           "\"/s:/sh:shared,rw,z\"]}}");
  assert_string_equal (mount_str (s->doc, "/b"),
                       "{\"destination\":\"/b\",\"type\":\"bind\",\"source\":\"/a\","
                       "\"options\":[\"rbind\",\"rprivate\"]}");
  assert_string_equal (mount_str (s->doc, "/ro"),
                       "{\"destination\":\"/ro\",\"type\":\"bind\",\"source\":\"/r\","
                       "\"options\":[\"rbind\",\"ro\",\"rprivate\"]}");
  assert_string_equal (jstr (mount_at (s->doc, "/sh"), "options"), "[\"rbind\",\"shared\"]");
  assert_string_equal (jstr (s->doc, "linux.rootfsPropagation"), "\"shared\"");
  /* Parents before children.  */
  assert_true (mount_at (s->doc, "/b") < mount_at (s->doc, "/b/c")
               || strcmp (jstr (s->doc, "mounts[7].destination"), "\"/b\"") == 0);
  assert_string_equal (jstr (s->doc, "mounts[7].destination"), "\"/b\"");
  roundtrip (s);
  engine_spec_free (s);

  expect_error ("{\"Cmd\":[\"x\"],\"HostConfig\":{\"Binds\":[\"/a:/b:xyz\"]}}",
                "invalid mode: xyz");
  expect_error ("{\"Cmd\":[\"x\"],\"HostConfig\":{\"Binds\":[\"/a:/b:ro,rw\"]}}",
                "invalid mode: ro,rw");
  expect_error ("{\"Cmd\":[\"x\"],\"HostConfig\":{\"Binds\":[\"/a:ro\"]}}",
                "invalid volume specification: '/a:ro'");
  expect_error ("{\"Cmd\":[\"x\"],\"HostConfig\":{\"Binds\":[\":/b\"]}}",
                "invalid volume specification: ':/b'");
  expect_error ("{\"Cmd\":[\"x\"],\"HostConfig\":{\"Binds\":[\"/a:/b:ro:x\"]}}",
                "invalid volume specification: '/a:/b:ro:x'");
  expect_error ("{\"Cmd\":[\"x\"],\"HostConfig\":{\"Binds\":[\"/a:b\"]}}",
                "invalid mount config for type \"bind\": invalid mount path: 'b' mount path "
                "must be absolute");
  expect_error ("{\"Cmd\":[\"x\"],\"HostConfig\":{\"Binds\":[\"/a:/\"]}}",
                "invalid mount config for type \"bind\": invalid specification: destination "
                "can't be '/'");
  expect_error ("{\"Cmd\":[\"x\"],\"HostConfig\":{\"Binds\":[\"/a:/b\",\"/c:/b\"]}}",
                "Duplicate mount point: /b");
}

static void
test_tmpfs_and_readonly (void **state)
{
  struct engine_spec *s;
  (void) state;
  s = gen ("{\"Cmd\":[\"x\"],\"HostConfig\":{\"ReadonlyRootfs\":true,"
           "\"Tmpfs\":{\"/run\":\"size=1m,exec\",\"/tmp\":\"\"},"
           "\"Mounts\":[{\"Type\":\"tmpfs\",\"Target\":\"/m\",\"TmpfsOptions\":{\"SizeBytes\":"
           "2097152,\"Mode\":448}},{\"Type\":\"bind\",\"Source\":\"/h\",\"Target\":\"/bm\","
           "\"ReadOnly\":true,\"BindOptions\":{\"Propagation\":\"rslave\"}}]}}");
  assert_string_equal (jstr (mount_at (s->doc, "/run"), "options"),
                       "[\"nosuid\",\"nodev\",\"rprivate\",\"size=1m\",\"exec\"]");
  assert_string_equal (jstr (mount_at (s->doc, "/tmp"), "options"),
                       "[\"noexec\",\"nosuid\",\"nodev\",\"rprivate\"]");
  assert_string_equal (jstr (mount_at (s->doc, "/m"), "options"),
                       "[\"noexec\",\"nosuid\",\"nodev\",\"rprivate\",\"size=2m\",\"mode=700\"]");
  assert_string_equal (jstr (mount_at (s->doc, "/bm"), "options"), "[\"rbind\",\"ro\",\"rslave\"]");
  assert_string_equal (jstr (s->doc, "linux.rootfsPropagation"), "\"rslave\"");
  assert_string_equal (jstr (s->doc, "root.readonly"), "true");
  assert_string_equal (jstr (mount_at (s->doc, "/etc/hosts"), "options"),
                       "[\"rbind\",\"ro\",\"rprivate\"]");
  roundtrip (s);
  engine_spec_free (s);
  expect_error ("{\"Cmd\":[\"x\"],\"HostConfig\":{\"Tmpfs\":{\"/run\":\"foo\"}}}",
                "Invalid tmpfs option [\"foo\"]");
  expect_error ("{\"Cmd\":[\"x\"],\"HostConfig\":{\"Tmpfs\":{\"/run\":\"bar=1\"}}}",
                "Invalid tmpfs option [\"bar\" \"1\"]");
}

static void
test_resources (void **state)
{
  struct engine_spec *s;
  (void) state;
  s = gen ("{\"Cmd\":[\"x\"],\"HostConfig\":{\"NanoCpus\":1500000000,\"Memory\":104857600,"
           "\"MemoryReservation\":52428800,\"CpuShares\":512,\"CpusetCpus\":\"0-1\","
           "\"CpusetMems\":\"0\",\"BlkioWeight\":300,\"PidsLimit\":100,\"OomKillDisable\":true,"
           "\"OomScoreAdj\":500,\"Ulimits\":[{\"Name\":\"nofile\",\"Soft\":1024,\"Hard\":2048}],"
           "\"Sysctls\":{\"net.ipv4.ip_forward\":\"1\"},\"ShmSize\":1048576,"
           "\"Devices\":[{\"PathOnHost\":\"/dev/null\",\"PathInContainer\":\"/dev/xnull\","
           "\"CgroupPermissions\":\"rw\"}],\"DeviceCgroupRules\":[\"c 42:* rmw\"],"
           "\"SecurityOpt\":[\"no-new-privileges\"],\"CgroupParent\":\"/custom\"}}");
  assert_string_equal (jstr (s->doc, "linux.resources.cpu"),
                       "{\"shares\":512,\"quota\":150000,\"period\":100000,\"cpus\":\"0-1\","
                       "\"mems\":\"0\"}");
  assert_string_equal (jstr (s->doc, "linux.resources.memory"),
                       "{\"limit\":104857600,\"reservation\":52428800,\"swap\":209715200,"
                       "\"disableOOMKiller\":true}");
  assert_string_equal (jstr (s->doc, "linux.resources.pids"), "{\"limit\":100}");
  assert_string_equal (jstr (s->doc, "linux.resources.blockIO"), "{\"weight\":300}");
  assert_string_equal (jstr (s->doc, "linux.resources.devices[8]"),
                       "{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"rw\"}");
  assert_string_equal (jstr (s->doc, "linux.resources.devices[9]"),
                       "{\"allow\":true,\"type\":\"c\",\"major\":42,\"access\":\"rmw\"}");
  assert_string_equal (jstr (s->doc, "linux.devices[0].path"), "\"/dev/xnull\"");
  assert_string_equal (jstr (s->doc, "linux.devices[0].major"), "1");
  assert_string_equal (jstr (s->doc, "linux.devices[0].minor"), "3");
  assert_string_equal (jstr (s->doc, "process.rlimits"),
                       "[{\"type\":\"RLIMIT_NOFILE\",\"hard\":2048,\"soft\":1024}]");
  assert_string_equal (jstr (s->doc, "process.oomScoreAdj"), "500");
  assert_string_equal (jstr (s->doc, "process.noNewPrivileges"), "true");
  assert_string_equal (jstr (s->doc, "linux.sysctl"), "{\"net.ipv4.ip_forward\":\"1\"}");
  assert_string_equal (jstr (s->doc, "linux.cgroupsPath"), "\"/custom/0123456789ab\"");
  assert_string_equal (jstr (mount_at (s->doc, "/dev/shm"), "options[4]"), "\"size=1048576\"");
  roundtrip (s);
  engine_spec_free (s);

  s = gen ("{\"Cmd\":[\"x\"],\"HostConfig\":{\"PidsLimit\":0,\"CpuQuota\":50000,\"CpuPeriod\":"
           "200000}}");
  assert_string_equal (jstr (s->doc, "linux.resources.pids"), "{\"limit\":-1}");
  assert_string_equal (jstr (s->doc, "linux.resources.cpu"), "{\"quota\":50000,\"period\":200000}");
  engine_spec_free (s);
  s = gen ("{\"Cmd\":[\"x\"]}");
  assert_null (jget (s->doc, "linux.resources.pids"));
  assert_null (jget (s->doc, "process.rlimits"));
  engine_spec_free (s);
  expect_error ("{\"Cmd\":[\"x\"],\"HostConfig\":{\"SecurityOpt\":[\"foo\"]}}",
                "invalid --security-opt 1: \"foo\"");
  expect_error ("{\"Cmd\":[\"x\"],\"HostConfig\":{\"SecurityOpt\":[\"no-new-privileges=maybe\"]}}",
                "invalid --security-opt 2: \"no-new-privileges=maybe\"");
  expect_error ("{\"Cmd\":[\"x\"],\"HostConfig\":{\"Devices\":[{\"PathOnHost\":\"/dev/null\","
                "\"CgroupPermissions\":\"rwx\"}]}}",
                "/dev/null invalid device mode: rwx");
  expect_error ("{\"Cmd\":[\"x\"],\"HostConfig\":{\"DeviceCgroupRules\":[\"x 1:2 r\"]}}",
                "invalid device cgroup format 'x 1:2 r'");
}

static void
test_namespaces (void **state)
{
  struct engine_spec *s;
  (void) state;
  s = gen (
      "{\"Cmd\":[\"x\"],\"Hostname\":\"h\",\"HostConfig\":{\"NetworkMode\":\"host\","
      "\"PidMode\":\"host\",\"IpcMode\":\"host\",\"UTSMode\":\"host\",\"CgroupnsMode\":\"host\"}}");
  assert_string_equal (jstr (s->doc, "linux.namespaces"), "[{\"type\":\"mount\"}]");
  assert_null (jget (s->doc, "hostname"));
  assert_string_equal (mount_str (s->doc, "/dev/shm"),
                       "{\"destination\":\"/dev/shm\",\"type\":\"bind\",\"source\":\"/dev/shm\","
                       "\"options\":[\"rbind\",\"nosuid\",\"noexec\",\"nodev\"]}");
  engine_spec_free (s);
  s = gen ("{\"Cmd\":[\"x\"],\"HostConfig\":{\"IpcMode\":\"none\"}}");
  assert_null (mount_at (s->doc, "/dev/shm"));
  engine_spec_free (s);
  expect_error ("{\"Cmd\":[\"x\"],\"HostConfig\":{\"NetworkMode\":\"container:abc\"}}",
                "network mode `container:abc`: no namespace path for the container");
}

static void
test_seccomp_default (void **state)
{
  struct engine_spec *s = gen ("{\"Cmd\":[\"x\"]}");
  size_t len;
  const char *profile = engine_seccomp_default_profile (&len);
  berth_error_t err = NULL;
  char *caps[] = { "CAP_KILL", NULL };
  json_object *c;
  (void) state;
  assert_true (seccomp_allows (s->doc, "read", false));
  assert_true (seccomp_allows (s->doc, "write", false));
  assert_true (seccomp_allows (s->doc, "arch_prctl", false));
  assert_true (seccomp_allows (s->doc, "ptrace", false)); /* minKernel 4.8 <= 6.1 */
  assert_false (seccomp_allows (s->doc, "clone", false));
  assert_true (seccomp_allows (s->doc, "clone", true));
  assert_false (seccomp_allows (s->doc, "mount", false));
  assert_false (seccomp_allows (s->doc, "kexec_load", false));
  assert_false (seccomp_allows (s->doc, "s390_runtime_instr", false));
  assert_non_null (strstr (jstr (s->doc, "linux.seccomp.syscalls"),
                           "{\"names\":[\"clone\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":"
                           "[{\"index\":0,\"value\":2114060288,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}"));
  assert_non_null (strstr (jstr (s->doc, "linux.seccomp.syscalls"),
                           "{\"names\":[\"clone3\"],\"action\":\"SCMP_ACT_ERRNO\","
                           "\"errnoRet\":38}"));
  engine_spec_free (s);

  s = gen ("{\"Cmd\":[\"x\"],\"HostConfig\":{\"CapAdd\":[\"SYS_ADMIN\"]}}");
  assert_true (seccomp_allows (s->doc, "mount", false));
  assert_true (seccomp_allows (s->doc, "clone", false));
  assert_false (seccomp_allows (s->doc, "clone", true));
  assert_false (strstr (jstr (s->doc, "linux.seccomp.syscalls"), "\"errnoRet\":38"));
  engine_spec_free (s);

  /* Another architecture and an older kernel.  */
  c = engine_seccomp_convert (profile, len, caps, "arm64", "4.4.0", &err);
  assert_non_null (c);
  assert_string_equal (jstr (c, "architectures"), "[\"SCMP_ARCH_AARCH64\",\"SCMP_ARCH_ARM\"]");
  {
    json_object *doc = json_object_new_object ();
    json_object *lx = json_object_new_object ();
    json_object_object_add (lx, "seccomp", c);
    json_object_object_add (doc, "linux", lx);
    assert_false (seccomp_allows (doc, "arch_prctl", false));
    assert_true (seccomp_allows (doc, "breakpoint", false));
    assert_false (seccomp_allows (doc, "ptrace", false));
    json_object_put (doc);
  }
}

static void
test_seccomp_options (void **state)
{
  berth_error_t err = NULL;
  struct engine_spec *s;
  (void) state;
  s = gen ("{\"Cmd\":[\"x\"],\"HostConfig\":{\"SecurityOpt\":[\"seccomp=unconfined\"]}}");
  assert_null (jget (s->doc, "linux.seccomp"));
  engine_spec_free (s);
  s = gen ("{\"Cmd\":[\"x\"],\"HostConfig\":{\"SecurityOpt\":[\"seccomp={\\\"defaultAction\\\":"
           "\\\"SCMP_ACT_LOG\\\",\\\"architectures\\\":[\\\"SCMP_ARCH_X86_64\\\"],"
           "\\\"syscalls\\\":[{\\\"name\\\":\\\"getpid\\\",\\\"action\\\":\\\"SCMP_ACT_ERRNO\\\"}]}"
           "\"]}}");
  assert_string_equal (jstr (s->doc, "linux.seccomp"),
                       "{\"defaultAction\":\"SCMP_ACT_LOG\",\"architectures\":"
                       "[\"SCMP_ARCH_X86_64\"],\"syscalls\":[{\"names\":[\"getpid\"],"
                       "\"action\":\"SCMP_ACT_ERRNO\"}]}");
  roundtrip (s);
  engine_spec_free (s);
  s = gen_full ("{\"Cmd\":[\"x\"],\"HostConfig\":{\"SecurityOpt\":[\"seccomp=nope\"]}}", NULL, true,
                &err);
  assert_null (s);
  assert_non_null (strstr (err->msg, "Decoding seccomp profile failed"));
  berth_error_release (&err);
}

static void
expect_user (int rootfd, const char *user, const char *group_add, const char *want)
{
  cleanup_free char *body = xasprintf (
      "{\"Cmd\":[\"x\"],\"User\":\"%s\",\"HostConfig\":{\"GroupAdd\":[%s]}}", user, group_add);
  struct engine_spec *s = gen (body);
  berth_error_t err = NULL;
  if (engine_spec_resolve_user (s, rootfd, &err) < 0)
    {
      assert_string_equal (err->msg, want);
      berth_error_release (&err);
    }
  else if (strcmp (jstr (s->doc, "process.user"), want) != 0)
    fail_msg ("%s: got %s, expected %s", body, jstr (s->doc, "process.user"), want);
  engine_spec_free (s);
}

static void
test_resolve_user (void **state)
{
  char dir[] = "/tmp/berth-spec-user-XXXXXX";
  cleanup_free char *etc = NULL;
  cleanup_free char *pw = NULL;
  cleanup_free char *gr = NULL;
  cleanup_free char *rm = NULL;
  berth_error_t err = NULL;
  int fd;
  (void) state;
  assert_non_null (mkdtemp (dir));
  etc = xasprintf ("%s/etc", dir);
  assert_int_equal (mkdir (etc, 0755), 0);
  pw = xasprintf ("%s/passwd", etc);
  gr = xasprintf ("%s/group", etc);
  assert_int_equal (fs_write_file_atomic (pw,
                                          "root:x:0:0:root:/root:/bin/sh\n"
                                          "app:x:1000:1001:App:/home/app:/bin/sh\n",
                                          strlen ("root:x:0:0:root:/root:/bin/sh\n"
                                                  "app:x:1000:1001:App:/home/app:/bin/sh\n"),
                                          0644, &err),
                    0);
  assert_int_equal (
      fs_write_file_atomic (gr, "root:x:0:\nstaff:x:50:app,bob\napp:x:1001:\naudio:x:29:app\n",
                            strlen ("root:x:0:\nstaff:x:50:app,bob\napp:x:1001:\naudio:x:29:app\n"),
                            0644, &err),
      0);
  fd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  assert_true (fd >= 0);
  expect_user (fd, "app", "", "{\"uid\":1000,\"gid\":1001,\"additionalGids\":[50,29]}");
  expect_user (fd, "1000", "", "{\"uid\":1000,\"gid\":1001,\"additionalGids\":[50,29]}");
  expect_user (fd, "app:staff", "", "{\"uid\":1000,\"gid\":50}");
  expect_user (fd, "4242", "", "{\"uid\":4242,\"gid\":0}");
  expect_user (fd, "4242:app", "\"audio\",\"7\",\"29\"",
               "{\"uid\":4242,\"gid\":1001,\"additionalGids\":[29,7]}");
  expect_user (fd, "1000:1000", "\"staff\"", "{\"uid\":1000,\"gid\":1000,\"additionalGids\":[50]}");
  expect_user (fd, "nobody", "", "unable to find user nobody: no matching entries in passwd file");
  expect_user (fd, "app:wheel", "",
               "unable to find group wheel: no matching entries in group file");
  expect_user (fd, "0:0", "\"video\"",
               "Unable to find group video: no matching entries in group file");
  close (fd);
  rm = xasprintf ("rm -rf '%s'", dir);
  assert_int_equal (system (rm), 0);
}

static char *
runtime_path (void)
{
  char exe[4096];
  ssize_t n = readlink ("/proc/self/exe", exe, sizeof exe - 1);
  char *slash;
  if (n <= 0)
    return NULL;
  exe[n] = '\0';
  for (int i = 0; i < 2 && (slash = strrchr (exe, '/')) != NULL; i++)
    *slash = '\0';
  return xasprintf ("%s/berth-runtime", exe);
}

/* The generated spec runs: berth-runtime on a busybox bundle (root only).  */
static void
test_runtime_runs_it (void **state)
{
  cleanup_free char *rt = runtime_path ();
  const char *src = getenv ("BERTH_SOURCE_ROOT");
  char dir[] = "/tmp/berth-spec-XXXXXX";
  cleanup_free char *cmd = NULL;
  cleanup_free char *rootfs = NULL;
  cleanup_free char *hostname = NULL;
  cleanup_free char *config = NULL;
  cleanup_free char *text = NULL;
  cleanup_free char *id = xasprintf ("berth-spec-test-%d", (int) getpid ());
  struct engine_spec_params p = { 0 };
  struct engine_create_request *r;
  struct engine_spec *s;
  berth_error_t err = NULL;
  char out[8192] = "";
  size_t got = 0;
  FILE *f;
  const char *body
      = "{\"Hostname\":\"spectest\",\"Cmd\":[\"sh\",\"-c\",\"echo hello-$HOSTNAME; grep CapBnd "
        "/proc/self/status; cat /etc/hostname; id -u\"],\"HostConfig\":{\"NetworkMode\":\"none\","
        "\"Memory\":67108864,\"PidsLimit\":64,\"CgroupParent\":\"/berth-spec-test\"}}";
  (void) state;
  if (geteuid () != 0 || rt == NULL || access (rt, X_OK) != 0 || access ("/bin/busybox", X_OK) != 0
      || src == NULL)
    skip ();
  assert_non_null (mkdtemp (dir));
  cmd = xasprintf ("sh '%s/tests/make-bundle.sh' '%s' true", src, dir);
  assert_int_equal (system (cmd), 0);
  rootfs = xasprintf ("%s/rootfs", dir);
  hostname = xasprintf ("%s/hostname", dir);
  assert_int_equal (fs_write_file_atomic (hostname, "spectest\n", 9, 0644, &err), 0);
  r = engine_create_request_parse (body, strlen (body), &err);
  assert_non_null (r);
  engine_host_config_adapt (&r->host);
  p.id = id;
  p.rootfs = rootfs;
  p.create = r;
  p.hostname_path = hostname;
  p.cgroup_v2 = access ("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0;
  s = engine_spec_generate (&p, &err);
  if (s == NULL)
    fail_msg ("%s", err->msg);
  text = engine_spec_to_json (s);
  config = xasprintf ("%s/config.json", dir);
  assert_int_equal (fs_write_file_atomic (config, text, strlen (text), 0644, &err), 0);
  free (cmd);
  cmd = xasprintf ("'%s' run --bundle '%s' '%s' 2>&1 </dev/null", rt, dir, id);
  f = popen (cmd, "r");
  assert_non_null (f);
  while (got < sizeof out - 1 && !feof (f))
    {
      size_t n = fread (out + got, 1, sizeof out - 1 - got, f);
      if (n == 0)
        break;
      got += n;
    }
  out[got] = '\0';
  pclose (f);
  free (cmd);
  /* The runtime leaves the parent cgroup: ours alone, it goes too.  */
  cmd = xasprintf ("'%s' delete -f '%s' >/dev/null 2>&1; rm -rf '%s'; rmdir "
                   "/sys/fs/cgroup/berth-spec-test /sys/fs/cgroup/*/berth-spec-test 2>/dev/null; "
                   "true",
                   rt, id, dir);
  if (system (cmd) != 0)
    fprintf (stderr, "# cleanup of %s failed\n", dir);
  engine_spec_free (s);
  engine_create_request_free (r);
  if (strstr (out, "hello-spectest\n") == NULL || strstr (out, "CapBnd:\t00000000a80425fb") == NULL
      || strstr (out, "\nspectest\n0\n") == NULL)
    fail_msg ("unexpected output:\n%s", out);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_default_spec),       cmocka_unit_test (test_entrypoint_cmd),
    cmocka_unit_test (test_env_user_cwd),       cmocka_unit_test (test_capabilities),
    cmocka_unit_test (test_privileged),         cmocka_unit_test (test_binds),
    cmocka_unit_test (test_tmpfs_and_readonly), cmocka_unit_test (test_resources),
    cmocka_unit_test (test_namespaces),         cmocka_unit_test (test_seccomp_default),
    cmocka_unit_test (test_seccomp_options),    cmocka_unit_test (test_resolve_user),
    cmocka_unit_test (test_runtime_runs_it),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
