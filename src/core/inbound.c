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

const char *inbound_transport_name(uint8_t transport)
{
	switch (transport) {
	case INBOUND_HTTP: return "http";
	case INBOUND_USSD: return "ussd";
	default: return "modem";
	}
}
