/*
 * regsnap.c - an immutable registry snapshot; see regsnap.h.
 *
 * Rows are appended to plain arrays while building; regsnap_finish() sorts
 * them by id (so id lookups are binary searches), builds the two string
 * maps (stations by code, people by phone), and turns the assignment pairs
 * into per-owner sorted slices of one shared array.
 */
#include "regsnap.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "array.h"
#include "pin.h"
#include "strmap.h"

struct pair {
	int a, b;
};

struct vec {
	void *items;
	size_t n, cap;
};

struct regsnap {
	struct vec areas;       /* struct regsnap_area */
	struct vec contests;    /* struct regsnap_contest */
	struct vec stations;    /* struct regsnap_station */
	struct vec people;      /* struct regsnap_person */
	struct vec incidents;   /* struct regsnap_incident */
	struct vec st_contests; /* pair: station id, contest id */
	struct vec p_stations;  /* pair: person id, station id */
	struct vec p_areas;     /* pair: person id, area id */
	struct vec names;       /* char *: area names, owned */
	struct strmap *by_code;
	struct strmap *by_phone;
	const struct regsnap_contest **contest_refs;
	int *person_ids; /* stations then areas of every person */
	size_t dropped;
	bool finished;
	char *cl_text; /* checklist definitions added, after the canonical header */
	size_t cl_len;
	struct vec cl_versions;      /* struct cl_version */
	struct checklist_set *lists; /* read from cl_text by regsnap_finish() */
	struct vec cl_stored;        /* struct cl_stored: answers already stored */
	uint64_t *cl_answered;       /* stations x forms: questions answered so far */
};

struct cl_stored {
	int station_id;
	char form[4];
	uint64_t questions; /* filled at finish from codes */
	char *codes;        /* space-separated question codes, owned */
};

struct cl_version {
	char code[4];
	int version;
};

static bool vec_push(struct vec *v, size_t size, const void *item)
{
	if (!array_grow(&v->items, &v->cap, v->n + 1, size))
		return false;
	memcpy((char *)v->items + v->n * size, item, size);
	v->n++;
	return true;
}

#define VEC_AT(v, type, i) (&((type *)(v).items)[i])

struct regsnap *regsnap_new(void)
{
	return calloc(1, sizeof(struct regsnap));
}

void regsnap_free(struct regsnap *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->people.n; i++) {
		struct regsnap_person *p = VEC_AT(s->people, struct regsnap_person, i);

		free(p->name);
		free(p->pin_hash);
	}
	free(s->cl_text);
	free(s->cl_versions.items);
	for (size_t i = 0; i < s->cl_stored.n; i++)
		free(VEC_AT(s->cl_stored, struct cl_stored, i)->codes);
	free(s->cl_stored.items);
	free(s->cl_answered);
	checklist_set_free(s->lists);
	for (size_t i = 0; i < s->names.n; i++)
		free(*VEC_AT(s->names, char *, i));
	free(s->names.items);
	free(s->areas.items);
	free(s->contests.items);
	free(s->stations.items);
	free(s->people.items);
	free(s->incidents.items);
	free(s->st_contests.items);
	free(s->p_stations.items);
	free(s->p_areas.items);
	strmap_free(s->by_code);
	strmap_free(s->by_phone);
	free(s->contest_refs);
	free(s->person_ids);
	free(s);
}

/* ---- building ---- */

static bool copy_str(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);

	if (n == 0 || n >= cap)
		return false;
	memcpy(dst, src, n + 1);
	return true;
}

bool regsnap_add_area(struct regsnap *s, int id, int parent_id)
{
	return regsnap_add_area_named(s, id, parent_id, NULL);
}

bool regsnap_add_area_named(struct regsnap *s, int id, int parent_id, const char *name)
{
	struct regsnap_area a = { id, parent_id, NULL };
	char *copy = NULL;

	if (name != NULL && name[0] != '\0') {
		if ((copy = strdup(name)) == NULL)
			return false;
		if (!vec_push(&s->names, sizeof(copy), &copy)) {
			free(copy);
			return false;
		}
		a.name = copy;
	}
	return vec_push(&s->areas, sizeof(a), &a);
}

bool regsnap_add_contest(struct regsnap *s, int id, const char *code, int n_candidates)
{
	struct regsnap_contest c = { .id = id, .n_candidates = n_candidates };

	return copy_str(c.code, sizeof(c.code), code) && vec_push(&s->contests, sizeof(c), &c);
}

bool regsnap_add_station(struct regsnap *s, int id, const char *code, int area_id, int registered,
			 int registered_women)
{
	struct regsnap_station st = {
		.id = id,
		.area_id = area_id,
		.registered = registered,
		.registered_women = registered_women,
	};

	return copy_str(st.code, sizeof(st.code), code) && vec_push(&s->stations, sizeof(st), &st);
}

static bool add_pair(struct vec *v, int a, int b)
{
	struct pair p = { a, b };

	return vec_push(v, sizeof(p), &p);
}

bool regsnap_add_station_contest(struct regsnap *s, int station_id, int contest_id)
{
	return add_pair(&s->st_contests, station_id, contest_id);
}

bool regsnap_add_person_station(struct regsnap *s, int person_id, int station_id)
{
	return add_pair(&s->p_stations, person_id, station_id);
}

bool regsnap_add_person_area(struct regsnap *s, int person_id, int area_id)
{
	return add_pair(&s->p_areas, person_id, area_id);
}

bool regsnap_add_person(struct regsnap *s, int id, const char *phone, const char *name,
			enum registry_role role, int lang, const char *pin_hash)
{
	struct regsnap_person p = { .id = id, .role = role, .lang = lang };

	if (!copy_str(p.phone, sizeof(p.phone), phone))
		return false;
	if (name != NULL && (p.name = strdup(name)) == NULL)
		return false;
	if (pin_hash != NULL && pin_hash[0] != '\0' && (p.pin_hash = strdup(pin_hash)) == NULL)
		goto fail;
	if (!vec_push(&s->people, sizeof(p), &p))
		goto fail;
	return true;
fail:
	free(p.name);
	free(p.pin_hash);
	return false;
}

bool regsnap_add_incident(struct regsnap *s, int code, enum registry_severity severity)
{
	struct regsnap_incident i = { .code = code, .severity = severity };

	return vec_push(&s->incidents, sizeof(i), &i);
}

bool regsnap_add_incident_named(struct regsnap *s, int code, enum registry_severity severity,
				const char *const names[LANG_COUNT])
{
	struct regsnap_incident inc = { .code = code, .severity = severity };

	for (int l = 0; l < LANG_COUNT; l++) {
		char *copy;

		if (names[l] == NULL || names[l][0] == '\0')
			continue;
		if ((copy = strdup(names[l])) == NULL)
			return false;
		if (!vec_push(&s->names, sizeof(copy), &copy)) {
			free(copy);
			return false;
		}
		inc.names[l] = copy;
	}
	return vec_push(&s->incidents, sizeof(inc), &inc);
}

/* ---- finishing ---- */

/* Every row struct starts with its int id (or code). */
static int cmp_first_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static int cmp_pair(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;

	if (x->a != y->a)
		return (x->a > y->a) - (x->a < y->a);
	return (x->b > y->b) - (x->b < y->b);
}

static void *find_id(const struct vec *v, size_t size, int id)
{
	return v->n ? bsearch(&id, v->items, v->n, size, cmp_first_int) : NULL;
}

/* Sort v by id and drop rows whose id repeats (the first one stays). */
static void sort_unique(struct regsnap *s, struct vec *v, size_t size)
{
	size_t o = 0;
	char *base = v->items;

	if (v->n == 0)
		return;
	qsort(base, v->n, size, cmp_first_int);
	for (size_t i = 0; i < v->n; i++) {
		if (o > 0 && cmp_first_int(base + (o - 1) * size, base + i * size) == 0) {
			s->dropped++;
			continue;
		}
		if (o != i)
			memcpy(base + o * size, base + i * size, size);
		o++;
	}
	v->n = o;
}

/* Duplicate people need their strings freed as they are dropped. */
static void sort_unique_people(struct regsnap *s)
{
	struct vec *v = &s->people;
	size_t o = 0;

	if (v->n == 0)
		return;
	qsort(v->items, v->n, sizeof(struct regsnap_person), cmp_first_int);
	for (size_t i = 0; i < v->n; i++) {
		struct regsnap_person *p = VEC_AT(*v, struct regsnap_person, i);

		if (o > 0 && VEC_AT(*v, struct regsnap_person, o - 1)->id == p->id) {
			free(p->name);
			free(p->pin_hash);
			s->dropped++;
			continue;
		}
		if (o != i)
			*VEC_AT(*v, struct regsnap_person, o) = *p;
		o++;
	}
	v->n = o;
}

static bool index_stations(struct regsnap *s)
{
	s->by_code = strmap_new(s->stations.n);
	if (s->by_code == NULL)
		return false;
	for (size_t i = 0; i < s->stations.n; i++) {
		struct regsnap_station *st = VEC_AT(s->stations, struct regsnap_station, i);

		if (strmap_get(s->by_code, st->code) != NULL) {
			s->dropped++;
			continue;
		}
		if (!strmap_put(s->by_code, st->code, st))
			return false;
	}
	return true;
}

static bool index_people(struct regsnap *s)
{
	s->by_phone = strmap_new(s->people.n);
	if (s->by_phone == NULL)
		return false;
	for (size_t i = 0; i < s->people.n; i++) {
		struct regsnap_person *p = VEC_AT(s->people, struct regsnap_person, i);

		if (strmap_get(s->by_phone, p->phone) != NULL) {
			s->dropped++;
			continue;
		}
		if (!strmap_put(s->by_phone, p->phone, p))
			return false;
	}
	return true;
}

/* Sort pairs and drop repeats and those whose ends do not resolve. */
static void clean_pairs(struct regsnap *s, struct vec *v, const struct vec *va, size_t sa,
			const struct vec *vb, size_t sb)
{
	struct pair *p = v->items;
	size_t o = 0;

	if (v->n == 0)
		return;
	qsort(p, v->n, sizeof(*p), cmp_pair);
	for (size_t i = 0; i < v->n; i++) {
		bool dup = o > 0 && cmp_pair(&p[o - 1], &p[i]) == 0;

		if (dup || find_id(va, sa, p[i].a) == NULL || find_id(vb, sb, p[i].b) == NULL) {
			s->dropped++;
			continue;
		}
		p[o++] = p[i];
	}
	v->n = o;
}

static bool link_contests(struct regsnap *s)
{
	const struct pair *p = s->st_contests.items;

	s->contest_refs = calloc(s->st_contests.n + 1, sizeof(*s->contest_refs));
	if (s->contest_refs == NULL)
		return false;
	for (size_t i = 0; i < s->st_contests.n; i++) {
		struct regsnap_station *st = find_id(&s->stations, sizeof(*st), p[i].a);

		s->contest_refs[i] = find_id(&s->contests, sizeof(struct regsnap_contest), p[i].b);
		if (st->n_contests == 0)
			st->contests = &s->contest_refs[i];
		st->n_contests++;
	}
	return true;
}

static bool link_people(struct regsnap *s)
{
	const struct pair *ps = s->p_stations.items, *pa = s->p_areas.items;
	size_t o = 0;

	s->person_ids = calloc(s->p_stations.n + s->p_areas.n + 1, sizeof(int));
	if (s->person_ids == NULL)
		return false;
	for (size_t i = 0; i < s->p_stations.n; i++, o++) {
		struct regsnap_person *p = find_id(&s->people, sizeof(*p), ps[i].a);

		s->person_ids[o] = ps[i].b;
		if (p->n_stations++ == 0)
			p->stations = &s->person_ids[o];
	}
	for (size_t i = 0; i < s->p_areas.n; i++, o++) {
		struct regsnap_person *p = find_id(&s->people, sizeof(*p), pa[i].a);

		s->person_ids[o] = pa[i].b;
		if (p->n_areas++ == 0)
			p->areas = &s->person_ids[o];
	}
	return true;
}

bool regsnap_add_checklist(struct regsnap *s, const char *code, int version, const char *definition)
{
	struct cl_version v = { .version = version };
	size_t n = strlen(definition), hl = strlen(checklist_canonical_header);
	size_t need = (s->cl_len == 0 ? hl : s->cl_len) + n + 2;
	char *p = realloc(s->cl_text, need);

	if (p == NULL)
		return false;
	if (s->cl_len == 0) {
		memcpy(p, checklist_canonical_header, hl);
		s->cl_len = hl;
	}
	memcpy(p + s->cl_len, definition, n);
	s->cl_len += n;
	if (n > 0 && definition[n - 1] != '\n')
		p[s->cl_len++] = '\n';
	p[s->cl_len] = '\0';
	s->cl_text = p;
	snprintf(v.code, sizeof(v.code), "%s", code);
	return vec_push(&s->cl_versions, sizeof(v), &v);
}

bool regsnap_add_checklist_answered(struct regsnap *s, int station_id, const char *form,
				    const char *codes)
{
	struct cl_stored c = { .station_id = station_id };

	snprintf(c.form, sizeof(c.form), "%s", form);
	if ((c.codes = strdup(codes)) == NULL)
		return false;
	if (!vec_push(&s->cl_stored, sizeof(c), &c)) {
		free(c.codes);
		return false;
	}
	return true;
}

/* The index of form in the snapshot's set, or -1. */
static long form_index(const struct regsnap *s, const struct checklist_form *f)
{
	for (size_t i = 0; s->lists != NULL && i < checklist_set_n_forms(s->lists); i++)
		if (checklist_set_form(s->lists, i) == f)
			return (long)i;
	return -1;
}

uint64_t *regsnap_checklist_answered(struct regsnap *s, const struct regsnap_station *st,
				     const struct checklist_form *f)
{
	const struct regsnap_station *base = s->stations.items;
	long fi = form_index(s, f);

	if (s->cl_answered == NULL || st == NULL || fi < 0 || st < base ||
	    (size_t)(st - base) >= s->stations.n)
		return NULL;
	return &s->cl_answered[(size_t)(st - base) * checklist_set_n_forms(s->lists) + (size_t)fi];
}

/* Fill the answered memo from the answers already stored. */
static bool finish_answered(struct regsnap *s)
{
	size_t nf = s->lists != NULL ? checklist_set_n_forms(s->lists) : 0;

	if (nf == 0 || s->stations.n == 0)
		return true;
	if ((s->cl_answered = calloc(s->stations.n * nf, sizeof(uint64_t))) == NULL)
		return false;
	for (size_t i = 0; i < s->cl_stored.n; i++) {
		const struct cl_stored *c = VEC_AT(s->cl_stored, struct cl_stored, i);
		const struct checklist_form *f = checklist_set_find(s->lists, c->form);
		uint64_t *ans = f ? regsnap_checklist_answered(
					    s, regsnap_station_by_id(s, c->station_id), f)
				  : NULL;
		char code[3];
		int n = 0;

		if (ans == NULL) {
			s->dropped++;
			continue;
		}
		for (const char *p = c->codes;; p++) {
			if (*p == ' ' || *p == '\0') {
				int q;

				code[n] = '\0';
				if (n > 0 && (q = checklist_question_index(f, code)) >= 0)
					*ans |= UINT64_C(1) << q;
				n = 0;
				if (*p == '\0')
					break;
			} else if (n < 2) {
				code[n++] = *p;
			}
		}
	}
	return true;
}

const struct checklist_set *regsnap_checklists(const struct regsnap *s)
{
	return s->lists != NULL && checklist_set_n_forms(s->lists) > 0 ? s->lists : NULL;
}

/* Read the checklist definitions added; false only when out of memory. */
static bool finish_checklists(struct regsnap *s)
{
	if (s->cl_len == 0)
		return true;
	if ((s->lists = checklist_set_new()) == NULL ||
	    !checklist_set_parse(s->lists, s->cl_text, s->cl_len))
		return false;
	if (checklist_set_n_errors(s->lists) > 0)
		s->dropped += s->cl_versions.n; /* not one of ours: none is used */
	/* by code, whatever order the database gave them in: the USSD menu
	 * numbers them, and a session's inputs are replayed */
	checklist_set_sort(s->lists);
	for (size_t i = 0; i < checklist_set_n_forms(s->lists); i++)
		for (size_t k = 0; k < s->cl_versions.n; k++) {
			const struct cl_version *v = VEC_AT(s->cl_versions, struct cl_version, k);

			if (strcmp(v->code, checklist_set_form(s->lists, i)->code) == 0)
				checklist_set_version(s->lists, i, v->version);
		}
	return true;
}

bool regsnap_finish(struct regsnap *s)
{
	sort_unique(s, &s->areas, sizeof(struct regsnap_area));
	sort_unique(s, &s->contests, sizeof(struct regsnap_contest));
	sort_unique(s, &s->stations, sizeof(struct regsnap_station));
	sort_unique(s, &s->incidents, sizeof(struct regsnap_incident));
	sort_unique_people(s);
	clean_pairs(s, &s->st_contests, &s->stations, sizeof(struct regsnap_station), &s->contests,
		    sizeof(struct regsnap_contest));
	clean_pairs(s, &s->p_stations, &s->people, sizeof(struct regsnap_person), &s->stations,
		    sizeof(struct regsnap_station));
	clean_pairs(s, &s->p_areas, &s->people, sizeof(struct regsnap_person), &s->areas,
		    sizeof(struct regsnap_area));
	if (!index_stations(s) || !index_people(s) || !link_contests(s) || !link_people(s) ||
	    !finish_checklists(s) || !finish_answered(s))
		return false;
	s->finished = true;
	return true;
}

size_t regsnap_dropped(const struct regsnap *s)
{
	return s->dropped;
}

size_t regsnap_n_stations(const struct regsnap *s)
{
	return s->stations.n;
}

size_t regsnap_n_people(const struct regsnap *s)
{
	return s->people.n;
}

size_t regsnap_n_areas(const struct regsnap *s)
{
	return s->areas.n;
}

const struct regsnap_person *regsnap_person_at(const struct regsnap *s, size_t i)
{
	return i < s->people.n ? VEC_AT(s->people, struct regsnap_person, i) : NULL;
}

const struct regsnap_area *regsnap_area_at(const struct regsnap *s, size_t i)
{
	return i < s->areas.n ? VEC_AT(s->areas, struct regsnap_area, i) : NULL;
}

/* ---- lookups ---- */

const struct regsnap_station *regsnap_station(const struct regsnap *s, const char *code)
{
	return s->by_code ? strmap_get(s->by_code, code) : NULL;
}

const struct regsnap_station *regsnap_station_by_id(const struct regsnap *s, int id)
{
	return find_id(&s->stations, sizeof(struct regsnap_station), id);
}

struct regsnap_person *regsnap_person(struct regsnap *s, const char *e164)
{
	return s->by_phone ? strmap_get(s->by_phone, e164) : NULL;
}

const struct regsnap_area *regsnap_area(const struct regsnap *s, int id)
{
	return find_id(&s->areas, sizeof(struct regsnap_area), id);
}

size_t regsnap_n_incidents(const struct regsnap *s)
{
	return s->incidents.n;
}

const struct regsnap_incident *regsnap_incident_at(const struct regsnap *s, size_t i)
{
	return VEC_AT(s->incidents, struct regsnap_incident, i);
}

const struct regsnap_incident *regsnap_incident(const struct regsnap *s, int code)
{
	return find_id(&s->incidents, sizeof(struct regsnap_incident), code);
}

const struct regsnap_contest *regsnap_station_contest(const struct regsnap_station *st,
						      const char *code)
{
	for (size_t i = 0; i < st->n_contests; i++)
		if (strcasecmp(st->contests[i]->code, code) == 0)
			return st->contests[i];
	return NULL;
}

static bool has_id(const int *ids, size_t n, int id)
{
	return n > 0 && bsearch(&id, ids, n, sizeof(int), cmp_first_int) != NULL;
}

bool regsnap_assigned(const struct regsnap *s, const struct regsnap_person *p,
		      const struct regsnap_station *st)
{
	int area = st->area_id;

	if (has_id(p->stations, p->n_stations, st->id))
		return true;
	/* walk up the tree; the bound guards against a cycle */
	for (int depth = 0; area != 0 && depth < 64; depth++) {
		const struct regsnap_area *a;

		if (has_id(p->areas, p->n_areas, area))
			return true;
		a = regsnap_area(s, area);
		if (a == NULL)
			break;
		area = a->parent_id;
	}
	return false;
}

/* SHA-256 of the hash string, a NUL, and the PIN. */
static bool pin_digest(const char *hash, const char *pin, unsigned char out[32])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int len = 0;
	bool ok;

	ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) &&
	     EVP_DigestUpdate(ctx, hash, strlen(hash) + 1) &&
	     EVP_DigestUpdate(ctx, pin, strlen(pin)) && EVP_DigestFinal_ex(ctx, out, &len) &&
	     len == 32;
	EVP_MD_CTX_free(ctx);
	return ok;
}

bool regsnap_pin_check(struct regsnap_person *p, const char *pin)
{
	unsigned char d[32];
	bool have_digest;

	if (p->pin_hash == NULL)
		return false;
	have_digest = pin_digest(p->pin_hash, pin, d);
	if (have_digest && p->pin_memo_set && CRYPTO_memcmp(d, p->pin_memo, 32) == 0)
		return true;
	if (!pin_verify(pin, p->pin_hash))
		return false;
	if (have_digest) {
		memcpy(p->pin_memo, d, 32);
		p->pin_memo_set = true;
	}
	return true;
}
