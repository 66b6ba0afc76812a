/*
 * parse.c - the observer message language (DESIGN.md section 4, v1).
 *
 * Three stages, all over the caller's buffer:
 *
 *   1. prescan: length limit, UTF-8 validity, control characters, and which
 *      scripts the message uses (for the reply language);
 *   2. lexer: splits on white space and punctuation and normalises every
 *      token (case, digits, Arabic letter variants, accents) into a small
 *      fixed array of code points, remembering each one's byte offset;
 *   3. items: each token is cut into numbers, labels with or without their
 *      number ("V420W190" is two items), PINs and words, and the form's
 *      grammar consumes the items.
 *
 * Nothing is allocated; the parser state lives on the stack.
 */
#include "parse.h"

#include <stdio.h>
#include <string.h>

#include "utf8.h"

#define TOK_CAP 40      /* code points kept of one token */
#define KW_MAX_BYTES 16 /* longest keyword, normalised UTF-8 */
#define KW_MAX_CPS 13   /* longest keyword in code points: PARTICIPATION */

/* ---- names ------------------------------------------------------------ */

static const char *const form_names[PARSE_FORM_COUNT] = {
	"none", "open",   "turnout", "close",  "results",    "incident",
	"help", "status", "ack",     "verify", "quarantine",
};

const char *parse_form_name(enum parse_form form)
{
	return (unsigned)form < PARSE_FORM_COUNT ? form_names[form] : "none";
}

static const char *const error_codes[PARSE_ERROR_COUNT] = {
	"ok",
	"empty_message",
	"message_too_long",
	"invalid_utf8",
	"control_character",
	"missing_keyword",
	"unknown_keyword",
	"missing_station",
	"bad_station",
	"missing_number",
	"bad_number",
	"number_too_large",
	"missing_field",
	"duplicate_field",
	"missing_label",
	"unknown_label",
	"unexpected_token",
	"bad_time",
	"malformed_pin",
	"too_many_counts",
	"bad_contest",
};

const char *parse_error_code(enum parse_error err)
{
	return (unsigned)err < PARSE_ERROR_COUNT ? error_codes[err] : "unknown_error";
}

static const char *const field_names[PARSE_FIELD_COUNT] = {
	"none",   "station", "voters",   "women", "men", "total",
	"counts", "code",    "alert_id", "time",  "pin", "contest",
};

const char *parse_field_name(enum parse_field field)
{
	return (unsigned)field < PARSE_FIELD_COUNT ? field_names[field] : "none";
}

int parse_share_pct(uint32_t women, uint32_t voters)
{
	if (voters == 0 || women > voters)
		return -1;
	return (int)(((uint64_t)women * 200 + voters) / ((uint64_t)voters * 2));
}

/* ---- characters ------------------------------------------------------- */

enum cc {
	CC_CHAR = 0, /* part of a token */
	CC_SPACE,    /* white space: separates */
	CC_PUNCT,    /* punctuation: separates */
	CC_QMARK,    /* ? and ؟: a token when first, else punctuation */
	CC_IGNORE,   /* invisible marks, tatweel, harakat: dropped */
	CC_CONTROL,  /* rejected */
};

static enum cc classify_ascii(uint32_t c, uint32_t *norm)
{
	*norm = c;
	if (c >= 'a' && c <= 'z') {
		*norm = c - ('a' - 'A');
		return CC_CHAR;
	}
	if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '#')
		return CC_CHAR;
	if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
		return CC_SPACE;
	if (c < 0x20 || c == 0x7f)
		return CC_CONTROL;
	if (c == '?')
		return CC_QMARK;
	return CC_PUNCT;
}

/* Latin-1 letters U+00C0..U+00FF folded to an upper-case base letter. */
static const uint16_t latin1_fold[64] = {
	'A', 'A', 'A', 'A', 'A', 'A', 0xc6, 'C', 'E', 'E', 'E', 'E', 'I', 'I', 'I',  'I',
	'D', 'N', 'O', 'O', 'O', 'O', 'O',  0,   'O', 'U', 'U', 'U', 'U', 'Y', 0xde, 0xdf,
	'A', 'A', 'A', 'A', 'A', 'A', 0xc6, 'C', 'E', 'E', 'E', 'E', 'I', 'I', 'I',  'I',
	'D', 'N', 'O', 'O', 'O', 'O', 'O',  0,   'O', 'U', 'U', 'U', 'U', 'Y', 0xde, 'Y',
};

static enum cc classify_latin1(uint32_t c, uint32_t *norm)
{
	if (c == 0xa0)
		return CC_SPACE;
	if (c == 0xad)
		return CC_IGNORE;
	if (c < 0xc0 || latin1_fold[c - 0xc0] == 0)
		return CC_PUNCT;
	*norm = latin1_fold[c - 0xc0];
	return CC_CHAR;
}

static enum cc classify_arabic(uint32_t c, uint32_t *norm)
{
	int d = utf8_digit_value(c);

	if (d >= 0) {
		*norm = '0' + (uint32_t)d;
		return CC_CHAR;
	}
	switch (c) {
	case 0x622:
	case 0x623:
	case 0x625:
	case 0x671:
		*norm = 0x627; /* alef with madda/hamza, wasla -> alef */
		return CC_CHAR;
	case 0x649:
	case 0x6cc:
		*norm = 0x64a; /* alef maksura, Farsi yeh -> yeh */
		return CC_CHAR;
	case 0x629:
		*norm = 0x647; /* teh marbuta -> heh */
		return CC_CHAR;
	case 0x6a9:
		*norm = 0x643; /* keheh -> kaf */
		return CC_CHAR;
	case 0x61f: return CC_QMARK;
	case 0x61b:
	case 0x61d:
	case 0x61e:
	case 0x66a:
	case 0x66b:
	case 0x66c:
	case 0x66d:
	case 0x6d4: return CC_PUNCT;
	case 0x61c:
	case 0x640: return CC_IGNORE; /* letter mark, tatweel */
	}
	if (c <= 0x605)
		return CC_IGNORE; /* number signs */
	if (c <= 0x60f)
		return CC_PUNCT; /* comma, date separator, ... */
	if ((c >= 0x610 && c <= 0x61a) || (c >= 0x64b && c <= 0x65f) || c == 0x670 ||
	    (c >= 0x6d6 && c <= 0x6ed))
		return CC_IGNORE; /* harakat and Quranic marks */
	return CC_CHAR;
}

static enum cc classify_general(uint32_t c)
{
	if (c <= 0x200a || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f)
		return CC_SPACE;
	if (c <= 0x200f || (c >= 0x202a && c <= 0x202e) || c >= 0x2060)
		return CC_IGNORE; /* zero width, direction marks */
	return CC_PUNCT;          /* dashes, quotes, bullets, ... */
}

/* Classify cp and store its normalised form in *norm. */
static enum cc classify(uint32_t c, uint32_t *norm)
{
	if (c < 0x80)
		return classify_ascii(c, norm);
	*norm = c;
	if (c < 0xa0)
		return CC_CONTROL;
	if (c < 0x100)
		return classify_latin1(c, norm);
	if (c >= 0x600 && c <= 0x6ff)
		return classify_arabic(c, norm);
	if (c >= 0x2000 && c <= 0x206f)
		return classify_general(c);
	if (c >= 0xff01 && c <= 0xff5e) /* full-width ASCII */
		return classify_ascii(c - 0xfee0, norm);
	if (c == 0x3000)
		return CC_SPACE;
	if (c == 0x3001 || c == 0x3002)
		return CC_PUNCT;
	if (c == 0xfeff || (c >= 0xfe00 && c <= 0xfe0f))
		return CC_IGNORE;
	return CC_CHAR;
}

static bool is_arabic_letter(uint32_t c)
{
	return (c >= 0x620 && c <= 0x64a) || (c >= 0x66e && c <= 0x6d3 && c != 0x6d4) ||
	       (c >= 0x6fa && c <= 0x6ff) || (c >= 0x750 && c <= 0x77f) ||
	       (c >= 0xfb50 && c <= 0xfdff) || (c >= 0xfe70 && c <= 0xfefc);
}

static bool is_latin_letter(uint32_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= 0xc0 && c <= 0x24f && c != 0xd7 && c != 0xf7);
}

static bool is_digit(uint32_t c)
{
	return c >= '0' && c <= '9';
}

/* A character that may be part of a number: a digit or O, I, L. */
static bool is_numch(uint32_t c)
{
	return is_digit(c) || c == 'O' || c == 'I' || c == 'L';
}

/* ---- tokens and items ------------------------------------------------- */

struct token {
	uint16_t off, end;        /* bytes of the input */
	uint16_t n;               /* code points stored */
	bool truncated;           /* longer than TOK_CAP */
	bool all_numch;           /* every code point may be part of a number */
	bool rest_numch;          /* every one after the first may */
	bool any_digit;           /* holds a real digit */
	uint32_t cp[TOK_CAP];     /* normalised */
	uint16_t at[TOK_CAP + 1]; /* byte offset of cp[i]; at[n] == end */
};

struct lexer {
	const char *s;
	size_t len;
	size_t pos;
	bool started; /* a token was produced */
};

enum item_kind {
	IT_NUMBER,
	IT_LABEL,
	IT_WORD,
	IT_PIN
};
enum label {
	LB_V,
	LB_W,
	LB_M
};
enum script {
	SC_EN,
	SC_FR,
	SC_AR
};

struct number {
	uint32_t value; /* valid when ndigits <= 9 */
	uint16_t ndigits;
	char digits[PARSE_STATION_MAX + 1];
};

struct item {
	enum item_kind kind;
	enum label label;      /* IT_LABEL */
	enum script script;    /* IT_LABEL: which alphabet the label is */
	bool has_num;          /* IT_LABEL: joined to its number */
	bool word_digit;       /* IT_WORD: holds a real digit */
	bool word_labelish;    /* IT_WORD: letters then a number, "X190" */
	bool word_label_start; /* IT_WORD: a label then a digit, "V4x2" */
	enum label start_label;
	uint8_t wmask;     /* IT_WORD: WC_* bits from the lexicon */
	uint8_t cpa, cpb;  /* code points of the token */
	uint16_t off, end; /* bytes of the input */
	struct number num;
};

static uint32_t next_cp(const char *s, size_t len, size_t *pos)
{
	uint32_t cp;

	const unsigned char *p = (const unsigned char *)s + *pos;

	if (p[0] < 0x80)
		return (unsigned char)s[(*pos)++];
	if (p[0] >= 0xc2 && p[0] <= 0xdf && *pos + 1 < len && (p[1] & 0xc0) == 0x80) {
		*pos += 2;
		return ((uint32_t)(p[0] & 0x1f) << 6) | (p[1] & 0x3f);
	}
	if (!utf8_decode(s, len, pos, &cp)) {
		(*pos)++; /* cannot happen after prescan */
		return 0xfffd;
	}
	return cp;
}

static void token_start(struct token *t, size_t off)
{
	t->off = (uint16_t)off;
	t->n = 0;
	t->truncated = false;
	t->all_numch = true;
	t->rest_numch = true;
	t->any_digit = false;
}

static void token_push(struct token *t, uint32_t c, size_t off)
{
	bool num = is_numch(c);

	if (t->n == 0 && !t->truncated) {
		t->all_numch = num;
	} else {
		t->all_numch = t->all_numch && num;
		t->rest_numch = t->rest_numch && num;
	}
	t->any_digit = t->any_digit || is_digit(c);
	if (t->n < TOK_CAP) {
		t->cp[t->n] = c;
		t->at[t->n] = (uint16_t)off;
		t->n++;
	} else {
		t->truncated = true;
	}
}

/* Skip separators; false at the end of the input. */
static bool lex_skip(struct lexer *lx, struct token *t, uint32_t *norm, bool *single)
{
	enum cc cls;

	*single = false;
	while (lx->pos < lx->len) {
		size_t start = lx->pos;
		uint32_t cp = next_cp(lx->s, lx->len, &lx->pos);

		cls = classify(cp, norm);
		if (cls == CC_CHAR || (cls == CC_QMARK && !lx->started)) {
			token_start(t, start);
			token_push(t, cls == CC_QMARK ? '?' : *norm, start);
			*single = cls == CC_QMARK;
			return true;
		}
	}
	return false;
}

/* Read the next token into *t; false at the end of the input. */
static bool lex_next(struct lexer *lx, struct token *t)
{
	uint32_t norm;
	bool single;
	size_t end;

	if (!lex_skip(lx, t, &norm, &single))
		return false;
	lx->started = true;
	end = lx->pos;
	while (!single && lx->pos < lx->len) {
		size_t here = lx->pos;
		uint32_t cp = next_cp(lx->s, lx->len, &lx->pos);
		enum cc cls = classify(cp, &norm);

		if (cls == CC_IGNORE)
			continue;
		if (cls != CC_CHAR) {
			lx->pos = here;
			break;
		}
		token_push(t, norm, here);
		end = lx->pos;
	}
	t->end = (uint16_t)end;
	t->at[t->n] = t->end;
	return true;
}

static int label_of(uint32_t c, enum script *script)
{
	switch (c) {
	case 'V': *script = SC_EN; return LB_V;
	case 'W': *script = SC_EN; return LB_W;
	case 'M': *script = SC_EN; return LB_M;
	case 'F': *script = SC_FR; return LB_W;
	case 'H': *script = SC_FR; return LB_M;
	case 0x645: *script = SC_AR; return LB_V; /* meem */
	case 0x646: *script = SC_AR; return LB_W; /* noon */
	case 0x631: *script = SC_AR; return LB_M; /* reh */
	}
	return -1;
}

static bool has_real_digit(const uint32_t *cp, size_t a, size_t b)
{
	for (size_t i = a; i < b; i++)
		if (is_digit(cp[i]))
			return true;
	return false;
}

static void number_from(const uint32_t *cp, size_t a, size_t b, struct number *num)
{
	uint16_t nd = 0;

	num->value = 0;
	for (size_t i = a; i < b; i++) {
		uint32_t d = is_digit(cp[i]) ? cp[i] - '0' : cp[i] == 'O' ? 0 : 1;

		if (nd < PARSE_STATION_MAX)
			num->digits[nd] = (char)('0' + d);
		if (nd < PARSE_NUMBER_MAX_DIGITS)
			num->value = num->value * 10 + d;
		nd++;
	}
	num->ndigits = nd;
	num->digits[nd < PARSE_STATION_MAX ? nd : PARSE_STATION_MAX] = '\0';
}

static void item_init(struct item *it, const struct token *t, enum item_kind kind, size_t a,
		      size_t b)
{
	it->kind = kind;
	it->has_num = false;
	it->word_digit = false;
	it->word_labelish = false;
	it->word_label_start = false;
	it->label = LB_V;
	it->script = SC_EN;
	it->start_label = LB_V;
	it->wmask = 0;
	it->cpa = (uint8_t)a;
	it->cpb = (uint8_t)b;
	it->off = t->at[a];
	it->end = b >= t->n ? t->end : t->at[b];
	it->num.ndigits = 0;
	it->num.value = 0;
	it->num.digits[0] = '\0';
}

/* ---- the word lexicon (issue 24) ----------------------------------------
 *
 * Words an observer writes instead of, or around, the short forms.  A word
 * here is still an IT_WORD item; its WC_* bits only say where a form may
 * read it: as a label (turnout and close), as a filler before the station,
 * between figures, or before an opening time.  Everywhere else, and when
 * nothing but words follows it (a stray "thanks"), it stays a word, so an
 * incident's text, a status area and a contest code read as before.
 *
 * Entries are normalised the way the lexer leaves tokens (upper case,
 * accents folded, أ إ آ -> ا, ى -> ي, ة -> ه) and, for the lookup only,
 * with the hamza on the line dropped and ؤ -> و, ئ -> ي: "نساء", "نسا" and
 * "النساء" are the same label.  An Arabic label may carry و ("and"), the
 * article ال or لل ("for the") in front.
 */

enum wclass {
	WC_LABEL = 1 << 0,   /* a label: voters, femmes, الناخبين */
	WC_STATION = 1 << 1, /* may stand between the keyword and the station */
	WC_BODY = 1 << 2,    /* may stand between the figures: is, dont, منهم */
	WC_TIME = 1 << 3,    /* may stand before an opening time: at, à, الساعة */
	WC_KNOWN = 1 << 7,   /* item.wmask has been looked up */
};

#define LEX_MAX_BYTES 24 /* longest entry, normalised UTF-8 */

struct lexword {
	const char *word;
	uint8_t len;
	uint8_t mask;   /* WC_* */
	uint8_t label;  /* enum label, for WC_LABEL */
	uint8_t script; /* enum script of a label */
};

#define LW(w, m, l, s) \
	{ \
		w, sizeof(w) - 1, m, l, s \
	}
#define LBL(w, l, s) LW(w, WC_LABEL, LB_##l, SC_##s)
#define FIL(w, m) LW(w, m, 0, SC_EN)

static const struct lexword lexicon[] = {
	/* labels, English */
	LBL("VOTERS", V, EN), LBL("VOTER", V, EN), LBL("WOMEN", W, EN), LBL("WOMAN", W, EN),
	LBL("FEMALES", W, EN), LBL("FEMALE", W, EN), LBL("MEN", M, EN), LBL("MAN", M, EN),
	LBL("MALES", M, EN), LBL("MALE", M, EN),
	/* French */
	LBL("VOTANTS", V, FR), LBL("VOTANT", V, FR), LBL("ELECTEURS", V, FR),
	LBL("ELECTEUR", V, FR), LBL("FEMMES", W, FR), LBL("FEMME", W, FR), LBL("HOMMES", M, FR),
	LBL("HOMME", M, FR),
	/* Arabic (also with و, ال, لل in front) */
	LBL("ناخبين", V, AR), LBL("ناخبون", V, AR), LBL("ناخب", V, AR), LBL("ناخبا", V, AR),
	/* 420 ناخبا */ LBL("مقترعين", V, AR), LBL("مقترعون", V, AR), LBL("مقترع", V, AR),
	LBL("مقترعا", V, AR), LBL("مصوتين", V, AR), LBL("مصوتون", V, AR), LBL("مصوت", V, AR),
	LBL("نسا", W, AR),                       /* نساء */
	LBL("نسوه", W, AR), LBL("امراه", W, AR), /* امرأة */
	LBL("سيدات", W, AR), LBL("اناث", W, AR), LBL("ناخبات", W, AR), LBL("مقترعات", W, AR),
	LBL("رجال", M, AR), LBL("رجل", M, AR), LBL("ذكور", M, AR),
	/* before the station */
	FIL("FOR", WC_STATION), FIL("STATION", WC_STATION), FIL("STN", WC_STATION),
	FIL("NO", WC_STATION), FIL("NUMBER", WC_STATION), FIL("POUR", WC_STATION),
	FIL("BUREAU", WC_STATION), FIL("BV", WC_STATION), FIL("DU", WC_STATION),
	FIL("AU", WC_STATION), FIL("N", WC_STATION), FIL("NUMERO", WC_STATION),
	FIL("قلم", WC_STATION), FIL("القلم", WC_STATION), FIL("لقلم", WC_STATION),
	FIL("للقلم", WC_STATION), FIL("رقم", WC_STATION), FIL("مكتب", WC_STATION),
	FIL("المكتب", WC_STATION), FIL("في", WC_STATION | WC_TIME),
	/* between the figures */
	FIL("IS", WC_BODY), FIL("ARE", WC_BODY), FIL("WITH", WC_BODY), FIL("INCLUDING", WC_BODY),
	FIL("INCL", WC_BODY), FIL("AND", WC_BODY), FIL("OF", WC_BODY), FIL("EST", WC_BODY),
	FIL("SONT", WC_BODY), FIL("AVEC", WC_BODY), FIL("DONT", WC_BODY), FIL("ET", WC_BODY),
	FIL("DE", WC_BODY), FIL("SOIT", WC_BODY),
	FIL("عدد", WC_BODY), /* the counting word: عدد الناخبين */
	FIL("منهم", WC_BODY), FIL("منهن", WC_BODY), FIL("بينهم", WC_BODY), FIL("هو", WC_BODY),
	FIL("و", WC_BODY),
	/* before an opening time */
	FIL("AT", WC_STATION | WC_TIME), FIL("A", WC_TIME), /* à */
	FIL("VERS", WC_TIME), FIL("الساعه", WC_TIME), FIL("ساعه", WC_TIME),
	FIL("علي", WC_TIME), /* على */
};

/* What an Arabic label may carry in front: و, ال, لل. */
static const char *const lex_prefixes[] = { "و", "ال", "وال", "لل", "ولل" };

/* The WC_* bits of the len bytes at w; a label's id and script to *e. */
static uint8_t lexicon_scan(const char *w, size_t len, uint8_t only, const struct lexword **e)
{
	uint8_t mask = 0;

	for (size_t k = 0; k < sizeof(lexicon) / sizeof(lexicon[0]); k++) {
		if (lexicon[k].len != len || !(lexicon[k].mask & only) ||
		    memcmp(lexicon[k].word, w, len) != 0)
			continue;
		mask |= lexicon[k].mask;
		if (lexicon[k].mask & WC_LABEL)
			*e = &lexicon[k];
	}
	return mask;
}

/*
 * The WC_* bits of the word cp[0..n) (0 when it is not in the lexicon);
 * for a label, its entry goes to *e.
 */
static uint8_t lexicon_find(const uint32_t *cp, size_t n, const struct lexword **e)
{
	char buf[LEX_MAX_BYTES + 2 * UTF8_MAX_BYTES];
	size_t len = 0;
	uint8_t mask;

	for (size_t i = 0; i < n; i++) {
		uint32_t c = cp[i] == 0x624 ? 0x648 : cp[i] == 0x626 ? 0x64a : cp[i];

		if (c == 0x621)
			continue; /* hamza on the line */
		if (c < 0x80)
			buf[len++] = (char)c;
		else
			len += utf8_encode(c, buf + len);
		if (len > LEX_MAX_BYTES)
			return 0;
	}
	if (len == 0)
		return 0;
	mask = lexicon_scan(buf, len, 0xff, e);
	if (mask != 0 || cp[0] < 0x600)
		return mask;
	for (size_t k = 0; k < sizeof(lex_prefixes) / sizeof(lex_prefixes[0]); k++) {
		size_t pl = strlen(lex_prefixes[k]);

		if (len > pl + 2 && memcmp(buf, lex_prefixes[k], pl) == 0 &&
		    (mask = lexicon_scan(buf + pl, len - pl, WC_LABEL, e)) != 0)
			return mask;
	}
	return 0;
}

/*
 * The WC_* bits of word item it of token t, looked up the first time they
 * are asked for (most words never are: keywords, contest codes, a stray
 * "thanks"); a label's id and script are set on it.
 */
static uint8_t word_class(const struct token *t, struct item *it)
{
	const struct lexword *e = NULL;

	if (it->kind != IT_WORD || it->word_digit || t->truncated)
		return 0;
	if (!(it->wmask & WC_KNOWN)) {
		it->wmask =
			WC_KNOWN | lexicon_find(t->cp + it->cpa, (size_t)(it->cpb - it->cpa), &e);
		if (e != NULL) {
			it->label = (enum label)e->label;
			it->script = (enum script)e->script;
		}
	}
	return it->wmask;
}

/* Describe t[a..n) as one word. */
static void word_item(const struct token *t, size_t a, struct item *it)
{
	size_t i = a;
	enum script sc;
	int lb;

	item_init(it, t, IT_WORD, a, t->n);
	it->word_digit = t->truncated ? t->any_digit : has_real_digit(t->cp, a, t->n);
	if (t->truncated)
		return;
	lb = label_of(t->cp[a], &sc);
	if (lb >= 0 && a + 1 < t->n && is_digit(t->cp[a + 1])) {
		it->word_label_start = true;
		it->start_label = (enum label)lb;
	}
	/* letters (no digit) then a number to the end: "X190", "VOTERS420" */
	i = t->n;
	while (i > a && is_numch(t->cp[i - 1]))
		i--;
	if (i == a || i == t->n || has_real_digit(t->cp, a, i))
		return;
	it->word_labelish = has_real_digit(t->cp, i, t->n);
}

/* A token longer than TOK_CAP: only its overall shape matters. */
static size_t split_truncated(const struct token *t, size_t a, struct item *items)
{
	enum script sc;
	int lb = label_of(t->cp[a], &sc);

	if (a == 0 && t->cp[0] == '#') {
		item_init(&items[0], t, IT_PIN, 0, t->n);
	} else if (a == 0 && t->all_numch && t->any_digit) {
		item_init(&items[0], t, IT_NUMBER, 0, t->n);
		items[0].num.ndigits = UINT16_MAX;
	} else if (a == 0 && lb >= 0 && t->rest_numch && t->any_digit) {
		item_init(&items[0], t, IT_LABEL, 0, t->n);
		items[0].label = (enum label)lb;
		items[0].script = sc;
		items[0].has_num = true;
		items[0].num.ndigits = UINT16_MAX;
	} else {
		word_item(t, a, &items[0]);
	}
	return 1;
}

/* Take one label or number starting at cp[i]; return the index after it,
 * or 0 when the token is not made of labels and numbers only. */
static size_t split_one(const struct token *t, size_t i, struct item *it)
{
	enum script sc;
	int lb = label_of(t->cp[i], &sc);
	size_t j = lb >= 0 ? i + 1 : i;

	while (j < t->n && is_numch(t->cp[j]))
		j++;
	if (lb >= 0) {
		if (j < t->n && j == i + 1)
			return 0; /* a label followed by a letter: a word */
		if (j > i + 1 && !has_real_digit(t->cp, i + 1, j))
			return 0;
		item_init(it, t, IT_LABEL, i, j);
		it->label = (enum label)lb;
		it->script = sc;
		it->has_num = j > i + 1;
		if (it->has_num)
			number_from(t->cp, i + 1, j, &it->num);
		return j;
	}
	if (j == i || !has_real_digit(t->cp, i, j))
		return 0;
	item_init(it, t, IT_NUMBER, i, j);
	number_from(t->cp, i, j, &it->num);
	return j;
}

/* Cut t[a..n) into items; return how many (at least 1). */
static size_t split_token(const struct token *t, size_t a, struct item *items)
{
	size_t i = a, k = 0;

	if (t->truncated)
		return split_truncated(t, a, items);
	if (t->cp[a] == '#') {
		item_init(&items[0], t, IT_PIN, a, t->n);
		return 1;
	}
	while (i < t->n) {
		size_t j = split_one(t, i, &items[k]);

		if (j == 0) {
			word_item(t, a, &items[0]);
			return 1;
		}
		k++;
		i = j;
	}
	return k;
}

/* ---- keywords --------------------------------------------------------- */

#define LANG_AMBIGUOUS (-1)

struct keyword {
	const char *word; /* normalised */
	uint8_t len;
	enum parse_form form;
	int lang; /* enum lang or LANG_AMBIGUOUS */
	bool syn; /* a synonym (issue 24): not a HELP topic, and a stray word
		     when a keyword follows it, as before it was one */
};

#define KW(w, f, l) \
	{ \
		w, sizeof(w) - 1, PARSE_FORM_##f, l, false \
	}
#define KWS(w, f, l) \
	{ \
		w, sizeof(w) - 1, PARSE_FORM_##f, l, true \
	}

static const struct keyword keywords[] = {
	KW("T", TURNOUT, LANG_EN),
	KW("C", CLOSE, LANG_EN),
	KW("R", RESULTS, LANG_EN),
	KW("I", INCIDENT, LANG_EN),
	KW("O", OPEN, LANG_EN),
	KW("P", TURNOUT, LANG_FR),
	KW("F", CLOSE, LANG_FR),
	KW("\xd9\x82", TURNOUT, LANG_AR),  /* ق */
	KW("\xd9\x81", RESULTS, LANG_AR),  /* ف */
	KW("\xd8\xad", INCIDENT, LANG_AR), /* ح */
	KW("?", HELP, LANG_AMBIGUOUS),
	KW("OK", ACK, LANG_AMBIGUOUS),
	KW("OPEN", OPEN, LANG_EN),
	KW("TURNOUT", TURNOUT, LANG_EN),
	KW("CLOSE", CLOSE, LANG_EN),
	KW("RES", RESULTS, LANG_AMBIGUOUS),
	KW("INC", INCIDENT, LANG_AMBIGUOUS),
	KW("HELP", HELP, LANG_EN),
	KW("STATUS", STATUS, LANG_EN),
	KW("ACK", ACK, LANG_EN),
	KW("OUV", OPEN, LANG_FR),
	KW("PART", TURNOUT, LANG_FR),
	KW("FERM", CLOSE, LANG_FR),
	KW("AIDE", HELP, LANG_FR),
	KW("ETAT", STATUS, LANG_FR),
	KW("\xd9\x81\xd8\xaa\xd8\xad", OPEN, LANG_AR),                            /* فتح */
	KW("\xd8\xa7\xd9\x81\xd8\xaa\xd8\xaa\xd8\xa7\xd8\xad", OPEN, LANG_AR),    /* افتتاح */
	KW("\xd8\xa7\xd9\x82\xd8\xaa\xd8\xb1\xd8\xa7\xd8\xb9", TURNOUT, LANG_AR), /* اقتراع */
	KW("\xd8\xa7\xd8\xba\xd9\x84\xd8\xa7\xd9\x82", CLOSE, LANG_AR),           /* اغلاق */
	KW("\xd9\x81\xd8\xb1\xd8\xb2", RESULTS, LANG_AR),                         /* فرز */
	KW("\xd9\x86\xd8\xaa\xd8\xa7\xd8\xa6\xd8\xac", RESULTS, LANG_AR),         /* نتائج */
	KW("\xd8\xad\xd8\xa7\xd8\xaf\xd8\xab", INCIDENT, LANG_AR),                /* حادث */
	KW("\xd9\x85\xd8\xae\xd8\xa7\xd9\x84\xd9\x81\xd9\x87", INCIDENT, LANG_AR), /* مخالفه */
	KW("\xd9\x85\xd8\xb3\xd8\xa7\xd8\xb9\xd8\xaf\xd9\x87", HELP, LANG_AR), /* مساعده */
	KW("\xd9\x88\xd8\xb6\xd8\xb9", STATUS, LANG_AR),                       /* وضع */
	KW("\xd8\xaa\xd9\x85", ACK, LANG_AR),                                  /* تم */
	KW("VERIFY", VERIFY, LANG_EN),
	KW("VERIF", VERIFY, LANG_FR),
	KW("QUAR", QUARANTINE, LANG_AMBIGUOUS),
	KW("\xd8\xaa\xd8\xad\xd9\x82\xd9\x82", VERIFY, LANG_AR), /* تحقق */
	KW("\xd8\xad\xd8\xac\xd8\xb1", QUARANTINE, LANG_AR),     /* حجر */
	KWS("OPENING", OPEN, LANG_EN),
	KWS("OPENED", OPEN, LANG_EN),
	KWS("CLOSING", CLOSE, LANG_EN),
	KWS("CLOSED", CLOSE, LANG_EN),
	KWS("RESULTS", RESULTS, LANG_EN),
	KWS("INCIDENT", INCIDENT, LANG_AMBIGUOUS),
	KWS("OUVERTURE", OPEN, LANG_FR),
	KWS("PARTICIPATION", TURNOUT, LANG_FR),
	KWS("FERMETURE", CLOSE, LANG_FR),
	KWS("CLOTURE", CLOSE, LANG_FR),
	KWS("RESULTATS", RESULTS, LANG_FR),
	KWS("الافتتاح", OPEN, LANG_AR),
	KWS("الاقتراع", TURNOUT, LANG_AR),
	KWS("الاغلاق", CLOSE, LANG_AR),
	KWS("النتائج", RESULTS, LANG_AR),
	KWS("QUARANTINE", QUARANTINE, LANG_EN),
	KWS("QUARANTAINE", QUARANTINE, LANG_FR),
};

/* The keyword spelled by cp[0..n), or NULL. */
static const struct keyword *keyword_match(const uint32_t *cp, size_t n)
{
	char buf[KW_MAX_BYTES + UTF8_MAX_BYTES];
	size_t len = 0;

	if (n == 0 || n > KW_MAX_CPS)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (cp[i] < 0x80)
			buf[len++] = (char)cp[i];
		else
			len += utf8_encode(cp[i], buf + len);
		if (len > KW_MAX_BYTES)
			return NULL;
	}
	for (size_t k = 0; k < sizeof(keywords) / sizeof(keywords[0]); k++)
		if (keywords[k].len == len && memcmp(keywords[k].word, buf, len) == 0)
			return &keywords[k];
	return NULL;
}

/*
 * The keyword at the start of token t: the whole token, or the longest
 * prefix that is a keyword followed by a number ("T1021", "ق١٠٢١").  The
 * number of code points it takes goes to *k.
 */
static const struct keyword *keyword_of(const struct token *t, size_t *k)
{
	const struct keyword *kw;

	if (t->truncated)
		return NULL;
	kw = keyword_match(t->cp, t->n);
	if (kw != NULL) {
		*k = t->n;
		return kw;
	}
	for (size_t i = t->n - 1; i >= 1; i--) {
		if (!is_numch(t->cp[i]) || !has_real_digit(t->cp, i, t->n))
			continue;
		kw = keyword_match(t->cp, i);
		if (kw != NULL) {
			*k = i;
			return kw;
		}
	}
	return NULL;
}

/* ---- parser state ------------------------------------------------------ */

struct parser {
	const char *s;
	size_t len;
	struct parse_msg *out;
	struct lexer lx;
	size_t n_items, next; /* items of tok, and the next one to read */
	const struct keyword *kw;
	size_t kw_end;   /* byte after the keyword */
	size_t last_end; /* byte after the last token read */
	bool trailing;   /* only ignorable words remain */
	bool no_pos;     /* the error has no position */
	bool fr_label;
	bool has_arabic, has_latin, has_arabic_digit;
	/* large members last: parse_message() clears what comes before */
	struct token tok;           /* the current token */
	struct item items[TOK_CAP]; /* its items */
};

static bool fail_at(struct parser *p, enum parse_error err, size_t off, size_t len,
		    enum parse_field field)
{
	p->out->error = err;
	p->out->err_field = field;
	p->out->err_span.off = (uint16_t)off;
	p->out->err_span.len = (uint16_t)len;
	return false;
}

static bool fail_item(struct parser *p, enum parse_error err, const struct item *it,
		      enum parse_field field)
{
	return fail_at(p, err, it->off, (size_t)(it->end - it->off), field);
}

static bool fail_end(struct parser *p, enum parse_error err, enum parse_field field)
{
	return fail_at(p, err, p->last_end, 0, field);
}

static bool fail_nopos(struct parser *p, enum parse_error err)
{
	p->no_pos = true;
	return fail_at(p, err, 0, 0, PARSE_FIELD_NONE);
}

/* Encoding and control characters of the first len bytes; note the
 * scripts used. */
static bool scan_scripts(struct parser *p, size_t len)
{
	size_t pos = 0;

	while (pos < len) {
		size_t start = pos;
		uint32_t cp, norm;

		unsigned char c = (unsigned char)p->s[pos];

		if (c >= 0x20 && c < 0x7f) {
			pos++;
			if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
				p->has_latin = true;
			continue;
		}
		if (c < 0x80)
			cp = (unsigned char)p->s[pos++];
		else if (!utf8_decode(p->s, len, &pos, &cp))
			return fail_at(p, PARSE_ERR_INVALID_UTF8, start, 0, PARSE_FIELD_NONE);
		if (classify(cp, &norm) == CC_CONTROL)
			return fail_at(p, PARSE_ERR_CONTROL_CHARACTER, start, 0, PARSE_FIELD_NONE);
		if (cp < 0x80) {
			if (is_latin_letter(cp))
				p->has_latin = true;
		} else if (is_arabic_letter(cp)) {
			p->has_arabic = true;
		} else if (is_latin_letter(cp)) {
			p->has_latin = true;
		} else if ((cp >= 0x660 && cp <= 0x669) || (cp >= 0x6f0 && cp <= 0x6f9)) {
			p->has_arabic_digit = true;
		}
	}
	return true;
}

/*
 * Length, encoding, control characters; note the scripts used.  An
 * over-long message is refused, but the scripts of its first
 * PARSE_MAX_BYTES still choose the reply's language (an English text is
 * told in English that it is too long).
 */
static bool prescan(struct parser *p)
{
	if (p->len <= PARSE_MAX_BYTES)
		return scan_scripts(p, p->len);
	(void)scan_scripts(p, PARSE_MAX_BYTES); /* its error is not the message's */
	return fail_nopos(p, PARSE_ERR_MESSAGE_TOO_LONG);
}

/* Read the next token and cut it into items; false at the end. */
static bool load_token(struct parser *p)
{
	if (!lex_next(&p->lx, &p->tok))
		return false;
	p->last_end = p->tok.end;
	p->n_items = split_token(&p->tok, 0, p->items);
	p->next = 0;
	return true;
}

/* The digits of a PIN "#NNNN" in t[a..n) into out; -1 when malformed. */
static int pin_digits(const struct token *t, size_t a, char *out)
{
	size_t n = t->n - a - 1;

	if (t->truncated || n < PARSE_PIN_MIN || n > PARSE_PIN_MAX)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(t->cp[a + 1 + i]))
			return -1;
		out[i] = (char)t->cp[a + 1 + i];
	}
	out[n] = '\0';
	return (int)n;
}

static bool store_pin(struct parser *p, const char *digits, size_t off, size_t end)
{
	if (p->out->has & PARSE_HAS_PIN)
		return fail_at(p, PARSE_ERR_DUPLICATE_FIELD, off, end - off, PARSE_FIELD_PIN);
	memcpy(p->out->pin, digits, PARSE_PIN_MAX + 1);
	p->out->has |= PARSE_HAS_PIN;
	return true;
}

/* A PIN item of the current token; "# 1234" takes the next token too. */
static bool take_pin(struct parser *p, const struct item *it)
{
	char digits[PARSE_PIN_MAX + 1];
	struct lexer save;
	struct token t2;

	if (pin_digits(&p->tok, it->cpa, digits) >= 0)
		return store_pin(p, digits, it->off, it->end);
	if (it->cpb - it->cpa == 1) {
		save = p->lx;
		if (lex_next(&save, &t2) && !t2.truncated && t2.n + 1 >= PARSE_PIN_MIN + 1) {
			/* pin_digits() wants the '#' first: check t2 as if it had one */
			size_t n = t2.n;
			bool ok = n >= PARSE_PIN_MIN && n <= PARSE_PIN_MAX;

			for (size_t i = 0; ok && i < n; i++) {
				ok = is_digit(t2.cp[i]);
				digits[i] = (char)t2.cp[i];
			}
			if (ok) {
				digits[n] = '\0';
				p->lx = save;
				p->last_end = t2.end;
				return store_pin(p, digits, it->off, t2.end);
			}
		}
	}
	return fail_item(p, PARSE_ERR_MALFORMED_PIN, it, PARSE_FIELD_PIN);
}

/* Next item that is not a PIN: 1, 0 at the end, -1 on error. */
static int next_item(struct parser *p, struct item *it)
{
	for (;;) {
		if (p->next >= p->n_items) {
			if (!load_token(p))
				return 0;
			continue;
		}
		*it = p->items[p->next++];
		if (it->kind != IT_PIN)
			return 1;
		if (!take_pin(p, it))
			return -1;
	}
}

/* A copy of the next item (its word class looked up) without taking it;
 * false at the end. */
static bool peek_item(const struct parser *p, struct item *it)
{
	struct lexer lx = p->lx;
	struct token t;
	struct item items[TOK_CAP];

	if (p->next < p->n_items) {
		*it = p->items[p->next];
		(void)word_class(&p->tok, it);
		return true;
	}
	if (!lex_next(&lx, &t))
		return false;
	(void)split_token(&t, 0, items);
	*it = items[0];
	(void)word_class(&t, it);
	return true;
}

static bool ignorable(const struct item *it)
{
	return it->kind == IT_PIN || (it->kind == IT_WORD && !it->word_digit);
}

/* True when everything after the current item is words or PINs. */
static bool rest_is_ignorable(const struct parser *p)
{
	struct lexer lx = p->lx;
	struct token t;
	struct item items[TOK_CAP];

	for (size_t i = p->next; i < p->n_items; i++)
		if (!ignorable(&p->items[i]))
			return false;
	while (lex_next(&lx, &t)) {
		size_t n = split_token(&t, 0, items);

		for (size_t i = 0; i < n; i++)
			if (!ignorable(&items[i]))
				return false;
	}
	return true;
}

/*
 * When only words remain and one of them is a word label, that label
 * (else false): "voters 420 women" could give 420 to either.
 */
static bool rest_word_label(const struct parser *p, struct item *out)
{
	struct lexer lx = p->lx;
	struct token t;
	struct item items[TOK_CAP];
	bool found = false;

	for (size_t i = p->next; i < p->n_items; i++) {
		struct item it = p->items[i];

		if (!ignorable(&it))
			return false;
		if (!found && (word_class(&p->tok, &it) & WC_LABEL)) {
			*out = it;
			found = true;
		}
	}
	while (lex_next(&lx, &t)) {
		size_t n = split_token(&t, 0, items);

		for (size_t i = 0; i < n; i++) {
			if (!ignorable(&items[i]))
				return false;
			if (!found && (word_class(&t, &items[i]) & WC_LABEL)) {
				*out = items[i];
				found = true;
			}
		}
	}
	return found;
}

static enum parse_field label_field(enum label lb)
{
	return lb == LB_V ? PARSE_FIELD_VOTERS : lb == LB_W ? PARSE_FIELD_WOMEN : PARSE_FIELD_MEN;
}

/*
 * A word inside a report: ignored when only words follow it (a stray
 * "thanks"), otherwise an error that says what it looks like.  labels says
 * whether labels belong in this form.
 */
static bool take_word(struct parser *p, const struct item *it, bool labels)
{
	struct parse_span *ign = &p->out->ignored[1];

	if (!it->word_digit && (p->trailing || rest_is_ignorable(p))) {
		if (!p->trailing)
			ign->off = it->off;
		ign->len = (uint16_t)(it->end - ign->off);
		p->trailing = true;
		return true;
	}
	if (labels && it->word_label_start)
		return fail_item(p, PARSE_ERR_BAD_NUMBER, it, label_field(it->start_label));
	if (it->word_labelish)
		return fail_item(p, PARSE_ERR_UNKNOWN_LABEL, it, PARSE_FIELD_NONE);
	return fail_item(p, PARSE_ERR_UNEXPECTED_TOKEN, it, PARSE_FIELD_NONE);
}

/* ---- the forms -------------------------------------------------------- */

/*
 * The station number.  Words that only name it ("for station", "du
 * bureau", "القلم رقم") may stand before it.
 */
static bool parse_station(struct parser *p)
{
	struct item it;
	int r;

	while ((r = next_item(p, &it)) > 0 && (word_class(&p->tok, &it) & WC_STATION))
		;
	if (r < 0)
		return false;
	if (r == 0)
		return fail_end(p, PARSE_ERR_MISSING_STATION, PARSE_FIELD_STATION);
	if (it.kind == IT_LABEL)
		return fail_item(p, PARSE_ERR_MISSING_STATION, &it, PARSE_FIELD_STATION);
	if (it.kind != IT_NUMBER || it.num.ndigits > PARSE_STATION_MAX)
		return fail_item(p, PARSE_ERR_BAD_STATION, &it, PARSE_FIELD_STATION);
	memcpy(p->out->station, it.num.digits, sizeof(p->out->station));
	p->out->has |= PARSE_HAS_STATION;
	return true;
}

/* The number of a label item: joined, or the next item. */
static bool label_value(struct parser *p, const struct item *it, enum parse_field field,
			uint32_t *value)
{
	const struct item *num = it;
	struct item nx;
	int r;

	if (it->kind == IT_LABEL && it->script == SC_FR)
		p->fr_label = true;
	if (!it->has_num) {
		while ((r = next_item(p, &nx)) > 0 && it->kind == IT_WORD &&
		       (word_class(&p->tok, &nx) & WC_BODY))
			; /* "voters: 420", "عدد الناخبين هو 420" */
		if (r < 0)
			return false;
		if (r == 0)
			return fail_item(p, PARSE_ERR_MISSING_NUMBER, it, field);
		if (nx.kind == IT_WORD && nx.word_digit)
			return fail_item(p, PARSE_ERR_BAD_NUMBER, &nx, field);
		if (nx.kind != IT_NUMBER)
			return fail_item(p, PARSE_ERR_MISSING_NUMBER, it, field);
		num = &nx;
	}
	if (num->num.ndigits > PARSE_NUMBER_MAX_DIGITS)
		return fail_item(p, PARSE_ERR_NUMBER_TOO_LARGE, num, field);
	*value = num->num.value;
	return true;
}

/*
 * Store the number of label it in field: num when the number came before
 * the label ("420 voters"), else the label's own or the next item's.
 */
static bool set_field_num(struct parser *p, const struct item *it, enum parse_field field,
			  const struct item *num)
{
	static const struct {
		enum parse_field field;
		uint32_t bit;
	} bits[] = {
		{ PARSE_FIELD_VOTERS, PARSE_HAS_VOTERS },
		{ PARSE_FIELD_WOMEN, PARSE_HAS_WOMEN },
		{ PARSE_FIELD_MEN, PARSE_HAS_MEN },
		{ PARSE_FIELD_TOTAL, PARSE_HAS_TOTAL },
	};
	struct parse_msg *o = p->out;
	uint32_t *dst = field == PARSE_FIELD_VOTERS  ? &o->voters
			: field == PARSE_FIELD_WOMEN ? &o->women
			: field == PARSE_FIELD_MEN   ? &o->men
						     : &o->total;
	uint32_t bit = 0;

	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (bits[i].field == field)
			bit = bits[i].bit;
	if (o->has & bit)
		return fail_item(p, PARSE_ERR_DUPLICATE_FIELD, it, field);
	if (num != NULL) {
		if (num->num.ndigits > PARSE_NUMBER_MAX_DIGITS)
			return fail_item(p, PARSE_ERR_NUMBER_TOO_LARGE, num, field);
		*dst = num->num.value;
	} else if (!label_value(p, it, field, dst)) {
		return false;
	}
	if (it->kind == IT_WORD) {
		struct item other;

		if (rest_word_label(p, &other))
			return fail_item(p, PARSE_ERR_UNEXPECTED_TOKEN, &other, PARSE_FIELD_NONE);
	}
	o->has |= bit;
	return true;
}

static bool set_field(struct parser *p, const struct item *it, enum parse_field field)
{
	return set_field_num(p, it, field, NULL);
}

/*
 * A bare number in turnout or close: it belongs to a word label right
 * after it ("420 voters").  Items are read left to right and each label
 * takes the number next to it, so a message is read one way or not at
 * all: a number with no label on either side is missing_label.
 */
static bool take_number_first(struct parser *p, const struct item *num)
{
	struct item lb, taken;

	if (!peek_item(p, &lb) || !(lb.wmask & WC_LABEL))
		return fail_item(p, PARSE_ERR_MISSING_LABEL, num, PARSE_FIELD_NONE);
	if (next_item(p, &taken) <= 0)
		return false; /* cannot happen: it was peeked */
	return set_field_num(p, &lb, label_field(lb.label), num);
}

/*
 * A word among the figures: ignored when only words follow (as always),
 * else a filler to skip, a word label, or an error.
 */
static bool turnout_word(struct parser *p, struct item *it)
{
	uint8_t wc;

	if (!it->word_digit && (p->trailing || rest_is_ignorable(p)))
		return take_word(p, it, true);
	wc = word_class(&p->tok, it);
	if (wc & WC_BODY)
		return true;
	if (wc & WC_LABEL)
		return set_field(p, it, label_field(it->label));
	return take_word(p, it, true);
}

/* turnout and close: station, then V, W, M labels in any order. */
static bool parse_turnout(struct parser *p)
{
	struct item it;
	int r;

	if (!parse_station(p))
		return false;
	while ((r = next_item(p, &it)) > 0) {
		if (it.kind == IT_NUMBER) {
			if (!take_number_first(p, &it))
				return false;
			continue;
		}
		if (it.kind == IT_WORD) {
			if (!turnout_word(p, &it))
				return false;
			continue;
		}
		if (!set_field(p, &it, label_field(it.label)))
			return false;
	}
	if (r < 0)
		return false;
	if (!(p->out->has & PARSE_HAS_VOTERS))
		return fail_end(p, PARSE_ERR_MISSING_FIELD, PARSE_FIELD_VOTERS);
	if (p->out->form == PARSE_FORM_CLOSE && !(p->out->has & PARSE_HAS_WOMEN))
		return fail_end(p, PARSE_ERR_MISSING_FIELD, PARSE_FIELD_WOMEN);
	return true;
}

/* Words and PINs may follow a complete report; anything else may not. */
static bool parse_rest(struct parser *p)
{
	struct item it;
	int r;

	while ((r = next_item(p, &it)) > 0) {
		if (it.kind != IT_WORD)
			return fail_item(p, PARSE_ERR_UNEXPECTED_TOKEN, &it, PARSE_FIELD_NONE);
		if (!take_word(p, &it, false))
			return false;
	}
	return r == 0;
}

static bool store_time(struct parser *p, uint32_t hh, uint32_t mm, size_t off, size_t end)
{
	if (hh > 23 || mm > 59)
		return fail_at(p, PARSE_ERR_BAD_TIME, off, end - off, PARSE_FIELD_TIME);
	p->out->time[0] = (char)('0' + hh / 10);
	p->out->time[1] = (char)('0' + hh % 10);
	p->out->time[2] = (char)('0' + mm / 10);
	p->out->time[3] = (char)('0' + mm % 10);
	p->out->time[4] = '\0';
	p->out->has |= PARSE_HAS_TIME;
	return true;
}

/* "0705", "705", "7:05", "7.05", "7h05". */
static bool parse_time(struct parser *p, const struct item *it)
{
	struct item nx;
	int r;
	char sep;

	if (it->num.ndigits == 3 || it->num.ndigits == 4)
		return store_time(p, it->num.value / 100, it->num.value % 100, it->off, it->end);
	if (it->num.ndigits > 2)
		return fail_item(p, PARSE_ERR_BAD_TIME, it, PARSE_FIELD_TIME);
	r = next_item(p, &nx);
	if (r < 0)
		return false;
	if (r > 0 && nx.kind == IT_LABEL && nx.label == LB_M && nx.script == SC_FR && nx.has_num &&
	    nx.num.ndigits == 2 && nx.off == it->end)
		return store_time(p, it->num.value, nx.num.value, it->off, nx.end);
	sep = r > 0 && nx.off == it->end + 1 ? p->s[it->end] : ' ';
	if (r > 0 && nx.kind == IT_NUMBER && nx.num.ndigits == 2 && (sep == ':' || sep == '.'))
		return store_time(p, it->num.value, nx.num.value, it->off, nx.end);
	return fail_item(p, PARSE_ERR_BAD_TIME, it, PARSE_FIELD_TIME);
}

static bool parse_open(struct parser *p)
{
	struct item it;
	int r;

	if (!parse_station(p))
		return false;
	r = next_item(p, &it);
	if (r > 0 && (word_class(&p->tok, &it) & WC_TIME) && !rest_is_ignorable(p))
		r = next_item(p, &it); /* "OPEN 1021 at 0705" */
	if (r <= 0)
		return r == 0;
	if (it.kind == IT_NUMBER) {
		if (!parse_time(p, &it))
			return false;
	} else if (it.kind != IT_WORD) {
		return fail_item(p, PARSE_ERR_UNEXPECTED_TOKEN, &it, PARSE_FIELD_NONE);
	} else if (!take_word(p, &it, false)) {
		return false;
	}
	return parse_rest(p);
}

static bool contest_char(uint32_t c)
{
	return (c >= 'A' && c <= 'Z') || is_digit(c) || is_arabic_letter(c) ||
	       (c >= 0xc0 && c <= 0x24f);
}

/* A contest code: the item right after the station, starting with a letter. */
static bool take_contest(struct parser *p, const struct item *it)
{
	char *dst = p->out->contest;
	size_t len = 0;

	if (p->tok.truncated || is_digit(p->tok.cp[it->cpa]))
		return fail_item(p, PARSE_ERR_BAD_CONTEST, it, PARSE_FIELD_CONTEST);
	for (size_t i = it->cpa; i < it->cpb; i++) {
		char buf[UTF8_MAX_BYTES];
		size_t n;

		if (!contest_char(p->tok.cp[i]))
			return fail_item(p, PARSE_ERR_BAD_CONTEST, it, PARSE_FIELD_CONTEST);
		n = utf8_encode(p->tok.cp[i], buf);
		if (len + n > PARSE_CONTEST_MAX)
			return fail_item(p, PARSE_ERR_BAD_CONTEST, it, PARSE_FIELD_CONTEST);
		memcpy(dst + len, buf, n);
		len += n;
	}
	dst[len] = '\0';
	p->out->has |= PARSE_HAS_CONTEST;
	return true;
}

static bool take_count(struct parser *p, const struct item *it)
{
	struct parse_msg *o = p->out;

	if (it->num.ndigits > PARSE_NUMBER_MAX_DIGITS)
		return fail_item(p, PARSE_ERR_NUMBER_TOO_LARGE, it, PARSE_FIELD_COUNTS);
	if (o->n_counts >= PARSE_MAX_COUNTS)
		return fail_item(p, PARSE_ERR_TOO_MANY_COUNTS, it, PARSE_FIELD_COUNTS);
	o->counts[o->n_counts++] = it->num.value;
	return true;
}

/* One item of a results body; first is true right after the station. */
static bool results_item(struct parser *p, const struct item *it, bool first)
{
	if (it->kind == IT_NUMBER)
		return take_count(p, it);
	if (it->kind == IT_LABEL && it->label == LB_V)
		return set_field(p, it, PARSE_FIELD_TOTAL);
	if (first && (it->kind == IT_LABEL ? !it->has_num : !is_digit(p->tok.cp[it->cpa])))
		return take_contest(p, it);
	if (it->kind == IT_LABEL)
		return fail_item(p, PARSE_ERR_UNEXPECTED_TOKEN, it, PARSE_FIELD_NONE);
	if (it->word_label_start && it->start_label == LB_V)
		return fail_item(p, PARSE_ERR_BAD_NUMBER, it, PARSE_FIELD_TOTAL);
	return take_word(p, it, false);
}

static bool parse_results(struct parser *p)
{
	struct item it;
	bool first = true;
	int r;

	if (!parse_station(p))
		return false;
	while ((r = next_item(p, &it)) > 0) {
		if (!results_item(p, &it, first))
			return false;
		first = false;
	}
	if (r < 0)
		return false;
	if (p->out->n_counts == 0)
		return fail_end(p, PARSE_ERR_MISSING_FIELD, PARSE_FIELD_COUNTS);
	return true;
}

/* Code-point class at byte pos (used to keep punctuation ending a text). */
static enum cc class_at(const struct parser *p, size_t *pos)
{
	uint32_t norm, cp = next_cp(p->s, p->len, pos);

	return classify(cp, &norm);
}

/* An opening bracket or quote that belongs to the text after it. */
static bool is_opening(char c)
{
	return c == '(' || c == '[' || c == '{' || c == '"' || c == '\'' || c == '<';
}

/*
 * The free text from byte `from` to the end, as typed: without the
 * separators around it, but keeping punctuation that ends it ("door.") and
 * an opening bracket or quote that starts it.  A well-formed PIN as its
 * first or last word is taken out.
 */
static bool take_text(struct parser *p, size_t from, struct parse_span *span, uint32_t bit)
{
	struct lexer lx = { p->s, p->len, from, true };
	struct token t;
	char digits[PARSE_PIN_MAX + 1], last_digits[PARSE_PIN_MAX + 1];
	size_t start = 0, prev_end = 0, last_off = 0, last_end = 0, n = 0, end;
	bool last_pin = false;

	while (lex_next(&lx, &t)) {
		bool pin = t.cp[0] == '#' && pin_digits(&t, 0, digits) >= 0;

		if (n == 0 && pin) {
			if (!store_pin(p, digits, t.off, t.end))
				return false;
			continue;
		}
		if (n++ == 0)
			start = t.off;
		prev_end = last_end;
		last_off = t.off;
		last_end = t.end;
		last_pin = pin;
		if (pin)
			memcpy(last_digits, digits, sizeof(digits));
	}
	if (n == 0)
		return true;
	end = last_end;
	if (last_pin && n > 1) {
		if (!store_pin(p, last_digits, last_off, last_end))
			return false;
		end = prev_end;
	}
	for (size_t pos = end; pos < p->len;) {
		enum cc c = class_at(p, &pos);

		if (c != CC_PUNCT && c != CC_QMARK)
			break;
		end = pos;
	}
	while (start > from && is_opening(p->s[start - 1]))
		start--;
	span->off = (uint16_t)start;
	span->len = (uint16_t)(end - start);
	p->out->has |= bit;
	return true;
}

static bool parse_incident(struct parser *p)
{
	struct item it;
	int r;

	if (!parse_station(p))
		return false;
	r = next_item(p, &it);
	if (r < 0)
		return false;
	if (r == 0)
		return fail_end(p, PARSE_ERR_MISSING_FIELD, PARSE_FIELD_CODE);
	if (it.kind != IT_NUMBER)
		return fail_item(p, PARSE_ERR_MISSING_FIELD, &it, PARSE_FIELD_CODE);
	if (it.num.ndigits > PARSE_NUMBER_MAX_DIGITS)
		return fail_item(p, PARSE_ERR_NUMBER_TOO_LARGE, &it, PARSE_FIELD_CODE);
	p->out->code = it.num.value;
	p->out->has |= PARSE_HAS_CODE;
	return take_text(p, it.end, &p->out->text, PARSE_HAS_TEXT);
}

static bool parse_ack(struct parser *p)
{
	struct item it;
	int r = next_item(p, &it);

	if (r < 0)
		return false;
	if (r == 0)
		return fail_end(p, PARSE_ERR_MISSING_FIELD, PARSE_FIELD_ALERT_ID);
	if (it.kind != IT_NUMBER)
		return fail_item(p, PARSE_ERR_MISSING_FIELD, &it, PARSE_FIELD_ALERT_ID);
	if (it.num.ndigits > PARSE_NUMBER_MAX_DIGITS)
		return fail_item(p, PARSE_ERR_NUMBER_TOO_LARGE, &it, PARSE_FIELD_ALERT_ID);
	p->out->alert_id = it.num.value;
	p->out->has |= PARSE_HAS_ALERT;
	return parse_rest(p);
}

/* VERIFY / QUAR: the station, then the reason as typed (optional). */
static bool parse_review(struct parser *p)
{
	if (!parse_station(p))
		return false;
	return take_text(p, p->last_end, &p->out->text, PARSE_HAS_TEXT);
}

/*
 * HELP [keyword]: the topic is optional and anything else is ignored, so
 * that HELP always gets an answer.  A well-formed PIN is noted.
 */
static bool parse_help(struct parser *p)
{
	const struct keyword *kw;
	char digits[PARSE_PIN_MAX + 1];
	size_t k;

	if (p->n_items > 0)
		return true; /* "HELP123": no topic */
	while (load_token(p)) {
		if (p->tok.cp[0] == '#') {
			if (!(p->out->has & PARSE_HAS_PIN) && pin_digits(&p->tok, 0, digits) >= 0)
				(void)store_pin(p, digits, p->tok.off, p->tok.end);
			continue;
		}
		kw = keyword_of(&p->tok, &k);
		if (kw != NULL && k == p->tok.n && kw->form != PARSE_FORM_HELP && !kw->syn) {
			p->out->topic = kw->form;
			p->out->has |= PARSE_HAS_TOPIC;
		}
		return true;
	}
	return true;
}

/* A first word that is not a keyword, followed by one: "Salam ق ١٠٢١ ...". */
static bool skip_leading_word(struct parser *p)
{
	struct lexer save = p->lx;
	struct token t;
	size_t k;

	if (p->tok.any_digit || p->tok.cp[0] == '#' || !lex_next(&save, &t) ||
	    keyword_of(&t, &k) == NULL)
		return false;
	p->out->ignored[0].off = p->tok.off;
	p->out->ignored[0].len = (uint16_t)(p->tok.end - p->tok.off);
	p->lx = save;
	p->tok = t;
	p->last_end = t.end;
	return true;
}

/* Find the keyword, taking PINs before it. */
static bool parse_keyword(struct parser *p)
{
	size_t k = 0;

	for (;;) {
		if (!load_token(p)) {
			if (p->out->has & PARSE_HAS_PIN)
				return fail_end(p, PARSE_ERR_MISSING_KEYWORD, PARSE_FIELD_NONE);
			return fail_nopos(p, PARSE_ERR_EMPTY_MESSAGE);
		}
		if (p->items[0].kind != IT_PIN)
			break;
		p->next = 1;
		if (!take_pin(p, &p->items[0]))
			return false;
	}
	p->kw = keyword_of(&p->tok, &k);
	if ((p->kw == NULL || (p->kw->syn && k == p->tok.n)) && skip_leading_word(p))
		p->kw = keyword_of(&p->tok, &k);
	if (p->kw == NULL)
		return fail_at(p,
			       is_digit(p->tok.cp[0]) ? PARSE_ERR_MISSING_KEYWORD
						      : PARSE_ERR_UNKNOWN_KEYWORD,
			       p->tok.off, (size_t)(p->tok.end - p->tok.off), PARSE_FIELD_NONE);
	p->out->form = p->kw->form;
	p->kw_end = p->tok.at[k];
	p->n_items = k < p->tok.n ? split_token(&p->tok, k, p->items) : 0;
	p->next = 0;
	return true;
}

static bool parse_body(struct parser *p)
{
	switch (p->out->form) {
	case PARSE_FORM_OPEN: return parse_open(p);
	case PARSE_FORM_TURNOUT:
	case PARSE_FORM_CLOSE: return parse_turnout(p);
	case PARSE_FORM_RESULTS: return parse_results(p);
	case PARSE_FORM_INCIDENT: return parse_incident(p);
	case PARSE_FORM_HELP: return parse_help(p);
	case PARSE_FORM_STATUS: return take_text(p, p->kw_end, &p->out->area, PARSE_HAS_AREA);
	case PARSE_FORM_ACK: return parse_ack(p);
	case PARSE_FORM_VERIFY:
	case PARSE_FORM_QUARANTINE: return parse_review(p);
	case PARSE_FORM_NONE: break;
	}
	return false;
}

/* The keyword's language; else the script's; else the fallback. */
static enum lang resolve_lang(const struct parser *p, enum lang fallback)
{
	if (p->kw != NULL && p->kw->lang != LANG_AMBIGUOUS)
		return (enum lang)p->kw->lang;
	if (p->has_arabic)
		return LANG_AR;
	if (p->fr_label)
		return LANG_FR;
	if (p->has_arabic_digit)
		return LANG_AR;
	if (p->has_latin)
		return fallback == LANG_AR ? LANG_EN : fallback;
	return fallback;
}

bool parse_message(const char *utf8, size_t len, enum lang fallback, struct parse_msg *out)
{
	struct parser p;

	memset(out, 0, sizeof(*out));
	memset(&p, 0, offsetof(struct parser, tok));
	p.s = utf8;
	p.len = len;
	p.out = out;
	p.lx.s = utf8;
	p.lx.len = len;
	if (prescan(&p) && parse_keyword(&p))
		(void)parse_body(&p);
	out->lang = resolve_lang(&p, (unsigned)fallback < LANG_COUNT ? fallback : LANG_EN);
	if (out->error != PARSE_OK && !p.no_pos)
		out->err_column = (uint16_t)(utf8_count(utf8, out->err_span.off) + 1);
	return out->error == PARSE_OK;
}

/* ---- error sentences --------------------------------------------------- */

static const char *const field_phrases[PARSE_FIELD_COUNT] = {
	"a field",
	"the station number",
	"the voters count (V)",
	"the women count (W)",
	"the men count (M)",
	"the total (V)",
	"the list of result counts",
	"the incident code",
	"the alert number",
	"the time",
	"the PIN",
	"the contest code",
};

/* Copy at most 40 bytes of the offending token, cut at a character. */
static size_t quote_token(const struct parse_msg *m, const char *input, size_t len, char *buf,
			  size_t cap)
{
	size_t n = m->err_span.len;

	if ((size_t)m->err_span.off + n > len)
		n = 0;
	if (n > 40) {
		n = 40;
		while (n > 0 && ((unsigned char)input[m->err_span.off + n] & 0xc0) == 0x80)
			n--;
	}
	if (n >= cap)
		n = cap - 1;
	memcpy(buf, input + m->err_span.off, n);
	buf[n] = '\0';
	return n;
}

#define DETAIL(...) snprintf(buf, cap, __VA_ARGS__)

size_t parse_error_detail(const struct parse_msg *m, const char *input, size_t len, char *buf,
			  size_t cap)
{
	char t[48];
	const char *f =
		field_phrases[(unsigned)m->err_field < PARSE_FIELD_COUNT ? m->err_field : 0];
	unsigned col = m->err_column;
	int n = 0;

	quote_token(m, input, len, t, sizeof(t));
	switch (m->error) {
	case PARSE_OK: n = DETAIL("ok"); break;
	case PARSE_ERR_EMPTY_MESSAGE: n = DETAIL("the message is empty"); break;
	case PARSE_ERR_MESSAGE_TOO_LONG:
		n = DETAIL("the message is %zu bytes long; the limit is %d", len, PARSE_MAX_BYTES);
		break;
	case PARSE_ERR_INVALID_UTF8:
		n = DETAIL("the message is not valid UTF-8 at character %u", col);
		break;
	case PARSE_ERR_CONTROL_CHARACTER:
		n = DETAIL("the message contains a control character at character %u", col);
		break;
	case PARSE_ERR_MISSING_KEYWORD:
		n = DETAIL(
			"the message starts with \"%s\" instead of a keyword such as T, C, O, R, I or HELP",
			t);
		break;
	case PARSE_ERR_UNKNOWN_KEYWORD:
		n = DETAIL(
			"unknown keyword \"%s\"; a message starts with T, C, O, R, I, HELP, STATUS or ACK (or their French or Arabic forms)",
			t);
		break;
	case PARSE_ERR_MISSING_STATION:
		n = DETAIL("the station number is missing after the keyword");
		break;
	case PARSE_ERR_BAD_STATION:
		n = DETAIL("station \"%s\" is not a number of at most %d digits", t,
			   PARSE_STATION_MAX);
		break;
	case PARSE_ERR_MISSING_NUMBER: n = DETAIL("%s has no number after its label", f); break;
	case PARSE_ERR_BAD_NUMBER: n = DETAIL("\"%s\" is not a number, for %s", t, f); break;
	case PARSE_ERR_NUMBER_TOO_LARGE:
		n = DETAIL("number \"%s\" has more than %d digits, for %s", t,
			   PARSE_NUMBER_MAX_DIGITS, f);
		break;
	case PARSE_ERR_MISSING_FIELD: n = DETAIL("%s is missing", f); break;
	case PARSE_ERR_DUPLICATE_FIELD: n = DETAIL("%s is given twice (\"%s\")", f, t); break;
	case PARSE_ERR_MISSING_LABEL:
		n = DETAIL(
			"number \"%s\" has no label; write V (voters), W (women) or M (men) before it",
			t);
		break;
	case PARSE_ERR_UNKNOWN_LABEL:
		n = DETAIL(
			"unknown label in \"%s\"; the labels are V (voters), W (women) and M (men)",
			t);
		break;
	case PARSE_ERR_UNEXPECTED_TOKEN:
		n = DETAIL("unexpected \"%s\" in a %s message", t, parse_form_name(m->form));
		break;
	case PARSE_ERR_BAD_TIME: n = DETAIL("time \"%s\" is not a valid HHMM time", t); break;
	case PARSE_ERR_MALFORMED_PIN:
		n = DETAIL("the PIN \"%s\" is not # followed by %d to %d digits", t, PARSE_PIN_MIN,
			   PARSE_PIN_MAX);
		break;
	case PARSE_ERR_TOO_MANY_COUNTS:
		n = DETAIL("more than %d result counts", PARSE_MAX_COUNTS);
		break;
	case PARSE_ERR_BAD_CONTEST:
		n = DETAIL(
			"contest code \"%s\" is not letters and digits starting with a letter, at most %d bytes",
			t, PARSE_CONTEST_MAX);
		break;
	}
	return n < 0 ? 0 : (size_t)n;
}
