/*
 * web_auth.h - the pure parts of signing in to the election-day page
 * (docs/web.md): reading the session cookie, checking a token's shape,
 * the texts of the one-time code SMS in ar/en/fr, the same-origin check of
 * state-changing requests and the per-address limit on sign-in requests.
 * No I/O; nothing allocated but the limit's table, once.
 */
#ifndef SAWT_WEB_AUTH_H
#define SAWT_WEB_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* The session cookie's name. */
#define WEB_COOKIE "sawt_session"
/* A session token: 32 random bytes as 64 lowercase hex digits, NUL. */
#define WEB_TOKEN_BUF 65
/* A one-time code: 6 decimal digits, NUL. */
#define WEB_CODE_DIGITS 6
#define WEB_CODE_BUF (WEB_CODE_DIGITS + 1)
/* Room for one rendered code SMS, NUL included. */
#define WEB_CODE_TEXT_MAX 320

enum web_lang {
	WEB_LANG_AR,
	WEB_LANG_EN,
	WEB_LANG_FR,
	WEB_LANGS
};

/*
 * Find the cookie name in a Cookie header's value (NULL: none) and copy
 * its value into out (cap bytes, NUL-terminated).  False when the cookie
 * is absent, empty or does not fit.  "a=1; sawt_session=ab" gives "ab".
 */
bool web_cookie_get(const char *header, const char *name, char *out, size_t cap) SAWT_MUST_CHECK;

/* True when s is a session token's shape: exactly 64 lowercase hex digits. */
bool web_token_valid(const char *s);

/* True when s is exactly WEB_CODE_DIGITS ASCII digits. */
bool web_code_valid(const char *s);

/*
 * Turn 32 random bytes into a token (WEB_TOKEN_BUF bytes at out).
 */
void web_token_format(const unsigned char random[32], char *out);

/*
 * Turn a random 32-bit value into a code (WEB_CODE_BUF bytes at out).
 * The caller draws again when r >= WEB_CODE_LIMIT (no modulo bias).
 */
#define WEB_CODE_LIMIT 4294000000u
void web_code_format(unsigned r, char *out);

/*
 * The SMS carrying code in lang, with its validity in minutes, into out
 * (WEB_CODE_TEXT_MAX bytes).  The texts are sawt's catalogue for it.
 */
void web_code_text(enum web_lang lang, const char *code, unsigned minutes, char *out);

/*
 * Whether a state-changing request comes from the page itself: its
 * Origin header (else its Referer's scheme://host[:port]) names the host
 * and port of its Host header (case-insensitive; the scheme is not
 * compared, a proxy may end TLS).  "null", a malformed value or a missing
 * Host with either header is refused.  A request with neither header is
 * accepted: browsers send Origin with every POST made by a page, and the
 * session cookie is SameSite=Strict, so that is a program such as curl.
 * Each argument may be NULL (header absent).
 */
bool web_origin_ok(const char *origin, const char *referer, const char *host);

/*
 * Sign-in requests per client address: at most max in any window of
 * window_s seconds (a fixed window per address, started by its first
 * request), over a table of slots addresses; when the table is full the
 * address seen longest ago is forgotten.  Allocated once, by
 * web_limit_new(); web_limit_free(NULL) is a no-op.
 */
struct web_limit;
struct web_limit *web_limit_new(unsigned max, unsigned window_s, size_t slots) SAWT_MUST_CHECK;
void web_limit_free(struct web_limit *l);

/*
 * Count one request of addr (at most 63 bytes are kept) at now (Unix s).
 * True when it is allowed; otherwise false and *retry_s the seconds until
 * the address may ask again.
 */
bool web_limit_take(struct web_limit *l, const char *addr, int64_t now, unsigned *retry_s);

/*
 * The key a client address counts under in a web_limit, into out (cap
 * bytes, at least WEB_LIMIT_KEY_BUF): an IPv4 address as it is; an IPv6
 * address by its /64 prefix ("2001:db8:1:2::/64"), since one subscriber
 * or host holds a whole /64 and could otherwise take a fresh allowance
 * with every address of it; an IPv4-mapped IPv6 address as its IPv4
 * address; NULL or "" as "?"; anything else as it is, cut to fit.
 */
#define WEB_LIMIT_KEY_BUF 64
void web_limit_key(const char *addr, char *out, size_t cap);

#endif
