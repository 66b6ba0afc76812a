/*
 * web_auth.c - cookies, tokens and code texts of the page's sign-in; see
 * web_auth.h.
 */
#include "web_auth.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool web_cookie_get(const char *header, const char *name, char *out, size_t cap)
{
	size_t nlen = strlen(name);
	const char *p = header;

	if (p == NULL || cap == 0)
		return false;
	while (*p != '\0') {
		const char *end;
		size_t vlen;

		while (*p == ' ' || *p == '\t' || *p == ';')
			p++;
		end = strchr(p, ';');
		if (end == NULL)
			end = p + strlen(p);
		if ((size_t)(end - p) > nlen && strncmp(p, name, nlen) == 0 && p[nlen] == '=') {
			const char *v = p + nlen + 1;

			vlen = (size_t)(end - v);
			while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
				vlen--;
			if (vlen == 0 || vlen >= cap)
				return false;
			memcpy(out, v, vlen);
			out[vlen] = '\0';
			return true;
		}
		p = end;
	}
	return false;
}

bool web_token_valid(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	}
	return i == WEB_TOKEN_BUF - 1;
}

bool web_code_valid(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
	}
	return i == WEB_CODE_DIGITS;
}

void web_token_format(const unsigned char random[32], char *out)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < 32; i++) {
		out[2 * i] = hex[random[i] >> 4];
		out[2 * i + 1] = hex[random[i] & 15];
	}
	out[64] = '\0';
}

void web_code_format(unsigned r, char *out)
{
	snprintf(out, WEB_CODE_BUF, "%06u", r % 1000000u);
}

/* The code SMS, by language: the code, then its validity in minutes.
 * One call each so that the compiler checks every format. */
void web_code_text(enum web_lang lang, const char *code, unsigned minutes, char *out)
{
	switch (lang) {
	case WEB_LANG_EN:
		snprintf(out, WEB_CODE_TEXT_MAX,
			 "sawt page sign-in code: %s (valid %u min, once). Do not share it.", code,
			 minutes);
		break;
	case WEB_LANG_FR:
		snprintf(out, WEB_CODE_TEXT_MAX,
			 "Code de connexion à la page sawt : %s (valable %u min, une fois). Ne le "
			 "partagez pas.",
			 code, minutes);
		break;
	case WEB_LANG_AR:
	case WEB_LANGS:
	default:
		snprintf(out, WEB_CODE_TEXT_MAX,
			 "رمز الدخول إلى صفحة sawt: %s (صالح %u دقائق، مرة واحدة). لا تعطه لأحد.",
			 code, minutes);
		break;
	}
}

/* ---- same origin ------------------------------------------------------ */

/* The host[:port] of url "scheme://host[:port][/...]" into out; false
 * when it has no such shape or does not fit. */
static bool authority(const char *url, char *out, size_t cap)
{
	const char *p = strstr(url, "://"), *end;
	size_t n;

	if (p == NULL || p == url)
		return false;
	for (const char *s = url; s < p; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
			return false;
	p += 3;
	end = p + strcspn(p, "/?#");
	n = (size_t)(end - p);
	if (n == 0 || n >= cap || memchr(p, '@', n) != NULL)
		return false;
	memcpy(out, p, n);
	out[n] = '\0';
	return true;
}

bool web_origin_ok(const char *origin, const char *referer, const char *host)
{
	char a[256];
	const char *from = origin != NULL ? origin : referer;

	if (from == NULL)
		return true;
	if (host == NULL || host[0] == '\0' || !authority(from, a, sizeof(a)))
		return false;
	return strcasecmp(a, host) == 0;
}

/* ---- sign-in requests per address ------------------------------------ */

#define LIMIT_ADDR_MAX 64
#define LIMIT_PROBE 8

struct limit_slot {
	char addr[LIMIT_ADDR_MAX]; /* "" free */
	int64_t start;             /* its window's start */
	int64_t seen;              /* its last request */
	unsigned count;
};

struct web_limit {
	unsigned max, window_s;
	size_t n;
	struct limit_slot slot[];
};

struct web_limit *web_limit_new(unsigned max, unsigned window_s, size_t slots)
{
	struct web_limit *l;

	if (slots < LIMIT_PROBE)
		slots = LIMIT_PROBE;
	l = calloc(1, sizeof(*l) + slots * sizeof(l->slot[0]));
	if (l == NULL)
		return NULL;
	l->max = max;
	l->window_s = window_s;
	l->n = slots;
	return l;
}

void web_limit_free(struct web_limit *l)
{
	free(l);
}

/* FNV-1a of s. */
static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

/* The slot of addr: its own, else a free one, else the least recently
 * seen among those it may use (which is then forgotten). */
static struct limit_slot *slot_of(struct web_limit *l, const char *addr)
{
	size_t h = (size_t)(hash(addr) % l->n);
	struct limit_slot *pick = NULL;

	for (size_t i = 0; i < LIMIT_PROBE; i++) {
		struct limit_slot *s = &l->slot[(h + i) % l->n];

		if (strcmp(s->addr, addr) == 0)
			return s;
		if (pick == NULL ||
		    (pick->addr[0] != '\0' && (s->addr[0] == '\0' || s->seen < pick->seen)))
			pick = s;
	}
	memset(pick, 0, sizeof(*pick));
	snprintf(pick->addr, sizeof(pick->addr), "%s", addr);
	return pick;
}

bool web_limit_take(struct web_limit *l, const char *addr, int64_t now, unsigned *retry_s)
{
	char key[LIMIT_ADDR_MAX];
	struct limit_slot *s;

	snprintf(key, sizeof(key), "%s", addr != NULL && addr[0] != '\0' ? addr : "?");
	s = slot_of(l, key);
	if (s->count == 0 || now >= s->start + (int64_t)l->window_s || now < s->start) {
		s->start = now;
		s->count = 0;
	}
	s->seen = now;
	if (s->count >= l->max) {
		*retry_s = (unsigned)(s->start + (int64_t)l->window_s - now);
		return false;
	}
	s->count++;
	return true;
}

void web_limit_key(const char *addr, char *out, size_t cap)
{
	struct in6_addr a6;
	struct in_addr a4;
	char text[INET6_ADDRSTRLEN];

	if (cap == 0)
		return;
	if (addr == NULL || addr[0] == '\0') {
		snprintf(out, cap, "?");
		return;
	}
	if (inet_pton(AF_INET6, addr, &a6) == 1) {
		if (IN6_IS_ADDR_V4MAPPED(&a6)) {
			memcpy(&a4, &a6.s6_addr[12], sizeof(a4));
			if (inet_ntop(AF_INET, &a4, text, sizeof(text)) != NULL) {
				snprintf(out, cap, "%s", text);
				return;
			}
		} else {
			memset(&a6.s6_addr[8], 0, 8);
			if (inet_ntop(AF_INET6, &a6, text, sizeof(text)) != NULL) {
				snprintf(out, cap, "%s/64", text);
				return;
			}
		}
	}
	snprintf(out, cap, "%s", addr);
}
