/*
 * regsnap.h - one immutable snapshot of the election registry in memory.
 *
 * A snapshot holds what validation needs to decide a message without
 * asking the database: stations by code (registered voters and women,
 * area, contests on the ballot), people by E.164 phone (role, language,
 * PIN hash, assigned stations and areas), the area tree, contests with
 * their number of candidates, and incident codes with their severity.
 *
 * It is built in two steps: regsnap_add_*() in any order (ids are the
 * database's), then regsnap_finish(), which indexes everything and checks
 * that references resolve.  Lookups are valid only after regsnap_finish().
 * registry.c builds snapshots from the database; unit tests build them by
 * hand.
 *
 * The only thing that changes in a finished snapshot is each person's PIN
 * memo (see regsnap_pin_check()), so the pipeline hands validation a
 * non-const snapshot.
 *
 * Ownership: the snapshot owns everything it returns; pointers stay valid
 * until regsnap_free().
 */
#ifndef SAWT_REGSNAP_H
#define SAWT_REGSNAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checklist.h"
#include "lang.h"
#include "log.h"
#include "phone.h"
#include "registry_import.h"

#define REGSNAP_CONTEST_MAX 16 /* bytes of a contest code */
#define REGSNAP_STATION_MAX 10 /* digits of a station code */

struct regsnap_area {
	int id;
	int parent_id;    /* 0 for a root */
	const char *name; /* NULL when not known */
};

struct regsnap_contest {
	int id;
	char code[REGSNAP_CONTEST_MAX + 1];
	int n_candidates;
};

struct regsnap_station {
	int id;
	char code[REGSNAP_STATION_MAX + 1];
	int area_id;
	int registered;
	int registered_women;
	const struct regsnap_contest **contests; /* on the ballot, by id */
	size_t n_contests;
};

struct regsnap_person {
	int id;
	char phone[PHONE_E164_BUF];
	char *name;
	enum registry_role role;
	int lang;            /* enum lang, or -1 when not registered */
	char *pin_hash;      /* NULL: no PIN */
	const int *stations; /* station ids, sorted */
	size_t n_stations;
	const int *areas; /* area ids, sorted */
	size_t n_areas;
	/* PIN memo: SHA-256 of pin_hash and the last PIN that verified */
	unsigned char pin_memo[32];
	bool pin_memo_set;
};

struct regsnap_incident {
	int code;
	enum registry_severity severity;
	const char *names[LANG_COUNT]; /* by enum lang; NULL when not given */
};

struct regsnap;

/* Create an empty snapshot.  NULL when out of memory. */
struct regsnap *regsnap_new(void) SAWT_MUST_CHECK;

/* Free a snapshot and everything it owns; NULL is a no-op. */
void regsnap_free(struct regsnap *s);

/*
 * Add rows.  Strings are copied.  Each returns false when out of memory or
 * when a value cannot be stored (a code too long, a phone not in E.164
 * buffer size); the snapshot should then be dropped.
 */
bool regsnap_add_area(struct regsnap *s, int id, int parent_id) SAWT_MUST_CHECK;
/* An area with its name (may be NULL), for the texts of alerts. */
bool regsnap_add_area_named(struct regsnap *s, int id, int parent_id,
			    const char *name) SAWT_MUST_CHECK;
bool regsnap_add_contest(struct regsnap *s, int id, const char *code,
			 int n_candidates) SAWT_MUST_CHECK;
bool regsnap_add_station(struct regsnap *s, int id, const char *code, int area_id, int registered,
			 int registered_women) SAWT_MUST_CHECK;
bool regsnap_add_station_contest(struct regsnap *s, int station_id, int contest_id) SAWT_MUST_CHECK;
/* lang: an enum lang, or -1; pin_hash and name may be NULL. */
bool regsnap_add_person(struct regsnap *s, int id, const char *phone, const char *name,
			enum registry_role role, int lang, const char *pin_hash) SAWT_MUST_CHECK;
bool regsnap_add_person_station(struct regsnap *s, int person_id, int station_id) SAWT_MUST_CHECK;
bool regsnap_add_person_area(struct regsnap *s, int person_id, int area_id) SAWT_MUST_CHECK;
bool regsnap_add_incident(struct regsnap *s, int code,
			  enum registry_severity severity) SAWT_MUST_CHECK;
/* An incident code with its names by enum lang (entries may be NULL or ""),
 * for the USSD menu. */
bool regsnap_add_incident_named(struct regsnap *s, int code, enum registry_severity severity,
				const char *const names[LANG_COUNT]) SAWT_MUST_CHECK;

/*
 * Add the current version of a checklist form: its code, version and
 * canonical definition (checklist.h), as sawt.checklist_current holds
 * them.  regsnap_finish() reads them into the snapshot's checklist set; a
 * definition that does not read is dropped (counted in regsnap_dropped()).
 * Returns false only when out of memory.
 */
bool regsnap_add_checklist(struct regsnap *s, const char *code, int version,
			   const char *definition) SAWT_MUST_CHECK;

/*
 * Record that station_id has stored answers to the questions codes
 * (space-separated) of form, as sawt.checklist_current_answers holds them.
 * Returns false only when out of memory.
 */
bool regsnap_add_checklist_answered(struct regsnap *s, int station_id, const char *form,
				    const char *codes) SAWT_MUST_CHECK;

/*
 * The memo of the questions of form f (one of regsnap_checklists()) that
 * station st has answered: bit i for question i, loaded from the stored
 * answers and updated by the decision step as messages are accepted, so a
 * reply can name what is still missing.  NULL when st or f is not the
 * snapshot's.
 */
uint64_t *regsnap_checklist_answered(struct regsnap *s, const struct regsnap_station *st,
				     const struct checklist_form *f);

/* The checklist forms of a finished snapshot (read only), or NULL when none. */
const struct checklist_set *regsnap_checklists(const struct regsnap *s);

/*
 * Index the snapshot.  Assignments and ballot entries that name a station,
 * person, contest or area that is not in the snapshot are dropped (and
 * counted: see regsnap_dropped()); so are rows whose id or key repeats.
 * Returns false only when out of memory.
 */
bool regsnap_finish(struct regsnap *s) SAWT_MUST_CHECK;

/* Rows dropped by regsnap_finish(). */
size_t regsnap_dropped(const struct regsnap *s);

/* Counts, for logs and metrics. */
size_t regsnap_n_stations(const struct regsnap *s);
size_t regsnap_n_people(const struct regsnap *s);
size_t regsnap_n_areas(const struct regsnap *s);

/* The i-th person or area (after regsnap_finish(), by id), i below the
 * count: for walking every one (alert routing). */
const struct regsnap_person *regsnap_person_at(const struct regsnap *s, size_t i);
const struct regsnap_area *regsnap_area_at(const struct regsnap *s, size_t i);

/* The incident codes (after regsnap_finish(), by code), i below the count. */
size_t regsnap_n_incidents(const struct regsnap *s);
const struct regsnap_incident *regsnap_incident_at(const struct regsnap *s, size_t i);

/* Lookups (after regsnap_finish()); NULL when absent. */
const struct regsnap_station *regsnap_station(const struct regsnap *s, const char *code);
const struct regsnap_station *regsnap_station_by_id(const struct regsnap *s, int id);
struct regsnap_person *regsnap_person(struct regsnap *s, const char *e164);
const struct regsnap_area *regsnap_area(const struct regsnap *s, int id);
const struct regsnap_incident *regsnap_incident(const struct regsnap *s, int code);

/*
 * The contest of station whose code is code (ASCII letters compared
 * without regard to case), or NULL when the station's ballot has none.
 */
const struct regsnap_contest *regsnap_station_contest(const struct regsnap_station *st,
						      const char *code);

/*
 * True when person may report for station: the station is assigned to
 * them, or lies in an area assigned to them or below one.
 */
bool regsnap_assigned(const struct regsnap *s, const struct regsnap_person *p,
		      const struct regsnap_station *st);

/*
 * True when pin is p's PIN.  A PBKDF2 verification costs milliseconds, so
 * the last PIN that verified is remembered (as a SHA-256 digest with the
 * hash, never in clear) and the next message with the same PIN costs one
 * SHA-256.  False for a person without a PIN hash.
 */
bool regsnap_pin_check(struct regsnap_person *p, const char *pin) SAWT_MUST_CHECK;

#endif
