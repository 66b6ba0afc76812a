/*
 * health.c - sawtd's health verdict and its JSON; see health.h.
 */
#include "health.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "json.h"

/* What health_report() decides before writing. */
struct verdict {
	bool db, spool, send, outbox;
	bool spool_age;           /* the oldest spooled message within its limit */
	bool can_send_configured; /* some modem or sender is meant to send */
	int64_t spool_max, outbox_max;
};

static void decide(const struct health_input *in, struct verdict *v)
{
	bool can_send = false;

	v->spool_max = in->spool_age_max_s > 0 ? in->spool_age_max_s : HEALTH_SPOOL_AGE_MAX_S;
	v->outbox_max = in->outbox_age_max_s > 0 ? in->outbox_age_max_s : HEALTH_OUTBOX_AGE_MAX_S;
	v->db = in->db_ready;
	v->spool_age = in->spool_oldest_age_s <= v->spool_max;
	v->spool = v->spool_age && !in->refusing;
	v->can_send_configured = false;
	for (size_t i = 0; i < in->n_modems; i++) {
		if (in->modems[i].send) {
			v->can_send_configured = true;
			can_send = can_send || in->modems[i].up;
		}
	}
	for (size_t i = 0; i < in->n_senders; i++) {
		v->can_send_configured = true;
		can_send = can_send || in->senders[i].up;
	}
	v->send = can_send;
	v->outbox = !in->outbox_known || in->outbox_oldest_due_age_s <= v->outbox_max;
}

static void put_line(struct json_buf *j, const char *fmt, ...) SAWT_PRINTF(2, 3);

/* One formatted string as an array element. */
static void put_line(struct json_buf *j, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_string(j, NULL, buf, strlen(buf));
}

static void put_str(struct json_buf *j, const char *key, const char *s)
{
	s = s ? s : "";
	json_string(j, key, s, strlen(s));
}

static void put_reasons(const struct health_input *in, const struct verdict *v, struct json_buf *j)
{
	json_open_array(j, "reasons");
	if (!v->db)
		put_line(j, "database: not connected (%s); messages are spooled",
			 in->db_state ? in->db_state : "unknown");
	if (!v->spool_age)
		put_line(j,
			 "spool: the oldest message has waited %" PRId64 " s (limit %" PRId64 " s)",
			 in->spool_oldest_age_s, v->spool_max);
	if (in->refusing)
		put_line(j,
			 "spool: messages are refused (neither stored nor spooled, %" PRId64
			 " bytes free); %zu held on their sources",
			 in->spool_free_bytes, in->held_on_source);
	if (!v->send)
		put_line(j,
			 v->can_send_configured
				 ? "senders: no modem that sends is ready and no other sender is up"
				 : "senders: nothing is configured to send replies");
	if (!v->outbox)
		put_line(j,
			 "outbox: the oldest message due has waited %" PRId64 " s (limit %" PRId64
			 " s)",
			 in->outbox_oldest_due_age_s, v->outbox_max);
	json_close_array(j);
}

static void put_warnings(const struct health_input *in, const struct verdict *v, struct json_buf *j)
{
	json_open_array(j, "warnings");
	if (v->db && in->db_connections_ready < in->db_connections)
		put_line(j, "database: %u of %u write connections up", in->db_connections_ready,
			 in->db_connections);
	for (size_t i = 0; v->send && i < in->n_modems; i++)
		if (!in->modems[i].up)
			put_line(j, "modem \"%s\": %s", in->modems[i].name,
				 in->modems[i].state ? in->modems[i].state : "unknown");
	for (size_t i = 0; v->send && i < in->n_senders; i++)
		if (!in->senders[i].up)
			put_line(j, "sender \"%s\": %s", in->senders[i].name,
				 in->senders[i].state ? in->senders[i].state : "unknown");
	if (in->spool_messages > 0 && v->db && v->spool)
		put_line(j, "spool: %zu message(s) waiting to be replayed", in->spool_messages);
	if (in->spool_low && !in->refusing)
		put_line(j,
			 "spool: its filesystem is nearly full (%" PRId64 " of %" PRId64
			 " bytes free)",
			 in->spool_free_bytes, in->spool_total_bytes);
	if (in->held_on_source > 0 && !in->refusing)
		put_line(j, "sources: %zu refused message(s) held, being offered again",
			 in->held_on_source);
	json_close_array(j);
}

static void put_parts(const struct health_input *in, const struct verdict *v, struct json_buf *j)
{
	json_open_object(j, "database");
	json_bool(j, "ok", v->db);
	put_str(j, "state", in->db_state);
	json_uint(j, "connections_ready", in->db_connections_ready);
	json_uint(j, "connections", in->db_connections);
	json_close_object(j);

	json_open_object(j, "spool");
	json_bool(j, "ok", v->spool);
	json_uint(j, "messages", in->spool_messages);
	json_int(j, "oldest_age_s", in->spool_oldest_age_s);
	json_int(j, "free_bytes", in->spool_free_bytes);
	json_int(j, "total_bytes", in->spool_total_bytes);
	json_bool(j, "low", in->spool_low);
	json_bool(j, "refusing", in->refusing);
	json_uint(j, "held_on_source", in->held_on_source);
	json_close_object(j);

	json_open_array(j, "modems");
	for (size_t i = 0; i < in->n_modems; i++) {
		const struct health_modem *m = &in->modems[i];

		json_open_object(j, NULL);
		put_str(j, "name", m->name);
		json_bool(j, "ok", m->up);
		put_str(j, "state", m->state);
		json_bool(j, "send", m->send);
		json_bool(j, "receive", m->receive);
		json_int(j, "signal_percent", m->signal_percent);
		put_str(j, "last_error", m->last_error);
		json_close_object(j);
	}
	json_close_array(j);

	json_open_array(j, "senders");
	for (size_t i = 0; i < in->n_senders; i++) {
		const struct health_sender *s = &in->senders[i];

		json_open_object(j, NULL);
		put_str(j, "name", s->name);
		json_bool(j, "ok", s->up);
		put_str(j, "state", s->state);
		put_str(j, "detail", s->detail);
		json_close_object(j);
	}
	json_close_array(j);

	json_open_object(j, "outbox");
	json_bool(j, "ok", v->outbox);
	json_bool(j, "known", in->outbox_known);
	json_uint(j, "queued", in->outbox_queued);
	json_uint(j, "sending", in->outbox_sending);
	json_int(j, "oldest_due_age_s", in->outbox_oldest_due_age_s);
	json_int(j, "checked_age_s", in->outbox_checked_age_s);
	json_close_object(j);
}

bool health_report(const struct health_input *in, char *buf, size_t cap, bool *healthy)
{
	struct json_buf j;
	struct verdict v;

	decide(in, &v);
	*healthy = v.db && v.spool && v.send && v.outbox;
	json_init(&j, buf, cap);
	json_open_object(&j, NULL);
	put_str(&j, "status", *healthy ? "ok" : "fail");
	put_reasons(in, &v, &j);
	put_warnings(in, &v, &j);
	put_parts(in, &v, &j);
	json_close_object(&j);
	return json_finish(&j);
}
