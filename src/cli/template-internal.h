/* berth — text/template internals shared by the parser (template.c) and
 * the executor (template-exec.c).  */
#ifndef BERTH_CLI_TEMPLATE_INTERNAL_H
#define BERTH_CLI_TEMPLATE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "cli/format.h"
#include "cli/template.h"

enum tok_type
{
  T_EOF,
  T_TEXT,
  T_LEFT,
  T_RIGHT,
  T_SPACE,
  T_FIELD,
  T_VAR,
  T_DOT,
  T_IDENT,
  T_STRING,
  T_RAWSTRING,
  T_CHARCONST,
  T_NUMBER,
  T_BOOL,
  T_NIL,
  T_PIPE,
  T_LPAREN,
  T_RPAREN,
  T_DECLARE,
  T_ASSIGN,
  T_CHAR,
  /* keywords, T_IF..T_CONTINUE in this order */
  T_IF,
  T_ELSE,
  T_END,
  T_RANGE,
  T_WITH,
  T_DEFINE,
  T_BLOCK,
  T_TEMPLATE,
  T_BREAK,
  T_CONTINUE,
};

struct tok
{
  enum tok_type type;
  size_t pos, len;
  const char *val; /* into the template's text */
  int line;
};

enum node_type
{
  N_LIST,
  N_TEXT,
  N_ACTION,
  N_IF,
  N_RANGE,
  N_WITH,
  N_BREAK,
  N_CONTINUE,
  N_PIPE,  /* kids: commands; decls */
  N_CMD,   /* kids: operands */
  N_FIELD, /* idents: A B for .A.B */
  N_VAR,   /* idents: $x A for $x.A */
  N_CHAIN, /* kids[0].idents */
  N_DOT,
  N_NIL,
  N_CONST, /* constant, text as written */
  N_IDENT, /* a function's name in text */
};

struct node
{
  enum node_type type;
  size_t pos; /* byte offset in the template, for "1:7" in messages */
  struct node **kids;
  size_t nkids;
  struct node *pipe, *list, *else_list; /* actions and control structures */
  char **idents;
  char **decls;
  bool assign; /* "=" rather than ":=" */
  bool paren;  /* a parenthesized pipeline */
  char *text;
  json_object *constant;
};

struct cli_template
{
  char *name;
  char *text;
  char *type_name;
  char **field_types; /* field name, Go type name, ... (NULL-terminated) */
  struct node *root;
  int range_depth; /* while parsing: break/continue allowed */
};

struct node *node_new (enum node_type type, const struct tok *t);
void node_add (struct node *n, struct node *kid);
void node_free (struct node *n);

struct val
{
  json_object *j;
  bool valid;
};

static inline struct val
val_borrow (json_object *j)
{
  return (struct val){ json_object_get (j), true };
}

static inline struct val
val_take (json_object *j)
{
  return (struct val){ j, true };
}

#define val_invalid ((struct val){ NULL, false })

static inline void
val_clear (struct val *v)
{
  json_object_put (v->j);
  *v = val_invalid;
}

struct var
{
  char *name;
  struct val v;
};

enum loop_ctl
{
  LOOP_NONE,
  LOOP_BREAK,
  LOOP_CONTINUE,
};

struct state
{
  struct cli_template *t;
  json_object *root;
  struct cli_buf out;
  struct var *vars;
  size_t nvars;
  const struct node *at;
  char *error;
  unsigned flags;
  enum loop_ctl loop;
};

/* template-exec.c */
int template_error (struct state *s, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
bool template_is_true (struct val v);
const char *template_type_of (struct state *s, struct val v);
int template_eval_arg (struct state *s, struct val dot, const struct node *n, struct val *out);
int template_eval_args (struct state *s, struct val dot, const struct node *cmd, struct val *final,
                        struct val **args, size_t *nargs);
void template_args_free (struct val *args, size_t n);
/* template-types.c: docker's Go types on the typed pass.  */
struct tstruct;
const struct tstruct *template_struct_of (const char *parent, const char *name);
void template_struct_mark (json_object *o, const struct tstruct *t);
/* Print O as fmt prints the struct it was marked as; false if unmarked.  */
bool template_print_struct (struct cli_buf *b, json_object *o);
/* Print V (a marked struct, or an array, whose elements may be) as fmt
   does; false for other values, printed by the caller.  */
bool template_print_typed (struct cli_buf *b, json_object *v);
/* The Go type of a pointer field NAME ("*volume.UsageData"), or NULL.  */
const char *template_ptr_type (const char *name);
/* template-funcs.c */
/* Call the function named by IDENT with CMD's arguments (CMD NULL: none)
   and the previous command's value FINAL (NULL: none; consumed).  */
int template_eval_function (struct state *s, struct val dot, const struct node *cmd,
                            const struct node *ident, struct val *final, struct val *out);
/* OBJ's keys in byte order, as Go's fmt and range visit maps; free the
   array only.  */
const char **template_sorted_keys (json_object *obj);
bool template_func_known (const char *name, size_t len);
/* Go's strconv.Unquote of a "...", `...` or '...' literal; NULL if bad.  */
char *template_unquote (const char *s, size_t len);
/* A number literal as Go's exec sees it: float64 when written with . e E
   p P, int otherwise.  */
int template_parse_number (const char *text, json_object **out);

/* A copy of object J with its keys sorted, as Go marshals and prints maps.  */
json_object *template_sorted_copy (json_object *j);

#endif
