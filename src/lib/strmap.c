/*
 * strmap.c - string-keyed hash table; see strmap.h.
 */
#include "strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A slot's key: NULL empty, TOMBSTONE deleted, else a live key. */
static const char tombstone_key[1];
#define TOMBSTONE (tombstone_key)

struct slot {
	const char *key;
	void *value;
	uint32_t hash;
};

struct strmap {
	struct slot *slots;
	size_t cap;  /* a power of two */
	size_t len;  /* live entries */
	size_t used; /* live entries and tombstones */
};

static uint32_t hash_str(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

static bool live(const struct slot *s)
{
	return s->key != NULL && s->key != TOMBSTONE;
}

struct strmap *strmap_new(size_t hint)
{
	struct strmap *m = calloc(1, sizeof(*m));
	size_t cap = 16;

	if (m == NULL)
		return NULL;
	while (cap < hint + hint / 2 + 1)
		cap *= 2;
	m->slots = calloc(cap, sizeof(*m->slots));
	if (m->slots == NULL) {
		free(m);
		return NULL;
	}
	m->cap = cap;
	return m;
}

void strmap_free(struct strmap *m)
{
	if (m == NULL)
		return;
	free(m->slots);
	free(m);
}

/* The slot holding key, or NULL. */
static struct slot *find(const struct strmap *m, const char *key, uint32_t h)
{
	size_t mask = m->cap - 1;

	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct slot *s = &m->slots[i];

		if (s->key == NULL)
			return NULL;
		if (s->key != TOMBSTONE && s->hash == h && strcmp(s->key, key) == 0)
			return s;
	}
}

/* Insert into a map known to hold no entry for key and to have room. */
static void insert_new(struct strmap *m, const char *key, uint32_t h, void *value)
{
	size_t mask = m->cap - 1;
	size_t i = h & mask;

	while (live(&m->slots[i]))
		i = (i + 1) & mask;
	if (m->slots[i].key == NULL)
		m->used++;
	m->slots[i] = (struct slot){ key, value, h };
	m->len++;
}

static bool grow(struct strmap *m)
{
	struct slot *old = m->slots;
	size_t oldcap = m->cap;
	size_t cap = m->len * 2 + 1 > oldcap / 2 ? oldcap * 2 : oldcap;

	m->slots = calloc(cap, sizeof(*m->slots));
	if (m->slots == NULL) {
		m->slots = old;
		return false;
	}
	m->cap = cap;
	m->len = 0;
	m->used = 0;
	for (size_t i = 0; i < oldcap; i++)
		if (live(&old[i]))
			insert_new(m, old[i].key, old[i].hash, old[i].value);
	free(old);
	return true;
}

void *strmap_get(const struct strmap *m, const char *key)
{
	struct slot *s = find(m, key, hash_str(key));

	return s ? s->value : NULL;
}

bool strmap_put(struct strmap *m, const char *key, void *value)
{
	uint32_t h = hash_str(key);
	struct slot *s = find(m, key, h);

	if (s != NULL) {
		s->key = key;
		s->value = value;
		return true;
	}
	if ((m->used + 1) * 10 > m->cap * 7 && !grow(m))
		return false;
	insert_new(m, key, h, value);
	return true;
}

void *strmap_del(struct strmap *m, const char *key)
{
	struct slot *s = find(m, key, hash_str(key));
	void *value;

	if (s == NULL)
		return NULL;
	value = s->value;
	s->key = TOMBSTONE;
	s->value = NULL;
	m->len--;
	return value;
}

size_t strmap_len(const struct strmap *m)
{
	return m->len;
}

void strmap_sweep(struct strmap *m, bool (*fn)(const char *key, void *value, void *arg), void *arg)
{
	for (size_t i = 0; i < m->cap; i++) {
		struct slot *s = &m->slots[i];

		if (!live(s) || !fn(s->key, s->value, arg))
			continue;
		s->key = TOMBSTONE;
		s->value = NULL;
		m->len--;
	}
}
