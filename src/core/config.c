/*
 * config.c - the sawt INI configuration file; see config.h.
 *
 * ini.c splits the text into headers and key = value lines; this file maps
 * them onto struct config through one table of keys per section.  Every
 * key has a setter that validates and stores its value.  An empty value is
 * the same as an absent key: the default stays.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "ini.h"
#include "kannel_proto.h"

#define CONFIG_FILE_MAX (1024 * 1024)
#define CONFIG_MODEMS_MAX 64
#define MODEM_NAME_MAX 32
#define KEYS_MAX 32
#define WORD_MAX 32 /* longest word a near-miss hint is sought for */
#define SHOW_MAX 64
#define BALANCE_INTERVAL_MIN 60
#define BALANCE_INTERVAL_MAX 604800
#define BALANCE_INTERVAL_DEFAULT 3600
#define HTTP_TIMEOUT_MAX 3600
#define HTTP_CONNS_MAX 65536
#define NO_FIELD SIZE_MAX

enum section_id {
	SEC_SAWT,
	SEC_DATABASE,
	SEC_HTTP,
	SEC_KANNEL,
	SEC_ELECTION,
	SEC_MODEM,
	SEC_ALERTS,
	SEC_USSD,
	SEC_QUARANTINE,
	SEC_WEB,
	SEC_COUNT,
	SEC_NONE = SEC_COUNT,
};

enum set_result {
	SET_OK,
	SET_INVALID,
	SET_NOMEM,
};

struct key_def;
struct parse_ctx;

/* Validate value and store it in the field at base + def->offset. */
typedef enum set_result (*key_setter)(const struct key_def *def, void *base, const char *value);

struct key_def {
	const char *name;
	key_setter set;
	size_t offset;      /* in struct config or struct config_modem */
	int slot;           /* aliases share a slot (duplicate detection) */
	const char *expect; /* what a valid value looks like */
};

struct parse_ctx {
	struct config *cfg;
	const char *name; /* file name for messages */
	char *err;
	size_t errlen;
	enum section_id sec;                    /* the current section */
	unsigned sec_line[SEC_COUNT];           /* first header line of each section */
	unsigned key_line[SEC_COUNT][KEYS_MAX]; /* line of each key, 0: unset */
	unsigned *modem_line;                   /* header line of each modem */
	char label[8 + MODEM_NAME_MAX];         /* "http", "modem usb0" */
	char text[INI_LINE_MAX + 1];            /* the key or section name */
	char value[INI_LINE_MAX + 1];           /* the value or section argument */
};

static enum set_result set_string(const struct key_def *def, void *base, const char *v);
static enum set_result set_log_level(const struct key_def *def, void *base, const char *v);
static enum set_result set_listen(const struct key_def *def, void *base, const char *v);
static enum set_result set_country(const struct key_def *def, void *base, const char *v);
static enum set_result set_group(const struct key_def *def, void *base, const char *v);
static enum set_result set_db_listen(const struct key_def *def, void *base, const char *v);
static enum set_result set_language(const struct key_def *def, void *base, const char *v);
static enum set_result set_unknown_reply(const struct key_def *def, void *base, const char *v);
static enum set_result set_timezone(const struct key_def *def, void *base, const char *v);
static enum set_result set_hhmm(const struct key_def *def, void *base, const char *v);
static enum set_result set_deadline(const struct key_def *def, void *base, const char *v);
static enum set_result set_gammu(const struct key_def *def, void *base, const char *v);
static enum set_result set_phone(const struct key_def *def, void *base, const char *v);
static enum set_result set_ussd(const struct key_def *def, void *base, const char *v);
static enum set_result set_interval(const struct key_def *def, void *base, const char *v);
static enum set_result set_http_timeout(const struct key_def *def, void *base, const char *v);
static enum set_result set_http_conns(const struct key_def *def, void *base, const char *v);
static enum set_result set_bool(const struct key_def *def, void *base, const char *v);
static enum set_result set_ussd_timeout(const struct key_def *def, void *base, const char *v);
static enum set_result set_ussd_sessions(const struct key_def *def, void *base, const char *v);
static enum set_result set_ussd_contact(const struct key_def *def, void *base, const char *v);
static enum set_result set_web_seconds(const struct key_def *def, void *base, const char *v);
static enum set_result set_web_count(const struct key_def *def, void *base, const char *v);
static enum set_result set_alert_tick(const struct key_def *def, void *base, const char *v);
static enum set_result set_alert_minutes(const struct key_def *def, void *base, const char *v);
static enum set_result set_alert_pct(const struct key_def *def, void *base, const char *v);
static enum set_result set_tolerance(const struct key_def *def, void *base, const char *v);
static enum set_result set_alert_count(const struct key_def *def, void *base, const char *v);
static enum set_result set_alert_severity(const struct key_def *def, void *base, const char *v);
static enum set_result set_alert_checkpoints(const struct key_def *def, void *base, const char *v);
static enum set_result set_kannel_url(const struct key_def *def, void *base, const char *v);
static enum set_result set_kannel_user(const struct key_def *def, void *base, const char *v);
static enum set_result set_kannel_smsc(const struct key_def *def, void *base, const char *v);
static enum set_result set_kannel_sender(const struct key_def *def, void *base, const char *v);
static enum set_result set_dlr_url(const struct key_def *def, void *base, const char *v);
static enum set_result set_dlr_mask(const struct key_def *def, void *base, const char *v);
static enum set_result set_outbound(const struct key_def *def, void *base, const char *v);
static enum set_result set_kannel_timeout(const struct key_def *def, void *base, const char *v);
static enum set_result set_space(const struct key_def *def, void *base, const char *v);
static enum set_result set_user(const struct key_def *def, void *base, const char *v);
static enum set_result set_node_name(const struct key_def *def, void *base, const char *v);

#define CFG(f) offsetof(struct config, f)
#define MDM(f) offsetof(struct config_modem, f)

static const struct key_def sawt_keys[] = {
	{ "state_dir", set_string, CFG(state_dir), 0, NULL },
	{ "log_level", set_log_level, CFG(log_level), 1, "error, warning, info or debug" },
	{ "spool_warn_free", set_space, CFG(spool_warn_free), 2,
	  "a size such as 200MB (units kB, MB, GB, TB) or a share such as 10%; 0 never warns" },
	{ "user", set_user, CFG(run_user), 3,
	  "a user name of 1 to 32 lowercase letters, digits, \"_\" or \"-\", not starting with \"-\"" },
	{ "node_name", set_node_name, CFG(node_name), 4,
	  "1 to 63 letters, digits, \".\", \"-\" or \"_\"" },
	{ NULL, NULL, 0, 0, NULL },
};

enum {
	DATABASE_LISTEN = 3,
	DATABASE_ANALYST_GROUP = 4
};

static const struct key_def database_keys[] = {
	{ "url", set_string, CFG(db_url), 0, NULL },
	{ "pg_bindir", set_string, CFG(pg_bindir), 1, NULL },
	{ "migrations_dir", set_string, CFG(migrations_dir), 2, NULL },
	{ "listen", set_db_listen, CFG(db_listen), DATABASE_LISTEN,
	  "host:port with a port from 1 to 65535, e.g. 127.0.0.1:5433" },
	{ "analyst_group", set_group, CFG(db_analyst_group), DATABASE_ANALYST_GROUP,
	  "the name of an existing group, e.g. sawt-analysts" },
	{ NULL, NULL, 0, 0, NULL },
};

enum {
	HTTP_LISTEN,
	HTTP_SECRET,
	HTTP_TLS_CERT,
	HTTP_TLS_KEY,
	HTTP_TIMEOUT,
	HTTP_MAX_CONNECTIONS
};

static const struct key_def http_keys[] = {
	{ "listen", set_listen, CFG(http_listen), HTTP_LISTEN,
	  "host:port with a port from 0 to 65535, e.g. 127.0.0.1:8080" },
	{ "secret", set_string, CFG(http_secret), HTTP_SECRET, NULL },
	{ "tls_cert", set_string, CFG(tls_cert), HTTP_TLS_CERT, NULL },
	{ "tls_key", set_string, CFG(tls_key), HTTP_TLS_KEY, NULL },
	{ "timeout", set_http_timeout, CFG(http_timeout), HTTP_TIMEOUT,
	  "a number of seconds from 1 to 3600" },
	{ "max_connections", set_http_conns, CFG(http_max_connections), HTTP_MAX_CONNECTIONS,
	  "a number of connections from 1 to 65536" },
	{ NULL, NULL, 0, 0, NULL },
};

enum {
	KANNEL_URL,
	KANNEL_USERNAME,
	KANNEL_PASSWORD,
	KANNEL_SMSC,
	KANNEL_SENDER,
	KANNEL_DLR_URL,
	KANNEL_DLR_MASK,
	KANNEL_OUTBOUND,
	KANNEL_TIMEOUT,
	KANNEL_KEYS
};

static const struct key_def kannel_keys[] = {
	{ "url", set_kannel_url, CFG(kannel_url), KANNEL_URL,
	  "the http:// URL of Kannel's sendsms without user, query or fragment, "
	  "e.g. http://127.0.0.1:13013/cgi-bin/sendsms" },
	{ "username", set_kannel_user, CFG(kannel_username), KANNEL_USERNAME,
	  "1 to 64 printable ASCII characters without spaces" },
	{ "password", set_string, CFG(kannel_password), KANNEL_PASSWORD, NULL },
	{ "smsc", set_kannel_smsc, CFG(kannel_smsc), KANNEL_SMSC,
	  "an smsc-id of 1 to 64 letters, digits, \".\", \"-\" or \"_\"" },
	{ "sender", set_kannel_sender, CFG(kannel_sender), KANNEL_SENDER,
	  "a short code, number or name of 1 to 20 printable ASCII characters" },
	{ "dlr_url", set_dlr_url, CFG(kannel_dlr_url), KANNEL_DLR_URL,
	  "the http:// or https:// URL of sawt's /sms/dlr as Kannel reaches it, without "
	  "user, query, fragment or \"%\", e.g. http://127.0.0.1:8080/sms/dlr" },
	{ "dlr_mask", set_dlr_mask, CFG(kannel_dlr_mask), KANNEL_DLR_MASK,
	  "a sum of Kannel's report types 1, 2, 4, 8, 16 and 32, from 1 to 63" },
	{ "outbound", set_outbound, CFG(kannel_outbound), KANNEL_OUTBOUND, "kannel or both" },
	{ "timeout", set_kannel_timeout, CFG(kannel_timeout), KANNEL_TIMEOUT,
	  "a number of seconds from 1 to 100" },
	{ NULL, NULL, 0, 0, NULL },
};

enum {
	ELECTION_POLLS_OPEN = 4,
	ELECTION_POLLS_CLOSE = 5
};

static const struct key_def election_keys[] = {
	{ "name", set_string, CFG(election_name), 0, NULL },
	{ "country_code", set_country, CFG(country_code), 1,
	  "1 to 3 digits without \"+\", e.g. 961" },
	{ "default_language", set_language, CFG(default_language), 2, "ar, en or fr" },
	{ "timezone", set_timezone, CFG(timezone), 3,
	  "a time zone name of the tz database such as Asia/Beirut" },
	{ "polls_open", set_hhmm, CFG(polls_open), ELECTION_POLLS_OPEN,
	  "a time of day as HH:MM, e.g. 07:00" },
	{ "polls_close", set_hhmm, CFG(polls_close), ELECTION_POLLS_CLOSE,
	  "a time of day as HH:MM, e.g. 19:00" },
	{ "results_deadline", set_deadline, CFG(results_deadline), 6,
	  "a date and time as YYYY-MM-DD HH:MM, e.g. 2025-05-04 23:00" },
	{ "pseudonym_secret", set_string, CFG(pseudonym_secret), 7, NULL },
	{ "unknown_sender_reply", set_unknown_reply, CFG(unknown_sender_reply), 8,
	  "first, always or never" },
	{ NULL, NULL, 0, 0, NULL },
};

static const struct key_def modem_keys[] = {
	/* gammurc [gammu] keys, handed to libgammu */
	{ "device", set_gammu, MDM(device), 0, NULL },
	{ "port", set_gammu, MDM(device), 0, NULL },
	{ "connection", set_gammu, MDM(connection), 1, NULL },
	{ "model", set_gammu, MDM(model), 2, NULL },
	{ "synchronizetime", set_gammu, NO_FIELD, 3, NULL },
	{ "logfile", set_gammu, NO_FIELD, 4, NULL },
	{ "logformat", set_gammu, NO_FIELD, 5, NULL },
	{ "use_locking", set_gammu, NO_FIELD, 6, NULL },
	{ "gammuloc", set_gammu, NO_FIELD, 7, NULL },
	{ "gammucoding", set_gammu, NO_FIELD, 8, NULL },
	{ "features", set_gammu, NO_FIELD, 9, NULL },
	{ "name", set_gammu, NO_FIELD, 10, NULL },
	/* sawt's own */
	{ "number", set_phone, MDM(number), 11,
	  "a phone number of 3 to 15 digits with an optional \"+\", e.g. +96171123456" },
	{ "balance_ussd", set_ussd, MDM(balance_ussd), 12, "a USSD code such as *100#" },
	{ "balance_interval", set_interval, MDM(balance_interval), 13,
	  "a number of seconds from 60 to 604800" },
	{ "send", set_bool, MDM(send), 14, "yes, no, true, false, on, off, 1 or 0" },
	{ "receive", set_bool, MDM(receive), 15, "yes, no, true, false, on, off, 1 or 0" },
	{ NULL, NULL, 0, 0, NULL },
};

#define ALR(f) offsetof(struct config, alerts.f)
#define MINUTES "a number of minutes from 0 to 1440 (0: off)"
#define PCT "a whole percentage from 0 to 100 (0: off)"
#define COUNT "a whole number from 0 to 1000000"

enum {
	ALERTS_CHECKPOINTS = 13,
};

static const struct key_def alerts_keys[] = {
	{ "tick_seconds", set_alert_tick, ALR(tick_s), 0, "a number of seconds from 1 to 600" },
	{ "dedup_minutes", set_alert_minutes, ALR(dedup_min), 1, MINUTES },
	{ "rate_max", set_alert_count, ALR(rate_max), 2, COUNT " (0: no limit)" },
	{ "rate_minutes", set_alert_minutes, ALR(rate_min), 3, MINUTES },
	{ "escalate_minutes", set_alert_minutes, ALR(escalate_min), 4, MINUTES },
	{ "national_severity", set_alert_severity, ALR(national_severity), 5,
	  "info, serious or critical" },
	{ "incident_batch_minutes", set_alert_minutes, ALR(incident_batch_min), 6, MINUTES },
	{ "turnout_high_pct", set_alert_pct, ALR(turnout_high_pct), 7, PCT },
	{ "turnout_jump_pct", set_alert_pct, ALR(turnout_jump_pct), 8, PCT },
	{ "women_low_pct", set_alert_pct, ALR(women_low_pct), 9, PCT },
	{ "women_high_pct", set_alert_pct, ALR(women_high_pct), 10, PCT },
	{ "women_min_voters", set_alert_count, ALR(women_min_voters), 11, COUNT },
	{ "missing_open_minutes", set_alert_minutes, ALR(missing_open_min), 12, MINUTES },
	{ "turnout_checkpoints", set_alert_checkpoints, ALR(checkpoints), ALERTS_CHECKPOINTS,
	  "times of day as HH:MM separated by spaces or commas, at most 8, e.g. 11:00 15:00" },
	{ "checkpoint_grace_minutes", set_alert_minutes, ALR(checkpoint_grace_min), 14, MINUTES },
	{ "missing_results_minutes", set_alert_minutes, ALR(missing_results_min), 15, MINUTES },
	{ "modem_down_minutes", set_alert_minutes, ALR(modem_down_min), 16, MINUTES },
	{ "balance_min", set_alert_count, ALR(balance_min), 17, COUNT " (0: off)" },
	{ "spool_minutes", set_alert_minutes, ALR(spool_min), 18, MINUTES },
	{ "outbox_backlog", set_alert_count, ALR(outbox_backlog), 19, COUNT " (0: off)" },
	{ "outbox_wait_minutes", set_alert_minutes, ALR(outbox_wait_min), 20, MINUTES },
	{ "list_max", set_alert_count, ALR(list_max), 21, COUNT },
	{ NULL, NULL, 0, 0, NULL },
};

static const struct key_def ussd_keys[] = {
	{ "session_timeout", set_ussd_timeout, CFG(ussd_session_timeout), 0,
	  "a number of seconds from 1 to 3600" },
	{ "max_sessions", set_ussd_sessions, CFG(ussd_max_sessions), 1,
	  "a number of sessions from 1 to 1000000" },
	{ "ask_men", set_bool, CFG(ussd_ask_men), 2, "yes, no, true, false, on, off, 1 or 0" },
	{ "sms_reply", set_bool, CFG(ussd_sms_reply), 3, "yes, no, true, false, on, off, 1 or 0" },
	{ "contact", set_ussd_contact, CFG(ussd_contact), 4,
	  "a phone number or name of at most 24 printable ASCII characters, e.g. +961 1 234 567" },
	{ NULL, NULL, 0, 0, NULL },
};

#define WEB(f) offsetof(struct config, web.f)

static const struct key_def web_keys[] = {
	{ "root", set_string, WEB(root), 0, NULL },
	{ "chart_js", set_string, WEB(chart_js), 1, NULL },
	{ "code_seconds", set_web_seconds, WEB(code_ttl_s), 2,
	  "a number of seconds from 30 to 86400" },
	{ "session_hours", set_web_count, WEB(session_hours), 3, "a number from 1 to 1000" },
	{ "code_attempts", set_web_count, WEB(max_attempts), 4, "a number from 1 to 1000" },
	{ "sign_in_per_address", set_web_count, WEB(sign_in_per_address), 5,
	  "a number from 1 to 1000 (sign-in requests an hour from one address)" },
	{ "max_streams", set_web_count, WEB(max_streams), 6,
	  "a number from 1 to 1000 (live-update streams open at once)" },
	{ NULL, NULL, 0, 0, NULL },
};

#define QRN(f) offsetof(struct config, quarantine.f)

static const struct key_def quarantine_keys[] = {
	{ "turnout_over_registered", set_tolerance, QRN(turnout_over_registered), 0,
	  "off, or a whole percentage from -100 to 100, e.g. -5 (above 95 % of registered)" },
	{ "results_sum", set_tolerance, QRN(results_sum), 1,
	  "off, or a whole percentage from 0 to 100, e.g. 2" },
	{ "unbound_sender", set_bool, QRN(unbound_sender), 2,
	  "yes, no, true, false, on, off, 1 or 0" },
	{ NULL, NULL, 0, 0, NULL },
};

static const char *const section_names[SEC_COUNT] = {
	[SEC_SAWT] = "sawt",     [SEC_DATABASE] = "database", [SEC_HTTP] = "http",
	[SEC_KANNEL] = "kannel", [SEC_ELECTION] = "election", [SEC_MODEM] = "modem",
	[SEC_ALERTS] = "alerts", [SEC_USSD] = "ussd",         [SEC_QUARANTINE] = "quarantine",
	[SEC_WEB] = "web",
};

static const struct key_def *const section_keys[SEC_COUNT] = {
	[SEC_SAWT] = sawt_keys,
	[SEC_DATABASE] = database_keys,
	[SEC_HTTP] = http_keys,
	[SEC_KANNEL] = kannel_keys,
	[SEC_ELECTION] = election_keys,
	[SEC_MODEM] = modem_keys,
	[SEC_ALERTS] = alerts_keys,
	[SEC_USSD] = ussd_keys,
	[SEC_QUARANTINE] = quarantine_keys,
	[SEC_WEB] = web_keys,
};

/* ---------------------------------------------------------------- errors */

static void errorf(struct parse_ctx *p, unsigned line, const char *fmt, ...) SAWT_PRINTF(3, 4);

/* Write "name:line: message" (or "name: message" for line 0) into err. */
static void errorf(struct parse_ctx *p, unsigned line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->err == NULL || p->errlen == 0)
		return;
	if (line > 0)
		n = snprintf(p->err, p->errlen, "%s:%u: ", p->name, line);
	else
		n = snprintf(p->err, p->errlen, "%s: ", p->name);
	if (n < 0 || (size_t)n >= p->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

/*
 * Copy at most SHOW_MAX bytes of s (len bytes) into out for quoting in a
 * message, cut at a UTF-8 character boundary and marked with "..." when
 * shortened.  out must hold SHOW_MAX + 4 bytes.
 */
static const char *show(const char *s, size_t len, char *out)
{
	size_t n = len;

	if (n > SHOW_MAX) {
		n = SHOW_MAX;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	if (n > 0)
		memcpy(out, s, n);
	if (n < len) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
	return out;
}

/* Case-insensitive edit distance of two short words; large if too long. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t row[WORD_MAX + 1], diag, up;

	if (la > WORD_MAX || lb > WORD_MAX)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t best;
			int same = (a[i - 1] | 0x20) == (b[j - 1] | 0x20);

			up = row[j];
			best = diag + (same ? 0 : 1);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* The candidate closest to word, if close enough to be a typo; or NULL. */
static const char *near_miss(const char *word, const char *const *cands, size_t n)
{
	const char *best = NULL;
	size_t best_d = SIZE_MAX;

	for (size_t i = 0; i < n; i++) {
		size_t d = edit_distance(word, cands[i]);

		if (d < best_d) {
			best_d = d;
			best = cands[i];
		}
	}
	if (best == NULL || best_d > 2 || best_d > strlen(best) / 2)
		return NULL;
	return best;
}

/* ------------------------------------------------------------- setters */

static void *field_at(void *base, const struct key_def *def)
{
	return (char *)base + def->offset;
}

static enum set_result set_string(const struct key_def *def, void *base, const char *v)
{
	char **f = field_at(base, def);
	char *copy = strdup(v);

	if (copy == NULL)
		return SET_NOMEM;
	free(*f);
	*f = copy;
	return SET_OK;
}

static enum set_result set_log_level(const struct key_def *def, void *base, const char *v)
{
	enum log_level *f = field_at(base, def);

	return log_level_parse(v, f) ? SET_OK : SET_INVALID;
}

static bool all_digits(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
	}
	return true;
}

static bool in_set(const char *s, size_t n, const char *set)
{
	for (size_t i = 0; i < n; i++) {
		if (strchr(set, s[i]) == NULL)
			return false;
	}
	return true;
}

#define HOST_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_"
#define IPV6_CHARS "0123456789abcdefABCDEF:.%"

/* host:port, [ipv6]:port; the port 0-65535 (0: any free port). */
static bool valid_listen(const char *v)
{
	const char *colon = strrchr(v, ':');
	size_t host_len, port_len;
	long port;

	if (colon == NULL)
		return false;
	host_len = (size_t)(colon - v);
	port_len = strlen(colon + 1);
	if (port_len == 0 || port_len > 5 || !all_digits(colon + 1, port_len))
		return false;
	port = strtol(colon + 1, NULL, 10);
	if (port > 65535)
		return false;
	if (host_len >= 3 && v[0] == '[' && v[host_len - 1] == ']')
		return in_set(v + 1, host_len - 2, IPV6_CHARS);
	return host_len > 0 && in_set(v, host_len, HOST_CHARS);
}

static enum set_result set_listen(const struct key_def *def, void *base, const char *v)
{
	return valid_listen(v) ? set_string(def, base, v) : SET_INVALID;
}

/* [database] listen: host:port for PostgreSQL, whose port cannot be 0
 * (it also names the Unix socket). */
static enum set_result set_db_listen(const struct key_def *def, void *base, const char *v)
{
	const char *colon = strrchr(v, ':');

	if (!valid_listen(v) || colon == NULL || strtol(colon + 1, NULL, 10) == 0)
		return SET_INVALID;
	return set_string(def, base, v);
}

/* The name of a group of the system (getgrnam). */
static enum set_result set_group(const struct key_def *def, void *base, const char *v)
{
	if (v[0] == '\0' || getgrnam(v) == NULL)
		return SET_INVALID;
	return set_string(def, base, v);
}

static enum set_result set_country(const struct key_def *def, void *base, const char *v)
{
	size_t n = strlen(v);

	if (n > 3 || !all_digits(v, n) || v[0] == '0')
		return SET_INVALID;
	return set_string(def, base, v);
}

/* "ar", "en" or "fr", lowercase only, into an enum lang. */
static enum set_result set_language(const struct key_def *def, void *base, const char *v)
{
	enum lang *f = field_at(base, def);

	if (strcmp(v, "ar") != 0 && strcmp(v, "en") != 0 && strcmp(v, "fr") != 0)
		return SET_INVALID;
	return lang_parse(v, f) ? SET_OK : SET_INVALID;
}

/* "first", "always" or "never", into an enum config_unknown_reply. */
static enum set_result set_unknown_reply(const struct key_def *def, void *base, const char *v)
{
	static const char *const names[] = { "first", "always", "never" };
	enum config_unknown_reply *f = field_at(base, def);

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(v, names[i]) == 0) {
			*f = (enum config_unknown_reply)i;
			return SET_OK;
		}
	}
	return SET_INVALID;
}

#define TZ_CHARS HOST_CHARS "/+"

/*
 * True when the tz database ($TZDIR, else /usr/share/zoneinfo; Debian's
 * tzdata, which PostgreSQL uses too) has zone name: a file that starts
 * with "TZif".  A machine without the database cannot tell: true.
 */
static bool tz_known(const char *name)
{
	const char *dir = getenv("TZDIR");
	char path[4096], magic[4];
	struct stat st;
	FILE *f;
	bool ok;

	if (dir == NULL || dir[0] == '\0')
		dir = "/usr/share/zoneinfo";
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return true;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (f == NULL)
		return false;
	ok = fread(magic, 1, sizeof(magic), f) == sizeof(magic) && memcmp(magic, "TZif", 4) == 0;
	fclose(f);
	return ok;
}

/* A tz database name: "UTC", "Asia/Beirut", "Etc/GMT-2". */
static enum set_result set_timezone(const struct key_def *def, void *base, const char *v)
{
	size_t n = strlen(v);

	if (n > 64 || !in_set(v, n, TZ_CHARS) || v[0] == '/' || v[0] == '.' ||
	    strstr(v, "..") != NULL || v[n - 1] == '/' || !tz_known(v))
		return SET_INVALID;
	return set_string(def, base, v);
}

/* Parse H:MM or HH:MM into minutes after midnight; -1 if invalid. */
static int parse_hhmm(const char *v)
{
	size_t n = strlen(v);
	size_t h_len = n - 3;
	int h, m;

	if (n < 4 || n > 5 || v[h_len] != ':' || !all_digits(v, h_len) ||
	    !all_digits(v + h_len + 1, 2))
		return -1;
	h = (int)strtol(v, NULL, 10);
	m = (v[h_len + 1] - '0') * 10 + (v[h_len + 2] - '0');
	if (h > 23 || m > 59)
		return -1;
	return h * 60 + m;
}

static enum set_result set_hhmm(const struct key_def *def, void *base, const char *v)
{
	int *f = field_at(base, def);
	int minutes = parse_hhmm(v);

	if (minutes < 0)
		return SET_INVALID;
	*f = minutes;
	return SET_OK;
}

static int num_at(const char *s, size_t n)
{
	int x = 0;

	for (size_t i = 0; i < n; i++)
		x = x * 10 + (s[i] - '0');
	return x;
}

/* YYYY-MM-DD HH:MM or YYYY-MM-DDTHH:MM, a real date. */
static bool valid_deadline(const char *v)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d;

	if (strlen(v) != 16 || v[4] != '-' || v[7] != '-' || (v[10] != ' ' && v[10] != 'T') ||
	    v[13] != ':')
		return false;
	if (!all_digits(v, 4) || !all_digits(v + 5, 2) || !all_digits(v + 8, 2) ||
	    !all_digits(v + 11, 2) || !all_digits(v + 14, 2))
		return false;
	y = num_at(v, 4);
	mo = num_at(v + 5, 2);
	d = num_at(v + 8, 2);
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1])
		return false;
	if (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return false;
	return num_at(v + 11, 2) <= 23 && num_at(v + 14, 2) <= 59;
}

static enum set_result set_deadline(const struct key_def *def, void *base, const char *v)
{
	return valid_deadline(v) ? set_string(def, base, v) : SET_INVALID;
}

/* Append to gammu[] (under the canonical name) and set the own field. */
static enum set_result set_gammu(const struct key_def *def, void *base, const char *v)
{
	struct config_modem *m = base;
	struct config_kv *kv;
	const char *key = def->offset == MDM(device) ? "device" : def->name;

	kv = realloc(m->gammu, (m->n_gammu + 1) * sizeof(*kv));
	if (kv == NULL)
		return SET_NOMEM;
	m->gammu = kv;
	kv = &m->gammu[m->n_gammu];
	kv->key = strdup(key);
	kv->value = strdup(v);
	m->n_gammu++;
	if (kv->key == NULL || kv->value == NULL)
		return SET_NOMEM;
	if (def->offset == NO_FIELD)
		return SET_OK;
	return set_string(def, base, v);
}

static enum set_result set_phone(const struct key_def *def, void *base, const char *v)
{
	const char *digits = v[0] == '+' ? v + 1 : v;
	size_t n = strlen(digits);

	if (n < 3 || n > 15 || !all_digits(digits, n))
		return SET_INVALID;
	return set_string(def, base, v);
}

static enum set_result set_ussd(const struct key_def *def, void *base, const char *v)
{
	size_t n = strlen(v);

	if (n < 2 || n > 32 || !in_set(v, n, "0123456789*#") || (v[0] != '*' && v[0] != '#') ||
	    v[n - 1] != '#')
		return SET_INVALID;
	return set_string(def, base, v);
}

/* A whole number from lo to hi into the int field of def. */
static enum set_result set_int_range(const struct key_def *def, void *base, const char *v, long lo,
				     long hi)
{
	int *f = field_at(base, def);
	size_t n = strlen(v);
	long x;

	if (n > 7 || !all_digits(v, n))
		return SET_INVALID;
	x = strtol(v, NULL, 10);
	if (x < lo || x > hi)
		return SET_INVALID;
	*f = (int)x;
	return SET_OK;
}

static enum set_result set_http_timeout(const struct key_def *def, void *base, const char *v)
{
	return set_int_range(def, base, v, 1, HTTP_TIMEOUT_MAX);
}

static enum set_result set_ussd_timeout(const struct key_def *def, void *base, const char *v)
{
	return set_int_range(def, base, v, 1, 3600);
}

static enum set_result set_ussd_sessions(const struct key_def *def, void *base, const char *v)
{
	return set_int_range(def, base, v, 1, 1000000);
}

/* Shown on USSD screens: printable ASCII, at most CONFIG_USSD_CONTACT_MAX. */
static enum set_result set_ussd_contact(const struct key_def *def, void *base, const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n > CONFIG_USSD_CONTACT_MAX)
		return SET_INVALID;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] > 0x7e || v[i] == '{' ||
		    v[i] == '}')
			return SET_INVALID;
	return set_string(def, base, v);
}

static enum set_result set_web_seconds(const struct key_def *def, void *base, const char *v)
{
	return set_int_range(def, base, v, 30, 86400);
}

static enum set_result set_web_count(const struct key_def *def, void *base, const char *v)
{
	return set_int_range(def, base, v, 1, 1000);
}

static enum set_result set_http_conns(const struct key_def *def, void *base, const char *v)
{
	return set_int_range(def, base, v, 1, HTTP_CONNS_MAX);
}

static enum set_result set_interval(const struct key_def *def, void *base, const char *v)
{
	return set_int_range(def, base, v, BALANCE_INTERVAL_MIN, BALANCE_INTERVAL_MAX);
}

/*
 * Disk space: "N%" (0 to 100) or N bytes with an optional unit (kB, MB, GB,
 * TB, powers of 1024, case-insensitive, a space allowed before it).
 */
static enum set_result set_space(const struct key_def *def, void *base, const char *v)
{
	static const char *const units[] = { "kb", "mb", "gb", "tb" };
	struct config_space *f = field_at(base, def);
	uint64_t n = 0, mult = 1;
	const char *p = v;

	if (*p < '0' || *p > '9')
		return SET_INVALID;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (n > (UINT64_MAX - 9) / 10)
			return SET_INVALID;
		n = n * 10 + (uint64_t)(*p - '0');
	}
	if (strcmp(p, "%") == 0) {
		if (n > 100)
			return SET_INVALID;
		*f = (struct config_space){ 0, (unsigned)n };
		return SET_OK;
	}
	if (*p == ' ')
		p++;
	if (*p != '\0') {
		size_t i;

		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (strcasecmp(p, units[i]) == 0 ||
			    (p[0] != '\0' && p[1] == '\0' && (p[0] | 0x20) == units[i][0]))
				break;
		if (i == sizeof(units) / sizeof(units[0]))
			return SET_INVALID;
		mult = (uint64_t)1 << (10 * (i + 1));
	}
	if (n > UINT64_MAX / mult)
		return SET_INVALID;
	*f = (struct config_space){ n * mult, 0 };
	if (n == 0)
		f->pct = 0;
	return SET_OK;
}

static enum set_result set_bool(const struct key_def *def, void *base, const char *v)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	bool *f = field_at(base, def);

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*f = true;
			return SET_OK;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*f = false;
			return SET_OK;
		}
	}
	return SET_INVALID;
}

/* A whole number of at most 7 digits from lo to hi. */
static enum set_result set_uint_range(const struct key_def *def, void *base, const char *v,
				      unsigned lo, unsigned hi)
{
	unsigned *f = field_at(base, def);
	size_t n = strlen(v);
	long x;

	if (n > 7 || !all_digits(v, n))
		return SET_INVALID;
	x = strtol(v, NULL, 10);
	if (x < (long)lo || x > (long)hi)
		return SET_INVALID;
	*f = (unsigned)x;
	return SET_OK;
}

static enum set_result set_alert_tick(const struct key_def *def, void *base, const char *v)
{
	return set_uint_range(def, base, v, 1, 600);
}

static enum set_result set_alert_minutes(const struct key_def *def, void *base, const char *v)
{
	return set_uint_range(def, base, v, 0, 1440);
}

static enum set_result set_alert_pct(const struct key_def *def, void *base, const char *v)
{
	return set_uint_range(def, base, v, 0, 100);
}

/*
 * A quarantine rule's tolerance: "off", or a whole percentage, negative
 * only for turnout_over_registered (slot 0).
 */
static enum set_result set_tolerance(const struct key_def *def, void *base, const char *v)
{
	int *f = field_at(base, def);
	bool neg = v[0] == '-';
	size_t n = strlen(v + neg);
	long x;

	if (strcasecmp(v, "off") == 0) {
		*f = CONFIG_QUARANTINE_OFF;
		return SET_OK;
	}
	if (n == 0 || n > 3 || !all_digits(v + neg, n) || (neg && def->slot != 0))
		return SET_INVALID;
	x = strtol(v + neg, NULL, 10);
	if (x > 100)
		return SET_INVALID;
	*f = (int)(neg ? -x : x);
	return SET_OK;
}

static enum set_result set_alert_count(const struct key_def *def, void *base, const char *v)
{
	return set_uint_range(def, base, v, 0, 1000000);
}

/* "info", "serious" or "critical": 0, 1, 2. */
static enum set_result set_alert_severity(const struct key_def *def, void *base, const char *v)
{
	static const char *const names[] = { "info", "serious", "critical" };
	int *f = field_at(base, def);

	for (int i = 0; i < 3; i++) {
		if (strcmp(v, names[i]) == 0) {
			*f = i;
			return SET_OK;
		}
	}
	return SET_INVALID;
}

/* HH:MM times separated by spaces or commas, in increasing order. */
static enum set_result set_alert_checkpoints(const struct key_def *def, void *base, const char *v)
{
	struct config_alerts *a = &((struct config *)base)->alerts;
	size_t n = 0;
	char word[8];

	(void)def;
	while (*v != '\0') {
		size_t len = strcspn(v, " ,\t");
		int t;

		if (len == 0) {
			v++;
			continue;
		}
		if (len >= sizeof(word) || n >= CONFIG_CHECKPOINTS_MAX)
			return SET_INVALID;
		memcpy(word, v, len);
		word[len] = '\0';
		t = parse_hhmm(word);
		if (t < 0 || (n > 0 && t <= a->checkpoints[n - 1]))
			return SET_INVALID;
		a->checkpoints[n++] = t;
		v += len;
	}
	a->n_checkpoints = n;
	return SET_OK;
}

/* http://host[:port][/path]: no user, query, fragment, space or control
 * character; the port 1-65535. */
static bool valid_kannel_url(const char *v)
{
	const char *auth, *slash, *colon;
	size_t host_len;

	if (strncasecmp(v, "http://", 7) != 0)
		return false;
	auth = v + 7;
	for (const char *p = auth; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= ' ' || c >= 0x7F || c == '?' || c == '#' || c == '@')
			return false;
	}
	slash = strchr(auth, '/');
	host_len = slash ? (size_t)(slash - auth) : strlen(auth);
	if (host_len == 0)
		return false;
	if (auth[0] == '[') {
		const char *close = memchr(auth, ']', host_len);

		if (close == NULL || close == auth + 1 ||
		    !in_set(auth + 1, (size_t)(close - auth - 1), IPV6_CHARS))
			return false;
		colon = close + 1 < auth + host_len ? close + 1 : NULL;
		if (colon != NULL && *colon != ':')
			return false;
		host_len = (size_t)(close + 1 - auth);
	} else {
		colon = memchr(auth, ':', host_len);
		if (colon != NULL)
			host_len = (size_t)(colon - auth);
		if (host_len == 0 || !in_set(auth, host_len, HOST_CHARS))
			return false;
	}
	if (colon != NULL) {
		size_t port_len = (size_t)((slash ? slash : colon + strlen(colon)) - colon - 1);
		long port;

		if (port_len == 0 || port_len > 5 || !all_digits(colon + 1, port_len))
			return false;
		port = strtol(colon + 1, NULL, 10);
		if (port < 1 || port > 65535)
			return false;
	}
	return true;
}

static enum set_result set_kannel_url(const struct key_def *def, void *base, const char *v)
{
	return valid_kannel_url(v) ? set_string(def, base, v) : SET_INVALID;
}

/* Printable ASCII from min_c on (0x21: no spaces, 0x20: spaces too). */
static bool printable_ascii(const char *v, size_t max, unsigned char min_c)
{
	size_t n = strlen(v);

	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] < min_c || (unsigned char)v[i] >= 0x7F)
			return false;
	return true;
}

static enum set_result set_kannel_user(const struct key_def *def, void *base, const char *v)
{
	return printable_ascii(v, 64, 0x21) ? set_string(def, base, v) : SET_INVALID;
}

/* A POSIX-portable user name (what useradd accepts by default); whether
 * it exists is checked when sawtd starts as root, not here, so that a file
 * naming a user passes --check on a machine without it. */
static enum set_result set_user(const struct key_def *def, void *base, const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n > 32 || v[0] == '-' ||
	    !in_set(v, n, "abcdefghijklmnopqrstuvwxyz0123456789_-"))
		return SET_INVALID;
	return set_string(def, base, v);
}

/* The node's name in sawt.nodes and sawt.modems.node: a host-name-like
 * token, so it is safe in logs, metrics labels and SMS texts. */
static enum set_result set_node_name(const struct key_def *def, void *base, const char *v)
{
	size_t n = strlen(v);

	return n >= 1 && n <= 63 && in_set(v, n, HOST_CHARS) ? set_string(def, base, v)
							     : SET_INVALID;
}

static enum set_result set_kannel_smsc(const struct key_def *def, void *base, const char *v)
{
	size_t n = strlen(v);

	return n <= 64 && in_set(v, n, HOST_CHARS) ? set_string(def, base, v) : SET_INVALID;
}

static enum set_result set_kannel_sender(const struct key_def *def, void *base, const char *v)
{
	return printable_ascii(v, 20, 0x20) ? set_string(def, base, v) : SET_INVALID;
}

static enum set_result set_dlr_url(const struct key_def *def, void *base, const char *v)
{
	return kannel_dlr_url_check(v) ? set_string(def, base, v) : SET_INVALID;
}

static enum set_result set_dlr_mask(const struct key_def *def, void *base, const char *v)
{
	return set_int_range(def, base, v, 1, KANNEL_DLR_MASK_ALL);
}

static enum set_result set_outbound(const struct key_def *def, void *base, const char *v)
{
	enum config_outbound *f = field_at(base, def);

	if (strcmp(v, "kannel") == 0)
		*f = CONFIG_OUTBOUND_KANNEL;
	else if (strcmp(v, "both") == 0)
		*f = CONFIG_OUTBOUND_BOTH;
	else
		return SET_INVALID;
	return SET_OK;
}

static enum set_result set_kannel_timeout(const struct key_def *def, void *base, const char *v)
{
	return set_int_range(def, base, v, 1, CONFIG_KANNEL_TIMEOUT_MAX);
}

/* ------------------------------------------------------------ sections */

static void span_copy(char *dst, struct ini_span s)
{
	/* the tokenizer keeps every span within INI_LINE_MAX bytes */
	if (s.len > 0)
		memcpy(dst, s.p, s.len);
	dst[s.len] = '\0';
}

static enum section_id section_lookup(const char *name)
{
	for (int i = 0; i < SEC_COUNT; i++) {
		if (strcasecmp(name, section_names[i]) == 0)
			return (enum section_id)i;
	}
	return SEC_NONE;
}

static bool valid_modem_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > MODEM_NAME_MAX)
		return false;
	if (!in_set(s, 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"))
		return false;
	return in_set(s, n, HOST_CHARS);
}

static bool check_modem_header(struct parse_ctx *p, unsigned line)
{
	const struct config *cfg = p->cfg;
	char shown[SHOW_MAX + 4];

	if (p->value[0] == '\0') {
		errorf(p, line, "section [modem] needs a name, e.g. [modem usb0]");
		return false;
	}
	if (!valid_modem_name(p->value)) {
		errorf(p, line,
		       "invalid modem name \"%s\": expected 1 to %d letters, "
		       "digits, \".\", \"-\" or \"_\"",
		       show(p->value, strlen(p->value), shown), MODEM_NAME_MAX);
		return false;
	}
	for (size_t i = 0; i < cfg->n_modems; i++) {
		if (strcmp(cfg->modems[i].name, p->value) == 0) {
			errorf(p, line, "duplicate modem name \"%s\" (first on line %u)", p->value,
			       p->modem_line[i]);
			return false;
		}
	}
	if (cfg->n_modems >= CONFIG_MODEMS_MAX) {
		errorf(p, line, "too many modem sections (maximum %d)", CONFIG_MODEMS_MAX);
		return false;
	}
	return true;
}

/* Append a modem with its defaults, named p->value. */
static bool add_modem(struct parse_ctx *p, unsigned line)
{
	struct config *cfg = p->cfg;
	struct config_modem *mods, *m;
	unsigned *lines;

	mods = realloc(cfg->modems, (cfg->n_modems + 1) * sizeof(*mods));
	if (mods == NULL)
		goto nomem;
	cfg->modems = mods;
	lines = realloc(p->modem_line, (cfg->n_modems + 1) * sizeof(*lines));
	if (lines == NULL)
		goto nomem;
	p->modem_line = lines;
	lines[cfg->n_modems] = line;
	m = &mods[cfg->n_modems++];
	memset(m, 0, sizeof(*m));
	m->balance_interval = BALANCE_INTERVAL_DEFAULT;
	m->send = true;
	m->receive = true;
	m->name = strdup(p->value);
	if (m->name == NULL)
		goto nomem;
	return true;
nomem:
	errorf(p, line, "out of memory");
	return false;
}

static bool on_section(struct parse_ctx *p, const struct ini_event *ev)
{
	enum section_id sec;
	char shown[SHOW_MAX + 4], arg[SHOW_MAX + 4];
	const char *hint;

	span_copy(p->text, ev->section);
	span_copy(p->value, ev->arg);
	sec = section_lookup(p->text);
	if (sec == SEC_NONE) {
		hint = near_miss(p->text, section_names, SEC_COUNT);
		errorf(p, ev->line, "unknown section [%s%s%s]%s%s%s",
		       show(p->text, ev->section.len, shown), ev->arg.len ? " " : "",
		       show(p->value, ev->arg.len, arg), hint ? "; did you mean [" : "",
		       hint ? hint : "", hint ? "]?" : "");
		return false;
	}
	if (sec == SEC_MODEM) {
		if (!check_modem_header(p, ev->line) || !add_modem(p, ev->line))
			return false;
		snprintf(p->label, sizeof(p->label), "modem %s", p->value);
		memset(p->key_line[sec], 0, sizeof(p->key_line[sec]));
		p->sec = sec;
		return true;
	}
	if (ev->arg.len > 0) {
		errorf(p, ev->line, "section [%s] takes no name, found \"%s\"", section_names[sec],
		       show(p->value, ev->arg.len, arg));
		return false;
	}
	if (p->sec_line[sec] != 0) {
		errorf(p, ev->line, "duplicate section [%s] (first on line %u)", section_names[sec],
		       p->sec_line[sec]);
		return false;
	}
	p->sec_line[sec] = ev->line;
	if (sec == SEC_QUARANTINE)
		p->cfg->quarantine.present = true;
	snprintf(p->label, sizeof(p->label), "%s", section_names[sec]);
	p->sec = sec;
	return true;
}

/* ---------------------------------------------------------------- keys */

static const struct key_def *key_lookup(enum section_id sec, const char *name)
{
	for (const struct key_def *d = section_keys[sec]; d->name != NULL; d++) {
		if (strcasecmp(name, d->name) == 0)
			return d;
	}
	return NULL;
}

static void unknown_key(struct parse_ctx *p, unsigned line, size_t len)
{
	const char *names[KEYS_MAX];
	size_t n = 0;
	const char *hint;
	char shown[SHOW_MAX + 4];

	for (const struct key_def *d = section_keys[p->sec]; d->name != NULL; d++)
		names[n++] = d->name;
	hint = near_miss(p->text, names, n);
	errorf(p, line, "unknown key \"%s\" in section [%s]%s%s%s", show(p->text, len, shown),
	       p->label, hint ? "; did you mean \"" : "", hint ? hint : "", hint ? "\"?" : "");
}

/* Report a key set twice, naming its alias when it has one ("port"). */
static void duplicate_key(struct parse_ctx *p, unsigned line, const struct key_def *def,
			  unsigned first)
{
	const struct key_def *alias = NULL;

	for (const struct key_def *d = section_keys[p->sec]; d->name != NULL; d++) {
		if (d != def && d->slot == def->slot)
			alias = d;
	}
	if (alias == NULL) {
		errorf(p, line, "duplicate key \"%s\" in section [%s] (first on line %u)",
		       def->name, p->label, first);
		return;
	}
	errorf(p, line,
	       "duplicate key \"%s\" in section [%s] (first on line %u, "
	       "as \"%s\" or \"%s\")",
	       def->name, p->label, first, def->name, alias->name);
}

static void *key_base(struct parse_ctx *p)
{
	if (p->sec == SEC_MODEM)
		return &p->cfg->modems[p->cfg->n_modems - 1];
	return p->cfg;
}

static bool on_key(struct parse_ctx *p, const struct ini_event *ev)
{
	const struct key_def *def;
	unsigned *seen;
	char shown[SHOW_MAX + 4];

	span_copy(p->text, ev->key);
	span_copy(p->value, ev->value);
	def = key_lookup(p->sec, p->text);
	if (def == NULL) {
		unknown_key(p, ev->line, ev->key.len);
		return false;
	}
	seen = &p->key_line[p->sec][def->slot];
	if (*seen != 0) {
		duplicate_key(p, ev->line, def, *seen);
		return false;
	}
	*seen = ev->line;
	if (ev->value.len == 0)
		return true;
	switch (def->set(def, key_base(p), p->value)) {
	case SET_OK: return true;
	case SET_INVALID:
		errorf(p, ev->line, "invalid value \"%s\" for key \"%s\": expected %s",
		       show(p->value, ev->value.len, shown), def->name, def->expect);
		return false;
	case SET_NOMEM: break;
	}
	errorf(p, ev->line, "out of memory");
	return false;
}

static bool on_event(const struct ini_event *ev, void *ctx)
{
	struct parse_ctx *p = ctx;

	if (ev->type == INI_EVENT_SECTION)
		return on_section(p, ev);
	return on_key(p, ev);
}

/* ------------------------------------------------------- whole-file checks */

static bool check_tls(struct parse_ctx *p)
{
	const struct config *cfg = p->cfg;
	const unsigned *line = p->key_line[SEC_HTTP];

	if (cfg->tls_cert != NULL && cfg->tls_key == NULL) {
		errorf(p, line[HTTP_TLS_CERT],
		       "key \"tls_cert\" is set but \"tls_key\" is not: set both or neither");
		return false;
	}
	if (cfg->tls_key != NULL && cfg->tls_cert == NULL) {
		errorf(p, line[HTTP_TLS_KEY],
		       "key \"tls_key\" is set but \"tls_cert\" is not: set both or neither");
		return false;
	}
	return true;
}

/* [database] listen and analyst_group are the embedded cluster's. */
static bool check_database(struct parse_ctx *p)
{
	const struct config *cfg = p->cfg;
	const unsigned *line = p->key_line[SEC_DATABASE];
	int key = cfg->db_listen ? DATABASE_LISTEN : DATABASE_ANALYST_GROUP;

	if (cfg->db_url == NULL || (cfg->db_listen == NULL && cfg->db_analyst_group == NULL))
		return true;
	errorf(p, line[key],
	       "key \"%s\" is for the embedded database, but \"url\" names another: set one or "
	       "the other",
	       key == DATABASE_LISTEN ? "listen" : "analyst_group");
	return false;
}

static bool check_polls(struct parse_ctx *p)
{
	const struct config *cfg = p->cfg;
	int o = cfg->polls_open, c = cfg->polls_close;

	if (o < 0 || c < 0 || c > o)
		return true;
	errorf(p, p->key_line[SEC_ELECTION][ELECTION_POLLS_CLOSE],
	       "polls_close (%02d:%02d) must be later than polls_open (%02d:%02d)", c / 60, c % 60,
	       o / 60, o % 60);
	return false;
}

/* Turnout checkpoints lie while the polls are open. */
static bool check_checkpoints(struct parse_ctx *p)
{
	const struct config *cfg = p->cfg;
	const struct config_alerts *a = &cfg->alerts;

	for (size_t i = 0; i < a->n_checkpoints; i++) {
		int t = a->checkpoints[i];

		if ((cfg->polls_open >= 0 && t <= cfg->polls_open) ||
		    (cfg->polls_close >= 0 && t > cfg->polls_close)) {
			errorf(p, p->key_line[SEC_ALERTS][ALERTS_CHECKPOINTS],
			       "turnout checkpoint %02d:%02d is not between polls_open and polls_close",
			       t / 60, t % 60);
			return false;
		}
	}
	return true;
}

/*
 * [kannel]: inactive without url, unless it names an account, a route or
 * a dlr_url (then url is missing); url, username and password together;
 * a dlr_url needs sawt's HTTP server and a secret Kannel can carry in a
 * URL as it is.  dlr_mask, outbound and timeout alone are defaults.
 */
static bool check_kannel(struct parse_ctx *p)
{
	static const char *const required[] = { "url", "username", "password" };
	const struct config *cfg = p->cfg;
	const unsigned *line = p->key_line[SEC_KANNEL];
	const char *const have[] = { cfg->kannel_url, cfg->kannel_username, cfg->kannel_password };

	if (cfg->kannel_url == NULL && cfg->kannel_username == NULL &&
	    cfg->kannel_password == NULL && cfg->kannel_smsc == NULL &&
	    cfg->kannel_sender == NULL && cfg->kannel_dlr_url == NULL)
		return true;
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		if (have[i] == NULL) {
			errorf(p, p->sec_line[SEC_KANNEL], "section [kannel] has no \"%s\" key",
			       required[i]);
			return false;
		}
	}
	if (cfg->kannel_dlr_url == NULL)
		return true;
	if (cfg->http_listen == NULL) {
		errorf(p, line[KANNEL_DLR_URL],
		       "key \"dlr_url\" needs [http] listen: sawt takes delivery reports on "
		       "its HTTP server");
		return false;
	}
	if (cfg->http_secret == NULL || !kannel_secret_check(cfg->http_secret)) {
		errorf(p, line[KANNEL_DLR_URL],
		       "key \"dlr_url\" needs an [http] secret of 1 to 128 letters, digits, "
		       "\"-\", \".\", \"_\" or \"~\": Kannel carries it in a URL as it is");
		return false;
	}
	return true;
}

static bool check_modems(struct parse_ctx *p)
{
	const struct config *cfg = p->cfg;
	const struct config_modem *m, *other;
	char shown[SHOW_MAX + 4];

	for (size_t i = 0; i < cfg->n_modems; i++) {
		m = &cfg->modems[i];
		if (m->device == NULL) {
			errorf(p, p->modem_line[i], "section [modem %s] has no \"device\" key",
			       m->name);
			return false;
		}
		for (size_t j = 0; j < i; j++) {
			other = &cfg->modems[j];
			if (strcmp(other->device, m->device) != 0)
				continue;
			errorf(p, p->modem_line[i],
			       "modems \"%s\" and \"%s\" use the same device \"%s\"", other->name,
			       m->name, show(m->device, strlen(m->device), shown));
			return false;
		}
	}
	return true;
}

/* ------------------------------------------------------------- public */

void config_alerts_defaults(struct config_alerts *a)
{
	*a = (struct config_alerts){
		.tick_s = 10,
		.dedup_min = 30,
		.rate_max = 5,
		.rate_min = 15,
		.escalate_min = 15,
		.national_severity = 1,
		.incident_batch_min = 5,
		.turnout_high_pct = 90,
		.turnout_jump_pct = 30,
		.women_low_pct = 15,
		.women_high_pct = 85,
		.women_min_voters = 50,
		.missing_open_min = 30,
		.n_checkpoints = 0,
		.checkpoint_grace_min = 15,
		.missing_results_min = 120,
		.modem_down_min = 10,
		.balance_min = 0,
		.spool_min = 10,
		.outbox_backlog = 500,
		.outbox_wait_min = 10,
		.list_max = 5,
	};
}

/*
 * The state directory when the file names none: systemd's StateDirectory=
 * ($STATE_DIRECTORY, its first entry), else /var/lib/sawt as root, else
 * ./sawt-state.  Malloc'd; NULL when out of memory.
 */
static char *default_state_dir(void)
{
	const char *sd = getenv("STATE_DIRECTORY");

	if (sd != NULL && sd[0] == '/')
		return strndup(sd, strcspn(sd, ":"));
	return strdup(geteuid() == 0 ? "/var/lib/sawt" : "./sawt-state");
}

struct config *config_new(void)
{
	struct config *cfg = calloc(1, sizeof(*cfg));

	if (cfg == NULL)
		return NULL;
	cfg->log_level = LOG_LEVEL_INFO;
	cfg->spool_warn_free.pct = CONFIG_SPOOL_WARN_PCT_DEFAULT;
	cfg->polls_open = -1;
	cfg->polls_close = -1;
	cfg->state_dir = default_state_dir();
	cfg->default_language = LANG_EN;
	config_alerts_defaults(&cfg->alerts);
	cfg->quarantine.turnout_over_registered = CONFIG_QUARANTINE_OFF;
	cfg->quarantine.results_sum = CONFIG_QUARANTINE_OFF;
	cfg->http_timeout = CONFIG_HTTP_TIMEOUT_DEFAULT;
	cfg->http_max_connections = CONFIG_HTTP_MAX_CONNECTIONS_DEFAULT;
	cfg->web.code_ttl_s = CONFIG_WEB_CODE_SECONDS_DEFAULT;
	cfg->web.session_hours = CONFIG_WEB_SESSION_HOURS_DEFAULT;
	cfg->web.max_attempts = CONFIG_WEB_CODE_ATTEMPTS_DEFAULT;
	cfg->web.sign_in_per_address = CONFIG_WEB_SIGN_IN_PER_ADDRESS_DEFAULT;
	cfg->web.max_streams = CONFIG_WEB_MAX_STREAMS_DEFAULT;
	cfg->ussd_session_timeout = CONFIG_USSD_SESSION_TIMEOUT_DEFAULT;
	cfg->ussd_max_sessions = CONFIG_USSD_MAX_SESSIONS_DEFAULT;
	cfg->kannel_dlr_mask = KANNEL_DLR_MASK_DEFAULT;
	cfg->kannel_outbound = CONFIG_OUTBOUND_KANNEL;
	cfg->kannel_timeout = CONFIG_KANNEL_TIMEOUT_DEFAULT;
	if (cfg->state_dir == NULL) {
		config_free(cfg);
		return NULL;
	}
	return cfg;
}

static void syntax_error(struct parse_ctx *p, const struct ini_error *e)
{
	char shown[SHOW_MAX + 4];
	const char *text = show(e->text.p, e->text.len, shown);

	switch (e->status) {
	case INI_ERR_CONTROL:
		errorf(p, e->line, "invalid control character 0x%02X", e->byte);
		break;
	case INI_ERR_LINE_TOO_LONG:
		errorf(p, e->line, "line is too long (maximum %d bytes)", INI_LINE_MAX);
		break;
	case INI_ERR_NO_BRACKET:
	case INI_ERR_EMPTY_SECTION:
		errorf(p, e->line, "%s \"%s\"", ini_status_name(e->status), text);
		break;
	case INI_ERR_AFTER_BRACKET:
		errorf(p, e->line, "unexpected text \"%s\" after section header", text);
		break;
	case INI_ERR_NO_EQUALS:
		errorf(p, e->line, "missing \"=\" in line \"%s\": expected key = value", text);
		break;
	case INI_ERR_EMPTY_KEY:
		errorf(p, e->line, "missing key before \"=\" in line \"%s\"", text);
		break;
	case INI_ERR_NO_SECTION:
		errorf(p, e->line, "key \"%s\" before the first section header", text);
		break;
	default: errorf(p, e->line, "%s", ini_status_name(e->status)); break;
	}
}

struct config *config_parse(const char *name, const char *buf, size_t len, char *err, size_t errlen)
{
	struct parse_ctx *p;
	struct config *cfg = NULL;
	struct ini_error ie;
	enum ini_status st;

	p = calloc(1, sizeof(*p));
	if (p == NULL)
		goto nomem;
	p->name = name != NULL ? name : "(config)";
	p->err = err;
	p->errlen = errlen;
	p->sec = SEC_NONE;
	if (len > CONFIG_FILE_MAX) {
		errorf(p, 0, "file is too large (maximum 1 MiB)");
		goto fail;
	}
	cfg = p->cfg = config_new();
	if (cfg == NULL || (cfg->path = strdup(p->name)) == NULL)
		goto nomem;
	st = ini_parse(buf, len, on_event, p, &ie);
	if (st != INI_OK) {
		if (st != INI_STOPPED)
			syntax_error(p, &ie);
		goto fail;
	}
	if (!check_tls(p) || !check_database(p) || !check_polls(p) || !check_checkpoints(p) ||
	    !check_kannel(p) || !check_modems(p))
		goto fail;
	free(p->modem_line);
	free(p);
	return cfg;
nomem:
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "out of memory");
fail:
	if (p != NULL)
		free(p->modem_line);
	free(p);
	config_free(cfg);
	return NULL;
}

struct config *config_load(const char *path, char *err, size_t errlen)
{
	struct config *cfg;
	size_t len = 0;
	char *buf = file_read_all(path, CONFIG_FILE_MAX, &len, err, errlen);

	if (buf == NULL) {
		if (errno == EFBIG && err != NULL && errlen > 0)
			snprintf(err, errlen, "file \"%s\" is too large (maximum 1 MiB)", path);
		return NULL;
	}
	cfg = config_parse(path, buf, len, err, errlen);
	free(buf);
	return cfg;
}

void config_modem_clear(struct config_modem *m)
{
	for (size_t i = 0; i < m->n_gammu; i++) {
		free(m->gammu[i].key);
		free(m->gammu[i].value);
	}
	free(m->gammu);
	free(m->name);
	free(m->device);
	free(m->connection);
	free(m->model);
	free(m->number);
	free(m->balance_ussd);
}

void config_free(struct config *cfg)
{
	if (cfg == NULL)
		return;
	for (size_t i = 0; i < cfg->n_modems; i++)
		config_modem_clear(&cfg->modems[i]);
	free(cfg->modems);
	free(cfg->path);
	free(cfg->state_dir);
	free(cfg->run_user);
	free(cfg->node_name);
	free(cfg->db_url);
	free(cfg->pg_bindir);
	free(cfg->migrations_dir);
	free(cfg->db_listen);
	free(cfg->db_analyst_group);
	free(cfg->web.root);
	free(cfg->web.chart_js);
	free(cfg->http_listen);
	free(cfg->http_secret);
	free(cfg->ussd_contact);
	free(cfg->tls_cert);
	free(cfg->tls_key);
	free(cfg->kannel_url);
	free(cfg->kannel_username);
	free(cfg->kannel_password);
	free(cfg->kannel_smsc);
	free(cfg->kannel_sender);
	free(cfg->kannel_dlr_url);
	free(cfg->election_name);
	free(cfg->country_code);
	free(cfg->timezone);
	free(cfg->results_deadline);
	free(cfg->pseudonym_secret);
	free(cfg);
}

const char *config_election(const struct config *cfg)
{
	return cfg != NULL && cfg->election_name != NULL ? cfg->election_name
							 : CONFIG_DEFAULT_ELECTION;
}

const struct config_modem *config_modem(const struct config *cfg, const char *name)
{
	if (cfg == NULL || name == NULL)
		return NULL;
	for (size_t i = 0; i < cfg->n_modems; i++) {
		if (strcmp(cfg->modems[i].name, name) == 0)
			return &cfg->modems[i];
	}
	return NULL;
}

struct config *config_open(const char *path, char *err, size_t errlen)
{
	struct config *cfg;

	if (path != NULL && path[0] != '\0')
		return config_load(path, err, errlen);
	cfg = config_new();
	if (cfg == NULL)
		snprintf(err, errlen, "out of memory");
	return cfg;
}
