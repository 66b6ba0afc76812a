/*
 * sms_http.c - an SMS delivered over HTTP as a struct inbound; see
 * sms_http.h.
 *
 * Decoding runs in two steps.  First the fields are collected, as slices
 * of the request (still percent-escaped when they come from a form) or of
 * the parsed JSON, with a duplicate refused.  Then each field is checked
 * and converted into the record.  Nothing is allocated but jansson's tree
 * of a JSON body.
 */
#include "sms_http.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http_form.h"
#include "utf8.h"

#define SMALL_MAX 128                  /* a field other than text, decoded */
#define TIME_MAX INT64_C(253402300799) /* 9999-12-31T23:59:59Z */
#define SENDER_MAX (INBOUND_SENDER_MAX - 1)
#define SOURCE_DEFAULT "http"

enum field_id {
	F_FROM,
	F_TO,
	F_TEXT,
	F_TIME,
	F_SMSC,
	F_ID,
	F_CODING,
	F_CHARSET,
	F_COUNT,
};

static const char *const field_names[F_COUNT] = {
	[F_FROM] = "from", [F_TO] = "to", [F_TEXT] = "text",     [F_TIME] = "time",
	[F_SMSC] = "smsc", [F_ID] = "id", [F_CODING] = "coding", [F_CHARSET] = "charset",
};

enum body_kind {
	BODY_NONE,
	BODY_FORM,
	BODY_JSON,
	BODY_TEXT,
};

enum text_enc {
	ENC_UTF8,
	ENC_UTF16BE,
	ENC_LATIN1,
	ENC_CP1252,
};

/* The character sets a request may name, and what they decode as. */
static const struct {
	const char *name;
	enum text_enc enc;
} charsets[] = {
	{ "UTF-8", ENC_UTF8 },       { "UTF8", ENC_UTF8 },         { "UTF-16BE", ENC_UTF16BE },
	{ "UTF-16", ENC_UTF16BE },   { "UTF16BE", ENC_UTF16BE },   { "UCS-2", ENC_UTF16BE },
	{ "UCS2", ENC_UTF16BE },     { "UCS-2BE", ENC_UTF16BE },   { "ISO-8859-1", ENC_LATIN1 },
	{ "ISO8859-1", ENC_LATIN1 }, { "ISO_8859-1", ENC_LATIN1 }, { "LATIN1", ENC_LATIN1 },
	{ "US-ASCII", ENC_LATIN1 },  { "ASCII", ENC_LATIN1 },      { "WINDOWS-1252", ENC_CP1252 },
	{ "CP1252", ENC_CP1252 },
};

/* Windows-1252's 0x80..0x9F; 0 where it has no character (kept as C1). */
static const uint16_t cp1252_high[32] = {
	0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
	0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
	0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
};

static const struct {
	const char *code;
	const char *text; /* %s: the field */
} errors[SMS_HTTP_ERROR_COUNT] = {
	[SMS_HTTP_OK] = { "ok", "ok" },
	[SMS_HTTP_NO_SENDER] = { "no_sender", "missing field \"%s\"" },
	[SMS_HTTP_BAD_SENDER] = { "bad_sender",
				  "invalid value of field \"%s\": longer than any phone "
				  "number or sender name" },
	[SMS_HTTP_BAD_ESCAPE] = { "bad_escape",
				  "invalid percent escape in field \"%s\": expected %%XX" },
	[SMS_HTTP_TOO_LONG] = { "too_long", "field \"%s\" is too long" },
	[SMS_HTTP_DUPLICATE] = { "duplicate", "field \"%s\" is given twice" },
	[SMS_HTTP_BAD_TIME] = { "bad_time",
				"invalid value of field \"%s\": expected Unix seconds or an "
				"RFC 3339 time" },
	[SMS_HTTP_BAD_CODING] = { "bad_coding",
				  "invalid value of field \"%s\": expected 0, 1 or 2" },
	[SMS_HTTP_BAD_CHARSET] = { "bad_charset",
				   "unsupported character set in field \"%s\": expected UTF-8, "
				   "UTF-16BE, ISO-8859-1 or WINDOWS-1252" },
	[SMS_HTTP_BAD_JSON] = { "bad_json", "the body is not a JSON object%s" },
	[SMS_HTTP_BAD_TYPE] = { "bad_type", "field \"%s\" has the wrong JSON type" },
};

/* The fields of one request, as found. */
struct fields {
	const char *p[F_COUNT];
	size_t len[F_COUNT];
	bool set[F_COUNT];
	bool escaped[F_COUNT]; /* percent-escaped (from a form) */
	bool time_num;         /* time given as a JSON number */
	int64_t time;
	const char *body_charset; /* from the Content-Type of a text body */
	size_t body_charset_len;
};

/* ------------------------------------------------------------ collecting */

static enum sms_http_error put_field(struct fields *fs, enum field_id id, const char *p, size_t len,
				     bool escaped, struct sms_http_extra *x)
{
	if (fs->set[id]) {
		x->field = field_names[id];
		return SMS_HTTP_DUPLICATE;
	}
	fs->set[id] = true;
	fs->p[id] = p;
	fs->len[id] = len;
	fs->escaped[id] = escaped;
	return SMS_HTTP_OK;
}

static enum sms_http_error collect_form(struct fields *fs, const char *form, size_t len,
					struct sms_http_extra *x)
{
	struct http_form_field f;
	size_t pos = 0;

	while (form != NULL && http_form_next(form, len, &pos, &f)) {
		for (int id = 0; id < F_COUNT; id++) {
			enum sms_http_error e;

			if (!http_form_key_is(&f, field_names[id]))
				continue;
			e = put_field(fs, (enum field_id)id, f.value, f.value_len, true, x);
			if (e != SMS_HTTP_OK)
				return e;
			break;
		}
	}
	return SMS_HTTP_OK;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Compare the len bytes at s to the lowercase word w, ignoring case. */
static bool word_is(const char *s, size_t len, const char *w)
{
	return len == strlen(w) && strncasecmp(s, w, len) == 0;
}

/* What a Content-Type says: the kind of body, and its charset parameter. */
static enum body_kind content_kind(const char *ct, size_t body_len, struct fields *fs)
{
	size_t i = 0, start, end;

	if (ct == NULL)
		return body_len > 0 ? BODY_TEXT : BODY_NONE;
	while (is_space(ct[i]))
		i++;
	start = i;
	while (ct[i] != '\0' && ct[i] != ';')
		i++;
	end = i;
	while (end > start && is_space(ct[end - 1]))
		end--;
	/* parameters: look for charset */
	while (ct[i] == ';') {
		size_t k0, k1, v0, v1;

		i++;
		while (is_space(ct[i]))
			i++;
		k0 = i;
		while (ct[i] != '\0' && ct[i] != '=' && ct[i] != ';')
			i++;
		k1 = i;
		if (ct[i] != '=')
			continue;
		i++;
		if (ct[i] == '"') {
			v0 = ++i;
			while (ct[i] != '\0' && ct[i] != '"')
				i++;
			v1 = i;
			if (ct[i] == '"')
				i++;
		} else {
			v0 = i;
			while (ct[i] != '\0' && ct[i] != ';' && !is_space(ct[i]))
				i++;
			v1 = i;
		}
		while (ct[i] != '\0' && ct[i] != ';')
			i++;
		if (word_is(ct + k0, k1 - k0, "charset")) {
			fs->body_charset = ct + v0;
			fs->body_charset_len = v1 - v0;
		}
	}
	if (word_is(ct + start, end - start, "application/x-www-form-urlencoded"))
		return BODY_FORM;
	if (word_is(ct + start, end - start, "application/json") ||
	    (end - start > 5 && word_is(ct + end - 5, 5, "+json")))
		return BODY_JSON;
	return body_len > 0 ? BODY_TEXT : BODY_NONE;
}

static enum sms_http_error collect_json(struct fields *fs, json_t *root, struct sms_http_extra *x)
{
	static const enum field_id json_fields[] = { F_FROM, F_TO, F_TEXT, F_TIME, F_SMSC, F_ID };

	if (!json_is_object(root))
		return SMS_HTTP_BAD_JSON;
	for (size_t k = 0; k < sizeof(json_fields) / sizeof(json_fields[0]); k++) {
		enum field_id id = json_fields[k];
		json_t *v = json_object_get(root, field_names[id]);
		enum sms_http_error e;

		if (v == NULL || json_is_null(v))
			continue;
		if (id == F_TIME && json_is_integer(v)) {
			e = put_field(fs, id, "", 0, false, x);
			fs->time_num = true;
			fs->time = (int64_t)json_integer_value(v);
		} else if (id == F_ID && json_is_integer(v)) {
			/* a numeric id: kept as its digits */
			snprintf(x->id, sizeof(x->id), "%" JSON_INTEGER_FORMAT,
				 json_integer_value(v));
			continue;
		} else if (json_is_string(v)) {
			e = put_field(fs, id, json_string_value(v), json_string_length(v), false,
				      x);
		} else {
			x->field = field_names[id];
			return SMS_HTTP_BAD_TYPE;
		}
		if (e != SMS_HTTP_OK)
			return e;
	}
	return SMS_HTTP_OK;
}

/* ------------------------------------------------------------ converting */

/* Field id, unescaped when it needs to be, into buf (cap bytes). */
static enum sms_http_error field_bytes(const struct fields *fs, enum field_id id, char *buf,
				       size_t cap, size_t *len, struct sms_http_extra *x)
{
	x->field = field_names[id];
	*len = 0;
	if (!fs->set[id])
		return SMS_HTTP_OK;
	if (!fs->escaped[id]) {
		if (fs->len[id] > cap)
			return SMS_HTTP_TOO_LONG;
		memcpy(buf, fs->p[id], fs->len[id]);
		*len = fs->len[id];
		return SMS_HTTP_OK;
	}
	switch (http_form_unescape(fs->p[id], fs->len[id], buf, cap, len)) {
	case HTTP_FORM_OK: return SMS_HTTP_OK;
	case HTTP_FORM_BAD_ESCAPE: return SMS_HTTP_BAD_ESCAPE;
	case HTTP_FORM_NO_SPACE: return SMS_HTTP_TOO_LONG;
	}
	return SMS_HTTP_BAD_ESCAPE;
}

/* A small field as a NUL-terminated string in buf (SMALL_MAX bytes). */
static enum sms_http_error field_small(const struct fields *fs, enum field_id id, char *buf,
				       size_t *len, struct sms_http_extra *x)
{
	enum sms_http_error e = field_bytes(fs, id, buf, SMALL_MAX - 1, len, x);

	buf[e == SMS_HTTP_OK ? *len : 0] = '\0';
	return e;
}

/* Printable UTF-8: valid, no control character, no NUL. */
static bool printable(const char *s, size_t len)
{
	size_t pos = 0;
	uint32_t cp;

	while (pos < len) {
		if (!utf8_decode(s, len, &pos, &cp) || cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
			return false;
	}
	return true;
}

static enum sms_http_error decode_sender(const struct fields *fs, struct inbound *out,
					 struct sms_http_extra *x)
{
	char buf[SMALL_MAX];
	size_t len, start = 0;
	enum sms_http_error e = field_small(fs, F_FROM, buf, &len, x);

	if (e != SMS_HTTP_OK)
		return e == SMS_HTTP_TOO_LONG ? SMS_HTTP_BAD_SENDER : e;
	/* an unescaped '+' arrives as a space */
	if (len > 1 && buf[0] == ' ' && buf[1] >= '0' && buf[1] <= '9')
		buf[0] = '+';
	while (start < len && is_space(buf[start]))
		start++;
	while (len > start && is_space(buf[len - 1]))
		len--;
	if (len == start)
		return SMS_HTTP_NO_SENDER;
	if (len - start > SENDER_MAX || !printable(buf + start, len - start)) {
		/* as from a modem: recorded with the bad part marked, never
		 * taken for another number, never answered */
		buf[len] = '\0';
		(void)inbound_sender_clean(buf + start, out->sender, sizeof(out->sender));
		x->sender_marked = true;
		return SMS_HTTP_OK;
	}
	memcpy(out->sender, buf + start, len - start);
	out->sender[len - start] = '\0';
	return SMS_HTTP_OK;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* n digits at s as a number, or -1. */
static int digits(const char *s, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* "YYYY-MM-DD[T ]HH:MM:SS[.fff](Z|+HH:MM|-HH:MM)" into Unix seconds. */
static bool parse_rfc3339(const char *s, size_t len, int64_t *out)
{
	static const unsigned char mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h, mi, se, off = 0;
	size_t i = 19;

	if (len < 20 || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
		return false;
	y = digits(s, 4);
	mo = digits(s + 5, 2);
	d = digits(s + 8, 2);
	h = digits(s + 11, 2);
	mi = digits(s + 14, 2);
	se = digits(s + 17, 2);
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 ||
	    se > 60)
		return false;
	if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return false;
	if (s[i] == '.') {
		i++;
		if (i >= len || digits(s + i, 1) < 0)
			return false;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if (i + 1 == len && (s[i] == 'Z' || s[i] == 'z')) {
		off = 0;
	} else if (i + 6 == len && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
		int oh = digits(s + i + 1, 2), om = digits(s + i + 4, 2);

		if (oh < 0 || oh > 23 || om < 0 || om > 59)
			return false;
		off = (oh * 60 + om) * 60;
		if (s[i] == '-')
			off = -off;
	} else {
		return false;
	}
	*out = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 +
	       (se > 59 ? 59 : se) - off;
	return *out >= 0;
}

static enum sms_http_error decode_time(const struct fields *fs, struct inbound *out,
				       struct sms_http_extra *x)
{
	char buf[SMALL_MAX];
	size_t len;
	enum sms_http_error e;
	int64_t t = 0;

	x->field = field_names[F_TIME];
	if (fs->time_num) {
		if (fs->time < 0 || fs->time > TIME_MAX)
			return SMS_HTTP_BAD_TIME;
		out->smsc_time = fs->time;
		return SMS_HTTP_OK;
	}
	e = field_small(fs, F_TIME, buf, &len, x);
	if (e != SMS_HTTP_OK)
		return e == SMS_HTTP_TOO_LONG ? SMS_HTTP_BAD_TIME : e;
	if (len == 0)
		return SMS_HTTP_OK;
	if (len <= 12 && digits(buf, 1) >= 0) {
		for (size_t i = 0; i < len; i++) {
			if (buf[i] < '0' || buf[i] > '9')
				return SMS_HTTP_BAD_TIME;
			t = t * 10 + (buf[i] - '0');
		}
	} else if (!parse_rfc3339(buf, len, &t)) {
		return SMS_HTTP_BAD_TIME;
	}
	if (t > TIME_MAX)
		return SMS_HTTP_BAD_TIME;
	out->smsc_time = t;
	return SMS_HTTP_OK;
}

/* 1 to 32 letters, digits, '.', '-' or '_'. */
static bool good_name(const char *s, size_t len)
{
	if (len == 0 || len >= INBOUND_SOURCE_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == '_'))
			return false;
	}
	return true;
}

/* smsc, to and id: informative, so a value that does not fit is dropped,
 * never a reason to refuse the message. */
static enum sms_http_error decode_extras(const struct fields *fs, struct inbound *out,
					 struct sms_http_extra *x)
{
	char buf[SMALL_MAX];
	size_t len;
	enum sms_http_error e;

	e = field_small(fs, F_SMSC, buf, &len, x);
	if (e == SMS_HTTP_BAD_ESCAPE)
		return e;
	if (e == SMS_HTTP_OK && good_name(buf, len))
		memcpy(out->source, buf, len + 1);
	else
		snprintf(out->source, sizeof(out->source), "%s", SOURCE_DEFAULT);
	e = field_small(fs, F_TO, buf, &len, x);
	if (e == SMS_HTTP_BAD_ESCAPE)
		return e;
	if (e == SMS_HTTP_OK && len < sizeof(x->to) && printable(buf, len))
		memcpy(x->to, buf, len + 1);
	if (fs->set[F_ID]) {
		e = field_small(fs, F_ID, buf, &len, x);
		if (e == SMS_HTTP_BAD_ESCAPE)
			return e;
		if (e == SMS_HTTP_OK && len < sizeof(x->id) && printable(buf, len))
			memcpy(x->id, buf, len + 1);
	}
	return SMS_HTTP_OK;
}

static bool lookup_charset(const char *s, size_t len, enum text_enc *enc)
{
	for (size_t i = 0; i < sizeof(charsets) / sizeof(charsets[0]); i++) {
		if (word_is(s, len, charsets[i].name)) {
			*enc = charsets[i].enc;
			return true;
		}
	}
	return false;
}

/* The text's encoding from charset (query, else the body's Content-Type),
 * else coding. */
static enum sms_http_error decode_encoding(const struct fields *fs, enum text_enc *enc,
					   struct sms_http_extra *x)
{
	char buf[SMALL_MAX];
	size_t len;
	enum sms_http_error e;
	int coding = -1;

	e = field_small(fs, F_CODING, buf, &len, x);
	if (e != SMS_HTTP_OK)
		return e == SMS_HTTP_TOO_LONG ? SMS_HTTP_BAD_CODING : e;
	if (len == 1 && buf[0] >= '0' && buf[0] <= '2')
		coding = buf[0] - '0';
	else if (len != 0)
		return SMS_HTTP_BAD_CODING;
	e = field_small(fs, F_CHARSET, buf, &len, x);
	if (e != SMS_HTTP_OK)
		return e == SMS_HTTP_TOO_LONG ? SMS_HTTP_BAD_CHARSET : e;
	if (len > 0)
		return lookup_charset(buf, len, enc) ? SMS_HTTP_OK : SMS_HTTP_BAD_CHARSET;
	if (fs->body_charset != NULL && fs->body_charset_len > 0) {
		x->field = "Content-Type";
		return lookup_charset(fs->body_charset, fs->body_charset_len, enc)
			       ? SMS_HTTP_OK
			       : SMS_HTTP_BAD_CHARSET;
	}
	*enc = coding == 2 ? ENC_UTF16BE : coding == 1 ? ENC_LATIN1 : ENC_UTF8;
	return SMS_HTTP_OK;
}

/* The UTF-8 text being written into an inbound record. */
struct text_out {
	char *buf;
	size_t len;
	bool full;
	bool mended;
	bool cut;
};

static void put_cp(struct text_out *t, uint32_t cp)
{
	char enc[UTF8_MAX_BYTES];
	size_t n;

	if (t->full)
		return;
	if (cp == 0) {
		cp = 0x1A; /* as the modem worker does: a NUL cannot travel */
		t->mended = true;
	}
	n = utf8_encode(cp, enc);
	if (n == 0) {
		n = utf8_encode(0xFFFD, enc);
		t->mended = true;
	}
	if (t->len + n > INBOUND_TEXT_MAX) {
		t->full = true;
		t->cut = true;
		return;
	}
	memcpy(t->buf + t->len, enc, n);
	t->len += n;
}

static void text_utf8(struct text_out *t, const char *s, size_t len)
{
	size_t pos = 0;
	uint32_t cp;

	while (pos < len && !t->full) {
		if (utf8_decode(s, len, &pos, &cp)) {
			put_cp(t, cp);
			continue;
		}
		/* one U+FFFD for the bad byte and the continuation bytes after it */
		put_cp(t, 0xFFFD);
		t->mended = true;
		pos++;
		while (pos < len && ((unsigned char)s[pos] & 0xC0) == 0x80)
			pos++;
	}
}

static void text_utf16be(struct text_out *t, const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i + 1 < len && !t->full) {
		uint32_t u = (uint32_t)s[i] << 8 | s[i + 1];

		i += 2;
		if (u >= 0xD800 && u <= 0xDBFF && i + 1 < len) {
			uint32_t lo = (uint32_t)s[i] << 8 | s[i + 1];

			if (lo >= 0xDC00 && lo <= 0xDFFF) {
				i += 2;
				put_cp(t, 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00));
				continue;
			}
		}
		if (u >= 0xD800 && u <= 0xDFFF) {
			u = 0xFFFD;
			t->mended = true;
		}
		put_cp(t, u);
	}
	if (i < len && !t->full) {
		put_cp(t, 0xFFFD); /* an odd last byte */
		t->mended = true;
	}
}

static void text_8bit(struct text_out *t, const unsigned char *s, size_t len, bool cp1252)
{
	for (size_t i = 0; i < len && !t->full; i++) {
		uint32_t cp = s[i];

		if (cp1252 && cp >= 0x80 && cp <= 0x9F && cp1252_high[cp - 0x80] != 0)
			cp = cp1252_high[cp - 0x80];
		put_cp(t, cp);
	}
}

static enum sms_http_error decode_text(const struct fields *fs, enum text_enc enc,
				       struct inbound *out, struct sms_http_extra *x)
{
	char raw[SMS_HTTP_RAW_MAX];
	size_t len;
	struct text_out t = { .buf = out->text };
	enum sms_http_error e = field_bytes(fs, F_TEXT, raw, sizeof(raw), &len, x);

	if (e == SMS_HTTP_TOO_LONG) {
		/* the first SMS_HTTP_RAW_MAX bytes are in raw: keep them */
		len = sizeof(raw);
		t.cut = true;
	} else if (e != SMS_HTTP_OK) {
		return e;
	}
	switch (enc) {
	case ENC_UTF8: text_utf8(&t, raw, len); break;
	case ENC_UTF16BE: text_utf16be(&t, (const unsigned char *)raw, len); break;
	case ENC_LATIN1: text_8bit(&t, (const unsigned char *)raw, len, false); break;
	case ENC_CP1252: text_8bit(&t, (const unsigned char *)raw, len, true); break;
	}
	out->text[t.len] = '\0';
	out->text_len = (uint16_t)t.len;
	x->text_mended = t.mended;
	x->text_cut = t.cut;
	if (t.cut)
		out->flags |= INBOUND_TEXT_CUT; /* stored as cut, answered as a modem's */
	return SMS_HTTP_OK;
}

static enum sms_http_error build(const struct fields *fs, struct inbound *out,
				 struct sms_http_extra *x)
{
	enum text_enc enc = ENC_UTF8;
	enum sms_http_error e;

	if (!fs->set[F_FROM]) {
		x->field = field_names[F_FROM];
		return SMS_HTTP_NO_SENDER;
	}
	e = decode_sender(fs, out, x);
	if (e == SMS_HTTP_OK)
		e = decode_time(fs, out, x);
	if (e == SMS_HTTP_OK)
		e = decode_extras(fs, out, x);
	if (e == SMS_HTTP_OK)
		e = decode_encoding(fs, &enc, x);
	if (e == SMS_HTTP_OK)
		e = decode_text(fs, enc, out, x);
	if (e != SMS_HTTP_OK)
		return e;
	x->field = NULL;
	inbound_dedup_key(out);
	return SMS_HTTP_OK;
}

enum sms_http_error sms_http_decode(const struct sms_http_request *rq, struct inbound *out,
				    struct sms_http_extra *x)
{
	struct fields fs;
	enum sms_http_error e;
	json_t *root = NULL;
	enum body_kind kind;

	memset(&fs, 0, sizeof(fs));
	memset(out, 0, sizeof(*out));
	memset(x, 0, sizeof(*x));
	out->transport = INBOUND_HTTP;
	out->received_ms = rq->received_ms;
	kind = content_kind(rq->content_type, rq->body_len, &fs);
	e = collect_form(&fs, rq->query, rq->query_len, x);
	if (e != SMS_HTTP_OK)
		goto done;
	switch (kind) {
	case BODY_NONE: break;
	case BODY_FORM: e = collect_form(&fs, rq->body, rq->body_len, x); break;
	case BODY_JSON:
		root = json_loadb(rq->body ? rq->body : "", rq->body_len,
				  JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, NULL);
		e = root == NULL ? SMS_HTTP_BAD_JSON : collect_json(&fs, root, x);
		break;
	case BODY_TEXT: e = put_field(&fs, F_TEXT, rq->body, rq->body_len, false, x); break;
	}
	if (e == SMS_HTTP_OK)
		e = build(&fs, out, x);
done:
	json_decref(root);
	return e;
}

const char *sms_http_error_text(enum sms_http_error err, const struct sms_http_extra *x, char *buf,
				size_t n)
{
	const char *field = x != NULL && x->field != NULL ? x->field : "";

	if ((unsigned)err >= SMS_HTTP_ERROR_COUNT) {
		snprintf(buf, n, "invalid request");
		return buf;
	}
	if (err == SMS_HTTP_BAD_JSON)
		field = "";
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(buf, n, errors[err].text, field);
#pragma GCC diagnostic pop
	return buf;
}

const char *sms_http_error_code(enum sms_http_error err)
{
	return (unsigned)err < SMS_HTTP_ERROR_COUNT ? errors[err].code : "invalid";
}
