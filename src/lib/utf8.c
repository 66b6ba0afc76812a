/*
 * utf8.c - strict UTF-8 decoding and UCS-2/UTF-16BE conversion.
 */
#include "utf8.h"

bool utf8_decode(const char *s, size_t len, size_t *pos, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s + *pos;
	size_t avail = len - *pos;
	uint32_t c, min;
	size_t n;

	if (*pos >= len)
		return false;
	c = p[0];
	if (c < 0x80) {
		*cp = c;
		*pos += 1;
		return true;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		if (avail >= 2 && (p[1] & 0xc0) == 0x80) { /* fast path: Arabic */
			*cp = ((c & 0x1f) << 6) | (p[1] & 0x3f);
			*pos += 2;
			return true;
		}
		n = 2;
		c &= 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		c &= 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		c &= 0x07;
		min = 0x10000;
	} else {
		return false; /* continuation byte, C0/C1 overlong lead, F5+ */
	}
	if (avail < n)
		return false;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return false;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return false;
	*cp = c;
	*pos += n;
	return true;
}

size_t utf8_validate(const char *s, size_t len)
{
	size_t pos = 0;
	uint32_t cp;

	while (pos < len) {
		if ((unsigned char)s[pos] < 0x80) {
			pos++;
			continue;
		}
		if (!utf8_decode(s, len, &pos, &cp))
			return pos;
	}
	return len;
}

size_t utf8_encode(uint32_t cp, char *out)
{
	unsigned char *o = (unsigned char *)out;

	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xc0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp >= 0xd800 && cp <= 0xdfff)
		return 0;
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xe0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	if (cp > 0x10ffff)
		return 0;
	o[0] = (unsigned char)(0xf0 | (cp >> 18));
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

size_t utf8_count(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

const char *utf8_conv_name(enum utf8_conv r)
{
	switch (r) {
	case UTF8_CONV_OK: return "ok";
	case UTF8_CONV_ODD_LENGTH: return "odd number of bytes in UCS-2 text";
	case UTF8_CONV_BAD_SURROGATE: return "unpaired UTF-16 surrogate";
	case UTF8_CONV_INVALID_UTF8: return "invalid UTF-8";
	case UTF8_CONV_NO_SPACE: return "output buffer too small";
	}
	return "unknown conversion result";
}

/* Read the next UTF-16BE code point from in[*i]; false on a bad surrogate. */
static bool ucs2_next(const uint8_t *in, size_t inlen, size_t *i, uint32_t *cp)
{
	uint32_t hi = ((uint32_t)in[*i] << 8) | in[*i + 1], lo;

	*i += 2;
	if (hi < 0xd800 || hi > 0xdfff) {
		*cp = hi;
		return true;
	}
	if (hi > 0xdbff || *i + 2 > inlen)
		return false;
	lo = ((uint32_t)in[*i] << 8) | in[*i + 1];
	if (lo < 0xdc00 || lo > 0xdfff)
		return false;
	*i += 2;
	*cp = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
	return true;
}

enum utf8_conv utf8_from_ucs2(const uint8_t *in, size_t inlen, char *out, size_t cap,
			      size_t *outlen)
{
	size_t i = 0, o = 0;
	uint32_t cp;
	char tmp[UTF8_MAX_BYTES];
	size_t n;

	*outlen = 0;
	if (inlen % 2 != 0)
		return UTF8_CONV_ODD_LENGTH;
	while (i < inlen) {
		if (!ucs2_next(in, inlen, &i, &cp))
			return UTF8_CONV_BAD_SURROGATE;
		n = utf8_encode(cp, tmp);
		if (o + n + 1 > cap)
			return UTF8_CONV_NO_SPACE;
		for (size_t k = 0; k < n; k++)
			out[o++] = tmp[k];
	}
	if (o + 1 > cap)
		return UTF8_CONV_NO_SPACE;
	out[o] = '\0';
	*outlen = o;
	return UTF8_CONV_OK;
}

enum utf8_conv utf8_to_ucs2(const char *in, size_t inlen, uint8_t *out, size_t cap, size_t *outlen)
{
	size_t pos = 0, o = 0;
	uint32_t cp, hi, lo;

	*outlen = 0;
	while (pos < inlen) {
		if (!utf8_decode(in, inlen, &pos, &cp))
			return UTF8_CONV_INVALID_UTF8;
		if (cp < 0x10000) {
			if (o + 2 > cap)
				return UTF8_CONV_NO_SPACE;
			out[o++] = (uint8_t)(cp >> 8);
			out[o++] = (uint8_t)cp;
			continue;
		}
		if (o + 4 > cap)
			return UTF8_CONV_NO_SPACE;
		hi = 0xd800 + ((cp - 0x10000) >> 10);
		lo = 0xdc00 + ((cp - 0x10000) & 0x3ff);
		out[o++] = (uint8_t)(hi >> 8);
		out[o++] = (uint8_t)hi;
		out[o++] = (uint8_t)(lo >> 8);
		out[o++] = (uint8_t)lo;
	}
	*outlen = o;
	return UTF8_CONV_OK;
}

int utf8_digit_value(uint32_t cp)
{
	if (cp >= '0' && cp <= '9')
		return (int)(cp - '0');
	if (cp >= 0x660 && cp <= 0x669)
		return (int)(cp - 0x660);
	if (cp >= 0x6F0 && cp <= 0x6F9)
		return (int)(cp - 0x6F0);
	if (cp >= 0xFF10 && cp <= 0xFF19)
		return (int)(cp - 0xFF10);
	return -1;
}
