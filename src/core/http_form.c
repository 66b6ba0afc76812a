/*
 * http_form.c - application/x-www-form-urlencoded text; see http_form.h.
 */
#include "http_form.h"
#include "util.h"

#include <string.h>

#define KEY_MAX 64

bool http_form_next(const char *form, size_t len, size_t *pos, struct http_form_field *f)
{
	size_t i = *pos;

	while (i < len && (form[i] == '&' || form[i] == ';'))
		i++;
	if (i >= len) {
		*pos = len;
		return false;
	}
	f->key = form + i;
	while (i < len && form[i] != '=' && form[i] != '&' && form[i] != ';')
		i++;
	f->key_len = (size_t)(form + i - f->key);
	if (i < len && form[i] == '=') {
		i++;
		f->value = form + i;
		while (i < len && form[i] != '&' && form[i] != ';')
			i++;
		f->value_len = (size_t)(form + i - f->value);
	} else {
		f->value = form + i;
		f->value_len = 0;
	}
	*pos = i;
	return true;
}

enum http_form_status http_form_unescape(const char *in, size_t len, char *out, size_t cap,
					 size_t *outlen)
{
	size_t n = 0;

	*outlen = 0;
	for (size_t i = 0; i < len; i++) {
		char c = in[i];

		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			int hi, lo;

			if (len - i < 3)
				return HTTP_FORM_BAD_ESCAPE;
			hi = util_hex_digit(in[i + 1]);
			lo = util_hex_digit(in[i + 2]);
			if (hi < 0 || lo < 0)
				return HTTP_FORM_BAD_ESCAPE;
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		if (n >= cap) {
			*outlen = n;
			return HTTP_FORM_NO_SPACE;
		}
		out[n++] = c;
	}
	*outlen = n;
	if (n < cap)
		out[n] = '\0';
	return HTTP_FORM_OK;
}

bool http_form_key_is(const struct http_form_field *f, const char *name)
{
	char key[KEY_MAX];
	size_t n;

	if (f->key_len >= sizeof(key) ||
	    http_form_unescape(f->key, f->key_len, key, sizeof(key), &n) != HTTP_FORM_OK)
		return false;
	return n == strlen(name) && memcmp(key, name, n) == 0;
}
