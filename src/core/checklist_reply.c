/*
 * checklist_reply.c - one-SMS replies to checklist messages; see
 * checklist_reply.h.
 */
#include "checklist_reply.h"

#include <stdio.h>
#include <string.h>

#include "gsm7.h"
#include "strbuf.h"

/* The catalogue: one line per text, one column per language. */
enum text {
	T_SAVED,   /* station, form, count */
	T_WRONG,   /* list follows */
	T_UNKNOWN, /* list follows */
	T_MISSING, /* list follows */
	T_COMPLETE,
	T_NO_STATION, /* form */
	T_BAD_STATION,
	T_BAD_PIN,
	T_NOTHING_SAVED, /* station, form */
	T_UNREADABLE,
	T_OUTSIDE_WINDOW, /* station, form, window */
	T_HELP_HEAD,      /* form */
	T_HELP_SEVERAL,   /* after a multi question's options */
	T_HELP_TEXT,      /* a text question */
	T_HELP_TAIL,
	T_COUNT,
};

static const char *const texts[T_COUNT][LANG_COUNT] = {
	[T_SAVED] = { [LANG_EN] = "OK %s %s: %s saved.",
		      [LANG_FR] = "OK %s %s: %s enregistrées.",
		      [LANG_AR] = "تم %s %s: حفظت %s." },
	[T_WRONG] = { [LANG_EN] = " Wrong:", [LANG_FR] = " Erronées:", [LANG_AR] = " خطأ:" },
	[T_UNKNOWN] = { [LANG_EN] = " Unknown:",
			[LANG_FR] = " Inconnues:",
			[LANG_AR] = " غير معروف:" },
	[T_MISSING] = { [LANG_EN] = " Missing:", [LANG_FR] = " Manquent:", [LANG_AR] = " ناقص:" },
	[T_COMPLETE] = { [LANG_EN] = " Complete. Thank you.",
			 [LANG_FR] = " Complet. Merci.",
			 [LANG_AR] = " مكتمل. شكرا" },
	[T_NO_STATION] = { [LANG_EN] = "Station number missing. Ex: %s 1021 AA1 AB2",
			   [LANG_FR] = "Numéro du bureau manquant. Ex: %s 1021 AA1 AB2",
			   [LANG_AR] = "رقم القلم ناقص. مثال: %s 1021 AA1 AB2" },
	[T_BAD_STATION] = { [LANG_EN] = "Station number not valid. Ex: %s 1021 AA1 AB2",
			    [LANG_FR] = "Numéro du bureau invalide. Ex: %s 1021 AA1 AB2",
			    [LANG_AR] = "رقم القلم غير صحيح. مثال: %s 1021 AA1 AB2" },
	[T_BAD_PIN] = { [LANG_EN] = "PIN not valid: # then 4 to 8 digits. Nothing saved.",
			[LANG_FR] = "PIN invalide: # puis 4 à 8 chiffres. Rien enregistré.",
			[LANG_AR] = "الرمز غير صحيح: # ثم 4 إلى 8 أرقام. لم يحفظ شيء" },
	[T_NOTHING_SAVED] = { [LANG_EN] = "Nothing saved for %s %s: no valid answer.",
			      [LANG_FR] = "Rien enregistré pour %s %s: aucune réponse valide.",
			      [LANG_AR] = "لم يحفظ شيء %s %s: لا جواب صحيح." },
	[T_UNREADABLE] = { [LANG_EN] = "Message not readable. Ex: %s 1021 AA1 AB2",
			   [LANG_FR] = "Message illisible. Ex: %s 1021 AA1 AB2",
			   [LANG_AR] = "الرسالة غير مقروءة. مثال: %s 1021 AA1 AB2" },
	[T_OUTSIDE_WINDOW] = { [LANG_EN] =
				       "Nothing saved for %s %s: this checklist is sent %s only.",
			       [LANG_FR] =
				       "Rien enregistré pour %s %s: liste à envoyer %s seulement.",
			       [LANG_AR] = "لم يحفظ شيء %s %s: ترسل هذه الاستمارة %s فقط." },
	[T_HELP_HEAD] = { [LANG_EN] = "%s station +",
			  [LANG_FR] = "%s bureau +",
			  [LANG_AR] = "%s رقم القلم +" },
	[T_HELP_SEVERAL] = { [LANG_EN] = " (several)",
			     [LANG_FR] = " (plusieurs)",
			     [LANG_AR] = " (عدة)" },
	[T_HELP_TEXT] = { [LANG_EN] = "text", [LANG_FR] = "texte", [LANG_AR] = "نص" },
	[T_HELP_TAIL] = { [LANG_EN] = ". 1=yes 2=no",
			  [LANG_FR] = ". 1=oui 2=non",
			  [LANG_AR] = ". 1=نعم 2=لا" },
};

/* Append tmpl with each "%s" replaced by the next of args (n of them). */
static void fill(struct strbuf *sb, const char *tmpl, const char *const *args, size_t n)
{
	size_t k = 0;

	for (const char *p = tmpl; *p != '\0'; p++) {
		if (p[0] == '%' && p[1] == 's') {
			strbuf_puts(sb, k < n ? args[k] : "");
			k++;
			p++;
		} else {
			strbuf_append(sb, p, 1);
		}
	}
}

/* The codes of one list: from problems or from a question bit set. */
struct codes {
	const char *code[CHECKLIST_MAX_QUESTIONS + CHECKLIST_MAX_PROBLEMS];
	size_t n;
	size_t more; /* codes the message had but the parser did not keep */
};

static void add_code(struct codes *c, const char *code)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->code[i], code) == 0)
			return;
	if (c->n < sizeof(c->code) / sizeof(c->code[0]))
		c->code[c->n++] = code;
}

static void gather(const struct checklist_msg *m, uint64_t missing, struct codes *wrong,
		   struct codes *unknown, struct codes *miss)
{
	memset(wrong, 0, sizeof(*wrong));
	memset(unknown, 0, sizeof(*unknown));
	memset(miss, 0, sizeof(*miss));
	for (size_t i = 0; i < m->n_problems; i++) {
		const struct checklist_problem *p = &m->problems[i];

		if (p->kind == CHECKLIST_UNKNOWN_CODE)
			add_code(unknown, p->code);
		else if (p->kind != CHECKLIST_STRAY)
			add_code(wrong, p->code);
	}
	wrong->more = m->more_problems;
	if (m->form != NULL)
		for (int i = 0; i < m->form->n_questions; i++)
			if (missing & (UINT64_C(1) << i))
				add_code(miss, m->form->questions[i].code);
}

/* Append " Label: A B +N" showing at most show codes. */
static void list(struct strbuf *sb, const char *label, const struct codes *c, size_t show)
{
	size_t n = c->n < show ? c->n : show;
	size_t rest = c->n - n + c->more;

	if (c->n == 0 && c->more == 0)
		return;
	strbuf_puts(sb, label);
	for (size_t i = 0; i < n; i++)
		strbuf_printf(sb, " %s", c->code[i]);
	if (rest > 0)
		strbuf_printf(sb, " +%zu", rest);
	strbuf_puts(sb, ".");
}

static bool one_segment(const struct strbuf *sb)
{
	struct gsm7_size sz;

	return !sb->overflow && gsm7_measure(sb->buf, sb->len, &sz) && sz.segments == 1;
}

/* The saved (or nothing saved) line: station, form, count. */
static void head(struct strbuf *sb, const struct checklist_msg *m, enum lang lang, char *buf,
		 size_t cap)
{
	char count[8];
	const char *args[3] = { m->station, m->form->code, count };

	snprintf(count, sizeof(count), "%u", (unsigned)m->n_answers);
	strbuf_init(sb, buf, cap);
	fill(sb, texts[m->error == CHECKLIST_OK ? T_SAVED : T_NOTHING_SAVED][lang], args, 3);
}

/*
 * The head with the three lists, cut to fit: fewer codes of each list
 * until the text fits one segment; then the wrong and unknown codes as
 * one count; at last the head alone.
 */
static int with_lists(const struct checklist_msg *m, enum lang lang, uint64_t missing, char *buf,
		      size_t cap)
{
	struct codes wrong, unknown, miss, none = { .n = 0 };
	struct strbuf sb;

	gather(m, missing, &wrong, &unknown, &miss);
	for (size_t show = CHECKLIST_MAX_QUESTIONS + CHECKLIST_MAX_PROBLEMS;; show--) {
		head(&sb, m, lang, buf, cap);
		list(&sb, texts[T_WRONG][lang], &wrong, show);
		list(&sb, texts[T_UNKNOWN][lang], &unknown, show);
		list(&sb, texts[T_MISSING][lang], &miss, show);
		if (m->error == CHECKLIST_OK && wrong.n + wrong.more + unknown.n + miss.n == 0)
			strbuf_puts(&sb, texts[T_COMPLETE][lang]);
		if (one_segment(&sb))
			return (int)sb.len;
		if (show == 0)
			break;
	}
	none.more = wrong.n + wrong.more + unknown.n;
	head(&sb, m, lang, buf, cap);
	list(&sb, texts[T_WRONG][lang], &none, 0);
	list(&sb, texts[T_MISSING][lang], &miss, 0);
	if (one_segment(&sb))
		return (int)sb.len;
	head(&sb, m, lang, buf, cap);
	return one_segment(&sb) ? (int)sb.len : -1;
}

/* Nothing saved: the message came outside its form's window. */
static int outside_window(const struct checklist_msg *m, enum lang lang, char *buf, size_t cap)
{
	const struct checklist_form *f = m->form;
	char win[16];
	const char *args[3] = { m->station, f->code, win };
	struct strbuf sb;

	snprintf(win, sizeof(win), "%02d:%02d-%02d:%02d", f->window_from / 60, f->window_from % 60,
		 f->window_to / 60, f->window_to % 60);
	strbuf_init(&sb, buf, cap);
	fill(&sb, texts[T_OUTSIDE_WINDOW][lang], args, 3);
	return one_segment(&sb) ? (int)sb.len : -1;
}

static int simple(enum text t, enum lang lang, const char *form, char *buf, size_t cap)
{
	struct strbuf sb;

	strbuf_init(&sb, buf, cap);
	fill(&sb, texts[t][lang], &form, 1);
	return one_segment(&sb) ? (int)sb.len : -1;
}

int checklist_reply(const struct checklist_msg *m, enum lang lang, uint64_t missing, char *buf,
		    size_t cap)
{
	const char *form = m->form != NULL ? m->form->code : "OP";

	if ((unsigned)lang >= LANG_COUNT)
		lang = LANG_EN;
	switch (m->error) {
	case CHECKLIST_OK:
	case CHECKLIST_ERR_NO_ANSWERS: return with_lists(m, lang, missing, buf, cap);
	case CHECKLIST_ERR_MISSING_STATION: return simple(T_NO_STATION, lang, form, buf, cap);
	case CHECKLIST_ERR_BAD_STATION: return simple(T_BAD_STATION, lang, form, buf, cap);
	case CHECKLIST_ERR_MALFORMED_PIN: return simple(T_BAD_PIN, lang, form, buf, cap);
	case CHECKLIST_ERR_OUTSIDE_WINDOW:
		if (m->form != NULL && m->form->window_from >= 0)
			return outside_window(m, lang, buf, cap);
		return simple(T_UNREADABLE, lang, form, buf, cap);
	default: return simple(T_UNREADABLE, lang, form, buf, cap);
	}
}

/* What question q takes: "1/2", "0-50", "1-3", "135", "text". */
static void takes(struct strbuf *sb, const struct checklist_question *q, enum lang lang)
{
	int top = 0;
	bool contiguous = true;

	switch (q->type) {
	case CHECKLIST_YESNO: strbuf_puts(sb, "1/2"); return;
	case CHECKLIST_INTEGER: strbuf_printf(sb, "%d-%d", (int)q->min, (int)q->max); return;
	case CHECKLIST_TEXT: strbuf_puts(sb, texts[T_HELP_TEXT][lang]); return;
	case CHECKLIST_CHOICE:
	case CHECKLIST_MULTI: break;
	}
	for (int d = 1; d <= CHECKLIST_MAX_OPTIONS; d++)
		if (q->options & (1u << d)) {
			contiguous = contiguous && d == top + 1;
			top = d;
		}
	if (contiguous)
		strbuf_printf(sb, "1-%d", top);
	else
		for (int d = 1; d <= CHECKLIST_MAX_OPTIONS; d++)
			if (q->options & (1u << d))
				strbuf_printf(sb, "%d", d);
	if (q->type == CHECKLIST_MULTI)
		strbuf_puts(sb, texts[T_HELP_SEVERAL][lang]);
}

int checklist_help(const struct checklist_form *f, enum lang lang, char *buf, size_t cap)
{
	if ((unsigned)lang >= LANG_COUNT)
		lang = LANG_EN;
	for (int show = f->n_questions;; show--) {
		struct strbuf sb;
		const char *code = f->code;

		strbuf_init(&sb, buf, cap);
		fill(&sb, texts[T_HELP_HEAD][lang], &code, 1);
		for (int i = 0; i < show; i++) {
			strbuf_printf(&sb, "%s %s ", i ? "," : "", f->questions[i].code);
			takes(&sb, &f->questions[i], lang);
		}
		if (show < f->n_questions)
			strbuf_printf(&sb, " +%d", f->n_questions - show);
		strbuf_puts(&sb, texts[T_HELP_TAIL][lang]);
		if (one_segment(&sb))
			return (int)sb.len;
		if (show == 0)
			return -1;
	}
}

const struct checklist_form *checklist_help_topic(const struct checklist_set *set,
						  const struct parse_msg *m, const char *text,
						  size_t len)
{
	size_t i = 0;

	if (set == NULL || m->form != PARSE_FORM_HELP || (m->has & PARSE_HAS_TOPIC) ||
	    len > PARSE_MAX_BYTES)
		return NULL;
	/* past the help word: "?" or a run of non-separators */
	while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '#' ||
			   (text[i] >= '0' && text[i] <= '9')))
		i++;
	if (i < len && text[i] == '?')
		i++;
	else
		while (i < len && text[i] != ' ' && text[i] != '\t' && text[i] != ',' &&
		       text[i] != '?')
			i++;
	return checklist_match(set, text + i, len - i);
}
