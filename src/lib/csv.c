/*
 * csv.c - an RFC 4180 CSV reader over a buffer; see csv.h.
 */
#include "csv.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "strbuf.h"

/* Per-call state of csv_read(). */
struct csv_state {
	struct csv_reader *r;
	struct csv_record *rec;
	size_t out;    /* bytes of rec->buf used */
	bool bad;      /* an error was recorded */
	bool overflow; /* rec->buf or rec->fields is full */
};

static void fail(struct csv_state *st, const char *fmt, ...) SAWT_PRINTF(2, 3);

static void fail(struct csv_state *st, const char *fmt, ...)
{
	va_list ap;

	if (st->bad)
		return;
	st->bad = true;
	va_start(ap, fmt);
	vsnprintf(st->rec->err, sizeof(st->rec->err), fmt, ap);
	va_end(ap);
}

static void emit(struct csv_state *st, char c)
{
	if (st->overflow)
		return;
	if (st->out >= st->rec->buf_size) {
		st->overflow = true;
		fail(st, "record longer than %zu bytes", st->rec->buf_size);
		return;
	}
	st->rec->buf[st->out++] = c;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Length of the line break at pos: 2 for CRLF, 1 for LF or CR, else 0. */
static size_t eol_len(const struct csv_reader *r, size_t pos)
{
	if (pos >= r->len)
		return 0;
	if (r->buf[pos] == '\n')
		return 1;
	if (r->buf[pos] != '\r')
		return 0;
	return (pos + 1 < r->len && r->buf[pos + 1] == '\n') ? 2 : 1;
}

static bool at_field_end(const struct csv_reader *r)
{
	return r->pos >= r->len || r->buf[r->pos] == r->delim || eol_len(r, r->pos) > 0;
}

static void read_unquoted(struct csv_state *st)
{
	struct csv_reader *r = st->r;

	while (!at_field_end(r)) {
		if (r->buf[r->pos] == '\0')
			fail(st, "NUL byte in field %zu", st->rec->n_fields);
		emit(st, r->buf[r->pos]);
		r->pos++;
	}
}

static void read_quoted(struct csv_state *st)
{
	struct csv_reader *r = st->r;
	unsigned start_line = r->line;
	size_t n;

	r->pos++; /* the opening quote */
	for (;;) {
		if (r->pos >= r->len) {
			fail(st, "unterminated quoted field starting on line %u", start_line);
			return;
		}
		if (r->buf[r->pos] == '"') {
			if (r->pos + 1 < r->len && r->buf[r->pos + 1] == '"') {
				emit(st, '"');
				r->pos += 2;
				continue;
			}
			r->pos++;
			while (r->pos < r->len && is_blank(r->buf[r->pos]) &&
			       r->buf[r->pos] != r->delim)
				r->pos++; /* blanks after the closing quote */
			break;
		}
		n = eol_len(r, r->pos);
		if (n > 0) {
			for (size_t i = 0; i < n; i++)
				emit(st, r->buf[r->pos + i]);
			r->pos += n;
			r->line++;
			continue;
		}
		if (r->buf[r->pos] == '\0')
			fail(st, "NUL byte in field %zu", st->rec->n_fields);
		emit(st, r->buf[r->pos]);
		r->pos++;
	}
	if (!at_field_end(r)) {
		fail(st, "unexpected character after closing quote in field %zu",
		     st->rec->n_fields);
		read_unquoted(st); /* keep going to the field's end */
	}
}

/*
 * True when the field at r->pos is quoted, possibly after blanks (which
 * are then skipped): people type `a, "b, c"`.
 */
static bool quote_ahead(struct csv_reader *r)
{
	size_t p = r->pos;

	while (p < r->len && is_blank(r->buf[p]) && r->buf[p] != r->delim)
		p++;
	if (p >= r->len || r->buf[p] != '"')
		return false;
	r->pos = p;
	return true;
}

static void read_field(struct csv_state *st)
{
	struct csv_record *rec = st->rec;
	struct csv_field *f = NULL;
	size_t start = st->out;
	bool quoted;

	if (rec->n_fields < rec->max_fields)
		f = &rec->fields[rec->n_fields];
	else
		fail(st, "more than %zu fields", rec->max_fields);
	rec->n_fields++;
	quoted = quote_ahead(st->r);
	if (quoted)
		read_quoted(st);
	else
		read_unquoted(st);
	if (f != NULL) {
		f->quoted = quoted;
		f->str = rec->buf + start;
		f->len = st->out - start;
	}
	emit(st, '\0');
}

void csv_init(struct csv_reader *r, const char *buf, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->buf = buf;
	r->len = len;
	r->line = 1;
	r->delim = ',';
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		r->pos = 3;
	else if (len >= 2 && (memcmp(buf, "\xFF\xFE", 2) == 0 || memcmp(buf, "\xFE\xFF", 2) == 0))
		r->utf16 = true;
}

enum csv_status csv_read(struct csv_reader *r, struct csv_record *rec)
{
	struct csv_state st = { .r = r, .rec = rec };
	size_t n;

	rec->n_fields = 0;
	rec->line = r->line;
	rec->err[0] = '\0';
	if (r->utf16 && r->pos < r->len) {
		r->pos = r->len;
		snprintf(rec->err, sizeof(rec->err), "file is UTF-16: save it as \"CSV UTF-8\"");
		return CSV_ERROR;
	}
	if (r->pos >= r->len)
		return CSV_EOF;
	for (;;) {
		read_field(&st);
		if (r->pos >= r->len)
			break;
		if (r->buf[r->pos] == r->delim) {
			r->pos++;
			continue;
		}
		n = eol_len(r, r->pos);
		r->pos += n;
		r->line++;
		break;
	}
	if (st.bad) {
		rec->n_fields = 0;
		return CSV_ERROR;
	}
	return CSV_RECORD;
}

bool csv_record_blank(const struct csv_record *rec)
{
	for (size_t i = 0; i < rec->n_fields; i++)
		if (rec->fields[i].len > 0)
			return false;
	return true;
}

void csv_put_field(struct strbuf *sb, const char *s, size_t n)
{
	bool quote = n > 0 && s[0] == ' ';

	for (size_t i = 0; i < n && !quote; i++)
		quote = s[i] == ',' || s[i] == ';' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
	if (!quote) {
		strbuf_append(sb, s, n);
		return;
	}
	strbuf_puts(sb, "\"");
	for (size_t i = 0; i < n; i++)
		strbuf_append(sb, s[i] == '"' ? "\"\"" : &s[i], s[i] == '"' ? 2 : 1);
	strbuf_puts(sb, "\"");
}
