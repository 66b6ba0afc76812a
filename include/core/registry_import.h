/*
 * registry_import.h - validate registry CSV files into typed rows.
 *
 * `sawt import KIND FILE.csv` reads one of four kinds of file:
 *
 *   stations        code,name,region,district,centre,registered,
 *                   registered_women,contests
 *   contests        contest,contest_name,position,candidate
 *   people          phone,name,role,language,stations,areas,pin
 *   incident-codes  code,severity,name_en,name_ar,name_fr
 *
 * The first non-blank line is the header: column names in any order, any
 * case, other columns ignored.  Optional columns (centre, contests;
 * language, stations, areas, pin; any two of name_en, name_ar, name_fr) may
 * be left out.  Fields are trimmed; blank lines are skipped; ';' is
 * accepted as the delimiter when the header uses it.
 *
 * This module checks everything that can be checked without the database
 * and turns each good line into a typed row: numbers parsed (Arabic-Indic
 * digits accepted), phones normalised to E.164, pseudonyms computed, PINs
 * hashed.  Every problem of every line is recorded as "line N: reason";
 * the caller imports nothing when there is any.  Checks that need the
 * database (a station's contests exist, a person's stations and areas
 * exist) are made by store_import, which adds its errors here.
 *
 * Ownership: a struct registry_import owns every row and string it hands
 * out; they live until registry_import_free().
 */
#ifndef SAWT_REGISTRY_IMPORT_H
#define SAWT_REGISTRY_IMPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "log.h"
#include "phone.h"

enum registry_kind {
	REGISTRY_STATIONS,
	REGISTRY_CONTESTS,
	REGISTRY_PEOPLE,
	REGISTRY_INCIDENT_CODES,
};

enum registry_role {
	REGISTRY_ROLE_OBSERVER,
	REGISTRY_ROLE_COORDINATOR,
};

enum registry_severity {
	REGISTRY_SEVERITY_INFO,
	REGISTRY_SEVERITY_SERIOUS,
	REGISTRY_SEVERITY_CRITICAL,
};

/* Longest text value (names), in characters. */
#define REGISTRY_TEXT_MAX 200
/* Longest station code, in digits. */
#define REGISTRY_CODE_MAX 10

/* A '|'-separated list, items trimmed, empty items dropped. */
struct registry_list {
	const char **items;
	size_t n;
};

struct registry_station {
	unsigned line;
	const char *code; /* ASCII digits */
	const char *name;
	const char *region;
	const char *district; /* NULL: the station is in the region */
	const char *centre;   /* NULL when empty */
	int registered;
	int registered_women;
	struct registry_list contests; /* contest codes, upper-case */
};

/* One line of a contests file: one candidate of one contest. */
struct registry_candidate {
	unsigned line;
	const char *contest; /* contest code: A-Z then A-Z0-9, <= 16 */
	const char *contest_name;
	int position; /* ballot order, 1..n */
	const char *name;
};

struct registry_person {
	unsigned line;
	char phone[PHONE_E164_BUF]; /* E.164 */
	const char *name;
	enum registry_role role;
	const char *language;          /* "ar", "en", "fr" or NULL */
	struct registry_list stations; /* station codes, ASCII digits */
	struct registry_list areas;    /* area names or "Region/District" */
	const char *pin_hash;          /* NULL: no PIN in the file */
	char pseudonym[PHONE_PSEUDONYM_BUF];
};

struct registry_incident_code {
	unsigned line;
	int code; /* 1..9999 */
	enum registry_severity severity;
	const char *name_en; /* NULL when empty; at least one set */
	const char *name_ar;
	const char *name_fr;
};

struct registry_options {
	const char *country_code;     /* for local phone forms; may be NULL */
	const char *pseudonym_secret; /* required for people */
	int pin_iterations;           /* 0: PIN_ITERATIONS (pin.h) */
};

struct registry_import;

/*
 * Create an import of kind.  The option strings are copied.  Returns NULL
 * when out of memory.
 */
struct registry_import *registry_import_new(enum registry_kind kind,
					    const struct registry_options *opt) SAWT_MUST_CHECK;

/* Free imp, its rows and errors; NULL is a no-op. */
void registry_import_free(struct registry_import *imp);

/*
 * Validate the CSV file in buf (len bytes, UTF-8) and keep its good rows.
 * Call once per import.  Returns false only when out of memory; bad lines
 * are not a failure of the call: see registry_import_n_errors().
 */
bool registry_import_csv(struct registry_import *imp, const char *buf, size_t len) SAWT_MUST_CHECK;

enum registry_kind registry_import_kind(const struct registry_import *imp);

/*
 * True when the file was read and every error so far is a row refused on
 * its own (its good rows kept; no CSV, header or cross-row error), so the
 * checks that need the database can still be run on the good rows and
 * reported with the others in one pass.
 */
bool registry_import_rows_checkable(const struct registry_import *imp);

/* Errors so far, ordered by line (line 0, for the whole file, first). */
size_t registry_import_n_errors(const struct registry_import *imp);

/* The i-th error, "line N: reason" (or just "reason" for line 0). */
const char *registry_import_error(const struct registry_import *imp, size_t i);

/* The line of the i-th error (0 for the whole file). */
unsigned registry_import_error_line(const struct registry_import *imp, size_t i);

/*
 * Record an error about line (0: the whole file).  Used by store_import for
 * the checks that need the database.  Returns false when out of memory.
 */
bool registry_import_add_error(struct registry_import *imp, unsigned line, const char *fmt, ...)
	SAWT_PRINTF(3, 4) SAWT_MUST_CHECK;

/* The number of good rows so far. */
size_t registry_import_n_rows(const struct registry_import *imp);

/*
 * The good rows, in file order; *n gets their number.  Each returns NULL
 * (and *n = 0) when imp is of another kind.
 */
const struct registry_station *registry_import_stations(const struct registry_import *imp,
							size_t *n);
const struct registry_candidate *registry_import_candidates(const struct registry_import *imp,
							    size_t *n);
const struct registry_person *registry_import_people(const struct registry_import *imp, size_t *n);
const struct registry_incident_code *
registry_import_incident_codes(const struct registry_import *imp, size_t *n);

/* "stations", "contests", "people", "incident-codes". */
const char *registry_kind_name(enum registry_kind kind);

/* Parse a kind name (as above; "incident_codes" too).  False if unknown. */
bool registry_kind_parse(const char *name, enum registry_kind *out) SAWT_MUST_CHECK;

/* "observer", "coordinator". */
const char *registry_role_name(enum registry_role role);

/* "info", "serious", "critical". */
const char *registry_severity_name(enum registry_severity severity);

#endif
