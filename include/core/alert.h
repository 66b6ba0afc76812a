/*
 * alert.h - the alerts to coordinators (DESIGN.md sections 1 and 7): the
 * rules, their severities and their evaluation, as pure functions of their
 * inputs.
 *
 * Each rule has a stable snake_case name, shared by the database
 * (sawt.alerts.kind), the texts (alert_text.h) and the metrics:
 *
 *   critical_incident    an accepted incident whose code is critical
 *   serious_incidents    accepted serious incidents, batched per area
 *   impossible_numbers   a report rejected as impossible: women > voters,
 *                        men > voters, voters > registered, women >
 *                        registered women, results > registered
 *   turnout_high         turnout at or above turnout_high_pct of registered
 *   turnout_jump         a rise between two reports of at least
 *                        turnout_jump_pct points of registered
 *   women_share_low      women's share below women_low_pct, once a station
 *                        has women_min_voters voters
 *   women_share_high     ... above women_high_pct
 *   women_missing        a turnout of women_min_voters or more without W
 *   results_corrected    an observer's results replaced by different ones
 *   conflicting_reports  two observers of one station disagree (close or
 *                        results)
 *   missing_opening      not opened by polls_open + missing_open_minutes
 *   missing_turnout      no turnout since the previous checkpoint, by each
 *                        turnout checkpoint + checkpoint_grace_minutes
 *   missing_results      no results by polls_close + missing_results_minutes
 *   modem_down           a modem down for modem_down_minutes
 *   low_balance          a modem's airtime balance below balance_min
 *   spool_backlog        messages in the spool for spool_minutes
 *   outbox_backlog       outbox_backlog SMS waiting, or one for
 *                        outbox_wait_minutes
 *   sender_flood         a sender muted for flooding (decide.c raises it)
 *   other                a kind this sawt does not know (an alert inserted
 *                        by hand): sent with its stored message
 *
 * Thresholds come from [alerts] (struct config_alerts, config.h).  Times
 * are inputs (Unix seconds): nothing here reads a clock.
 */
#ifndef SAWT_ALERT_H
#define SAWT_ALERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "lang.h"
#include "log.h"
#include "parse.h"

enum alert_severity {
	ALERT_SEV_INFO = 0,
	ALERT_SEV_SERIOUS,
	ALERT_SEV_CRITICAL,
};
#define ALERT_SEV_COUNT 3

enum alert_rule {
	ALERT_CRITICAL_INCIDENT = 0,
	ALERT_SERIOUS_INCIDENTS,
	ALERT_IMPOSSIBLE_NUMBERS,
	ALERT_TURNOUT_HIGH,
	ALERT_TURNOUT_JUMP,
	ALERT_WOMEN_SHARE_LOW,
	ALERT_WOMEN_SHARE_HIGH,
	ALERT_WOMEN_MISSING,
	ALERT_RESULTS_CORRECTED,
	ALERT_CONFLICTING_REPORTS,
	ALERT_MISSING_OPENING,
	ALERT_MISSING_TURNOUT,
	ALERT_MISSING_RESULTS,
	ALERT_MODEM_DOWN,
	ALERT_LOW_BALANCE,
	ALERT_SPOOL_BACKLOG,
	ALERT_OUTBOX_BACKLOG,
	ALERT_SENDER_FLOOD,
	ALERT_CHECKLIST_CHECK,
	ALERT_OTHER,
};
#define ALERT_RULE_COUNT (ALERT_OTHER + 1)

#define ALERT_SUBJECT_MAX 96
#define ALERT_NAME_MAX 64 /* bytes of an incident or area name kept */
#define ALERT_STATIONS_MAX 96
#define ALERT_OTHER_TEXT_MAX 160

/* "critical_incident", ...; "other" out of range. */
const char *alert_rule_name(enum alert_rule rule);

/* The rule named name; ALERT_OTHER (and false) for a name not in the table. */
bool alert_rule_parse(const char *name, enum alert_rule *out);

/* The severity a rule raises its alerts with. */
enum alert_severity alert_rule_severity(enum alert_rule rule);

/* True for the rules of missing reports (resolved when they arrive). */
bool alert_rule_missing(enum alert_rule rule);

/* "info", "serious", "critical". */
const char *alert_severity_name(enum alert_severity sev);

/* False (and *out untouched) for anything else. */
bool alert_severity_parse(const char *name, enum alert_severity *out) SAWT_MUST_CHECK;

/*
 * What an alert says, for its texts and sawt.alerts.figures.  Which
 * members a rule uses is listed at alert_text.c's templates; numbers are
 * present when not negative.
 */
struct alert_figures {
	int64_t voters, women, registered, prev, value, pct, threshold, count, minutes, code;
	char check[32];                         /* a sub-kind or a time "HH:MM" */
	char stations[ALERT_STATIONS_MAX];      /* station codes listed; "" */
	char names[LANG_COUNT][ALERT_NAME_MAX]; /* incident names; "" */
	char who[64];                           /* a modem or a sender */
	char text[ALERT_OTHER_TEXT_MAX];        /* other: its stored message */
	char key[32];                           /* missing reports: the check (alert_check.key) */
	int64_t after; /* missing turnout: reports sent from then count; 0 */
};

/* One alert as decided. */
struct alert {
	int64_t id; /* sawt.alerts.id; 0 until the engine gives it one */
	enum alert_rule rule;
	enum alert_severity severity;
	int station_id; /* 0: none */
	int area_id;    /* the station's area, a group's area; 0: none */
	char station[PARSE_STATION_MAX + 1];
	char area_name[ALERT_NAME_MAX];  /* filled from the routes */
	int64_t report_id, inbound_id;   /* 0: none */
	char subject[ALERT_SUBJECT_MAX]; /* rule and what it is about: the dedup key */
	struct alert_figures f;
};

/* A zeroed alert of rule with its severity and every number absent. */
void alert_init(struct alert *a, enum alert_rule rule);

struct json_buf;

/* Write a's figures as the members of a JSON object (sawt.alerts.figures):
 * the numbers present and the texts set. */
void alert_json_figures(struct json_buf *j, const struct alert *a);

/* Flags of a stored report (sawt.reports.flags), as bits. */
#define ALERT_FLAG_RESEND (1u << 0)
#define ALERT_FLAG_OUT_OF_ORDER (1u << 1)
#define ALERT_FLAG_CONFLICT (1u << 2)
#define ALERT_FLAG_DECREASE (1u << 3)

/* The bits of a flags array as PostgreSQL prints it ("{resend,late}"). */
uint32_t alert_report_flags(const char *pg_array);

/* A stored report and what the registry and the store say about it. */
struct alert_report {
	int64_t id, inbound_id;
	enum parse_form form;
	bool rejected;
	char error[40]; /* its error code when rejected */
	uint32_t flags; /* ALERT_FLAG_* */
	int station_id, area_id, person_id, contest_id;
	char station[PARSE_STATION_MAX + 1];
	int64_t registered, registered_women; /* 0: not known */
	int64_t voters, women, men;           /* -1: not given */
	int64_t sum;                          /* results: every count; -1 */
	int64_t incident_code;                /* -1: none */
	bool incident_known;
	enum alert_severity incident_severity;
	char incident_names[LANG_COUNT][ALERT_NAME_MAX];
	/* the report this one replaced as the station's current one */
	bool has_prev;
	int prev_person;
	int64_t prev_voters, prev_sum; /* -1: not given */
	bool prev_same_counts;         /* results: the same counts */
};

/* A report with nothing given (numbers -1). */
void alert_report_init(struct alert_report *r);

/*
 * The alerts report r raises under a's thresholds, into out (cap
 * entries); returns how many (at most ALERT_REPORT_MAX).  An identical
 * resend raises nothing; a report older than the station's current one
 * (out of order) raises only impossible_numbers and incidents.
 */
#define ALERT_REPORT_MAX 4
size_t alert_rules_report(const struct config_alerts *a, const struct alert_report *r,
			  struct alert *out, size_t cap);

/* The election day's times: local midnight and the polls, for the timer
 * rules. */
struct alert_day {
	int64_t midnight; /* Unix s of local midnight starting election day */
	int polls_open;   /* minutes after midnight; -1 unset */
	int polls_close;
	long utc_offset; /* seconds east of UTC */
};

/*
 * Fix the day: day is election day as days since 1970-01-01 in local time,
 * or -1 for the local date of now.
 */
void alert_day_init(struct alert_day *d, int64_t day, int polls_open, int polls_close,
		    long utc_offset, int64_t now);

/* A timer rule whose deadline has passed: stations without the report. */
struct alert_check {
	enum alert_rule rule; /* missing_opening, missing_turnout, missing_results */
	const char *form;     /* the report looked for: "open", "turnout", "results" */
	char key[32];         /* "2025-05-04 11:00": the time checked, local */
	char time[6];         /* "11:00" */
	int64_t at;           /* that time (Unix s) */
	int64_t after;        /* turnout: a report sent at or after counts; 0 any */
	int64_t due;          /* when the check started */
};

/*
 * The checks due at now (into out, cap entries; at most ALERT_CHECKS_MAX):
 * missing_opening from polls_open + missing_open_minutes, the latest
 * turnout checkpoint whose grace has passed (until polls_close), and
 * missing_results from polls_close + missing_results_minutes; none a day
 * and a half after election day's midnight.
 */
#define ALERT_CHECKS_MAX 3
size_t alert_timer_checks(const struct config_alerts *a, const struct alert_day *d, int64_t now,
			  struct alert_check *out, size_t cap);

/*
 * The airtime balance in a modem's balance text: the whole part of its
 * first number ("Your balance is 2.50 USD" -> 2).  False when there is no
 * number.
 */
bool alert_balance_parse(const char *text, uint64_t *out) SAWT_MUST_CHECK;

/*
 * Write the station codes codes[0..n) separated by spaces into buf (cap
 * bytes) when there are at most max of them and they fit; else "".
 */
void alert_station_list(const char *const *codes, size_t n, size_t max, char *buf, size_t cap);

#endif
