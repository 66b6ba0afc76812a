/*
 * card.c - the observer's card; see card.h.
 */
#include "card.h"

#include <string.h>

#include "parse.h"
#include "reply.h"
#include "util.h"

/* The forms on the card, in the order of an election day, with the help
 * entry that describes each. */
static const struct {
	enum parse_form form;
	enum reply_kind help;
} card_forms[] = {
	{ PARSE_FORM_OPEN, REPLY_HELP_OPEN },         { PARSE_FORM_TURNOUT, REPLY_HELP_TURNOUT },
	{ PARSE_FORM_CLOSE, REPLY_HELP_CLOSE },       { PARSE_FORM_RESULTS, REPLY_HELP_RESULTS },
	{ PARSE_FORM_INCIDENT, REPLY_HELP_INCIDENT },
};
#define CARD_FORMS (sizeof(card_forms) / sizeof(card_forms[0]))

/* The card's own words, one set per language. */
struct card_words {
	const char *title;
	const char *station; /* before the station code */
	const char *intro;   /* how a message is built */
	const char *forms[CARD_FORMS];
	const char *send;      /* before an example message */
	const char *reply;     /* before the reply it gets */
	const char *ex_marker; /* where a HELP text's example starts: cut there */
	const char *pin;
	const char *correct;
	const char *help; /* followed by the HELP keyword */
};

static const struct card_words card_words[LANG_COUNT] = {
	[LANG_AR] = {
		.title = "بطاقة المراقب",
		.station = "رقم قلمك",
		.intro = "رسالة واحدة لكل تقرير: الكلمة، ثم رقم القلم، ثم الأعداد. يصلك رد على كل رسالة.",
		.forms = { "الافتتاح", "الاقتراع حتى الآن", "الإغلاق", "النتائج", "مخالفة" },
		.send = "أرسل",
		.reply = "الرد",
		.ex_marker = " مثال:",
		.pin = "الرمز السري: أضف # ثم رمزك في أي مكان من الرسالة، مثلا #1234",
		.correct = "للتصحيح أعد إرسال الرسالة كاملة: الأحدث هو المعتمد.",
		.help = "للمساعدة أرسل",
	},
	[LANG_EN] = {
		.title = "Observer card",
		.station = "Your station",
		.intro = "One SMS per report: the keyword, the station number, then the figures. "
			 "Every SMS gets a reply.",
		.forms = { "Opening", "Turnout so far", "Close", "Results", "Incident" },
		.send = "Send",
		.reply = "Reply",
		.ex_marker = " Ex:",
		.pin = "PIN: add # and your PIN anywhere in the message, e.g. #1234",
		.correct = "To correct a report, send the whole message again: the newest counts.",
		.help = "Lost? Send",
	},
	[LANG_FR] = {
		.title = "Carte de l'observateur",
		.station = "Votre bureau",
		.intro = "Un SMS par rapport : le mot-clé, le numéro du bureau, puis les chiffres. "
			 "Chaque SMS reçoit une réponse.",
		.forms = { "Ouverture", "Participation", "Fermeture", "Résultats", "Incident" },
		.send = "Envoyez",
		.reply = "Réponse",
		.ex_marker = " Ex:",
		.pin = "PIN : ajoutez # et votre PIN n'importe où dans le message, par ex. #1234",
		.correct = "Pour corriger, renvoyez le message entier : le plus récent compte.",
		.help = "Besoin d'aide ? Envoyez",
	},
};

/* Inline CSS: large type, A5, nothing fetched. */
static const char card_css[] =
	"@page{size:A5;margin:8mm}"
	"*{box-sizing:border-box}"
	"body{margin:0;font-family:'DejaVu Sans','Noto Sans','Noto Naskh Arabic',Arial,sans-serif;"
	"font-size:13pt;line-height:1.3;color:#000;background:#fff}"
	".card{max-width:132mm;margin:0 auto}"
	"h1{font-size:20pt;margin:0 0 2mm}"
	".election{font-size:12pt;margin:0 0 2mm}"
	".station{font-size:16pt;border:2px solid #000;padding:1.5mm 3mm;margin:0 0 2mm}"
	".station b{font-size:22pt;letter-spacing:1px}"
	".intro{margin:0 0 2mm}"
	"section{border-top:1px solid #000;padding:1.5mm 0;page-break-inside:avoid}"
	"h2{font-size:15pt;margin:0}"
	".fmt{margin:0.5mm 0;font-size:12pt}"
	".send,.reply{margin:0.5mm 0}"
	".send code{font-family:'DejaVu Sans Mono',monospace;font-size:17pt;font-weight:bold;"
	"background:#eee;padding:0 2mm}"
	".reply{font-size:11pt;font-style:italic}"
	".notes{border-top:2px solid #000;padding-top:1.5mm;font-size:12pt}"
	".notes p{margin:0.5mm 0}";

/* Append s with &, <, >, " and ' escaped for HTML text and attributes. */
static void put_escaped(struct strbuf *o, const char *s, size_t n)
{
	size_t run = 0;

	for (size_t i = 0; i < n; i++) {
		const char *rep = NULL;

		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		strbuf_append(o, s + run, i - run);
		strbuf_puts(o, rep);
		run = i + 1;
	}
	strbuf_append(o, s + run, n - run);
}

static void put_text(struct strbuf *o, const char *s)
{
	put_escaped(o, s, strlen(s));
}

/* A station code an observer can send: 1 to PARSE_STATION_MAX ASCII digits. */
static bool station_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > PARSE_STATION_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* One form's section: title, format (the HELP text up to its example),
 * the example with the station, and its reply.  False after writing err. */
static bool put_form(struct strbuf *o, const struct card_args *a, size_t i, char *err,
		     size_t errlen)
{
	const struct card_words *w = &card_words[a->lang];
	enum parse_form form = card_forms[i].form;
	char ex[REPLY_MAX], help[REPLY_MAX], reply[REPLY_MAX];
	struct reply_args ra = { 0 }, ha = { 0 };
	struct parse_msg msg;
	enum reply_kind kind;
	const char *cut;
	int ex_len, help_len, reply_len;

	ha.form = form;
	ex_len = reply_example(a->lang, form, a->station, ex, sizeof(ex));
	help_len = reply_render(card_forms[i].help, a->lang, &ha, help, sizeof(help), NULL);
	if (ex_len <= 0 || help_len <= 0) {
		util_seterr(err, errlen, "no %s example or help for \"%s\"", lang_code(a->lang),
			    parse_form_name(form));
		return false;
	}
	if (!parse_message(ex, (size_t)ex_len, a->lang, &msg) || msg.form != form ||
	    strcmp(msg.station, a->station != NULL ? a->station : "1021") != 0 ||
	    !reply_kind_for_msg(&msg, &kind)) {
		util_seterr(err, errlen, "the %s example \"%s\" does not read as \"%s\"",
			    lang_code(a->lang), ex, parse_form_name(form));
		return false;
	}
	reply_args_from_msg(&ra, &msg, ex, (size_t)ex_len);
	reply_len = reply_render(kind, a->lang, &ra, reply, sizeof(reply), NULL);
	if (reply_len <= 0) {
		util_seterr(err, errlen, "no %s reply \"%s\"", lang_code(a->lang),
			    reply_kind_code(kind));
		return false;
	}
	cut = strstr(help, w->ex_marker);
	if (cut != NULL)
		help_len = (int)(cut - help);

	strbuf_puts(o, "<section><h2>");
	put_text(o, w->forms[i]);
	strbuf_puts(o, "</h2><p class=\"fmt\">");
	put_escaped(o, help, (size_t)help_len);
	strbuf_puts(o, "</p><p class=\"send\">");
	put_text(o, w->send);
	strbuf_puts(o, " <code>");
	put_escaped(o, ex, (size_t)ex_len);
	strbuf_puts(o, "</code></p><p class=\"reply\">");
	put_text(o, w->reply);
	strbuf_puts(o, ": ");
	put_escaped(o, reply, (size_t)reply_len);
	strbuf_puts(o, "</p></section>\n");
	return true;
}

bool card_render(const struct card_args *a, struct strbuf *out, char *err, size_t errlen)
{
	const struct card_words *w;
	char help_kw[REPLY_MAX];
	int n;

	if ((unsigned)a->lang >= LANG_COUNT) {
		util_seterr(err, errlen, "unknown language");
		return false;
	}
	if (a->station != NULL && !station_ok(a->station)) {
		util_seterr(err, errlen, "station code \"%s\" is not valid: 1 to %d digits 0-9",
			    a->station, PARSE_STATION_MAX);
		return false;
	}
	w = &card_words[a->lang];
	n = reply_example(a->lang, PARSE_FORM_HELP, NULL, help_kw, sizeof(help_kw));
	if (n <= 0) {
		util_seterr(err, errlen, "no %s example for \"help\"", lang_code(a->lang));
		return false;
	}

	strbuf_printf(out,
		      "<!DOCTYPE html>\n<html lang=\"%s\" dir=\"%s\">\n<head>\n"
		      "<meta charset=\"utf-8\">\n"
		      "<meta name=\"viewport\" content=\"width=device-width\">\n<title>",
		      lang_code(a->lang), a->lang == LANG_AR ? "rtl" : "ltr");
	put_text(out, w->title);
	if (a->station != NULL) {
		strbuf_puts(out, " ");
		put_text(out, a->station);
	}
	strbuf_printf(out,
		      "</title>\n<style>%s</style>\n</head>\n<body>\n<div class=\"card\">\n<h1>",
		      card_css);
	put_text(out, w->title);
	strbuf_puts(out, "</h1>\n");
	if (a->election != NULL && a->election[0] != '\0') {
		strbuf_puts(out, "<p class=\"election\">");
		put_text(out, a->election);
		strbuf_puts(out, "</p>\n");
	}
	strbuf_puts(out, "<p class=\"station\">");
	put_text(out, w->station);
	strbuf_puts(out, ": <b class=\"code\">");
	put_text(out, a->station != NULL ? a->station : "____");
	strbuf_puts(out, "</b>");
	if (a->station_name != NULL && a->station_name[0] != '\0') {
		strbuf_puts(out, " <span class=\"name\">");
		put_text(out, a->station_name);
		strbuf_puts(out, "</span>");
	}
	strbuf_puts(out, "</p>\n<p class=\"intro\">");
	put_text(out, w->intro);
	strbuf_puts(out, "</p>\n");
	for (size_t i = 0; i < CARD_FORMS; i++)
		if (!put_form(out, a, i, err, errlen))
			return false;
	strbuf_puts(out, "<div class=\"notes\"><p>");
	put_text(out, w->pin);
	strbuf_puts(out, "</p><p>");
	put_text(out, w->correct);
	strbuf_puts(out, "</p><p>");
	put_text(out, w->help);
	strbuf_puts(out, " <code>");
	put_escaped(out, help_kw, (size_t)n);
	strbuf_puts(out, "</code></p></div>\n</div>\n</body>\n</html>\n");
	if (out->overflow) {
		util_seterr(err, errlen, "the card does not fit in %zu bytes", out->cap);
		return false;
	}
	return true;
}
