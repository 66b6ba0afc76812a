/*
 * spool.h - the local durable queue for inbound messages.
 *
 * When PostgreSQL cannot take a message, it is written here before its
 * source is told it is safe (the SIM deletes it, the aggregator gets 200):
 * write to a temporary file, fsync it, rename it to its final name, fsync
 * the directory.  Files are named by a sequence number, so replay is in
 * arrival order; a file is removed only after its message has committed.
 *
 * File format: the 8-byte magic "SAWTSPL1", a 4-byte little-endian length
 * of the record that follows, the record (struct inbound, fixed size), and
 * 32 bytes of SHA-256 over everything before them.  spool_decode() checks
 * every part; a file that fails is moved to bad/ and logged, never lost.
 *
 * Blocking file I/O: a spool write costs two fsyncs, which is acceptable
 * because it happens only while the database is unreachable.
 */
#ifndef SAWT_SPOOL_H
#define SAWT_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inbound.h"
#include "log.h"

#define SPOOL_MAGIC "SAWTSPL1"
#define SPOOL_FILE_SIZE (8 + 4 + sizeof(struct inbound) + 32)

struct spool;

/* Create a handle for directory dir (copied); no I/O.  NULL if out of memory. */
struct spool *spool_new(const char *dir) SAWT_MUST_CHECK;

/* Free the handle; NULL is a no-op.  Files stay. */
void spool_free(struct spool *sp);

/*
 * Create the directory if needed, remove stale temporary files, and index
 * the spooled files.  False with a message in err on failure.
 */
bool spool_open(struct spool *sp, char *err, size_t errlen) SAWT_MUST_CHECK;

/*
 * Write in durably (see above) and return its sequence number in *seq.
 * Only when this returns true may the message's source be acknowledged.
 */
bool spool_put(struct spool *sp, const struct inbound *in, uint64_t *seq, char *err,
	       size_t errlen) SAWT_MUST_CHECK;

/* Number of messages in the spool. */
size_t spool_count(const struct spool *sp);

/*
 * When the oldest spooled message was written: its file's modification
 * time, in Unix milliseconds, into *unix_ms (one stat()).  False when the
 * spool is empty or the file cannot be read.
 */
bool spool_oldest_time(const struct spool *sp, int64_t *unix_ms) SAWT_MUST_CHECK;

/*
 * Read the oldest spooled message into *out and its number into *seq.
 * Returns false when the spool is empty.  A corrupt file is moved to bad/
 * (logged) and the next one is tried.
 */
bool spool_oldest(struct spool *sp, struct inbound *out, uint64_t *seq) SAWT_MUST_CHECK;

/*
 * Like spool_oldest() for the oldest message numbered above after (0: the
 * oldest of all), so several can be replayed at once.
 */
bool spool_next(struct spool *sp, uint64_t after, struct inbound *out,
		uint64_t *seq) SAWT_MUST_CHECK;

/* Remove message seq (after it committed).  False if it could not. */
bool spool_remove(struct spool *sp, uint64_t seq) SAWT_MUST_CHECK;

/*
 * Encode in into buf (SPOOL_FILE_SIZE bytes).  Pure.
 */
void spool_encode(const struct inbound *in, unsigned char *buf);

/*
 * Decode a spool file's len bytes into *out: magic, length, checksum and
 * record shape (inbound_valid) must all be right.  Pure, allocates nothing.
 */
bool spool_decode(const unsigned char *buf, size_t len, struct inbound *out) SAWT_MUST_CHECK;

#endif
