/*
 * strmap.h - a hash table from NUL-terminated strings to pointers.
 *
 * Open addressing with linear probing, FNV-1a hashing; it grows (doubling)
 * at 70% load, and deletion uses tombstones.  Used for the registry cache
 * (stations by code, people by phone) and the per-sender state of the
 * pipeline.
 *
 * Ownership: the map stores the key pointers it is given and never copies
 * or frees keys or values; a key must stay valid and unchanged while its
 * entry is in the map (keep it inside the value, typically).
 */
#ifndef SAWT_STRMAP_H
#define SAWT_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "log.h"

struct strmap;

/* Create an empty map with room for about hint entries.  NULL when out of
 * memory. */
struct strmap *strmap_new(size_t hint) SAWT_MUST_CHECK;

/* Free the map (not its keys or values); NULL is a no-op. */
void strmap_free(struct strmap *m);

/* The value of key, or NULL when absent. */
void *strmap_get(const struct strmap *m, const char *key);

/*
 * Set key to value (value must not be NULL), replacing any previous value.
 * Returns false only when out of memory (the map is then unchanged).
 */
bool strmap_put(struct strmap *m, const char *key, void *value) SAWT_MUST_CHECK;

/* Remove key; returns its value, or NULL when it was absent. */
void *strmap_del(struct strmap *m, const char *key);

/* Entries in the map. */
size_t strmap_len(const struct strmap *m);

/*
 * Call fn(key, value, arg) for every entry, in no particular order.  fn
 * must not add entries; it may remove the current one (return true to do
 * so).
 */
void strmap_sweep(struct strmap *m, bool (*fn)(const char *key, void *value, void *arg), void *arg);

#endif
