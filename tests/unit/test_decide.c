/*
 * test_decide.c - the decision of one message (decide.c) and its record
 * (decide_json.c) against a hand-built registry snapshot: accepted,
 * flagged, rejected, PIN lock, resend replies, throttled and non-phone
 * senders, own numbers, STATUS, reply language.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "decide.h"
#include "decide_json.h"
#include "pin.h"
#include "regsnap.h"
#include "registry_import.h"
#include "sender.h"
#include "validate.h"

#define OBS "+9613100001"      /* observer of 1021, English, no PIN */
#define PINNED "+9613100002"   /* observer of 1021, PIN 4321 */
#define COORD "+9613100003"    /* coordinator of area 1, French */
#define ARABIC "+9613100004"   /* observer of 1021, Arabic */
#define NOLANG "+9613100005"   /* observer of 1021, no language */
#define STRANGER "+9617000000" /* not registered */
#define OWN "+9613999999"      /* one of sawt's modems */

#define NOW_S 1746360000  /* 2025-05-04 12:00 UTC: polls are open */
#define LATE_S 1746400000 /* after the results deadline */

static struct regsnap *snap;
static struct validate_clock clk;
static struct sender_table *senders;
static const char *const own[] = { OWN };
static struct decide_settings set = {
	.country_code = "961",
	.own = own,
	.n_own = 1,
	.default_lang = LANG_EN,
	.rules = { .rate_max = 3, .rate_window_s = 60, .mute_s = 3600 },
};
static int64_t mono = 1000000;
static int64_t step_ms; /* between two messages of decide_text() */

static int setup(void **state)
{
	char hash[PIN_HASH_BUF];
	bool ok;

	(void)state;
	snap = regsnap_new();
	ok = snap != NULL && pin_hash("4321", 1, hash, sizeof(hash)) &&
	     regsnap_add_area(snap, 1, 0) && regsnap_add_area(snap, 2, 1) &&
	     regsnap_add_contest(snap, 10, "MUN", 3) &&
	     regsnap_add_station(snap, 100, "1021", 2, 1000, 500) &&
	     regsnap_add_station(snap, 101, "1022", 2, 800, 400) &&
	     regsnap_add_station_contest(snap, 100, 10) &&
	     regsnap_add_person(snap, 1, OBS, "Rania", REGISTRY_ROLE_OBSERVER, LANG_EN, NULL) &&
	     regsnap_add_person(snap, 2, PINNED, "Omar", REGISTRY_ROLE_OBSERVER, -1, hash) &&
	     regsnap_add_person(snap, 3, COORD, "Lina", REGISTRY_ROLE_COORDINATOR, LANG_FR, NULL) &&
	     regsnap_add_person(snap, 4, ARABIC, NULL, REGISTRY_ROLE_OBSERVER, LANG_AR, NULL) &&
	     regsnap_add_person(snap, 5, NOLANG, NULL, REGISTRY_ROLE_OBSERVER, -1, NULL) &&
	     regsnap_add_person_station(snap, 1, 100) && regsnap_add_person_station(snap, 2, 100) &&
	     regsnap_add_person_station(snap, 4, 100) && regsnap_add_person_station(snap, 5, 100) &&
	     regsnap_add_person_area(snap, 3, 1) &&
	     regsnap_add_incident(snap, 3, REGISTRY_SEVERITY_SERIOUS) && regsnap_finish(snap) &&
	     validate_clock_init(&clk, 7 * 60, "2025-05-04 23:00", 3 * 3600);
	return ok ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	regsnap_free(snap);
	return 0;
}

/* Each test starts with no sender state and a later clock. */
static int fresh(void **state)
{
	(void)state;
	sender_table_free(senders);
	senders = sender_table_new();
	mono += 24 * 3600 * 1000;
	step_ms = 30000; /* under any rate limit of the tests */
	return senders != NULL ? 0 : -1;
}

static int drop(void **state)
{
	(void)state;
	sender_table_free(senders);
	senders = NULL;
	return 0;
}

static void make_in(struct inbound *in, const char *sender, const char *text, int64_t sent)
{
	memset(in, 0, sizeof(*in));
	in->transport = INBOUND_GSM;
	in->concat_parts = 1;
	in->smsc_time = sent;
	in->received_ms = (sent + 5) * 1000;
	snprintf(in->source, sizeof(in->source), "usb0");
	snprintf(in->sender, sizeof(in->sender), "%s", sender);
	in->text_len = (uint16_t)snprintf(in->text, sizeof(in->text), "%s", text);
	inbound_dedup_key(in);
}

/* Decide in at the sender clock advanced by step ms. */
static void decide_in(const struct inbound *in, int64_t step, struct decide_result *d)
{
	struct decide_context c = { snap, &clk, senders, mono += step, (NOW_S + 5) * 1000LL, 0 };

	decide_message(&set, &c, in, d);
}

/* Decide text from sender, sent about now, step_ms after the last message. */
static const struct decide_result *decide_text(const char *sender, const char *text)
{
	static struct inbound in;
	static struct decide_result d;
	static unsigned seq;

	/* each call is a message of its own (its own SMSC time, so its own
	 * dedup key): a redelivered copy counts for neither rate nor PIN */
	make_in(&in, sender, text, NOW_S - 250 + (int64_t)(seq++ % 250));
	decide_in(&in, step_ms, &d);
	return &d;
}

static const char *json_of(const struct decide_result *d)
{
	static char buf[DECIDE_JSON_MAX];

	assert_true(decide_json(d, d->in->dedup, buf, sizeof(buf)));
	return buf;
}

#define assert_contains(hay, needle) \
	do { \
		if (strstr((hay), (needle)) == NULL) \
			fail_msg("\"%s\" not in \"%s\"", (needle), (hay)); \
	} while (0)

#define assert_lacks(hay, needle) \
	do { \
		if (strstr((hay), (needle)) != NULL) \
			fail_msg("\"%s\" in \"%s\"", (needle), (hay)); \
	} while (0)

static void assert_rejected(const struct decide_result *d, enum reply_kind kind)
{
	assert_int_equal(d->state, DECIDE_PROCESSED);
	assert_int_equal(d->no_reply, DECIDE_REPLY);
	assert_int_equal(d->verdict.outcome, VALIDATE_REJECTED);
	assert_string_equal(reply_kind_code(d->verdict.reply), reply_kind_code(kind));
	assert_int_equal(d->priority, DECIDE_PRIORITY_ERROR);
	assert_true(d->body[0] != '\0');
	assert_string_equal(d->resend, "");
	assert_string_equal(d->decrease, "");
	assert_string_equal(d->tally_key, "");
	assert_false(d->render_failed);
}

static void test_accepted(void **state)
{
	const struct decide_result *d = decide_text(OBS, "T 1021 V420 W190");
	const char *j;

	(void)state;
	assert_int_equal(d->state, DECIDE_PROCESSED);
	assert_int_equal(d->no_reply, DECIDE_REPLY);
	assert_true(d->parsed);
	assert_int_equal(d->verdict.outcome, VALIDATE_ACCEPTED);
	assert_int_equal(d->verdict.reply, REPLY_ACCEPTED_TURNOUT);
	assert_int_equal(d->verdict.flags, 0);
	assert_string_equal(d->sender, OBS);
	assert_int_equal(d->lang, LANG_EN);
	assert_int_equal(d->priority, DECIDE_PRIORITY_CONFIRM);
	assert_contains(d->body, "420");
	assert_contains(d->body, "190");
	assert_true(d->resend[0] != '\0');
	assert_true(d->decrease[0] != '\0');
	assert_int_equal(d->station_id, 100);
	assert_string_equal(d->tally_key, "100/turnout/0");
	assert_false(d->alert.raise);
	j = json_of(d);
	assert_contains(j, "\"in_state\":\"processed\"");
	assert_contains(j, "\"verdict\":\"accepted\"");
	assert_contains(j, "\"flags\":[]");
	assert_contains(j, "\"voters\":420");
	assert_contains(j, "\"person\":1");
	assert_contains(j, "\"recipient\":\"" OBS "\"");
	assert_contains(j, "\"priority\":2");
	assert_lacks(j, "in_error");
	assert_lacks(j, "no_reply");
}

/* A report that came by USSD is answered on the session's screen: the same
 * decision, no SMS reply, unless [ussd] sms_reply. */
static void test_ussd_no_sms_reply(void **state)
{
	static struct inbound in;
	struct decide_result d;
	const char *j;

	(void)state;
	make_in(&in, OBS, "T 1021 V430 W200", NOW_S - 100);
	in.transport = INBOUND_USSD;
	in.smsc_time = 0;
	snprintf(in.source, sizeof(in.source), "ussd");
	decide_in(&in, step_ms, &d);
	assert_int_equal(d.state, DECIDE_PROCESSED);
	assert_int_equal(d.verdict.outcome, VALIDATE_ACCEPTED);
	assert_string_equal(d.tally_key, "100/turnout/0");
	assert_int_equal(d.no_reply, DECIDE_NO_REPLY_USSD);
	assert_string_equal(d.body, "");
	j = json_of(&d);
	assert_contains(j, "\"no_reply\":\"ussd\"");
	assert_lacks(j, "recipient");
	set.ussd_sms_reply = true;
	in.text_len = (uint16_t)snprintf(in.text, sizeof(in.text), "T 1021 V440 W200");
	inbound_dedup_key(&in);
	decide_in(&in, step_ms, &d);
	set.ussd_sms_reply = false;
	assert_int_equal(d.no_reply, DECIDE_REPLY);
	assert_contains(d.body, "440");
}

/* The whole record of one message, member by member. */
static void test_record(void **state)
{
	const struct decide_result *d = decide_text(OBS, "O 1021 0705");
	char want[DECIDE_JSON_MAX];

	(void)state;
	snprintf(want, sizeof(want),
		 "{\"dkey\":\"%s\",\"transport\":\"modem\",\"modem\":\"usb0\","
		 "\"sender\":\"" OBS
		 "\",\"smsc\":%lld,\"recv_ms\":%lld,\"sent\":%lld,"
		 "\"txt\":\"O 1021 0705\",\"person\":1,\"in_state\":\"processed\","
		 "\"form\":\"open\",\"station\":100,\"station_code\":\"1021\","
		 "\"verdict\":\"accepted\",\"flags\":[],\"open_at\":\"07:05\","
		 "\"recipient\":\"" OBS
		 "\",\"priority\":2,\"reply\":\"%s\","
		 "\"reply_resend\":\"%s\"}",
		 d->in->dedup, (long long)d->in->smsc_time, (long long)d->in->received_ms,
		 (long long)d->in->smsc_time, d->body, d->resend);
	assert_string_equal(json_of(d), want);
	assert_string_equal(d->decrease, ""); /* only turnout and close */
}

static void test_accepted_with_flags(void **state)
{
	struct inbound in;
	struct decide_result d;
	const char *j;

	(void)state;
	make_in(&in, OBS, "C 1021 V610 W270", LATE_S);
	in.concat_parts = 3;
	in.concat_missing = 1;
	in.concat_ref = 77;
	decide_in(&in, 1000, &d);
	assert_int_equal(d.verdict.outcome, VALIDATE_ACCEPTED_FLAGGED);
	assert_true(d.verdict.flags & VALIDATE_FLAG_LATE);
	assert_true(d.missing_parts);
	assert_string_equal(d.tally_key, "100/close/0");
	j = json_of(&d);
	assert_contains(j, "\"flags\":[\"late\",\"missing_parts\"]");
	assert_contains(j, "\"mp_ref\":77,\"mp_part\":2,\"mp_total\":3");

	/* a missing part does not flag what is not a report */
	make_in(&in, OBS, "HELP", NOW_S);
	in.concat_parts = 2;
	in.concat_missing = 1;
	decide_in(&in, 1000, &d);
	assert_int_equal(d.verdict.outcome, VALIDATE_ACCEPTED);
	assert_false(d.missing_parts);
	assert_int_equal(d.priority, DECIDE_PRIORITY_HELP);
	assert_string_equal(d.tally_key, "");
}

static void test_rejected(void **state)
{
	const struct decide_result *d;

	(void)state;
	d = decide_text(STRANGER, "T 1021 V420 W190");
	assert_rejected(d, REPLY_UNKNOWN_SENDER);
	assert_null(d->verdict.person);
	assert_contains(json_of(d), "\"in_error\":\"unknown_sender\"");
	assert_contains(json_of(d), "\"verdict\":\"rejected\",\"error\":\"unknown_sender\"");

	d = decide_text(OBS, "T 1022 V420 W190");
	assert_rejected(d, REPLY_STATION_NOT_ASSIGNED);
	assert_int_equal(d->station_id, 101); /* its lane, not its tally */

	d = decide_text(OBS, "T 1021 V100 W190");
	assert_rejected(d, REPLY_WOMEN_EXCEED_VOTERS);
	assert_lacks(json_of(d), "flags");

	d = decide_text(OBS, "T 1021 V");
	assert_rejected(d, REPLY_MISSING_NUMBER);
	assert_int_equal(d->msg.error, PARSE_ERR_MISSING_NUMBER);
}

static void test_bad_pin_locks(void **state)
{
	const struct decide_result *d;

	(void)state;
	d = decide_text(PINNED, "T 1021 V420 W190");
	assert_rejected(d, REPLY_PIN_REQUIRED);
	for (int i = 0; i < SENDER_PIN_FAILS - 1; i++) {
		d = decide_text(PINNED, "T 1021 V420 W190 #1111");
		assert_rejected(d, REPLY_BAD_PIN);
		assert_int_equal(d->minutes, 30);
	}
	d = decide_text(PINNED, "T 1021 V420 W190 #1111");
	assert_rejected(d, REPLY_PIN_LOCKED);
	assert_int_equal(d->minutes, 30);
	assert_contains(json_of(d), "\"in_error\":\"pin_locked\"");

	/* locked: even the right PIN is refused */
	d = decide_text(PINNED, "T 1021 V420 W190 #4321");
	assert_rejected(d, REPLY_PIN_LOCKED);
	assert_int_equal(d->minutes, 30);
}

static void test_right_pin_forgets_wrong_ones(void **state)
{
	const struct decide_result *d;

	(void)state;
	for (int round = 0; round < 3; round++) {
		d = decide_text(PINNED, "T 1021 V420 W190 #1111");
		assert_rejected(d, REPLY_BAD_PIN);
		d = decide_text(PINNED, "T 1021 V420 W190 #1111");
		assert_rejected(d, REPLY_BAD_PIN);
		d = decide_text(PINNED, "T 1021 V420 W190 #4321");
		assert_int_equal(d->verdict.outcome, VALIDATE_ACCEPTED);
		assert_string_equal(d->tally_key, "100/turnout/0");
	}
}

/* The store finds a resend; the decision carries the reply it will send. */
static void test_identical_resend(void **state)
{
	struct inbound in;
	struct decide_result a, b;
	char ja[DECIDE_JSON_MAX];

	(void)state;
	make_in(&in, OBS, "T 1021 V420 W190", NOW_S);
	decide_in(&in, 1000, &a);
	assert_true(decide_json(&a, in.dedup, ja, sizeof(ja)));
	decide_in(&in, 1000, &b);
	assert_string_equal(ja, json_of(&b)); /* same message, same record */
	assert_string_equal(a.tally_key, b.tally_key);
	assert_true(a.resend[0] != '\0');
	assert_string_not_equal(a.resend, a.body);
	assert_contains(ja, "\"reply_resend\":\"");
	assert_contains(a.resend, "1021");
}

/*
 * The same message delivered again and again (a modem worker killed before
 * it deleted it, a spool replay) counts once: it neither mutes its sender
 * nor adds wrong PINs, so the next genuine report is still processed.
 */
static void test_redelivery_counts_once(void **state)
{
	struct inbound in;
	struct decide_result d;

	(void)state;
	make_in(&in, OBS, "T 1021 V420 W190", NOW_S);
	for (unsigned i = 0; i < 3 * set.rules.rate_max; i++) {
		decide_in(&in, 100, &d);
		assert_int_equal(d.state, DECIDE_PROCESSED);
		assert_int_equal(d.again, i > 0);
	}
	make_in(&in, PINNED, "T 1021 V420 W190 #1111", NOW_S);
	for (int i = 0; i < 2 * SENDER_PIN_FAILS; i++) {
		decide_in(&in, 100, &d);
		assert_rejected(&d, REPLY_BAD_PIN);
	}
	assert_int_equal(decide_text(PINNED, "T 1021 V430 W190 #4321")->verdict.outcome,
			 VALIDATE_ACCEPTED);
}

/*
 * A backlog delivered at once (a modem or operator queue) is counted by
 * send time: twice the rate limit, sent four minutes apart, arriving
 * within a second, mutes nobody and every message gets its reply.
 */
static void test_backlog_by_send_time(void **state)
{
	struct inbound in;
	struct decide_result d;
	char text[64];

	(void)state;
	for (unsigned i = 0; i < 2 * set.rules.rate_max + 2; i++) {
		snprintf(text, sizeof(text), "T 1021 V%u W100", 200 + i);
		make_in(&in, OBS, text, NOW_S - 3600 + 240 * (int64_t)i);
		in.received_ms = (NOW_S + 5) * 1000LL; /* all arrive now */
		decide_in(&in, 10, &d);
		assert_int_equal(d.state, DECIDE_PROCESSED);
		assert_int_equal(d.no_reply, DECIDE_REPLY);
		assert_true(d.body[0] != '\0');
		assert_false(d.alert.raise);
	}
}

/*
 * An unknown number is answered for its first message of each hour
 * (default), always, or never ([election] unknown_sender_reply); its
 * messages are recorded and judged every time.
 */
static void test_unknown_sender_replies(void **state)
{
	const struct decide_result *d;

	(void)state;
	d = decide_text(STRANGER, "T 1021 V420 W190");
	assert_rejected(d, REPLY_UNKNOWN_SENDER);
	d = decide_text(STRANGER, "T 1021 V421 W190");
	assert_int_equal(d->state, DECIDE_PROCESSED);
	assert_int_equal(d->no_reply, DECIDE_NO_REPLY_UNKNOWN);
	assert_int_equal(d->verdict.outcome, VALIDATE_REJECTED);
	assert_string_equal(d->body, "");
	assert_contains(json_of(d),
			"\"in_error\":\"unknown_sender\",\"no_reply\":\"unknown_sender\"");
	assert_lacks(json_of(d), "\"recipient\"");
	mono += SENDER_UNKNOWN_WINDOW_MS;
	assert_rejected(decide_text(STRANGER, "T 1021 V422 W190"), REPLY_UNKNOWN_SENDER);

	set.unknown_reply = CONFIG_UNKNOWN_REPLY_ALWAYS;
	assert_rejected(decide_text(STRANGER, "T 1021 V423 W190"), REPLY_UNKNOWN_SENDER);
	assert_rejected(decide_text(STRANGER, "T 1021 V424 W190"), REPLY_UNKNOWN_SENDER);
	set.unknown_reply = CONFIG_UNKNOWN_REPLY_NEVER;
	assert_int_equal(decide_text("+9617000001", "HELP")->no_reply, DECIDE_NO_REPLY_UNKNOWN);
	set.unknown_reply = CONFIG_UNKNOWN_REPLY_FIRST;
	/* a registered observer is answered every time */
	assert_int_equal(decide_text(OBS, "T 1021 V420 W190")->no_reply, DECIDE_REPLY);
	assert_int_equal(decide_text(OBS, "T 1021 V421 W190")->no_reply, DECIDE_REPLY);
}

/* An observer's "ok" or "thanks" is answered as a courtesy, not as the
 * coordinators' ACK syntax error or an unknown word. */
static void test_courtesy(void **state)
{
	const struct decide_result *d;

	(void)state;
	d = decide_text(OBS, "ok");
	assert_int_equal(d->verdict.outcome, VALIDATE_ACCEPTED);
	assert_string_equal(reply_kind_code(d->verdict.reply), "thanks");
	assert_string_equal(d->body, "Thank you. Send HELP for the formats.");
	assert_string_equal(d->tally_key, "");
	assert_lacks(json_of(d), "in_error");
	d = decide_text(OBS, " Thanks! ");
	assert_string_equal(reply_kind_code(d->verdict.reply), "thanks");
	d = decide_text(ARABIC, "\xd8\xb4\xd9\x83\xd8\xb1\xd8\xa7"); /* شكرا */
	assert_string_equal(reply_kind_code(d->verdict.reply), "thanks");
	assert_contains(d->body, "\xd8\xb4\xd9\x83\xd8\xb1\xd8\xa7");
	/* a coordinator's OK is still the ACK command */
	d = decide_text(COORD, "OK");
	assert_string_not_equal(reply_kind_code(d->verdict.reply), "thanks");
	/* and a word that is no courtesy is still unknown */
	d = decide_text(OBS, "hello");
	assert_int_equal(d->verdict.outcome, VALIDATE_REJECTED);
}

static void test_throttled_sender(void **state)
{
	const struct decide_result *d;
	const char *j;
	char key[64];

	(void)state;
	step_ms = 1000;
	for (unsigned i = 0; i < set.rules.rate_max; i++) {
		d = decide_text(OBS, "T 1021 V420 W190");
		assert_int_equal(d->state, DECIDE_PROCESSED);
	}
	d = decide_text(OBS, "T 1021 V430 W190");
	/* throttled: processed as a report, counted, only the reply withheld */
	assert_int_equal(d->state, DECIDE_PROCESSED);
	assert_int_equal(d->no_reply, DECIDE_NO_REPLY_RATE_LIMITED);
	assert_true(d->parsed);
	assert_int_equal(d->verdict.outcome, VALIDATE_ACCEPTED);
	assert_string_equal(d->body, "");
	assert_string_equal(d->tally_key, "100/turnout/0");
	assert_true(d->alert.raise);
	snprintf(key, sizeof(key), "sender_flood:p1:2025-05-04");
	assert_string_equal(d->alert.key, key);
	assert_contains(d->alert.text, "Rania sent more than 3 messages in 60 s");
	j = json_of(d);
	assert_contains(j, "\"in_state\":\"processed\",\"no_reply\":\"rate_limited\"");
	assert_contains(j, "\"alert_key\":\"sender_flood:p1:2025-05-04\"");
	assert_contains(j, "\"form\":\"turnout\"");
	assert_contains(j, "\"voters\":430");
	assert_lacks(j, "\"reply\"");
	assert_lacks(j, "\"recipient\"");

	/* still muted: processed, no reply, the alert raised once */
	d = decide_text(OBS, "T 1021 V440 W190");
	assert_int_equal(d->no_reply, DECIDE_NO_REPLY_RATE_LIMITED);
	assert_string_equal(d->tally_key, "100/turnout/0");
	assert_false(d->alert.raise);
	assert_lacks(json_of(d), "alert_key");

	/* a throttled coordinator's STATUS is recorded, not answered */
	for (unsigned i = 0; i <= set.rules.rate_max; i++)
		d = decide_text(COORD, "STATUS");
	assert_int_equal(d->no_reply, DECIDE_NO_REPLY_RATE_LIMITED);
	assert_int_equal(d->state, DECIDE_PROCESSED);

	/* an unregistered flooder is named by a hash and a masked number */
	for (unsigned i = 0; i <= set.rules.rate_max; i++)
		d = decide_text(STRANGER, "T 1021 V420 W190");
	assert_true(d->alert.raise);
	assert_lacks(d->alert.key, STRANGER);
	assert_contains(d->alert.key, ":2025-05-04");
	assert_lacks(d->alert.text, STRANGER);
}

static void test_no_reply_senders(void **state)
{
	const struct decide_result *d;

	(void)state;
	d = decide_text(OWN, "T 1021 V420 W190");
	assert_int_equal(d->state, DECIDE_IGNORED);
	assert_int_equal(d->no_reply, DECIDE_NO_REPLY_OWN_NUMBER);
	assert_string_equal(d->body, "");
	assert_contains(json_of(d), "\"no_reply\":\"own_number\"");

	d = decide_text("03 999 999", "HELP"); /* the same number, national */
	assert_int_equal(d->no_reply, DECIDE_NO_REPLY_OWN_NUMBER);
	assert_string_equal(d->sender, OWN);

	d = decide_text("MTC", "T 1021 V420 W190");
	assert_int_equal(d->state, DECIDE_IGNORED);
	assert_int_equal(d->no_reply, DECIDE_NO_REPLY_NON_PHONE);
	assert_string_equal(d->sender, "MTC");
	assert_string_equal(d->body, "");
	assert_contains(json_of(d), "\"sender\":\"MTC\"");
	assert_contains(json_of(d), "\"no_reply\":\"non_phone_sender\"");

	d = decide_text("1234", "HELP"); /* a short code */
	assert_int_equal(d->no_reply, DECIDE_NO_REPLY_NON_PHONE);
	assert_int_equal(sender_table_len(senders), 0);
}

static void test_status_answered_elsewhere(void **state)
{
	const struct decide_result *d = decide_text(COORD, "STATUS");

	(void)state;
	assert_int_equal(d->state, DECIDE_RECEIVED);
	assert_int_equal(d->no_reply, DECIDE_REPLY);
	assert_string_equal(d->body, "");
	assert_contains(json_of(d), "\"in_state\":\"received\"");

	/* from an observer it is refused here */
	d = decide_text(OBS, "STATUS");
	assert_rejected(d, REPLY_NOT_COORDINATOR);
}

static void test_reply_language(void **state)
{
	const struct decide_result *d;
	char en[REPLY_MAX];

	(void)state;
	/* the registered language wins over the message's */
	d = decide_text(OBS, "ق ١٠٢١ م٤٢٠ ن١٩٠");
	assert_int_equal(d->verdict.outcome, VALIDATE_ACCEPTED);
	assert_int_equal(d->lang, LANG_EN);
	d = decide_text(ARABIC, "T 1021 V420 W190");
	assert_int_equal(d->lang, LANG_AR);
	d = decide_text(COORD, "HELP");
	assert_int_equal(d->lang, LANG_FR);
	/* none registered: the message's */
	d = decide_text(NOLANG, "ق ١٠٢١ م٤٢٠ ن١٩٠");
	assert_int_equal(d->lang, LANG_AR);
	d = decide_text(NOLANG, "PART 1021 V420 F190");
	assert_int_equal(d->lang, LANG_FR);
	d = decide_text(STRANGER, "فتح ١٠٢١");
	assert_int_equal(d->lang, LANG_AR);
	assert_rejected(d, REPLY_UNKNOWN_SENDER);
	/* and each reply is in it */
	snprintf(en, sizeof(en), "%s", decide_text(NOLANG, "T 1021 V420 W190")->body);
	d = decide_text(ARABIC, "T 1021 V420 W190");
	assert_string_equal(en, "OK 1021: 420 voters, 190 women (45%)");
	assert_string_not_equal(d->body, en);
	assert_contains(d->body, "1021");
}

static void test_failed_record(void **state)
{
	struct inbound in;
	struct decide_result d;
	char want[1024];

	(void)state;
	make_in(&in, "03 100 001", "T 1021 V420", NOW_S);
	in.received_ms = 0;
	decide_failed(&in, 1234567, &d);
	assert_int_equal(d.state, DECIDE_FAILED);
	snprintf(want, sizeof(want),
		 "{\"dkey\":\"%s\",\"transport\":\"modem\",\"modem\":\"usb0\","
		 "\"sender\":\"03 100 001\",\"smsc\":%d,\"recv_ms\":1234567,\"sent\":1234,"
		 "\"txt\":\"T 1021 V420\",\"in_state\":\"failed\","
		 "\"in_error\":\"internal_error\"}",
		 in.dedup, NOW_S);
	assert_string_equal(json_of(&d), want);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(decide_state_name(DECIDE_PROCESSED), "processed");
	assert_string_equal(decide_state_name(DECIDE_IGNORED), "ignored");
	assert_string_equal(decide_state_name(DECIDE_RECEIVED), "received");
	assert_string_equal(decide_state_name(DECIDE_FAILED), "failed");
	assert_null(decide_no_reply_code(DECIDE_REPLY));
	assert_string_equal(decide_no_reply_code(DECIDE_NO_REPLY_NON_PHONE), "non_phone_sender");
	assert_string_equal(decide_no_reply_code(DECIDE_NO_REPLY_OWN_NUMBER), "own_number");
	assert_string_equal(decide_no_reply_code(DECIDE_NO_REPLY_RATE_LIMITED), "rate_limited");
}

static void test_json_too_small(void **state)
{
	const struct decide_result *d = decide_text(OBS, "T 1021 V420 W190");
	char small[64];

	(void)state;
	assert_false(decide_json(d, d->in->dedup, small, sizeof(small)));
}

/* An operator's reprocessing (context redo): decided by its send time,
 * counted for neither the rate nor the PIN lock, no reply, no alert, and
 * the record names the inbound row it goes into. */
static void test_reprocess(void **state)
{
	struct inbound in;
	struct decide_result d;
	struct decide_context c = { snap, &clk, senders, mono, (NOW_S + 5) * 1000LL, 42 };
	const struct decide_result *n;
	const char *j;

	(void)state;
	/* more messages than the rate allows, each reprocessed */
	for (unsigned i = 0; i <= set.rules.rate_max + 1; i++) {
		make_in(&in, OBS, "T 1021 V420 W190", NOW_S - 3600 + i);
		c.mono_ms = mono += 10;
		decide_message(&set, &c, &in, &d);
		assert_int_equal(d.state, DECIDE_PROCESSED);
		assert_int_equal(d.no_reply, DECIDE_NO_REPLY_REPROCESSED);
		assert_int_equal(d.verdict.outcome, VALIDATE_ACCEPTED);
		assert_string_equal(d.tally_key, "100/turnout/0");
		assert_string_equal(d.body, "");
		assert_false(d.alert.raise);
		assert_int_equal(d.sent_s, NOW_S - 3600 + i);
	}
	j = json_of(&d);
	assert_contains(j, "\"no_reply\":\"reprocessed\"");
	assert_contains(j, "\"redo\":42");
	assert_lacks(j, "\"recipient\"");
	/* the same observer's next message is not throttled by them */
	step_ms = 1000;
	n = decide_text(OBS, "T 1021 V430 W190");
	assert_int_equal(n->no_reply, DECIDE_REPLY);
	assert_lacks(json_of(n), "\"redo\"");

	/* wrong PINs reprocessed lock nothing, and a lock in force now does
	 * not refuse an old message */
	for (int i = 0; i < SENDER_PIN_FAILS; i++) {
		make_in(&in, PINNED, "T 1021 V420 W190 #1111", NOW_S - 3000 + i);
		decide_message(&set, &c, &in, &d);
		assert_int_equal(d.verdict.reply, REPLY_BAD_PIN);
	}
	n = decide_text(PINNED, "T 1021 V420 W190 #4321");
	assert_int_equal(n->verdict.outcome, VALIDATE_ACCEPTED);
	for (int i = 0; i < SENDER_PIN_FAILS; i++)
		n = decide_text(PINNED, "T 1021 V420 W190 #1111");
	assert_int_equal(n->verdict.reply, REPLY_PIN_LOCKED);
	make_in(&in, PINNED, "T 1021 V420 W190 #4321", NOW_S - 2000);
	decide_message(&set, &c, &in, &d);
	assert_int_equal(d.verdict.outcome, VALIDATE_ACCEPTED);
}

/* A text cut at INBOUND_TEXT_MAX says so in its record, and an English
 * text too long is told so in English whatever the default language. */
static void test_cut_text(void **state)
{
	static struct inbound in;
	struct decide_result d;
	struct decide_context c = { snap, &clk, senders, mono, (NOW_S + 5) * 1000LL, 0 };
	char text[INBOUND_TEXT_MAX + 1];
	const char *j;

	(void)state;
	memset(text, 0, sizeof(text));
	snprintf(text, sizeof(text), "I 1021 3 ");
	while (strlen(text) + 24 < sizeof(text))
		strcat(text, "vote buying at the door ");
	make_in(&in, NOLANG, text, NOW_S); /* registered without a language */
	in.flags = INBOUND_TEXT_CUT;
	set.default_lang = LANG_AR;
	decide_message(&set, &c, &in, &d);
	set.default_lang = LANG_EN;
	assert_int_equal(d.msg.error, PARSE_ERR_MESSAGE_TOO_LONG);
	assert_int_equal(d.lang, LANG_EN);
	assert_contains(d.body, "too long");
	j = json_of(&d);
	assert_contains(j, "\"cut\":true");
	in.flags = 0;
	decide_message(&set, &c, &in, &d);
	assert_lacks(json_of(&d), "\"cut\"");
}

#define T(f) cmocka_unit_test_setup_teardown(f, fresh, drop)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_accepted),
		T(test_ussd_no_sms_reply),
		T(test_record),
		T(test_accepted_with_flags),
		T(test_rejected),
		T(test_bad_pin_locks),
		T(test_right_pin_forgets_wrong_ones),
		T(test_identical_resend),
		T(test_redelivery_counts_once),
		T(test_backlog_by_send_time),
		T(test_unknown_sender_replies),
		T(test_courtesy),
		T(test_throttled_sender),
		T(test_no_reply_senders),
		T(test_status_answered_elsewhere),
		T(test_reply_language),
		T(test_failed_record),
		T(test_names),
		T(test_json_too_small),
		T(test_reprocess),
		T(test_cut_text),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
