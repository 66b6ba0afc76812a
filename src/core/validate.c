/*
 * validate.c - registry validation of parsed messages; see validate.h.
 */
#include "validate.h"

#include <string.h>

/* ---- the election clock ---- */

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Read n digits at s into *out. */
static bool digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

/* "YYYY-MM-DD HH:MM" (or T) into days since the epoch and minutes. */
static bool parse_deadline(const char *s, int64_t *days, int *minutes)
{
	int y, mo, d, h, mi;

	if (strlen(s) < 16 || s[4] != '-' || s[7] != '-' || (s[10] != ' ' && s[10] != 'T') ||
	    s[13] != ':')
		return false;
	if (!digits(s, 4, &y) || !digits(s + 5, 2, &mo) || !digits(s + 8, 2, &d) ||
	    !digits(s + 11, 2, &h) || !digits(s + 14, 2, &mi))
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59)
		return false;
	*days = days_from_civil(y, mo, d);
	*minutes = h * 60 + mi;
	return true;
}

bool validate_clock_init(struct validate_clock *c, int polls_open, const char *deadline,
			 long utc_offset)
{
	int64_t days;
	int minutes;

	memset(c, 0, sizeof(*c));
	c->polls_open = polls_open;
	c->utc_offset = utc_offset;
	if (deadline == NULL || deadline[0] == '\0')
		return true;
	if (!parse_deadline(deadline, &days, &minutes))
		return false;
	c->has_deadline = true;
	c->deadline_at = days * 86400 + minutes * 60 - utc_offset;
	if (polls_open >= 0) {
		if (minutes < polls_open)
			days--; /* the deadline is after midnight */
		c->has_open = true;
		c->open_at = days * 86400 + (int64_t)polls_open * 60 - utc_offset;
	}
	return true;
}

static uint32_t time_flags(const struct validate_clock *c, enum parse_form form, int64_t t)
{
	uint32_t flags = 0;

	if (form != PARSE_FORM_OPEN) {
		if (c->has_open) {
			if (t < c->open_at)
				flags |= VALIDATE_FLAG_EARLY;
		} else if (c->polls_open >= 0) {
			int64_t local = t + c->utc_offset;
			int64_t minute = ((local % 86400 + 86400) % 86400) / 60;

			if (minute < c->polls_open)
				flags |= VALIDATE_FLAG_EARLY;
		}
	}
	if (c->has_deadline && t > c->deadline_at)
		flags |= VALIDATE_FLAG_LATE;
	return flags;
}

/* ---- rules ---- */

static bool reject(struct validate_result *out, enum reply_kind kind)
{
	out->outcome = VALIDATE_REJECTED;
	out->reply = kind;
	return false;
}

static uint32_t clamp32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* Turnout and close: voters, women and men against each other and the
 * registered figures. */
static bool check_turnout(const struct parse_msg *m, const struct regsnap_station *st,
			  struct validate_result *out)
{
	bool w = m->has & PARSE_HAS_WOMEN, mn = m->has & PARSE_HAS_MEN;

	out->sum = clamp32((uint64_t)(w ? m->women : 0) + (mn ? m->men : 0));
	if (w && m->women > m->voters)
		return reject(out, REPLY_WOMEN_EXCEED_VOTERS);
	if (mn && !w && m->men > m->voters)
		return reject(out, REPLY_MEN_EXCEED_VOTERS);
	if (mn && w && (uint64_t)m->women + m->men != m->voters)
		return reject(out, REPLY_SUM_MISMATCH);
	if (st->registered > 0 && m->voters > (uint32_t)st->registered) {
		out->registered = (uint32_t)st->registered;
		return reject(out, REPLY_VOTERS_EXCEED_REGISTERED);
	}
	if (w && st->registered_women > 0 && m->women > (uint32_t)st->registered_women) {
		out->registered = (uint32_t)st->registered_women;
		return reject(out, REPLY_WOMEN_EXCEED_REGISTERED_WOMEN);
	}
	return true;
}

/* The contest a results message is about. */
static bool pick_contest(const struct parse_msg *m, const struct regsnap_station *st,
			 struct validate_result *out)
{
	if (st->n_contests == 0)
		return reject(out, REPLY_NO_CONTEST);
	if (m->has & PARSE_HAS_CONTEST)
		out->contest = regsnap_station_contest(st, m->contest);
	else if (st->n_contests == 1)
		out->contest = st->contests[0];
	else
		return reject(out, REPLY_CONTEST_REQUIRED);
	if (out->contest == NULL)
		return reject(out, REPLY_CONTEST_NOT_ON_BALLOT);
	return true;
}

static bool check_results(const struct parse_msg *m, const struct regsnap_station *st,
			  struct validate_result *out)
{
	uint64_t sum = 0;

	if (!pick_contest(m, st, out))
		return false;
	for (uint8_t i = 0; i < m->n_counts; i++)
		sum += m->counts[i];
	out->sum = clamp32(sum);
	out->expected = (uint32_t)out->contest->n_candidates + 2;
	if (m->n_counts != out->expected)
		return reject(out, REPLY_WRONG_COUNT_NUMBER);
	if ((m->has & PARSE_HAS_TOTAL) && sum != m->total)
		return reject(out, REPLY_COUNTS_TOTAL_MISMATCH);
	if (st->registered > 0 && sum > (uint64_t)st->registered) {
		out->registered = (uint32_t)st->registered;
		return reject(out, REPLY_RESULTS_EXCEED_REGISTERED);
	}
	return true;
}

static bool check_form(struct regsnap *reg, const struct parse_msg *m, struct validate_result *out)
{
	const struct regsnap_station *st = out->station;

	switch (m->form) {
	case PARSE_FORM_OPEN: out->reply = REPLY_ACCEPTED_OPEN; return true;
	case PARSE_FORM_TURNOUT:
		out->reply = REPLY_ACCEPTED_TURNOUT;
		return check_turnout(m, st, out);
	case PARSE_FORM_CLOSE: out->reply = REPLY_ACCEPTED_CLOSE; return check_turnout(m, st, out);
	case PARSE_FORM_RESULTS:
		out->reply = REPLY_ACCEPTED_RESULTS;
		return check_results(m, st, out);
	case PARSE_FORM_INCIDENT:
		out->reply = REPLY_ACCEPTED_INCIDENT;
		out->incident = regsnap_incident(reg, (int)m->code);
		if (m->code > 9999 || out->incident == NULL)
			return reject(out, REPLY_UNKNOWN_INCIDENT_CODE);
		return true;
	default: return reject(out, REPLY_UNEXPECTED_TOKEN);
	}
}

static bool check_pin(const struct parse_msg *m, struct regsnap_person *p,
		      struct validate_result *out)
{
	if (p->pin_hash == NULL)
		return true;
	if (!(m->has & PARSE_HAS_PIN))
		return reject(out, REPLY_PIN_REQUIRED);
	if (!regsnap_pin_check(p, m->pin))
		return reject(out, REPLY_BAD_PIN);
	return true;
}

/* Rules 2 to 6: sender, PIN, parse error, coordinator commands.  Returns
 * false when the message is decided (rejected, or a command). */
static bool check_sender(struct regsnap *reg, const struct validate_input *in,
			 struct validate_result *out)
{
	const struct parse_msg *m = in->msg;
	struct regsnap_person *p = in->sender[0] ? regsnap_person(reg, in->sender) : NULL;

	out->person = p;
	if (p == NULL)
		return reject(out, REPLY_UNKNOWN_SENDER);
	if (in->pin_locked && p->pin_hash != NULL)
		return reject(out, REPLY_PIN_LOCKED);
	if (m->error != PARSE_OK)
		return reject(out, reply_kind_for_error(m->error));
	if (!check_pin(m, p, out))
		return false;
	if (m->form == PARSE_FORM_STATUS || m->form == PARSE_FORM_ACK ||
	    m->form == PARSE_FORM_VERIFY || m->form == PARSE_FORM_QUARANTINE) {
		if (p->role != REGISTRY_ROLE_COORDINATOR)
			return reject(out, REPLY_NOT_COORDINATOR);
		out->reply = m->form == PARSE_FORM_STATUS   ? REPLY_STATUS
			     : m->form == PARSE_FORM_ACK    ? REPLY_ACK
			     : m->form == PARSE_FORM_VERIFY ? REPLY_REVIEW_VERIFIED
							    : REPLY_REVIEW_QUARANTINED;
		return false;
	}
	return true;
}

void validate_message(struct regsnap *reg, const struct validate_clock *clock,
		      const struct validate_input *in, struct validate_result *out)
{
	const struct parse_msg *m = in->msg;

	memset(out, 0, sizeof(*out));
	out->outcome = VALIDATE_ACCEPTED;
	if (m->error == PARSE_OK && m->form == PARSE_FORM_HELP) {
		out->person = in->sender[0] ? regsnap_person(reg, in->sender) : NULL;
		if (!reply_kind_for_msg(m, &out->reply))
			out->reply = REPLY_HELP;
		return;
	}
	if (!check_sender(reg, in, out))
		return;
	out->station = regsnap_station(reg, m->station);
	if (out->station == NULL) {
		reject(out, REPLY_STATION_UNKNOWN);
		return;
	}
	if (!regsnap_assigned(reg, out->person, out->station)) {
		reject(out, REPLY_STATION_NOT_ASSIGNED);
		return;
	}
	if (!check_form(reg, m, out))
		return;
	out->flags = time_flags(clock, m->form, in->sent_at);
	if (out->flags != 0)
		out->outcome = VALIDATE_ACCEPTED_FLAGGED;
}

const char *validate_flag_name(uint32_t flag)
{
	switch (flag) {
	case VALIDATE_FLAG_EARLY: return "early";
	case VALIDATE_FLAG_LATE: return "late";
	default: return NULL;
	}
}

const char *validate_outcome_name(enum validate_outcome outcome)
{
	switch (outcome) {
	case VALIDATE_ACCEPTED: return "accepted";
	case VALIDATE_ACCEPTED_FLAGGED: return "accepted_flagged";
	default: return "rejected";
	}
}
