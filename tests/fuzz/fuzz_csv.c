/*
 * fuzz_csv.c - fuzz the CSV reader.
 *
 * The input is read with a small record buffer (so "record too long" and
 * "too many fields" are reached) with ',' and, when the first byte is odd,
 * ';'.  Checks: every field lies in the record buffer and is NUL-terminated
 * at its length, line numbers never go down, every call consumes input or
 * ends.  Each good record is then written back with every field quoted and
 * read again: the fields must come back identical.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BUF 512
#define MAXF 16

static void check_record(const struct csv_record *rec)
{
	for (size_t i = 0; i < rec->n_fields; i++) {
		const struct csv_field *f = &rec->fields[i];

		if (f->str < rec->buf || f->str + f->len >= rec->buf + rec->buf_size ||
		    f->str[f->len] != '\0' || memchr(f->str, '\0', f->len) != NULL)
			abort();
	}
}

/* Write rec quoted into out; returns its length (0 if it does not fit). */
static size_t write_quoted(const struct csv_record *rec, char delim, char *out, size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; i < rec->n_fields; i++) {
		const struct csv_field *f = &rec->fields[i];

		if (n + 2 * f->len + 4 > cap)
			return 0;
		if (i > 0)
			out[n++] = delim;
		out[n++] = '"';
		for (size_t j = 0; j < f->len; j++) {
			if (f->str[j] == '"')
				out[n++] = '"';
			out[n++] = f->str[j];
		}
		out[n++] = '"';
	}
	out[n++] = '\n';
	return n;
}

static void round_trip(const struct csv_record *rec, char delim)
{
	static char text[4 * BUF + 64], buf2[BUF];
	struct csv_field fields2[MAXF];
	struct csv_record rec2 = {
		.buf = buf2, .buf_size = BUF, .fields = fields2, .max_fields = MAXF
	};
	struct csv_reader r2;
	size_t n = write_quoted(rec, delim, text, sizeof(text));

	if (n == 0)
		return;
	csv_init(&r2, text, n);
	r2.delim = delim;
	if (csv_read(&r2, &rec2) != CSV_RECORD || rec2.n_fields != rec->n_fields)
		abort();
	for (size_t i = 0; i < rec->n_fields; i++)
		if (fields2[i].len != rec->fields[i].len || !fields2[i].quoted ||
		    memcmp(fields2[i].str, rec->fields[i].str, rec->fields[i].len) != 0)
			abort();
	if (csv_read(&r2, &rec2) != CSV_EOF)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[BUF];
	struct csv_field fields[MAXF];
	struct csv_record rec = {
		.buf = buf, .buf_size = BUF, .fields = fields, .max_fields = MAXF
	};
	struct csv_reader r;
	enum csv_status st;
	unsigned last_line = 1;
	size_t last_pos;

	csv_init(&r, (const char *)data, size);
	if (size > 0 && (data[0] & 1))
		r.delim = ';';
	for (;;) {
		last_pos = r.pos;
		st = csv_read(&r, &rec);
		if (st == CSV_EOF)
			break;
		if (r.pos <= last_pos || r.pos > size || rec.line < last_line || r.line < rec.line)
			abort();
		last_line = rec.line;
		if (st == CSV_ERROR) {
			if (rec.err[0] == '\0' || rec.n_fields != 0)
				abort();
			continue;
		}
		check_record(&rec);
		round_trip(&rec, r.delim);
	}
	return 0;
}
