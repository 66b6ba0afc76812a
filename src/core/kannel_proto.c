/*
 * kannel_proto.c - Kannel's HTTP interface in sawt's terms; see
 * kannel_proto.h.
 */
#include "kannel_proto.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "gsm7.h"
#include "http_form.h"
#include "strbuf.h"
#include "utf8.h"
#include "util.h"

#define RECIPIENT_MIN 3
#define RECIPIENT_MAX 20
#define SECRET_MAX 128
#define DLR_URL_MAX 512
#define UCS2_CHUNK 256 /* UTF-16 bytes converted at a time */

static const char *const query_status_names[] = {
	[KANNEL_QUERY_OK] = "ok",
	[KANNEL_QUERY_BAD_TEXT] = "text is not valid UTF-8",
	[KANNEL_QUERY_BAD_RECIPIENT] = "recipient is not a phone number",
	[KANNEL_QUERY_BAD_DLR_URL] = "dlr_url is not usable",
	[KANNEL_QUERY_NO_SPACE] = "query too long",
};

const char *kannel_query_status_name(enum kannel_query_status st)
{
	if ((unsigned)st >= sizeof(query_status_names) / sizeof(query_status_names[0]))
		return "unknown";
	return query_status_names[st];
}

/* ------------------------------------------------------------ escaping */

static bool unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

/* Append the n bytes at s percent-escaped (RFC 3986 unreserved stay). */
static void put_escaped(struct strbuf *sb, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char e[3];

		if (unreserved(c)) {
			strbuf_append(sb, (const char *)&s[i], 1);
			continue;
		}
		e[0] = '%';
		e[1] = hex[c >> 4];
		e[2] = hex[c & 15];
		strbuf_append(sb, e, 3);
	}
}

/* Append "&name=" (no '&' for the first field) and the escaped value. */
static void put_field(struct strbuf *sb, const char *name, const char *value, size_t n)
{
	if (sb->len > 0)
		strbuf_puts(sb, "&");
	strbuf_puts(sb, name);
	strbuf_puts(sb, "=");
	put_escaped(sb, value, n);
}

static void put_field_str(struct strbuf *sb, const char *name, const char *value)
{
	put_field(sb, name, value, strlen(value));
}

/* Append text (valid UTF-8) as escaped UTF-16BE, a chunk at a time. */
static bool put_ucs2(struct strbuf *sb, const char *text, size_t len)
{
	uint8_t chunk[UCS2_CHUNK];
	size_t pos = 0;

	while (pos < len) {
		size_t start = pos, n = 0;
		uint32_t cp;

		/* take whole characters while their UTF-16 fits the chunk */
		while (pos < len && n + 4 <= sizeof(chunk)) {
			size_t p = pos;

			if (!utf8_decode(text, len, &p, &cp))
				return false;
			n += cp > 0xFFFF ? 4 : 2;
			pos = p;
		}
		if (utf8_to_ucs2(text + start, pos - start, chunk, sizeof(chunk), &n) !=
		    UTF8_CONV_OK)
			return false;
		put_escaped(sb, (const char *)chunk, n);
	}
	return true;
}

/* ------------------------------------------------------------ checks */

static bool valid_recipient(const char *to)
{
	const char *d = to[0] == '+' ? to + 1 : to;
	size_t n = strlen(d);

	if (n < RECIPIENT_MIN || n > RECIPIENT_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (d[i] < '0' || d[i] > '9')
			return false;
	return true;
}

bool kannel_dlr_url_check(const char *url)
{
	const char *rest;
	size_t n = strlen(url), host;

	if (n > DLR_URL_MAX)
		return false;
	if (strncasecmp(url, "http://", 7) == 0)
		rest = url + 7;
	else if (strncasecmp(url, "https://", 8) == 0)
		rest = url + 8;
	else
		return false;
	host = strcspn(rest, "/");
	if (host == 0 || memchr(rest, '@', host) != NULL || rest[0] == ':')
		return false;
	for (const char *p = rest; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= ' ' || c >= 0x7F || c == '?' || c == '#' || c == '%')
			return false;
	}
	return true;
}

bool kannel_secret_check(const char *secret)
{
	size_t n = strlen(secret);

	if (n == 0 || n > SECRET_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!unreserved((unsigned char)secret[i]))
			return false;
	return true;
}

/*
 * Write the dlr-url for row id: base with "sawt:SECRET@" after the
 * scheme and the query of the report.  The escapes %d and %A are
 * Kannel's, filled in when it fetches the URL.
 */
static bool dlr_url(const struct kannel_sendsms *m, uint64_t id, struct strbuf *out)
{
	const char *base = m->dlr_url;
	size_t scheme = strncasecmp(base, "https://", 8) == 0 ? 8 : 7;

	if (!kannel_dlr_url_check(base) || m->secret == NULL || !kannel_secret_check(m->secret))
		return false;
	strbuf_append(out, base, scheme);
	strbuf_printf(out, "%s:%s@%s?id=%" PRIu64 "&status=%%d&reply=%%A", KANNEL_DLR_USER,
		      m->secret, base + scheme, id);
	return true;
}

enum kannel_query_status kannel_sendsms_query(const struct kannel_sendsms *m, uint64_t id,
					      const char *to, const char *text, size_t text_len,
					      char *out, size_t cap, size_t *outlen)
{
	struct strbuf sb;
	struct gsm7_size size;
	enum kannel_query_status st = KANNEL_QUERY_OK;

	*outlen = 0;
	strbuf_init(&sb, out, cap);
	if (!valid_recipient(to))
		return KANNEL_QUERY_BAD_RECIPIENT;
	if (!gsm7_measure(text, text_len, &size))
		return KANNEL_QUERY_BAD_TEXT;
	put_field_str(&sb, "username", m->username ? m->username : "");
	put_field_str(&sb, "password", m->password ? m->password : "");
	put_field_str(&sb, "to", to);
	if (m->sender && m->sender[0])
		put_field_str(&sb, "from", m->sender);
	if (m->smsc && m->smsc[0])
		put_field_str(&sb, "smsc", m->smsc);
	if (size.coding == GSM7_CODING_GSM7) {
		put_field_str(&sb, "coding", "0");
		put_field_str(&sb, "charset", "UTF-8");
		put_field(&sb, "text", text, text_len);
	} else {
		put_field_str(&sb, "coding", "2");
		put_field_str(&sb, "charset", "UTF-16BE");
		put_field(&sb, "text", "", 0);
		if (!put_ucs2(&sb, text, text_len))
			return KANNEL_QUERY_BAD_TEXT;
	}
	if (m->dlr_url && m->dlr_url[0]) {
		char url[DLR_URL_MAX + SECRET_MAX + 96];
		struct strbuf u;
		char mask[8];

		strbuf_init(&u, url, sizeof(url));
		if (!dlr_url(m, id, &u) || u.overflow)
			return KANNEL_QUERY_BAD_DLR_URL;
		snprintf(mask, sizeof(mask), "%d",
			 m->dlr_mask > 0 && m->dlr_mask <= KANNEL_DLR_MASK_ALL
				 ? m->dlr_mask
				 : KANNEL_DLR_MASK_DEFAULT);
		put_field_str(&sb, "dlr-mask", mask);
		put_field(&sb, "dlr-url", url, u.len);
	}
	if (sb.overflow)
		st = KANNEL_QUERY_NO_SPACE;
	else
		*outlen = sb.len;
	return st;
}

/* ------------------------------------------------------------ answers */

static bool starts_with(const char *body, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return body != NULL && len >= n && strncasecmp(body, prefix, n) == 0;
}

enum kannel_answer kannel_answer_classify(int status, const char *body, size_t len)
{
	if (status >= 200 && status < 300)
		return KANNEL_ANSWER_ACCEPTED;
	if (status == 0 || status >= 500)
		return KANNEL_ANSWER_UNAVAILABLE;
	switch (status) {
	case 404:
	case 405:
	case 407:
	case 408:
	case 429: return KANNEL_ANSWER_UNAVAILABLE;
	case 403:
		return starts_with(body, len, "Authorization failed") ? KANNEL_ANSWER_UNAVAILABLE
								      : KANNEL_ANSWER_REJECTED;
	default: return KANNEL_ANSWER_REJECTED;
	}
}

const char *kannel_answer_name(enum kannel_answer a)
{
	switch (a) {
	case KANNEL_ANSWER_ACCEPTED: return "accepted";
	case KANNEL_ANSWER_REJECTED: return "rejected";
	case KANNEL_ANSWER_UNAVAILABLE: return "unavailable";
	}
	return "unknown";
}

/*
 * Append the first line of s (len bytes) to sb: valid UTF-8 characters
 * from U+0020 on as they are, anything else as '?', stopping at the first
 * CR or LF and before a character that would not fit.
 */
static void put_printable_line(struct strbuf *sb, const char *s, size_t len)
{
	size_t pos = 0;

	while (pos < len && s[pos] != '\r' && s[pos] != '\n') {
		size_t p = pos;
		uint32_t cp;

		if (!utf8_decode(s, len, &p, &cp) || cp < 0x20 || cp == 0x7F ||
		    (cp >= 0x80 && cp < 0xA0)) {
			if (sb->len + 1 >= sb->cap)
				return;
			strbuf_puts(sb, "?");
			pos++;
			if (p > pos)
				pos = p;
			continue;
		}
		if (sb->len + (p - pos) >= sb->cap)
			return;
		strbuf_append(sb, s + pos, p - pos);
		pos = p;
	}
}

void kannel_answer_text(int status, const char *body, size_t len, const char *why, char *out,
			size_t cap)
{
	struct strbuf sb;

	if (cap == 0)
		return;
	strbuf_init(&sb, out, cap);
	if (status == 0) {
		strbuf_puts(&sb, "kannel: no answer");
		if (why && why[0]) {
			strbuf_puts(&sb, " (");
			put_printable_line(&sb, why, strlen(why));
			if (sb.len + 1 < sb.cap)
				strbuf_puts(&sb, ")");
		}
		return;
	}
	strbuf_printf(&sb, "kannel: %d", status);
	if (body && len > 0 && sb.len + 1 < sb.cap) {
		strbuf_puts(&sb, " ");
		put_printable_line(&sb, body, len);
	}
}

/* ------------------------------------------------------------ reports */

static const char *const dlr_error_texts[KANNEL_DLR_ERROR_COUNT] = {
	[KANNEL_DLR_OK] = "ok",
	[KANNEL_DLR_NO_ID] = "missing parameter \"id\"",
	[KANNEL_DLR_BAD_ID] = "parameter \"id\" is not an outbox id",
	[KANNEL_DLR_NO_STATUS] = "missing parameter \"status\"",
	[KANNEL_DLR_BAD_STATUS] =
		"parameter \"status\" is not a Kannel report type (1, 2, 4, 8, 16 or 32)",
	[KANNEL_DLR_BAD_ESCAPE] = "bad percent escape",
	[KANNEL_DLR_DUPLICATE] = "a parameter is given twice",
};

const char *kannel_dlr_error_text(enum kannel_dlr_error e)
{
	if ((unsigned)e >= KANNEL_DLR_ERROR_COUNT)
		return "unknown error";
	return dlr_error_texts[e];
}

/* A decimal number from 1 to INT64_MAX, digits only. */
static bool parse_id(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 19)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v == 0 || v > (uint64_t)INT64_MAX)
		return false;
	*out = v;
	return true;
}

static bool parse_status(const char *s, size_t n, int *out)
{
	int v = 0;

	if (n == 0 || n > 2)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	if (kannel_dlr_status_name(v) == NULL)
		return false;
	*out = v;
	return true;
}

/* Which field a key names; the bit marks it seen. */
enum dlr_field {
	DLR_FIELD_ID = 1,
	DLR_FIELD_STATUS = 2,
	DLR_FIELD_REPLY = 4,
};

static int dlr_field(const struct http_form_field *f)
{
	if (http_form_key_is(f, "id"))
		return DLR_FIELD_ID;
	if (http_form_key_is(f, "status"))
		return DLR_FIELD_STATUS;
	if (http_form_key_is(f, "reply"))
		return DLR_FIELD_REPLY;
	return 0;
}

/* True when every '%' of s (n bytes) starts an escape of two hex digits. */
static bool escapes_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '%' &&
		    (i + 2 >= n || util_hex_digit(s[i + 1]) < 0 || util_hex_digit(s[i + 2]) < 0))
			return false;
	return true;
}

/*
 * Unescape one value into buf (cap bytes).  A value longer than buf is
 * cut (only reply can be: id and status that long are refused anyway).
 */
static enum kannel_dlr_error unescape(const struct http_form_field *f, char *buf, size_t cap,
				      size_t *n)
{
	if (!escapes_ok(f->value, f->value_len))
		return KANNEL_DLR_BAD_ESCAPE;
	switch (http_form_unescape(f->value, f->value_len, buf, cap, n)) {
	case HTTP_FORM_OK: return KANNEL_DLR_OK;
	case HTTP_FORM_NO_SPACE: *n = cap; return KANNEL_DLR_OK;
	case HTTP_FORM_BAD_ESCAPE: break;
	}
	return KANNEL_DLR_BAD_ESCAPE;
}

enum kannel_dlr_error kannel_dlr_parse(const char *query, size_t len, struct kannel_dlr *out)
{
	struct http_form_field f;
	char buf[KANNEL_DLR_REPLY_MAX * 4];
	size_t pos = 0, n;
	int seen = 0, field;
	enum kannel_dlr_error err = KANNEL_DLR_OK;

	memset(out, 0, sizeof(*out));
	while (http_form_next(query, len, &pos, &f)) {
		struct strbuf sb;

		field = dlr_field(&f);
		if (field == 0)
			continue;
		if (seen & field) {
			err = KANNEL_DLR_DUPLICATE;
			goto fail;
		}
		seen |= field;
		err = unescape(&f, buf, sizeof(buf), &n);
		if (err != KANNEL_DLR_OK)
			goto fail;
		switch (field) {
		case DLR_FIELD_ID:
			if (n == 0) {
				err = KANNEL_DLR_NO_ID;
				goto fail;
			}
			if (!parse_id(buf, n, &out->id)) {
				err = KANNEL_DLR_BAD_ID;
				goto fail;
			}
			break;
		case DLR_FIELD_STATUS:
			if (n == 0) {
				err = KANNEL_DLR_NO_STATUS;
				goto fail;
			}
			if (!parse_status(buf, n, &out->status)) {
				err = KANNEL_DLR_BAD_STATUS;
				goto fail;
			}
			break;
		case DLR_FIELD_REPLY:
			strbuf_init(&sb, out->reply, sizeof(out->reply));
			put_printable_line(&sb, buf, n);
			break;
		}
	}
	if (!(seen & DLR_FIELD_ID))
		err = KANNEL_DLR_NO_ID;
	else if (!(seen & DLR_FIELD_STATUS))
		err = KANNEL_DLR_NO_STATUS;
	if (err == KANNEL_DLR_OK)
		return KANNEL_DLR_OK;
fail:
	memset(out, 0, sizeof(*out));
	return err;
}

const char *kannel_dlr_status_name(int status)
{
	switch (status) {
	case KANNEL_DLR_DELIVERED: return "delivered";
	case KANNEL_DLR_UNDELIVERED: return "failed";
	case KANNEL_DLR_BUFFERED:
	case KANNEL_DLR_INTERMEDIATE: return "smsc_queued";
	case KANNEL_DLR_SMSC_ACCEPTED: return "smsc_accepted";
	case KANNEL_DLR_SMSC_REJECTED: return "smsc_rejected";
	default: return NULL;
	}
}

bool kannel_dlr_final(int status)
{
	return status == KANNEL_DLR_DELIVERED || status == KANNEL_DLR_UNDELIVERED ||
	       status == KANNEL_DLR_SMSC_REJECTED;
}
