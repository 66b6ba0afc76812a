/*
 * ussd_request.c - USSD requests and the Africa's Talking adapter; see
 * ussd.h.
 */
#include "ussd.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http_form.h"
#include "utf8.h"

const char *ussd_error_code(enum ussd_error e)
{
	static const char *const codes[USSD_ERROR_COUNT] = {
		[USSD_OK] = "ok",
		[USSD_ERR_BAD_ESCAPE] = "bad_escape",
		[USSD_ERR_NO_SESSION] = "no_session",
		[USSD_ERR_BAD_SESSION] = "bad_session",
		[USSD_ERR_NO_PHONE] = "no_phone",
		[USSD_ERR_DUPLICATE] = "duplicate",
		[USSD_ERR_TOO_LONG] = "too_long",
		[USSD_ERR_TOO_MANY] = "too_many_inputs",
		[USSD_ERR_BAD_TEXT] = "bad_text",
		[USSD_ERR_BAD_JSON] = "bad_json",
		[USSD_ERR_BAD_TYPE] = "bad_type",
	};

	return (unsigned)e < USSD_ERROR_COUNT ? codes[e] : "ok";
}

enum ussd_error ussd_split(struct ussd_request *r)
{
	size_t start = 0;

	r->n_inputs = 0;
	if (r->text_len == 0)
		return USSD_OK;
	for (size_t i = 0; i <= r->text_len; i++) {
		if (i < r->text_len && r->text[i] != '*')
			continue;
		if (r->n_inputs == USSD_INPUTS_MAX)
			return USSD_ERR_TOO_MANY;
		if (i - start > USSD_INPUT_MAX)
			return USSD_ERR_TOO_LONG;
		r->inputs[r->n_inputs].off = (uint16_t)start;
		r->inputs[r->n_inputs].len = (uint16_t)(i - start);
		r->n_inputs++;
		start = i + 1;
	}
	return USSD_OK;
}

bool ussd_input_is(const struct ussd_request *r, size_t i, const char *s, size_t n)
{
	return i < r->n_inputs && r->inputs[i].len == n &&
	       memcmp(r->text + r->inputs[i].off, s, n) == 0;
}

/* The fields of the convention, and where each goes. */
enum at_field {
	AT_SESSION,
	AT_PHONE,
	AT_SERVICE,
	AT_NETWORK,
	AT_TEXT,
	AT_FIELDS
};

static const char *const at_names[AT_FIELDS] = {
	[AT_SESSION] = "sessionId",   [AT_PHONE] = "phoneNumber", [AT_SERVICE] = "serviceCode",
	[AT_NETWORK] = "networkCode", [AT_TEXT] = "text",
};

static bool printable_ascii(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return false;
	return true;
}

/* True when s (n bytes) is UTF-8 without a control character. */
static bool clean_text(const char *s, size_t n)
{
	size_t pos = 0;
	uint32_t cp;

	while (pos < n) {
		if (!utf8_decode(s, n, &pos, &cp))
			return false;
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
			return false;
	}
	return true;
}

/* Decode one field into the request; seen marks the fields met so far. */
static enum ussd_error take(struct ussd_request *out, enum at_field which,
			    const struct http_form_field *f, unsigned *seen, char *why, size_t cap)
{
	char buf[USSD_TEXT_MAX + 1];
	size_t len = 0;
	enum http_form_status st;

	if (*seen & (1u << which)) {
		snprintf(why, cap, "field \"%s\" given twice", at_names[which]);
		return USSD_ERR_DUPLICATE;
	}
	*seen |= 1u << which;
	st = http_form_unescape(f->value, f->value_len, buf, sizeof(buf), &len);
	if (st == HTTP_FORM_BAD_ESCAPE) {
		snprintf(why, cap, "bad percent escape in field \"%s\"", at_names[which]);
		return USSD_ERR_BAD_ESCAPE;
	}
	if (st == HTTP_FORM_NO_SPACE || len > USSD_TEXT_MAX) {
		snprintf(why, cap, "field \"%s\" is too long", at_names[which]);
		return USSD_ERR_TOO_LONG;
	}
	buf[len] = '\0';
	switch (which) {
	case AT_SESSION:
		if (len == 0)
			break;
		if (len > USSD_SESSION_MAX || !printable_ascii(buf, len)) {
			snprintf(
				why, cap,
				"field \"sessionId\" must be at most %d printable ASCII characters",
				USSD_SESSION_MAX);
			return USSD_ERR_BAD_SESSION;
		}
		memcpy(out->session, buf, len + 1);
		break;
	case AT_PHONE:
		if (memchr(buf, '\0', len) != NULL)
			buf[0] = '\0';
		(void)inbound_sender_clean(buf, out->phone, sizeof(out->phone));
		break;
	case AT_SERVICE:
		if (len > USSD_SERVICE_MAX) {
			snprintf(why, cap, "field \"serviceCode\" is too long");
			return USSD_ERR_TOO_LONG;
		}
		if (!printable_ascii(buf, len))
			len = 0;
		memcpy(out->service, buf, len);
		out->service[len] = '\0';
		break;
	case AT_NETWORK: break;
	case AT_TEXT:
		if (memchr(buf, '\0', len) != NULL || !clean_text(buf, len)) {
			snprintf(why, cap, "field \"text\" is not UTF-8 text");
			return USSD_ERR_BAD_TEXT;
		}
		memcpy(out->text, buf, len + 1);
		out->text_len = len;
		break;
	case AT_FIELDS: break;
	}
	return USSD_OK;
}

static enum ussd_error take_form(struct ussd_request *out, const char *form, size_t len,
				 unsigned *seen, char *why, size_t cap)
{
	struct http_form_field f;
	size_t pos = 0;
	enum ussd_error e;

	if (form == NULL)
		return USSD_OK;
	while (http_form_next(form, len, &pos, &f)) {
		for (int i = 0; i < AT_FIELDS; i++) {
			if (!http_form_key_is(&f, at_names[i]))
				continue;
			e = take(out, (enum at_field)i, &f, seen, why, cap);
			if (e != USSD_OK)
				return e;
			break;
		}
	}
	return USSD_OK;
}

enum ussd_error ussd_at_decode(const char *query, size_t query_len, const char *body,
			       size_t body_len, struct ussd_request *out, char *why, size_t cap)
{
	unsigned seen = 0;
	enum ussd_error e;
	char dummy[1];

	if (cap == 0) {
		why = dummy;
		cap = sizeof(dummy);
	}
	why[0] = '\0';
	memset(out, 0, sizeof(*out));
	e = take_form(out, query, query_len, &seen, why, cap);
	if (e == USSD_OK)
		e = take_form(out, body, body_len, &seen, why, cap);
	if (e != USSD_OK)
		return e;
	if (out->session[0] == '\0') {
		snprintf(why, cap, "missing field \"sessionId\"");
		return USSD_ERR_NO_SESSION;
	}
	if (out->phone[0] == '\0') {
		snprintf(why, cap, "missing field \"phoneNumber\"");
		return USSD_ERR_NO_PHONE;
	}
	out->kind = out->text_len == 0 ? USSD_INITIATION : USSD_RESPONSE;
	e = ussd_split(out);
	if (e == USSD_ERR_TOO_MANY)
		snprintf(why, cap, "field \"text\" has more than %d inputs", USSD_INPUTS_MAX);
	else if (e == USSD_ERR_TOO_LONG)
		snprintf(why, cap, "field \"text\" has an input over %d bytes", USSD_INPUT_MAX);
	return e;
}

enum ussd_error ussd_append(struct ussd_request *r, const char *s, size_t n)
{
	size_t at = r->text_len + (r->n_inputs > 0 ? 1 : 0);

	if (r->n_inputs == USSD_INPUTS_MAX)
		return USSD_ERR_TOO_MANY;
	if (n > USSD_INPUT_MAX || at + n > USSD_TEXT_MAX)
		return USSD_ERR_TOO_LONG;
	if (memchr(s, '\0', n) != NULL || !clean_text(s, n))
		return USSD_ERR_BAD_TEXT;
	if (r->n_inputs > 0)
		r->text[r->text_len] = '*';
	memcpy(r->text + at, s, n);
	r->text_len = at + n;
	r->text[r->text_len] = '\0';
	r->inputs[r->n_inputs].off = (uint16_t)at;
	r->inputs[r->n_inputs].len = (uint16_t)n;
	r->n_inputs++;
	return USSD_OK;
}

/* The string member key of root into out (cap bytes); "" when absent. */
static bool json_str(json_t *root, const char *key, char *out, size_t cap, size_t *len)
{
	json_t *v = json_object_get(root, key);
	size_t n;

	out[0] = '\0';
	*len = 0;
	if (v == NULL || json_is_null(v))
		return true;
	if (!json_is_string(v))
		return false;
	n = json_string_length(v);
	if (n >= cap)
		return false;
	memcpy(out, json_string_value(v), n);
	out[n] = '\0';
	*len = n;
	return true;
}

enum ussd_error ussd_hubtel_decode(const char *body, size_t len, struct ussd_request *out,
				   char *why, size_t cap)
{
	static const char *const types[] = { "Initiation", "Response", "Release", "Timeout" };
	char buf[USSD_TEXT_MAX + 1], type[16], dummy[1];
	enum ussd_error e = USSD_OK;
	json_t *root;
	size_t n;
	int k;

	if (cap == 0) {
		why = dummy;
		cap = sizeof(dummy);
	}
	why[0] = '\0';
	memset(out, 0, sizeof(*out));
	root = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES, NULL);
	if (root == NULL || !json_is_object(root)) {
		snprintf(why, cap, "the body is not a JSON object");
		e = USSD_ERR_BAD_JSON;
		goto out;
	}
	if (!json_str(root, "SessionId", buf, sizeof(buf), &n) || n == 0) {
		snprintf(why, cap, "missing field \"SessionId\"");
		e = USSD_ERR_NO_SESSION;
		goto out;
	}
	if (n > USSD_SESSION_MAX || !printable_ascii(buf, n)) {
		snprintf(why, cap,
			 "field \"SessionId\" must be at most %d printable ASCII characters",
			 USSD_SESSION_MAX);
		e = USSD_ERR_BAD_SESSION;
		goto out;
	}
	memcpy(out->session, buf, n + 1);
	if (!json_str(root, "Mobile", buf, sizeof(buf), &n) || n == 0 ||
	    memchr(buf, '\0', n) != NULL) {
		snprintf(why, cap, "missing field \"Mobile\"");
		e = USSD_ERR_NO_PHONE;
		goto out;
	}
	(void)inbound_sender_clean(buf, out->phone, sizeof(out->phone));
	if (!json_str(root, "Type", type, sizeof(type), &n)) {
		type[0] = '\0';
	}
	for (k = 0; k < 4; k++)
		if (strcasecmp(type, types[k]) == 0)
			break;
	if (k == 4) {
		snprintf(why, cap,
			 "field \"Type\" must be Initiation, Response, Release or Timeout");
		e = USSD_ERR_BAD_TYPE;
		goto out;
	}
	out->kind = (enum ussd_kind)k;
	if (json_str(root, "ServiceCode", buf, sizeof(buf), &n) && n <= USSD_SERVICE_MAX &&
	    printable_ascii(buf, n))
		memcpy(out->service, buf, n + 1);
	if (out->kind == USSD_RESPONSE) {
		if (!json_str(root, "Message", buf, sizeof(buf), &n) || n > USSD_INPUT_MAX) {
			snprintf(why, cap, "field \"Message\" is too long");
			e = USSD_ERR_TOO_LONG;
			goto out;
		}
		if (memchr(buf, '\0', n) != NULL || !clean_text(buf, n)) {
			snprintf(why, cap, "field \"Message\" is not UTF-8 text");
			e = USSD_ERR_BAD_TEXT;
			goto out;
		}
		memcpy(out->text, buf, n + 1);
		out->text_len = n;
	}
out:
	json_decref(root);
	return e;
}
