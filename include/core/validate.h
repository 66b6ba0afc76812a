/*
 * validate.h - decide a parsed observer message against the registry
 * (DESIGN.md section 4): accepted, accepted with flags, or rejected, with
 * the reply that says so.
 *
 * validate_message() is pure: no I/O, no allocation, no clock of its own;
 * the same snapshot, input and clock give the same verdict.  (It does
 * write the PIN memo of the sender's registry entry: see
 * regsnap_pin_check(); that changes speed, never the verdict.)
 *
 * The verdict names its reply as an enum reply_kind, and the stable
 * snake_case code stored with a rejected report is that kind's code
 * (reply_kind_code()): "station_unknown", "women_exceed_voters", ...  So
 * replies, the database and metrics share one list of codes.
 *
 * What needs the database is not decided here: an identical resend, a
 * cumulative turnout going down, two observers disagreeing (conflict),
 * and a newer report superseding an older one are found by the store
 * (migrations/0005_pipeline.sql) inside the transaction that records the
 * report.  Neither is the sender's PIN lock state, which the pipeline
 * keeps and passes in.
 *
 * Rules, in the order they are checked (the first that fails decides):
 *   1. HELP is answered for anyone; STATUS and ACK need a coordinator.
 *   2. unknown_sender: the phone is not in the registry.
 *   3. pin_locked: the sender's PIN is locked (three wrong PINs).
 *   4. a parse error: its own code (missing_station, bad_number, ...).
 *   5. pin_required / bad_pin: the person has a PIN and the message has
 *      none, or the wrong one.
 *   6. not_coordinator for STATUS and ACK from an observer.
 *   7. station_unknown; station_not_assigned (not the person's station,
 *      nor in one of their areas).
 *   8. per form:
 *      turnout, close: women_exceed_voters; sum_mismatch (men + women !=
 *        voters, or men > voters when women is absent);
 *        voters_exceed_registered; women_exceed_registered_women;
 *      results: bad_contest (the station's ballot has no such contest, or
 *        no contest at all); missing_field (contest, when the ballot has
 *        several and none is named); wrong_count_number (candidates +
 *        invalid + blank); counts_total_mismatch (the counts do not add
 *        up to V); results_exceed_registered;
 *      incident: unknown_incident_code.
 *   A registered figure of 0 means "not known" and is not checked.
 *   9. flags on an accepted report: early (before polls open, for every
 *      form but OPEN), late (after the results deadline).
 */
#ifndef SAWT_VALIDATE_H
#define SAWT_VALIDATE_H

#include <stdbool.h>
#include <stdint.h>

#include "log.h"
#include "parse.h"
#include "regsnap.h"
#include "reply.h"

enum validate_outcome {
	VALIDATE_ACCEPTED = 0,
	VALIDATE_ACCEPTED_FLAGGED,
	VALIDATE_REJECTED,
};

/* Flags of an accepted report.  The store adds its own (see 0005). */
#define VALIDATE_FLAG_EARLY (1u << 0) /* before polls open (not OPEN) */
#define VALIDATE_FLAG_LATE (1u << 1)  /* after the results deadline */
#define VALIDATE_FLAG_COUNT 2

/*
 * The election's clock: when polls open and the results deadline, as Unix
 * times, fixed by validate_clock_init().
 */
struct validate_clock {
	bool has_open;
	int64_t open_at; /* polls open on election day */
	bool has_deadline;
	int64_t deadline_at;
	int polls_open;  /* minutes after midnight, -1 unset */
	long utc_offset; /* seconds east of UTC */
};

/*
 * Fix the clock from the configuration: polls_open (minutes after
 * midnight, -1 unset), results_deadline ("YYYY-MM-DD HH:MM" or with a T,
 * local time; NULL unset) and the election time zone's offset from UTC in
 * seconds.  Election day is the deadline's date, or the day before when
 * the deadline falls before polls open (results due after midnight).
 * Without a deadline the date is unknown and "early" means a local time of
 * day before polls_open.  Returns false when deadline cannot be read.
 */
bool validate_clock_init(struct validate_clock *c, int polls_open, const char *deadline,
			 long utc_offset) SAWT_MUST_CHECK;

struct validate_input {
	const char *sender;          /* E.164, or "" when not a phone number */
	const struct parse_msg *msg; /* parse_message() result */
	int64_t sent_at;             /* when the observer sent it (Unix s) */
	bool pin_locked;             /* the sender's PIN is locked now */
};

struct validate_result {
	enum validate_outcome outcome;
	enum reply_kind reply;                   /* the answer; its code when rejected */
	uint32_t flags;                          /* VALIDATE_FLAG_* */
	struct regsnap_person *person;           /* NULL: unknown sender */
	const struct regsnap_station *station;   /* when known */
	const struct regsnap_contest *contest;   /* results */
	const struct regsnap_incident *incident; /* incident */
	uint32_t sum;                            /* women + men, or the sum of the counts */
	uint32_t expected;                       /* wrong_count_number: counts expected */
	uint32_t registered;                     /* the registered figure exceeded */
};

/*
 * Validate in->msg from in->sender against reg at in->sent_at and fill
 * *out (always fully written).  A report form (open, turnout, close,
 * results, incident) that is not rejected gets its accepted_* reply kind;
 * HELP its help kind; STATUS and ACK from a coordinator REPLY_STATUS and
 * REPLY_ACK, whose answer needs the database (the caller decides).
 */
void validate_message(struct regsnap *reg, const struct validate_clock *clock,
		      const struct validate_input *in, struct validate_result *out);

/* "early", "late"; NULL for an unknown bit. */
const char *validate_flag_name(uint32_t flag);

/* "accepted", "accepted_flagged", "rejected". */
const char *validate_outcome_name(enum validate_outcome outcome);

#endif
