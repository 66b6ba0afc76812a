/*
 * gsm7.c - the GSM 03.38 default alphabet and SMS segment arithmetic.
 */
#include "gsm7.h"

#include "utf8.h"

/*
 * Septets per ASCII character: 1 basic, 2 extension, 0 absent.  Of the
 * printable ASCII characters only the backquote is absent; LF and CR are
 * basic, form feed is in the extension table.
 */
static const uint8_t ascii_septets[128] = {
	['\n'] = 1, ['\r'] = 1, ['\f'] = 2, [' '] = 1, ['!'] = 1, ['"'] = 1, ['#'] = 1, ['$'] = 1,
	['%'] = 1,  ['&'] = 1,  ['\''] = 1, ['('] = 1, [')'] = 1, ['*'] = 1, ['+'] = 1, [','] = 1,
	['-'] = 1,  ['.'] = 1,  ['/'] = 1,  ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1,
	['5'] = 1,  ['6'] = 1,  ['7'] = 1,  ['8'] = 1, ['9'] = 1, [':'] = 1, [';'] = 1, ['<'] = 1,
	['='] = 1,  ['>'] = 1,  ['?'] = 1,  ['@'] = 1, ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1,
	['E'] = 1,  ['F'] = 1,  ['G'] = 1,  ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
	['M'] = 1,  ['N'] = 1,  ['O'] = 1,  ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1,
	['U'] = 1,  ['V'] = 1,  ['W'] = 1,  ['X'] = 1, ['Y'] = 1, ['Z'] = 1, ['['] = 2, ['\\'] = 2,
	[']'] = 2,  ['^'] = 2,  ['_'] = 1,  ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1,
	['f'] = 1,  ['g'] = 1,  ['h'] = 1,  ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1,
	['n'] = 1,  ['o'] = 1,  ['p'] = 1,  ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1,
	['v'] = 1,  ['w'] = 1,  ['x'] = 1,  ['y'] = 1, ['z'] = 1, ['{'] = 2, ['|'] = 2, ['}'] = 2,
	['~'] = 2,
};

/* The non-ASCII characters of the basic table, in code point order. */
static const uint16_t basic_non_ascii[] = {
	0x00a1, 0x00a3, 0x00a4, 0x00a5, 0x00a7, 0x00bf, 0x00c4, 0x00c5, 0x00c6, 0x00c7,
	0x00c9, 0x00d1, 0x00d6, 0x00d8, 0x00dc, 0x00df, 0x00e0, 0x00e4, 0x00e5, 0x00e6,
	0x00e8, 0x00e9, 0x00ec, 0x00f1, 0x00f2, 0x00f6, 0x00f8, 0x00f9, 0x00fc, 0x0393,
	0x0394, 0x0398, 0x039b, 0x039e, 0x03a0, 0x03a3, 0x03a6, 0x03a8, 0x03a9,
};

int gsm7_septets(uint32_t cp)
{
	size_t lo = 0, hi = sizeof(basic_non_ascii) / sizeof(basic_non_ascii[0]);

	if (cp < 128)
		return ascii_septets[cp];
	if (cp > 0x3a9) /* above the last Greek capital: only the euro */
		return cp == 0x20ac ? 2 : 0;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (basic_non_ascii[mid] == cp)
			return 1;
		if (basic_non_ascii[mid] < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

const char *gsm7_coding_name(enum gsm7_coding coding)
{
	return coding == GSM7_CODING_GSM7 ? "gsm7" : "ucs2";
}

/* Units of one code point in the given coding. */
static size_t cp_units(uint32_t cp, enum gsm7_coding coding)
{
	if (coding == GSM7_CODING_GSM7)
		return (size_t)gsm7_septets(cp);
	return cp >= 0x10000 ? 2 : 1;
}

/* Count segments of a multi-part message, never splitting a pair. */
static size_t count_multi(const char *s, size_t len, enum gsm7_coding coding)
{
	size_t per = coding == GSM7_CODING_GSM7 ? GSM7_SEPTETS_MULTI : GSM7_UCS2_MULTI;
	size_t pos = 0, used = 0, segments = 1;
	uint32_t cp;

	while (pos < len && utf8_decode(s, len, &pos, &cp)) {
		size_t u = cp_units(cp, coding);

		if (used + u > per) {
			segments++;
			used = 0;
		}
		used += u;
	}
	return segments;
}

bool gsm7_measure(const char *s, size_t len, struct gsm7_size *out)
{
	size_t pos = 0, septets = 0, utf16 = 0, chars = 0;
	bool gsm = true;
	uint32_t cp;

	while (pos < len) {
		int sep;

		if ((unsigned char)s[pos] < 0x80) {
			sep = ascii_septets[(unsigned char)s[pos++]];
			chars++;
			utf16++;
			gsm = gsm && sep != 0;
			septets += (size_t)sep;
			continue;
		}
		if (!utf8_decode(s, len, &pos, &cp))
			return false;
		chars++;
		utf16 += cp >= 0x10000 ? 2 : 1;
		sep = gsm7_septets(cp);
		if (sep == 0)
			gsm = false;
		septets += (size_t)sep;
	}
	out->coding = gsm ? GSM7_CODING_GSM7 : GSM7_CODING_UCS2;
	out->units = gsm ? septets : utf16;
	out->chars = chars;
	if (out->units <= (gsm ? GSM7_SEPTETS_SINGLE : GSM7_UCS2_SINGLE))
		out->segments = 1;
	else
		out->segments = count_multi(s, len, out->coding);
	return true;
}

size_t gsm7_segments(const char *s, size_t len)
{
	struct gsm7_size sz;

	if (!gsm7_measure(s, len, &sz))
		return 0;
	return sz.segments;
}
