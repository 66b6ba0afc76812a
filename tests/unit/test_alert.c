/*
 * test_alert.c - the alerts to coordinators in core: the rules at, below
 * and above each threshold, the timer checks, routing by area, severity
 * and language, dedup, rate limit, digests, batches, escalation, and every
 * alert text within one SMS segment in ar, en and fr with worst-case
 * values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "alert_engine.h"
#include "alert_route.h"
#include "alert_text.h"
#include "config.h"
#include "gsm7.h"
#include "regsnap.h"
#include "template.h"

static struct config_alerts cfg(void)
{
	struct config_alerts a;

	config_alerts_defaults(&a);
	return a;
}

/* A turnout report at station 1021 (800 registered, 420 women) by person 7. */
static struct alert_report turnout(int64_t voters, int64_t women)
{
	struct alert_report r;

	alert_report_init(&r);
	r.id = 100;
	r.inbound_id = 200;
	r.form = PARSE_FORM_TURNOUT;
	r.station_id = 1;
	r.area_id = 11;
	r.person_id = 7;
	snprintf(r.station, sizeof(r.station), "1021");
	r.registered = 800;
	r.registered_women = 420;
	r.voters = voters;
	r.women = women;
	return r;
}

/* The rules r raises under c, as "rule rule ..." */
static const char *fired(const struct config_alerts *c, const struct alert_report *r)
{
	static char buf[256];
	struct alert out[ALERT_REPORT_MAX];
	size_t n = alert_rules_report(c, r, out, ALERT_REPORT_MAX);
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s%s", i ? " " : "",
					 alert_rule_name(out[i].rule));
	return buf;
}

static void test_names(void **state)
{
	enum alert_rule r;
	enum alert_severity s;

	(void)state;
	for (int i = 0; i < ALERT_RULE_COUNT; i++) {
		const char *name = alert_rule_name((enum alert_rule)i);

		assert_non_null(name);
		for (const char *p = name; *p; p++)
			assert_true((*p >= 'a' && *p <= 'z') || *p == '_');
		assert_true(alert_rule_parse(name, &r));
		assert_int_equal(r, i);
	}
	assert_false(alert_rule_parse("station_missing", &r));
	assert_int_equal(r, ALERT_OTHER);
	assert_string_equal(alert_rule_name(ALERT_CRITICAL_INCIDENT), "critical_incident");
	assert_string_equal(alert_rule_name(ALERT_MISSING_TURNOUT), "missing_turnout");
	assert_int_equal(alert_rule_severity(ALERT_CRITICAL_INCIDENT), ALERT_SEV_CRITICAL);
	assert_true(alert_severity_parse("serious", &s));
	assert_int_equal(s, ALERT_SEV_SERIOUS);
	assert_false(alert_severity_parse("urgent", &s));
	assert_int_equal(alert_report_flags("{resend,conflict}"),
			 ALERT_FLAG_RESEND | ALERT_FLAG_CONFLICT);
	assert_int_equal(alert_report_flags("{out_of_order}"), ALERT_FLAG_OUT_OF_ORDER);
	assert_int_equal(alert_report_flags("{}"), 0);
	assert_int_equal(alert_report_flags("{late,early}"), 0);
}

static void test_turnout_high(void **state)
{
	struct config_alerts c = cfg();
	struct alert_report r;
	struct alert a[ALERT_REPORT_MAX];

	(void)state;
	/* 90% of 800 is 720 */
	r = turnout(719, 300);
	assert_string_equal(fired(&c, &r), "");
	r = turnout(720, 300);
	assert_string_equal(fired(&c, &r), "turnout_high");
	r = turnout(800, 300);
	assert_string_equal(fired(&c, &r), "turnout_high");
	assert_int_equal(alert_rules_report(&c, &r, a, ALERT_REPORT_MAX), 1);
	assert_int_equal(a[0].f.pct, 100);
	assert_int_equal(a[0].f.threshold, 90);
	assert_int_equal(a[0].f.voters, 800);
	assert_int_equal(a[0].f.registered, 800);
	assert_string_equal(a[0].subject, "turnout_high:s1");
	assert_int_equal(a[0].severity, ALERT_SEV_SERIOUS);
	/* close reports too; registered unknown: no rule */
	r = turnout(720, 300);
	r.form = PARSE_FORM_CLOSE;
	assert_string_equal(fired(&c, &r), "turnout_high");
	r.registered = 0;
	assert_string_equal(fired(&c, &r), "");
	/* 0 turns it off */
	c.turnout_high_pct = 0;
	r = turnout(800, 300);
	assert_string_equal(fired(&c, &r), "");
}

static void test_turnout_jump(void **state)
{
	struct config_alerts c = cfg();
	struct alert_report r;
	struct alert a[ALERT_REPORT_MAX];

	(void)state;
	/* 30 points of 800 registered: 240 voters */
	r = turnout(339, 100);
	r.has_prev = true;
	r.prev_person = 7;
	r.prev_voters = 100;
	assert_string_equal(fired(&c, &r), "");
	r.voters = 340;
	assert_string_equal(fired(&c, &r), "turnout_jump");
	assert_int_equal(alert_rules_report(&c, &r, a, ALERT_REPORT_MAX), 1);
	assert_int_equal(a[0].f.prev, 100);
	assert_int_equal(a[0].f.voters, 340);
	assert_int_equal(a[0].f.pct, 30);
	r.voters = 600;
	assert_string_equal(fired(&c, &r), "turnout_jump");
	/* no report before it: no jump */
	r.has_prev = false;
	assert_string_equal(fired(&c, &r), "");
	/* a decrease is no jump */
	r.has_prev = true;
	r.prev_voters = 600;
	r.voters = 100;
	r.women = 40;
	assert_string_equal(fired(&c, &r), "");
}

static void test_women_share(void **state)
{
	struct config_alerts c = cfg();
	struct alert_report r;

	(void)state;
	/* 15% of 100 is 15: below fires, at does not */
	r = turnout(100, 14);
	assert_string_equal(fired(&c, &r), "women_share_low");
	r = turnout(100, 15);
	assert_string_equal(fired(&c, &r), "");
	r = turnout(100, 16);
	assert_string_equal(fired(&c, &r), "");
	/* only from 50 voters */
	r = turnout(49, 0);
	assert_string_equal(fired(&c, &r), "");
	r = turnout(50, 0);
	assert_string_equal(fired(&c, &r), "women_share_low");
	/* above 85% */
	r = turnout(100, 85);
	assert_string_equal(fired(&c, &r), "");
	r = turnout(100, 86);
	assert_string_equal(fired(&c, &r), "women_share_high");
	/* no W from 50 voters */
	r = turnout(50, -1);
	assert_string_equal(fired(&c, &r), "women_missing");
	r = turnout(49, -1);
	assert_string_equal(fired(&c, &r), "");
	/* several rules from one report */
	r = turnout(790, 10);
	assert_string_equal(fired(&c, &r), "turnout_high women_share_low");
}

static void test_reports(void **state)
{
	struct config_alerts c = cfg();
	struct alert_report r;
	struct alert a[ALERT_REPORT_MAX];

	(void)state;
	/* impossible numbers: rejected reports naming their figures */
	r = turnout(900, 100);
	r.rejected = true;
	snprintf(r.error, sizeof(r.error), "voters_exceed_registered");
	assert_int_equal(alert_rules_report(&c, &r, a, ALERT_REPORT_MAX), 1);
	assert_int_equal(a[0].rule, ALERT_IMPOSSIBLE_NUMBERS);
	assert_int_equal(a[0].f.value, 900);
	assert_int_equal(a[0].f.threshold, 800);
	assert_string_equal(a[0].f.check, "voters_exceed_registered");
	assert_string_equal(a[0].subject, "impossible_numbers:s1:turnout");
	snprintf(r.error, sizeof(r.error), "women_exceed_voters");
	r.women = 950;
	assert_int_equal(alert_rules_report(&c, &r, a, ALERT_REPORT_MAX), 1);
	assert_int_equal(a[0].f.value, 950);
	assert_int_equal(a[0].f.threshold, 900);
	snprintf(r.error, sizeof(r.error), "sum_mismatch"); /* a typo, not impossible */
	assert_string_equal(fired(&c, &r), "");
	r.form = PARSE_FORM_RESULTS;
	r.sum = 1000;
	snprintf(r.error, sizeof(r.error), "results_exceed_registered");
	assert_string_equal(fired(&c, &r), "impossible_numbers");

	/* incidents by severity */
	alert_report_init(&r);
	r.form = PARSE_FORM_INCIDENT;
	r.station_id = 1;
	r.area_id = 11;
	r.incident_code = 3;
	r.incident_known = true;
	r.incident_severity = ALERT_SEV_CRITICAL;
	snprintf(r.incident_names[LANG_EN], ALERT_NAME_MAX, "Vote buying");
	assert_int_equal(alert_rules_report(&c, &r, a, ALERT_REPORT_MAX), 1);
	assert_int_equal(a[0].rule, ALERT_CRITICAL_INCIDENT);
	assert_int_equal(a[0].severity, ALERT_SEV_CRITICAL);
	assert_int_equal(a[0].f.code, 3);
	assert_string_equal(a[0].f.names[LANG_EN], "Vote buying");
	assert_string_equal(a[0].subject, "critical_incident:s1:c3");
	r.incident_severity = ALERT_SEV_SERIOUS;
	assert_int_equal(alert_rules_report(&c, &r, a, ALERT_REPORT_MAX), 1);
	assert_int_equal(a[0].rule, ALERT_SERIOUS_INCIDENTS);
	assert_string_equal(a[0].subject, "serious_incidents:a11");
	r.incident_severity = ALERT_SEV_INFO;
	assert_string_equal(fired(&c, &r), "");
	r.incident_severity = ALERT_SEV_CRITICAL;
	r.rejected = true; /* unknown code */
	assert_string_equal(fired(&c, &r), "");

	/* an identical resend raises nothing; a late report no suspicion */
	r = turnout(800, 10);
	r.flags = ALERT_FLAG_RESEND;
	assert_string_equal(fired(&c, &r), "");
	r.flags = ALERT_FLAG_OUT_OF_ORDER;
	assert_string_equal(fired(&c, &r), "");

	/* conflicts, corrections */
	r = turnout(300, 100);
	r.form = PARSE_FORM_CLOSE;
	r.flags = ALERT_FLAG_CONFLICT;
	r.has_prev = true;
	r.prev_person = 8;
	r.prev_voters = 310;
	assert_int_equal(alert_rules_report(&c, &r, a, ALERT_REPORT_MAX), 1);
	assert_int_equal(a[0].rule, ALERT_CONFLICTING_REPORTS);
	assert_int_equal(a[0].f.prev, 310);
	assert_int_equal(a[0].f.value, 300);
	assert_string_equal(a[0].f.check, "close");
	alert_report_init(&r);
	r.form = PARSE_FORM_RESULTS;
	r.station_id = 1;
	r.person_id = 7;
	r.sum = 500;
	r.has_prev = true;
	r.prev_person = 7;
	r.prev_sum = 480;
	assert_string_equal(fired(&c, &r), "results_corrected");
	r.prev_same_counts = true; /* the same counts: no correction */
	assert_string_equal(fired(&c, &r), "");
	r.prev_same_counts = false;
	r.prev_person = 8; /* another observer's: a conflict, flagged by the store */
	assert_string_equal(fired(&c, &r), "");
	r.flags = ALERT_FLAG_CONFLICT;
	assert_string_equal(fired(&c, &r), "conflicting_reports");
}

static void test_timer_checks(void **state)
{
	struct config_alerts c = cfg();
	struct alert_day d;
	struct alert_check k[ALERT_CHECKS_MAX];
	/* 2025-05-04 in Beirut (UTC+3): local midnight is 2025-05-03 21:00 UTC */
	int64_t day = 20212, mid = day * 86400 - 3 * 3600;

	(void)state;
	c.checkpoints[0] = 11 * 60;
	c.checkpoints[1] = 15 * 60;
	c.n_checkpoints = 2;
	alert_day_init(&d, day, 7 * 60, 19 * 60, 3 * 3600, 0);
	assert_int_equal(d.midnight, mid);
	/* opening: 07:00 + 30 min */
	assert_int_equal(alert_timer_checks(&c, &d, mid + 7 * 3600 + 29 * 60 + 59, k, 3), 0);
	assert_int_equal(alert_timer_checks(&c, &d, mid + 7 * 3600 + 30 * 60, k, 3), 1);
	assert_int_equal(k[0].rule, ALERT_MISSING_OPENING);
	assert_string_equal(k[0].form, "open");
	assert_string_equal(k[0].key, "2025-05-04 07:00");
	assert_string_equal(k[0].time, "07:00");
	/* turnout at 11:00 + 15 min grace: reports since polls open count */
	assert_int_equal(alert_timer_checks(&c, &d, mid + 11 * 3600 + 14 * 60, k, 3), 1);
	assert_int_equal(alert_timer_checks(&c, &d, mid + 11 * 3600 + 15 * 60, k, 3), 2);
	assert_int_equal(k[1].rule, ALERT_MISSING_TURNOUT);
	assert_string_equal(k[1].time, "11:00");
	assert_int_equal(k[1].after, mid + 7 * 3600);
	/* at 15:15 the 15:00 checkpoint, counting reports since 11:00 */
	assert_int_equal(alert_timer_checks(&c, &d, mid + 15 * 3600 + 15 * 60, k, 3), 2);
	assert_string_equal(k[1].time, "15:00");
	assert_int_equal(k[1].after, mid + 11 * 3600);
	/* results: 19:00 + 120 min; turnout checks stop after the close */
	assert_int_equal(alert_timer_checks(&c, &d, mid + 20 * 3600 + 59 * 60, k, 3), 1);
	assert_int_equal(alert_timer_checks(&c, &d, mid + 21 * 3600, k, 3), 2);
	assert_int_equal(k[1].rule, ALERT_MISSING_RESULTS);
	assert_string_equal(k[1].time, "19:00");
	/* nothing the day after */
	assert_int_equal(alert_timer_checks(&c, &d, mid + 37 * 3600, k, 3), 0);
	/* no polls configured: nothing */
	alert_day_init(&d, -1, -1, -1, 0, mid + 12 * 3600);
	c.n_checkpoints = 0;
	assert_int_equal(alert_timer_checks(&c, &d, mid + 12 * 3600, k, 3), 0);
}

static void test_helpers(void **state)
{
	const char *codes[] = { "1021", "1022", "1031" };
	char buf[64];
	uint64_t v;

	(void)state;
	assert_true(alert_balance_parse("Your balance is 2.50 USD", &v));
	assert_int_equal(v, 2);
	assert_true(alert_balance_parse("رصيدك 1500 ل.ل", &v));
	assert_int_equal(v, 1500);
	assert_false(alert_balance_parse("no credit", &v));
	alert_station_list(codes, 3, 5, buf, sizeof(buf));
	assert_string_equal(buf, "1021 1022 1031");
	alert_station_list(codes, 3, 2, buf, sizeof(buf));
	assert_string_equal(buf, "");
}

/* ==== routing ==== */

/*
 * Areas: region 1 (North) > districts 11 (Akkar, coordinator 101, ar) and
 * 12 (Zgharta, none); region 2 (South, none) > district 21 (Saida,
 * coordinator 102, no language).  National coordinators 103 (fr) and 104
 * (en).  Region coordinator 105 (en) of 1.  Observer 106 of 11.
 */
static struct regsnap *snap(void)
{
	struct regsnap *s = regsnap_new();

	assert_non_null(s);
	assert_true(regsnap_add_area_named(s, 1, 0, "North"));
	assert_true(regsnap_add_area_named(s, 11, 1, "Akkar"));
	assert_true(regsnap_add_area_named(s, 12, 1, "Zgharta"));
	assert_true(regsnap_add_area_named(s, 2, 0, "South"));
	assert_true(regsnap_add_area_named(s, 21, 2, "Saida"));
	assert_true(regsnap_add_person(s, 101, "+96170000101", "A", REGISTRY_ROLE_COORDINATOR,
				       LANG_AR, NULL));
	assert_true(regsnap_add_person(s, 102, "+96170000102", "B", REGISTRY_ROLE_COORDINATOR, -1,
				       NULL));
	assert_true(regsnap_add_person(s, 103, "+96170000103", "C", REGISTRY_ROLE_COORDINATOR,
				       LANG_FR, NULL));
	assert_true(regsnap_add_person(s, 104, "+96170000104", "D", REGISTRY_ROLE_COORDINATOR,
				       LANG_EN, NULL));
	assert_true(regsnap_add_person(s, 105, "+96170000105", "E", REGISTRY_ROLE_COORDINATOR,
				       LANG_EN, NULL));
	assert_true(regsnap_add_person(s, 106, "+96170000106", "F", REGISTRY_ROLE_OBSERVER, LANG_AR,
				       NULL));
	assert_true(regsnap_add_person_area(s, 101, 11));
	assert_true(regsnap_add_person_area(s, 102, 21));
	assert_true(regsnap_add_person_area(s, 105, 1));
	assert_true(regsnap_add_person_area(s, 106, 11));
	assert_true(regsnap_finish(s));
	return s;
}

/* "person:reason:lang ..." of the recipients. */
static const char *who(const struct alert_to *to, size_t n)
{
	static char buf[256];
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s%d:%s:%s", i ? " " : "",
					 to[i].person, alert_reason_name(to[i].reason),
					 lang_code(to[i].lang));
	return buf;
}

static void test_routing(void **state)
{
	struct regsnap *s = snap();
	struct alert_routes *r = alert_routes_new(s, LANG_EN);
	struct alert_to to[8];
	size_t n;
	int at;

	(void)state;
	assert_non_null(r);
	assert_string_equal(alert_routes_area_name(r, 11), "Akkar");
	assert_null(alert_routes_area_name(r, 0));
	/* the district's coordinator, in her language; national ones for serious */
	n = alert_routes_find(r, 11, ALERT_SEV_SERIOUS, ALERT_SEV_SERIOUS, to, 8, &at);
	assert_string_equal(who(to, n), "101:area:ar 103:national:fr 104:national:en");
	assert_int_equal(at, 11);
	/* info: not the national ones */
	n = alert_routes_find(r, 11, ALERT_SEV_INFO, ALERT_SEV_SERIOUS, to, 8, &at);
	assert_string_equal(who(to, n), "101:area:ar");
	/* unless configured */
	n = alert_routes_find(r, 11, ALERT_SEV_INFO, ALERT_SEV_INFO, to, 8, &at);
	assert_string_equal(who(to, n), "101:area:ar 103:national:fr 104:national:en");
	/* a district without coordinator: its region's */
	n = alert_routes_find(r, 12, ALERT_SEV_INFO, ALERT_SEV_SERIOUS, to, 8, &at);
	assert_string_equal(who(to, n), "105:ancestor:en");
	assert_int_equal(at, 1);
	/* no language registered: the election's */
	n = alert_routes_find(r, 21, ALERT_SEV_INFO, ALERT_SEV_CRITICAL, to, 8, &at);
	assert_string_equal(who(to, n), "102:area:en");
	/* a region without coordinator, nothing above: the national ones */
	n = alert_routes_find(r, 2, ALERT_SEV_INFO, ALERT_SEV_SERIOUS, to, 8, &at);
	assert_string_equal(who(to, n), "103:fallback:fr 104:fallback:en");
	assert_int_equal(at, 0);
	/* about no area (a modem): the national ones */
	n = alert_routes_find(r, 0, ALERT_SEV_SERIOUS, ALERT_SEV_SERIOUS, to, 8, &at);
	assert_string_equal(who(to, n), "103:national:fr 104:national:en");
	/* escalation: district 11 -> region 1 -> the national ones */
	n = alert_routes_escalate(r, 11, NULL, 0, to, 8, &at);
	assert_string_equal(who(to, n), "105:escalation:en");
	assert_int_equal(at, 1);
	{
		int had[] = { 103 };

		n = alert_routes_escalate(r, 1, had, 1, to, 8, &at);
		assert_string_equal(who(to, n), "104:escalation:en");
		assert_int_equal(at, 0);
	}
	assert_int_equal(alert_routes_escalate(r, 0, NULL, 0, to, 8, &at), 0);
	alert_routes_free(r);
	regsnap_free(s);
}

static void test_routing_no_national(void **state)
{
	struct regsnap *s = regsnap_new();
	struct alert_routes *r;
	struct alert_to to[8];
	int at;

	(void)state;
	assert_true(regsnap_add_area_named(s, 1, 0, "North"));
	assert_true(regsnap_add_area_named(s, 11, 1, "Akkar"));
	assert_true(regsnap_add_person(s, 101, "+96170000101", NULL, REGISTRY_ROLE_COORDINATOR,
				       LANG_AR, NULL));
	assert_true(regsnap_add_person(s, 105, "+96170000105", NULL, REGISTRY_ROLE_COORDINATOR,
				       LANG_EN, NULL));
	assert_true(regsnap_add_person_area(s, 101, 11));
	assert_true(regsnap_add_person_area(s, 105, 1));
	assert_true(regsnap_finish(s));
	r = alert_routes_new(s, LANG_FR);
	/* about no area and no national coordinator: the top areas' */
	assert_string_equal(
		who(to, alert_routes_find(r, 0, ALERT_SEV_SERIOUS, ALERT_SEV_SERIOUS, to, 8, &at)),
		"105:fallback:en");
	alert_routes_free(r);
	regsnap_free(s);
}

/* ==== the engine ==== */

static struct alert turnout_alert(int station, int area)
{
	struct alert a;

	alert_init(&a, ALERT_TURNOUT_HIGH);
	a.station_id = station;
	a.area_id = area;
	snprintf(a.station, sizeof(a.station), "%d", 1000 + station);
	snprintf(a.subject, sizeof(a.subject), "turnout_high:s%d", station);
	a.f.voters = 790;
	a.f.registered = 800;
	a.f.pct = 98;
	a.f.threshold = 90;
	return a;
}

static void add_ids(struct alert_engine *e, int64_t from, int n)
{
	for (int i = 0; i < n; i++)
		assert_true(alert_engine_add_id(e, from + i));
}

static void test_dedup(void **state)
{
	struct regsnap *s = snap();
	struct alert_routes *r = alert_routes_new(s, LANG_EN);
	struct config_alerts c = cfg();
	struct alert_engine *e = alert_engine_new(&c, LANG_EN);
	static struct alert_plan p;
	struct alert a = turnout_alert(1, 11);
	int64_t t0 = 1000000;

	(void)state;
	/* no id: try again later */
	assert_true(alert_engine_raise(e, r, &a, t0, &p));
	assert_int_equal(p.kind, ALERT_PLAN_NO_ID);
	add_ids(e, 17, 10);
	assert_true(alert_engine_raise(e, r, &a, t0, &p));
	assert_int_equal(p.kind, ALERT_PLAN_OPEN);
	assert_int_equal(p.alert.id, 17);
	assert_int_equal(p.route_area, 11);
	assert_int_equal(p.n_sends, 3);
	assert_string_equal(p.alert.area_name, "Akkar");
	assert_false(p.sends[0].held);
	assert_int_equal(p.sends[0].lang, LANG_AR);
	assert_non_null(strstr(p.sends[0].body, "17"));
	assert_string_equal(
		p.sends[2].body,
		"Alert 17: turnout 98% at 1001 (Akkar): 790 of 800 registered (threshold 90%). ACK 17");
	assert_string_equal(p.message, p.sends[2].body);
	/* the same subject within 30 min: a duplicate, stored, not sent */
	assert_true(alert_engine_raise(e, r, &a, t0 + 29 * 60 + 59, &p));
	assert_int_equal(p.kind, ALERT_PLAN_DUPLICATE);
	assert_int_equal(p.other, 17);
	assert_int_equal(p.alert.id, 18);
	assert_int_equal(p.n_sends, 0);
	/* another station is another subject */
	a = turnout_alert(2, 11);
	assert_true(alert_engine_raise(e, r, &a, t0 + 60, &p));
	assert_int_equal(p.kind, ALERT_PLAN_OPEN);
	/* after the window: alerted again */
	a = turnout_alert(1, 11);
	alert_engine_sweep(e, t0 + 30 * 60);
	assert_true(alert_engine_raise(e, r, &a, t0 + 30 * 60, &p));
	assert_int_equal(p.kind, ALERT_PLAN_OPEN);
	/* resolved: forgotten at once */
	alert_engine_resolved(e, p.alert.id);
	assert_true(alert_engine_raise(e, r, &a, t0 + 30 * 60 + 1, &p));
	assert_int_equal(p.kind, ALERT_PLAN_OPEN);
	alert_engine_free(e);
	alert_routes_free(r);
	regsnap_free(s);
}

static void test_rate_limit_digest(void **state)
{
	struct regsnap *s = snap();
	struct alert_routes *r = alert_routes_new(s, LANG_EN);
	struct config_alerts c = cfg();
	struct alert_engine *e;
	static struct alert_plan p;
	static struct alert_release rel[4];
	int64_t t0 = 1000000;
	struct alert a;

	(void)state;
	c.rate_max = 3;
	c.rate_min = 10;
	e = alert_engine_new(&c, LANG_EN);
	add_ids(e, 1, 50);
	/* district 12 routes to region coordinator 105 (info: no national) */
	for (int i = 0; i < 3; i++) {
		a = turnout_alert(10 + i, 12);
		a.severity = ALERT_SEV_INFO;
		assert_true(alert_engine_raise(e, r, &a, t0 + i, &p));
		assert_int_equal(p.n_sends, 1);
		assert_false(p.sends[0].held);
	}
	/* the fourth and fifth within 10 min are held */
	for (int i = 3; i < 5; i++) {
		a = turnout_alert(10 + i, 12);
		a.rule = i == 3 ? ALERT_MISSING_TURNOUT : ALERT_TURNOUT_HIGH;
		a.severity = ALERT_SEV_INFO;
		assert_true(alert_engine_raise(e, r, &a, t0 + 60, &p));
		assert_int_equal(p.n_sends, 1);
		assert_true(p.sends[0].held);
		assert_non_null(strstr(p.sends[0].body, "ACK"));
	}
	/* a critical alert is never held */
	a = turnout_alert(20, 12);
	a.rule = ALERT_CRITICAL_INCIDENT;
	a.severity = ALERT_SEV_CRITICAL;
	assert_true(alert_engine_raise(e, r, &a, t0 + 61, &p));
	assert_false(p.sends[0].held);
	/* no room before the window has passed (the critical one counts) */
	assert_int_equal(alert_engine_release(e, r, t0 + 600, rel, 4), 0);
	/* then one digest of both */
	alert_engine_sweep(e, t0 + 661);
	assert_int_equal(alert_engine_release(e, r, t0 + 661, rel, 4), 1);
	assert_int_equal(rel[0].person, 105);
	assert_true(rel[0].digest);
	assert_int_equal(rel[0].n_alerts, 2);
	assert_string_equal(
		rel[0].body,
		"2 more alerts in North: 1 high turnout, 1 missing turnout. Reply STATUS");
	assert_int_equal(alert_engine_release(e, r, t0 + 662, rel, 4), 0);
	/* one held alone goes out as itself */
	for (int i = 0; i < 3; i++) {
		a = turnout_alert(30 + i, 12);
		a.severity = ALERT_SEV_INFO;
		assert_true(alert_engine_raise(e, r, &a, t0 + 700, &p));
	}
	assert_true(p.sends[0].held);
	alert_engine_sweep(e, t0 + 2000);
	assert_int_equal(alert_engine_release(e, r, t0 + 2000, rel, 4), 1);
	assert_false(rel[0].digest);
	assert_int_equal(rel[0].alerts[0], p.alert.id);
	/* a held alert resolved meanwhile is dropped */
	for (int i = 0; i < 5; i++) {
		a = turnout_alert(40 + i, 12);
		a.severity = ALERT_SEV_INFO;
		assert_true(alert_engine_raise(e, r, &a, t0 + 3000, &p));
	}
	alert_engine_resolved(e, p.alert.id);
	alert_engine_sweep(e, t0 + 4000);
	assert_int_equal(alert_engine_release(e, r, t0 + 4000, rel, 4), 1);
	assert_false(rel[0].digest);
	assert_int_not_equal(rel[0].alerts[0], p.alert.id);
	alert_engine_free(e);
	alert_routes_free(r);
	regsnap_free(s);
}

static void test_load_state(void **state)
{
	struct regsnap *s = snap();
	struct alert_routes *r = alert_routes_new(s, LANG_EN);
	struct config_alerts c = cfg();
	struct alert_engine *e;
	static struct alert_plan p;
	static struct alert_release rel[2];
	struct alert a = turnout_alert(12, 12);
	struct alert_engine_stats st;
	int64_t t0 = 1000000;

	(void)state;
	c.rate_max = 1;
	e = alert_engine_new(&c, LANG_EN);
	add_ids(e, 100, 5);
	/* what the database says after a restart */
	alert_engine_reset(e);
	assert_int_equal(alert_engine_ids(e), 0);
	add_ids(e, 100, 5);
	assert_true(alert_engine_load_recent(e, "turnout_high:s12", 50, t0 - 60));
	assert_true(alert_engine_load_sent(e, 105, t0 - 60));
	assert_true(alert_engine_load_held(e, 105, 51, ALERT_MISSING_OPENING));
	alert_engine_stats(e, &st);
	assert_int_equal(st.recent, 1);
	assert_int_equal(st.held, 1);
	assert_true(alert_engine_raise(e, r, &a, t0, &p));
	assert_int_equal(p.kind, ALERT_PLAN_DUPLICATE);
	assert_int_equal(p.other, 50);
	a = turnout_alert(13, 12);
	a.severity = ALERT_SEV_INFO;
	assert_true(alert_engine_raise(e, r, &a, t0, &p));
	assert_true(p.sends[0].held);
	assert_int_equal(alert_engine_release(e, r, t0, rel, 2), 0);
	alert_engine_sweep(e, t0 + 15 * 60);
	assert_int_equal(alert_engine_release(e, r, t0 + 15 * 60, rel, 2), 1);
	assert_int_equal(rel[0].n_alerts, 2);
	assert_int_equal(rel[0].alerts[0], 51);
	alert_engine_free(e);
	alert_routes_free(r);
	regsnap_free(s);
}

static void test_batch(void **state)
{
	struct regsnap *s = snap();
	struct alert_routes *r = alert_routes_new(s, LANG_EN);
	struct config_alerts c = cfg();
	struct alert_engine *e = alert_engine_new(&c, LANG_EN);
	static struct alert_plan p;
	struct alert a, stored;
	int64_t t0 = 1000000, id;

	(void)state;
	add_ids(e, 1, 10);
	alert_init(&a, ALERT_SERIOUS_INCIDENTS);
	a.area_id = 11;
	a.station_id = 1;
	snprintf(a.station, sizeof(a.station), "1021");
	snprintf(a.subject, sizeof(a.subject), "serious_incidents:a11");
	a.f.count = 1;
	a.f.code = 2;
	assert_true(alert_engine_raise(e, r, &a, t0, &p));
	assert_int_equal(p.kind, ALERT_PLAN_BATCH_NEW);
	assert_int_equal(p.due, t0 + 5 * 60);
	assert_int_equal(p.n_sends, 0);
	id = p.alert.id;
	snprintf(a.station, sizeof(a.station), "1022");
	assert_true(alert_engine_raise(e, r, &a, t0 + 10, &p));
	assert_int_equal(p.kind, ALERT_PLAN_BATCH_ADD);
	assert_int_equal(p.other, id);
	assert_int_equal(p.alert.f.count, 2);
	assert_string_equal(p.alert.f.stations, "1021 1022");
	assert_true(alert_engine_raise(e, r, &a, t0 + 20, &p));
	assert_int_equal(p.alert.f.count, 3);
	assert_string_equal(p.alert.f.stations, "1021 1022");
	/* another area: another batch */
	a.area_id = 21;
	assert_true(alert_engine_raise(e, r, &a, t0 + 20, &p));
	assert_int_equal(p.kind, ALERT_PLAN_BATCH_NEW);
	/* time is up: the stored batch is sent */
	stored = a;
	stored.id = id;
	stored.area_id = 11;
	stored.f.count = 3;
	snprintf(stored.f.stations, sizeof(stored.f.stations), "1021 1022");
	assert_true(alert_engine_dispatch(e, r, &stored, t0 + 300, &p));
	assert_int_equal(p.kind, ALERT_PLAN_OPEN);
	assert_int_equal(p.n_sends, 3);
	assert_string_equal(p.sends[2].body,
			    "Alert 1: 3 serious incident(s) in Akkar, at 1021 1022. ACK 1");
	/* the next incident opens a new batch */
	a.area_id = 11;
	assert_true(alert_engine_raise(e, r, &a, t0 + 301, &p));
	assert_int_equal(p.kind, ALERT_PLAN_BATCH_NEW);
	alert_engine_free(e);
	alert_routes_free(r);
	regsnap_free(s);
}

static void test_escalation(void **state)
{
	struct regsnap *s = snap();
	struct alert_routes *r = alert_routes_new(s, LANG_EN);
	struct config_alerts c = cfg();
	struct alert_engine *e = alert_engine_new(&c, LANG_EN);
	static struct alert_plan p;
	struct alert a;
	int had[] = { 101, 103, 104 };

	(void)state;
	alert_init(&a, ALERT_CRITICAL_INCIDENT);
	a.id = 17;
	a.area_id = 11;
	snprintf(a.station, sizeof(a.station), "1021");
	a.f.code = 3;
	assert_true(alert_engine_escalate(e, r, &a, 11, had, 3, 15, 1000000, &p));
	assert_int_equal(p.route_area, 1);
	assert_int_equal(p.n_sends, 1);
	assert_int_equal(p.sends[0].person, 105);
	assert_false(p.sends[0].held);
	assert_string_equal(
		p.sends[0].body,
		"Escalated: alert 17, critical incident at 1021 (Akkar), not acknowledged for 15 min. Reply ACK 17");
	alert_engine_free(e);
	alert_routes_free(r);
	regsnap_free(s);
}

static void test_watch(void **state)
{
	struct config_alerts c = cfg();
	struct alert_engine *e = alert_engine_new(&c, LANG_EN);

	(void)state;
	/* trouble seen first at 100: since 100 while it lasts */
	assert_int_equal(alert_engine_watch(e, "node/usb0", false, 50), 0);
	assert_int_equal(alert_engine_watch(e, "node/usb0", true, 100), 100);
	assert_int_equal(alert_engine_watch(e, "node/usb0", true, 700), 100);
	assert_int_equal(alert_engine_watch(e, "spool", true, 300), 300);
	/* a break starts it again; a reset (taking over) does not forget it */
	alert_engine_reset(e);
	assert_int_equal(alert_engine_watch(e, "spool", true, 400), 300);
	assert_int_equal(alert_engine_watch(e, "node/usb0", false, 800), 0);
	assert_int_equal(alert_engine_watch(e, "node/usb0", true, 900), 900);
	/* dedup window as the ticks see it */
	assert_true(alert_engine_add_id(e, 1));
	assert_false(alert_engine_recent(e, "modem_down:node/usb0", 1000));
	assert_true(alert_engine_load_recent(e, "modem_down:node/usb0", 1, 1000));
	assert_true(alert_engine_recent(e, "modem_down:node/usb0", 1000 + 30 * 60 - 1));
	assert_false(alert_engine_recent(e, "modem_down:node/usb0", 1000 + 30 * 60));
	alert_engine_free(e);
}

/* ==== texts ==== */

static const char *const long_names[] = {
	"WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW",
	"\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"
	"\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"
	"\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"
	"\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac",
	"\xd9\x85\xd9\x85\xd9\x85\xd9\x85\xd9\x85\xd9\x85\xd9\x85\xd9\x85\xd9\x85"
	"\xd9\x85\xd9\x85\xd9\x85\xd9\x85\xd9\x85\xd9\x85\xd9\x85\xd9\x85\xd9\x85"
	"\xd9\x85\xd9\x85\xd9\x85\xd9\x85\xd9\x85\xd9\x85\xd9\x85\xd9\x85\xd9\x85",
	"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
	"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
	"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
	"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
	"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
	"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80",
};
#define N_LONG (sizeof(long_names) / sizeof(long_names[0]))

static const char *const impossible_checks[] = {
	"women_exceed_voters",           "men_exceed_voters",         "voters_exceed_registered",
	"women_exceed_registered_women", "results_exceed_registered",
};

/* Rule with every value as long as it can be; names from long_names. */
static void worst(struct alert *a, enum alert_rule rule, size_t variant)
{
	const char *name = long_names[variant % N_LONG];

	alert_init(a, rule);
	a->id = 999999999;
	snprintf(a->station, sizeof(a->station), "1234567890");
	snprintf(a->area_name, sizeof(a->area_name), "%s", long_names[(variant + 1) % N_LONG]);
	a->f.voters = a->f.women = a->f.registered = a->f.prev = a->f.value = 999999999;
	a->f.count = 999999999;
	a->f.pct = 100;
	a->f.threshold = 100;
	a->f.minutes = 99999;
	a->f.code = 9999;
	if (rule == ALERT_IMPOSSIBLE_NUMBERS)
		snprintf(a->f.check, sizeof(a->f.check), "%s", impossible_checks[variant % 5]);
	else if (rule == ALERT_CONFLICTING_REPORTS)
		snprintf(a->f.check, sizeof(a->f.check), "%s", variant % 2 ? "close" : "results");
	else
		snprintf(a->f.check, sizeof(a->f.check), "23:59");
	/* list_max 8 codes of 10 digits does not fit: the list is what fits */
	snprintf(a->f.stations, sizeof(a->f.stations),
		 "1234567890 1234567891 1234567892 1234567893 1234567894 1234567895 1234567896 "
		 "1234567897");
	for (int l = 0; l < LANG_COUNT; l++)
		snprintf(a->f.names[l], sizeof(a->f.names[l]), "%s", name);
	snprintf(a->f.who, sizeof(a->f.who), "%s", name);
	snprintf(a->f.text, sizeof(a->f.text), "%s%s", name, name);
}

static void one_segment(const char *text, const char *what)
{
	struct gsm7_size sz;

	if (!gsm7_measure(text, strlen(text), &sz) || sz.segments != 1)
		fail_msg("%s: not one segment (%zu units): %s", what, sz.units, text);
	if (strstr(text, "{") != NULL)
		fail_msg("%s: a placeholder is left: %s", what, text);
}

static void test_texts_worst_case(void **state)
{
	char buf[ALERT_TEXT_MAX], what[96];
	unsigned counts[ALERT_RULE_COUNT];

	(void)state;
	for (int rule = 0; rule < ALERT_RULE_COUNT; rule++) {
		for (int l = 0; l < LANG_COUNT; l++) {
			for (size_t v = 0; v < 8; v++) {
				struct alert a;

				worst(&a, (enum alert_rule)rule, v);
				snprintf(what, sizeof(what), "%s %s #%zu",
					 alert_rule_name((enum alert_rule)rule),
					 lang_code((enum lang)l), v);
				if (alert_text_render(&a, (enum lang)l, buf, sizeof(buf)) < 0)
					fail_msg("%s does not fit: %s", what,
						 alert_text_template(rule, (enum lang)l, 2));
				one_segment(buf, what);
				assert_non_null(strstr(buf, "999999999")); /* the short id */
				if (alert_text_escalation(&a, 99999, (enum lang)l, buf,
							  sizeof(buf)) < 0)
					fail_msg("escalation of %s does not fit", what);
				one_segment(buf, what);
			}
		}
	}
	for (int r = 0; r < ALERT_RULE_COUNT; r++)
		counts[r] = 999999;
	for (int l = 0; l < LANG_COUNT; l++) {
		for (size_t v = 0; v < N_LONG; v++) {
			snprintf(what, sizeof(what), "digest %s #%zu", lang_code((enum lang)l), v);
			if (alert_text_digest(999999999, counts, long_names[v], (enum lang)l, buf,
					      sizeof(buf)) < 0)
				fail_msg("%s does not fit", what);
			one_segment(buf, what);
		}
	}
}

/* Typical values: the main text is used (ASCII names in en and fr, Arabic
 * in ar). */
static void typical(struct alert *a, enum alert_rule rule, enum lang lang)
{
	alert_init(a, rule);
	a->id = 17;
	snprintf(a->station, sizeof(a->station), "1021");
	snprintf(a->area_name, sizeof(a->area_name), "%s",
		 lang == LANG_AR
			 ? "\xd8\xa7\xd9\x84\xd8\xa3\xd8\xb4\xd8\xb1\xd9\x81\xd9\x8a\xd8\xa9"
			 : "Achrafieh");
	a->f.voters = 420;
	a->f.women = 40;
	a->f.registered = 800;
	a->f.prev = 120;
	a->f.value = 460;
	a->f.pct = 52;
	a->f.threshold = 90;
	a->f.count = 2;
	a->f.minutes = 12;
	a->f.code = 3;
	snprintf(a->f.check, sizeof(a->f.check), "%s",
		 rule == ALERT_IMPOSSIBLE_NUMBERS    ? "voters_exceed_registered"
		 : rule == ALERT_CONFLICTING_REPORTS ? "results"
						     : "11:00");
	snprintf(a->f.stations, sizeof(a->f.stations), "1021 1022");
	snprintf(a->f.names[LANG_EN], ALERT_NAME_MAX, "Vote buying");
	snprintf(a->f.names[LANG_FR], ALERT_NAME_MAX, "Achat de votes");
	snprintf(a->f.names[LANG_AR], ALERT_NAME_MAX,
		 "\xd8\xb4\xd8\xb1\xd8\xa7\xd8\xa1 \xd8\xa3\xd8\xb5\xd9\x88\xd8\xa7\xd8\xaa");
	snprintf(a->f.who, sizeof(a->f.who), "%s",
		 rule == ALERT_SENDER_FLOOD ? "+9613***456" : "usb0");
	snprintf(a->f.text, sizeof(a->f.text), "%s",
		 rule == ALERT_CHECKLIST_CHECK ? "OP unsealed: AB = 2"
					       : "generator failed at the centre");
	/* the figures each rule would carry */
	switch (rule) {
	case ALERT_IMPOSSIBLE_NUMBERS:
		a->f.value = 900;
		a->f.threshold = 800;
		break;
	case ALERT_TURNOUT_HIGH:
		a->f.voters = 760;
		a->f.pct = 95;
		break;
	case ALERT_TURNOUT_JUMP:
		a->f.voters = 420;
		a->f.prev = 120;
		a->f.pct = 37;
		a->f.threshold = 30;
		break;
	case ALERT_WOMEN_SHARE_LOW:
		a->f.pct = 9;
		a->f.threshold = 15;
		break;
	case ALERT_WOMEN_SHARE_HIGH:
		a->f.pct = 91;
		a->f.threshold = 85;
		break;
	case ALERT_RESULTS_CORRECTED:
	case ALERT_CONFLICTING_REPORTS:
		a->f.prev = 410;
		a->f.value = 460;
		break;
	case ALERT_MISSING_OPENING: snprintf(a->f.check, sizeof(a->f.check), "07:00"); break;
	case ALERT_MISSING_RESULTS: snprintf(a->f.check, sizeof(a->f.check), "19:00"); break;
	case ALERT_LOW_BALANCE:
		a->f.value = 2;
		a->f.threshold = 5;
		break;
	case ALERT_SPOOL_BACKLOG: a->f.count = 37; break;
	case ALERT_OUTBOX_BACKLOG: a->f.count = 512; break;
	default: break;
	}
}

static void test_texts_typical(void **state)
{
	char buf[ALERT_TEXT_MAX];

	(void)state;
	for (int rule = 0; rule < ALERT_RULE_COUNT; rule++) {
		for (int l = 0; l < LANG_COUNT; l++) {
			struct alert a;
			size_t variant = 9;

			typical(&a, (enum alert_rule)rule, (enum lang)l);
			assert_true(alert_text_render_variant(&a, (enum lang)l, buf, sizeof(buf),
							      &variant) > 0);
			if (variant != 0)
				fail_msg("%s %s needs variant %zu: %s",
					 alert_rule_name((enum alert_rule)rule),
					 lang_code((enum lang)l), variant, buf);
			if (getenv("SAWT_ALERT_EXAMPLES") != NULL)
				printf("# %s %s: %s\n", alert_rule_name((enum alert_rule)rule),
				       lang_code((enum lang)l), buf);
		}
	}
}

static void test_texts(void **state)
{
	char buf[ALERT_TEXT_MAX];
	unsigned counts[ALERT_RULE_COUNT] = { 0 };
	struct alert a;

	(void)state;
	typical(&a, ALERT_CRITICAL_INCIDENT, LANG_EN);
	assert_true(alert_text_render(&a, LANG_EN, buf, sizeof(buf)) > 0);
	assert_string_equal(
		buf,
		"Alert 17 CRITICAL at 1021 (Achrafieh): Vote buying, incident 3. Reply ACK 17");
	/* an Arabic area in an English text is UCS-2: the shorter text */
	typical(&a, ALERT_CRITICAL_INCIDENT, LANG_AR);
	assert_true(alert_text_render(&a, LANG_AR, buf, sizeof(buf)) > 0);
	assert_string_equal(buf,
			    "تنبيه 17 خطير في 1021 الأشرفية: شراء أصوات، مخالفة 3. أرسل تم 17");
	assert_true(alert_text_render(&a, LANG_FR, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "Alerte 17 CRITIQUE bureau 1021 (الأشرفية): incident 3. OK 17");
	/* the figures of impossible numbers */
	typical(&a, ALERT_IMPOSSIBLE_NUMBERS, LANG_EN);
	snprintf(a.f.check, sizeof(a.f.check), "women_exceed_voters");
	assert_true(alert_text_render(&a, LANG_EN, buf, sizeof(buf)) > 0);
	assert_string_equal(
		buf,
		"Alert 17: impossible figures at 1021 (Achrafieh): W 900 > V 800. Not counted, observer asked to check. ACK 17");
	/* a list of stations only when there is one */
	typical(&a, ALERT_MISSING_TURNOUT, LANG_EN);
	a.f.stations[0] = '\0';
	a.f.count = 42;
	assert_true(alert_text_render(&a, LANG_EN, buf, sizeof(buf)) > 0);
	assert_string_equal(
		buf, "Alert 17: 42 station(s) in Achrafieh sent no turnout for 11:00. ACK 17");
	/* digests: the three largest, then the rest */
	counts[ALERT_MISSING_TURNOUT] = 3;
	counts[ALERT_TURNOUT_HIGH] = 2;
	counts[ALERT_WOMEN_MISSING] = 1;
	counts[ALERT_MODEM_DOWN] = 1;
	assert_true(alert_text_digest(7, counts, "Aleppo", LANG_EN, buf, sizeof(buf)) > 0);
	assert_string_equal(
		buf,
		"7 more alerts in Aleppo: 3 missing turnout, 2 high turnout, 1 no women figure, +1. Reply STATUS");
	assert_true(alert_text_digest(7, counts, NULL, LANG_AR, buf, sizeof(buf)) > 0);
	one_segment(buf, "digest ar");
	assert_true(alert_text_digest(7, counts, NULL, LANG_FR, buf, sizeof(buf)) > 0);
	assert_string_equal(
		buf,
		"7 autres alertes: 3 participation manquante, 2 participation élevée, 1 femmes non indiquées, +1. Envoyez ETAT");
	/* every template of every entry exists where the catalogue needs it */
	for (int k = 0; k < ALERT_TEXT_KINDS; k++)
		for (int l = 0; l < LANG_COUNT; l++)
			assert_non_null(alert_text_template(k, (enum lang)l, 0));
	assert_null(alert_text_template(ALERT_TEXT_KINDS, LANG_EN, 0));
}

static void test_template(void **state)
{
	char buf[32];
	const char *tpls[] = { "a very long text that does not fit at all in thirty-two bytes",
			       "short" };
	size_t which = 9;

	(void)state;
	/* a buffer too small for the first: the second */
	assert_int_equal(template_render_sms(&(struct template_ops){ NULL, NULL }, NULL, tpls, 2,
					     buf, sizeof(buf), &which, NULL),
			 5);
	assert_int_equal(which, 1);
	assert_string_equal(buf, "short");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_turnout_high),
		cmocka_unit_test(test_turnout_jump),
		cmocka_unit_test(test_women_share),
		cmocka_unit_test(test_reports),
		cmocka_unit_test(test_timer_checks),
		cmocka_unit_test(test_helpers),
		cmocka_unit_test(test_routing),
		cmocka_unit_test(test_routing_no_national),
		cmocka_unit_test(test_dedup),
		cmocka_unit_test(test_rate_limit_digest),
		cmocka_unit_test(test_load_state),
		cmocka_unit_test(test_batch),
		cmocka_unit_test(test_escalation),
		cmocka_unit_test(test_watch),
		cmocka_unit_test(test_texts_worst_case),
		cmocka_unit_test(test_texts_typical),
		cmocka_unit_test(test_texts),
		cmocka_unit_test(test_template),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
