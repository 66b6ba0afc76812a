/*
 * test_frame.c - encoding and shape-checked decoding of the frames between
 * sawtd and its modem workers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "frame.h"
#include "inbound.h"

static uint8_t buf[FRAME_MAX];

static struct frame inbound_frame(const char *text)
{
	struct frame f;
	struct inbound *in = &f.u.inbound.in;

	memset(&f, 0, sizeof(f));
	f.type = FRAME_INBOUND;
	f.u.inbound.token = 0x0000000700000042ULL;
	in->transport = INBOUND_GSM;
	in->concat_parts = 3;
	in->concat_missing = 1;
	in->concat_ref = 300;
	in->smsc_time = 1746353730;
	in->received_ms = 1746353731123LL;
	strcpy(in->source, "usb0");
	strcpy(in->sender, "+96171123456");
	in->text_len = (uint16_t)strlen(text);
	memcpy(in->text, text, in->text_len + 1);
	inbound_dedup_key(in);
	return f;
}

/* Encode f, decode it back, return the decoded frame. */
static struct frame roundtrip(const struct frame *f)
{
	struct frame out;
	size_t n, used = 0;

	n = frame_encode(f, buf, sizeof(buf));
	assert_int_equal(n, FRAME_HEADER + (size_t)frame_payload_len(f->type));
	assert_int_equal(frame_decode(buf, n, &out, &used), FRAME_OK);
	assert_int_equal(used, n);
	assert_int_equal(out.type, f->type);
	return out;
}

static void test_inbound_roundtrip(void **state)
{
	struct frame f = inbound_frame("\xd9\x82 1021 V420"), out;

	(void)state;
	out = roundtrip(&f);
	assert_int_equal(out.u.inbound.token, f.u.inbound.token);
	assert_memory_equal(&out.u.inbound.in, &f.u.inbound.in, sizeof(struct inbound));
	/* a text cut at INBOUND_TEXT_MAX says so on the way */
	f.u.inbound.in.flags = INBOUND_TEXT_CUT;
	out = roundtrip(&f);
	assert_int_equal(out.u.inbound.in.flags, INBOUND_TEXT_CUT);
}

static void test_other_roundtrips(void **state)
{
	struct frame f, out;

	(void)state;
	memset(&f, 0, sizeof(f));
	f.type = FRAME_HEALTH;
	f.u.health.state = FRAME_WS_READY;
	f.u.health.net = FRAME_NET_ROAMING;
	f.u.health.signal_percent = 77;
	f.u.health.signal_dbm = -71;
	f.u.health.last_activity_ms = 1746353731123LL;
	strcpy(f.u.health.operator_code, "415 01");
	strcpy(f.u.health.operator_name, "Alfa");
	out = roundtrip(&f);
	assert_memory_equal(&out.u.health, &f.u.health, sizeof(f.u.health));

	memset(&f, 0, sizeof(f));
	f.type = FRAME_SENT;
	f.u.sent.outbox_id = 123456789012ULL;
	f.u.sent.ok = false;
	f.u.sent.parts = 2;
	f.u.sent.reference = -1;
	strcpy(f.u.sent.error, "no network");
	out = roundtrip(&f);
	assert_memory_equal(&out.u.sent, &f.u.sent, sizeof(f.u.sent));

	memset(&f, 0, sizeof(f));
	f.type = FRAME_SEND;
	f.u.send.outbox_id = 9;
	strcpy(f.u.send.to, "+96171123456");
	strcpy(f.u.send.text, "OK 1021: 420 voters");
	f.u.send.text_len = (uint16_t)strlen(f.u.send.text);
	out = roundtrip(&f);
	assert_int_equal(out.u.send.outbox_id, 9);
	assert_string_equal(out.u.send.to, "+96171123456");
	assert_string_equal(out.u.send.text, "OK 1021: 420 voters");
	assert_int_equal(out.u.send.text_len, 19);

	memset(&f, 0, sizeof(f));
	f.type = FRAME_ACK;
	f.u.ack.token = 0xfedcba9876543210ULL;
	out = roundtrip(&f);
	assert_int_equal(out.u.ack.token, 0xfedcba9876543210ULL);

	memset(&f, 0, sizeof(f));
	f.type = FRAME_SHUTDOWN;
	out = roundtrip(&f);
	assert_int_equal(frame_payload_len(FRAME_SHUTDOWN), 0);

	memset(&f, 0, sizeof(f));
	f.type = FRAME_RELEASE;
	f.u.release.token = 0x0000000300000017ULL;
	out = roundtrip(&f);
	assert_int_equal(out.u.release.token, 0x0000000300000017ULL);
	assert_int_equal(frame_payload_len(FRAME_RELEASE), 8);

	memset(&f, 0, sizeof(f));
	f.type = FRAME_RESCAN;
	out = roundtrip(&f);
	assert_int_equal(frame_payload_len(FRAME_RESCAN), 0);

	memset(&f, 0, sizeof(f));
	f.type = FRAME_HELD;
	f.u.held.messages = 520;
	out = roundtrip(&f);
	assert_int_equal(out.u.held.messages, 520);
	f.u.held.messages = FRAME_HELD_MAX;
	out = roundtrip(&f);
	assert_int_equal(out.u.held.messages, FRAME_HELD_MAX);

	memset(&f, 0, sizeof(f));
	f.type = FRAME_DELIVERY;
	f.u.delivery.reference = 255;
	f.u.delivery.status = FRAME_DLR_FAILED;
	f.u.delivery.tp_status = 0x41;
	strcpy(f.u.delivery.recipient, "+96171123456");
	out = roundtrip(&f);
	assert_memory_equal(&out.u.delivery, &f.u.delivery, sizeof(f.u.delivery));
}

static void test_hello_balance(void **state)
{
	struct frame f, out;

	(void)state;
	memset(&f, 0, sizeof(f));
	f.type = FRAME_HELLO;
	f.u.hello.generation = 3;
	f.u.hello.pid = 4242;
	strcpy(f.u.hello.manufacturer, "Huawei");
	strcpy(f.u.hello.model, "E173");
	strcpy(f.u.hello.imei, "999999999999999");
	out = roundtrip(&f);
	assert_memory_equal(&out.u.hello, &f.u.hello, sizeof(f.u.hello));

	memset(&f, 0, sizeof(f));
	f.type = FRAME_BALANCE;
	f.u.balance.ok = true;
	strcpy(f.u.balance.text, "\xd8\xb1\xd8\xb5\xd9\x8a\xd8\xaf\xd9\x83 12.5$");
	out = roundtrip(&f);
	assert_true(out.u.balance.ok);
	assert_string_equal(out.u.balance.text, f.u.balance.text);
}

/* Every strict prefix of a frame is incomplete, and consumes nothing. */
static void test_incomplete(void **state)
{
	struct frame f = inbound_frame("hello"), out;
	size_t n = frame_encode(&f, buf, sizeof(buf)), used;

	(void)state;
	assert_true(n > 0);
	for (size_t len = 0; len < n; len++) {
		used = 99;
		assert_int_equal(frame_decode(buf, len, &out, &used), FRAME_INCOMPLETE);
		assert_int_equal(used, 0);
	}
}

static void test_two_in_a_row(void **state)
{
	struct frame a, out;
	size_t n1, n2, used;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.type = FRAME_ACK;
	a.u.ack.token = 1;
	n1 = frame_encode(&a, buf, sizeof(buf));
	a.u.ack.token = 2;
	n2 = frame_encode(&a, buf + n1, sizeof(buf) - n1);
	assert_int_equal(frame_decode(buf, n1 + n2, &out, &used), FRAME_OK);
	assert_int_equal(used, n1);
	assert_int_equal(out.u.ack.token, 1);
	assert_int_equal(frame_decode(buf + used, n1 + n2 - used, &out, &used), FRAME_OK);
	assert_int_equal(out.u.ack.token, 2);
}

/* Encode a valid frame, apply a corruption, expect the decoder's verdict. */
static enum frame_result corrupt(struct frame f, size_t off, uint8_t byte)
{
	struct frame out;
	size_t n = frame_encode(&f, buf, sizeof(buf)), used;

	assert_true(n > off);
	buf[off] = byte;
	return frame_decode(buf, n, &out, &used);
}

/* Offsets inside an inbound frame's payload (see frame.c's layout). */
#define IN_OFF(x) (FRAME_HEADER + (x))
#define IN_SOURCE IN_OFF(8 + 4 + 4 + 16)
#define IN_SENDER (IN_SOURCE + INBOUND_SOURCE_MAX)
#define IN_DEDUP (IN_SENDER + INBOUND_SENDER_MAX)
#define IN_TEXT (IN_DEDUP + INBOUND_DEDUP_HEX)

static void test_bad_header(void **state)
{
	struct frame f = inbound_frame("x"), out;
	size_t used;

	(void)state;
	assert_int_equal(corrupt(f, 0, 99), FRAME_BAD_TYPE);
	assert_int_equal(corrupt(f, 0, 0), FRAME_BAD_TYPE);
	assert_int_equal(corrupt(f, 1, 2), FRAME_BAD_VERSION);
	assert_int_equal(corrupt(f, 2, 0), FRAME_BAD_LENGTH);
	/* an ACK header claiming an inbound's length: caught at the header */
	buf[0] = FRAME_ACK;
	buf[1] = FRAME_VERSION;
	buf[2] = 0;
	buf[3] = 9;
	assert_int_equal(frame_decode(buf, 4, &out, &used), FRAME_BAD_LENGTH);
	/* a bad type is caught from the first byte */
	buf[0] = 0xee;
	assert_int_equal(frame_decode(buf, 1, &out, &used), FRAME_BAD_TYPE);
}

static void test_bad_inbound_fields(void **state)
{
	struct frame f = inbound_frame("abc");

	(void)state;
	assert_int_equal(corrupt(f, IN_OFF(8), 9), FRAME_BAD_FIELD);       /* transport */
	assert_int_equal(corrupt(f, IN_OFF(11), 2), FRAME_BAD_FIELD);      /* unknown flag */
	assert_int_equal(corrupt(f, IN_OFF(10), 4), FRAME_BAD_FIELD);      /* missing > parts */
	assert_int_equal(corrupt(f, IN_OFF(15), 4), FRAME_BAD_FIELD);      /* text_len */
	assert_int_equal(corrupt(f, IN_OFF(14), 1), FRAME_BAD_FIELD);      /* text_len > max */
	assert_int_equal(corrupt(f, IN_TEXT + 1, 0xff), FRAME_BAD_FIELD);  /* bad UTF-8 */
	assert_int_equal(corrupt(f, IN_TEXT + 1, 0), FRAME_BAD_FIELD);     /* NUL inside */
	assert_int_equal(corrupt(f, IN_TEXT + 10, 'x'), FRAME_BAD_FIELD);  /* padding */
	assert_int_equal(corrupt(f, IN_DEDUP + 3, 'G'), FRAME_BAD_FIELD);  /* not hex */
	assert_int_equal(corrupt(f, IN_DEDUP + 64, 'a'), FRAME_BAD_FIELD); /* unterminated */
	assert_int_equal(corrupt(f, IN_SOURCE + INBOUND_SOURCE_MAX - 1, 'a'), FRAME_BAD_FIELD);
	assert_int_equal(corrupt(f, IN_SENDER + 20, 'a'), FRAME_BAD_FIELD); /* padding */
}

static void test_bad_other_fields(void **state)
{
	struct frame f;

	(void)state;
	memset(&f, 0, sizeof(f));
	f.type = FRAME_HEALTH;
	f.u.health.signal_percent = -1;
	assert_int_equal(corrupt(f, FRAME_HEADER + 0, 4), FRAME_BAD_FIELD);   /* state */
	assert_int_equal(corrupt(f, FRAME_HEADER + 1, 6), FRAME_BAD_FIELD);   /* net */
	assert_int_equal(corrupt(f, FRAME_HEADER + 2, 101), FRAME_BAD_FIELD); /* signal */
	assert_int_equal(corrupt(f, FRAME_HEADER + 3, 1), FRAME_BAD_FIELD);   /* reserved */

	memset(&f, 0, sizeof(f));
	f.type = FRAME_SENT;
	f.u.sent.ok = true;
	assert_int_equal(corrupt(f, FRAME_HEADER + 8, 2), FRAME_BAD_FIELD);    /* bool */
	assert_int_equal(corrupt(f, FRAME_HEADER + 12, 'e'), FRAME_BAD_FIELD); /* ok with error */

	memset(&f, 0, sizeof(f));
	f.type = FRAME_SEND;
	strcpy(f.u.send.to, "+1");
	strcpy(f.u.send.text, "hi");
	f.u.send.text_len = 2;
	assert_int_equal(corrupt(f, FRAME_HEADER + 10, 0), FRAME_BAD_FIELD); /* empty to */
	assert_int_equal(corrupt(f, FRAME_HEADER + 9, 3), FRAME_BAD_FIELD);  /* text_len */

	/* HELD: more messages than any device holds */
	memset(&f, 0, sizeof(f));
	f.type = FRAME_HELD;
	f.u.held.messages = 7;
	assert_int_equal(corrupt(f, FRAME_HEADER + 0, 0x80), FRAME_BAD_FIELD);
	f.u.held.messages = FRAME_HELD_MAX + 1;
	assert_int_equal(frame_encode(&f, buf, sizeof(buf)), 0);
	/* RESCAN carries nothing; RELEASE exactly a token */
	buf[0] = FRAME_RESCAN;
	buf[1] = FRAME_VERSION;
	buf[2] = 0;
	buf[3] = 8;
	{
		struct frame out;
		size_t used;

		assert_int_equal(frame_decode(buf, 12, &out, &used), FRAME_BAD_LENGTH);
		buf[0] = FRAME_RELEASE;
		buf[3] = 4;
		assert_int_equal(frame_decode(buf, 8, &out, &used), FRAME_BAD_LENGTH);
	}
}

static void test_encode_refuses(void **state)
{
	struct frame f = inbound_frame("ok");
	uint8_t small[16];

	(void)state;
	assert_int_equal(frame_encode(&f, small, sizeof(small)), 0);
	f.u.inbound.in.text_len = 5; /* does not match the text */
	assert_int_equal(frame_encode(&f, buf, sizeof(buf)), 0);
	f = inbound_frame("ok");
	memset(f.u.inbound.in.sender, 'x', sizeof(f.u.inbound.in.sender)); /* unterminated */
	assert_int_equal(frame_encode(&f, buf, sizeof(buf)), 0);
	memset(&f, 0, sizeof(f));
	f.type = (enum frame_type)42;
	assert_int_equal(frame_encode(&f, buf, sizeof(buf)), 0);
	memset(&f, 0, sizeof(f));
	f.type = FRAME_SENT;
	f.u.sent.ok = false; /* failed without a reason */
	assert_int_equal(frame_encode(&f, buf, sizeof(buf)), 0);
}

static void test_copy_str_cuts_whole_chars(void **state)
{
	char out[4];

	(void)state;
	frame_copy_str(out, sizeof(out), "\xd8\xb3\xd9\x84\xd8\xa7\xd9\x85"); /* سلام */
	assert_string_equal(out, "\xd8\xb3");
	frame_copy_str(out, sizeof(out), "abcdef");
	assert_string_equal(out, "abc");
	frame_copy_str(out, sizeof(out),
		       "a\xff"
		       "b");
	assert_string_equal(out, "a");
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(frame_type_name(FRAME_INBOUND), "inbound");
	assert_string_equal(frame_type_name(77), "unknown");
	assert_true(frame_from_worker(FRAME_HEALTH));
	assert_true(frame_from_worker(FRAME_HELD));
	assert_false(frame_from_worker(FRAME_ACK));
	assert_false(frame_from_worker(FRAME_RELEASE));
	assert_false(frame_from_worker(FRAME_RESCAN));
	assert_string_equal(frame_type_name(FRAME_RELEASE), "release");
	assert_string_equal(frame_type_name(FRAME_RESCAN), "rescan");
	assert_string_equal(frame_type_name(FRAME_HELD), "held");
	assert_string_equal(frame_net_name(FRAME_NET_DENIED), "denied");
	assert_string_equal(frame_worker_state_name(FRAME_WS_NO_NETWORK), "no_network");
	assert_string_equal(frame_delivery_name(FRAME_DLR_PENDING), "pending");
	assert_string_equal(frame_result_name(FRAME_BAD_LENGTH), "wrong frame length for its type");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inbound_roundtrip),
		cmocka_unit_test(test_other_roundtrips),
		cmocka_unit_test(test_hello_balance),
		cmocka_unit_test(test_incomplete),
		cmocka_unit_test(test_two_in_a_row),
		cmocka_unit_test(test_bad_header),
		cmocka_unit_test(test_bad_inbound_fields),
		cmocka_unit_test(test_bad_other_fields),
		cmocka_unit_test(test_encode_refuses),
		cmocka_unit_test(test_copy_str_cuts_whole_chars),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
