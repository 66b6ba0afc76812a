/*
 * simgen.h - the deterministic generator behind "sawt simulate".
 *
 * From a seed and a few knobs it makes a whole synthetic election: regions
 * and districts, polling stations with registered voters and women, two
 * contests with their candidates, incident codes, one observer per station
 * and a coordinator per region (phones in the configured country), and
 * the SMS those observers send on election day, in sending order:
 * openings, two or three cumulative turnout rounds (with incidents among
 * them), closes, then results.  Some messages are sent first with a
 * mistake the pipeline rejects and then again correctly ("typos"); a few
 * are sent twice, identically ("resends"); a share is written in Arabic
 * with Arabic-Indic digits.  The final figures the analytics views should
 * show are known exactly: simgen_expected() lists them.
 *
 * Pure: no I/O and no clock.  The same options (seed included) give the
 * same election, byte for byte, on every machine.  The SMSC time of each
 * message is set separately (simgen_plan(), simgen_schedule()) because it
 * depends on the current time and the election's clock.
 *
 * Ownership: a struct simgen owns everything it hands out; pointers stay
 * valid until simgen_free().
 */
#ifndef SAWT_SIMGEN_H
#define SAWT_SIMGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log.h"
#include "phone.h"
#include "registry_import.h"
#include "validate.h"

#define SIMGEN_CONTESTS 2 /* MUN (every station), MUK (some) */
#define SIMGEN_MAX_CANDIDATES 7
#define SIMGEN_ROUNDS 3         /* turnout rounds a station may send */
#define SIMGEN_MAX_INCIDENTS 2  /* per station */
#define SIMGEN_SENDER_BUDGET 10 /* messages per observer: sawtd's rate limit */
#define SIMGEN_TEXT_MAX 200     /* bytes of one message text (longest ~140) */
#define SIMGEN_MAX_STATIONS 20000

/* ---- the pseudo-random generator (xoshiro256**, seeded by splitmix64) ---- */

struct simgen_rng {
	uint64_t s[4];
};

/* Seed r; any seed, 0 included, gives a good state. */
void simgen_rng_seed(struct simgen_rng *r, uint64_t seed);

/* The next 64 random bits. */
uint64_t simgen_rng_next(struct simgen_rng *r);

/* A uniform integer in [0, n); 0 when n is 0. */
uint32_t simgen_rng_below(struct simgen_rng *r, uint32_t n);

/* A uniform integer in [lo, hi] (lo <= hi). */
int simgen_rng_range(struct simgen_rng *r, int lo, int hi);

/* True with probability pct percent. */
bool simgen_rng_pct(struct simgen_rng *r, unsigned pct);

/* ---- the election ---- */

struct simgen_options {
	uint64_t seed;
	unsigned stations;        /* 1 .. SIMGEN_MAX_STATIONS */
	unsigned typo_pct;        /* reports first sent with a mistake */
	unsigned arabic_pct;      /* observers writing in Arabic */
	unsigned pin_pct;         /* observers with a PIN */
	unsigned dup_pct;         /* reports sent twice, identically */
	const char *country_code; /* digits; NULL or "": "961" */
	int polls_open;           /* minutes after midnight; -1: 07:00 */
	int polls_close;          /* -1: 19:00 */
};

/* Defaults: 50 stations, seed 1, typos 5, Arabic 30, PINs 20, resends 1. */
void simgen_options_init(struct simgen_options *opt);

enum simgen_style {
	SIMGEN_STYLE_EN,
	SIMGEN_STYLE_FR,
	SIMGEN_STYLE_AR,
};

struct simgen_region {
	const char *name;
	unsigned n_districts;
	const char *districts[6];
};

struct simgen_contest {
	const char *code; /* "MUN", "MUK" */
	const char *name;
	unsigned n_candidates;
	const char *candidates[SIMGEN_MAX_CANDIDATES];
};

struct simgen_station {
	char code[PARSE_STATION_MAX + 1];
	char name[128];
	char centre[96];
	unsigned region, district; /* indexes */
	int registered, registered_women;
	bool contest[SIMGEN_CONTESTS];
	int voters, women;         /* final, as sent at close */
	bool round[SIMGEN_ROUNDS]; /* which turnout rounds it sends */
	int round_voters[SIMGEN_ROUNDS], round_women[SIMGEN_ROUNDS];
	/* per contest: candidates in ballot order, then invalid, then blank */
	int results[SIMGEN_CONTESTS][SIMGEN_MAX_CANDIDATES + 2];
	unsigned n_incidents;
	int incident[SIMGEN_MAX_INCIDENTS];            /* incident codes */
	unsigned incident_round[SIMGEN_MAX_INCIDENTS]; /* sent among this round */
	int open_minute;                               /* minutes after midnight */
	unsigned observer;                             /* index into the people */
};

struct simgen_person {
	char phone[PHONE_E164_BUF]; /* E.164, as the network delivers it */
	char csv_phone[32];         /* as written in people.csv */
	char name[96];
	const char *language;    /* "ar", "en", "fr" or "" */
	enum simgen_style style; /* how this person writes */
	char pin[8];             /* "" when none */
	bool coordinator;
	int station; /* observers: index; coordinators: -1 */
	int region;  /* coordinators: index, or -1 for all */
};

enum simgen_form {
	SIMGEN_OPEN,
	SIMGEN_TURNOUT,
	SIMGEN_CLOSE,
	SIMGEN_RESULTS,
	SIMGEN_INCIDENT,
};

enum simgen_kind {
	SIMGEN_REPORT, /* counts */
	SIMGEN_TYPO,   /* rejected; the correct one follows */
	SIMGEN_RESEND, /* identical to an earlier report */
};

struct simgen_message {
	unsigned person;
	unsigned station;
	enum simgen_form form;
	enum simgen_kind kind;
	unsigned round;    /* turnout: 0..SIMGEN_ROUNDS-1 */
	unsigned contest;  /* results: 0..SIMGEN_CONTESTS-1 */
	unsigned incident; /* incident: 0..n_incidents-1 */
	bool arabic;
	int32_t nominal; /* seconds after the election day's midnight */
	int64_t smsc;    /* Unix time, set by simgen_schedule() */
	char text[SIMGEN_TEXT_MAX];
};

struct simgen_counts {
	size_t messages, reports, typos, resends, arabic, incidents, with_pin;
	size_t by_form[SIMGEN_INCIDENT + 1];
};

struct simgen;

/*
 * Generate the election described by opt.  Returns NULL when an option is
 * out of range (stations 0 or above SIMGEN_MAX_STATIONS, a percentage
 * above 100, a country code that is not 1 to 3 digits) or out of memory.
 */
struct simgen *simgen_new(const struct simgen_options *opt) SAWT_MUST_CHECK;

/* Free g and everything it owns; NULL is a no-op. */
void simgen_free(struct simgen *g);

/*
 * The parts of the election, owned by g.  Indexes run from 0 to the
 * count minus one (contests: SIMGEN_CONTESTS).  People: the observer of
 * station i is person i; coordinators follow.  Messages are in sending
 * order.
 */
size_t simgen_n_regions(const struct simgen *g);
const struct simgen_region *simgen_region(const struct simgen *g, size_t i);
const struct simgen_contest *simgen_contest(const struct simgen *g, size_t i);
size_t simgen_n_stations(const struct simgen *g);
const struct simgen_station *simgen_station(const struct simgen *g, size_t i);
size_t simgen_n_people(const struct simgen *g);
const struct simgen_person *simgen_person(const struct simgen *g, size_t i);
size_t simgen_n_messages(const struct simgen *g);
const struct simgen_message *simgen_message(const struct simgen *g, size_t i);

/* Count the messages by kind, form, script and PIN into *out. */
void simgen_get_counts(const struct simgen *g, struct simgen_counts *out);

/*
 * The registry as a CSV file of kind (the format of docs/import.md), in a
 * malloc'd buffer the caller frees; *len gets its length.  NULL when out
 * of memory.
 */
char *simgen_csv(const struct simgen *g, enum registry_kind kind, size_t *len) SAWT_MUST_CHECK;

/*
 * Call fn(key, value, arg) for every figure the analytics views should
 * show once every message is processed, election is the election's name:
 *   area|election|NAME|F and area|region|NAME|F   (analytics.area_turnout)
 *       F: stations_total, stations_reporting, registered, voters, women
 *   results|CODE|POSITION, results|CODE|invalid, results|CODE|blank,
 *   results|CODE|stations_reporting               (analytics.results)
 *   progress|FORM and progress|results CODE       (reporting_progress, election row)
 *   station|CODE|voters, station|CODE|women       (analytics.station_turnout)
 *   incidents                                     (analytics.incidents rows)
 * store_sim_facts() reads the same keys from the database.
 */
void simgen_expected(const struct simgen *g, const char *election,
		     void (*fn)(const char *key, long long value, void *arg), void *arg);

/* ---- SMSC times ---- */

/*
 * Where election day goes.  Real: a message's SMSC time is day0 plus its
 * nominal time.  Compressed: the nominal day (first to last message) is
 * mapped linearly onto [from, to].
 */
struct simgen_timeline {
	bool compressed;
	int64_t day0;     /* real: Unix time of local midnight */
	int64_t from, to; /* compressed */
};

/*
 * Choose a timeline for messages written at now: every SMSC time within
 * the last day (sawtd trusts an SMSC time no older than 24 hours and no
 * more than 5 minutes ahead) and, when possible, none that the clock would
 * flag: reports after polls open (by polls_open, or the election day's
 * open_at) and before the results deadline, on one day.  Election day is
 * today or yesterday at its real hours when they fit, else compressed into
 * the longest flag-free stretch.  Returns true when the timeline is flag
 * free; false when none is (a deadline far from now): the whole day is
 * then compressed into the last day and reports may be flagged.
 */
bool simgen_plan(const struct simgen *g, const struct validate_clock *clock, int64_t now,
		 struct simgen_timeline *out);

/*
 * Set every message's SMSC time from tl: non-decreasing in sending order,
 * and strictly increasing for each sender (an identical resend never has
 * the same time as its original).
 */
void simgen_schedule(struct simgen *g, const struct simgen_timeline *tl);

#endif
