/*
 * report_json.h - the JSON form of a parsed observer message
 * (docs/parse-json.md), written with the helper layer's JSON writer.
 */
#ifndef SAWT_REPORT_JSON_H
#define SAWT_REPORT_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "json.h"
#include "log.h"
#include "parse.h"

/* Room always enough for report_json() of a message of PARSE_MAX_BYTES. */
#define REPORT_JSON_MAX 16384

/* The voters, women and men a message gives, as "voters", "women", "men"
 * (each only when present).  Shared by `sawt parse` and the pipeline. */
void report_json_turnout(struct json_buf *j, const struct parse_msg *msg);

/*
 * Write the members of the parse result msg of the message input (len
 * bytes) into j, in the order and with the names of docs/parse-json.md;
 * members that do not apply are left out.  With detail, a human sentence
 * ("detail") is added to errors.  The caller writes the braces, so it can
 * add members of its own.
 */
void report_json(struct json_buf *j, const struct parse_msg *msg, const char *input, size_t len,
		 bool detail);

#endif
