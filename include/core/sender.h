/*
 * sender.h - what sawtd remembers about each sender between messages
 * (DESIGN.md section 3): arrival times for the rate limit and the mute
 * that follows a flood, wrong PINs and the PIN lock.
 *
 * Pure: no I/O, no clock of its own.  Every time is a monotonic clock
 * value in milliseconds given by the caller, so a restored event from the
 * past is just an earlier time.
 *
 * Rules.  A sender that sends more than rate_max messages within
 * rate_window_s seconds is muted for mute_s seconds.  SENDER_PIN_FAILS
 * wrong PINs within SENDER_PIN_WINDOW_MS lock the sender's PIN for
 * SENDER_PIN_LOCK_MS; a right PIN forgets the wrong ones.
 *
 * Restart.  sender_replay() applies one event read back from the database
 * (what happened to an earlier message) so that a restarted daemon keeps a
 * lock or a mute that was on when it stopped.
 */
#ifndef SAWT_SENDER_H
#define SAWT_SENDER_H

#include <stdbool.h>
#include <stdint.h>

#include "log.h"

#define SENDER_KEY_MAX 32
#define SENDER_RATE_RING 61 /* rate_max + 1 times at most */
#define SENDER_SEEN 64      /* message keys remembered */
#define SENDER_PIN_FAILS 3
#define SENDER_PIN_WINDOW_MS (10 * 60 * 1000)
#define SENDER_PIN_LOCK_MS (30 * 60 * 1000)
#define SENDER_UNKNOWN_WINDOW_MS (60 * 60 * 1000) /* one reply an hour to a stranger */

struct sender_rules {
	unsigned rate_max; /* 1 .. SENDER_RATE_RING - 1 */
	unsigned rate_window_s;
	unsigned mute_s;
};

/* One sender's state.  Fields are read by the caller; change them only
 * through the functions below. */
struct sender {
	char key[SENDER_KEY_MAX];
	int64_t times[SENDER_RATE_RING]; /* ring of arrival times */
	unsigned n_times, next;
	int64_t muted_until;
	int64_t pin_fails[SENDER_PIN_FAILS];
	unsigned n_fails;
	int64_t locked_until;
	int64_t unknown_replied; /* last reply to it as an unknown number */
	int64_t last_seen;
	uint64_t seen[SENDER_SEEN]; /* ring of recent messages' keys */
	unsigned n_seen, next_seen;
};

/* What a stored message says about its sender, for sender_replay(). */
enum sender_event {
	SENDER_EV_RATE_LIMITED,    /* recorded but muted (no_reply rate_limited) */
	SENDER_EV_BAD_PIN,         /* answered bad_pin */
	SENDER_EV_PIN_LOCKED,      /* answered pin_locked */
	SENDER_EV_PIN_OK,          /* carried a PIN that was accepted */
	SENDER_EV_UNKNOWN_REPLIED, /* an unknown number answered unknown_sender */
	SENDER_EV_UNMUTED,         /* the operator unmuted it (sawt unmute) */
};

struct sender_table;

/* An empty table; NULL when out of memory. */
struct sender_table *sender_table_new(void) SAWT_MUST_CHECK;

/* Free the table and every sender in it; NULL is a no-op. */
void sender_table_free(struct sender_table *t);

/*
 * The sender with key (at most SENDER_KEY_MAX - 1 bytes, longer is
 * refused), created when new, marked seen at now.  Owned by the table;
 * valid until the next sender_table_sweep().  NULL when out of memory or
 * the key is too long.
 */
struct sender *sender_table_get(struct sender_table *t, const char *key, int64_t now);

/* The sender with key, NULL when it is not remembered (nothing is created). */
struct sender *sender_table_find(struct sender_table *t, const char *key);

/* Number of senders remembered. */
size_t sender_table_len(const struct sender_table *t);

/* Forget senders that are neither muted nor locked and were not seen for
 * longer than the PIN window and a minute. */
void sender_table_sweep(struct sender_table *t, int64_t now);

/*
 * Note the message with key (the first 64 bits of its dedup key) from s.
 * True when the key was noted before: the same message again (a modem that
 * could not delete it, a spool replay, a batch resent), which must count
 * neither for the rate nor as another wrong PIN.  The last SENDER_SEEN
 * keys are kept, more than the rate counts.
 */
bool sender_seen(struct sender *s, uint64_t key) SAWT_MUST_CHECK;

/*
 * Count a message from s sent at now (the caller's clock for when the
 * observer sent it, so that a backlog delivered at once is counted as it
 * was sent).  True when s is muted: its reply is withheld, the message is
 * still processed; *started is set when this message is the one that
 * muted it (the caller raises the alert once).
 */
bool sender_rate(struct sender *s, const struct sender_rules *r, int64_t now,
		 bool *started) SAWT_MUST_CHECK;

/*
 * The operator unmuted s at time at (sawt unmute; at may be in the past):
 * a mute that had started by then ends, and the messages counted for the
 * rate before it are forgotten, so the next one does not mute s again.  A
 * mute that started after at (a new flood) stays.  Applying the same
 * unmute twice changes nothing more.
 */
void sender_unmute(struct sender *s, const struct sender_rules *r, int64_t at);

/* Record a wrong PIN at now; true when it locks the PIN. */
bool sender_pin_fail(struct sender *s, int64_t now) SAWT_MUST_CHECK;

/* A right PIN: forget the wrong ones. */
void sender_pin_ok(struct sender *s);

/*
 * s is not a registered number and its message would be answered
 * unknown_sender: true when that reply may go (none went to it within
 * SENDER_UNKNOWN_WINDOW_MS before now; it is noted), false when it is
 * withheld, so the gateway's number is not confirmed to every stranger.
 */
bool sender_unknown_reply(struct sender *s, int64_t now) SAWT_MUST_CHECK;

/* True while s's PIN is locked. */
bool sender_locked(const struct sender *s, int64_t now);

/*
 * Apply an event that happened at time at (in the past) to s, with the
 * rules above: a rate_limited message starts a mute unless one was on, a
 * bad_pin counts a wrong PIN, a pin_locked answer starts a lock unless one
 * was on, an accepted PIN forgets the wrong ones, an unknown_sender reply
 * starts the hour without another, an unmute is sender_unmute().  Replay
 * events in the
 * order they happened.
 */
void sender_replay(struct sender *s, const struct sender_rules *r, enum sender_event ev,
		   int64_t at);

#endif
