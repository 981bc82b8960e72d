/* berth — the CLI's output helpers: docker's (go-units') sizes and durations,
 * truncated IDs, Go's printing of values (fmt's %v and Sprintf), tabwriter
 * column alignment, and the `--format` / `table` context that `ps`,
 * `images`, `stats` and friends share (docker's cli/command/formatter).  */
#ifndef BERTH_CLI_FORMAT_H
#define BERTH_CLI_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "base/error.h"

/* The help of docker's --format flags: with table output (ls-style
   commands) and without (inspect-style).  */
#define CLI_FORMAT_TABLE_USAGE                                                                     \
  "Format output using a custom template:\n"                                                       \
  "'table':            Print output in table format with column headers (default)\n"               \
  "'table TEMPLATE':   Print output in table format using the given Go template\n"                 \
  "'json':             Print in JSON format\n"                                                     \
  "'TEMPLATE':         Print output using the given Go template.\n"                                \
  "Refer to https://docs.docker.com/go/formatting/ for more information about formatting "         \
  "output with templates"
#define CLI_FORMAT_USAGE                                                                           \
  "Format output using a custom template:\n"                                                       \
  "'json':             Print in JSON format\n"                                                     \
  "'TEMPLATE':         Print output using the given Go template.\n"                                \
  "Refer to https://docs.docker.com/go/formatting/ for more information about formatting "         \
  "output with templates"

/* A growable NUL-terminated string.  Zero-initialise; take s with
   steal_pointer or free it with cli_buf_free.  */
struct cli_buf
{
  char *s;
  size_t len, cap;
};
void cli_buf_add (struct cli_buf *b, const char *s, size_t n);
void cli_buf_puts (struct cli_buf *b, const char *s);
void cli_buf_printf (struct cli_buf *b, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));
void cli_buf_free (struct cli_buf *b);

/* go-units.  HumanSize: decimal units, "%.4g" ("1.98MB", "512B", "1kB").
   Precision 3 is what `ps -s`, `images` and `stats` (NET/BLOCK I/O) use.
   BytesSize: binary units, "%.4g" ("64MiB", "1.944GiB").  New strings.  */
char *cli_format_human_size (double bytes, int precision);
char *cli_format_bytes_size (double bytes);
/* go-units HumanDuration of SECONDS ("Less than a second", "1 second",
   "About a minute", "2 hours", "3 weeks"...).  New string.  */
char *cli_format_human_duration (int64_t seconds);
/* "<HumanDuration (now - then)> ago", as `ps` CREATED and `images`
   CREATED print it (times in seconds since the epoch).  */
char *cli_format_since (int64_t then, int64_t now);
/* stats' "12.34%".  New string.  */
char *cli_format_percent (double percent);

/* stringid.TruncateID: drop an algorithm prefix ("sha256:") and keep 12
   characters.  With NO_TRUNC the ID is returned whole, prefix included
   (`images --no-trunc` prints "sha256:...").  New string.  */
char *cli_format_id (const char *id, bool no_trunc);

/* docker's formatter.Ellipsis: S cut to MAX display columns, the last one
   an "…" (`ps` COMMAND at 20, MOUNTS names at 15, unless --no-trunc).
   Counts runes; East Asian wide characters are not measured.  New string.  */
char *cli_format_ellipsis (const char *s, int max);
/* strconv.Quote, as `ps` prints COMMAND ("\"sleep 300\"").  New string.  */
char *cli_format_go_quote (const char *s);

/* Go's fmt: %v of a JSON value (maps as "map[k:v]" with sorted keys, arrays
   as "[a b]", null as "<nil>", integral doubles without ".0"), appended to
   B.  Sprint/Sprintln spacing rules are the caller's.  */
void cli_format_go_value (struct cli_buf *b, json_object *v);
/* Go's %v of a float64 (shortest representation, exponent form from 1e+06
   and below 1e-4: "1e+06", "1.5", "1").  */
void cli_format_go_float (struct cli_buf *b, double d);
/* encoding/json's float64: plain below 1e+21, "1e-7" style outside.  */
void cli_format_go_json_float (struct cli_buf *b, double d);
/* O as json.Marshal writes it (`--format json` of ps, images ...),
   compact, with its HTML escaping: <, > and & (which can only be inside
   strings) as \u003c \u003e \u0026.  The template function json does not
   escape (docker sets SetEscapeHTML(false) there).  */
void cli_format_go_json (struct cli_buf *b, json_object *o);
/* Go's fmt.Sprintf over JSON values: verbs v s d q t f e g x X c %, flags
   "-+ 0#", width and precision; Go's "%!d(string=x)", "%!d(MISSING)" and
   "%!(EXTRA int=2)" for mismatches.  */
void cli_format_go_printf (struct cli_buf *b, const char *fmt, json_object **args, size_t nargs);
/* Go's name of a JSON value's type in messages ("string", "int",
   "float64", "bool", "map[string]interface {}", "[]interface {}").  */
const char *cli_format_go_type (json_object *v);

/* text/tabwriter over TEXT: cells end with '\t', lines with '\n'; each
   column as wide as its widest cell + PADDING (at least MINWIDTH), the last
   cell of a line is not aligned.  Docker's tables use (10, 1, 3, ' ').
   New string.  */
char *cli_tabwriter_format (const char *text, int minwidth, int padding, char padchar);

/* A `--format` output context, docker's formatter.Context: FORMAT is the
   user's string ("table ..." prints a header row and aligns columns, `\t`
   and `\n` are unescaped as docker does), HEADER maps field names to column
   titles ({"ID": "CONTAINER ID", ...}).  TYPE_NAME, when set, makes unknown
   fields errors as on docker's typed contexts ("can't evaluate field Foo in
   type *formatter.ContainerContext").  Errors are Go's messages; the caller
   adds its command's prefix as docker does: `ps` "failed to parse template: "
   and "failed to execute template: ", `images` and most others "template
   parsing error: " for both.  `ps` also validates the raw --format first
   (parse it whole, "table" and `\t` included, and execute it over an empty
   row), so its positions count in the raw string.  */
struct cli_output;
struct cli_output *cli_output_new (const char *format, json_object *header, const char *type_name,
                                   berth_error_t *err);
/* Format one row (borrowed).  */
int cli_output_add (struct cli_output *o, json_object *row, berth_error_t *err);
/* Everything formatted so far, the header first for tables.  New string.  */
char *cli_output_finish (struct cli_output *o, berth_error_t *err);
void cli_output_free (struct cli_output *o);
/* Docker's preFormat: drop a "table" prefix, trim spaces, turn the two
   characters `\t` / `\n` into a tab / newline.  New string.  */
char *cli_format_prepare (const char *format);
bool cli_format_is_table (const char *format);

#endif
