/* berth — Go's text/template over json-c values, as the docker CLI uses it
 * for `--format`: fields and chains, pipelines, variables, if/else/with/
 * range/break/continue, comments and trim markers, Go's builtins (and or not
 * len index print printf println eq ne lt le gt ge) and docker's functions
 * (json join lower upper title split pad truncate).  Messages are Go's
 * ("template: :1: function \"nosuch\" not defined"); the caller adds
 * docker's prefix ("template parsing error: ").  */
#ifndef BERTH_CLI_TEMPLATE_H
#define BERTH_CLI_TEMPLATE_H

#include <json-c/json.h>

#include "base/error.h"

struct cli_template;

enum cli_template_flags
{
  /* docker's HeaderFunctions: json, split, join, title, lower, upper and
     truncate hand their first argument back, so `table {{upper .Names}}`
     heads its column with the plain title.  */
  CLI_TEMPLATE_HEADER = 1 << 0,
  /* `inspect`: docker falls back to the raw JSON with missingkey=error, so
     a missing key fails ("map has no entry for key \"Nope\"") except under
     the fields that are maps in docker's types (Labels, Options, ...), and
     numbers are json.Number in messages.  */
  CLI_TEMPLATE_MISSINGKEY_ERROR = 1 << 1,
  /* `inspect`'s typed pass: .ID is the "Id" key, nil slices print "[]",
     maps print and marshal sorted, map[string]struct{} prints "{}".  */
  CLI_TEMPLATE_TYPED = 1 << 2,
};

/* Parse TEXT; NAME is the template's name in messages (docker uses "" for
   most commands, "version" for `version`).  NULL on a parse error.  */
struct cli_template *cli_template_parse (const char *name, const char *text, berth_error_t *err);
void cli_template_free (struct cli_template *t);

/* Fields missing from the root object are errors naming TYPE_NAME, as on
   docker's typed contexts, instead of printing "<no value>".  */
void cli_template_set_type_name (struct cli_template *t, const char *type_name);

/* Likewise for the object under the field FIELD (at any depth): its
   missing fields are "can't evaluate field X in type TYPE_NAME" errors
   (docker's version: "Client" is a system.clientVersion).  */
void cli_template_set_field_type (struct cli_template *t, const char *field, const char *type_name);

/* Execute over DATA (borrowed; NULL is Go's nil); the output is a new
   string in *OUT.  On an exec error *OUT is NULL and *err holds Go's
   message ("template: :1:2: executing \"\" at <.Foo>: ...").  */
int cli_template_execute (struct cli_template *t, json_object *data, unsigned flags, char **out,
                          berth_error_t *err);

#endif
