/*
 * web_auth.c - cookies, tokens and code texts of the page's sign-in; see
 * web_auth.h.
 */
#include "web_auth.h"

#include <stdio.h>
#include <string.h>

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
