/*
 * modem_worker.c - the modem worker process; see modem_worker.h.
 *
 * One blocking loop: wait on the socket (with a short timeout so libgammu
 * can read the modem's unsolicited notifications), handle sawtd's frames,
 * then do what is due: read the inbox, flush multipart messages whose wait
 * ran out, forget messages sawtd never acknowledged, offer again what sawtd
 * refused, report health, check the balance.
 *
 * Bookkeeping (all small arrays; a SIM holds a few dozen messages):
 *   - refs: the modem locations (folder, location) this worker holds, with
 *     a count of holders.  A location held is not reported again by a scan.
 *   - concat: multipart messages being assembled (concat.h); only each
 *     part's text (UTF-16 units), time and location are kept, never
 *     libgammu's structures.
 *   - pending: reported messages waiting for their ACK: token and the
 *     locations to delete then (or, for a message the modem routed straight
 *     to the worker, a copy of the record: it exists nowhere else).
 *   - held: messages sawtd refused (RELEASE): their first location on the
 *     device, or the record itself when it is not stored.  They are offered
 *     again after a backoff (reoffer_min_ms doubling to reoffer_max_ms) or
 *     at once on RESCAN, and leave the list when acknowledged (or when a
 *     whole scan no longer finds them on the device).  sawtd learns their
 *     number from HELD frames.
 * libgammu's GSM_MultiSMSMessage (about 150 kB) exists once and is reused
 * by every read and send.
 */
#include "modem_worker.h"

#include <errno.h>
#include <gammu.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "array.h"
#include "concat.h"
#include "dummy_check.h"
#include "frame.h"
#include "gammu_conf.h"
#include "gsm7.h"
#include "inbound.h"
#include "utf8.h"
#include "util.h"

#define GROUPS_MAX 64    /* multipart messages assembled at once */
#define SCAN_MAX 4096    /* GetNextSMS calls in one scan */
#define LOOP_TICK_MS 250 /* longest wait before reading the modem again */
#define DUMMY_FULL_SCAN_MS 60000
#define DUMMY_SETTLE_MS 100
#define DUMMY_POLL_MS 500
#define TIMEOUTS_LOST 3 /* consecutive timeouts that mean the device is gone */
#define UNITS_MAX (INBOUND_TEXT_MAX + 16)

struct sms_loc {
	int folder;
	int location;
	int memory;
};

struct loc_ref {
	struct sms_loc loc;
	int refs;
};

struct pending {
	uint64_t token;
	int64_t sent_ms; /* monotonic */
	struct sms_loc *locs;
	size_t n_locs;
	struct inbound *rec; /* owned; only when n_locs is 0 (not stored) */
};

/* A refused message still on the device. */
struct held {
	struct sms_loc loc; /* its first location */
	bool seen;          /* found again by the scan under way */
};

struct worker {
	const struct config_modem *mc;
	struct modem_worker_opts o;
	int fd;
	int exit_code;
	bool stop;
	GSM_StateMachine *s;
	GSM_MultiSMSMessage *msms;
	uint32_t seq;

	struct loc_ref *refs;
	size_t n_refs;
	struct concat *concat; /* multipart messages being assembled */
	struct pending *pend;
	size_t n_pend;
	struct sms_loc *trash; /* status reports to delete after a scan */
	size_t n_trash;
	struct held *held; /* refused, on the device */
	size_t n_held, cap_held;
	struct inbound *mem; /* refused, not stored on the device: kept here */
	size_t n_mem, cap_mem;
	uint32_t held_reported;      /* the number in the last HELD frame */
	int64_t reoffer_at;          /* monotonic ms; 0: nothing scheduled */
	int reoffer_ms;              /* the next backoff */
	bool batching;               /* in a scan: hold records to sort them */
	struct frame_inbound *batch; /* compact records held during a scan */
	size_t n_batch, cap_batch;

	uint8_t rbuf[FRAME_MAX * 2];
	size_t rlen;

	/* set by libgammu callbacks */
	bool sms_notified;
	bool send_done;
	int send_status;
	int send_mr;
	bool ussd_done;
	int ussd_status;
	char ussd_text[FRAME_BALANCE_MAX];

	bool force_scan;
	bool dummy;
	struct timespec inbox_mtime;
	int64_t next_poll, next_full_scan, next_health, next_balance;
	int64_t last_activity_ms; /* wall clock */
	int timeouts;
	bool have_smsc;
	GSM_SMSC smsc;
	char last_error[FRAME_ERROR_MAX];
};

/* ---- small helpers ---- */

static bool same_loc(const struct sms_loc *a, const struct sms_loc *b)
{
	return a->folder == b->folder && a->location == b->location;
}

/*
 * Convert UTF-16 units to UTF-8 in out (cap bytes, NUL included).  Lone
 * surrogates become U+FFFD, U+0000 becomes U+001A; conversion stops before
 * a character that does not fit (*cut is then set, when cut is not NULL).
 * Returns the bytes written.
 */
static size_t units_to_utf8_cut(const uint16_t *u, size_t n, char *out, size_t cap, bool *cut)
{
	size_t len = 0, k;
	uint32_t cp;
	char tmp[UTF8_MAX_BYTES];

	for (size_t i = 0; i < n; i++) {
		cp = u[i];
		if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < n && u[i + 1] >= 0xdc00 &&
		    u[i + 1] <= 0xdfff)
			cp = 0x10000 + ((cp - 0xd800) << 10) + (u[++i] - 0xdc00);
		else if (cp >= 0xd800 && cp <= 0xdfff)
			cp = 0xfffd;
		if (cp == 0)
			cp = 0x1a; /* a NUL cannot travel in C strings or PostgreSQL
				    * text: SUBSTITUTE keeps its place, and the
				    * parser answers control_character */
		k = utf8_encode(cp, tmp);
		if (len + k + 1 > cap) {
			if (cut != NULL)
				*cut = true;
			break;
		}
		memcpy(out + len, tmp, k);
		len += k;
	}
	out[len] = '\0';
	return len;
}

static size_t units_to_utf8(const uint16_t *u, size_t n, char *out, size_t cap)
{
	return units_to_utf8_cut(u, n, out, cap, NULL);
}

/* libgammu's "Unicode" strings: UCS-2 big endian ending in two zero bytes. */
static size_t gammu_units(const unsigned char *s, size_t maxbytes, uint16_t *u, size_t cap)
{
	size_t n = 0;

	while (n < cap && 2 * n + 1 < maxbytes && (s[2 * n] || s[2 * n + 1])) {
		u[n] = (uint16_t)(s[2 * n] << 8 | s[2 * n + 1]);
		n++;
	}
	return n;
}

static void gammu_str(const unsigned char *s, size_t maxbytes, char *out, size_t cap)
{
	uint16_t u[512];

	units_to_utf8(u, gammu_units(s, maxbytes, u, 512), out, cap);
}

/* ASCII or UTF-8 into libgammu's UCS-2 form (cap bytes). */
static bool to_gammu(const char *s, unsigned char *out, size_t cap)
{
	size_t n = 0;

	if (cap < 2 || utf8_to_ucs2(s, strlen(s), out, cap - 2, &n) != UTF8_CONV_OK)
		return false;
	out[n] = out[n + 1] = 0;
	return true;
}

static int64_t gammu_time(const GSM_DateTime *dt)
{
	struct tm tm;
	time_t t;

	if (dt->Year == 0)
		return 0;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = dt->Year - 1900;
	tm.tm_mon = dt->Month - 1;
	tm.tm_mday = dt->Day;
	tm.tm_hour = dt->Hour;
	tm.tm_min = dt->Minute;
	tm.tm_sec = dt->Second;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return 0;
	/* the fields are local time at the SMSC, Timezone seconds east of UTC */
	return (int64_t)t - dt->Timezone;
}

/* Errors after which the device is not worth talking to any more. */
static bool device_lost(GSM_Error e)
{
	switch (e) {
	case ERR_DEVICENOTEXIST:
	case ERR_DEVICEOPENERROR:
	case ERR_DEVICEREADERROR:
	case ERR_DEVICEWRITEERROR:
	case ERR_DEVICENOTWORK:
	case ERR_DEVICENODRIVER:
	case ERR_DEVICENOPERMISSION:
	case ERR_NOTCONNECTED:
	case ERR_PHONEOFF: return true;
	default: return false;
	}
}

/* Note a libgammu error: log it, remember it for HEALTH, and stop the
 * worker when the device is gone (three timeouts in a row count too). */
static void gammu_failed(struct worker *w, const char *what, GSM_Error e)
{
	snprintf(w->last_error, sizeof(w->last_error), "%s: %s", what, GSM_ErrorString(e));
	log_warn("%s", w->last_error);
	w->timeouts = e == ERR_TIMEOUT ? w->timeouts + 1 : 0;
	if (device_lost(e) || w->timeouts >= TIMEOUTS_LOST) {
		log_error("lost the device \"%s\"; exiting to be restarted",
			  w->mc->device ? w->mc->device : "");
		w->stop = true;
		w->exit_code = MODEM_WORKER_EXIT_DEVICE;
	}
}

static void gammu_ok(struct worker *w)
{
	w->timeouts = 0;
}

/* ---- talking to sawtd ---- */

static void send_frame(struct worker *w, const struct frame *f)
{
	uint8_t buf[FRAME_MAX];
	size_t n = frame_encode(f, buf, sizeof(buf)), done = 0;
	ssize_t k;

	if (n == 0) {
		log_error("could not encode a %s frame", frame_type_name(f->type));
		return;
	}
	while (done < n && !w->stop) {
		k = send(w->fd, buf + done, n - done, MSG_NOSIGNAL);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			log_info("sawtd went away (%s); exiting", strerror(errno));
			w->stop = true;
			return;
		}
		done += (size_t)k;
	}
}

/* ---- location references ---- */

static struct loc_ref *ref_find(struct worker *w, const struct sms_loc *loc)
{
	for (size_t i = 0; i < w->n_refs; i++)
		if (same_loc(&w->refs[i].loc, loc))
			return &w->refs[i];
	return NULL;
}

static bool ref_take(struct worker *w, const struct sms_loc *loc)
{
	struct loc_ref *r = ref_find(w, loc), *n;

	if (r != NULL) {
		r->refs++;
		return true;
	}
	n = realloc(w->refs, (w->n_refs + 1) * sizeof(*n));
	if (n == NULL)
		return false;
	w->refs = n;
	w->refs[w->n_refs].loc = *loc;
	w->refs[w->n_refs++].refs = 1;
	return true;
}

/* Drop one hold on loc; returns true when nobody holds it any more. */
static bool ref_drop(struct worker *w, const struct sms_loc *loc)
{
	struct loc_ref *r = ref_find(w, loc);

	if (r == NULL)
		return false;
	if (--r->refs > 0)
		return false;
	*r = w->refs[--w->n_refs];
	return true;
}

/* ---- refused messages (held) ---- */

static struct held *held_find(struct worker *w, const struct sms_loc *loc)
{
	for (size_t i = 0; i < w->n_held; i++)
		if (same_loc(&w->held[i].loc, loc))
			return &w->held[i];
	return NULL;
}

/* Note that the message starting at loc was refused (once, however often). */
static void held_add(struct worker *w, const struct sms_loc *loc)
{
	if (held_find(w, loc) != NULL)
		return;
	if (!array_grow(&w->held, &w->cap_held, w->n_held + 1, sizeof(*w->held))) {
		/* only the count suffers: the message stays on the device */
		log_warn("out of memory; a refused message is not counted as held");
		return;
	}
	w->held[w->n_held++] = (struct held){ *loc, true };
}

static void held_remove(struct worker *w, const struct sms_loc *loc)
{
	struct held *h = held_find(w, loc);

	if (h != NULL)
		*h = w->held[--w->n_held];
}

/* Keep a copy of a refused record that is stored nowhere else. */
static void mem_add(struct worker *w, const struct inbound *rec)
{
	if (!array_grow(&w->mem, &w->cap_mem, w->n_mem + 1, sizeof(*w->mem))) {
		log_error(
			"out of memory; a refused message from %s that the modem did not store "
			"is lost",
			w->mc->name);
		return;
	}
	w->mem[w->n_mem++] = *rec;
}

static uint32_t held_count(const struct worker *w)
{
	size_t n = w->n_held + w->n_mem;

	return n > FRAME_HELD_MAX ? FRAME_HELD_MAX : (uint32_t)n;
}

/* Offer the refused messages again after the backoff, which doubles up
 * to reoffer_max_ms until a message is acknowledged or sawtd says RESCAN. */
static void reoffer_schedule(struct worker *w)
{
	if (w->reoffer_at != 0)
		return;
	w->reoffer_at = util_mono_ms() + w->reoffer_ms;
	w->reoffer_ms =
		w->reoffer_ms > w->o.reoffer_max_ms / 2 ? w->o.reoffer_max_ms : w->reoffer_ms * 2;
}

static void reoffer_reset(struct worker *w)
{
	w->reoffer_ms = w->o.reoffer_min_ms;
}

static void delete_loc(struct worker *w, const struct sms_loc *loc)
{
	GSM_SMSMessage *sms = calloc(1, sizeof(*sms));
	GSM_Error e;

	if (sms == NULL)
		return;
	sms->Folder = loc->folder;
	sms->Location = loc->location;
	sms->Memory = loc->memory;
	e = GSM_DeleteSMS(w->s, sms);
	free(sms);
	if (e == ERR_NONE || e == ERR_EMPTY) {
		gammu_ok(w);
		return;
	}
	gammu_failed(w, "could not delete a message from the modem", e);
	w->force_scan = true; /* still there: it will be reported and acked again */
}

/* ---- delivering records ---- */

/*
 * During a scan, records are held and sent sorted by SMSC time: a SIM
 * reuses its lowest free location, so location order is not arrival
 * order, and cumulative turnout read out of order looks like a decrease.
 * Returns false when the record could not be held (it is sent at once).
 */
static bool batch_hold(struct worker *w, const struct frame_inbound *fi)
{
	if (!array_grow(&w->batch, &w->cap_batch, w->n_batch + 1, sizeof(*w->batch)))
		return false;
	w->batch[w->n_batch++] = *fi;
	return true;
}

/* Oldest SMSC time first; the token (reading order) breaks ties. */
static int cmp_arrival(const void *a, const void *b)
{
	const struct frame_inbound *x = a, *y = b;

	if (x->in.smsc_time != y->in.smsc_time)
		return x->in.smsc_time < y->in.smsc_time ? -1 : 1;
	return x->token < y->token ? -1 : x->token > y->token;
}

static void batch_flush(struct worker *w)
{
	struct frame f;

	w->batching = false;
	if (w->n_batch > 1)
		qsort(w->batch, w->n_batch, sizeof(*w->batch), cmp_arrival);
	for (size_t i = 0; i < w->n_batch; i++) {
		memset(&f, 0, sizeof(f));
		f.type = FRAME_INBOUND;
		f.u.inbound = w->batch[i];
		send_frame(w, &f);
	}
	w->n_batch = 0;
	if (w->cap_batch > 256) {
		free(w->batch);
		w->batch = NULL;
		w->cap_batch = 0;
	}
}

/*
 * Hand a record over with a new token and wait for its ACK.  A record
 * stored on the device (n locations) is deleted then; one that is not
 * (routed straight to the worker) is kept as a copy until then, so a
 * RELEASE can keep it for another offer.
 */
static void deliver(struct worker *w, struct inbound *in, struct sms_loc *locs, size_t n)
{
	struct frame f;
	struct pending *p;
	struct inbound *rec = NULL;

	memset(&f, 0, sizeof(f));
	f.type = FRAME_INBOUND;
	f.u.inbound.token = (uint64_t)w->o.generation << 32 | ++w->seq;
	inbound_dedup_key(in);
	f.u.inbound.in = *in;
	if (n == 0) {
		free(locs);
		locs = NULL;
		rec = malloc(sizeof(*rec));
		if (rec != NULL)
			*rec = *in;
	}
	if (n > 0 || rec != NULL) {
		p = realloc(w->pend, (w->n_pend + 1) * sizeof(*p));
		if (p == NULL && n > 0) {
			/* not tracked: it stays on the modem and comes back later */
			for (size_t i = 0; i < n; i++)
				ref_drop(w, &locs[i]);
			free(locs);
			return;
		}
		if (p == NULL) {
			free(rec); /* sent untracked: a refusal cannot keep it */
		} else {
			w->pend = p;
			w->pend[w->n_pend++] =
				(struct pending){ f.u.inbound.token, util_mono_ms(), locs, n, rec };
		}
	}
	w->last_activity_ms = util_wall_ms();
	if (w->batching && batch_hold(w, &f.u.inbound))
		return;
	send_frame(w, &f);
}

static void record_init(struct worker *w, struct inbound *in, const char *sender, int64_t t)
{
	memset(in, 0, sizeof(*in));
	in->transport = INBOUND_GSM;
	in->smsc_time = t;
	in->received_ms = util_wall_ms();
	frame_copy_str(in->source, sizeof(in->source), w->mc->name);
	frame_copy_str(in->sender, sizeof(in->sender), sender);
}

static void deliver_single(struct worker *w, const char *sender, int64_t t, const uint16_t *u,
			   size_t n, const struct sms_loc *loc)
{
	struct inbound *in = malloc(sizeof(*in));
	struct sms_loc *locs = NULL;
	bool cut = false;

	if (in == NULL)
		return;
	record_init(w, in, sender, t);
	in->concat_parts = 1;
	in->text_len = (uint16_t)units_to_utf8_cut(u, n, in->text, sizeof(in->text), &cut);
	in->flags = cut ? INBOUND_TEXT_CUT : 0;
	if (loc != NULL) {
		locs = malloc(sizeof(*locs));
		if (locs == NULL || !ref_take(w, loc)) {
			free(locs);
			free(in);
			return;
		}
		*locs = *loc;
	}
	deliver(w, in, locs, loc ? 1 : 0);
	free(in);
}

/* ---- multipart (concat.h) ---- */

/* A multipart message put together: one record, handed over. */
static void concat_ready(void *arg, const struct concat_message *msg)
{
	struct worker *w = arg;
	struct sms_loc *locs = calloc(msg->n_locs + 1, sizeof(*locs));
	struct inbound *in = malloc(sizeof(*in));
	bool cut = false;

	if (locs == NULL || in == NULL) {
		free(locs);
		free(in);
		return;
	}
	for (size_t i = 0; i < msg->n_locs; i++)
		locs[i] = (struct sms_loc){ msg->locs[i].folder, msg->locs[i].location,
					    msg->locs[i].memory };
	record_init(w, in, msg->sender, msg->smsc_time);
	in->concat_parts = (uint8_t)msg->total;
	in->concat_missing = (uint8_t)msg->missing;
	in->concat_ref = (uint16_t)msg->ref;
	in->text_len = (uint16_t)units_to_utf8_cut(msg->units, msg->n_units, in->text,
						   sizeof(in->text), &cut);
	in->flags = cut || msg->cut ? INBOUND_TEXT_CUT : 0;
	if (in->concat_missing)
		log_warn("multipart message %d: %d of %d parts never arrived; processing the rest",
			 msg->ref, msg->missing, msg->total);
	deliver(w, in, locs, msg->n_locs);
	free(in);
}

struct rx {
	const char *sender;
	int64_t t;
	const uint16_t *units;
	size_t n;
	const struct sms_loc *loc; /* NULL: not stored on the modem */
};

/* Hand one part to the assembler; a stored part's location is held until
 * its message is acknowledged. */
static void group_add(struct worker *w, const struct rx *rx, int ref, int part, int total)
{
	struct concat_loc cl;
	struct concat_part p = { rx->sender, ref, part, total, rx->t, rx->units, rx->n, NULL };

	if (rx->loc != NULL) {
		if (!ref_take(w, rx->loc)) {
			log_warn("out of memory; a part of multipart message %d stays on the modem",
				 ref);
			return;
		}
		cl = (struct concat_loc){ rx->loc->folder, rx->loc->location, rx->loc->memory };
		p.loc = &cl;
	}
	if (concat_add(w->concat, &p, util_mono_ms()) != CONCAT_REFUSED)
		return;
	if (rx->loc != NULL)
		ref_drop(w, rx->loc);
	log_warn("out of memory; a part of multipart message %d stays on the modem", ref);
}

/* ---- received messages ---- */

/* The text of sms as UTF-16 units (8-bit data is taken as Latin-1). */
static size_t sms_units(const GSM_SMSMessage *sms, uint16_t *u, size_t cap)
{
	size_t n;

	if (sms->Coding == SMS_Coding_8bit) {
		n = sms->Length < 0 ? 0 : (size_t)sms->Length;
		if (n > sizeof(sms->Text))
			n = sizeof(sms->Text);
		if (n > cap)
			n = cap;
		for (size_t i = 0; i < n; i++)
			u[i] = sms->Text[i];
		return n;
	}
	/* Length characters, a U+0000 among them included (trailing ones are
	 * padding): stopping at the first would drop the rest of the message
	 * without a word */
	if (sms->Length > 0) {
		n = (size_t)sms->Length;
		if (n > sizeof(sms->Text) / 2)
			n = sizeof(sms->Text) / 2;
		if (n > cap)
			n = cap;
		for (size_t i = 0; i < n; i++)
			u[i] = (uint16_t)(sms->Text[2 * i] << 8 | sms->Text[2 * i + 1]);
		while (n > 0 && u[n - 1] == 0) /* padding, not text */
			n--;
		return n;
	}
	return gammu_units(sms->Text, sizeof(sms->Text), u, cap);
}

static bool concat_info(const GSM_SMSMessage *sms, int *ref, int *part, int *total)
{
	const GSM_UDHHeader *h = &sms->UDH;

	if (h->Type == UDH_NoUDH || h->AllParts < 2 || h->PartNumber < 1 ||
	    h->PartNumber > h->AllParts || (h->ID8bit < 0 && h->ID16bit < 0))
		return false;
	*ref = h->ID16bit >= 0 ? h->ID16bit : h->ID8bit;
	*part = h->PartNumber;
	*total = h->AllParts;
	return true;
}

static void report_delivery(struct worker *w, const GSM_SMSMessage *sms)
{
	struct frame f;
	int st = sms->DeliveryStatus;

	memset(&f, 0, sizeof(f));
	f.type = FRAME_DELIVERY;
	f.u.delivery.reference = sms->MessageReference;
	f.u.delivery.tp_status = (uint8_t)st;
	if (st < 0x03)
		f.u.delivery.status = FRAME_DLR_DELIVERED;
	else if (st & 0x40)
		f.u.delivery.status = FRAME_DLR_FAILED;
	else if (st & 0x20)
		f.u.delivery.status = FRAME_DLR_PENDING;
	else
		f.u.delivery.status = FRAME_DLR_UNKNOWN;
	gammu_str(sms->Number, sizeof(sms->Number), f.u.delivery.recipient, FRAME_NUMBER_MAX);
	send_frame(w, &f);
}

static void trash_add(struct worker *w, const struct sms_loc *loc)
{
	struct sms_loc *n = realloc(w->trash, (w->n_trash + 1) * sizeof(*n));

	if (n == NULL)
		return;
	w->trash = n;
	w->trash[w->n_trash++] = *loc;
}

/*
 * One message from the modem: a status report is forwarded (and deleted
 * after the scan), a received SMS is converted and delivered or added to
 * its multipart group.  stored: it is on the modem at its location (else
 * the modem routed it to us directly).  No libgammu calls here: this also
 * runs inside libgammu's incoming-SMS callback.
 */
static void process_sms(struct worker *w, const GSM_SMSMessage *sms, bool stored)
{
	struct sms_loc loc = { sms->Folder, sms->Location, sms->Memory };
	uint16_t units[700];
	char raw[4 * (GSM_MAX_NUMBER_LENGTH + 1)], sender[INBOUND_SENDER_MAX];
	int ref, part, total;
	struct rx rx;

	if (sms->PDU == SMS_Status_Report) {
		report_delivery(w, sms);
		if (stored)
			trash_add(w, &loc);
		return;
	}
	if (stored && sms->PDU == SMS_Deliver && w->n_held > 0) {
		struct held *h = held_find(w, &loc);

		if (h != NULL)
			h->seen = true;
	}
	if (sms->PDU != SMS_Deliver || (stored && ref_find(w, &loc) != NULL))
		return;
	gammu_str(sms->Number, sizeof(sms->Number), raw, sizeof(raw));
	/* a malformed or over-long sender is marked, never cut into another number */
	(void)inbound_sender_clean(raw, sender, sizeof(sender));
	rx = (struct rx){ sender, gammu_time(&sms->DateTime), units, sms_units(sms, units, 700),
			  stored ? &loc : NULL };
	if (concat_info(sms, &ref, &part, &total))
		group_add(w, &rx, ref, part, total);
	else
		deliver_single(w, sender, rx.t, units, rx.n, rx.loc);
}

/* Dummy phone: has the inbox folder changed since the last scan?  A change
 * in the last DUMMY_SETTLE_MS counts as not settled yet (file times are as
 * coarse as the kernel tick, so a second change may not move them), and
 * the folder is read again. */
static bool dummy_inbox_changed(struct worker *w)
{
	char path[4096];
	struct stat st;
	bool changed;

	snprintf(path, sizeof(path), "%s/sms/1", w->mc->device);
	if (stat(path, &st) != 0)
		return true;
	changed = st.st_mtim.tv_sec != w->inbox_mtime.tv_sec ||
		  st.st_mtim.tv_nsec != w->inbox_mtime.tv_nsec ||
		  util_wall_ms() - ((int64_t)st.st_mtim.tv_sec * 1000 +
				    st.st_mtim.tv_nsec / 1000000) <
			  DUMMY_SETTLE_MS;
	w->inbox_mtime = st.st_mtim;
	return changed;
}

static bool scan_due(struct worker *w)
{
	int64_t now = util_mono_ms();
	bool due;

	if (w->force_scan || w->sms_notified)
		return true;
	if (now < w->next_poll)
		return false;
	w->next_poll = now + w->o.poll_ms;
	if (!w->dummy)
		return true;
	due = dummy_inbox_changed(w) || now >= w->next_full_scan;
	if (due)
		w->next_full_scan = now + DUMMY_FULL_SCAN_MS;
	return due;
}

/* Real modems: skip reading when the modem says it holds no message. */
static bool inbox_empty(struct worker *w)
{
	GSM_SMSMemoryStatus st;

	if (w->dummy)
		return false;
	memset(&st, 0, sizeof(st));
	if (GSM_GetSMSStatus(w->s, &st) != ERR_NONE)
		return false;
	return st.SIMUsed + st.PhoneUsed == 0;
}

/* After a whole scan: a refused message it did not find is no longer on
 * the device (deleted by someone else): it is not held any more. */
static void held_prune(struct worker *w)
{
	for (size_t i = 0; i < w->n_held;) {
		if (w->held[i].seen) {
			i++;
			continue;
		}
		w->held[i] = w->held[--w->n_held];
	}
}

static void scan(struct worker *w)
{
	GSM_Error e = ERR_NONE;

	w->force_scan = w->sms_notified = false;
	for (size_t i = 0; i < w->n_held; i++)
		w->held[i].seen = false;
	if (inbox_empty(w)) {
		held_prune(w);
		return;
	}
	if (w->dummy)
		(void)dummy_check_inbox(w->mc->device); /* files Gammu cannot read */
	memset(w->msms, 0, sizeof(*w->msms));
	w->batching = true;
	for (int i = 0; i < SCAN_MAX && !w->stop; i++) {
		e = GSM_GetNextSMS(w->s, w->msms, i == 0);
		if (e == ERR_EMPTY)
			break;
		if (e != ERR_NONE) {
			gammu_failed(w, "could not read messages", e);
			break;
		}
		gammu_ok(w);
		for (int k = 0; k < w->msms->Number && k < GSM_MAX_MULTI_SMS; k++)
			process_sms(w, &w->msms->SMS[k], true);
	}
	batch_flush(w);
	if (e == ERR_EMPTY && !w->stop)
		held_prune(w);
	for (size_t i = 0; i < w->n_trash && !w->stop; i++)
		delete_loc(w, &w->trash[i]);
	w->n_trash = 0;
}

/* ---- acknowledgements ---- */

static void pending_remove(struct worker *w, size_t i, bool delete)
{
	struct pending *p = &w->pend[i];

	for (size_t k = 0; k < p->n_locs && !w->stop; k++)
		if (ref_drop(w, &p->locs[k]) && delete)
			delete_loc(w, &p->locs[k]);
	free(p->locs);
	free(p->rec);
	w->pend[i] = w->pend[--w->n_pend];
}

static struct pending *pending_find(struct worker *w, uint64_t token)
{
	for (size_t i = 0; i < w->n_pend; i++)
		if (w->pend[i].token == token)
			return &w->pend[i];
	return NULL;
}

/* ACK: durable; delete it from the device, and it is no longer held. */
static void handle_ack(struct worker *w, uint64_t token)
{
	struct pending *p = pending_find(w, token);

	if (p == NULL) {
		log_debug("ack for unknown token %016llx", (unsigned long long)token);
		return;
	}
	if (p->n_locs > 0)
		held_remove(w, &p->locs[0]);
	pending_remove(w, (size_t)(p - w->pend), true);
	w->last_activity_ms = util_wall_ms();
	/* sawtd takes messages again: what it refused need not wait long */
	reoffer_reset(w);
	if (w->reoffer_at > util_mono_ms() + w->reoffer_ms)
		w->reoffer_at = util_mono_ms() + w->reoffer_ms;
}

/* RELEASE: sawtd could not make it durable.  It stays where it is (on
 * the device, or in memory) and is offered again later. */
static void handle_release(struct worker *w, uint64_t token)
{
	struct pending *p = pending_find(w, token);

	if (p == NULL) {
		log_debug("release for unknown token %016llx", (unsigned long long)token);
		return;
	}
	if (p->n_locs > 0)
		held_add(w, &p->locs[0]);
	else if (p->rec != NULL)
		mem_add(w, p->rec);
	pending_remove(w, (size_t)(p - w->pend), false);
	reoffer_schedule(w);
}

/* Offer every held message again: the device's by a scan (their
 * locations are no longer taken), the others from memory. */
static void reoffer(struct worker *w)
{
	struct inbound *mem = w->mem;
	size_t n = w->n_mem;

	w->reoffer_at = 0;
	if (n + w->n_held > 0)
		log_debug("offering %zu refused message(s) again", n + w->n_held);
	if (w->n_held > 0)
		w->force_scan = true;
	if (n == 0)
		return;
	w->mem = NULL;
	w->n_mem = w->cap_mem = 0;
	for (size_t i = 0; i < n && !w->stop; i++)
		deliver(w, &mem[i], NULL, 0);
	free(mem);
}

/* RESCAN: sawtd can take messages again: offer the held ones now. */
static void handle_rescan(struct worker *w)
{
	reoffer_reset(w);
	if (w->n_held > 0 || w->n_mem > 0)
		reoffer(w);
}

/* Tell sawtd how many refused messages wait here, when that changed. */
static void report_held(struct worker *w)
{
	struct frame f;

	if (held_count(w) == w->held_reported)
		return;
	memset(&f, 0, sizeof(f));
	f.type = FRAME_HELD;
	f.u.held.messages = held_count(w);
	w->held_reported = f.u.held.messages;
	send_frame(w, &f);
}

/* Forget what sawtd never acknowledged: the next scan reports it again. */
static void pending_expire(struct worker *w)
{
	int64_t now = util_mono_ms();

	for (size_t i = 0; i < w->n_pend;) {
		if (now - w->pend[i].sent_ms < w->o.ack_timeout_ms) {
			i++;
			continue;
		}
		log_warn("message %016llx not acknowledged after %d s; reporting it again",
			 (unsigned long long)w->pend[i].token, w->o.ack_timeout_ms / 1000);
		if (w->pend[i].rec != NULL) {
			mem_add(w, w->pend[i].rec);
			w->reoffer_at = util_mono_ms();
		}
		pending_remove(w, i, false);
		w->force_scan = true;
	}
}

/* ---- sending ---- */

/* Wait for libgammu's callback to set *flag, reading the modem. */
static void wait_flag(struct worker *w, const bool *flag, int timeout_ms)
{
	int64_t end = util_mono_ms() + timeout_ms;

	while (!*flag && util_mono_ms() < end)
		if (GSM_ReadDevice(w->s, TRUE) < 0)
			break;
}

static bool prepare_parts(struct worker *w, const struct frame_send *fs, char *err, size_t n)
{
	GSM_MultiPartSMSInfo info;
	struct gsm7_size sz;
	unsigned char *buf;
	size_t len = 0;
	GSM_Error e;

	buf = malloc(2 * FRAME_TEXT_MAX + 2);
	if (buf == NULL || !gsm7_measure(fs->text, fs->text_len, &sz) ||
	    utf8_to_ucs2(fs->text, fs->text_len, buf, 2 * FRAME_TEXT_MAX, &len) != UTF8_CONV_OK) {
		snprintf(err, n, "could not convert the text");
		free(buf);
		return false;
	}
	buf[len] = buf[len + 1] = 0;
	GSM_ClearMultiPartSMSInfo(&info);
	info.EntriesNum = 1;
	info.UnicodeCoding = sz.coding == GSM7_CODING_UCS2;
	info.Entries[0].ID = SMS_ConcatenatedTextLong;
	info.Entries[0].Buffer = buf;
	e = GSM_EncodeMultiPartSMS(GSM_GetDebug(w->s), &info, w->msms);
	free(buf);
	if (e != ERR_NONE || w->msms->Number < 1) {
		snprintf(err, n, "could not encode the message: %s", GSM_ErrorString(e));
		return false;
	}
	return true;
}

static bool send_part(struct worker *w, GSM_SMSMessage *sms, const char *to, int *mr, char *err,
		      size_t n)
{
	GSM_Error e;

	if (!to_gammu(to, sms->Number, sizeof(sms->Number)))
		return false;
	if (w->have_smsc) {
		sms->SMSC = w->smsc;
		sms->SMSC.Location = 0;
	}
	sms->PDU = SMS_Status_Report; /* a Submit that asks for a delivery report */
	w->send_done = false;
	w->send_mr = -1;
	e = GSM_SendSMS(w->s, sms);
	if (e != ERR_NONE) {
		snprintf(err, n, "%s", GSM_ErrorString(e));
		gammu_failed(w, "could not send a message", e);
		return false;
	}
	wait_flag(w, &w->send_done, w->o.send_timeout_ms);
	if (!w->send_done) {
		snprintf(err, n, "no answer from the network within %d s",
			 w->o.send_timeout_ms / 1000);
		return false;
	}
	if (w->send_status != 0) {
		snprintf(err, n, "the network refused the message (status %d)", w->send_status);
		return false;
	}
	*mr = w->send_mr;
	return true;
}

static void load_smsc(struct worker *w)
{
	if (w->have_smsc)
		return;
	memset(&w->smsc, 0, sizeof(w->smsc));
	w->smsc.Location = 1;
	w->have_smsc = GSM_GetSMSC(w->s, &w->smsc) == ERR_NONE;
}

static void do_send(struct worker *w, const struct frame_send *fs)
{
	struct frame f;
	char err[FRAME_ERROR_MAX] = "";
	int mr = -1;
	bool ok = false;

	memset(&f, 0, sizeof(f));
	f.type = FRAME_SENT;
	f.u.sent.outbox_id = fs->outbox_id;
	f.u.sent.reference = -1;
	if (!w->mc->send)
		snprintf(err, sizeof(err), "sending is disabled for this modem");
	else if (!frame_number_ok(fs->to))
		snprintf(err, sizeof(err), "invalid destination number");
	else if (prepare_parts(w, fs, err, sizeof(err))) {
		load_smsc(w);
		for (int i = 0; i < w->msms->Number; i++) {
			ok = send_part(w, &w->msms->SMS[i], fs->to, &mr, err, sizeof(err));
			if (!ok)
				break;
			if (i == 0)
				f.u.sent.reference = (int16_t)(mr >= 0 && mr <= 255 ? mr : -1);
			f.u.sent.parts = (uint8_t)(i + 1);
		}
	}
	f.u.sent.ok = ok;
	if (!ok)
		frame_copy_str(f.u.sent.error, sizeof(f.u.sent.error),
			       err[0] ? err : "unknown error");
	w->last_activity_ms = util_wall_ms();
	send_frame(w, &f);
}

/* ---- health and balance ---- */

static uint8_t net_state(GSM_NetworkInfo_State st)
{
	switch (st) {
	case GSM_HomeNetwork: return FRAME_NET_HOME;
	case GSM_RoamingNetwork: return FRAME_NET_ROAMING;
	case GSM_RequestingNetwork: return FRAME_NET_SEARCHING;
	case GSM_NoNetwork: return FRAME_NET_NONE;
	case GSM_RegistrationDenied: return FRAME_NET_DENIED;
	default: return FRAME_NET_UNKNOWN;
	}
}

static void fill_network(struct worker *w, struct frame_health *h)
{
	GSM_NetworkInfo ni;
	GSM_Error e;

	memset(&ni, 0, sizeof(ni));
	e = GSM_GetNetworkInfo(w->s, &ni);
	if (e == ERR_NOTSUPPORTED || e == ERR_NOTIMPLEMENTED) {
		h->state = FRAME_WS_READY; /* cannot tell: assume it works */
		return;
	}
	if (e != ERR_NONE) {
		gammu_failed(w, "could not read the network state", e);
		h->state = FRAME_WS_NO_NETWORK;
		return;
	}
	gammu_ok(w);
	h->net = net_state(ni.State);
	h->state = h->net == FRAME_NET_HOME || h->net == FRAME_NET_ROAMING ? FRAME_WS_READY
									   : FRAME_WS_NO_NETWORK;
	frame_copy_str(h->operator_code, sizeof(h->operator_code), ni.NetworkCode);
	gammu_str(ni.NetworkName, sizeof(ni.NetworkName), h->operator_name,
		  sizeof(h->operator_name));
	if (h->operator_name[0] == '\0' && ni.NetworkCode[0] != '\0')
		gammu_str(GSM_GetNetworkName(ni.NetworkCode), 200, h->operator_name,
			  sizeof(h->operator_name));
}

static void report_health(struct worker *w)
{
	GSM_SignalQuality sq;
	struct frame f;

	memset(&f, 0, sizeof(f));
	f.type = FRAME_HEALTH;
	f.u.health.signal_percent = -1;
	fill_network(w, &f.u.health);
	memset(&sq, 0, sizeof(sq));
	if (!w->stop && GSM_GetSignalQuality(w->s, &sq) == ERR_NONE) {
		if (sq.SignalPercent >= 0 && sq.SignalPercent <= 100)
			f.u.health.signal_percent = (int8_t)sq.SignalPercent;
		if (sq.SignalStrength < 0 && sq.SignalStrength >= -200)
			f.u.health.signal_dbm = (int16_t)sq.SignalStrength;
	}
	if (w->stop)
		f.u.health.state = FRAME_WS_FAILED;
	f.u.health.last_activity_ms = w->last_activity_ms;
	frame_copy_str(f.u.health.error, sizeof(f.u.health.error), w->last_error);
	send_frame(w, &f);
}

static void check_balance(struct worker *w)
{
	struct frame f;
	char code[64];
	GSM_Error e;

	memset(&f, 0, sizeof(f));
	f.type = FRAME_BALANCE;
	snprintf(code, sizeof(code), "%s", w->mc->balance_ussd);
	w->ussd_done = false;
	e = GSM_DialService(w->s, code);
	if (e == ERR_NONE)
		wait_flag(w, &w->ussd_done, w->o.ussd_timeout_ms);
	if (e != ERR_NONE)
		snprintf(f.u.balance.text, sizeof(f.u.balance.text),
			 "could not send the USSD request: %s", GSM_ErrorString(e));
	else if (!w->ussd_done)
		snprintf(f.u.balance.text, sizeof(f.u.balance.text),
			 "no answer to the USSD request within %d s", w->o.ussd_timeout_ms / 1000);
	else if (w->ussd_status == USSD_NotSupported || w->ussd_status == USSD_Timeout)
		snprintf(f.u.balance.text, sizeof(f.u.balance.text),
			 "the network did not answer the USSD request");
	else {
		f.u.balance.ok = true;
		frame_copy_str(f.u.balance.text, sizeof(f.u.balance.text), w->ussd_text);
	}
	send_frame(w, &f);
}

/* ---- libgammu callbacks (no libgammu calls from inside them) ---- */

static void on_incoming_sms(GSM_StateMachine *s, GSM_SMSMessage *sms, void *arg)
{
	struct worker *w = arg;

	(void)s;
	/* +CMTI/+CDSI: only the location is known; read it by scanning */
	if (sms->PDU == 0 || (sms->PDU == SMS_Status_Report && sms->Memory == MEM_SR)) {
		w->sms_notified = true;
		return;
	}
	/* routed straight to us: it is not stored, nothing to delete later */
	process_sms(w, sms, false);
}

static void on_send_status(GSM_StateMachine *s, int status, int mr, void *arg)
{
	struct worker *w = arg;

	(void)s;
	w->send_status = status;
	w->send_mr = mr;
	w->send_done = true;
}

static void on_ussd(GSM_StateMachine *s, GSM_USSDMessage *ussd, void *arg)
{
	struct worker *w = arg;

	(void)s;
	gammu_str(ussd->Text, sizeof(ussd->Text), w->ussd_text, sizeof(w->ussd_text));
	w->ussd_status = ussd->Status;
	w->ussd_done = true;
}

/* ---- the device ---- */

/* Hand the modem section's gammurc keys to libgammu. */
static bool load_gammu_config(struct worker *w)
{
	GSM_Error e = gammu_conf_load(w->s, w->mc->gammu, w->mc->n_gammu);

	if (e == ERR_CANTOPENFILE) {
		log_error("could not create a temporary file for libgammu's settings: %s",
			  strerror(errno));
		return false;
	}
	if (e != ERR_NONE) {
		log_error("invalid gammu settings for modem \"%s\": %s", w->mc->name,
			  GSM_ErrorString(e));
		return false;
	}
	return true;
}

static void say_hello(struct worker *w)
{
	char buf[GSM_MAX_INFO_LENGTH + 1];
	struct frame f;

	memset(&f, 0, sizeof(f));
	f.type = FRAME_HELLO;
	f.u.hello.generation = w->o.generation;
	f.u.hello.pid = (uint32_t)getpid();
	buf[0] = '\0';
	if (GSM_GetManufacturer(w->s, buf) == ERR_NONE)
		frame_copy_str(f.u.hello.manufacturer, FRAME_NAME_MAX, buf);
	buf[0] = '\0';
	if (GSM_GetModel(w->s, buf) == ERR_NONE)
		frame_copy_str(f.u.hello.model, FRAME_NAME_MAX, buf);
	buf[0] = '\0';
	if (GSM_GetIMEI(w->s, buf) == ERR_NONE)
		frame_copy_str(f.u.hello.imei, FRAME_IMEI_MAX, buf);
	send_frame(w, &f);
}

static void enable_notifications(struct worker *w)
{
	GSM_Error e;

	GSM_SetSendSMSStatusCallback(w->s, on_send_status, w);
	GSM_SetIncomingSMSCallback(w->s, on_incoming_sms, w);
	GSM_SetIncomingUSSDCallback(w->s, on_ussd, w);
	if (w->mc->receive) {
		e = GSM_SetIncomingSMS(w->s, TRUE);
		if (e != ERR_NONE)
			log_info("no incoming-message notification (%s); polling every %d ms",
				 GSM_ErrorString(e), w->o.poll_ms);
	}
	if (w->mc->balance_ussd != NULL) {
		e = GSM_SetIncomingUSSD(w->s, TRUE);
		if (e != ERR_NONE && e != ERR_NOTSUPPORTED && e != ERR_NOTIMPLEMENTED)
			log_warn("could not enable USSD answers: %s", GSM_ErrorString(e));
	}
}

static bool open_device(struct worker *w)
{
	GSM_Error e;

	if (!load_gammu_config(w))
		return false;
	e = GSM_InitConnection(w->s, 2);
	if (e != ERR_NONE) {
		snprintf(w->last_error, sizeof(w->last_error), "could not open the device: %s",
			 GSM_ErrorString(e));
		log_error("could not open device \"%s\" of modem \"%s\": %s",
			  w->mc->device ? w->mc->device : "", w->mc->name, GSM_ErrorString(e));
		return false;
	}
	enable_notifications(w);
	say_hello(w);
	return true;
}

/* ---- frames from sawtd ---- */

static void handle_frame(struct worker *w, const struct frame *f)
{
	switch (f->type) {
	case FRAME_ACK: handle_ack(w, f->u.ack.token); break;
	case FRAME_RELEASE: handle_release(w, f->u.release.token); break;
	case FRAME_RESCAN: handle_rescan(w); break;
	case FRAME_SEND: do_send(w, &f->u.send); break;
	case FRAME_SHUTDOWN:
		log_debug("shutdown requested");
		w->stop = true;
		break;
	default:
		log_error("unexpected %s frame from sawtd", frame_type_name(f->type));
		w->stop = true;
		w->exit_code = MODEM_WORKER_EXIT_PROTOCOL;
		break;
	}
}

static void read_frames(struct worker *w)
{
	struct frame f;
	enum frame_result r;
	size_t used;
	ssize_t n;

	n = recv(w->fd, w->rbuf + w->rlen, sizeof(w->rbuf) - w->rlen, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		log_info("sawtd closed the connection; exiting");
		w->stop = true;
		return;
	}
	w->rlen += (size_t)n;
	while (!w->stop && (r = frame_decode(w->rbuf, w->rlen, &f, &used)) == FRAME_OK) {
		memmove(w->rbuf, w->rbuf + used, w->rlen - used);
		w->rlen -= used;
		handle_frame(w, &f);
	}
	if (!w->stop && r != FRAME_INCOMPLETE) {
		log_error("malformed frame from sawtd: %s", frame_result_name(r));
		w->stop = true;
		w->exit_code = MODEM_WORKER_EXIT_PROTOCOL;
	}
}

/* ---- the loop ---- */

static int next_wait_ms(const struct worker *w)
{
	int64_t now = util_mono_ms(), until = now + LOOP_TICK_MS, due;

	if (w->force_scan || w->sms_notified)
		return 0;
	if (w->mc->receive && w->next_poll < until)
		until = w->next_poll;
	if (w->next_health < until)
		until = w->next_health;
	if (w->reoffer_at != 0 && w->reoffer_at < until)
		until = w->reoffer_at;
	if (concat_next_due(w->concat, &due) && due < until)
		until = due;
	return until > now ? (int)(until - now) : 0;
}

static void due_work(struct worker *w)
{
	int64_t now;

	if (!w->stop && w->reoffer_at != 0 && util_mono_ms() >= w->reoffer_at)
		reoffer(w);
	if (w->mc->receive && !w->stop && scan_due(w))
		scan(w);
	if (!w->stop)
		concat_expire(w->concat, util_mono_ms());
	if (!w->stop)
		pending_expire(w);
	if (!w->stop)
		report_held(w);
	now = util_mono_ms();
	if (!w->stop && now >= w->next_health) {
		w->next_health = now + w->o.health_ms;
		report_health(w);
	}
	if (!w->stop && w->mc->balance_ussd != NULL && now >= w->next_balance) {
		w->next_balance = now + (int64_t)w->mc->balance_interval * 1000;
		check_balance(w);
	}
}

static void run(struct worker *w)
{
	struct pollfd p;

	w->next_poll = w->next_health = w->next_balance = util_mono_ms();
	while (!w->stop) {
		p = (struct pollfd){ .fd = w->fd, .events = POLLIN };
		if (poll(&p, 1, next_wait_ms(w)) > 0)
			read_frames(w);
		if (w->stop)
			break;
		GSM_ReadDevice(w->s, FALSE);
		due_work(w);
	}
}

static void worker_free(struct worker *w)
{
	for (size_t i = 0; i < w->n_pend; i++) {
		free(w->pend[i].locs);
		free(w->pend[i].rec);
	}
	free(w->held);
	free(w->mem);
	concat_free(w->concat);
	free(w->pend);
	free(w->batch);
	free(w->refs);
	free(w->trash);
	free(w->msms);
	if (w->s != NULL) {
		if (GSM_IsConnected(w->s))
			GSM_TerminateConnection(w->s);
		GSM_FreeStateMachine(w->s);
	}
	free(w);
}

static void report_failure(struct worker *w)
{
	struct frame f;

	memset(&f, 0, sizeof(f));
	f.type = FRAME_HEALTH;
	f.u.health.state = FRAME_WS_FAILED;
	f.u.health.signal_percent = -1;
	frame_copy_str(f.u.health.error, sizeof(f.u.health.error), w->last_error);
	send_frame(w, &f);
}

int modem_worker_main(const struct config_modem *mc, int fd, const struct modem_worker_opts *opts)
{
	struct worker *w = calloc(1, sizeof(*w));
	char ident[64];
	int code;

	snprintf(ident, sizeof(ident), "modem:%s", mc->name);
	log_set_ident(ident);
	if (w == NULL)
		return MODEM_WORKER_EXIT_NOMEM;
	w->mc = mc;
	w->o = *opts;
	w->fd = fd;
	w->dummy = mc->model != NULL && strcmp(mc->model, "dummy") == 0;
	if (w->o.reoffer_min_ms <= 0)
		w->o.reoffer_min_ms = 1000;
	if (w->o.reoffer_max_ms < w->o.reoffer_min_ms)
		w->o.reoffer_max_ms = w->o.reoffer_min_ms;
	w->reoffer_ms = w->o.reoffer_min_ms;
	/* looking at the dummy's inbox folder costs one stat(): look often */
	if (w->dummy && w->o.poll_ms > DUMMY_POLL_MS)
		w->o.poll_ms = DUMMY_POLL_MS;
	w->s = GSM_AllocStateMachine();
	w->msms = calloc(1, sizeof(*w->msms));
	w->concat = concat_new(&(struct concat_options){ .wait_ms = w->o.concat_wait_ms,
							 .max_groups = GROUPS_MAX,
							 .max_units = UNITS_MAX },
			       concat_ready, w);
	if (w->s == NULL || w->msms == NULL || w->concat == NULL) {
		worker_free(w);
		return MODEM_WORKER_EXIT_NOMEM;
	}
	if (!open_device(w)) {
		report_failure(w);
		worker_free(w);
		return MODEM_WORKER_EXIT_DEVICE;
	}
	log_info("device \"%s\" open", mc->device ? mc->device : "");
	run(w);
	if (w->exit_code == MODEM_WORKER_EXIT_DEVICE)
		report_failure(w);
	code = w->exit_code;
	worker_free(w);
	return code;
}
