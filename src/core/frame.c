/*
 * frame.c - framed messages between sawtd and its modem workers; see
 * frame.h.
 *
 * The encoding is canonical: reserved bytes and string padding are zero and
 * booleans are 0 or 1, and the decoder insists on it, so every frame it
 * accepts re-encodes to the same bytes.
 */
#include "frame.h"

#include <string.h>

#include "utf8.h"

#define LEN_HELLO (4 + 4 + FRAME_NAME_MAX * 2 + FRAME_IMEI_MAX)
#define LEN_INBOUND \
	(8 + 4 + 4 + 16 + INBOUND_SOURCE_MAX + INBOUND_SENDER_MAX + INBOUND_DEDUP_HEX + \
	 INBOUND_TEXT_MAX + 1)
#define LEN_HEALTH (8 + 8 + FRAME_OPCODE_MAX + FRAME_NAME_MAX + FRAME_ERROR_MAX)
#define LEN_SENT (8 + 4 + FRAME_ERROR_MAX)
#define LEN_BALANCE (1 + FRAME_BALANCE_MAX)
#define LEN_DELIVERY (4 + FRAME_NUMBER_MAX)
#define LEN_ACK 8
#define LEN_HELD 4
#define LEN_RELEASE 8
#define LEN_SEND (8 + 2 + FRAME_NUMBER_MAX + FRAME_TEXT_MAX + 1)

_Static_assert(FRAME_HEADER + LEN_INBOUND <= FRAME_MAX, "inbound frame too big");
_Static_assert(FRAME_HEADER + LEN_SEND <= FRAME_MAX, "send frame too big");

/* ---- writing ---- */

struct wr {
	uint8_t *p;
	size_t pos;
};

static void put_u8(struct wr *w, uint8_t v)
{
	w->p[w->pos++] = v;
}

static void put_u16(struct wr *w, uint16_t v)
{
	put_u8(w, (uint8_t)(v >> 8));
	put_u8(w, (uint8_t)v);
}

static void put_u32(struct wr *w, uint32_t v)
{
	put_u16(w, (uint16_t)(v >> 16));
	put_u16(w, (uint16_t)v);
}

static void put_u64(struct wr *w, uint64_t v)
{
	put_u32(w, (uint32_t)(v >> 32));
	put_u32(w, (uint32_t)v);
}

/* A string field: the string (already checked to fit) and zero padding. */
static void put_str(struct wr *w, const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	memcpy(w->p + w->pos, s, n);
	memset(w->p + w->pos + n, 0, cap - n);
	w->pos += cap;
}

/* ---- reading ---- */

struct rd {
	const uint8_t *p;
	size_t pos;
	bool ok;
};

static uint8_t get_u8(struct rd *r)
{
	return r->p[r->pos++];
}

static uint16_t get_u16(struct rd *r)
{
	uint16_t hi = get_u8(r);

	return (uint16_t)(hi << 8 | get_u8(r));
}

static uint32_t get_u32(struct rd *r)
{
	uint32_t hi = get_u16(r);

	return hi << 16 | get_u16(r);
}

static uint64_t get_u64(struct rd *r)
{
	uint64_t hi = get_u32(r);

	return hi << 32 | get_u32(r);
}

static bool get_bool(struct rd *r)
{
	uint8_t v = get_u8(r);

	if (v > 1)
		r->ok = false;
	return v == 1;
}

static void get_zero(struct rd *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (get_u8(r) != 0)
			r->ok = false;
}

/* True when the field f of cap bytes is a valid UTF-8 string of exactly
 * len bytes followed by zero padding. */
static bool field_ok(const uint8_t *f, size_t cap, size_t len)
{
	if (len >= cap || memchr(f, '\0', len) != NULL)
		return false;
	for (size_t i = len; i < cap; i++)
		if (f[i] != 0)
			return false;
	return utf8_validate((const char *)f, len) == len;
}

static void get_str(struct rd *r, char *dst, size_t cap)
{
	const uint8_t *f = r->p + r->pos;

	if (!field_ok(f, cap, strnlen((const char *)f, cap)))
		r->ok = false;
	memcpy(dst, f, cap);
	dst[cap - 1] = '\0';
	r->pos += cap;
}

/* ---- names ---- */

const char *frame_result_name(enum frame_result r)
{
	switch (r) {
	case FRAME_OK: return "ok";
	case FRAME_INCOMPLETE: return "incomplete frame";
	case FRAME_BAD_TYPE: return "unknown frame type";
	case FRAME_BAD_VERSION: return "unsupported frame version";
	case FRAME_BAD_LENGTH: return "wrong frame length for its type";
	case FRAME_BAD_FIELD: return "malformed frame field";
	}
	return "unknown frame error";
}

const char *frame_type_name(int type)
{
	switch (type) {
	case FRAME_HELLO: return "hello";
	case FRAME_INBOUND: return "inbound";
	case FRAME_HEALTH: return "health";
	case FRAME_SENT: return "sent";
	case FRAME_BALANCE: return "balance";
	case FRAME_DELIVERY: return "delivery";
	case FRAME_HELD: return "held";
	case FRAME_ACK: return "ack";
	case FRAME_SEND: return "send";
	case FRAME_SHUTDOWN: return "shutdown";
	case FRAME_RELEASE: return "release";
	case FRAME_RESCAN: return "rescan";
	}
	return "unknown";
}

bool frame_from_worker(enum frame_type type)
{
	return type >= FRAME_HELLO && type <= FRAME_HELD;
}

const char *frame_worker_state_name(int state)
{
	static const char *const names[] = { "connecting", "ready", "no_network", "failed" };

	return state >= 0 && state <= FRAME_WS_FAILED ? names[state] : "unknown";
}

const char *frame_net_name(int net)
{
	static const char *const names[] = { "unknown",   "home", "roaming",
					     "searching", "none", "denied" };

	return net >= 0 && net <= FRAME_NET_DENIED ? names[net] : "unknown";
}

const char *frame_delivery_name(int status)
{
	static const char *const names[] = { "delivered", "pending", "failed", "unknown" };

	return status >= 0 && status <= FRAME_DLR_UNKNOWN ? names[status] : "unknown";
}

int frame_payload_len(int type)
{
	switch (type) {
	case FRAME_HELLO: return LEN_HELLO;
	case FRAME_INBOUND: return LEN_INBOUND;
	case FRAME_HEALTH: return LEN_HEALTH;
	case FRAME_SENT: return LEN_SENT;
	case FRAME_BALANCE: return LEN_BALANCE;
	case FRAME_DELIVERY: return LEN_DELIVERY;
	case FRAME_HELD: return LEN_HELD;
	case FRAME_ACK: return LEN_ACK;
	case FRAME_SEND: return LEN_SEND;
	case FRAME_SHUTDOWN: return 0;
	case FRAME_RELEASE: return LEN_RELEASE;
	case FRAME_RESCAN: return 0;
	}
	return -1;
}

void frame_copy_str(char *dst, size_t cap, const char *src)
{
	size_t n = strnlen(src, cap - 1), pos = 0;
	uint32_t cp;

	/* keep whole characters only */
	while (pos < n && utf8_decode(src, n, &pos, &cp))
		;
	memcpy(dst, src, pos);
	dst[pos] = '\0';
}

/* ---- per-type payloads ---- */

static bool dedup_ok(const char *d)
{
	if (strlen(d) != INBOUND_DEDUP_HEX - 1)
		return false;
	for (const char *p = d; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

static bool inbound_shape_ok(const struct inbound *in)
{
	return inbound_valid(in) && (in->flags & ~INBOUND_FLAGS_KNOWN) == 0 &&
	       in->concat_missing <= in->concat_parts && dedup_ok(in->dedup);
}

static void enc_inbound(struct wr *w, const struct frame_inbound *f)
{
	const struct inbound *in = &f->in;

	put_u64(w, f->token);
	put_u8(w, in->transport);
	put_u8(w, in->concat_parts);
	put_u8(w, in->concat_missing);
	put_u8(w, in->flags);
	put_u16(w, in->concat_ref);
	put_u16(w, in->text_len);
	put_u64(w, (uint64_t)in->smsc_time);
	put_u64(w, (uint64_t)in->received_ms);
	put_str(w, in->source, sizeof(in->source));
	put_str(w, in->sender, sizeof(in->sender));
	put_str(w, in->dedup, sizeof(in->dedup));
	put_str(w, in->text, sizeof(in->text));
}

static void dec_inbound(struct rd *r, struct frame_inbound *f)
{
	struct inbound *in = &f->in;
	const uint8_t *text;

	memset(in, 0, sizeof(*in));
	f->token = get_u64(r);
	in->transport = get_u8(r);
	in->concat_parts = get_u8(r);
	in->concat_missing = get_u8(r);
	in->flags = get_u8(r);
	in->concat_ref = get_u16(r);
	in->text_len = get_u16(r);
	in->smsc_time = (int64_t)get_u64(r);
	in->received_ms = (int64_t)get_u64(r);
	get_str(r, in->source, sizeof(in->source));
	get_str(r, in->sender, sizeof(in->sender));
	get_str(r, in->dedup, sizeof(in->dedup));
	text = r->p + r->pos;
	if (in->text_len > INBOUND_TEXT_MAX || !field_ok(text, sizeof(in->text), in->text_len)) {
		r->ok = false;
	} else {
		memcpy(in->text, text, in->text_len);
		in->text[in->text_len] = '\0';
	}
	r->pos += sizeof(in->text);
	if (r->ok && !inbound_shape_ok(in))
		r->ok = false;
}

static void enc_health(struct wr *w, const struct frame_health *f)
{
	put_u8(w, f->state);
	put_u8(w, f->net);
	put_u8(w, (uint8_t)f->signal_percent);
	put_u8(w, 0);
	put_u16(w, (uint16_t)f->signal_dbm);
	put_u16(w, 0);
	put_u64(w, (uint64_t)f->last_activity_ms);
	put_str(w, f->operator_code, sizeof(f->operator_code));
	put_str(w, f->operator_name, sizeof(f->operator_name));
	put_str(w, f->error, sizeof(f->error));
}

static bool health_ok(const struct frame_health *f)
{
	return f->state <= FRAME_WS_FAILED && f->net <= FRAME_NET_DENIED &&
	       f->signal_percent >= -1 && f->signal_percent <= 100 && f->signal_dbm >= -200 &&
	       f->signal_dbm <= 0 && f->last_activity_ms >= 0;
}

static void dec_health(struct rd *r, struct frame_health *f)
{
	f->state = get_u8(r);
	f->net = get_u8(r);
	f->signal_percent = (int8_t)get_u8(r);
	get_zero(r, 1);
	f->signal_dbm = (int16_t)get_u16(r);
	get_zero(r, 2);
	f->last_activity_ms = (int64_t)get_u64(r);
	get_str(r, f->operator_code, sizeof(f->operator_code));
	get_str(r, f->operator_name, sizeof(f->operator_name));
	get_str(r, f->error, sizeof(f->error));
	if (!health_ok(f))
		r->ok = false;
}

static void enc_send(struct wr *w, const struct frame_send *f)
{
	put_u64(w, f->outbox_id);
	put_u16(w, f->text_len);
	put_str(w, f->to, sizeof(f->to));
	put_str(w, f->text, sizeof(f->text));
}

static void dec_send(struct rd *r, struct frame_send *f)
{
	const uint8_t *text;

	f->outbox_id = get_u64(r);
	f->text_len = get_u16(r);
	get_str(r, f->to, sizeof(f->to));
	text = r->p + r->pos;
	if (f->text_len > FRAME_TEXT_MAX || !field_ok(text, sizeof(f->text), f->text_len) ||
	    f->to[0] == '\0') {
		r->ok = false;
		f->text_len = 0;
	}
	memcpy(f->text, text, f->text_len);
	f->text[f->text_len] = '\0';
	r->pos += sizeof(f->text);
}

static void enc_payload(struct wr *w, const struct frame *f)
{
	switch (f->type) {
	case FRAME_HELLO:
		put_u32(w, f->u.hello.generation);
		put_u32(w, f->u.hello.pid);
		put_str(w, f->u.hello.manufacturer, FRAME_NAME_MAX);
		put_str(w, f->u.hello.model, FRAME_NAME_MAX);
		put_str(w, f->u.hello.imei, FRAME_IMEI_MAX);
		break;
	case FRAME_INBOUND: enc_inbound(w, &f->u.inbound); break;
	case FRAME_HEALTH: enc_health(w, &f->u.health); break;
	case FRAME_SENT:
		put_u64(w, f->u.sent.outbox_id);
		put_u8(w, f->u.sent.ok ? 1 : 0);
		put_u8(w, f->u.sent.parts);
		put_u16(w, (uint16_t)f->u.sent.reference);
		put_str(w, f->u.sent.error, FRAME_ERROR_MAX);
		break;
	case FRAME_BALANCE:
		put_u8(w, f->u.balance.ok ? 1 : 0);
		put_str(w, f->u.balance.text, FRAME_BALANCE_MAX);
		break;
	case FRAME_DELIVERY:
		put_u16(w, (uint16_t)f->u.delivery.reference);
		put_u8(w, f->u.delivery.status);
		put_u8(w, f->u.delivery.tp_status);
		put_str(w, f->u.delivery.recipient, FRAME_NUMBER_MAX);
		break;
	case FRAME_HELD: put_u32(w, f->u.held.messages); break;
	case FRAME_ACK: put_u64(w, f->u.ack.token); break;
	case FRAME_SEND: enc_send(w, &f->u.send); break;
	case FRAME_SHUTDOWN: break;
	case FRAME_RELEASE: put_u64(w, f->u.release.token); break;
	case FRAME_RESCAN: break;
	}
}

static void dec_payload(struct rd *r, struct frame *f)
{
	switch (f->type) {
	case FRAME_HELLO:
		f->u.hello.generation = get_u32(r);
		f->u.hello.pid = get_u32(r);
		get_str(r, f->u.hello.manufacturer, FRAME_NAME_MAX);
		get_str(r, f->u.hello.model, FRAME_NAME_MAX);
		get_str(r, f->u.hello.imei, FRAME_IMEI_MAX);
		break;
	case FRAME_INBOUND: dec_inbound(r, &f->u.inbound); break;
	case FRAME_HEALTH: dec_health(r, &f->u.health); break;
	case FRAME_SENT:
		f->u.sent.outbox_id = get_u64(r);
		f->u.sent.ok = get_bool(r);
		f->u.sent.parts = get_u8(r);
		f->u.sent.reference = (int16_t)get_u16(r);
		get_str(r, f->u.sent.error, FRAME_ERROR_MAX);
		if (f->u.sent.reference < -1 || f->u.sent.reference > 255 ||
		    f->u.sent.ok != (f->u.sent.error[0] == '\0'))
			r->ok = false;
		break;
	case FRAME_BALANCE:
		f->u.balance.ok = get_bool(r);
		get_str(r, f->u.balance.text, FRAME_BALANCE_MAX);
		break;
	case FRAME_DELIVERY:
		f->u.delivery.reference = (int16_t)get_u16(r);
		f->u.delivery.status = get_u8(r);
		f->u.delivery.tp_status = get_u8(r);
		get_str(r, f->u.delivery.recipient, FRAME_NUMBER_MAX);
		if (f->u.delivery.reference < 0 || f->u.delivery.reference > 255 ||
		    f->u.delivery.status > FRAME_DLR_UNKNOWN)
			r->ok = false;
		break;
	case FRAME_HELD:
		f->u.held.messages = get_u32(r);
		if (f->u.held.messages > FRAME_HELD_MAX)
			r->ok = false;
		break;
	case FRAME_ACK: f->u.ack.token = get_u64(r); break;
	case FRAME_SEND: dec_send(r, &f->u.send); break;
	case FRAME_SHUTDOWN: break;
	case FRAME_RELEASE: f->u.release.token = get_u64(r); break;
	case FRAME_RESCAN: break;
	}
}

enum frame_result frame_decode(const uint8_t *buf, size_t len, struct frame *out, size_t *used)
{
	struct rd r = { buf, FRAME_HEADER, true };
	int want;
	size_t plen;

	*used = 0;
	if (len < 1)
		return FRAME_INCOMPLETE;
	want = frame_payload_len(buf[0]);
	if (want < 0)
		return FRAME_BAD_TYPE;
	if (len < 2)
		return FRAME_INCOMPLETE;
	if (buf[1] != FRAME_VERSION)
		return FRAME_BAD_VERSION;
	if (len < FRAME_HEADER)
		return FRAME_INCOMPLETE;
	plen = (size_t)buf[2] << 8 | buf[3];
	if (plen != (size_t)want)
		return FRAME_BAD_LENGTH;
	if (len < FRAME_HEADER + plen)
		return FRAME_INCOMPLETE;
	memset(out, 0, sizeof(*out));
	out->type = (enum frame_type)buf[0];
	dec_payload(&r, out);
	if (!r.ok)
		return FRAME_BAD_FIELD;
	*used = FRAME_HEADER + plen;
	return FRAME_OK;
}

size_t frame_encode(const struct frame *f, uint8_t *buf, size_t cap)
{
	struct wr w = { buf, 0 };
	int plen = frame_payload_len(f->type);
	struct frame check;
	size_t used;

	if (plen < 0 || cap < FRAME_HEADER + (size_t)plen)
		return 0;
	put_u8(&w, (uint8_t)f->type);
	put_u8(&w, FRAME_VERSION);
	put_u16(&w, (uint16_t)plen);
	enc_payload(&w, f);
	/* never put on the wire what the other side would reject */
	if (frame_decode(buf, w.pos, &check, &used) != FRAME_OK)
		return 0;
	return w.pos;
}

bool frame_number_ok(const char *s)
{
	size_t n = strlen(s), digits;

	if (*s == '+')
		s++, n--;
	digits = strspn(s, "0123456789");
	return digits == n && n >= 1 && n <= 20;
}
