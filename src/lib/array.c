/*
 * array.c - growing a caller's malloc'd array; see array.h.
 */
#include "array.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARRAY_MIN_CAP 16

bool array_grow(void *items, size_t *cap, size_t need, size_t size)
{
	size_t ncap = *cap ? *cap : ARRAY_MIN_CAP;
	void *old, *p;

	if (need <= *cap)
		return true;
	if (size == 0)
		return false;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return false;
		ncap *= 2;
	}
	if (ncap > SIZE_MAX / size)
		return false;
	memcpy(&old, items, sizeof(old));
	p = realloc(old, ncap * size);
	if (p == NULL)
		return false;
	memcpy(items, &p, sizeof(p));
	*cap = ncap;
	return true;
}
