/*
 * csv.h - an RFC 4180 CSV reader over a buffer, and a field writer.
 *
 * Reads one record at a time from a buffer the caller keeps alive.  Fields
 * may be quoted ("a, b"), with "" for a quote inside quotes and line breaks
 * inside quotes.  Records end with CRLF, LF or a lone CR (old spreadsheet
 * exports); the last record needs no line break.  A UTF-8 byte order mark
 * at the start is skipped; a UTF-16 one is an error (the file must be
 * re-saved as UTF-8).  The delimiter is ',' unless the caller sets another
 * (';', as spreadsheets in French locales write).
 *
 * Nothing is allocated: each field is copied, unquoted and NUL-terminated,
 * into a buffer the caller gives in struct csv_record.  Two leniencies
 * beyond RFC 4180, for hand-written files: blanks (spaces, tabs) around a
 * quoted field are dropped (a, "b, c" ,d), and a quote inside an unquoted
 * field (ab"c) is kept as a literal character.
 *
 * Errors are per record: csv_read() reports the record as bad, with its
 * line and a message, then carries on after it, so the caller can list
 * every bad record of a file.
 */
#ifndef SAWT_CSV_H
#define SAWT_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "log.h"

#define CSV_ERR_MAX 160

struct csv_reader {
	const char *buf;
	size_t len;
	size_t pos;    /* next byte to read */
	unsigned line; /* line number of buf[pos], from 1 */
	char delim;    /* field delimiter, ',' by default */
	bool utf16;    /* the buffer starts with a UTF-16 BOM */
};

struct csv_field {
	char *str;   /* NUL-terminated copy inside csv_record.buf */
	size_t len;  /* bytes, not counting the NUL */
	bool quoted; /* the field was written in quotes */
};

/*
 * Storage for one record, owned by the caller: buf (buf_size bytes) holds
 * the field texts, fields (max_fields entries) describes them.  csv_read()
 * fills n_fields, line and, on error, err.
 */
struct csv_record {
	char *buf;
	size_t buf_size;
	struct csv_field *fields;
	size_t max_fields;

	size_t n_fields;
	unsigned line;         /* line on which the record starts */
	char err[CSV_ERR_MAX]; /* set when csv_read() returns CSV_ERROR */
};

enum csv_status {
	CSV_EOF = 0, /* no more records */
	CSV_RECORD,  /* a record was read */
	CSV_ERROR,   /* a bad record; rec->line and rec->err say why */
};

/* Start reading buf (len bytes), skipping a UTF-8 BOM.  buf is not copied. */
void csv_init(struct csv_reader *r, const char *buf, size_t len);

/*
 * Read the next record into rec.  Bad records (unterminated quote, text
 * after a closing quote, NUL byte, more than rec->max_fields fields, fields
 * longer than rec->buf_size allows) return CSV_ERROR with rec->err set, and
 * reading resumes after that record.  A blank line is a record of one empty
 * field (see csv_record_blank()).
 */
enum csv_status csv_read(struct csv_reader *r, struct csv_record *rec) SAWT_MUST_CHECK;

/* True when every field of rec is empty (a blank line, or only commas). */
bool csv_record_blank(const struct csv_record *rec);

struct strbuf;

/*
 * Append s (n bytes) to sb as one field: quoted when it holds a comma, a
 * semicolon, a quote, CR or LF, or starts with a space; quotes doubled.
 * The reader above reads it back as it was.
 */
void csv_put_field(struct strbuf *sb, const char *s, size_t n);

#endif
