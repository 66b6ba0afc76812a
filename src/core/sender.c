/*
 * sender.c - rate limit, mute and PIN lock per sender; see sender.h.
 */
#include "sender.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"

struct sender_table {
	struct strmap *map;
};

struct sender_table *sender_table_new(void)
{
	struct sender_table *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->map = strmap_new(1024);
	if (t->map == NULL) {
		free(t);
		return NULL;
	}
	return t;
}

static bool free_one(const char *key, void *value, void *arg)
{
	(void)key;
	(void)arg;
	free(value);
	return true;
}

void sender_table_free(struct sender_table *t)
{
	if (t == NULL)
		return;
	strmap_sweep(t->map, free_one, NULL);
	strmap_free(t->map);
	free(t);
}

struct sender *sender_table_get(struct sender_table *t, const char *key, int64_t now)
{
	struct sender *s = strmap_get(t->map, key);

	if (s == NULL) {
		if (strlen(key) >= SENDER_KEY_MAX)
			return NULL;
		s = calloc(1, sizeof(*s));
		if (s == NULL)
			return NULL;
		snprintf(s->key, sizeof(s->key), "%s", key);
		/* nothing is pending at creation, whatever the clock says */
		s->muted_until = INT64_MIN;
		s->locked_until = INT64_MIN;
		s->unknown_replied = INT64_MIN;
		if (!strmap_put(t->map, s->key, s)) {
			free(s);
			return NULL;
		}
	}
	if (now > s->last_seen)
		s->last_seen = now;
	return s;
}

struct sender *sender_table_find(struct sender_table *t, const char *key)
{
	return strmap_get(t->map, key);
}

size_t sender_table_len(const struct sender_table *t)
{
	return strmap_len(t->map);
}

static bool sweep_one(const char *key, void *value, void *arg)
{
	struct sender *s = value;
	int64_t now = *(const int64_t *)arg;

	(void)key;
	if (now < s->muted_until || now < s->locked_until ||
	    (s->unknown_replied != INT64_MIN &&
	     now - s->unknown_replied < SENDER_UNKNOWN_WINDOW_MS) ||
	    now - s->last_seen < SENDER_PIN_WINDOW_MS + 60000)
		return false;
	free(s);
	return true;
}

void sender_table_sweep(struct sender_table *t, int64_t now)
{
	strmap_sweep(t->map, sweep_one, &now);
}

static void mute(struct sender *s, const struct sender_rules *r, int64_t at)
{
	s->muted_until = at + (int64_t)r->mute_s * 1000;
	s->n_times = 0;
	s->next = 0;
}

bool sender_seen(struct sender *s, uint64_t key)
{
	for (unsigned i = 0; i < s->n_seen; i++)
		if (s->seen[i] == key)
			return true;
	s->seen[s->next_seen] = key;
	s->next_seen = (s->next_seen + 1) % SENDER_SEEN;
	if (s->n_seen < SENDER_SEEN)
		s->n_seen++;
	return false;
}

/* True when each of the keep times in s's ring lies less than window ms
 * from now, before or after. */
static bool within_window(const struct sender *s, unsigned keep, int64_t now, int64_t window)
{
	for (unsigned i = 0; i < keep; i++) {
		int64_t d = now - s->times[i];

		if (d >= window || d <= -window)
			return false;
	}
	return true;
}

bool sender_rate(struct sender *s, const struct sender_rules *r, int64_t now, bool *started)
{
	unsigned keep = r->rate_max + 1;

	*started = false;
	if (now < s->muted_until)
		return true;
	if (keep > SENDER_RATE_RING)
		keep = SENDER_RATE_RING;
	s->times[s->next] = now;
	s->next = (s->next + 1) % keep;
	if (s->n_times < keep)
		s->n_times++;
	/* a flood: the last keep messages all within one window of this one
	 * (send times of a late backlog need not arrive in order) */
	if (s->n_times == keep && within_window(s, keep, now, (int64_t)r->rate_window_s * 1000)) {
		mute(s, r, now);
		*started = true;
		return true;
	}
	return false;
}

void sender_unmute(struct sender *s, const struct sender_rules *r, int64_t at)
{
	if (s->muted_until == INT64_MIN || s->muted_until - (int64_t)r->mute_s * 1000 > at)
		return;
	s->muted_until = INT64_MIN;
	s->n_times = 0;
	s->next = 0;
}

static bool pin_fail(struct sender *s, int64_t now)
{
	unsigned o = 0;

	for (unsigned i = 0; i < s->n_fails; i++)
		if (now - s->pin_fails[i] < SENDER_PIN_WINDOW_MS)
			s->pin_fails[o++] = s->pin_fails[i];
	s->n_fails = o;
	if (s->n_fails < SENDER_PIN_FAILS)
		s->pin_fails[s->n_fails++] = now;
	if (s->n_fails < SENDER_PIN_FAILS)
		return false;
	s->n_fails = 0;
	s->locked_until = now + SENDER_PIN_LOCK_MS;
	return true;
}

bool sender_pin_fail(struct sender *s, int64_t now)
{
	return pin_fail(s, now);
}

void sender_pin_ok(struct sender *s)
{
	s->n_fails = 0;
}

bool sender_unknown_reply(struct sender *s, int64_t now)
{
	if (s->unknown_replied != INT64_MIN && now - s->unknown_replied < SENDER_UNKNOWN_WINDOW_MS)
		return false;
	s->unknown_replied = now;
	return true;
}

bool sender_locked(const struct sender *s, int64_t now)
{
	return now < s->locked_until;
}

void sender_replay(struct sender *s, const struct sender_rules *r, enum sender_event ev, int64_t at)
{
	switch (ev) {
	case SENDER_EV_RATE_LIMITED:
		if (at >= s->muted_until)
			mute(s, r, at);
		break;
	case SENDER_EV_BAD_PIN:
		if (at >= s->locked_until)
			pin_fail(s, at);
		break;
	case SENDER_EV_PIN_LOCKED:
		if (at >= s->locked_until) {
			s->n_fails = 0;
			s->locked_until = at + SENDER_PIN_LOCK_MS;
		}
		break;
	case SENDER_EV_PIN_OK: sender_pin_ok(s); break;
	case SENDER_EV_UNMUTED: sender_unmute(s, r, at); break;
	case SENDER_EV_UNKNOWN_REPLIED:
		if (s->unknown_replied == INT64_MIN || at > s->unknown_replied)
			s->unknown_replied = at;
		break;
	}
}
