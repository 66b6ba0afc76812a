/*
 * web_csv.h - the page's CSV downloads (issue 18): the rows of one of its
 * JSON answers (src/daemon/web.c) as CSV, so that a download holds exactly
 * the rows the page shows.
 *
 * The rows are the JSON's top array of objects, or the array member named
 * by the caller of a top object (the other members of that object that are
 * not arrays or objects become columns of every row).  In a row, a member
 * that is an array of objects (a contest's candidates) makes one line per
 * element, its members as columns "member.key" after the row's own; an
 * empty one makes one line with those columns empty.  Other arrays and
 * objects are written as their compact JSON (reals with 15 significant
 * digits, as PostgreSQL wrote them).  Columns are every key met,
 * in the order first met; a row without one leaves it empty.  Numbers and
 * booleans as JSON writes them, null as nothing.
 *
 * The text is UTF-8 with a byte order mark (spreadsheets then read Arabic
 * right), lines end with CRLF (RFC 4180), and a text cell starting with =,
 * +, -, @, a tab or CR gets a leading ' so that no spreadsheet runs it as
 * a formula (an incident's text is an observer's).
 *
 * Ownership: the text returned is the caller's, to free().
 */
#ifndef SAWT_WEB_CSV_H
#define SAWT_WEB_CSV_H

#include <stddef.h>

#include "log.h"

#define WEB_CSV_MAX (64u * 1024 * 1024) /* bytes of CSV at most */

/*
 * Convert json (len bytes) to CSV as above; member names the rows' array
 * of a top object (NULL: the first array of objects).  Returns the text
 * (its length in *out_len), or NULL with a reason in err (cap bytes): not
 * JSON, no rows found, more than WEB_CSV_MAX bytes, out of memory.
 */
char *web_csv_from_json(const char *json, size_t len, const char *member, size_t *out_len,
			char *err, size_t cap) SAWT_MUST_CHECK;

#endif
