/*
 * fuzz_checklist_expr.c - fuzz the logic checks' compiler and evaluator
 * (checklist_expr.c).
 *
 * Every input is compiled as an expression against a fixed form.  A
 * refused one must say why; a compiled one must have at most
 * CHECKLIST_EXPR_NODES nodes forming one well-formed postfix program, be
 * evaluated to one of the three truths over values drawn from the input,
 * give the same truth twice, and be written as JSON without overflowing a
 * generous buffer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checklist.h"
#include "checklist_expr.h"
#include "json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char forms_csv[] =
	"form,kind,code,type,min,max,required,group,option,ar,en,fr\n"
	"OP,form,,,,,,,,,Opening,\n"
	"OP,question,AA,yesno,,,yes,1,,,A,\n"
	"OP,question,AB,integer,0,50,yes,1,,,B,\n"
	"OP,question,AC,multi,,,no,1,,,C,\n"
	"OP,option,AC,,,,,,1,,One,\n"
	"OP,option,AC,,,,,,3,,Three,\n"
	"OP,question,AD,choice,,,no,2,,,D,\n"
	"OP,option,AD,,,,,,2,,Two,\n"
	"OP,question,V,integer,0,9,no,2,,,V,\n"
	"OP,question,Z,text,,,no,2,,,Z,\n";

static const struct checklist_form *form(void)
{
	static struct checklist_set *set;

	if (set == NULL) {
		set = checklist_set_new();
		if (set == NULL || !checklist_set_parse(set, forms_csv, sizeof(forms_csv) - 1) ||
		    checklist_set_n_forms(set) != 1)
			abort();
	}
	return checklist_set_form(set, 0);
}

/* The stack depth after each node never drops below one operand. */
static void check_program(const struct checklist_expr *e)
{
	int depth = 0;

	if (e->n == 0 || e->n > CHECKLIST_EXPR_NODES)
		abort();
	for (size_t i = 0; i < e->n; i++) {
		switch ((enum checklist_node_kind)e->nodes[i].kind) {
		case CHECKLIST_NODE_NUM:
		case CHECKLIST_NODE_QUESTION:
		case CHECKLIST_NODE_FIGURE:
		case CHECKLIST_NODE_HAS: depth++; break;
		case CHECKLIST_NODE_NOT:
			if (depth < 1)
				abort();
			break;
		case CHECKLIST_NODE_CMP:
		case CHECKLIST_NODE_AND:
		case CHECKLIST_NODE_OR:
			if (depth < 2)
				abort();
			depth--;
			break;
		default: abort();
		}
	}
	if (depth != 1)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct checklist_form *f = form();
	struct checklist_expr e;
	struct checklist_values v = { 0 };
	char err[256], js[16384];
	struct json_buf j;
	enum checklist_truth t;

	if (!checklist_expr_compile(f, (const char *)data, size, &e, err, sizeof(err))) {
		if (err[0] == '\0')
			abort();
		return 0;
	}
	check_program(&e);
	for (size_t i = 0; i < size && i < 8; i++) {
		v.known |= (uint64_t)(data[i] & 1) << (i % 6);
		v.value[i % 6] = data[i] % 11;
		v.fig_known |= (uint8_t)((data[i] >> 1 & 1) << (i % CHECKLIST_FIG_COUNT));
		v.fig[i % CHECKLIST_FIG_COUNT] = data[i];
	}
	t = checklist_expr_eval(&e, &v);
	if (t != CHECKLIST_TRUE && t != CHECKLIST_FALSE && t != CHECKLIST_UNKNOWN)
		abort();
	if (checklist_expr_eval(&e, &v) != t)
		abort();
	json_init(&j, js, sizeof(js));
	json_open_object(&j, NULL);
	checklist_expr_json(&e, f, &j, "rpn");
	json_close_object(&j);
	if (!json_finish(&j))
		abort();
	return 0;
}
