/*
 * fuzz_web_csv.c - fuzz the page's JSON-to-CSV downloads (web_csv.c).
 *
 * Every input is converted as the rows of a top array or of a top
 * object's first array of objects, and as a named member.  A refusal must
 * say why; a CSV must start with the byte order mark, end its lines with
 * CRLF, and read back with the CSV reader as records of exactly as many
 * fields as its header, none starting with a formula character.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "web_csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const char *csv, size_t n)
{
	static char buf[1 << 20];
	static struct csv_field fields[256];
	struct csv_record rec = {
		.buf = buf, .buf_size = sizeof(buf), .fields = fields, .max_fields = 256
	};
	struct csv_reader rd;
	size_t want = 0;
	bool first = true;

	if (n < 5 || memcmp(csv, "\xef\xbb\xbf", 3) != 0 || memcmp(csv + n - 2, "\r\n", 2) != 0)
		abort();
	csv_init(&rd, csv, n);
	for (;;) {
		enum csv_status st = csv_read(&rd, &rec);

		if (st == CSV_EOF)
			break;
		if (st == CSV_ERROR)
			return; /* a record over the test's buffers */
		if (first) {
			want = rec.n_fields;
			first = false;
			continue;
		}
		if (rec.n_fields != want)
			abort();
		for (size_t i = 0; i < rec.n_fields; i++)
			if (rec.fields[i].str[0] == '=' || rec.fields[i].str[0] == '@' ||
			    rec.fields[i].str[0] == '+')
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const members[] = { NULL, "points" };
	char err[256];

	for (size_t m = 0; m < 2; m++) {
		size_t n = 0;
		char *csv = web_csv_from_json((const char *)data, size, members[m], &n, err,
					      sizeof(err));

		if (csv == NULL) {
			if (err[0] == '\0')
				abort();
			continue;
		}
		check(csv, n);
		free(csv);
	}
	return 0;
}
