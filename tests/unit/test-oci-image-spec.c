/* Unit tests: src/oci/image-spec*.c, image manifests, indexes, configs,
   oci-layout and docker-archive manifest.json, both ways.  */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"
#include "oci/image-spec.h"

#define HA "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HB "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define HC "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"

/* JSON written with single quotes for readability: 'a' -> "a".  */
static char *
q (const char *s)
{
  char *r = xstrdup (s);
  for (char *p = r; *p; p++)
    if (*p == '\'')
      *p = '"';
  return r;
}

static void
check_err (berth_error_t *err, const char *msg)
{
  assert_non_null (*err);
  assert_int_equal ((*err)->status, EINVAL);
  if (strcmp ((*err)->msg, msg) != 0)
    fail_msg ("got      `%s`\nexpected `%s`", (*err)->msg, msg);
  berth_error_release (err);
}

static void
manifest_fails (const char *doc, const char *msg)
{
  cleanup_free char *j = q (doc);
  berth_error_t err = NULL;
  struct oci_manifest *m = oci_manifest_parse (j, strlen (j), "manifest", &err);
  if (m)
    {
      oci_manifest_free (m);
      fail_msg ("parsed but should fail with `%s`", msg);
    }
  check_err (&err, msg);
}

static void
config_fails (const char *doc, const char *msg)
{
  cleanup_free char *j = q (doc);
  berth_error_t err = NULL;
  struct oci_image_config *c = oci_image_config_parse (j, strlen (j), "config", &err);
  if (c)
    {
      oci_image_config_free (c);
      fail_msg ("parsed but should fail with `%s`", msg);
    }
  check_err (&err, msg);
}

static void
index_fails (const char *doc, const char *msg)
{
  cleanup_free char *j = q (doc);
  berth_error_t err = NULL;
  struct oci_index *ix = oci_index_parse (j, strlen (j), "index.json", &err);
  if (ix)
    {
      oci_index_free (ix);
      fail_msg ("parsed but should fail with `%s`", msg);
    }
  check_err (&err, msg);
}

/* A Docker schema 2 manifest as the registry serves it: distribution's
   descriptor order (mediaType, size, digest).  */
static const char docker_manifest[]
    = "{'schemaVersion':2,'mediaType':'application/vnd.docker.distribution.manifest.v2+json',"
      "'config':{'mediaType':'application/vnd.docker.container.image.v1+json','size':1472,"
      "'digest':'" HA "'},'layers':[{'mediaType':'application/"
      "vnd.docker.image.rootfs.diff.tar.gzip','size':3623807,'digest':'" HB "'},"
      "{'mediaType':'application/vnd.docker.image.rootfs.diff.tar.gzip','size':32,'digest':'" HC
      "'}]}";

static const char oci_manifest[]
    = "{'schemaVersion':2,'mediaType':'application/vnd.oci.image.manifest.v1+json',"
      "'config':{'mediaType':'application/vnd.oci.image.config.v1+json','digest':'" HA
      "','size':7023},'layers':[{'mediaType':'application/vnd.oci.image.layer.v1.tar+gzip',"
      "'digest':'" HB "','size':32654,'urls':['https://example.com/l'],"
      "'annotations':{'a':'1'}}],'subject':{'mediaType':'application/"
      "vnd.oci.image.manifest.v1+json','digest':'" HC "','size':7682},"
      "'annotations':{'com.example.key1':'value1','com.example.key2':'value2'}}";

static void
round_trip_manifest (const char *doc)
{
  cleanup_free char *j = q (doc);
  cleanup_free char *out = NULL;
  berth_error_t err = NULL;
  struct oci_manifest *m = oci_manifest_parse (j, strlen (j), NULL, &err);

  if (m == NULL)
    fail_msg ("%s", err->msg);
  out = oci_manifest_write (m);
  assert_string_equal (out, j);
  oci_manifest_free (m);
}

static void
test_manifest_docker (void **state)
{
  (void) state;
  cleanup_free char *j = q (docker_manifest);
  berth_error_t err = NULL;
  struct oci_manifest *m = oci_manifest_parse (j, strlen (j), NULL, &err);

  assert_non_null (m);
  assert_int_equal (m->schema_version, 2);
  assert_true (oci_media_type_is_docker (m->media_type));
  assert_string_equal (m->config.digest, HA);
  assert_int_equal (m->config.size, 1472);
  assert_int_equal (m->n_layers, 2);
  assert_string_equal (m->layers[0].media_type, DOCKER_MEDIA_TYPE_LAYER);
  assert_int_equal (m->layers[0].size, 3623807);
  assert_string_equal (m->layers[1].digest, HC);
  oci_manifest_free (m);
  round_trip_manifest (docker_manifest);
}

static void
test_manifest_oci (void **state)
{
  (void) state;
  cleanup_free char *j = q (oci_manifest);
  berth_error_t err = NULL;
  struct oci_manifest *m = oci_manifest_parse (j, strlen (j), NULL, &err);

  assert_non_null (m);
  assert_false (oci_media_type_is_docker (m->media_type));
  assert_string_equal (m->layers[0].urls[0], "https://example.com/l");
  assert_string_equal (m->layers[0].annotation_keys[0], "a");
  assert_non_null (m->subject);
  assert_string_equal (m->annotation_values[1], "value2");
  oci_manifest_free (m);
  round_trip_manifest (oci_manifest);
}

static void
test_manifest_unknown_fields (void **state)
{
  (void) state;
  cleanup_free char *j
      = q ("{'schemaVersion':2,'x':{'y':[1,2]},'config':{'mediaType':'m','digest':'" HA
           "','size':1,'new':true},'layers':[]}");
  berth_error_t err = NULL;
  struct oci_manifest *m = oci_manifest_parse (j, strlen (j), NULL, &err);
  assert_non_null (m);
  assert_null (m->media_type);
  assert_int_equal (m->n_layers, 0);
  oci_manifest_free (m);
}

static void
test_manifest_errors (void **state)
{
  (void) state;
  manifest_fails ("[]", "manifest: expected a JSON object");
  manifest_fails ("{'schemaVersion':2,'layers':[]}", "manifest: `config`: field is required");
  manifest_fails ("{'schemaVersion':1,'layers':[]}",
                  "manifest: `schemaVersion`: unsupported version 1");
  manifest_fails ("{'layers':[]}", "manifest: `schemaVersion`: field is required");
  manifest_fails ("{'schemaVersion':2,'config':{'mediaType':'m','digest':'" HA "','size':1}}",
                  "manifest: `layers`: field is required");
  manifest_fails ("{'schemaVersion':2,'mediaType':'application/vnd.oci.image.index.v1+json',"
                  "'config':{},'layers':[]}",
                  "manifest: `mediaType`: unexpected media type "
                  "`application/vnd.oci.image.index.v1+json`");
  manifest_fails ("{'schemaVersion':2,'config':{'mediaType':'m','digest':'" HA "','size':1},"
                  "'layers':[{'mediaType':'m','digest':'" HB "','size':1},"
                  "{'mediaType':'m','digest':'sha256:xyz','size':1}]}",
                  "manifest: `layers[1].digest`: invalid digest `sha256:xyz`");
  manifest_fails ("{'schemaVersion':2,'config':{'mediaType':'m','digest':'" HA "','size':1},"
                  "'layers':[{'mediaType':'m','digest':'" HB "','size':'12'}]}",
                  "manifest: `layers[0].size`: expected an integer");
  manifest_fails ("{'schemaVersion':2,'config':{'mediaType':'m','digest':'" HA "','size':-1},"
                  "'layers':[]}",
                  "manifest: `config.size`: must not be negative");
  manifest_fails ("{'schemaVersion':2,'config':{'digest':'" HA "','size':1},'layers':[]}",
                  "manifest: `config.mediaType`: field is required");
  manifest_fails ("{'schemaVersion':2,'config':{'mediaType':'m','digest':'" HA "','size':1},"
                  "'layers':[{'mediaType':'m','digest':'" HB "','size':1,'urls':[1]}]}",
                  "manifest: `layers[0].urls[0]`: expected a string");
  manifest_fails ("{'schemaVersion':2,'config':{'mediaType':'m','digest':'" HA "','size':1},"
                  "'layers':[5]}",
                  "manifest: `layers[0]`: expected an object");
}

static const char docker_list[]
    = "{'schemaVersion':2,'mediaType':'application/"
      "vnd.docker.distribution.manifest.list.v2+json','manifests':[{'mediaType':'application/"
      "vnd.docker.distribution.manifest.v2+json','size':528,'digest':'" HA "','platform':{"
      "'architecture':'amd64','os':'linux'}},{'mediaType':'application/"
      "vnd.docker.distribution.manifest.v2+json','size':528,'digest':'" HB "','platform':{"
      "'architecture':'arm','os':'linux','variant':'v7'}}]}";

static const char oci_layout_index[]
    = "{'schemaVersion':2,'mediaType':'application/vnd.oci.image.index.v1+json','manifests':[{"
      "'mediaType':'application/vnd.oci.image.manifest.v1+json','digest':'" HC "','size':7143,"
      "'annotations':{'org.opencontainers.image.ref.name':'v1.0'},'platform':{'architecture':"
      "'ppc64le','os':'linux','os.features':['x']}}]}";

static void
round_trip_index (const char *doc)
{
  cleanup_free char *j = q (doc);
  cleanup_free char *out = NULL;
  berth_error_t err = NULL;
  struct oci_index *ix = oci_index_parse (j, strlen (j), NULL, &err);

  if (ix == NULL)
    fail_msg ("%s", err->msg);
  out = oci_index_write (ix);
  assert_string_equal (out, j);
  oci_index_free (ix);
}

static void
test_index (void **state)
{
  (void) state;
  cleanup_free char *j = q (docker_list);
  berth_error_t err = NULL;
  struct oci_index *ix = oci_index_parse (j, strlen (j), NULL, &err);

  assert_non_null (ix);
  assert_int_equal (ix->n_manifests, 2);
  assert_string_equal (ix->manifests[1].platform->architecture, "arm");
  assert_string_equal (ix->manifests[1].platform->variant, "v7");
  assert_null (ix->manifests[0].platform->variant);
  oci_index_free (ix);
  round_trip_index (docker_list);
  round_trip_index (oci_layout_index);
  index_fails ("{'schemaVersion':2}", "index.json: `manifests`: field is required");
  index_fails ("{'schemaVersion':2,'manifests':[{'mediaType':'m','digest':'" HA "','size':1,"
               "'platform':{'architecture':'amd64'}}]}",
               "index.json: `manifests[0].platform.os`: field is required");
  index_fails ("{'schemaVersion':2,'manifests':[{'mediaType':'m','digest':'" HA "','size':1,"
               "'platform':{'architecture':'amd64','os':'linux','variant':7}}]}",
               "index.json: `manifests[0].platform.variant`: expected a string");
  index_fails ("{'schemaVersion':2,'mediaType':'application/vnd.docker.distribution.manifest.v2"
               "+json','manifests':[]}",
               "index.json: `mediaType`: unexpected media type "
               "`application/vnd.docker.distribution.manifest.v2+json`");
  index_fails ("{'schemaVersion':2,'manifests':[{'mediaType':'m','digest':'" HA "x','size':1}]}",
               "index.json: `manifests[0].digest`: invalid digest `" HA "x`");
}

/* A config the way berth (and Docker) writes it: top-level keys sorted,
   Docker's extra fields kept.  */
static const char config_doc[]
    = "{'architecture':'amd64','author':'me','config':{'User':'nobody','ExposedPorts':{"
      "'80/tcp':{}},'Env':['PATH=/usr/bin','A=b'],'Entrypoint':['/bin/sh','-c'],'Cmd':['echo hi'"
      "],'Volumes':{'/data':{}},'WorkingDir':'/srv','Labels':{'l':'v'},'StopSignal':'SIGTERM',"
      "'ArgsEscaped':true,'Healthcheck':{'Test':['CMD','true'],'Interval':30000000000,"
      "'Retries':3},'OnBuild':['RUN x'],'Shell':['/bin/bash','-c']},'container':'abc',"
      "'container_config':{'Hostname':'abc','Cmd':['/bin/sh']},'created':"
      "'2024-01-02T03:04:05.123456789Z','docker_version':'24.0.7','history':[{'created':"
      "'2024-01-02T03:04:05Z','created_by':'/bin/sh -c #(nop) ADD file:x in / '},{"
      "'created_by':'CMD [\\'sh\\']','empty_layer':true}],'os':'linux','rootfs':{'type':'layers',"
      "'diff_ids':['" HA "','" HB "']},'variant':'v8'}";

static void
test_config (void **state)
{
  (void) state;
  cleanup_free char *j = q (config_doc);
  cleanup_free char *out = NULL;
  berth_error_t err = NULL;
  struct oci_image_config *c = oci_image_config_parse (j, strlen (j), NULL, &err);

  if (c == NULL)
    fail_msg ("%s", err->msg);
  assert_string_equal (c->architecture, "amd64");
  assert_string_equal (c->variant, "v8");
  assert_true (c->has_config);
  assert_string_equal (c->config.user, "nobody");
  assert_string_equal (c->config.exposed_ports[0], "80/tcp");
  assert_null (c->config.exposed_ports[1]);
  assert_string_equal (c->config.env[1], "A=b");
  assert_string_equal (c->config.volumes[0], "/data");
  assert_true (c->config.args_escaped);
  assert_int_equal (c->config.healthcheck->interval, 30000000000LL);
  assert_int_equal (c->config.healthcheck->retries, 3);
  assert_string_equal (c->config.shell[0], "/bin/bash");
  assert_string_equal (c->diff_ids[1], HB);
  assert_int_equal (c->n_history, 2);
  assert_true (c->history[1].empty_layer);
  assert_non_null (c->extra);
  assert_int_equal (json_object_object_length (c->extra), 3);
  out = oci_image_config_write (c);
  assert_string_equal (out, j);
  oci_image_config_free (c);
}

static void
test_config_entrypoint_empty (void **state)
{
  (void) state;
  cleanup_free char *j
      = q ("{'architecture':'amd64','os':'linux','config':{'Entrypoint':[],'Cmd':null},"
           "'rootfs':{'type':'layers','diff_ids':[]}}");
  berth_error_t err = NULL;
  struct oci_image_config *c = oci_image_config_parse (j, strlen (j), NULL, &err);
  assert_non_null (c);
  assert_non_null (c->config.entrypoint);
  assert_null (c->config.entrypoint[0]);
  assert_null (c->config.cmd);
  assert_null (c->extra);
  oci_image_config_free (c);
}

static void
test_config_errors (void **state)
{
  (void) state;
#define RF "'rootfs':{'type':'layers','diff_ids':[]}"
  config_fails ("{'os':'linux'," RF "}", "config: `architecture`: field is required");
  config_fails ("{'architecture':'amd64'," RF "}", "config: `os`: field is required");
  config_fails ("{'architecture':'amd64','os':'linux'}", "config: `rootfs`: field is required");
  config_fails ("{'architecture':'amd64','os':'linux','rootfs':{'type':'x','diff_ids':[]}}",
                "config: `rootfs.type`: unsupported type `x`");
  config_fails ("{'architecture':'amd64','os':'linux','rootfs':{'type':'layers'}}",
                "config: `rootfs.diff_ids`: field is required");
  config_fails ("{'architecture':'amd64','os':'linux','rootfs':{'type':'layers','diff_ids':['" HA
                "','sha256:AB']}}",
                "config: `rootfs.diff_ids[1]`: invalid digest `sha256:AB`");
  config_fails ("{'architecture':'amd64','os':'linux'," RF ",'config':{'Env':'A=b'}}",
                "config: `config.Env`: expected an array");
  config_fails ("{'architecture':'amd64','os':'linux'," RF ",'config':{'ExposedPorts':{'80':1}}}",
                "config: `config.ExposedPorts`: expected an object of objects");
  config_fails ("{'architecture':'amd64','os':'linux'," RF
                ",'config':{'Healthcheck':{'Retries':'3'}}}",
                "config: `config.Healthcheck.Retries`: expected an integer");
  config_fails ("{'architecture':'amd64','os':'linux'," RF ",'history':[{},{'empty_layer':'yes'}]}",
                "config: `history[1].empty_layer`: expected a boolean");
  config_fails ("{'architecture':'amd64','os':'linux'," RF ",'config':{'Labels':{'a':1}}}",
                "config: `config.Labels.a`: expected a string");
#undef RF
}

static void
test_archive_manifest (void **state)
{
  (void) state;
  cleanup_free char *j
      = q ("[{'Config':'"
           "aaaa.json','RepoTags':['busybox:latest'],'Layers':['x/layer.tar',"
           "'y/layer.tar']},{'Config':'blobs/sha256/bb','RepoTags':null,'Layers':[]}]");
  cleanup_free char *out = NULL;
  berth_error_t err = NULL;
  struct oci_archive_manifest *a = oci_archive_manifest_parse (j, strlen (j), NULL, &err);

  if (a == NULL)
    fail_msg ("%s", err->msg);
  assert_int_equal (a->n_entries, 2);
  assert_string_equal (a->entries[0].repo_tags[0], "busybox:latest");
  assert_string_equal (a->entries[0].layers[1], "y/layer.tar");
  assert_null (a->entries[1].repo_tags);
  out = oci_archive_manifest_write (a);
  assert_string_equal (out, j);
  oci_archive_manifest_free (a);

  cleanup_free char *bad = q ("[{'Config':'c','Layers':['a']},{'RepoTags':[],'Layers':[]}]");
  assert_null (oci_archive_manifest_parse (bad, strlen (bad), NULL, &err));
  check_err (&err, "manifest.json: `[1].Config`: field is required");
  assert_null (oci_archive_manifest_parse ("{}", 2, NULL, &err));
  check_err (&err, "manifest.json: expected a JSON array");
}

static void
test_layout (void **state)
{
  (void) state;
  cleanup_free char *w = oci_layout_write ();
  berth_error_t err = NULL;

  assert_string_equal (w, "{\"imageLayoutVersion\":\"1.0.0\"}");
  assert_int_equal (oci_layout_check (w, strlen (w), NULL, &err), 0);
  assert_true (oci_layout_check ("{\"imageLayoutVersion\":\"2.0.0\"}", 30, NULL, &err) < 0);
  check_err (&err, "oci-layout: `imageLayoutVersion`: unsupported version `2.0.0`");
  assert_true (oci_layout_check ("{}", 2, NULL, &err) < 0);
  check_err (&err, "oci-layout: `imageLayoutVersion`: field is required");
}

/* Configs berth creates: written from scratch, parsed back equal.  */
static void
test_config_write_fresh (void **state)
{
  (void) state;
  struct oci_image_config c = { 0 };
  char *env[] = { "PATH=/bin", NULL };
  char *diffs[] = { HA, NULL };
  cleanup_free char *out = NULL;
  berth_error_t err = NULL;
  struct oci_image_config *back;

  c.architecture = "arm64";
  c.os = "linux";
  c.created = "2025-05-05T00:00:00Z";
  c.has_config = true;
  c.config.env = env;
  c.diff_ids = diffs;
  out = oci_image_config_write (&c);
  assert_string_equal (out, "{\"architecture\":\"arm64\",\"config\":{\"Env\":[\"PATH=/bin\"]},"
                            "\"created\":\"2025-05-05T00:00:00Z\",\"os\":\"linux\",\"rootfs\":"
                            "{\"type\":\"layers\",\"diff_ids\":[\"" HA "\"]}}");
  back = oci_image_config_parse (out, strlen (out), NULL, &err);
  assert_non_null (back);
  assert_string_equal (back->config.env[0], "PATH=/bin");
  oci_image_config_free (back);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_manifest_docker),
    cmocka_unit_test (test_manifest_oci),
    cmocka_unit_test (test_manifest_unknown_fields),
    cmocka_unit_test (test_manifest_errors),
    cmocka_unit_test (test_index),
    cmocka_unit_test (test_config),
    cmocka_unit_test (test_config_entrypoint_empty),
    cmocka_unit_test (test_config_errors),
    cmocka_unit_test (test_archive_manifest),
    cmocka_unit_test (test_layout),
    cmocka_unit_test (test_config_write_fresh),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
