/*
 * store_rows.h - the rows of one query, for the command line to print.
 *
 * The store layer keeps libpq to itself: a command gets its rows as text
 * through this opaque type (values NULL for SQL NULL), and a failed query
 * as one message, the server's own words (with its hint as a second
 * sentence when there is one).
 */
#ifndef SAWT_STORE_ROWS_H
#define SAWT_STORE_ROWS_H

#include <stdbool.h>
#include <stddef.h>

#include "log.h"

struct store_rows;

/* Number of rows. */
int store_rows_count(const struct store_rows *rows);

/* The text of a value; NULL for SQL NULL or out of range. */
const char *store_rows_value(const struct store_rows *rows, int row, int col);

/* Free the rows; NULL is a no-op. */
void store_rows_free(struct store_rows *rows);

#endif
