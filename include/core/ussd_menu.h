/*
 * ussd_menu.h - the observers' USSD menu: from a session's inputs to the
 * screen to show and, once the observer confirms, the report to submit.
 *
 * ussd_menu_run() replays every input of the session from the start, each
 * time, through the menu's state machine: the screen it answers depends on
 * the request's inputs alone (and the registry), never on what an earlier
 * request of the session said, so a replayed, out-of-order or edited
 * request gets the screen its own inputs lead to.
 *
 * The menu, in the observer's registered language (else the election's):
 *
 *   [PIN, when the observer has one]
 *   [station: a numbered list when several are assigned; the code typed
 *    when the observer has areas, or more stations than fit one screen]
 *   main: 1 turnout  2 close  3 results  4 incident  5 last report  6 help
 *         [7 checklists, when the network has imported some]
 *     turnout, close: voters, women, [men: [ussd] ask_men]
 *     results: [contest, when the ballot has several], each candidate's
 *              votes in ballot order, invalid, blank
 *     incident: code, short text (0: none)
 *   summary: 1 send  2 cancel
 *   checklists (checklist.h): the forms, numbered (one taken outside its
 *     window is refused with its hours); then each question of the form,
 *     one a screen: yes/no as 1/2, a choice as its numbered options, a
 *     multiple choice as a run of option digits, an integer with its
 *     range, a text (the form's first text question only: an SMS carries
 *     one); an optional question other than an integer is skipped with 0;
 *     then 1 send  2 cancel.  Each answer is checked by the checklist SMS
 *     parser itself, and the confirmed checklist is submitted as its SMS
 *     (FORM STATION AA1 AB2 ... #PIN), so partial saves, versions, checks
 *     and replies are the SMS path's.
 *
 * Every figure is checked as it is typed by the SMS path's own code: the
 * report so far is written as the v1 SMS it stands for (parse.h) and
 * validated (validate_message()) against the snapshot, so women > voters,
 * voters > registered, an unknown incident code, ... are refused with a
 * reason and asked again.  The confirmed report is the canonical v1 SMS
 * (English keywords, the PIN as #PIN) that the daemon submits through the
 * same intake and pipeline as any SMS.
 *
 * Each screen fits one USSD page: 182 GSM 7-bit characters, or 80 UCS-2
 * units (Arabic); a template has a shorter fallback for long values, and
 * tests/unit/test_ussd.c renders every screen in every language with
 * worst-case values.
 *
 * Pure: no I/O, no allocation, no clock of its own.  It writes the
 * snapshot's PIN memo, as validate_message() does.
 */
#ifndef SAWT_USSD_MENU_H
#define SAWT_USSD_MENU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lang.h"
#include "log.h"
#include "regsnap.h"
#include "ussd.h"
#include "validate.h"

#define USSD_PAGE_GSM7 182 /* GSM 7-bit characters on one USSD page */
#define USSD_PAGE_UCS2 80  /* UCS-2 units on one page */
#define USSD_SCREEN_MAX 512
#define USSD_SMS_MAX 600
#define USSD_NOTE_MAX 60 /* bytes of an incident's short text kept */

/* What the daemon does with the outcome. */
enum ussd_action {
	USSD_CON = 0, /* answer "CON screen": the session goes on */
	USSD_END,     /* answer "END screen" */
	USSD_SUBMIT,  /* submit sms, then answer "END screen" once it is durable */
	USSD_UNKNOWN, /* record the unknown caller, then answer "END screen" */
	USSD_LAST,    /* look up person_id's last report, answer ussd_menu_last() */
};

/* Where a session stands (after its last input). */
enum ussd_state {
	USSD_ST_PIN = 0,
	USSD_ST_STATION,      /* choose from a list */
	USSD_ST_STATION_CODE, /* type a station code */
	USSD_ST_MAIN,
	USSD_ST_CONTEST,
	USSD_ST_VOTERS,
	USSD_ST_WOMEN,
	USSD_ST_MEN,
	USSD_ST_COUNT, /* candidates, then invalid, then blank */
	USSD_ST_INC_CODE,
	USSD_ST_INC_TEXT,
	USSD_ST_CONFIRM,
	USSD_ST_DONE, /* the session has ended */
	USSD_ST_CK_FORM,     /* choose a checklist form */
	USSD_ST_CK_QUESTION, /* answer its questions, one a screen */
	USSD_ST_CK_CONFIRM,  /* send the checklist */
};
#define USSD_STATE_COUNT 16

/*
 * Checks a PIN the observer typed: true when it is p's.  The daemon's
 * remembers the PINs a session typed (a wrong one costs a PBKDF2 each
 * replay otherwise) and counts new wrong ones towards the PIN lock.
 */
typedef bool (*ussd_pin_fn)(void *arg, struct regsnap_person *p, const char *pin);

/* What the menu is run against; read only but for the PIN memo. */
struct ussd_env {
	struct regsnap *snap; /* finished */
	const struct validate_clock *clock;
	int64_t now_s;          /* Unix seconds: validation's send time */
	enum lang default_lang; /* [election] default_language */
	const char *phone;      /* the caller, E.164; "" when not a phone number */
	bool ask_men;           /* [ussd] ask_men */
	bool pin_locked;        /* the caller's PIN is locked now */
	const char *contact;    /* [ussd] contact: whom to call; NULL: none */
	ussd_pin_fn pin_check;  /* NULL: regsnap_pin_check() */
	void *pin_arg;
};

struct ussd_outcome {
	enum ussd_action action;
	enum ussd_state state;
	enum lang lang;
	char screen[USSD_SCREEN_MAX]; /* without "CON "/"END ", NUL-terminated */
	char sms[USSD_SMS_MAX];       /* USSD_SUBMIT: the report as a v1 SMS */
	size_t path;                  /* USSD_SUBMIT: inputs up to the confirmation */
	unsigned pin_failures;        /* wrong PINs among the inputs */
	int person_id;                /* USSD_LAST: the caller in the registry */
};

/* The caller's last report, as the daemon found it. */
struct ussd_last {
	bool failed;         /* could not be looked up now */
	bool found;          /* there is one */
	const char *form;    /* "turnout", ... (sawt.reports.form) */
	const char *station; /* its station code */
	const char *time;    /* "HH:MM", local */
	const char *outcome; /* "accepted", "accepted_flagged", "rejected" */
};

/*
 * The END screen of "last report" in lang into buf (cap bytes; one page
 * whatever the values: a station is cut at 10 characters).
 */
void ussd_menu_last(enum lang lang, const struct ussd_last *last, char *buf, size_t cap);

/*
 * Run the inputs of rq through the menu for env's caller and fill *out
 * (always fully written).  Inputs after the one that ended the session
 * are ignored: the same END (and the same submission) is answered again.
 */
void ussd_menu_run(const struct ussd_env *env, const struct ussd_request *rq,
		   struct ussd_outcome *out);

/*
 * The END screen for a session the daemon no longer knows (expired) or
 * refuses (too many sessions), in lang: USSD_SCREEN_EXPIRED or
 * USSD_SCREEN_BUSY.
 */
enum ussd_screen_kind {
	USSD_SCREEN_EXPIRED = 0,
	USSD_SCREEN_BUSY,
};
void ussd_menu_screen(enum ussd_screen_kind kind, enum lang lang, char *buf, size_t cap);

/* "pin", "station", ... for logs. */
const char *ussd_state_name(enum ussd_state s);

/*
 * True when text fits one USSD page (USSD_PAGE_GSM7 septets, or
 * USSD_PAGE_UCS2 units when it needs UCS-2).  For the tests.
 */
bool ussd_page_fits(const char *text, size_t len);

/*
 * For the tests: render every template of the catalogue in lang with
 * worst-case values (longest station, contest and numbers, an Arabic note
 * in a Latin screen, every error prefix) and call fn for each screen; the
 * count of screens rendered is returned.  fallback_needed is set when
 * typical values already needed a fallback.
 */
typedef void (*ussd_screen_fn)(void *arg, const char *name, enum lang lang, const char *screen);
size_t ussd_menu_worst_cases(enum lang lang, ussd_screen_fn fn, void *arg);

#endif
