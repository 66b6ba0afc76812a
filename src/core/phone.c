/*
 * phone.c - E.164 normalisation and keyed pseudonyms; see phone.h.
 */
#include "phone.h"

#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "utf8.h"
#include "util.h"

/* Digits are collected up to here; more only count as "too long". */
#define PHONE_SCAN_MAX 40

/*
 * National significant numbers (after the country code) of the countries
 * sawt is used in and their neighbours, from the ITU-T E.164 national
 * numbering plans: the shortest and longest a real number has, landlines
 * and mobiles together.  "0944 11" (963) has 5 digits where Syria has at
 * least 8: a typo, not a number.  Other countries: E.164 alone.
 */
static const struct plan {
	const char *cc;
	unsigned char min, max;
} plans[] = {
	{ "1", 10, 10 }, { "20", 8, 10 }, { "212", 9, 9 }, { "213", 8, 9 },  { "216", 8, 8 },
	{ "218", 8, 9 }, { "222", 8, 8 }, { "249", 9, 9 }, { "33", 9, 9 },   { "44", 9, 10 },
	{ "961", 7, 8 }, { "962", 8, 9 }, { "963", 8, 9 }, { "964", 8, 10 }, { "965", 7, 8 },
	{ "966", 8, 9 }, { "967", 7, 9 }, { "968", 7, 8 }, { "970", 8, 9 },  { "971", 8, 9 },
	{ "972", 8, 9 }, { "973", 8, 8 }, { "974", 7, 8 },
};

/* The plan of the E.164 digits d (n of them), NULL when none is known. */
static const struct plan *plan_of(const char *d, size_t n)
{
	for (size_t i = 0; i < sizeof(plans) / sizeof(plans[0]); i++) {
		size_t k = strlen(plans[i].cc);

		if (n > k && memcmp(d, plans[i].cc, k) == 0)
			return &plans[i];
	}
	return NULL;
}

/* Country codes whose national numbers keep their leading 0. */
static const char *const keep_zero_cc[] = { "39", "225", "378", "379" };

struct phone_scan {
	char digits[PHONE_SCAN_MAX];
	size_t n; /* digits seen (may exceed PHONE_SCAN_MAX) */
	bool plus;
};

int phone_digit(const char *s, size_t len, size_t *adv)
{
	size_t pos = 0;
	uint32_t cp;
	int d;

	if (!utf8_decode(s, len, &pos, &cp) || (d = utf8_digit_value(cp)) < 0)
		return -1;
	*adv = pos;
	return d;
}

/* Bytes of an ignorable separator at s, or 0. */
static size_t separator_len(const unsigned char *u, size_t len)
{
	if (strchr(" \t-./()", u[0]) != NULL && u[0] != '\0')
		return 1;
	if (len >= 2 && u[0] == 0xC2 && u[1] == 0xA0)
		return 2; /* U+00A0 no-break space */
	if (len >= 2 && u[0] == 0xD8 && u[1] == 0x9C)
		return 2; /* U+061C Arabic letter mark */
	if (len >= 3 && u[0] == 0xE2 && u[1] == 0x80 &&
	    ((u[2] >= 0x89 && u[2] <= 0x95) || /* thin space, ZW*, marks, dashes */
	     (u[2] >= 0xAA && u[2] <= 0xAF)))  /* embeddings, narrow NBSP */
		return 3;
	if (len >= 3 && u[0] == 0xE2 && u[1] == 0x81 && u[2] >= 0xA6 && u[2] <= 0xA9)
		return 3; /* U+2066-2069 isolates */
	return 0;
}

/* Bytes of a plus sign (ASCII or full-width) at s, or 0. */
static size_t plus_len(const unsigned char *u, size_t len)
{
	if (u[0] == '+')
		return 1;
	if (len >= 3 && u[0] == 0xEF && u[1] == 0xBC && u[2] == 0x8B)
		return 3;
	return 0;
}

static bool is_ascii_letter(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Collect the digits and the leading plus of in; false with *reason. */
static bool scan(const char *in, size_t len, struct phone_scan *sc, const char **reason)
{
	const unsigned char *u = (const unsigned char *)in;
	size_t i = 0, adv = 0;
	int d;

	while (i < len) {
		d = phone_digit(in + i, len - i, &adv);
		if (d >= 0) {
			if (sc->n < PHONE_SCAN_MAX)
				sc->digits[sc->n] = (char)('0' + d);
			sc->n++;
		} else if ((adv = separator_len(u + i, len - i)) > 0) {
			/* ignored */
		} else if ((adv = plus_len(u + i, len - i)) > 0) {
			if (sc->n > 0 || sc->plus) {
				*reason = "\"+\" not at the start";
				return false;
			}
			sc->plus = true;
		} else {
			*reason = is_ascii_letter(u[i]) ? "contains letters" : "invalid character";
			return false;
		}
		i += adv;
	}
	if (sc->n == 0) {
		*reason = "empty";
		return false;
	}
	return true;
}

static bool valid_cc(const char *cc)
{
	size_t n = strlen(cc);

	if (n < 1 || n > 3 || cc[0] < '1' || cc[0] > '9')
		return false;
	for (size_t i = 1; i < n; i++)
		if (cc[i] < '0' || cc[i] > '9')
			return false;
	return true;
}

static bool keeps_zero(const char *cc)
{
	for (size_t i = 0; i < sizeof(keep_zero_cc) / sizeof(keep_zero_cc[0]); i++)
		if (strcmp(cc, keep_zero_cc[i]) == 0)
			return true;
	return false;
}

/*
 * Write "+", cc and the national digits nat (n of them) to out, dropping
 * trunk zeros where the country does not keep them.
 */
static bool build(const char *cc, const char *nat, size_t n, char *out, const char **reason)
{
	size_t cclen = strlen(cc);
	const struct plan *plan;

	while (n > 0 && nat[0] == '0' && cclen > 0 && !keeps_zero(cc)) {
		nat++;
		n--;
	}
	if (cclen + n < PHONE_MIN_DIGITS) {
		*reason = "too short";
		return false;
	}
	if (cclen + n > PHONE_MAX_DIGITS) {
		*reason = "too long (E.164 allows 15 digits)";
		return false;
	}
	out[0] = '+';
	memcpy(out + 1, cc, cclen);
	memcpy(out + 1 + cclen, nat, n);
	out[1 + cclen + n] = '\0';
	plan = plan_of(out + 1, cclen + n);
	if (plan != NULL && cclen + n < strlen(plan->cc) + plan->min)
		*reason = "too short for its country's numbering plan";
	else if (plan != NULL && cclen + n > strlen(plan->cc) + plan->max)
		*reason = "too long for its country's numbering plan";
	else
		return true;
	out[0] = '\0';
	return false;
}

/* An international number (digits after "+" or "00"). */
static bool international(const char *cc, const char *d, size_t n, char *out, const char **reason)
{
	size_t cclen = cc != NULL ? strlen(cc) : 0;

	if (n == 0 || d[0] == '0') {
		*reason = n == 0 ? "too short" : "invalid country code";
		return false;
	}
	if (cclen > 0 && n > cclen && memcmp(d, cc, cclen) == 0)
		return build(cc, d + cclen, n - cclen, out, reason);
	return build("", d, n, out, reason);
}

bool phone_normalize(const char *in, size_t len, const char *cc, char *out, const char **reason)
{
	struct phone_scan sc = { .n = 0 };
	size_t cclen;

	out[0] = '\0';
	if (cc != NULL && cc[0] == '\0')
		cc = NULL;
	if (cc != NULL && !valid_cc(cc)) {
		*reason = "bad country code in the configuration";
		return false;
	}
	if (!scan(in, len, &sc, reason))
		return false;
	if (sc.n > PHONE_SCAN_MAX) {
		*reason = "too long (E.164 allows 15 digits)";
		return false;
	}
	if (sc.plus)
		return international(cc, sc.digits, sc.n, out, reason);
	if (sc.n >= 2 && sc.digits[0] == '0' && sc.digits[1] == '0')
		return international(cc, sc.digits + 2, sc.n - 2, out, reason);
	if (cc == NULL) {
		*reason = "local number but no country code is configured";
		return false;
	}
	cclen = strlen(cc);
	if (sc.digits[0] != '0' && sc.n >= cclen + 7 && memcmp(sc.digits, cc, cclen) == 0)
		return build(cc, sc.digits + cclen, sc.n - cclen, out, reason);
	return build(cc, sc.digits, sc.n, out, reason);
}

bool phone_pseudonym(const char *secret, const char *e164, char *out_hex)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	out_hex[0] = '\0';
	if (secret == NULL || secret[0] == '\0' || e164 == NULL)
		return false;
	if (HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)e164,
		 strlen(e164), md, &mdlen) == NULL ||
	    mdlen != 32)
		return false;
	util_hex(out_hex, md, mdlen);
	return true;
}
