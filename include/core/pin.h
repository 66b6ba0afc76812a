/*
 * pin.h - observers' PINs at rest: salted PBKDF2 hashes.
 *
 * A PIN (4 to 8 ASCII digits) is never stored; the registry import hashes
 * it with pin_hash() and the daemon checks what an observer sends with
 * pin_verify().  The hash is text, "pbkdf2-sha256$ITERATIONS$SALT$HASH",
 * so the iteration count can grow without invalidating stored hashes.
 *
 * Pure functions (OpenSSL's PBKDF2 and random salt); no allocation.
 */
#ifndef SAWT_PIN_H
#define SAWT_PIN_H

#include <stdbool.h>
#include <stddef.h>

#include "log.h"

/* Buffer for a PIN hash "pbkdf2-sha256$N$SALT$HASH". */
#define PIN_HASH_BUF 128
/* PBKDF2-HMAC-SHA256 iterations for new PIN hashes. */
#define PIN_ITERATIONS 10000

/*
 * Hash a PIN (ASCII digits) into out (outlen bytes, at least PIN_HASH_BUF)
 * as "pbkdf2-sha256$ITERATIONS$SALT$HASH": PBKDF2 with HMAC-SHA256, a
 * random 16-byte salt and 32-byte hash, both in lowercase hex.  iterations
 * 0 means PIN_ITERATIONS.  Returns false when OpenSSL fails or out is too
 * small.
 */
bool pin_hash(const char *pin, int iterations, char *out, size_t outlen) SAWT_MUST_CHECK;

/*
 * True when pin matches a hash made by pin_hash() (compared in constant
 * time).  False for a wrong PIN, a NULL argument and a malformed hash.
 */
bool pin_verify(const char *pin, const char *hash) SAWT_MUST_CHECK;

#endif
