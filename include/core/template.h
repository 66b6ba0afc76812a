/*
 * template.h - the small template language of sawt's SMS texts, rendered
 * into one SMS segment.
 *
 * A template is UTF-8 text where {name} is replaced by a value and
 * {?name:text} keeps text (itself a template) only when name has a value.
 * The names and their values belong to the caller, through struct
 * template_ops; an unknown name is copied as typed, so a typo shows up in
 * the tests that render every text.
 *
 * template_render_sms() renders the first of a list of templates (the
 * main text, then shorter ones) whose result fits one SMS segment: 160
 * GSM 7-bit septets, or 70 UCS-2 units when the text needs UCS-2
 * (gsm7_measure()).  The alert texts use it (alert_text.c); the reply
 * catalogue has the same syntax (reply.c).
 *
 * Pure: no I/O, no allocation.
 */
#ifndef SAWT_TEMPLATE_H
#define SAWT_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "gsm7.h"
#include "log.h"
#include "strbuf.h"

struct template_ops {
	/* Append the value of the n-byte name to o; false when the name is
	 * not known (the placeholder is then copied as typed). */
	bool (*subst)(void *ctx, const char *name, size_t n, struct strbuf *o);
	/* True when the n-byte name has a value ({?name:...}); a name not
	 * known is present. */
	bool (*present)(void *ctx, const char *name, size_t n);
};

/* Render the len bytes of template tpl onto o with ops and ctx. */
void template_render(const struct template_ops *ops, void *ctx, const char *tpl, size_t len,
		     struct strbuf *o);

/*
 * Render into buf (cap bytes, NUL-terminated) the first of the n templates
 * tpls (NULL entries are skipped) whose result is one SMS segment.
 * Returns its length in bytes, or -1 when none fits (buf then holds "").
 * which, when not NULL, receives the index of the template used; size the
 * result's measure.
 */
int template_render_sms(const struct template_ops *ops, void *ctx, const char *const *tpls,
			size_t n, char *buf, size_t cap, size_t *which,
			struct gsm7_size *size) SAWT_MUST_CHECK;

/* Append at most max code points of the len bytes at s to o, ".." when
 * cut. */
void template_capped(struct strbuf *o, const char *s, size_t len, size_t max);

/* Append the decimal digits of v to o. */
void template_uint(struct strbuf *o, unsigned long long v);

#endif
