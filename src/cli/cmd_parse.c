/*
 * cmd_parse.c - `sawt parse`: observer messages to JSON.
 *
 *   sawt parse [OPTIONS] [MESSAGE...]
 *       One JSON object for MESSAGE (several words are joined with spaces),
 *       or, with no MESSAGE, one per line of standard input.
 *       --lang ar|en|fr        election default (else [election] default_language)
 *       --reply                add the reply sawt would send ("reply", "reply_kind")
 *       --observer-lang LANG   answer as if the sender registered LANG
 *       --ucs2                 messages are hex UTF-16BE, as modems give them
 *       --checklists FILE.csv  read messages that name one of FILE's forms as
 *                              checklist answers (docs/checklists.md)
 *
 * The JSON is described in docs/parse-json.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checklist.h"
#include "checklist_parse.h"
#include "checklist_reply.h"
#include "cli.h"
#include "file.h"
#include "json.h"
#include "report_json.h"
#include "log.h"
#include "parse.h"
#include "reply.h"
#include "utf8.h"
#include "util.h"

struct parse_opts {
	enum lang fallback;
	int observer_lang; /* enum lang, -1 unknown */
	bool reply;
	bool ucs2;
	struct checklist_set *checklists; /* --checklists; NULL: none */
};

static void parse_usage(FILE *out)
{
	fprintf(out,
		"usage: sawt parse [--lang ar|en|fr] [--reply] [--observer-lang LANG] "
		"[--ucs2] [--checklists FILE.csv] [MESSAGE...]\n"
		"With no MESSAGE, parse each line of standard input.\n");
}

static bool lang_opt(const char *value, enum lang *out)
{
	if (!lang_parse(value, out)) {
		log_error("invalid language \"%s\": expected ar, en or fr", value);
		return false;
	}
	return true;
}

/* Read the checklist definitions of path into o; false after a message. */
static bool load_checklists(const char *path, struct parse_opts *o)
{
	char err[512];
	size_t len;
	char *buf = file_read_all(path, 64 * 1024 * 1024, &len, err, sizeof(err));
	bool ok = false;

	if (buf == NULL) {
		log_error("%s", err);
		return false;
	}
	checklist_set_free(o->checklists);
	if ((o->checklists = checklist_set_new()) == NULL ||
	    !checklist_set_parse(o->checklists, buf, len)) {
		log_error("out of memory");
		goto done;
	}
	for (size_t i = 0; i < checklist_set_n_errors(o->checklists); i++)
		log_error("%s: %s", path, checklist_set_error(o->checklists, i));
	ok = checklist_set_n_errors(o->checklists) == 0;
done:
	free(buf);
	return ok;
}

/* Parse options; return the index of the first message word, or -1. */
static int parse_options(int argc, char **argv, struct parse_opts *o)
{
	const char *v;
	enum lang l;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		if (strcmp(argv[i], "--") == 0)
			return i + 1;
		if (strcmp(argv[i], "--reply") == 0) {
			o->reply = true;
		} else if (strcmp(argv[i], "--ucs2") == 0) {
			o->ucs2 = true;
		} else if ((v = cli_opt_value(argc, argv, &i, "--lang")) != NULL) {
			if (!lang_opt(v, &o->fallback))
				return -1;
		} else if ((v = cli_opt_value(argc, argv, &i, "--checklists")) != NULL) {
			if (!load_checklists(v, o))
				return -1;
		} else if ((v = cli_opt_value(argc, argv, &i, "--observer-lang")) != NULL) {
			if (!lang_opt(v, &l))
				return -1;
			o->observer_lang = (int)l;
		} else {
			log_error("unknown option \"%s\"", argv[i]);
			return -1;
		}
	}
	return i;
}

static void add_reply(struct json_buf *j, const struct parse_msg *m, const char *text, size_t len,
		      const struct parse_opts *o)
{
	struct reply_args a;
	enum reply_kind kind;
	char buf[REPLY_MAX];
	const struct checklist_form *help;
	int n;

	if (!reply_kind_for_msg(m, &kind))
		return;
	help = checklist_help_topic(o->checklists, m, text, len);
	if (help != NULL) {
		n = checklist_help(help, reply_lang(o->observer_lang, m), buf, sizeof(buf));
		if (n > 0) {
			json_string(j, "reply_kind", "checklist_help", strlen("checklist_help"));
			json_string(j, "reply", buf, (size_t)n);
		}
		return;
	}
	reply_args_from_msg(&a, m, text, len);
	n = reply_render(kind, reply_lang(o->observer_lang, m), &a, buf, sizeof(buf), NULL);
	if (n < 0)
		return;
	json_string(j, "reply_kind", reply_kind_code(kind), strlen(reply_kind_code(kind)));
	json_string(j, "reply", buf, (size_t)n);
}

/*
 * A checklist message as JSON: {"ok", "checklist", "lang", "station",
 * "pin", "answers": {CODE: value}, "problems": [{"problem", "code",
 * "pos": 1-based character}], "missing": [CODE], "checks": [NAME], "error"}
 * (checks: those of the form that hold on this message's answers alone,
 * with no station figure known) and, with --reply,
 * "reply" (in --observer-lang, else the language of the form word).
 */
static bool print_checklist(const char *text, size_t len, const struct parse_opts *o)
{
	static char out[64 * 1024];
	struct checklist_msg m;
	struct json_buf j;
	bool ok = checklist_parse(o->checklists, text, len, o->fallback, &m);
	uint64_t miss = m.form != NULL ? checklist_missing(m.form, m.answered, m.groups) : 0;

	json_init(&j, out, sizeof(out));
	json_open_object(&j, NULL);
	json_bool(&j, "ok", ok);
	if (!ok)
		json_string(&j, "error", checklist_error_code(m.error),
			    strlen(checklist_error_code(m.error)));
	if (m.form != NULL)
		json_string(&j, "checklist", m.form->code, strlen(m.form->code));
	json_string(&j, "lang", lang_code(m.lang), strlen(lang_code(m.lang)));
	if (m.station[0] != '\0')
		json_string(&j, "station", m.station, strlen(m.station));
	json_bool(&j, "pin", m.pin[0] != '\0');
	json_open_object(&j, "answers");
	for (size_t i = 0; i < m.n_answers; i++) {
		const struct checklist_answer *a = &m.answers[i];
		const struct checklist_question *q = &m.form->questions[a->q];

		if (q->type == CHECKLIST_TEXT) {
			json_string(&j, q->code, text + a->text.off, a->text.len);
		} else if (q->type == CHECKLIST_MULTI) {
			json_open_array(&j, q->code);
			for (int d = 1; d <= CHECKLIST_MAX_OPTIONS; d++)
				if (a->value & (1u << d))
					json_int(&j, NULL, d);
			json_close_array(&j);
		} else {
			json_uint(&j, q->code, a->value);
		}
	}
	json_close_object(&j);
	json_open_array(&j, "problems");
	for (size_t i = 0; i < m.n_problems; i++) {
		const struct checklist_problem *p = &m.problems[i];
		const char *name = checklist_problem_name(p->kind);

		json_open_object(&j, NULL);
		json_string(&j, "problem", name, strlen(name));
		if (p->code[0] != '\0')
			json_string(&j, "code", p->code, strlen(p->code));
		json_uint(&j, "pos", (uint64_t)utf8_count(text, p->span.off) + 1);
		json_close_object(&j);
	}
	json_close_array(&j);
	json_open_array(&j, "missing");
	for (int i = 0; m.form != NULL && i < m.form->n_questions; i++)
		if (miss & (UINT64_C(1) << i))
			json_string(&j, NULL, m.form->questions[i].code,
				    strlen(m.form->questions[i].code));
	json_close_array(&j);
	json_open_array(&j, "checks");
	if (m.form != NULL) {
		struct checklist_values v;

		checklist_msg_values(&m, &v);
		for (int i = 0; i < m.form->n_checks; i++)
			if (checklist_expr_eval(&m.form->checks[i].expr, &v) == CHECKLIST_TRUE)
				json_string(&j, NULL, m.form->checks[i].name,
					    strlen(m.form->checks[i].name));
	}
	json_close_array(&j);
	if (o->reply) {
		char buf[REPLY_MAX];
		enum lang l = o->observer_lang >= 0 ? (enum lang)o->observer_lang : m.lang;
		int n = checklist_reply(&m, l, miss, buf, sizeof(buf));

		if (n > 0)
			json_string(&j, "reply", buf, (size_t)n);
	}
	json_close_object(&j);
	if (!json_finish(&j)) {
		log_error("JSON output does not fit in %zu bytes", sizeof(out));
		return false;
	}
	puts(out);
	return ok;
}

/* Parse one message and print its JSON line; returns true when it parsed. */
static bool print_one(const char *text, size_t len, const struct parse_opts *o)
{
	static char out[REPORT_JSON_MAX + 4 * REPLY_MAX];
	struct parse_msg m;
	struct json_buf j;
	bool ok;

	if (o->checklists != NULL && checklist_match(o->checklists, text, len) != NULL)
		return print_checklist(text, len, o);
	ok = parse_message(text, len, o->fallback, &m);
	json_init(&j, out, sizeof(out));
	json_open_object(&j, NULL);
	report_json(&j, &m, text, len, true);
	if (o->reply)
		add_reply(&j, &m, text, len, o);
	json_close_object(&j);
	if (!json_finish(&j)) {
		log_error("JSON output does not fit in %zu bytes", sizeof(out));
		return false;
	}
	puts(out);
	return ok;
}

/* Hex UTF-16BE (spaces allowed) to UTF-8 in out; false with a message. */
static bool from_hex_ucs2(const char *hex, size_t len, char *out, size_t cap, size_t *outlen)
{
	uint8_t bytes[2 * PARSE_MAX_BYTES + 8];
	size_t n = 0;
	enum utf8_conv r;

	for (size_t i = 0; i < len; i++) {
		if (hex[i] == ' ')
			continue;
		if (i + 1 >= len || util_hex_digit(hex[i]) < 0 || util_hex_digit(hex[i + 1]) < 0 ||
		    n >= sizeof(bytes)) {
			log_error("invalid UCS-2 hex text at offset %zu", i);
			return false;
		}
		bytes[n++] = (uint8_t)(util_hex_digit(hex[i]) * 16 + util_hex_digit(hex[i + 1]));
		i++;
	}
	r = utf8_from_ucs2(bytes, n, out, cap, outlen);
	if (r != UTF8_CONV_OK) {
		log_error("could not convert UCS-2 text: %s", utf8_conv_name(r));
		return false;
	}
	return true;
}

/* Parse one message given as typed (or as hex UCS-2 with --ucs2). */
static bool handle(const char *text, size_t len, const struct parse_opts *o, bool *bad_input)
{
	static char conv[3 * PARSE_MAX_BYTES + 16];
	size_t n;

	if (!o->ucs2)
		return print_one(text, len, o);
	if (!from_hex_ucs2(text, len, conv, sizeof(conv), &n)) {
		*bad_input = true;
		return false;
	}
	return print_one(conv, n, o);
}

static int parse_stdin(const struct parse_opts *o)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	bool all_ok = true, bad_input = false;

	while ((n = getline(&line, &cap, stdin)) != -1) {
		if (n > 0 && line[n - 1] == '\n')
			n--;
		if (n > 0 && line[n - 1] == '\r')
			n--;
		all_ok &= handle(line, (size_t)n, o, &bad_input);
	}
	if (ferror(stdin)) {
		log_error("could not read standard input: %s", strerror(errno));
		bad_input = true;
	}
	free(line);
	return bad_input ? 2 : all_ok ? 0 : 1;
}

static int parse_args(int argc, char **argv, int first, const struct parse_opts *o)
{
	static char msg[4 * PARSE_MAX_BYTES];
	size_t len = 0;
	bool bad_input = false, ok;

	for (int i = first; i < argc; i++) {
		size_t n = strlen(argv[i]);

		if (i > first && len < sizeof(msg))
			msg[len++] = ' ';
		if (n > sizeof(msg) - len)
			n = sizeof(msg) - len; /* too long anyway: the parser says so */
		memcpy(msg + len, argv[i], n);
		len += n;
	}
	ok = handle(msg, len, o, &bad_input);
	return bad_input ? 2 : ok ? 0 : 1;
}

int cmd_parse(int argc, char **argv, const struct config *cfg)
{
	struct parse_opts o = { LANG_EN, -1, false, false, NULL };
	int first, rc;

	if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		parse_usage(stdout);
		return 0;
	}
	o.fallback = cfg->default_language;
	first = parse_options(argc, argv, &o);
	if (first < 0) {
		checklist_set_free(o.checklists);
		parse_usage(stderr);
		return 2;
	}
	rc = first >= argc ? parse_stdin(&o) : parse_args(argc, argv, first, &o);
	checklist_set_free(o.checklists);
	return rc;
}
