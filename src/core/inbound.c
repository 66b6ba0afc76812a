/*
 * inbound.c - inbound message records; see inbound.h.
 */
#include "inbound.h"

#include <inttypes.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "utf8.h"
#include "util.h"

void inbound_dedup_key(struct inbound *in)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char head[128];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int n;

	/* sender and numbers first, NUL-separated, then the text */
	n = snprintf(head, sizeof(head), "%s%c%" PRId64 "%c%u%c%u%c", in->sender, 0, in->smsc_time,
		     0, in->concat_ref, 0, in->concat_parts, 0);
	if (ctx == NULL || n < 0 || (size_t)n >= sizeof(head) ||
	    !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) ||
	    !EVP_DigestUpdate(ctx, head, (size_t)n) ||
	    !EVP_DigestUpdate(ctx, in->text, in->text_len) || !EVP_DigestFinal_ex(ctx, md, &mdlen))
		mdlen = 0;
	EVP_MD_CTX_free(ctx);
	util_hex(in->dedup, md, mdlen < 32 ? mdlen : 32);
}

static bool terminated(const char *s, size_t cap)
{
	return memchr(s, '\0', cap) != NULL;
}

bool inbound_valid(const struct inbound *in)
{
	if (in->transport < INBOUND_GSM || in->transport > INBOUND_USSD)
		return false;
	if (!terminated(in->source, sizeof(in->source)) ||
	    !terminated(in->sender, sizeof(in->sender)) ||
	    !terminated(in->dedup, sizeof(in->dedup)))
		return false;
	if (in->text_len > INBOUND_TEXT_MAX || in->text[in->text_len] != '\0' ||
	    strlen(in->text) != in->text_len)
		return false;
	return utf8_validate(in->text, in->text_len) == in->text_len;
}

/* True for the C0 and C1 control characters and DEL. */
static bool is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

/* The character of raw at *pos as it is kept (U+FFFD for a control
 * character or a byte that is not UTF-8) into c; its length; *bad when
 * replaced. */
static size_t sender_char(const char *raw, size_t len, size_t *pos, char *c, bool *bad)
{
	size_t start = *pos;
	uint32_t cp;

	if (!utf8_decode(raw, len, pos, &cp) || is_control(cp)) {
		if (*pos == start)
			(*pos)++;
		*bad = true;
		return utf8_encode(0xfffd, c);
	}
	return utf8_encode(cp, c);
}

bool inbound_sender_clean(const char *raw, char *out, size_t cap)
{
	size_t len = strlen(raw), pos = 0, used = 0, all = 0, k;
	bool clean = true, cut;
	char c[UTF8_MAX_BYTES];

	if (cap < 4)
		return false;
	while (pos < len)
		all += sender_char(raw, len, &pos, c, &clean);
	cut = all + 1 > cap;
	clean = true;
	pos = 0;
	while (pos < len) {
		bool bad = false;

		k = sender_char(raw, len, &pos, c, &bad);
		/* a cut sender keeps room for its mark */
		if (used + k + (cut ? 3 : 0) + 1 > cap)
			break;
		memcpy(out + used, c, k);
		used += k;
		clean = clean && !bad;
	}
	if (cut)
		used += utf8_encode(0xfffd, out + used);
	out[used] = '\0';
	return clean && !cut;
}

const char *inbound_transport_name(uint8_t transport)
{
	switch (transport) {
	case INBOUND_HTTP: return "http";
	case INBOUND_USSD: return "ussd";
	default: return "modem";
	}
}
