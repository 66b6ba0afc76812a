/*
 * array.h - growing a caller's malloc'd array.
 *
 * The caller keeps the pointer, the count and the capacity in its own
 * struct; array_grow() only makes room.  Used instead of a hand-written
 * realloc() at each place that appends to an array.
 */
#ifndef SAWT_ARRAY_H
#define SAWT_ARRAY_H

#include <stdbool.h>
#include <stddef.h>

#include "log.h"

/*
 * items is the address of the caller's array pointer (e.g. &s->rows, no
 * cast needed): an array of *cap elements of size bytes each, or NULL with
 * *cap 0.  Make it hold at least need elements.  When *cap is already enough nothing
 * happens; otherwise the capacity doubles (starting at 16) until it is, and
 * the array is reallocated: *items and *cap are updated, the first *cap
 * elements keep their values and the new ones are uninitialised.  The array
 * stays the caller's, to free().  Returns false, with *items and *cap
 * unchanged, when out of memory or when the size in bytes would overflow
 * size_t.
 */
bool array_grow(void *items, size_t *cap, size_t need, size_t size) SAWT_MUST_CHECK;

#endif
