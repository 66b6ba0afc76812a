/*
 * test_modem.c - the modem manager and real worker processes driving
 * Gammu's dummy phone in a temporary directory: receiving (GSM 7-bit,
 * Arabic UCS-2, multipart in order, out of order and with a part missing),
 * deletion only after the ack, re-delivery after a crash, sending, health,
 * the balance USSD, hang detection, a broken modem next to a working one,
 * a hand-over refused for a while and offered again (after a backoff, or
 * at once on rescan), and stopping.  Needs no database.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "dummy_inbox.h"
#include "inbound.h"
#include "modem.h"

#define MAX_REC 16
#define WAIT_MS 20000
#define SENDER "+96171123456"
#define T0 1746353730 /* 2025-05-04 10:15:30 UTC */

struct sent_rec {
	uint64_t id;
	bool ok;
	int parts;
	int reference;
	char error[160];
};

struct ctx {
	struct event_base *base;
	struct config *cfg;
	struct modem_mgr *mgr;
	struct modem_options opts;
	char dir[512];
	char phone[600];
	struct inbound in[MAX_REC];
	uint64_t token[MAX_REC];
	char modem[MAX_REC][40];
	int n_in;
	struct sent_rec sent[MAX_REC];
	int n_sent;
	int n_status;
};

static struct ctx *C;

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void run_for(int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	event_base_loopexit(C->base, &tv);
	event_base_dispatch(C->base);
}

/* Run the loop until cond holds or ms pass; then assert cond. */
#define WAIT_FOR(cond, ms) \
	do { \
		int64_t end_ = now_ms() + (ms); \
		while (!(cond) && now_ms() < end_) \
			run_for(20); \
		assert_true(cond); \
	} while (0)

/* ---- callbacks ---- */

static void on_inbound(const struct inbound *in, const char *modem, uint64_t token, void *arg)
{
	struct ctx *c = arg;

	if (c->n_in == MAX_REC)
		return;
	c->in[c->n_in] = *in;
	c->token[c->n_in] = token;
	snprintf(c->modem[c->n_in], sizeof(c->modem[0]), "%s", modem);
	c->n_in++;
}

static void on_sent(const char *modem, uint64_t id, enum modem_send_outcome outcome, int parts,
		    int reference, const char *error, void *arg)
{
	struct ctx *c = arg;
	struct sent_rec *s;

	(void)modem;
	if (c->n_sent == MAX_REC)
		return;
	s = &c->sent[c->n_sent++];
	s->id = id;
	s->ok = outcome == MODEM_SEND_OK;
	s->parts = parts;
	s->reference = reference;
	snprintf(s->error, sizeof(s->error), "%s", error);
}

static void on_status(const struct modem_status *st, void *arg)
{
	struct ctx *c = arg;

	(void)st;
	c->n_status++;
}

/* ---- fixtures ---- */

static void test_options(struct modem_options *o)
{
	modem_options_init(o);
	o->poll_ms = 100;
	o->concat_wait_ms = 1500;
	o->health_ms = 200;
	o->hang_ms = 3000;
	o->backoff_min_ms = 200;
	o->backoff_max_ms = 2000;
	o->stop_timeout_ms = 3000;
	o->send_timeout_ms = 5000;
	o->ussd_timeout_ms = 3000;
	o->reoffer_min_ms = 300;
	o->reoffer_max_ms = 1200;
}

static int setup(void **state)
{
	const char *tmp = getenv("SAWT_TEST_TMP");

	(void)state;
	C = calloc(1, sizeof(*C));
	if (C == NULL)
		return -1;
	snprintf(C->dir, sizeof(C->dir), "%s/modem-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(C->dir) == NULL)
		return -1;
	snprintf(C->phone, sizeof(C->phone), "%s/dummy", C->dir);
	C->base = event_base_new();
	C->cfg = config_new();
	if (C->base == NULL || C->cfg == NULL)
		return -1;
	free(C->cfg->state_dir);
	C->cfg->state_dir = strdup(C->dir);
	test_options(&C->opts);
	return 0;
}

static int teardown(void **state)
{
	char cmd[700];

	(void)state;
	modem_mgr_free(C->mgr);
	config_free(C->cfg);
	event_base_free(C->base);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", C->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", C->dir);
	free(C);
	C = NULL;
	return 0;
}

static void start(void)
{
	struct modem_callbacks cb = { on_inbound, on_sent, on_status, NULL, C };
	char err[512];

	C->mgr = modem_mgr_new(C->base, C->cfg, &C->opts, &cb);
	assert_non_null(C->mgr);
	if (!modem_mgr_start(C->mgr, err, sizeof(err))) {
		print_error("%s\n", err);
		fail();
	}
}

static const struct modem_status *st(const char *name)
{
	return modem_mgr_status(C->mgr, name);
}

static void start_dummy_ready(void)
{
	start();
	WAIT_FOR(st("dummy")->state == MODEM_STATE_READY, WAIT_MS);
}

static void drop(const char *text, uint16_t ref, uint8_t part, uint8_t parts)
{
	struct dummy_sms m = { SENDER, text, T0, ref, part, parts };
	char err[DUMMY_INBOX_ERR_MAX];

	if (!dummy_inbox_write(C->phone, &m, NULL, err, sizeof(err))) {
		print_error("%s\n", err);
		fail();
	}
}

/* The record's dedup key must be what inbound_dedup_key() computes. */
static void assert_dedup_ok(const struct inbound *in)
{
	struct inbound copy = *in;

	inbound_dedup_key(&copy);
	assert_string_equal(copy.dedup, in->dedup);
	assert_int_equal(strlen(in->dedup), 64);
	assert_true(inbound_valid(in));
}

/* ---- tests ---- */

static void test_default_dummy(void **state)
{
	const struct modem_status *s;
	char path[700];
	struct stat sb;

	(void)state;
	assert_int_equal(C->cfg->n_modems, 0);
	start_dummy_ready();
	assert_int_equal(modem_mgr_count(C->mgr), 1);
	s = modem_mgr_status_at(C->mgr, 0);
	assert_string_equal(s->name, "dummy");
	snprintf(path, sizeof(path), "%s/sms/5", C->phone);
	assert_int_equal(stat(path, &sb), 0);
	/* the first health report follows the hello */
	WAIT_FOR(st("dummy")->operator_name[0] != '\0', WAIT_MS);
	assert_int_equal(s->net, FRAME_NET_HOME);
	assert_string_equal(s->operator_name, "GammuT3l");
	assert_string_equal(s->operator_code, "999 99");
	assert_int_equal(s->signal_percent, 42);
	assert_string_equal(s->manufacturer, "Gammu");
	assert_true(s->pid > 0);
	assert_true(s->send && s->receive);
	assert_true(modem_mgr_healthy(C->mgr, "dummy"));
	assert_false(modem_mgr_healthy(C->mgr, "nosuch"));
	assert_true(C->n_status > 0);
}

static void test_receive_gsm7_ack(void **state)
{
	const struct inbound *in;

	(void)state;
	start_dummy_ready();
	drop("T 1021 V420 W190", 0, 0, 0);
	WAIT_FOR(C->n_in == 1, WAIT_MS);
	in = &C->in[0];
	assert_string_equal(C->modem[0], "dummy");
	assert_int_equal(in->transport, INBOUND_GSM);
	assert_string_equal(in->source, "dummy");
	assert_string_equal(in->sender, SENDER);
	assert_string_equal(in->text, "T 1021 V420 W190");
	assert_int_equal(in->text_len, 16);
	assert_int_equal(in->smsc_time, T0);
	assert_int_equal(in->concat_parts, 1);
	assert_int_equal(in->concat_missing, 0);
	assert_true(in->received_ms > 0);
	assert_dedup_ok(in);
	/* not deleted, and not reported twice, while unacknowledged */
	run_for(800);
	assert_int_equal(dummy_inbox_count(C->phone), 1);
	assert_int_equal(C->n_in, 1);
	assert_true(modem_mgr_ack(C->mgr, "dummy", C->token[0]));
	WAIT_FOR(dummy_inbox_count(C->phone) == 0, WAIT_MS);
	run_for(500);
	assert_int_equal(C->n_in, 1);
	assert_int_equal(st("dummy")->received, 1);
	assert_true(st("dummy")->last_activity_ms > 0);
	assert_false(modem_mgr_ack(C->mgr, "nosuch", C->token[0]));
}

static void test_receive_arabic_and_extension(void **state)
{
	static const char *const texts[] = {
		("\xd9\x82 \xd9\xa1\xd9\xa0\xd9\xa2\xd9\xa1 \xd9\x85\xd9\xa4\xd9\xa2\xd9\xa0 "
		 "\xd9\x86\xd9\xa1\xd9\xa9\xd9\xa0"), /* ق ١٠٢١ م٤٢٠ ن١٩٠ */
		"I 1021 3 \xe2\x82\xac[5] {x} ~^|\\", /* GSM-7 extension table */
		"Caf\xc3\xa9 \xc3\xa0 \xc3\x89lise",  /* GSM-7 basic table accents */
	};
	bool seen[3] = { false, false, false };

	(void)state;
	start_dummy_ready();
	for (int i = 0; i < 3; i++)
		drop(texts[i], 0, 0, 0);
	WAIT_FOR(C->n_in == 3, WAIT_MS);
	for (int i = 0; i < 3; i++) {
		assert_dedup_ok(&C->in[i]);
		for (int k = 0; k < 3; k++)
			if (strcmp(C->in[i].text, texts[k]) == 0)
				seen[k] = true;
	}
	assert_true(seen[0] && seen[1] && seen[2]);
	for (int i = 0; i < 3; i++)
		assert_true(modem_mgr_ack(C->mgr, "dummy", C->token[i]));
	WAIT_FOR(dummy_inbox_count(C->phone) == 0, WAIT_MS);
}

/* A 400-character text: three GSM-7 parts of 153, 153 and 94. */
static void long_text(char *buf, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n && i < 400; i++)
		buf[i] = (char)('a' + i % 26);
	buf[i] = '\0';
}

static void test_multipart_in_order(void **state)
{
	char text[401], err[DUMMY_INBOX_ERR_MAX];
	const struct inbound *in;

	(void)state;
	long_text(text, sizeof(text));
	start_dummy_ready();
	assert_int_equal(dummy_inbox_write_text(C->phone, SENDER, text, T0, 77, err, sizeof(err)),
			 3);
	WAIT_FOR(C->n_in == 1, WAIT_MS);
	in = &C->in[0];
	assert_string_equal(in->text, text);
	assert_int_equal(in->concat_parts, 3);
	assert_int_equal(in->concat_ref, 77);
	assert_int_equal(in->concat_missing, 0);
	assert_int_equal(in->smsc_time, T0);
	assert_dedup_ok(in);
	assert_int_equal(dummy_inbox_count(C->phone), 3);
	assert_true(modem_mgr_ack(C->mgr, "dummy", C->token[0]));
	WAIT_FOR(dummy_inbox_count(C->phone) == 0, WAIT_MS);
}

static void test_multipart_out_of_order(void **state)
{
	const char *p1 = "R 1021 120 340 ", *p2 = "55 12 ", *p3 = "3 V530";

	(void)state;
	start_dummy_ready();
	drop(p3, 300, 3, 3); /* 16-bit reference */
	drop(p1, 300, 1, 3);
	run_for(300);
	assert_int_equal(C->n_in, 0);
	drop(p2, 300, 2, 3);
	WAIT_FOR(C->n_in == 1, WAIT_MS);
	assert_string_equal(C->in[0].text, "R 1021 120 340 55 12 3 V530");
	assert_int_equal(C->in[0].concat_parts, 3);
	assert_int_equal(C->in[0].concat_ref, 300);
	assert_int_equal(C->in[0].concat_missing, 0);
	assert_true(modem_mgr_ack(C->mgr, "dummy", C->token[0]));
	WAIT_FOR(dummy_inbox_count(C->phone) == 0, WAIT_MS);
}

static void test_multipart_missing_part(void **state)
{
	(void)state;
	start_dummy_ready();
	drop("\xd9\x81 1021 ", 9, 1, 3);    /* ف 1021 */
	drop("\xd9\xa3 \xd9\xa5", 9, 3, 3); /* ٣ ٥ */
	/* delivered after the bounded wait, saying a part is missing */
	WAIT_FOR(C->n_in == 1, WAIT_MS);
	assert_string_equal(C->in[0].text, "\xd9\x81 1021 \xd9\xa3 \xd9\xa5");
	assert_int_equal(C->in[0].concat_parts, 3);
	assert_int_equal(C->in[0].concat_missing, 1);
	assert_int_equal(C->in[0].concat_ref, 9);
	assert_dedup_ok(&C->in[0]);
	assert_int_equal(dummy_inbox_count(C->phone), 2);
	assert_true(modem_mgr_ack(C->mgr, "dummy", C->token[0]));
	WAIT_FOR(dummy_inbox_count(C->phone) == 0, WAIT_MS);
}

static void test_crash_redelivers(void **state)
{
	pid_t first;

	(void)state;
	start_dummy_ready();
	drop("OPEN 1021 0705", 0, 0, 0);
	WAIT_FOR(C->n_in == 1, WAIT_MS);
	first = st("dummy")->pid;
	assert_int_equal(kill(first, SIGKILL), 0);
	WAIT_FOR(C->n_in == 2, WAIT_MS);
	assert_int_equal(st("dummy")->restarts, 1);
	assert_true(st("dummy")->pid != first);
	assert_string_equal(C->in[1].dedup, C->in[0].dedup);
	assert_string_equal(C->in[1].text, "OPEN 1021 0705");
	assert_true(C->token[1] != C->token[0]);
	/* the dead worker's token is refused; the message stays */
	assert_false(modem_mgr_ack(C->mgr, "dummy", C->token[0]));
	run_for(300);
	assert_int_equal(dummy_inbox_count(C->phone), 1);
	assert_true(modem_mgr_ack(C->mgr, "dummy", C->token[1]));
	WAIT_FOR(dummy_inbox_count(C->phone) == 0, WAIT_MS);
}

/*
 * sawtd refuses the hand-over (neither committed nor spooled) three times:
 * each time the message stays on the phone, is counted as held, and is
 * offered again after the backoff with the same dedup key and a new
 * token; once accepted it is deleted and no longer held.
 */
static void test_refused_offered_again(void **state)
{
	(void)state;
	start_dummy_ready();
	drop("T 1021 V420 W190", 0, 0, 0);
	WAIT_FOR(C->n_in == 1, WAIT_MS);
	for (int i = 0; i < 3; i++) {
		assert_true(modem_mgr_release(C->mgr, "dummy", C->token[i]));
		WAIT_FOR(C->n_in == i + 2, WAIT_MS);
		assert_string_equal(C->in[i + 1].dedup, C->in[0].dedup);
		assert_string_equal(C->in[i + 1].text, "T 1021 V420 W190");
		assert_true(C->token[i + 1] != C->token[i]);
		assert_int_equal(dummy_inbox_count(C->phone), 1);
		WAIT_FOR(st("dummy")->held == 1, WAIT_MS);
		assert_int_equal(modem_mgr_held(C->mgr), 1);
	}
	/* a refused token cannot be acknowledged any more; the last one can */
	assert_true(modem_mgr_ack(C->mgr, "dummy", C->token[0]));
	run_for(300);
	assert_int_equal(dummy_inbox_count(C->phone), 1);
	assert_true(modem_mgr_ack(C->mgr, "dummy", C->token[3]));
	WAIT_FOR(dummy_inbox_count(C->phone) == 0, WAIT_MS);
	WAIT_FOR(st("dummy")->held == 0, WAIT_MS);
	assert_int_equal(modem_mgr_held(C->mgr), 0);
	/* accepted: never offered again */
	run_for(1500);
	assert_int_equal(C->n_in, 4);
	assert_false(modem_mgr_release(C->mgr, "nosuch", C->token[3]));
}

/*
 * With a backoff far longer than the test, a refused message comes back
 * only because sawtd says it can take messages again (rescan); one that
 * is not refused is not offered twice by the rescan.
 */
static void test_rescan_offers_at_once(void **state)
{
	(void)state;
	C->opts.reoffer_min_ms = 600000;
	C->opts.reoffer_max_ms = 600000;
	start_dummy_ready();
	drop("T 1021 V420 W190", 0, 0, 0);
	drop("T 2011 V300 W120", 0, 0, 0);
	WAIT_FOR(C->n_in == 2, WAIT_MS);
	assert_true(modem_mgr_release(C->mgr, "dummy", C->token[0]));
	WAIT_FOR(st("dummy")->held == 1, WAIT_MS);
	run_for(1000);
	assert_int_equal(C->n_in, 2);
	modem_mgr_rescan(C->mgr);
	WAIT_FOR(C->n_in == 3, WAIT_MS);
	assert_string_equal(C->in[2].dedup, C->in[0].dedup);
	run_for(500);
	assert_int_equal(C->n_in, 3); /* the other one is still waiting, not offered again */
	assert_true(modem_mgr_ack(C->mgr, "dummy", C->token[1]));
	assert_true(modem_mgr_ack(C->mgr, "dummy", C->token[2]));
	WAIT_FOR(dummy_inbox_count(C->phone) == 0, WAIT_MS);
	WAIT_FOR(st("dummy")->held == 0, WAIT_MS);
}

static void test_send(void **state)
{
	char text[401];

	(void)state;
	long_text(text, sizeof(text));
	start_dummy_ready();
	assert_true(modem_mgr_send(C->mgr, "dummy", 1, "+96171123456", "OK 1021: 420 voters"));
	assert_true(modem_mgr_send(C->mgr, "dummy", 2, "96171123456",
				   "\xd8\xaa\xd9\x85 1021: 420 \xd9\x86\xd8\xa7\xd8\xae\xd8\xa8"));
	assert_true(modem_mgr_send(C->mgr, "dummy", 3, "+96171123456", text));
	assert_false(modem_mgr_send(C->mgr, "nosuch", 4, "+96171123456", "x"));
	assert_false(modem_mgr_send(C->mgr, "dummy", 5, "+961-71", "x"));
	assert_false(modem_mgr_send(C->mgr, "dummy", 6, "+96171123456", "bad \xff"));
	WAIT_FOR(C->n_sent == 3, WAIT_MS);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(C->sent[i].id, (uint64_t)(i + 1));
		if (!C->sent[i].ok)
			print_error("send %d: %s\n", i + 1, C->sent[i].error);
		assert_true(C->sent[i].ok);
		assert_string_equal(C->sent[i].error, "");
		assert_int_equal(C->sent[i].reference, 255); /* what the dummy reports */
	}
	assert_int_equal(C->sent[0].parts, 1);
	assert_int_equal(C->sent[1].parts, 1);
	assert_int_equal(C->sent[2].parts, 3);
	assert_int_equal(st("dummy")->sent, 3);
	assert_int_equal(st("dummy")->sends_queued, 0);
}

/* A configured modem section (gammurc keys) with a balance check. */
static void test_modem_section_balance(void **state)
{
	char conf[2048], err[CONFIG_ERR_MAX];
	struct config *cfg;

	(void)state;
	snprintf(conf, sizeof(conf),
		 "[sawt]\nstate_dir = %s\n"
		 "[modem sim1]\nmodel = dummy\nconnection = none\ndevice = %s/sim1\n"
		 "number = +96171000001\nbalance_ussd = *100#\nbalance_interval = 60\n",
		 C->dir, C->dir);
	cfg = config_parse("test.conf", conf, strlen(conf), err, sizeof(err));
	if (cfg == NULL) {
		print_error("%s\n", err);
		fail();
	}
	cfg->modems[0].balance_interval = 1;
	config_free(C->cfg);
	C->cfg = cfg;
	start();
	/* the manager keeps its own copy */
	config_free(C->cfg);
	C->cfg = NULL;
	assert_int_equal(modem_mgr_count(C->mgr), 1);
	assert_string_equal(st("sim1")->number, "+96171000001");
	WAIT_FOR(st("sim1") && st("sim1")->state == MODEM_STATE_READY, WAIT_MS);
	WAIT_FOR(st("sim1")->balance_ms != 0, WAIT_MS);
	assert_true(st("sim1")->balance_ok);
	assert_string_equal(st("sim1")->balance, "Reply for *100#");
	snprintf(C->phone, sizeof(C->phone), "%s/sim1", C->dir);
	drop("HELP", 0, 0, 0);
	WAIT_FOR(C->n_in == 1, WAIT_MS);
	assert_string_equal(C->modem[0], "sim1");
	assert_string_equal(C->in[0].source, "sim1");
	C->cfg = config_new();
}

static void test_hang_restarts(void **state)
{
	pid_t first;

	(void)state;
	start_dummy_ready();
	first = st("dummy")->pid;
	assert_int_equal(kill(first, SIGSTOP), 0);
	WAIT_FOR(st("dummy")->restarts == 1 && st("dummy")->state == MODEM_STATE_READY, WAIT_MS);
	assert_true(st("dummy")->pid != first);
	assert_non_null(strstr(st("dummy")->last_error, "hung"));
}

/* A modem whose device does not exist keeps failing and being restarted,
 * with growing delays; the dummy next to it works throughout. */
static void test_broken_modem_isolated(void **state)
{
	char conf[2048], err[CONFIG_ERR_MAX];
	struct config *cfg;

	(void)state;
	snprintf(conf, sizeof(conf),
		 "[sawt]\nstate_dir = %s\n"
		 "[modem dummy]\nmodel = dummy\nconnection = none\ndevice = %s/dummy\n"
		 "[modem broken]\nconnection = at\ndevice = %s/no-such-tty\n",
		 C->dir, C->dir, C->dir);
	cfg = config_parse("test.conf", conf, strlen(conf), err, sizeof(err));
	if (cfg == NULL) {
		print_error("%s\n", err);
		fail();
	}
	config_free(C->cfg);
	C->cfg = cfg;
	start_dummy_ready();
	WAIT_FOR(st("broken")->restarts >= 2, WAIT_MS);
	assert_true(st("broken")->state != MODEM_STATE_READY);
	assert_non_null(strstr(st("broken")->last_error, "could not open the device"));
	assert_false(modem_mgr_healthy(C->mgr, "broken"));
	assert_false(modem_mgr_send(C->mgr, "broken", 1, "+96171123456", "x"));
	drop("STATUS", 0, 0, 0);
	WAIT_FOR(C->n_in == 1, WAIT_MS);
	assert_string_equal(C->modem[0], "dummy");
	assert_int_equal(st("dummy")->state, MODEM_STATE_READY);
}

static void test_stop(void **state)
{
	(void)state;
	start_dummy_ready();
	assert_int_equal(modem_mgr_running(C->mgr), 1);
	modem_mgr_stop(C->mgr);
	assert_false(modem_mgr_healthy(C->mgr, "dummy"));
	WAIT_FOR(modem_mgr_running(C->mgr) == 0, WAIT_MS);
	assert_int_equal(st("dummy")->state, MODEM_STATE_STOPPED);
	run_for(500); /* and nothing starts again */
	assert_int_equal(modem_mgr_running(C->mgr), 0);
	assert_int_equal(st("dummy")->restarts, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_default_dummy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_receive_gsm7_ack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_receive_arabic_and_extension, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multipart_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multipart_out_of_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multipart_missing_part, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crash_redelivers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_offered_again, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rescan_offers_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_send, setup, teardown),
		cmocka_unit_test_setup_teardown(test_modem_section_balance, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hang_restarts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_broken_modem_isolated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop, setup, teardown),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
