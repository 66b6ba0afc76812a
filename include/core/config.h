/*
 * config.h - the sawt INI configuration file.
 *
 * One file configures both sawtd and the sawt CLI.  Sections:
 *
 *   [sawt]      state_dir, log_level, spool_warn_free, user, node_name
 *   [database]  url (empty or absent: the embedded PostgreSQL), pg_bindir,
 *               migrations_dir, listen, analyst_group
 *   [http]      listen, secret, tls_cert, tls_key, timeout, max_connections
 *   [kannel]    url, username, password, smsc, sender, dlr_url, dlr_mask,
 *               outbound, timeout (outgoing SMS through Kannel's sendsms)
 *   [election]  name, country_code, default_language, timezone,
 *               polls_open, polls_close, results_deadline, pseudonym_secret
 *   [alerts]    thresholds and limits of the alerts to coordinators
 *               (struct config_alerts; docs/configuration.md)
 *   [web]       root, chart_js, code_seconds, session_hours, code_attempts,
 *               sign_in_per_address, max_streams (the election-day page;
 *               docs/web.md)
 *   [modem NAME] the keys of a gammurc [gammu] section (device, connection,
 *               model, ...) plus sawt's own (number, balance_ussd, ...)
 *
 * Unknown sections or keys, bad values and unreadable files are errors that
 * name the file, the line and the key.
 *
 * Ownership: config_load()/config_parse() return a struct config that the
 * caller owns and frees with config_free(); every string in it is owned by
 * the struct.
 */
#ifndef SAWT_CONFIG_H
#define SAWT_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "lang.h"
#include "log.h"

#define CONFIG_ERR_MAX 512

/* [http] timeout and max_connections when not set. */
#define CONFIG_HTTP_TIMEOUT_DEFAULT 30
#define CONFIG_USSD_SESSION_TIMEOUT_DEFAULT 180
#define CONFIG_USSD_MAX_SESSIONS_DEFAULT 10000
#define CONFIG_USSD_CONTACT_MAX 24
#define CONFIG_HTTP_MAX_CONNECTIONS_DEFAULT 2048

/* [kannel] timeout when not set, and its largest value (below the
 * outbox's stuck-row rule, OUTBOX_STUCK_SEC). */
#define CONFIG_KANNEL_TIMEOUT_DEFAULT 20
#define CONFIG_KANNEL_TIMEOUT_MAX 100

/* The election's name when [election] name is not set. */
#define CONFIG_DEFAULT_ELECTION "default"

/* A key of a [modem NAME] section that is handed to libgammu unchanged. */
struct config_kv {
	char *key;
	char *value;
};

struct config_modem {
	char *name;              /* NAME of [modem NAME] */
	char *device;            /* gammurc: device (alias: port) */
	char *connection;        /* gammurc: connection */
	char *model;             /* gammurc: model */
	struct config_kv *gammu; /* every gammurc key, in file order */
	size_t n_gammu;
	char *number;         /* the SIM's own number (never answered) */
	char *balance_ussd;   /* USSD code for the airtime balance, or NULL */
	int balance_interval; /* seconds between balance checks */
	bool send;            /* use this modem for outgoing SMS */
	bool receive;         /* read incoming SMS from this modem */
};

/* [kannel] outbound: which senders the outbox uses when Kannel is set. */
enum config_outbound {
	CONFIG_OUTBOUND_KANNEL, /* Kannel only; modems receive (default) */
	CONFIG_OUTBOUND_BOTH,   /* Kannel and the modems that send */
};

/* [election] unknown_sender_reply: whom of the unknown numbers to answer. */
enum config_unknown_reply {
	CONFIG_UNKNOWN_REPLY_FIRST, /* the first message of each hour (default) */
	CONFIG_UNKNOWN_REPLY_ALWAYS,
	CONFIG_UNKNOWN_REPLY_NEVER,
};

/* An amount of disk space: bytes, or a share of the filesystem when pct
 * is not 0. */
struct config_space {
	uint64_t bytes;
	unsigned pct; /* 0..100 */
};

#define CONFIG_SPOOL_WARN_PCT_DEFAULT 10

/* Turnout checkpoints of [alerts] turnout_checkpoints, at most. */
#define CONFIG_CHECKPOINTS_MAX 8

/*
 * [alerts]: when the rules of the alerts to coordinators fire, and how
 * often coordinators hear from sawt (src/core/alert.h).  A threshold of 0
 * turns its rule off.  Percentages are whole numbers.
 */
struct config_alerts {
	unsigned tick_s;             /* tick_seconds: timer rules run this often (10) */
	unsigned dedup_min;          /* dedup_minutes: same rule and subject not repeated (30) */
	unsigned rate_max;           /* rate_max: alert SMS per coordinator per window (5) */
	unsigned rate_min;           /* rate_minutes: that window (15) */
	unsigned escalate_min;       /* escalate_minutes: unacknowledged critical alert (15) */
	int national_severity;       /* national_severity: 0 info, 1 serious, 2 critical (1) */
	unsigned incident_batch_min; /* incident_batch_minutes: serious incidents per area (5) */
	unsigned turnout_high_pct;   /* turnout_high_pct: turnout at or above (90) */
	unsigned turnout_jump_pct;   /* turnout_jump_pct: rise between two reports, points (30) */
	unsigned women_low_pct;      /* women_low_pct: women's share below (15) */
	unsigned women_high_pct;     /* women_high_pct: women's share above (85) */
	unsigned women_min_voters; /* women_min_voters: share checked from this many voters (50) */
	unsigned missing_open_min; /* missing_open_minutes: not opened by polls_open + N (30) */
	int checkpoints[CONFIG_CHECKPOINTS_MAX]; /* turnout_checkpoints: minutes after midnight */
	size_t n_checkpoints;                    /* (none) */
	unsigned checkpoint_grace_min; /* checkpoint_grace_minutes: after each checkpoint (15) */
	unsigned missing_results_min;  /* missing_results_minutes: after polls_close (120) */
	unsigned modem_down_min;       /* modem_down_minutes (10) */
	unsigned balance_min;          /* balance_min: airtime below this (0: off) */
	unsigned spool_min;            /* spool_minutes: spool not drained for (10) */
	unsigned outbox_backlog;       /* outbox_backlog: SMS waiting (500) */
	unsigned outbox_wait_min;      /* outbox_wait_minutes: oldest SMS waiting (10) */
	unsigned list_max;             /* list_max: station codes listed, then a count (5) */
};

/*
 * [quarantine]: the election's automatic quarantine rules (migration 0019,
 * docs/review.md).  When the section is in the file it is the whole set:
 * sawtd writes it to sawt.quarantine_rules at start and on SIGHUP, and a
 * rule it does not turn on is off.  Without the section the table is left
 * as it is.
 */
#define CONFIG_QUARANTINE_OFF 1000 /* a tolerance meaning "rule off" */
struct config_quarantine {
	bool present;                /* the file has a [quarantine] section */
	int turnout_over_registered; /* tolerance in percent (-100..100) or OFF */
	int results_sum;             /* tolerance in percent (0..100) or OFF */
	bool unbound_sender;
};

/* [web]: the election-day page (docs/web.md). */
#define CONFIG_WEB_CODE_SECONDS_DEFAULT 300
#define CONFIG_WEB_SESSION_HOURS_DEFAULT 12
#define CONFIG_WEB_CODE_ATTEMPTS_DEFAULT 5
#define CONFIG_WEB_SIGN_IN_PER_ADDRESS_DEFAULT 20
#define CONFIG_WEB_MAX_STREAMS_DEFAULT 64
struct config_web {
	char *root;              /* the page's files; NULL: the built-in place */
	char *chart_js;          /* Chart.js; NULL: Debian's libjs-chart.js */
	int code_ttl_s;          /* code_seconds: how long a texted code works */
	int session_hours;       /* how long a session lasts */
	int max_attempts;        /* code_attempts: tries per code, wrong ones included */
	int sign_in_per_address; /* code requests and tries an hour from one address */
	int max_streams;         /* /api/events streams open at once */
};

struct config {
	char *path; /* the file that was read */

	/* [sawt] */
	char *state_dir;
	enum log_level log_level;
	struct config_space spool_warn_free; /* warn below this much free space
					      * for the spool (default 10%) */
	char *run_user;  /* user: the user sawtd started as root becomes; NULL: not
			  * set ("sawt" if it exists, else stay root with a warning) */
	char *node_name; /* node_name: this node's name; NULL: the host name */

	/* [database] */
	char *db_url;         /* NULL means the embedded default */
	char *pg_bindir;      /* NULL: look up PostgreSQL's bin directory */
	char *migrations_dir; /* NULL: the built-in default */
	char *db_listen; /* embedded: "host:port" for TCP too (scram-sha-256); NULL: socket only */
	char *db_analyst_group; /* embedded: the group that may reach the socket; NULL: none */

	/* [http] */
	char *http_listen; /* "host:port", NULL: HTTP off */
	char *http_secret;
	char *tls_cert;
	char *tls_key;
	int http_timeout;         /* seconds a connection may stay silent */
	int http_max_connections; /* connections open at once */

	/* [kannel]: set when kannel_url is */
	char *kannel_url;      /* sendsms URL, http://host:port/cgi-bin/sendsms */
	char *kannel_username; /* a sendsms-user of smsbox */
	char *kannel_password;
	char *kannel_smsc;    /* NULL: Kannel's routing */
	char *kannel_sender;  /* "from"; NULL: smsbox's default */
	char *kannel_dlr_url; /* sawt's /sms/dlr as Kannel reaches it; NULL: no reports */
	int kannel_dlr_mask;  /* 1..63 */
	enum config_outbound kannel_outbound;
	int kannel_timeout; /* seconds for one sendsms request */

	/* [election] */
	char *election_name;
	char *country_code;         /* digits only, e.g. "961" */
	enum lang default_language; /* written "ar", "en" or "fr"; LANG_EN unset */
	char *timezone;
	int polls_open;         /* minutes after midnight, -1 unset */
	int polls_close;        /* minutes after midnight, -1 unset */
	char *results_deadline; /* ISO 8601 timestamp, NULL unset */
	char *pseudonym_secret;
	enum config_unknown_reply unknown_sender_reply;

	/* [alerts] */
	struct config_alerts alerts;
	struct config_quarantine quarantine;

	/* [web]: the election-day page (docs/web.md) */
	struct config_web web;

	/* [ussd]: the observers' USSD menu at /ussd (docs/ussd.md) */
	int ussd_session_timeout; /* seconds a session may stay idle */
	int ussd_max_sessions;    /* sessions kept at once */
	bool ussd_ask_men;        /* turnout and close ask for men too */
	bool ussd_sms_reply;      /* a USSD report also gets the SMS reply */
	char *ussd_contact;       /* whom to call, shown to unknown numbers; NULL: none */

	struct config_modem *modems;
	size_t n_modems;
};

/* Fill *a with the defaults of [alerts]. */
void config_alerts_defaults(struct config_alerts *a);

/*
 * Return a config holding every default: state_dir $STATE_DIRECTORY (set
 * by systemd's StateDirectory=), else "/var/lib/sawt" when run as root,
 * else "./sawt-state"; log level info; language "en"; no modems.
 * Returns NULL only when out of memory.
 */
struct config *config_new(void) SAWT_MUST_CHECK;

/*
 * Read and validate the file at path.  On failure return NULL and write a
 * one-line message naming the file, line and key into err, e.g.
 *   sawt.conf:12: unknown key "lisen" in section [http]
 */
struct config *config_load(const char *path, char *err, size_t errlen) SAWT_MUST_CHECK;

/*
 * Same as config_load() for a buffer of len bytes; name is used in
 * messages in place of a file name.
 */
struct config *config_parse(const char *name, const char *buf, size_t len, char *err,
			    size_t errlen) SAWT_MUST_CHECK;

/*
 * config_load(path) when path is set and not empty, else
 * config_new().  The one way programs get their configuration.
 */
struct config *config_open(const char *path, char *err, size_t errlen) SAWT_MUST_CHECK;

/* Free the strings a config_modem owns (not m itself). */
void config_modem_clear(struct config_modem *m);

/* Free a config; config_free(NULL) does nothing. */
void config_free(struct config *cfg);

/*
 * The election's name: [election] name when set, else
 * CONFIG_DEFAULT_ELECTION (also for a NULL cfg).  Never NULL; the string
 * lives as long as cfg.
 */
const char *config_election(const struct config *cfg);

/* Find a modem section by name; NULL if none. */
const struct config_modem *config_modem(const struct config *cfg, const char *name);

#endif
