/* berth — Go's text/tabwriter, as docker's tables use it: cells end with a
 * tab, a column block is the run of consecutive lines that have a cell in
 * that column, and each block is as wide as its widest cell plus padding
 * (at least minwidth).  The last cell of a line is never aligned, so a
 * line without tabs ends every block (text/tabwriter's format()).  */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "cli/format.h"

struct cell
{
  const char *text;
  size_t size;  /* bytes */
  size_t width; /* runes */
};

struct line
{
  struct cell *cells;
  size_t n;
};

struct tw
{
  struct line *lines;
  size_t nlines;
  size_t *widths;
  size_t nwidths;
  int minwidth, padding;
  char padchar;
  struct cli_buf out;
};

static size_t
rune_count (const char *s, size_t n)
{
  size_t r = 0;
  for (size_t i = 0; i < n; i++)
    r += ((unsigned char) s[i] & 0xc0) != 0x80;
  return r;
}

static void
write_lines (struct tw *w, size_t line0, size_t line1)
{
  for (size_t i = line0; i < line1; i++)
    {
      struct line *l = &w->lines[i];
      for (size_t j = 0; j < l->n; j++)
        {
          struct cell *c = &l->cells[j];
          cli_buf_add (&w->out, c->text, c->size);
          if (j < w->nwidths)
            for (size_t k = c->width; k < w->widths[j]; k++)
              cli_buf_add (&w->out, &w->padchar, 1);
        }
      if (i + 1 < w->nlines)
        cli_buf_puts (&w->out, "\n");
    }
}

static size_t
format_block (struct tw *w, size_t line0, size_t line1)
{
  size_t column = w->nwidths;
  for (size_t this = line0; this < line1; this ++)
    {
      if (column + 1 >= w->lines[this].n)
        continue;
      write_lines (w, line0, this);
      line0 = this;
      size_t width = (size_t) w->minwidth;
      for (; this < line1; this ++)
        {
          struct line *l = &w->lines[this];
          if (column + 1 >= l->n)
            break;
          size_t cw = l->cells[column].width + (size_t) w->padding;
          if (cw > width)
            width = cw;
        }
      w->widths = xrealloc (w->widths, (w->nwidths + 1) * sizeof *w->widths);
      w->widths[w->nwidths++] = width;
      format_block (w, line0, this);
      w->nwidths--;
      line0 = this;
    }
  write_lines (w, line0, line1);
  return line1;
}

static void
split_lines (struct tw *w, const char *text)
{
  const char *p = text;
  for (;;)
    {
      const char *nl = strchr (p, '\n');
      const char *end = nl ? nl : p + strlen (p);
      struct line l = { 0 };
      const char *c = p;
      for (;;)
        {
          const char *tab = memchr (c, '\t', (size_t) (end - c));
          const char *ce = tab ? tab : end;
          l.cells = xrealloc (l.cells, (l.n + 1) * sizeof *l.cells);
          l.cells[l.n++] = (struct cell){ c, (size_t) (ce - c), rune_count (c, (size_t) (ce - c)) };
          if (tab == NULL)
            break;
          c = tab + 1;
        }
      w->lines = xrealloc (w->lines, (w->nlines + 1) * sizeof *w->lines);
      w->lines[w->nlines++] = l;
      if (nl == NULL)
        break;
      p = nl + 1;
    }
}

char *
cli_tabwriter_format (const char *text, int minwidth, int padding, char padchar)
{
  struct tw w = { .minwidth = minwidth, .padding = padding, .padchar = padchar };
  split_lines (&w, text);
  cli_buf_add (&w.out, "", 0);
  format_block (&w, 0, w.nlines);
  for (size_t i = 0; i < w.nlines; i++)
    free (w.lines[i].cells);
  free (w.lines);
  free (w.widths);
  return w.out.s;
}
