/*
 * fuzz_spool.c - spool_decode() on arbitrary bytes, and on a valid file
 * with arbitrary bytes written over it.
 */
#include <stdint.h>
#include <string.h>

#include "spool.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char buf[SPOOL_FILE_SIZE];
	struct inbound in, out;

	if (spool_decode(data, size, &out) && !inbound_valid(&out))
		__builtin_trap();
	/* a well-formed record carrying the fuzz bytes as text */
	memset(&in, 0, sizeof(in));
	in.transport = INBOUND_HTTP;
	in.text_len = (uint16_t)(size < INBOUND_TEXT_MAX ? size : INBOUND_TEXT_MAX);
	memcpy(in.text, data, in.text_len);
	in.text[in.text_len] = '\0';
	in.text_len = (uint16_t)strlen(in.text);
	inbound_dedup_key(&in);
	spool_encode(&in, buf);
	if (spool_decode(buf, sizeof(buf), &out) != inbound_valid(&in))
		__builtin_trap();
	return 0;
}
