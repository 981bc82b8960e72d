/* berth — the pure parts of the volume plugin client (volume-plugin.c):
 * plugin addresses and the answers of the protocol, split out of the HTTP
 * code so the unit tests can feed them hostile input.  */
#ifndef BERTH_VOLUME_VOLUME_PLUGIN_INTERNAL_H
#define BERTH_VOLUME_VOLUME_PLUGIN_INTERNAL_H

#include <stddef.h>

#include <json-c/json.h>

#include "base/error.h"
#include "volume/volume-driver.h"

/* Where a plugin listens: a unix socket, or a loopback TCP address.  */
struct volume_plugin_addr
{
  char *socket; /* unix socket path, or NULL for TCP */
  char *base;   /* "http://localhost" (unix) or "http://127.0.0.1:port" */
  char *shown;  /* the URL host as Go's net/http prints it in errors */
};
void volume_plugin_addr_release (struct volume_plugin_addr *a);

/* A NAME.spec file's text (a URL: unix:///path or tcp://host:port, only on
   loopback).  Errors: dockerd's "Unknown protocol" when there is no
   scheme, else what berth refuses and why.  */
int volume_plugin_parse_spec (const char *text, struct volume_plugin_addr *out, berth_error_t *err);
/* A NAME.json file: {"Name": ..., "Addr": <a spec URL>}.  */
int volume_plugin_parse_json_spec (const char *text, size_t len, struct volume_plugin_addr *out,
                                   berth_error_t *err);

/* Check one answer of METHOD ("VolumeDriver.Mount") as dockerd's plugin
   client and volume proxy do: a status other than 200 is "METHOD: <Err>"
   (or "METHOD: <body>" when the body has no Err); a 200 whose body is not
   a JSON object is "METHOD: invalid answer from the plugin: ..."; a
   non-empty "Err" is that text alone.  Returns the object (the caller
   puts it); "null" gives an empty object.  */
json_object *volume_plugin_parse_answer (const char *method, long status, const char *body,
                                         size_t len, berth_error_t *err);

/* Plugin.Activate's manifest must list "VolumeDriver" in "Implements".  */
int volume_plugin_check_activate (json_object *manifest, berth_error_t *err);

/* One {"Name", "Mountpoint", "CreatedAt", "Status"} of Get/List into OUT
   (zeroed first; release with volume_driver_info_release).  */
int volume_plugin_parse_volume (json_object *v, const char *method, struct volume_driver_info *out,
                                berth_error_t *err);

/* Capabilities' {"Capabilities": {"Scope": ...}}: "global" or "local"
   (anything else, or nothing, is "local", as dockerd defaults).  */
const char *volume_plugin_parse_scope (json_object *caps);

#endif
