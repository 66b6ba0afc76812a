/*
 * template.c - SMS text templates; see template.h.
 */
#include "template.h"

#include <string.h>

/* The index of the '}' closing the '{' at t[i]; len when unbalanced. */
static size_t closing(const char *t, size_t len, size_t i)
{
	int depth = 0;

	for (; i < len; i++) {
		if (t[i] == '{')
			depth++;
		else if (t[i] == '}' && --depth == 0)
			return i;
	}
	return len;
}

/* {?name:body} at t[i..end]: body is rendered when name is present. */
static void conditional(const struct template_ops *ops, void *ctx, const char *t, size_t i,
			size_t end, struct strbuf *o)
{
	const char *name = t + i + 2, *colon = memchr(name, ':', end - i - 2);

	if (colon == NULL) {
		strbuf_append(o, t + i, end + 1 - i); /* shows up in the tests */
		return;
	}
	if (ops->present(ctx, name, (size_t)(colon - name)))
		template_render(ops, ctx, colon + 1, (size_t)(t + end - colon - 1), o);
}

void template_render(const struct template_ops *ops, void *ctx, const char *t, size_t len,
		     struct strbuf *o)
{
	size_t i = 0, run = 0;

	while (i < len) {
		size_t end;

		if (t[i] != '{') {
			i++;
			continue;
		}
		strbuf_append(o, t + run, i - run);
		end = closing(t, len, i);
		if (end >= len)
			return;
		if (t[i + 1] == '?')
			conditional(ops, ctx, t, i, end, o);
		else if (!ops->subst(ctx, t + i + 1, end - i - 1, o))
			strbuf_append(o, t + i, end + 1 - i); /* a typo shows in the tests */
		i = run = end + 1;
	}
	strbuf_append(o, t + run, len - run);
}

int template_render_sms(const struct template_ops *ops, void *ctx, const char *const *tpls,
			size_t n, char *buf, size_t cap, size_t *which, struct gsm7_size *size)
{
	struct gsm7_size sz = { GSM7_CODING_GSM7, 0, 0, 1 };

	if (cap == 0)
		return -1;
	for (size_t k = 0; k < n; k++) {
		struct strbuf o;

		if (tpls[k] == NULL)
			continue;
		strbuf_init(&o, buf, cap);
		template_render(ops, ctx, tpls[k], strlen(tpls[k]), &o);
		if (o.overflow || o.len == 0 || !gsm7_measure(buf, o.len, &sz) || sz.segments != 1)
			continue;
		if (which != NULL)
			*which = k;
		if (size != NULL)
			*size = sz;
		return (int)o.len;
	}
	buf[0] = '\0';
	return -1;
}

void template_capped(struct strbuf *o, const char *s, size_t len, size_t max)
{
	size_t pos = 0, chars = 0;

	while (pos < len && chars < max) {
		pos++;
		while (pos < len && ((unsigned char)s[pos] & 0xc0) == 0x80)
			pos++;
		chars++;
	}
	strbuf_append(o, s, pos);
	if (pos < len)
		strbuf_append(o, "..", 2);
}

void template_uint(struct strbuf *o, unsigned long long v)
{
	char tmp[24];
	size_t n = sizeof(tmp);

	do {
		tmp[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	strbuf_append(o, tmp + n, sizeof(tmp) - n);
}
