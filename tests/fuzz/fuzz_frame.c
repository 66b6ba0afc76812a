/*
 * fuzz_frame.c - fuzz the frame decoder as the daemon and a worker use it:
 * over a byte stream, frame after frame, until the stream ends or a frame
 * is rejected.
 *
 * Checked on every frame accepted: it used exactly its header plus its
 * type's payload length, inbound records pass inbound_valid(), every
 * string is terminated, and re-encoding gives back the very same bytes
 * (the encoding is canonical).  Feeding the accepted frame one byte short
 * must say "incomplete".
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "inbound.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_strings(const struct frame *f)
{
	switch (f->type) {
	case FRAME_HELLO:
		if (strlen(f->u.hello.model) >= FRAME_NAME_MAX)
			abort();
		break;
	case FRAME_INBOUND:
		if (!inbound_valid(&f->u.inbound.in))
			abort();
		break;
	case FRAME_SEND:
		if (strlen(f->u.send.text) != f->u.send.text_len || f->u.send.to[0] == '\0')
			abort();
		break;
	default: break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t again[FRAME_MAX];
	static struct frame f, g;
	size_t pos = 0, used, n;

	while (pos < size) {
		enum frame_result r = frame_decode(data + pos, size - pos, &f, &used);

		if (r != FRAME_OK) {
			if (used != 0)
				abort();
			break;
		}
		if (used != FRAME_HEADER + (size_t)frame_payload_len(f.type) || used > size - pos)
			abort();
		check_strings(&f);
		n = frame_encode(&f, again, sizeof(again));
		if (n != used || memcmp(again, data + pos, used) != 0)
			abort();
		if (frame_decode(data + pos, used - 1, &g, &n) != FRAME_INCOMPLETE)
			abort();
		pos += used;
	}
	return 0;
}
