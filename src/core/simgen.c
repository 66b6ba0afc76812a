/*
 * simgen.c - the synthetic election of "sawt simulate"; see simgen.h.
 */
#include "simgen.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "strbuf.h"

/* ==== the pseudo-random generator ==== */

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void simgen_rng_seed(struct simgen_rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t simgen_rng_next(struct simgen_rng *r)
{
	uint64_t *s = r->s, out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

uint32_t simgen_rng_below(struct simgen_rng *r, uint32_t n)
{
	uint64_t limit, x;

	if (n == 0)
		return 0;
	limit = UINT64_MAX - UINT64_MAX % n; /* no modulo bias */
	do
		x = simgen_rng_next(r);
	while (x >= limit);
	return (uint32_t)(x % n);
}

int simgen_rng_range(struct simgen_rng *r, int lo, int hi)
{
	return lo + (int)simgen_rng_below(r, (uint32_t)(hi - lo) + 1);
}

bool simgen_rng_pct(struct simgen_rng *r, unsigned pct)
{
	return simgen_rng_below(r, 100) < pct;
}

/* ==== tables ==== */

static const struct simgen_region region_table[] = {
	{ "بيروت", 4, { "الأشرفية", "المزرعة", "رأس بيروت", "المصيطبة" } },
	{ "جبل لبنان", 6, { "بعبدا", "المتن", "الشوف", "عاليه", "كسروان", "جبيل" } },
	{ "الشمال", 6, { "طرابلس", "الكورة", "زغرتا", "البترون", "بشري", "المنية الضنية" } },
	{ "البقاع", 3, { "زحلة", "البقاع الغربي", "راشيا" } },
	{ "الجنوب", 3, { "صيدا", "صور", "جزين" } },
	{ "النبطية", 4, { "مدينة النبطية", "بنت جبيل", "مرجعيون", "حاصبيا" } },
	{ "عكار", 3, { "حلبا", "القبيات", "ببنين" } },
	{ "بعلبك الهرمل", 2, { "بعلبك", "الهرمل" } },
};
#define N_REGIONS_MAX (sizeof(region_table) / sizeof(region_table[0]))

static const char *const first_ar[] = {
	"ليلى", "نور",  "رنا", "فاطمة", "زينب", "مريم", "هالة", "سارة",
	"أحمد", "محمد", "علي", "حسن",   "جورج", "سمير", "خليل", "يوسف",
};
static const char *const last_ar[] = {
	"حداد",  "خوري",  "عون", "الزين", "نصر",  "الحسيني",
	"شمعون", "فرحات", "بزي", "سلامة", "عيسى", "الأسعد",
};
static const char *const first_lat[] = {
	"Rania", "Nour", "Maya", "Lina", "Carla", "Hiba", "Joelle", "Dima",
	"Karim", "Rami", "Elie", "Omar", "Tarek", "Marc", "Ziad",   "Walid",
};
static const char *const last_lat[] = {
	"Haddad", "Khoury",  "Aoun", "Zein", "Nasr",    "Chamoun",
	"Farhat", "Salameh", "Issa", "Saab", "Gemayel", "Moussa",
};
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char *const mun_candidates[SIMGEN_MAX_CANDIDATES] = {
	"لائحة بيروت مدينتي", "لائحة الإنماء", "لائحة القرار الحر", "Liste Citoyens",
	"لائحة الوفاء",       "لائحة التغيير", "لائحة المستقلين",
};
static const char *const muk_candidates[SIMGEN_MAX_CANDIDATES] = {
	"فاطمة الزين", "جورج نصر", "Lina Haddad", "سمير خوري", "حسن بزي", "ريما عون", "Omar Saab",
};

struct incident_def {
	int code;
	const char *severity;
	unsigned weight;
	const char *name_en, *name_ar, *name_fr;
	const char *text_en, *text_ar, *text_fr;
};

static const struct incident_def incident_table[] = {
	{ 1, "info", 25, "Late opening", "تأخر في الافتتاح", "Ouverture tardive", "opened late",
	  "تأخر الافتتاح", "ouverture en retard" },
	{ 2, "serious", 10, "Observer denied entry", "منع دخول المراقب", "Observateur refoulé",
	  "observer kept outside", "منعوا المراقب من الدخول", "observateur refoule" },
	{ 3, "critical", 4, "Vote buying", "شراء أصوات", "Achat de votes",
	  "vote buying at the door", "شراء أصوات على الباب", "achat de voix devant le bureau" },
	{ 4, "critical", 2, "Violence", "عنف", "Violence", "fight outside", "إشكال أمام المركز",
	  "bagarre devant le bureau" },
	{ 5, "serious", 20, "Campaigning near the station", "دعاية انتخابية قرب المركز",
	  "Propagande près du bureau", "flyers at the entrance", "مناشير عند المدخل",
	  "tracts a l entree" },
	{ 6, "info", 15, "Missing materials", "نقص في المواد", "Matériel manquant", "no ink",
	  "لا يوجد حبر", "pas d encre" },
	{ 7, "serious", 8, "Assisted voting abuse", "مساعدة غير قانونية للناخبين",
	  "Assistance abusive", "party agent in booth", "مندوب داخل المعزل",
	  "delegue dans l isoloir" },
	{ 8, "info", 16, "Long queues", "طوابير طويلة", "Longues files d'attente",
	  "queue of 100 people", "طابور طويل", "longue file" },
};
#define N_INCIDENT_CODES NELEM(incident_table)

/* ==== the generator ==== */

enum typo {
	TYPO_NONE,
	TYPO_BAD_TIME,      /* open: hour 25 */
	TYPO_MISSING_LABEL, /* turnout: V without its letter */
	TYPO_SWAP,          /* turnout, close: women > voters */
	TYPO_STATION,       /* any: an extra digit, no such station */
	TYPO_BAD_NUMBER,    /* turnout: a letter inside V */
	TYPO_MISSING_WOMEN, /* close: W left out */
	TYPO_DROP_COUNT,    /* results: the blank count left out */
	TYPO_MISSING_CODE,  /* incident: the code left out */
};

struct simgen {
	struct simgen_options opt;
	char cc[4];
	struct simgen_rng rng;
	int open_s, close_s; /* polls, seconds after midnight */
	size_t n_regions;
	const struct simgen_region *regions;
	struct simgen_contest contests[SIMGEN_CONTESTS];
	unsigned weights[SIMGEN_CONTESTS][SIMGEN_MAX_CANDIDATES];
	struct simgen_station *stations;
	size_t n_stations;
	struct simgen_person *people;
	size_t n_people;
	unsigned *extras;   /* per person: typos and resends sent */
	int64_t *last_smsc; /* per person: while scheduling */
	struct simgen_message *msgs;
	size_t n_msgs, cap_msgs;
	unsigned code_digits; /* digits of a station's number in its district */
};

void simgen_options_init(struct simgen_options *opt)
{
	memset(opt, 0, sizeof(*opt));
	opt->seed = 1;
	opt->stations = 50;
	opt->typo_pct = 5;
	opt->arabic_pct = 30;
	opt->pin_pct = 20;
	opt->dup_pct = 1;
	opt->polls_open = -1;
	opt->polls_close = -1;
}

static bool options_ok(const struct simgen_options *o)
{
	const char *cc = o->country_code;
	size_t n = cc ? strlen(cc) : 0;

	if (o->stations == 0 || o->stations > SIMGEN_MAX_STATIONS)
		return false;
	if (o->typo_pct > 100 || o->arabic_pct > 100 || o->pin_pct > 100 || o->dup_pct > 100)
		return false;
	if (n > 3 || (n > 0 && (strspn(cc, "0123456789") != n || cc[0] == '0')))
		return false;
	return o->polls_open < 1440 && o->polls_close < 1440;
}

/* ---- regions, stations and their figures ---- */

static unsigned digits_of(unsigned n)
{
	unsigned d = 1;

	while (n >= 10) {
		n /= 10;
		d++;
	}
	return d;
}

/* Put each station in a region (round robin) and a district (at random);
 * number them within their district; name them after their centre. */
static void place_stations(struct simgen *g)
{
	size_t n = g->n_stations;
	unsigned seq[N_REGIONS_MAX][6], max_seq = 0;
	size_t per_region = (n + g->n_regions - 1) / g->n_regions;

	memset(seq, 0, sizeof(seq));
	for (size_t i = 0; i < n; i++) {
		struct simgen_station *s = &g->stations[i];
		const struct simgen_region *r = &g->regions[i % g->n_regions];
		unsigned nd = (unsigned)(per_region / 8);

		nd = nd < 1 ? 1 : nd > r->n_districts ? r->n_districts : nd;
		s->region = (unsigned)(i % g->n_regions);
		s->district = simgen_rng_below(&g->rng, nd);
		if (++seq[s->region][s->district] > max_seq)
			max_seq = seq[s->region][s->district];
	}
	g->code_digits = digits_of(max_seq) < 2 ? 2 : digits_of(max_seq);
	memset(seq, 0, sizeof(seq));
	for (size_t i = 0; i < n; i++) {
		struct simgen_station *s = &g->stations[i];
		const char *dname = g->regions[s->region].districts[s->district];
		unsigned k = ++seq[s->region][s->district];

		snprintf(s->code, sizeof(s->code), "%u%u%0*u", s->region + 1, s->district + 1,
			 (int)g->code_digits, k);
		snprintf(s->centre, sizeof(s->centre), "مدرسة %s الرسمية %u", dname,
			 (k - 1) / 3 + 1);
		snprintf(s->name, sizeof(s->name), "%s - قلم %u", s->centre, (k - 1) % 3 + 1);
	}
}

static void make_contests(struct simgen *g)
{
	static const char *const codes[SIMGEN_CONTESTS] = { "MUN", "MUK" };
	static const char *const names[SIMGEN_CONTESTS] = { "المجلس البلدي", "المختار" };
	static const char *const *const cands[SIMGEN_CONTESTS] = { mun_candidates, muk_candidates };

	for (unsigned c = 0; c < SIMGEN_CONTESTS; c++) {
		struct simgen_contest *k = &g->contests[c];

		k->code = codes[c];
		k->name = names[c];
		k->n_candidates = (unsigned)(c == 0 ? simgen_rng_range(&g->rng, 4, 7)
						    : simgen_rng_range(&g->rng, 2, 4));
		for (unsigned i = 0; i < k->n_candidates; i++) {
			k->candidates[i] = cands[c][i];
			g->weights[c][i] = (unsigned)simgen_rng_range(&g->rng, 10, 100);
		}
	}
}

/* Split v ballots of station s in contest c: candidates, invalid, blank. */
static void make_results(struct simgen *g, struct simgen_station *s, unsigned c)
{
	const struct simgen_contest *k = &g->contests[c];
	int *res = s->results[c], valid, left;
	unsigned w[SIMGEN_MAX_CANDIDATES], wsum = 0;

	res[k->n_candidates] = s->voters * simgen_rng_range(&g->rng, 0, 30) / 1000;
	res[k->n_candidates + 1] = s->voters * simgen_rng_range(&g->rng, 0, 20) / 1000;
	valid = s->voters - res[k->n_candidates] - res[k->n_candidates + 1];
	for (unsigned i = 0; i < k->n_candidates; i++) {
		w[i] = g->weights[c][i] * (unsigned)simgen_rng_range(&g->rng, 60, 140);
		wsum += w[i];
	}
	left = valid;
	for (unsigned i = 0; i < k->n_candidates; i++) {
		res[i] = (int)((long long)valid * w[i] / wsum);
		left -= res[i];
	}
	while (left-- > 0)
		res[simgen_rng_below(&g->rng, k->n_candidates)]++;
}

static int pick_incident(struct simgen *g)
{
	unsigned total = 0, x;

	for (size_t i = 0; i < N_INCIDENT_CODES; i++)
		total += incident_table[i].weight;
	x = simgen_rng_below(&g->rng, total);
	for (size_t i = 0; i < N_INCIDENT_CODES; i++) {
		if (x < incident_table[i].weight)
			return incident_table[i].code;
		x -= incident_table[i].weight;
	}
	return incident_table[0].code;
}

static void make_incidents(struct simgen *g, struct simgen_station *s)
{
	unsigned x = simgen_rng_below(&g->rng, 100);

	s->n_incidents = x < 85 ? 0 : x < 97 ? 1 : 2;
	for (unsigned i = 0; i < s->n_incidents; i++) {
		do
			s->incident[i] = pick_incident(g);
		while (i == 1 && s->incident[1] == s->incident[0]);
		s->incident_round[i] = simgen_rng_below(&g->rng, SIMGEN_ROUNDS);
	}
}

static void make_figures(struct simgen *g, struct simgen_station *s)
{
	static const int lo[SIMGEN_ROUNDS] = { 20, 45, 68 }, hi[SIMGEN_ROUNDS] = { 30, 58, 82 };
	unsigned skip;

	s->registered = simgen_rng_range(&g->rng, 250, 1200);
	s->registered_women = s->registered * simgen_rng_range(&g->rng, 470, 530) / 1000;
	s->voters = s->registered * simgen_rng_range(&g->rng, 30, 75) / 100;
	if (s->voters < 1)
		s->voters = 1;
	s->women = s->voters * simgen_rng_range(&g->rng, 38, 52) / 100;
	if (s->women > s->registered_women)
		s->women = s->registered_women;
	skip = simgen_rng_pct(&g->rng, 50) ? SIMGEN_ROUNDS
					   : simgen_rng_below(&g->rng, SIMGEN_ROUNDS);
	for (unsigned r = 0; r < SIMGEN_ROUNDS; r++) {
		int f = simgen_rng_range(&g->rng, lo[r], hi[r]);

		s->round[r] = r != skip;
		s->round_voters[r] = s->voters * f / 100;
		s->round_women[r] = s->women * f / 100;
	}
	s->contest[0] = true;
	s->contest[1] = simgen_rng_pct(&g->rng, 60);
	for (unsigned c = 0; c < SIMGEN_CONTESTS; c++)
		if (s->contest[c])
			make_results(g, s, c);
	make_incidents(g, s);
	s->open_minute = g->open_s / 60 + simgen_rng_range(&g->rng, -10, 25);
	if (s->open_minute < 0)
		s->open_minute = 0;
	if (s->open_minute > 23 * 60 + 59)
		s->open_minute = 23 * 60 + 59;
}

/* ---- people ---- */

static void make_phone(struct simgen *g, struct simgen_person *p, size_t i, uint32_t offset)
{
	unsigned local = 70000000u + (unsigned)((i * 7919u + offset) % 10000000u);
	const char *why;

	switch (simgen_rng_below(&g->rng, 3)) {
	case 0:
		snprintf(p->csv_phone, sizeof(p->csv_phone), "+%s %02u %03u %03u", g->cc,
			 local / 1000000, local / 1000 % 1000, local % 1000);
		break;
	case 1: snprintf(p->csv_phone, sizeof(p->csv_phone), "00%s%u", g->cc, local); break;
	default:
		snprintf(p->csv_phone, sizeof(p->csv_phone), "%02u %03u %03u", local / 1000000,
			 local / 1000 % 1000, local % 1000);
		if (strncmp(p->csv_phone, g->cc, strlen(g->cc)) == 0)
			snprintf(p->csv_phone, sizeof(p->csv_phone), "+%s%u", g->cc, local);
	}
	if (!phone_normalize(p->csv_phone, strlen(p->csv_phone), g->cc, p->phone, &why))
		snprintf(p->phone, sizeof(p->phone), "+%s%u", g->cc, local);
}

static void make_person(struct simgen *g, struct simgen_person *p, size_t i, uint32_t offset)
{
	unsigned x = simgen_rng_below(&g->rng, 100);

	make_phone(g, p, i, offset);
	if (simgen_rng_pct(&g->rng, g->opt.arabic_pct)) {
		p->style = SIMGEN_STYLE_AR;
		p->language = x < 80 ? "ar" : "";
		snprintf(p->name, sizeof(p->name), "%s %s",
			 first_ar[simgen_rng_below(&g->rng, NELEM(first_ar))],
			 last_ar[simgen_rng_below(&g->rng, NELEM(last_ar))]);
		return;
	}
	p->style = simgen_rng_pct(&g->rng, 40) ? SIMGEN_STYLE_FR : SIMGEN_STYLE_EN;
	if (p->style == SIMGEN_STYLE_FR)
		p->language = x < 90 ? "fr" : "";
	else
		p->language = x < 80 ? "en" : x < 90 ? "ar" : "";
	snprintf(p->name, sizeof(p->name), "%s %s",
		 first_lat[simgen_rng_below(&g->rng, NELEM(first_lat))],
		 last_lat[simgen_rng_below(&g->rng, NELEM(last_lat))]);
}

/* One observer per station, then a coordinator per region and one for all. */
static bool make_people(struct simgen *g)
{
	uint32_t offset = simgen_rng_below(&g->rng, 10000000u);

	g->n_people = g->n_stations + g->n_regions + 1;
	g->people = calloc(g->n_people, sizeof(*g->people));
	g->extras = calloc(g->n_people, sizeof(*g->extras));
	g->last_smsc = calloc(g->n_people, sizeof(*g->last_smsc));
	if (g->people == NULL || g->extras == NULL || g->last_smsc == NULL)
		return false;
	for (size_t i = 0; i < g->n_people; i++) {
		struct simgen_person *p = &g->people[i];

		make_person(g, p, i, offset);
		if (i < g->n_stations) {
			p->station = (int)i;
			p->region = -1;
			g->stations[i].observer = (unsigned)i;
			if (simgen_rng_pct(&g->rng, g->opt.pin_pct))
				snprintf(p->pin, sizeof(p->pin), "%d",
					 simgen_rng_range(&g->rng, 1000, 9999));
		} else {
			p->coordinator = true;
			p->station = -1;
			p->region =
				i - g->n_stations < g->n_regions ? (int)(i - g->n_stations) : -1;
		}
	}
	return true;
}

/* ==== message texts ==== */

struct sb {
	struct strbuf s;
	bool arabic_digits;
};

/* A number in the message's digits (Arabic-Indic when b->arabic_digits). */
static void sb_num(struct sb *b, const char *prefix, long long v)
{
	char d[24];

	snprintf(d, sizeof(d), "%lld", v);
	strbuf_printf(&b->s, "%s", prefix);
	for (const char *p = d; *p; p++) {
		if (b->arabic_digits)
			strbuf_printf(&b->s, "\xd9%c", (char)(0xa0 + (*p - '0')));
		else
			strbuf_printf(&b->s, "%c", *p);
	}
}

/* The station code as typed, with an extra digit for TYPO_STATION. */
static void sb_station(struct sb *b, const struct simgen_station *s, enum typo t)
{
	char code[PARSE_STATION_MAX + 2];

	snprintf(code, sizeof(code), "%s%s", s->code, t == TYPO_STATION ? "7" : "");
	strbuf_printf(&b->s, " ");
	for (const char *p = code; *p; p++)
		sb_num(b, "", *p - '0');
}

struct labels {
	const char *v, *w, *m;
};

static const struct labels *labels_of(enum simgen_style st)
{
	static const struct labels en = { "V", "W", "M" }, fr = { "V", "F", "H" },
				   ar = { "م", "ن", "ر" };

	return st == SIMGEN_STYLE_AR ? &ar : st == SIMGEN_STYLE_FR ? &fr : &en;
}

static void render_open(struct simgen *g, struct sb *b, const struct simgen_station *s,
			enum simgen_style st, enum typo t)
{
	static const char *const kw[] = { "OPEN", "OUV", "فتح" };
	int hh = s->open_minute / 60, mm = s->open_minute % 60;
	bool with_time = t == TYPO_BAD_TIME || simgen_rng_pct(&g->rng, 70);

	if (t == TYPO_BAD_TIME)
		hh = 25; /* 25:05 */
	strbuf_printf(&b->s, "%s",
		      st == SIMGEN_STYLE_EN && simgen_rng_pct(&g->rng, 30) ? "O" : kw[st]);
	sb_station(b, s, t);
	if (!with_time)
		return;
	if (st == SIMGEN_STYLE_FR) {
		strbuf_printf(&b->s, " %dh%02d", hh, mm);
	} else {
		sb_num(b, " ", hh / 10);
		sb_num(b, "", hh % 10);
		sb_num(b, "", mm / 10);
		sb_num(b, "", mm % 10);
	}
}

/* Turnout or close: V, W and sometimes M, with the typos they can have. */
static void render_figures(struct simgen *g, struct sb *b, const struct simgen_station *s,
			   enum simgen_style st, bool close, int v, int w, enum typo t)
{
	static const char *const kw_t[] = { "T", "P", "ق" }, *const kw_c[] = { "C", "F", "اغلاق" };
	static const char *const long_t[] = { "TURNOUT", "PART", "اقتراع" };
	static const char *const long_c[] = { "CLOSE", "FERM", "إغلاق" };
	const struct labels *l = labels_of(st);
	bool long_kw = simgen_rng_pct(&g->rng, 20), men = simgen_rng_pct(&g->rng, 30);
	const char *sep = st == SIMGEN_STYLE_EN && simgen_rng_pct(&g->rng, 20) ? "=" : "";

	if (t == TYPO_SWAP) {
		int x = v;

		v = w;
		w = x;
		men = false;
	}
	strbuf_printf(&b->s, "%s",
		      close ? (long_kw ? long_c : kw_c)[st] : (long_kw ? long_t : kw_t)[st]);
	sb_station(b, s, t);
	strbuf_printf(&b->s, " %s%s", t == TYPO_MISSING_LABEL ? "" : l->v,
		      t == TYPO_MISSING_LABEL ? "" : sep);
	if (t == TYPO_BAD_NUMBER) {
		sb_num(b, "", v / 10); /* "V42p0": a letter for a digit */
		strbuf_printf(&b->s, "p");
		sb_num(b, "", v % 10);
	} else {
		sb_num(b, "", v);
	}
	if (t == TYPO_MISSING_WOMEN)
		return;
	strbuf_printf(&b->s, " %s%s", l->w, sep);
	sb_num(b, "", w);
	if (men) {
		strbuf_printf(&b->s, " %s%s", l->m, sep);
		sb_num(b, "", v - w);
	}
}

static void render_results(struct simgen *g, struct sb *b, const struct simgen_station *s,
			   enum simgen_style st, unsigned c, enum typo t)
{
	static const char *const kw_ar[] = { "ف", "فرز", "نتائج" };
	const struct simgen_contest *k = &g->contests[c];
	unsigned n = k->n_candidates + 2;
	bool both = s->contest[0] && s->contest[1];

	if (st == SIMGEN_STYLE_AR)
		strbuf_printf(&b->s, "%s", kw_ar[simgen_rng_below(&g->rng, 3)]);
	else
		strbuf_printf(&b->s, "%s",
			      st == SIMGEN_STYLE_FR || simgen_rng_pct(&g->rng, 30) ? "RES" : "R");
	sb_station(b, s, t);
	if (both || simgen_rng_pct(&g->rng, 50))
		strbuf_printf(&b->s, " %s", k->code);
	if (t == TYPO_DROP_COUNT)
		n--;
	for (unsigned i = 0; i < n; i++)
		sb_num(b, " ", s->results[c][i]);
	if (t != TYPO_DROP_COUNT && simgen_rng_pct(&g->rng, 40))
		sb_num(b, st == SIMGEN_STYLE_AR ? " م" : " V", s->voters);
}

static void render_incident(struct simgen *g, struct sb *b, const struct simgen_station *s,
			    enum simgen_style st, unsigned i, enum typo t)
{
	static const char *const kw_ar[] = { "ح", "حادث", "مخالفة" };
	const struct incident_def *d = &incident_table[0];

	for (size_t k = 0; k < N_INCIDENT_CODES; k++)
		if (incident_table[k].code == s->incident[i])
			d = &incident_table[k];
	if (st == SIMGEN_STYLE_AR)
		strbuf_printf(&b->s, "%s", kw_ar[simgen_rng_below(&g->rng, 3)]);
	else
		strbuf_printf(&b->s, "%s",
			      st == SIMGEN_STYLE_FR || simgen_rng_pct(&g->rng, 30) ? "INC" : "I");
	sb_station(b, s, t);
	if (t != TYPO_MISSING_CODE)
		sb_num(b, " ", d->code);
	strbuf_printf(&b->s, " %s",
		      st == SIMGEN_STYLE_AR   ? d->text_ar
		      : st == SIMGEN_STYLE_FR ? d->text_fr
					      : d->text_en);
}

static void render_pin(struct sb *b, const struct simgen_person *p, const char *sep_before,
		       const char *sep_after)
{
	strbuf_printf(&b->s, "%s#", sep_before);
	for (const char *c = p->pin; *c; c++)
		sb_num(b, "", *c - '0');
	strbuf_printf(&b->s, "%s", sep_after);
}

/* Write m's text (with typo t) in its sender's style. */
static void render(struct simgen *g, struct simgen_message *m, enum typo t)
{
	const struct simgen_station *s = &g->stations[m->station];
	const struct simgen_person *p = &g->people[m->person];
	struct sb b = { .arabic_digits = false };
	bool pin_first = p->pin[0] != '\0' && simgen_rng_pct(&g->rng, 20);

	m->arabic = p->style == SIMGEN_STYLE_AR;
	b.arabic_digits = m->arabic && simgen_rng_pct(&g->rng, 80);
	strbuf_init(&b.s, m->text, sizeof(m->text));
	if (pin_first)
		render_pin(&b, p, "", " ");
	switch (m->form) {
	case SIMGEN_OPEN: render_open(g, &b, s, p->style, t); break;
	case SIMGEN_TURNOUT:
		render_figures(g, &b, s, p->style, false, s->round_voters[m->round],
			       s->round_women[m->round], t);
		break;
	case SIMGEN_CLOSE: render_figures(g, &b, s, p->style, true, s->voters, s->women, t); break;
	case SIMGEN_RESULTS: render_results(g, &b, s, p->style, m->contest, t); break;
	case SIMGEN_INCIDENT: render_incident(g, &b, s, p->style, m->incident, t); break;
	}
	if (p->pin[0] != '\0' && !pin_first)
		render_pin(&b, p, " ", "");
}

/* ==== messages in sending order ==== */

/* One report a station has to send. */
struct base {
	unsigned station;
	enum simgen_form form;
	unsigned idx; /* round, contest or incident */
};

/* A message held back to be sent a few messages later. */
struct deferred {
	struct simgen_message msg;
	size_t release; /* when the phase has this many messages */
};

static unsigned base_count(const struct simgen_station *s)
{
	unsigned n = 2 + s->n_incidents;

	for (unsigned r = 0; r < SIMGEN_ROUNDS; r++)
		n += s->round[r];
	for (unsigned c = 0; c < SIMGEN_CONTESTS; c++)
		n += s->contest[c];
	return n;
}

/* May the observer of s send one more message than its reports? */
static bool take_extra(struct simgen *g, const struct simgen_station *s)
{
	if (g->extras[s->observer] + base_count(s) >= SIMGEN_SENDER_BUDGET)
		return false;
	g->extras[s->observer]++;
	return true;
}

static enum typo pick_typo(struct simgen *g, const struct base *x)
{
	const struct simgen_station *s = &g->stations[x->station];
	bool swap_ok = x->form == SIMGEN_TURNOUT ? s->round_women[x->idx] < s->round_voters[x->idx]
						 : s->women < s->voters;
	static const enum typo open_t[] = { TYPO_BAD_TIME, TYPO_STATION };
	static const enum typo turnout_t[] = { TYPO_MISSING_LABEL, TYPO_BAD_NUMBER, TYPO_STATION,
					       TYPO_SWAP };
	static const enum typo close_t[] = { TYPO_MISSING_WOMEN, TYPO_STATION, TYPO_SWAP };
	static const enum typo results_t[] = { TYPO_DROP_COUNT, TYPO_STATION };
	static const enum typo incident_t[] = { TYPO_MISSING_CODE, TYPO_STATION };

	switch (x->form) {
	case SIMGEN_OPEN: return open_t[simgen_rng_below(&g->rng, 2)];
	case SIMGEN_TURNOUT: return turnout_t[simgen_rng_below(&g->rng, swap_ok ? 4 : 3)];
	case SIMGEN_CLOSE: return close_t[simgen_rng_below(&g->rng, swap_ok ? 3 : 2)];
	case SIMGEN_RESULTS: return results_t[simgen_rng_below(&g->rng, 2)];
	case SIMGEN_INCIDENT: return incident_t[simgen_rng_below(&g->rng, 2)];
	}
	return TYPO_STATION;
}

static struct simgen_message *msg_add(struct simgen *g)
{
	if (!array_grow(&g->msgs, &g->cap_msgs, g->n_msgs + 1, sizeof(*g->msgs)))
		return NULL;
	memset(&g->msgs[g->n_msgs], 0, sizeof(g->msgs[0]));
	return &g->msgs[g->n_msgs++];
}

/* Send the held-back messages that are due (all of them when flush). */
static bool release_deferred(struct simgen *g, struct deferred *d, size_t *nd, size_t first,
			     bool flush)
{
	for (size_t i = 0; i < *nd;) {
		struct simgen_message *m;

		if (!flush && d[i].release > g->n_msgs - first) {
			i++;
			continue;
		}
		if ((m = msg_add(g)) == NULL)
			return false;
		*m = d[i].msg;
		memmove(&d[i], &d[i + 1], (*nd - i - 1) * sizeof(*d));
		(*nd)--;
	}
	return true;
}

/* Emit one report: maybe a typo first, maybe an identical resend later. */
static bool emit(struct simgen *g, const struct base *x, struct deferred *d, size_t *nd,
		 size_t first)
{
	const struct simgen_station *s = &g->stations[x->station];
	struct simgen_message m = { .person = s->observer, .station = x->station, .form = x->form };
	size_t later = g->n_msgs - first + (size_t)simgen_rng_range(&g->rng, 1, 6);
	struct simgen_message *out;

	m.round = x->form == SIMGEN_TURNOUT ? x->idx : 0;
	m.contest = x->form == SIMGEN_RESULTS ? x->idx : 0;
	m.incident = x->form == SIMGEN_INCIDENT ? x->idx : 0;
	if (simgen_rng_pct(&g->rng, g->opt.typo_pct) && take_extra(g, s)) {
		m.kind = SIMGEN_TYPO;
		render(g, &m, pick_typo(g, x));
		if ((out = msg_add(g)) == NULL)
			return false;
		*out = m;
		m.kind = SIMGEN_REPORT;
		render(g, &m, TYPO_NONE);
		d[(*nd)++] = (struct deferred){ m, later };
		return true;
	}
	m.kind = SIMGEN_REPORT;
	render(g, &m, TYPO_NONE);
	if ((out = msg_add(g)) == NULL)
		return false;
	*out = m;
	/* not turnout: a resend arriving after the next round would be a decrease */
	if (x->form != SIMGEN_TURNOUT && simgen_rng_pct(&g->rng, g->opt.dup_pct) &&
	    take_extra(g, s)) {
		m.kind = SIMGEN_RESEND;
		d[(*nd)++] = (struct deferred){ m, later };
	}
	return true;
}

/* Shuffle the reports of one phase, emit them, and spread their nominal
 * times over [w0, w1) seconds after midnight. */
static bool emit_phase(struct simgen *g, struct base *list, size_t n, int32_t w0, int32_t w1)
{
	struct deferred *d = n ? calloc(n, sizeof(*d)) : NULL;
	size_t first = g->n_msgs, nd = 0, count;
	bool ok = n == 0 || d != NULL;

	for (size_t i = n; ok && i > 1; i--) {
		size_t j = simgen_rng_below(&g->rng, (uint32_t)i);
		struct base t = list[i - 1];

		list[i - 1] = list[j];
		list[j] = t;
	}
	for (size_t i = 0; ok && i < n; i++)
		ok = release_deferred(g, d, &nd, first, false) && emit(g, &list[i], d, &nd, first);
	ok = ok && release_deferred(g, d, &nd, first, true);
	free(d);
	count = g->n_msgs - first;
	for (size_t k = 0; ok && k < count; k++)
		g->msgs[first + k].nominal =
			w0 +
			(int32_t)(((int64_t)w1 - w0) * (int64_t)(2 * k + 1) / (int64_t)(2 * count));
	return ok;
}

static bool make_messages(struct simgen *g)
{
	size_t n = g->n_stations, nb;
	int32_t P = g->open_s, C = g->close_s, span = (C - P - 3600) / SIMGEN_ROUNDS;
	struct base *list = calloc(n * (SIMGEN_CONTESTS + SIMGEN_MAX_INCIDENTS + 1), sizeof(*list));
	bool ok = list != NULL;

	for (size_t i = 0; i < n; i++)
		list[i] = (struct base){ (unsigned)i, SIMGEN_OPEN, 0 };
	ok = ok && emit_phase(g, list, n, P - 600, P + 1500);
	for (unsigned r = 0; ok && r < SIMGEN_ROUNDS; r++) {
		nb = 0;
		for (size_t i = 0; i < n; i++) {
			const struct simgen_station *s = &g->stations[i];

			if (s->round[r])
				list[nb++] = (struct base){ (unsigned)i, SIMGEN_TURNOUT, r };
			for (unsigned k = 0; k < s->n_incidents; k++)
				if (s->incident_round[k] == r)
					list[nb++] =
						(struct base){ (unsigned)i, SIMGEN_INCIDENT, k };
		}
		ok = emit_phase(g, list, nb, P + 1800 + (int32_t)r * span,
				P + 1800 + (int32_t)(r + 1) * span);
	}
	for (size_t i = 0; ok && i < n; i++)
		list[i] = (struct base){ (unsigned)i, SIMGEN_CLOSE, 0 };
	ok = ok && emit_phase(g, list, n, C, C + 1800);
	nb = 0;
	for (size_t i = 0; ok && i < n; i++)
		for (unsigned c = 0; c < SIMGEN_CONTESTS; c++)
			if (g->stations[i].contest[c])
				list[nb++] = (struct base){ (unsigned)i, SIMGEN_RESULTS, c };
	ok = ok && emit_phase(g, list, nb, C + 2700, C + 10800);
	free(list);
	return ok;
}

/* ==== construction ==== */

static void set_polls(struct simgen *g)
{
	g->open_s = (g->opt.polls_open >= 0 ? g->opt.polls_open : 7 * 60) * 60;
	g->close_s = (g->opt.polls_close >= 0 ? g->opt.polls_close : 19 * 60) * 60;
	if (g->close_s < g->open_s + 4 * 3600)
		g->close_s = g->open_s + 4 * 3600;
	if (g->close_s > 20 * 3600 && g->open_s <= 16 * 3600)
		g->close_s = 20 * 3600; /* results before midnight */
}

struct simgen *simgen_new(const struct simgen_options *opt)
{
	struct simgen *g;
	size_t n;

	if (opt == NULL || !options_ok(opt) || (g = calloc(1, sizeof(*g))) == NULL)
		return NULL;
	g->opt = *opt;
	snprintf(g->cc, sizeof(g->cc), "%s",
		 opt->country_code && opt->country_code[0] ? opt->country_code : "961");
	g->opt.country_code = g->cc;
	simgen_rng_seed(&g->rng, opt->seed);
	set_polls(g);
	n = g->n_stations = opt->stations;
	g->n_regions = (n + 24) / 25;
	if (g->n_regions > N_REGIONS_MAX)
		g->n_regions = N_REGIONS_MAX;
	g->regions = region_table;
	if ((g->stations = calloc(n, sizeof(*g->stations))) == NULL)
		goto fail;
	make_contests(g);
	place_stations(g);
	for (size_t i = 0; i < n; i++)
		make_figures(g, &g->stations[i]);
	if (!make_people(g) || !make_messages(g))
		goto fail;
	return g;
fail:
	simgen_free(g);
	return NULL;
}

void simgen_free(struct simgen *g)
{
	if (g == NULL)
		return;
	free(g->stations);
	free(g->people);
	free(g->extras);
	free(g->last_smsc);
	free(g->msgs);
	free(g);
}

size_t simgen_n_regions(const struct simgen *g)
{
	return g->n_regions;
}
const struct simgen_region *simgen_region(const struct simgen *g, size_t i)
{
	return &g->regions[i];
}
const struct simgen_contest *simgen_contest(const struct simgen *g, size_t i)
{
	return &g->contests[i];
}
size_t simgen_n_stations(const struct simgen *g)
{
	return g->n_stations;
}
const struct simgen_station *simgen_station(const struct simgen *g, size_t i)
{
	return &g->stations[i];
}
size_t simgen_n_people(const struct simgen *g)
{
	return g->n_people;
}
const struct simgen_person *simgen_person(const struct simgen *g, size_t i)
{
	return &g->people[i];
}
size_t simgen_n_messages(const struct simgen *g)
{
	return g->n_msgs;
}
const struct simgen_message *simgen_message(const struct simgen *g, size_t i)
{
	return &g->msgs[i];
}

void simgen_get_counts(const struct simgen *g, struct simgen_counts *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < g->n_msgs; i++) {
		const struct simgen_message *m = &g->msgs[i];

		out->messages++;
		out->reports += m->kind == SIMGEN_REPORT;
		out->typos += m->kind == SIMGEN_TYPO;
		out->resends += m->kind == SIMGEN_RESEND;
		out->arabic += m->arabic;
		out->with_pin += g->people[m->person].pin[0] != '\0';
		if (m->kind == SIMGEN_REPORT)
			out->by_form[m->form]++;
	}
	out->incidents = out->by_form[SIMGEN_INCIDENT];
}

/* ==== the registry as CSV ==== */

struct dbuf {
	char *buf;
	size_t len, cap;
	bool ok;
};

static void SAWT_PRINTF(2, 3) db_printf(struct dbuf *d, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (int pass = 0; d->ok && pass < 2; pass++) {
		va_start(ap, fmt);
		n = vsnprintf(d->buf ? d->buf + d->len : NULL, d->buf ? d->cap - d->len : 0, fmt,
			      ap);
		va_end(ap);
		if (n < 0) {
			d->ok = false;
		} else if (d->buf != NULL && (size_t)n < d->cap - d->len) {
			d->len += (size_t)n;
			return;
		} else if (!array_grow(&d->buf, &d->cap, d->len + (size_t)n + 1, 1)) {
			d->ok = false;
		}
	}
}

/* A CSV field: quoted when it holds a comma or a quote. */
static void db_field(struct dbuf *d, const char *s, bool last)
{
	if (strpbrk(s, ",\"") == NULL) {
		db_printf(d, "%s%s", s, last ? "\n" : ",");
		return;
	}
	db_printf(d, "\"");
	for (const char *p = s; *p; p++)
		db_printf(d, "%s%c", *p == '"' ? "\"" : "", *p);
	db_printf(d, "\"%s", last ? "\n" : ",");
}

static void csv_stations(const struct simgen *g, struct dbuf *d)
{
	db_printf(d, "code,name,region,district,centre,registered,registered_women,contests\n");
	for (size_t i = 0; i < g->n_stations; i++) {
		const struct simgen_station *s = &g->stations[i];
		const struct simgen_region *r = &g->regions[s->region];

		db_field(d, s->code, false);
		db_field(d, s->name, false);
		db_field(d, r->name, false);
		db_field(d, r->districts[s->district], false);
		db_field(d, s->centre, false);
		db_printf(d, "%d,%d,%s%s%s\n", s->registered, s->registered_women,
			  s->contest[0] ? g->contests[0].code : "",
			  s->contest[0] && s->contest[1] ? "|" : "",
			  s->contest[1] ? g->contests[1].code : "");
	}
}

static void csv_contests(const struct simgen *g, struct dbuf *d)
{
	db_printf(d, "contest,contest_name,position,candidate\n");
	for (unsigned c = 0; c < SIMGEN_CONTESTS; c++)
		for (unsigned i = 0; i < g->contests[c].n_candidates; i++) {
			db_printf(d, "%s,", g->contests[c].code);
			db_field(d, g->contests[c].name, false);
			db_printf(d, "%u,", i + 1);
			db_field(d, g->contests[c].candidates[i], true);
		}
}

static void csv_people(const struct simgen *g, struct dbuf *d)
{
	db_printf(d, "phone,name,role,language,stations,areas,pin\n");
	for (size_t i = 0; i < g->n_people; i++) {
		const struct simgen_person *p = &g->people[i];

		db_field(d, p->csv_phone, false);
		db_field(d, p->name, false);
		db_printf(d, "%s,%s,", p->coordinator ? "coordinator" : "observer", p->language);
		db_field(d, p->station >= 0 ? g->stations[p->station].code : "", false);
		db_field(d, p->region >= 0 ? g->regions[p->region].name : "", false);
		db_field(d, p->pin, true);
	}
}

static void csv_incident_codes(struct dbuf *d)
{
	db_printf(d, "code,severity,name_en,name_ar,name_fr\n");
	for (size_t i = 0; i < N_INCIDENT_CODES; i++) {
		const struct incident_def *x = &incident_table[i];

		db_printf(d, "%d,%s,", x->code, x->severity);
		db_field(d, x->name_en, false);
		db_field(d, x->name_ar, false);
		db_field(d, x->name_fr, true);
	}
}

char *simgen_csv(const struct simgen *g, enum registry_kind kind, size_t *len)
{
	struct dbuf d = { NULL, 0, 0, true };

	switch (kind) {
	case REGISTRY_STATIONS: csv_stations(g, &d); break;
	case REGISTRY_CONTESTS: csv_contests(g, &d); break;
	case REGISTRY_PEOPLE: csv_people(g, &d); break;
	case REGISTRY_INCIDENT_CODES: csv_incident_codes(&d); break;
	}
	if (!d.ok) {
		free(d.buf);
		return NULL;
	}
	*len = d.len;
	return d.buf;
}

/* ==== the expected figures ==== */

typedef void (*fact_fn)(const char *key, long long value, void *arg);

static void area_facts(const char *level, const char *name, const long long v[5], fact_fn fn,
		       void *arg)
{
	static const char *const f[5] = { "stations_total", "stations_reporting", "registered",
					  "voters", "women" };
	char key[256];

	for (int i = 0; i < 5; i++) {
		snprintf(key, sizeof(key), "area|%s|%s|%s", level, name, f[i]);
		fn(key, v[i], arg);
	}
}

static void turnout_facts(const struct simgen *g, const char *election, fact_fn fn, void *arg)
{
	long long all[5] = { 0 }, reg[N_REGIONS_MAX][5];
	char key[256];

	memset(reg, 0, sizeof(reg));
	for (size_t i = 0; i < g->n_stations; i++) {
		const struct simgen_station *s = &g->stations[i];
		long long v[5] = { 1, 1, s->registered, s->voters, s->women };

		for (int k = 0; k < 5; k++) {
			all[k] += v[k];
			reg[s->region][k] += v[k];
		}
		snprintf(key, sizeof(key), "station|%s|voters", s->code);
		fn(key, s->voters, arg);
		snprintf(key, sizeof(key), "station|%s|women", s->code);
		fn(key, s->women, arg);
	}
	area_facts("election", election, all, fn, arg);
	for (size_t r = 0; r < g->n_regions; r++)
		area_facts("region", g->regions[r].name, reg[r], fn, arg);
}

static void results_facts(const struct simgen *g, unsigned c, fact_fn fn, void *arg)
{
	const struct simgen_contest *k = &g->contests[c];
	long long sum[SIMGEN_MAX_CANDIDATES + 2] = { 0 }, stations = 0;
	char key[128];

	for (size_t i = 0; i < g->n_stations; i++) {
		if (!g->stations[i].contest[c])
			continue;
		stations++;
		for (unsigned j = 0; j < k->n_candidates + 2; j++)
			sum[j] += g->stations[i].results[c][j];
	}
	for (unsigned j = 0; j < k->n_candidates; j++) {
		snprintf(key, sizeof(key), "results|%s|%u", k->code, j + 1);
		fn(key, sum[j], arg);
	}
	snprintf(key, sizeof(key), "results|%s|invalid", k->code);
	fn(key, sum[k->n_candidates], arg);
	snprintf(key, sizeof(key), "results|%s|blank", k->code);
	fn(key, sum[k->n_candidates + 1], arg);
	snprintf(key, sizeof(key), "results|%s|stations_reporting", k->code);
	fn(key, stations, arg);
	snprintf(key, sizeof(key), "progress|results %s", k->code);
	fn(key, stations, arg);
}

void simgen_expected(const struct simgen *g, const char *election, fact_fn fn, void *arg)
{
	long long incidents = 0;

	turnout_facts(g, election, fn, arg);
	for (unsigned c = 0; c < SIMGEN_CONTESTS; c++)
		results_facts(g, c, fn, arg);
	fn("progress|open", (long long)g->n_stations, arg);
	fn("progress|turnout", (long long)g->n_stations, arg);
	fn("progress|close", (long long)g->n_stations, arg);
	for (size_t i = 0; i < g->n_stations; i++)
		incidents += g->stations[i].n_incidents;
	fn("incidents", incidents, arg);
}

/* ==== SMSC times ==== */

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* The nominal times of the first message, the first report that is not
 * an opening, and the last message. */
static void nominal_span(const struct simgen *g, int32_t *n0, int32_t *nr, int32_t *n1)
{
	*n0 = *nr = *n1 = 0;
	if (g->n_msgs == 0)
		return;
	*n0 = g->msgs[0].nominal;
	*n1 = g->msgs[g->n_msgs - 1].nominal;
	*nr = *n1;
	for (size_t i = 0; i < g->n_msgs; i++)
		if (g->msgs[i].form != SIMGEN_OPEN && g->msgs[i].nominal < *nr)
			*nr = g->msgs[i].nominal;
}

/* Would reports sent from a to b (one local day starting at day0) be
 * flagged by clock? */
static bool flag_free(const struct validate_clock *c, int64_t a, int64_t b, int64_t day0)
{
	if (c->has_open && a < c->open_at)
		return false;
	if (!c->has_open && c->polls_open >= 0 &&
	    (a < day0 + c->polls_open * 60 || b >= day0 + 86400))
		return false;
	return !(c->has_deadline && b > c->deadline_at);
}

bool simgen_plan(const struct simgen *g, const struct validate_clock *clock, int64_t now,
		 struct simgen_timeline *out)
{
	int64_t lo = now - 86400 + 1800, hi = now - 60, best = -1;
	int64_t today = floor_div(now + clock->utc_offset, 86400) * 86400 - clock->utc_offset;
	int32_t n0, nr, n1;

	nominal_span(g, &n0, &nr, &n1);
	memset(out, 0, sizeof(*out));
	for (int back = 0; back < 2; back++) {
		int64_t d = today - back * 86400;

		if (d + n0 >= lo && d + n1 <= hi && n1 < 86400 &&
		    flag_free(clock, d + nr, d + n1, d)) {
			out->day0 = d;
			return true;
		}
	}
	out->compressed = true;
	for (int back = 0; back < 2; back++) {
		int64_t d = today - back * 86400;
		int64_t a = lo > d + g->open_s ? lo : d + g->open_s,
			b = hi < d + 86399 ? hi : d + 86399;

		if (clock->has_open && a < clock->open_at)
			a = clock->open_at;
		if (clock->has_deadline && b > clock->deadline_at)
			b = clock->deadline_at;
		if (b - a > best && flag_free(clock, a, b, d)) {
			best = b - a;
			out->from = a;
			out->to = b;
		}
	}
	if (best >= 600)
		return true;
	out->from = lo;
	out->to = hi;
	return false;
}

void simgen_schedule(struct simgen *g, const struct simgen_timeline *tl)
{
	int32_t n0, nr, n1;
	int64_t span;

	nominal_span(g, &n0, &nr, &n1);
	span = n1 > n0 ? n1 - n0 : 1;
	memset(g->last_smsc, 0, g->n_people * sizeof(*g->last_smsc));
	for (size_t i = 0; i < g->n_msgs; i++) {
		struct simgen_message *m = &g->msgs[i];
		int64_t t = tl->compressed
				    ? tl->from + (m->nominal - n0) * (tl->to - tl->from) / span
				    : tl->day0 + m->nominal;

		if (t <= g->last_smsc[m->person])
			t = g->last_smsc[m->person] + 1;
		m->smsc = g->last_smsc[m->person] = t;
	}
}
