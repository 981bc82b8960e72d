/* berth — Go's text/template: lexer and parser.  The shapes (items, nodes,
 * chains folded into fields) follow text/template/parse so that positions
 * and messages come out as Go prints them; execution is in the second half
 * of this file.  */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "cli/format.h"
#include "cli/template-internal.h"

/* ---- lexer ------------------------------------------------------------ */

struct lexer
{
  const char *in;
  size_t len, pos;
  int line;
  int paren;
  bool trim_next; /* the last action ended with " -}}" */
  struct tok *toks;
  size_t ntoks, cap;
  char *error;
  int error_line;
};

static void
emit (struct lexer *l, enum tok_type type, size_t start, size_t end)
{
  if (l->ntoks == l->cap)
    {
      l->cap = l->cap ? l->cap * 2 : 64;
      l->toks = xrealloc (l->toks, l->cap * sizeof *l->toks);
    }
  struct tok *t = &l->toks[l->ntoks++];
  t->type = type;
  t->pos = start;
  t->len = end - start;
  t->val = l->in + start;
  t->line = l->line;
  for (size_t i = start; i < end; i++)
    if (l->in[i] == '\n')
      l->line++;
}

static int __attribute__ ((format (printf, 2, 3))) lex_error (struct lexer *l, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  if (vasprintf (&l->error, fmt, ap) < 0)
    abort ();
  va_end (ap);
  l->error_line = l->line;
  return -1;
}

static bool
is_space (char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool
is_alnum (char c)
{
  return c == '_' || isalnum ((unsigned char) c) || (c & 0x80);
}

static bool
has_right_trim (const struct lexer *l, size_t p)
{
  return p + 3 < l->len + 1 && is_space (l->in[p]) && l->in[p + 1] == '-' && l->in[p + 2] == '}'
         && l->in[p + 3] == '}';
}

static bool
at_right_delim (const struct lexer *l, size_t p)
{
  return (p + 1 < l->len && l->in[p] == '}' && l->in[p + 1] == '}') || has_right_trim (l, p);
}

static bool
at_terminator (const struct lexer *l)
{
  if (l->pos >= l->len)
    return true;
  char c = l->in[l->pos];
  return is_space (c) || strchr (".,|:)(", c) != NULL || at_right_delim (l, l->pos);
}

static const struct
{
  const char *word;
  enum tok_type type;
} keywords[] = {
  { "if", T_IF },       { "else", T_ELSE },
  { "end", T_END },     { "range", T_RANGE },
  { "with", T_WITH },   { "define", T_DEFINE },
  { "block", T_BLOCK }, { "template", T_TEMPLATE },
  { "break", T_BREAK }, { "continue", T_CONTINUE },
  { "nil", T_NIL },     { "true", T_BOOL },
  { "false", T_BOOL },
};

static char *
bad_char (char c)
{
  unsigned char u = (unsigned char) c;
  if (u >= 0x20 && u < 0x7f)
    return xasprintf ("U+%04X '%c'", u, u);
  return xasprintf ("U+%04X", u);
}

static int
lex_word (struct lexer *l, enum tok_type type)
{
  size_t start = l->pos;
  l->pos++; /* '.', '$' or the first letter */
  if ((type == T_FIELD || type == T_VAR) && at_terminator (l))
    {
      emit (l, type == T_FIELD ? T_DOT : T_VAR, start, l->pos);
      return 0;
    }
  while (l->pos < l->len && is_alnum (l->in[l->pos]))
    l->pos++;
  if (!at_terminator (l))
    {
      cleanup_free char *b = bad_char (l->in[l->pos]);
      return lex_error (l, "bad character %s", b);
    }
  if (type == T_IDENT)
    for (size_t i = 0; i < sizeof keywords / sizeof *keywords; i++)
      if (strlen (keywords[i].word) == l->pos - start
          && memcmp (keywords[i].word, l->in + start, l->pos - start) == 0)
        type = keywords[i].type;
  emit (l, type, start, l->pos);
  return 0;
}

static int
lex_quote (struct lexer *l, char q)
{
  size_t start = l->pos++;
  for (;;)
    {
      if (l->pos >= l->len || (q != '`' && l->in[l->pos] == '\n'))
        return lex_error (l, q == '"'   ? "unterminated quoted string"
                             : q == '`' ? "unterminated raw quoted string"
                                        : "unterminated character constant");
      char c = l->in[l->pos++];
      if (c == '\\' && q != '`' && l->pos < l->len && l->in[l->pos] != '\n')
        l->pos++;
      else if (c == q)
        break;
    }
  emit (l, q == '"' ? T_STRING : q == '`' ? T_RAWSTRING : T_CHARCONST, start, l->pos);
  return 0;
}

static int
lex_number (struct lexer *l)
{
  size_t start = l->pos;
  if (l->in[l->pos] == '+' || l->in[l->pos] == '-')
    l->pos++;
  while (l->pos < l->len)
    {
      char c = l->in[l->pos];
      if (isalnum ((unsigned char) c) || c == '.' || c == '_')
        l->pos++;
      else if ((c == '+' || c == '-') && strchr ("eEpP", l->in[l->pos - 1]))
        l->pos++;
      else
        break;
    }
  emit (l, T_NUMBER, start, l->pos);
  return 0;
}

static int
lex_space (struct lexer *l)
{
  size_t start = l->pos;
  while (l->pos < l->len && is_space (l->in[l->pos]))
    {
      if (has_right_trim (l, l->pos))
        break;
      l->pos++;
    }
  if (l->pos > start)
    emit (l, T_SPACE, start, l->pos);
  return 0;
}

static int
lex_action_char (struct lexer *l)
{
  char c = l->in[l->pos];
  if (is_space (c))
    return lex_space (l);
  if (c == '"' || c == '`' || c == '\'')
    return lex_quote (l, c);
  if (c == '$')
    return lex_word (l, T_VAR);
  if (c == '.' && !(l->pos + 1 < l->len && isdigit ((unsigned char) l->in[l->pos + 1])))
    return lex_word (l, T_FIELD);
  if (c == '.' || c == '+' || c == '-' || isdigit ((unsigned char) c))
    return lex_number (l);
  if (c == '_' || isalpha ((unsigned char) c) || (c & 0x80))
    return lex_word (l, T_IDENT);
  size_t start = l->pos++;
  switch (c)
    {
    case '|':
      emit (l, T_PIPE, start, l->pos);
      return 0;
    case '=':
      emit (l, T_ASSIGN, start, l->pos);
      return 0;
    case ':':
      if (l->pos >= l->len || l->in[l->pos] != '=')
        return lex_error (l, "expected :=");
      l->pos++;
      emit (l, T_DECLARE, start, l->pos);
      return 0;
    case '(':
      l->paren++;
      emit (l, T_LPAREN, start, l->pos);
      return 0;
    case ')':
      if (--l->paren < 0)
        return lex_error (l, "unexpected right paren");
      emit (l, T_RPAREN, start, l->pos);
      return 0;
    default:
      if ((unsigned char) c >= 0x20 && (unsigned char) c < 0x7f)
        {
          emit (l, T_CHAR, start, l->pos);
          return 0;
        }
      cleanup_free char *b = bad_char (c);
      return lex_error (l, "bad character %s", b);
    }
}

/* Inside {{ }} up to and including the right delimiter.  */
static int
lex_action (struct lexer *l)
{
  for (;;)
    {
      if (l->pos >= l->len)
        return lex_error (l, "unclosed action");
      bool trim = has_right_trim (l, l->pos);
      if (trim || (l->in[l->pos] == '}' && l->pos + 1 < l->len && l->in[l->pos + 1] == '}'))
        {
          if (l->paren > 0)
            return lex_error (l, "unclosed left paren");
          size_t start = l->pos + (trim ? 2 : 0);
          if (trim)
            l->line += l->in[l->pos] == '\n';
          l->pos = start + 2;
          emit (l, T_RIGHT, start, l->pos);
          l->trim_next = trim;
          return 0;
        }
      if (lex_action_char (l) < 0)
        return -1;
    }
}

static int
lex_comment (struct lexer *l)
{
  const char *end = memmem (l->in + l->pos, l->len - l->pos, "*/", 2);
  if (end == NULL)
    return lex_error (l, "unclosed comment");
  size_t p = end - l->in + 2;
  for (size_t i = l->pos; i < p; i++)
    l->line += l->in[i] == '\n';
  l->pos = p;
  bool trim = has_right_trim (l, p);
  if (!trim && !(p + 1 < l->len && l->in[p] == '}' && l->in[p + 1] == '}'))
    return lex_error (l, "comment ends before closing delimiter");
  l->pos = p + (trim ? 4 : 2);
  l->trim_next = trim;
  return 0;
}

static int
lex_all (struct lexer *l)
{
  while (l->pos < l->len)
    {
      size_t start = l->pos;
      if (l->trim_next)
        while (start < l->len && is_space (l->in[start]))
          l->line += l->in[start++] == '\n';
      l->trim_next = false;
      const char *d = memmem (l->in + start, l->len - start, "{{", 2);
      size_t dpos = d ? (size_t) (d - l->in) : l->len;
      bool ltrim = d && dpos + 3 < l->len && l->in[dpos + 2] == '-' && is_space (l->in[dpos + 3]);
      size_t tend = dpos;
      if (ltrim)
        while (tend > start && is_space (l->in[tend - 1]))
          tend--;
      if (tend > start)
        emit (l, T_TEXT, start, tend);
      for (size_t i = tend; i < dpos; i++)
        l->line += l->in[i] == '\n';
      if (d == NULL)
        {
          l->pos = l->len;
          break;
        }
      l->pos = dpos + (ltrim ? 4 : 2);
      if (l->pos + 1 < l->len && l->in[l->pos] == '/' && l->in[l->pos + 1] == '*')
        {
          if (lex_comment (l) < 0)
            return -1;
          continue;
        }
      emit (l, T_LEFT, dpos, dpos + 2);
      if (lex_action (l) < 0)
        return -1;
    }
  emit (l, T_EOF, l->len, l->len);
  return 0;
}

/* ---- parser ----------------------------------------------------------- */

struct parser
{
  struct cli_template *t;
  struct tok *toks;
  size_t ntoks, i;
  char **vars; /* declared variables, for "undefined variable" */
  size_t nvars;
  char *error;
  int error_line;
};

static struct tok *
peek (struct parser *p)
{
  return &p->toks[p->i];
}

static struct tok *
next (struct parser *p)
{
  struct tok *t = &p->toks[p->i];
  if (t->type != T_EOF)
    p->i++;
  return t;
}

static struct tok *
next_non_space (struct parser *p)
{
  while (peek (p)->type == T_SPACE)
    p->i++;
  return next (p);
}

static struct tok *
peek_non_space (struct parser *p)
{
  while (peek (p)->type == T_SPACE)
    p->i++;
  return peek (p);
}

static void *__attribute__ ((format (printf, 2, 3)))
parse_error (struct parser *p, const char *fmt, ...)
{
  if (p->error)
    return NULL;
  va_list ap;
  va_start (ap, fmt);
  if (vasprintf (&p->error, fmt, ap) < 0)
    abort ();
  va_end (ap);
  size_t i = p->i > 0 ? p->i - 1 : 0;
  p->error_line = p->toks[i].line;
  return NULL;
}

/* Go's item String(): "EOF", "<end>" for keywords, %q otherwise.  */
static char *
tok_describe (const struct tok *t)
{
  if (t->type == T_EOF)
    return xstrdup ("EOF");
  if (t->type >= T_IF && t->type <= T_CONTINUE)
    return xasprintf ("<%.*s>", (int) t->len, t->val);
  struct cli_buf b = { 0 };
  cli_buf_puts (&b, "\"");
  for (size_t i = 0; i < t->len && i < 10; i++)
    {
      char c = t->val[i];
      if (c == '"' || c == '\\')
        cli_buf_printf (&b, "\\%c", c);
      else if (c == '\n')
        cli_buf_puts (&b, "\\n");
      else if (c == '\t')
        cli_buf_puts (&b, "\\t");
      else
        cli_buf_add (&b, &c, 1);
    }
  cli_buf_puts (&b, t->len > 10 ? "\"..." : "\"");
  return b.s;
}

static void *
unexpected (struct parser *p, const struct tok *t, const char *context)
{
  cleanup_free char *d = tok_describe (t);
  return parse_error (p, "unexpected %s in %s", d, context);
}

struct node *
node_new (enum node_type type, const struct tok *t)
{
  struct node *n = xmalloc0 (sizeof *n);
  n->type = type;
  n->pos = t ? t->pos : 0;
  return n;
}

void
node_add (struct node *n, struct node *kid)
{
  n->kids = xrealloc (n->kids, (n->nkids + 1) * sizeof *n->kids);
  n->kids[n->nkids++] = kid;
}

void
node_free (struct node *n)
{
  if (n == NULL)
    return;
  for (size_t i = 0; i < n->nkids; i++)
    node_free (n->kids[i]);
  free (n->kids);
  node_free (n->pipe);
  node_free (n->list);
  node_free (n->else_list);
  strv_free (n->idents);
  strv_free (n->decls);
  free (n->text);
  json_object_put (n->constant);
  free (n);
}

static bool
var_known (struct parser *p, const char *name, size_t len)
{
  for (size_t i = p->nvars; i-- > 0;)
    if (strlen (p->vars[i]) == len && memcmp (p->vars[i], name, len) == 0)
      return true;
  return false;
}

static void
var_push (struct parser *p, const char *name)
{
  p->vars = xrealloc (p->vars, (p->nvars + 1) * sizeof *p->vars);
  p->vars[p->nvars++] = xstrdup (name);
}

static void
vars_pop_to (struct parser *p, size_t mark)
{
  while (p->nvars > mark)
    free (p->vars[--p->nvars]);
}

/* ".A.B" and "$x.A" into a vector of identifiers (without the dots).  */
static char **
split_idents (const char *s, size_t len, bool keep_first)
{
  char **v = NULL;
  size_t i = 0;
  if (keep_first)
    {
      while (i < len && s[i] != '.')
        i++;
      cleanup_free char *first = xstrndup (s, i);
      v = strv_append (v, first);
    }
  while (i < len)
    {
      size_t j = ++i;
      while (j < len && s[j] != '.')
        j++;
      cleanup_free char *w = xstrndup (s + i, j - i);
      v = strv_append (v, w);
      i = j;
    }
  return v;
}

static struct node *parse_pipeline (struct parser *p, const char *context, enum tok_type end);

static struct node *
parse_constant (struct parser *p, struct tok *t)
{
  struct node *n = node_new (N_CONST, t);
  n->text = xstrndup (t->val, t->len);
  if (t->type == T_BOOL)
    n->constant = json_object_new_boolean (t->val[0] == 't');
  else if (t->type == T_STRING || t->type == T_RAWSTRING || t->type == T_CHARCONST)
    {
      cleanup_free char *s = template_unquote (t->val, t->len);
      if (s == NULL)
        {
          node_free (n);
          return parse_error (p, "%s",
                              t->type == T_CHARCONST ? "malformed character constant"
                                                     : "unterminated quoted string");
        }
      if (t->type == T_CHARCONST)
        n->constant = json_object_new_int64 ((unsigned char) s[0]);
      else
        n->constant = json_object_new_string (s);
    }
  else if (template_parse_number (n->text, &n->constant) < 0)
    {
      node_free (n);
      return parse_error (p, "bad number syntax: \"%.*s\"", (int) t->len, t->val);
    }
  return n;
}

static struct node *
parse_term (struct parser *p)
{
  struct tok *t = next_non_space (p);
  struct node *n;
  switch (t->type)
    {
    case T_IDENT:
      if (!template_func_known (t->val, t->len))
        return parse_error (p, "function \"%.*s\" not defined", (int) t->len, t->val);
      n = node_new (N_IDENT, t);
      n->text = xstrndup (t->val, t->len);
      return n;
    case T_DOT:
      return node_new (N_DOT, t);
    case T_NIL:
      return node_new (N_NIL, t);
    case T_VAR:
      {
        size_t nl = 0;
        while (nl < t->len && (nl == 0 || t->val[nl] != '.'))
          nl++;
        if (!var_known (p, t->val, nl))
          return parse_error (p, "undefined variable \"%.*s\"", (int) nl, t->val);
        n = node_new (N_VAR, t);
        n->idents = split_idents (t->val, t->len, true);
        return n;
      }
    case T_FIELD:
      n = node_new (N_FIELD, t);
      n->idents = split_idents (t->val, t->len, false);
      return n;
    case T_BOOL:
    case T_NUMBER:
    case T_STRING:
    case T_RAWSTRING:
    case T_CHARCONST:
      return parse_constant (p, t);
    case T_LPAREN:
      n = parse_pipeline (p, "parenthesized pipeline", T_RPAREN);
      if (n)
        n->paren = true;
      return n;
    default:
      p->i--;
      return NULL;
    }
}

/* A term and the fields chained on it: ".A.B", "$x.A", "(pipe).A".  */
static struct node *
parse_operand (struct parser *p)
{
  struct node *n = parse_term (p);
  if (n == NULL || peek (p)->type != T_FIELD)
    return n;
  struct node *chain = node_new (N_CHAIN, peek (p));
  char **fields = NULL;
  while (peek (p)->type == T_FIELD)
    {
      struct tok *f = next (p);
      char **more = split_idents (f->val, f->len, false);
      for (char **m = more; *m; m++)
        fields = strv_append (fields, *m);
      strv_free (more);
    }
  if (n->type == N_FIELD || n->type == N_VAR)
    {
      /* Go folds ".A" ".B" into one field node placed at the last part.  */
      for (char **m = fields; *m; m++)
        n->idents = strv_append (n->idents, *m);
      strv_free (fields);
      n->pos = chain->pos;
      free (chain);
      return n;
    }
  if (n->type == N_NIL || n->type == N_CONST || n->type == N_DOT)
    {
      strv_free (fields);
      free (chain);
      node_free (n);
      return parse_error (p, "unexpected . after term");
    }
  chain->idents = fields;
  node_add (chain, n);
  return chain;
}

static struct node *
parse_command (struct parser *p, enum tok_type end)
{
  struct node *cmd = node_new (N_CMD, peek_non_space (p));
  for (;;)
    {
      peek_non_space (p);
      struct node *op = parse_operand (p);
      if (p->error)
        goto fail;
      if (op)
        node_add (cmd, op);
      struct tok *t = next (p);
      if (t->type == T_SPACE)
        continue;
      if (t->type == T_PIPE || t->type == end)
        {
          p->i--;
          break;
        }
      if (t->type == T_RIGHT || t->type == T_RPAREN)
        {
          cleanup_free char *d = tok_describe (t);
          parse_error (p, "unexpected %s in operand", d);
          goto fail;
        }
      unexpected (p, t, "operand");
      goto fail;
    }
  if (cmd->nkids == 0)
    {
      parse_error (p, "empty command");
      goto fail;
    }
  return cmd;
fail:
  node_free (cmd);
  return NULL;
}

/* "$x :=", "$x =", "$i, $e :=" at the start of a pipeline.  */
static void
parse_decls (struct parser *p, struct node *pipe, const char *context)
{
  size_t save = p->i;
  struct tok *v = peek_non_space (p);
  if (v->type != T_VAR)
    return;
  next (p);
  struct tok *t = peek_non_space (p);
  if (t->type == T_CHAR && t->val[0] == ',' && strcmp (context, "range") == 0)
    {
      next (p);
      struct tok *v2 = next_non_space (p);
      struct tok *op = next_non_space (p);
      if (v2->type != T_VAR || (op->type != T_DECLARE && op->type != T_ASSIGN))
        {
          parse_error (p, "too many declarations in %s", context);
          return;
        }
      pipe->decls = strv_append (strv_append (NULL, ""), "");
      free (pipe->decls[0]), pipe->decls[0] = xstrndup (v->val, v->len);
      free (pipe->decls[1]), pipe->decls[1] = xstrndup (v2->val, v2->len);
      pipe->assign = op->type == T_ASSIGN;
      return;
    }
  if (t->type != T_DECLARE && t->type != T_ASSIGN)
    {
      p->i = save;
      return;
    }
  next (p);
  cleanup_free char *name = xstrndup (v->val, v->len);
  pipe->decls = strv_append (NULL, name);
  pipe->assign = t->type == T_ASSIGN;
}

static struct node *
parse_pipeline (struct parser *p, const char *context, enum tok_type end)
{
  struct node *pipe = node_new (N_PIPE, peek_non_space (p));
  parse_decls (p, pipe, context);
  if (p->error)
    goto fail;
  for (;;)
    {
      struct tok *t = peek_non_space (p);
      if (t->type == end)
        {
          next (p);
          break;
        }
      if (!(t->type >= T_FIELD && t->type <= T_NIL) && t->type != T_LPAREN)
        {
          unexpected (p, next (p), context);
          goto fail;
        }
      struct node *cmd = parse_command (p, end);
      if (cmd == NULL)
        goto fail;
      node_add (pipe, cmd);
      t = next_non_space (p);
      if (t->type == end)
        break;
      if (t->type != T_PIPE)
        {
          unexpected (p, t, context);
          goto fail;
        }
    }
  if (pipe->nkids == 0)
    {
      parse_error (p, "missing value for %s", context);
      goto fail;
    }
  /* Variables become visible after their declaration.  */
  for (char **d = pipe->decls; d && *d; d++)
    if (!pipe->assign)
      var_push (p, *d);
    else if (!var_known (p, *d, strlen (*d)))
      {
        parse_error (p, "undefined variable \"%s\"", *d);
        goto fail;
      }
  return pipe;
fail:
  node_free (pipe);
  return NULL;
}

static struct node *parse_list (struct parser *p, enum tok_type *stop);

/* if / range / with: pipeline, list, optional else (or "else if").  */
static struct node *
parse_control (struct parser *p, enum node_type type, const char *context, const struct tok *kw)
{
  size_t mark = p->nvars;
  struct node *n = node_new (type, kw);
  enum tok_type stop = T_EOF;
  n->pipe = parse_pipeline (p, context, T_RIGHT);
  if (n->pipe == NULL)
    goto fail;
  if (type == N_RANGE)
    p->t->range_depth++;
  n->list = parse_list (p, &stop);
  if (type == N_RANGE)
    p->t->range_depth--;
  if (n->list == NULL)
    goto fail;
  if (stop == T_EOF)
    {
      parse_error (p, "unexpected EOF");
      goto fail;
    }
  if (stop == T_ELSE)
    {
      struct tok *t = peek_non_space (p);
      if ((t->type == T_IF && type == N_IF) || (t->type == T_WITH && type == N_WITH))
        {
          /* "{{else if x}}" is "{{else}}{{if x}}...{{end}}{{end}}".  */
          next (p);
          n->else_list = node_new (N_LIST, t);
          struct node *inner = parse_control (p, type, context, t);
          if (inner == NULL)
            goto fail;
          node_add (n->else_list, inner);
          vars_pop_to (p, mark);
          return n;
        }
      if (next_non_space (p)->type != T_RIGHT)
        {
          parse_error (p, "unexpected %s in else", "token");
          goto fail;
        }
      n->else_list = parse_list (p, &stop);
      if (n->else_list == NULL)
        goto fail;
      if (stop == T_EOF)
        {
          parse_error (p, "unexpected EOF");
          goto fail;
        }
      if (stop != T_END)
        {
          parse_error (p, "expected end; found {{else}}");
          goto fail;
        }
    }
  vars_pop_to (p, mark);
  return n;
fail:
  vars_pop_to (p, mark);
  node_free (n);
  return NULL;
}

static struct node *
parse_keyword_action (struct parser *p, struct tok *kw, enum tok_type *stop)
{
  switch (kw->type)
    {
    case T_IF:
      return parse_control (p, N_IF, "if", kw);
    case T_RANGE:
      return parse_control (p, N_RANGE, "range", kw);
    case T_WITH:
      return parse_control (p, N_WITH, "with", kw);
    case T_END:
    case T_ELSE:
      if (kw->type == T_END && next_non_space (p)->type != T_RIGHT)
        return parse_error (p, "unexpected token in end");
      *stop = kw->type;
      return NULL;
    case T_BREAK:
    case T_CONTINUE:
      if (p->t->range_depth == 0)
        return parse_error (p, "{{%.*s}} outside {{range}}", (int) kw->len, kw->val);
      if (next_non_space (p)->type != T_RIGHT)
        return parse_error (p, "unexpected token in {{%.*s}}", (int) kw->len, kw->val);
      return node_new (kw->type == T_BREAK ? N_BREAK : N_CONTINUE, kw);
    default:
      return parse_error (p, "{{%.*s}} is not supported by berth", (int) kw->len, kw->val);
    }
}

/* Nodes up to EOF, {{end}} or {{else}}; *STOP says which ended it.  */
static struct node *
parse_list (struct parser *p, enum tok_type *stop)
{
  struct node *list = node_new (N_LIST, peek (p));
  *stop = T_EOF;
  for (;;)
    {
      struct tok *t = next (p);
      struct node *n = NULL;
      if (t->type == T_EOF)
        break;
      if (t->type == T_TEXT)
        {
          n = node_new (N_TEXT, t);
          n->text = xstrndup (t->val, t->len);
        }
      else
        {
          struct tok *kw = peek_non_space (p);
          if (kw->type >= T_IF && kw->type <= T_CONTINUE)
            {
              next (p);
              n = parse_keyword_action (p, kw, stop);
              if (*stop != T_EOF)
                return list;
            }
          else
            {
              n = node_new (N_ACTION, t);
              n->pipe = parse_pipeline (p, "command", T_RIGHT);
              if (n->pipe == NULL)
                node_free (n), n = NULL;
            }
          if (n == NULL)
            {
              node_free (list);
              return NULL;
            }
        }
      node_add (list, n);
    }
  return list;
}

static int
parse_root (struct parser *p)
{
  enum tok_type stop = T_EOF;
  var_push (p, "$");
  p->t->root = parse_list (p, &stop);
  if (p->t->root == NULL)
    return -1;
  if (stop != T_EOF)
    {
      parse_error (p, "unexpected {{%s}}", stop == T_END ? "end" : "else");
      return -1;
    }
  return 0;
}

struct cli_template *
cli_template_parse (const char *name, const char *text, berth_error_t *err)
{
  struct cli_template *t = xmalloc0 (sizeof *t);
  struct lexer l = { .in = text, .len = strlen (text), .line = 1 };
  struct parser p = { .t = t };
  int ret;

  t->name = xstrdup (name ? name : "");
  t->text = xstrdup (text);
  ret = lex_all (&l);
  if (ret < 0)
    {
      berth_make_error_msg (err, EINVAL, "template: %s:%d: %s", t->name, l.error_line, l.error);
      goto out;
    }
  p.toks = l.toks;
  p.ntoks = l.ntoks;
  ret = parse_root (&p);
  if (ret < 0)
    berth_make_error_msg (err, EINVAL, "template: %s:%d: %s", t->name, p.error_line,
                          p.error ? p.error : "unexpected EOF");
out:
  vars_pop_to (&p, 0);
  free (p.vars);
  free (p.error);
  free (l.error);
  free (l.toks);
  if (ret < 0)
    {
      cli_template_free (t);
      return NULL;
    }
  return t;
}

void
cli_template_free (struct cli_template *t)
{
  if (t == NULL)
    return;
  node_free (t->root);
  free (t->name);
  free (t->text);
  free (t->type_name);
  strv_free (t->field_types);
  free (t);
}

void
cli_template_set_type_name (struct cli_template *t, const char *type_name)
{
  free (t->type_name);
  t->type_name = xstrdup (type_name);
}

void
cli_template_set_field_type (struct cli_template *t, const char *field, const char *type_name)
{
  t->field_types = strv_append (t->field_types, field);
  t->field_types = strv_append (t->field_types, type_name);
}
