/*
 * test_validate.c - registry validation (validate.c) against a hand-built
 * registry snapshot (regsnap.c): every rule accepted and rejected, the
 * election clock, PIN memo, and snapshot indexing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <time.h>

#include "parse.h"
#include "pin.h"
#include "regsnap.h"
#include "registry_import.h"
#include "reply.h"
#include "validate.h"

#define OBS "+9613123456"    /* observer of 1021 and 2001, no PIN */
#define PINNED "+9613123457" /* observer of 1021, PIN 4321 */
#define COORD "+9613000001"  /* coordinator of region 1 */
#define LONELY "+9613000002" /* observer with no assignment */

static struct regsnap *snap;
static struct validate_clock no_clock;

static int setup(void **state)
{
	char hash[PIN_HASH_BUF];
	bool ok;

	(void)state;
	snap = regsnap_new();
	ok = snap != NULL && pin_hash("4321", 1000, hash, sizeof(hash)) &&
	     regsnap_add_area(snap, 1, 0) && regsnap_add_area(snap, 2, 1) &&
	     regsnap_add_area(snap, 3, 0) && regsnap_add_contest(snap, 10, "COUNCIL", 3) &&
	     regsnap_add_contest(snap, 11, "Mayor", 2) &&
	     regsnap_add_station(snap, 100, "1021", 2, 1000, 500) &&
	     regsnap_add_station(snap, 101, "1022", 2, 800, 400) &&
	     regsnap_add_station(snap, 102, "2001", 3, 0, 0) &&
	     regsnap_add_station_contest(snap, 100, 10) &&
	     regsnap_add_station_contest(snap, 101, 10) &&
	     regsnap_add_station_contest(snap, 101, 11) &&
	     regsnap_add_person(snap, 1, OBS, "Rania", REGISTRY_ROLE_OBSERVER, LANG_EN, NULL) &&
	     regsnap_add_person(snap, 2, PINNED, "Omar", REGISTRY_ROLE_OBSERVER, -1, hash) &&
	     regsnap_add_person(snap, 3, COORD, "Lina", REGISTRY_ROLE_COORDINATOR, LANG_AR, NULL) &&
	     regsnap_add_person(snap, 4, LONELY, NULL, REGISTRY_ROLE_OBSERVER, -1, NULL) &&
	     regsnap_add_person_station(snap, 1, 100) && regsnap_add_person_station(snap, 1, 102) &&
	     regsnap_add_person_station(snap, 2, 100) && regsnap_add_person_area(snap, 3, 1) &&
	     regsnap_add_incident(snap, 3, REGISTRY_SEVERITY_SERIOUS) && regsnap_finish(snap) &&
	     validate_clock_init(&no_clock, -1, NULL, 0);
	return ok ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	regsnap_free(snap);
	return 0;
}

/* Parse text and validate it from sender at time t with the given clock. */
static struct validate_result check_at(const char *sender, const char *text, int64_t t,
				       const struct validate_clock *clock, bool locked)
{
	static struct parse_msg msg;
	struct validate_input in = { sender, &msg, t, locked };
	struct validate_result r;

	if (!parse_message(text, strlen(text), LANG_EN, &msg)) {
		/* a parse error is validated too */
	}
	validate_message(snap, clock, &in, &r);
	return r;
}

static struct validate_result check(const char *sender, const char *text)
{
	return check_at(sender, text, 1700000000, &no_clock, false);
}

#define assert_verdict(r, out, kind) \
	do { \
		struct validate_result r_ = (r); \
		assert_int_equal(r_.outcome, (out)); \
		assert_string_equal(reply_kind_code(r_.reply), reply_kind_code(kind)); \
	} while (0)

static void test_help_needs_no_registration(void **state)
{
	(void)state;
	assert_verdict(check("+9617000000", "HELP"), VALIDATE_ACCEPTED, REPLY_HELP);
	assert_verdict(check("", "HELP"), VALIDATE_ACCEPTED, REPLY_HELP);
}

static void test_unknown_sender(void **state)
{
	(void)state;
	assert_verdict(check("+9617000000", "T 1021 V420 W190"), VALIDATE_REJECTED,
		       REPLY_UNKNOWN_SENDER);
	/* even before a parse error: the sender is checked first */
	assert_verdict(check("+9617000000", "T 1021 V"), VALIDATE_REJECTED, REPLY_UNKNOWN_SENDER);
	assert_verdict(check("", "T 1021 V4"), VALIDATE_REJECTED, REPLY_UNKNOWN_SENDER);
}

static void test_turnout_accepted(void **state)
{
	struct validate_result r = check(OBS, "T 1021 V420 W190");

	(void)state;
	assert_verdict(r, VALIDATE_ACCEPTED, REPLY_ACCEPTED_TURNOUT);
	assert_non_null(r.person);
	assert_int_equal(r.person->id, 1);
	assert_non_null(r.station);
	assert_int_equal(r.station->id, 100);
	assert_int_equal(r.flags, 0);
}

static void test_parse_error_passes_through(void **state)
{
	(void)state;
	assert_verdict(check(OBS, "T 1021 V"), VALIDATE_REJECTED, REPLY_MISSING_NUMBER);
	assert_verdict(check(OBS, "X 1021"), VALIDATE_REJECTED, REPLY_UNKNOWN_KEYWORD);
}

static void test_station_rules(void **state)
{
	(void)state;
	assert_verdict(check(OBS, "T 9999 V1"), VALIDATE_REJECTED, REPLY_STATION_UNKNOWN);
	assert_verdict(check(OBS, "T 1022 V1"), VALIDATE_REJECTED, REPLY_STATION_NOT_ASSIGNED);
	assert_verdict(check(LONELY, "T 1021 V1"), VALIDATE_REJECTED, REPLY_STATION_NOT_ASSIGNED);
	/* an area covers the stations of the areas below it */
	assert_verdict(check(COORD, "T 1022 V10"), VALIDATE_ACCEPTED, REPLY_ACCEPTED_TURNOUT);
	assert_verdict(check(COORD, "T 2001 V10"), VALIDATE_REJECTED, REPLY_STATION_NOT_ASSIGNED);
}

static void test_pin(void **state)
{
	struct regsnap_person *p = regsnap_person(snap, PINNED);

	(void)state;
	assert_non_null(p);
	assert_verdict(check(PINNED, "T 1021 V10"), VALIDATE_REJECTED, REPLY_PIN_REQUIRED);
	assert_verdict(check(PINNED, "T 1021 V10 #1111"), VALIDATE_REJECTED, REPLY_BAD_PIN);
	assert_false(p->pin_memo_set);
	assert_verdict(check(PINNED, "#4321 T 1021 V10"), VALIDATE_ACCEPTED,
		       REPLY_ACCEPTED_TURNOUT);
	assert_true(p->pin_memo_set);
	/* the memo answers the next one; a wrong PIN still fails */
	assert_verdict(check(PINNED, "T 1021 V11 #4321"), VALIDATE_ACCEPTED,
		       REPLY_ACCEPTED_TURNOUT);
	assert_verdict(check(PINNED, "T 1021 V11 #43210"), VALIDATE_REJECTED, REPLY_BAD_PIN);
	/* locked: even the right PIN is refused */
	assert_verdict(check_at(PINNED, "T 1021 V12 #4321", 1700000000, &no_clock, true),
		       VALIDATE_REJECTED, REPLY_PIN_LOCKED);
	/* a person without a PIN has nothing to lock */
	assert_verdict(check_at(OBS, "T 1021 V12", 1700000000, &no_clock, true), VALIDATE_ACCEPTED,
		       REPLY_ACCEPTED_TURNOUT);
	/* a malformed PIN is a parse error */
	assert_verdict(check(PINNED, "T 1021 V10 #12"), VALIDATE_REJECTED, REPLY_MALFORMED_PIN);
}

static void test_turnout_rules(void **state)
{
	struct validate_result r;

	(void)state;
	assert_verdict(check(OBS, "T 1021 V100 W150"), VALIDATE_REJECTED,
		       REPLY_WOMEN_EXCEED_VOTERS);
	r = check(OBS, "T 1021 V100 W40 M50");
	assert_verdict(r, VALIDATE_REJECTED, REPLY_SUM_MISMATCH);
	assert_int_equal(r.sum, 90);
	assert_verdict(check(OBS, "T 1021 V100 M150"), VALIDATE_REJECTED, REPLY_MEN_EXCEED_VOTERS);
	assert_verdict(check(OBS, "T 1021 V100 M60"), VALIDATE_ACCEPTED, REPLY_ACCEPTED_TURNOUT);
	assert_verdict(check(OBS, "T 1021 V100 W40 M60"), VALIDATE_ACCEPTED,
		       REPLY_ACCEPTED_TURNOUT);
	r = check(OBS, "T 1021 V1001");
	assert_verdict(r, VALIDATE_REJECTED, REPLY_VOTERS_EXCEED_REGISTERED);
	assert_int_equal(r.registered, 1000);
	assert_verdict(check(OBS, "C 1021 V1000 W500"), VALIDATE_ACCEPTED, REPLY_ACCEPTED_CLOSE);
	r = check(OBS, "C 1021 V900 W501");
	assert_verdict(r, VALIDATE_REJECTED, REPLY_WOMEN_EXCEED_REGISTERED_WOMEN);
	assert_int_equal(r.registered, 500);
	/* registered 0: not known, not checked */
	assert_verdict(check(OBS, "T 2001 V5000 W3000"), VALIDATE_ACCEPTED, REPLY_ACCEPTED_TURNOUT);
}

static void test_results_rules(void **state)
{
	struct validate_result r;

	(void)state;
	r = check(OBS, "R 1021 100 200 50 10 5");
	assert_verdict(r, VALIDATE_ACCEPTED, REPLY_ACCEPTED_RESULTS);
	assert_non_null(r.contest);
	assert_int_equal(r.contest->id, 10);
	assert_int_equal(r.sum, 365);
	r = check(OBS, "R 1021 100 200 10 5");
	assert_verdict(r, VALIDATE_REJECTED, REPLY_WRONG_COUNT_NUMBER);
	assert_int_equal(r.expected, 5);
	assert_verdict(check(OBS, "R 1021 100 200 50 10 5 V360"), VALIDATE_REJECTED,
		       REPLY_COUNTS_TOTAL_MISMATCH);
	assert_verdict(check(OBS, "R 1021 100 200 50 10 5 V365"), VALIDATE_ACCEPTED,
		       REPLY_ACCEPTED_RESULTS);
	r = check(OBS, "R 1021 500 400 100 10 5");
	assert_verdict(r, VALIDATE_REJECTED, REPLY_RESULTS_EXCEED_REGISTERED);
	assert_int_equal(r.registered, 1000);
	assert_int_equal(r.sum, 1015);
}

static void test_results_contest(void **state)
{
	struct validate_result r;

	(void)state;
	/* two contests on the ballot: the message must name one */
	assert_verdict(check(COORD, "R 1022 100 200 10 5"), VALIDATE_REJECTED,
		       REPLY_CONTEST_REQUIRED);
	r = check(COORD, "R 1022 MAYOR 100 200 10 5");
	assert_verdict(r, VALIDATE_ACCEPTED, REPLY_ACCEPTED_RESULTS);
	assert_int_equal(r.contest->id, 11);
	r = check(COORD, "R 1022 mayor 100 200 10 5");
	assert_verdict(r, VALIDATE_ACCEPTED, REPLY_ACCEPTED_RESULTS);
	assert_verdict(check(COORD, "R 1022 PRESIDENT 1 2 3"), VALIDATE_REJECTED,
		       REPLY_CONTEST_NOT_ON_BALLOT);
	/* no contest on this station's ballot */
	assert_verdict(check(OBS, "R 2001 1 2 3"), VALIDATE_REJECTED, REPLY_NO_CONTEST);
}

static void test_incident_and_open(void **state)
{
	struct validate_result r = check(OBS, "I 1021 3 vote buying at the door");

	(void)state;
	assert_verdict(r, VALIDATE_ACCEPTED, REPLY_ACCEPTED_INCIDENT);
	assert_non_null(r.incident);
	assert_int_equal(r.incident->severity, REGISTRY_SEVERITY_SERIOUS);
	assert_verdict(check(OBS, "I 1021 9 something"), VALIDATE_REJECTED,
		       REPLY_UNKNOWN_INCIDENT_CODE);
	assert_verdict(check(OBS, "OPEN 1021 0705"), VALIDATE_ACCEPTED, REPLY_ACCEPTED_OPEN);
}

static void test_coordinator_commands(void **state)
{
	(void)state;
	assert_verdict(check(OBS, "STATUS"), VALIDATE_REJECTED, REPLY_NOT_COORDINATOR);
	assert_verdict(check(COORD, "STATUS"), VALIDATE_ACCEPTED, REPLY_STATUS);
	assert_verdict(check(COORD, "ACK 17"), VALIDATE_ACCEPTED, REPLY_ACK);
}

/* Unix time of a local time in a zone offset hours east of UTC. */
static int64_t local(int y, int mo, int d, int h, int mi, int offset_h)
{
	struct tm tm = {
		.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi
	};

	return (int64_t)timegm(&tm) - offset_h * 3600;
}

static void test_clock_early_and_late(void **state)
{
	struct validate_clock c;
	struct validate_result r;

	(void)state;
	assert_true(validate_clock_init(&c, 7 * 60, "2025-05-04 23:00", 3 * 3600));
	assert_true(c.has_open);
	assert_int_equal(c.open_at, local(2025, 5, 4, 7, 0, 3));
	assert_int_equal(c.deadline_at, local(2025, 5, 4, 23, 0, 3));
	r = check_at(OBS, "T 1021 V10", local(2025, 5, 4, 6, 59, 3), &c, false);
	assert_verdict(r, VALIDATE_ACCEPTED_FLAGGED, REPLY_ACCEPTED_TURNOUT);
	assert_int_equal(r.flags, VALIDATE_FLAG_EARLY);
	r = check_at(OBS, "T 1021 V10", local(2025, 5, 4, 7, 0, 3), &c, false);
	assert_verdict(r, VALIDATE_ACCEPTED, REPLY_ACCEPTED_TURNOUT);
	/* OPEN is never early */
	r = check_at(OBS, "OPEN 1021 0630", local(2025, 5, 4, 6, 30, 3), &c, false);
	assert_verdict(r, VALIDATE_ACCEPTED, REPLY_ACCEPTED_OPEN);
	r = check_at(OBS, "R 1021 1 2 3 4 5", local(2025, 5, 4, 23, 1, 3), &c, false);
	assert_verdict(r, VALIDATE_ACCEPTED_FLAGGED, REPLY_ACCEPTED_RESULTS);
	assert_int_equal(r.flags, VALIDATE_FLAG_LATE);
	/* a rejected report carries no flags */
	r = check_at(OBS, "T 1021 V2000", local(2025, 5, 4, 23, 1, 3), &c, false);
	assert_verdict(r, VALIDATE_REJECTED, REPLY_VOTERS_EXCEED_REGISTERED);
	assert_int_equal(r.flags, 0);
	assert_string_equal(validate_flag_name(VALIDATE_FLAG_EARLY), "early");
	assert_string_equal(validate_flag_name(VALIDATE_FLAG_LATE), "late");
}

static void test_clock_deadline_after_midnight(void **state)
{
	struct validate_clock c;

	(void)state;
	/* results due at 02:00 the next day: election day is the 4th */
	assert_true(validate_clock_init(&c, 7 * 60, "2025-05-05T02:00", 0));
	assert_int_equal(c.open_at, local(2025, 5, 4, 7, 0, 0));
	assert_false(validate_clock_init(&c, 420, "05/05/2025 02:00", 0));
	assert_false(validate_clock_init(&c, 420, "2025-13-05 02:00", 0));
}

static void test_clock_without_deadline(void **state)
{
	struct validate_clock c;
	struct validate_result r;

	(void)state;
	assert_true(validate_clock_init(&c, 7 * 60, NULL, 2 * 3600));
	assert_false(c.has_open);
	assert_false(c.has_deadline);
	/* 04:30 UTC is 06:30 local: before polls open */
	r = check_at(OBS, "T 1021 V10", local(2025, 5, 4, 4, 30, 0), &c, false);
	assert_int_equal(r.flags, VALIDATE_FLAG_EARLY);
	r = check_at(OBS, "T 1021 V10", local(2025, 5, 4, 5, 30, 0), &c, false);
	assert_int_equal(r.flags, 0);
}

static void test_snapshot_indexing(void **state)
{
	struct regsnap *s = regsnap_new();
	const struct regsnap_station *st;
	struct regsnap_person *p;

	(void)state;
	assert_non_null(s);
	assert_true(regsnap_add_area(s, 5, 0));
	assert_true(regsnap_add_station(s, 1, "11", 5, 10, 5));
	assert_true(regsnap_add_station(s, 2, "11", 5, 10, 5)); /* code repeats */
	assert_true(
		regsnap_add_person(s, 7, "+9613999999", NULL, REGISTRY_ROLE_OBSERVER, -1, NULL));
	assert_true(regsnap_add_person_station(s, 7, 1));
	assert_true(regsnap_add_person_station(s, 7, 1));   /* repeated */
	assert_true(regsnap_add_person_station(s, 7, 99));  /* no such station */
	assert_true(regsnap_add_person_area(s, 8, 5));      /* no such person */
	assert_true(regsnap_add_station_contest(s, 1, 42)); /* no such contest */
	assert_true(regsnap_finish(s));
	assert_int_equal(regsnap_dropped(s), 5);
	st = regsnap_station(s, "11");
	assert_non_null(st);
	assert_int_equal(st->id, 1);
	assert_int_equal(st->n_contests, 0);
	assert_ptr_equal(regsnap_station_by_id(s, 2)->code, regsnap_station_by_id(s, 2)->code);
	p = regsnap_person(s, "+9613999999");
	assert_non_null(p);
	assert_int_equal(p->n_stations, 1);
	assert_true(regsnap_assigned(s, p, st));
	assert_null(regsnap_person(s, "+9613999998"));
	assert_null(regsnap_station(s, "12"));
	assert_false(regsnap_pin_check(p, "1234"));
	/* a code too long for a station is refused */
	assert_false(regsnap_add_station(s, 3, "12345678901", 5, 0, 0));
	regsnap_free(s);
	regsnap_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_help_needs_no_registration),
		cmocka_unit_test(test_unknown_sender),
		cmocka_unit_test(test_turnout_accepted),
		cmocka_unit_test(test_parse_error_passes_through),
		cmocka_unit_test(test_station_rules),
		cmocka_unit_test(test_pin),
		cmocka_unit_test(test_turnout_rules),
		cmocka_unit_test(test_results_rules),
		cmocka_unit_test(test_results_contest),
		cmocka_unit_test(test_incident_and_open),
		cmocka_unit_test(test_coordinator_commands),
		cmocka_unit_test(test_clock_early_and_late),
		cmocka_unit_test(test_clock_deadline_after_midnight),
		cmocka_unit_test(test_clock_without_deadline),
		cmocka_unit_test(test_snapshot_indexing),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
