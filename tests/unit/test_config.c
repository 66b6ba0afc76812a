/*
 * test_config.c - the INI tokenizer and the configuration file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "ini.h"
#include "sawt_build.h"

static char err[CONFIG_ERR_MAX];

static struct config *parse(const char *text)
{
	err[0] = '\0';
	return config_parse("t.conf", text, strlen(text), err, sizeof(err));
}

/* Parse text, which must fail with exactly msg. */
static void expect_error(const char *text, const char *msg)
{
	struct config *cfg = parse(text);

	if (cfg != NULL)
		print_error("accepted: %s\n", text);
	assert_null(cfg);
	assert_string_equal(err, msg);
}

static struct config *expect_ok(const char *text)
{
	struct config *cfg = parse(text);

	if (cfg == NULL)
		print_error("rejected: %s\n", err);
	assert_non_null(cfg);
	return cfg;
}

static const char full_conf[] =
	"# a full configuration\n"
	"[sawt]\n"
	"state_dir = /srv/sawt\n"
	"log_level = debug\n"
	"\n"
	"[database]\n"
	"url = postgresql://sawt@db.example.org/sawt?sslmode=require\n"
	"pg_bindir = /usr/lib/postgresql/15/bin\n"
	"migrations_dir = /usr/share/sawt/migrations\n"
	"\n"
	"; the web side\n"
	"[http]\n"
	"listen = 0.0.0.0:8443\n"
	"secret = s3cr=t#1\n"
	"tls_cert = /etc/sawt/cert.pem\n"
	"tls_key = /etc/sawt/key.pem\n"
	"timeout = 10\n"
	"max_connections = 100\n"
	"\n"
	"[election]\n"
	"name = الانتخابات البلدية 2025\n"
	"country_code = 961\n"
	"default_language = ar\n"
	"timezone = Asia/Beirut\n"
	"polls_open = 07:00\n"
	"polls_close = 19:30\n"
	"results_deadline = 2025-05-04T23:59\n"
	"pseudonym_secret = 0123456789abcdef\n"
	"unknown_sender_reply = never\n"
	"\n"
	"[modem usb0]\n"
	"device = /dev/ttyUSB0\n"
	"connection = at\n"
	"model = at\n"
	"synchronizetime = yes\n"
	"logfile = /var/log/sawt/usb0.log\n"
	"logformat = textalldate\n"
	"use_locking = no\n"
	"gammuloc = /usr/share/gammu\n"
	"gammucoding = utf8\n"
	"features = \n"
	"name = Huawei E173\n"
	"number = +96171123456\n"
	"balance_ussd = *100#\n"
	"balance_interval = 600\n"
	"send = off\n"
	"receive = yes\n"
	"\n"
	"[modem usb1]\n"
	"port = /dev/ttyUSB1\n"
	"connection = at115200\n"
	"number = 96171999888\n";

static void test_full(void **state)
{
	struct config *cfg = expect_ok(full_conf);
	const struct config_modem *m;

	assert_string_equal(cfg->path, "t.conf");
	assert_string_equal(cfg->state_dir, "/srv/sawt");
	assert_int_equal(cfg->log_level, LOG_LEVEL_DEBUG);
	assert_string_equal(cfg->db_url, "postgresql://sawt@db.example.org/sawt?sslmode=require");
	assert_string_equal(cfg->pg_bindir, "/usr/lib/postgresql/15/bin");
	assert_string_equal(cfg->migrations_dir, "/usr/share/sawt/migrations");
	assert_string_equal(cfg->http_listen, "0.0.0.0:8443");
	assert_string_equal(cfg->http_secret, "s3cr=t#1");
	assert_string_equal(cfg->tls_cert, "/etc/sawt/cert.pem");
	assert_string_equal(cfg->tls_key, "/etc/sawt/key.pem");
	assert_int_equal(cfg->http_timeout, 10);
	assert_int_equal(cfg->http_max_connections, 100);
	assert_string_equal(cfg->election_name, "الانتخابات البلدية 2025");
	assert_string_equal(config_election(cfg), "الانتخابات البلدية 2025");
	assert_string_equal(cfg->country_code, "961");
	assert_string_equal(lang_code(cfg->default_language), "ar");
	assert_string_equal(cfg->timezone, "Asia/Beirut");
	assert_int_equal(cfg->unknown_sender_reply, CONFIG_UNKNOWN_REPLY_NEVER);
	assert_int_equal(cfg->polls_open, 7 * 60);
	assert_int_equal(cfg->polls_close, 19 * 60 + 30);
	assert_string_equal(cfg->results_deadline, "2025-05-04T23:59");
	assert_string_equal(cfg->pseudonym_secret, "0123456789abcdef");
	assert_int_equal(cfg->n_modems, 2);

	m = &cfg->modems[0];
	assert_string_equal(m->name, "usb0");
	assert_string_equal(m->device, "/dev/ttyUSB0");
	assert_string_equal(m->connection, "at");
	assert_string_equal(m->model, "at");
	assert_string_equal(m->number, "+96171123456");
	assert_string_equal(m->balance_ussd, "*100#");
	assert_int_equal(m->balance_interval, 600);
	assert_false(m->send);
	assert_true(m->receive);
	/* features is empty, so it is left out */
	assert_int_equal(m->n_gammu, 10);
	assert_string_equal(m->gammu[0].key, "device");
	assert_string_equal(m->gammu[0].value, "/dev/ttyUSB0");
	assert_string_equal(m->gammu[3].key, "synchronizetime");
	assert_string_equal(m->gammu[3].value, "yes");
	assert_string_equal(m->gammu[5].key, "logformat");
	assert_string_equal(m->gammu[5].value, "textalldate");
	assert_string_equal(m->gammu[8].key, "gammucoding");
	assert_string_equal(m->gammu[9].key, "name");
	assert_string_equal(m->gammu[9].value, "Huawei E173");

	m = &cfg->modems[1];
	assert_string_equal(m->name, "usb1");
	assert_string_equal(m->device, "/dev/ttyUSB1");
	assert_string_equal(m->connection, "at115200");
	assert_null(m->model);
	assert_string_equal(m->number, "96171999888");
	assert_null(m->balance_ussd);
	assert_int_equal(m->balance_interval, 3600);
	assert_true(m->send);
	assert_true(m->receive);
	assert_int_equal(m->n_gammu, 2);
	assert_string_equal(m->gammu[0].key, "device"); /* "port" is an alias */
	assert_string_equal(m->gammu[0].value, "/dev/ttyUSB1");
	assert_string_equal(m->gammu[1].key, "connection");

	assert_ptr_equal(config_modem(cfg, "usb1"), &cfg->modems[1]);
	assert_null(config_modem(cfg, "usb2"));
	config_free(cfg);
}

static void check_defaults(const struct config *cfg)
{
	assert_string_equal(cfg->state_dir, geteuid() == 0 ? "/var/lib/sawt" : "./sawt-state");
	assert_int_equal(cfg->log_level, LOG_LEVEL_INFO);
	assert_int_equal(cfg->spool_warn_free.pct, CONFIG_SPOOL_WARN_PCT_DEFAULT);
	assert_int_equal(cfg->spool_warn_free.bytes, 0);
	assert_null(cfg->db_url);
	assert_null(cfg->pg_bindir);
	assert_null(cfg->migrations_dir);
	assert_null(cfg->http_listen);
	assert_null(cfg->http_secret);
	assert_null(cfg->tls_cert);
	assert_null(cfg->tls_key);
	assert_int_equal(cfg->http_timeout, CONFIG_HTTP_TIMEOUT_DEFAULT);
	assert_int_equal(cfg->http_max_connections, CONFIG_HTTP_MAX_CONNECTIONS_DEFAULT);
	assert_null(cfg->election_name);
	assert_string_equal(config_election(cfg), CONFIG_DEFAULT_ELECTION);
	assert_string_equal(config_election(NULL), "default");
	assert_null(cfg->country_code);
	assert_string_equal(lang_code(cfg->default_language), "en");
	assert_null(cfg->timezone);
	assert_int_equal(cfg->unknown_sender_reply, CONFIG_UNKNOWN_REPLY_FIRST);
	assert_int_equal(cfg->polls_open, -1);
	assert_int_equal(cfg->polls_close, -1);
	assert_null(cfg->results_deadline);
	assert_null(cfg->pseudonym_secret);
	assert_int_equal(cfg->n_modems, 0);
	assert_null(cfg->modems);
}

static void test_defaults(void **state)
{
	struct config *cfg = config_new();

	assert_non_null(cfg);
	check_defaults(cfg);
	assert_null(config_modem(cfg, "usb0"));
	config_free(cfg);

	cfg = expect_ok("");
	check_defaults(cfg);
	config_free(cfg);

	cfg = expect_ok("# only comments\n\n   ; and blanks\n\t\n");
	check_defaults(cfg);
	config_free(cfg);

	/* empty sections, and every key present but empty */
	cfg = expect_ok(
		"[sawt]\nstate_dir =\nlog_level =\n[database]\nurl =\n"
		"pg_bindir=\n[http]\nlisten =\nsecret=\ntls_cert =\ntls_key =\n"
		"[election]\ndefault_language =\npolls_open =\n");
	check_defaults(cfg);
	config_free(cfg);

	config_free(NULL);
}

static void test_modem_defaults(void **state)
{
	struct config *cfg = expect_ok("[modem a]\ndevice = /tmp/a\n");
	const struct config_modem *m = config_modem(cfg, "a");

	assert_non_null(m);
	assert_string_equal(m->device, "/tmp/a");
	assert_null(m->connection);
	assert_null(m->model);
	assert_null(m->number);
	assert_null(m->balance_ussd);
	assert_int_equal(m->balance_interval, 3600);
	assert_true(m->send);
	assert_true(m->receive);
	assert_int_equal(m->n_gammu, 1);
	config_free(cfg);
}

static void test_empty_url(void **state)
{
	struct config *cfg = expect_ok("[database]\nurl =   \n");

	assert_null(cfg->db_url);
	config_free(cfg);
	cfg = expect_ok("[database]\npg_bindir = /opt/pg/bin\n");
	assert_null(cfg->db_url);
	assert_string_equal(cfg->pg_bindir, "/opt/pg/bin");
	config_free(cfg);
	/* the embedded cluster's analysts: TCP and the socket's group */
	cfg = expect_ok("[database]\nlisten = 127.0.0.1:5433\nanalyst_group = root\n");
	assert_string_equal(cfg->db_listen, "127.0.0.1:5433");
	assert_string_equal(cfg->db_analyst_group, "root");
	config_free(cfg);
}

static void test_crlf_bom(void **state)
{
	struct config *cfg;

	cfg = expect_ok(
		"\xEF\xBB\xBF[sawt]\r\nlog_level = warning\r\n\r\n"
		"[modem x]\r\ndevice = /dev/ttyACM0\r\nbalance_ussd = *100#\r\n");
	assert_int_equal(cfg->log_level, LOG_LEVEL_WARNING);
	assert_string_equal(cfg->modems[0].device, "/dev/ttyACM0");
	assert_string_equal(cfg->modems[0].balance_ussd, "*100#");
	config_free(cfg);

	/* no final newline, a lone CR at the very end */
	cfg = expect_ok("[sawt]\nlog_level = error\r");
	assert_int_equal(cfg->log_level, LOG_LEVEL_ERROR);
	config_free(cfg);
	cfg = expect_ok("[sawt]\nlog_level = error");
	assert_int_equal(cfg->log_level, LOG_LEVEL_ERROR);
	config_free(cfg);
}

static void test_syntax_forms(void **state)
{
	struct config *cfg;

	/* blanks around everything, case-insensitive names, = and # in values */
	cfg = expect_ok(
		"  [ HTTP ]  \n\tSecret\t=\ta = b # c ; d \t\n"
		"[ modem   m-1.b_2 ]\nDevice=/dev/x\nSEND = False\n"
		"   # indented comment\n  ; another\n");
	assert_string_equal(cfg->http_secret, "a = b # c ; d");
	assert_string_equal(cfg->modems[0].name, "m-1.b_2");
	assert_false(cfg->modems[0].send);
	config_free(cfg);

	cfg = expect_ok(
		"[http]\nlisten = [::1]:8080\n[election]\npolls_open = 7:05\n"
		"polls_close = 23:59\nresults_deadline = 2024-02-29 00:00\n"
		"country_code = 1\ntimezone = Etc/GMT-2\n");
	assert_string_equal(cfg->http_listen, "[::1]:8080");
	assert_int_equal(cfg->polls_open, 7 * 60 + 5);
	assert_int_equal(cfg->polls_close, 23 * 60 + 59);
	assert_string_equal(cfg->results_deadline, "2024-02-29 00:00");
	assert_string_equal(cfg->country_code, "1");
	config_free(cfg);

	cfg = expect_ok(
		"[modem a]\ndevice=/a\nreceive=0\nsend=ON\n"
		"balance_interval=60\n");
	assert_false(cfg->modems[0].receive);
	assert_true(cfg->modems[0].send);
	assert_int_equal(cfg->modems[0].balance_interval, 60);
	config_free(cfg);
}

struct error_case {
	const char *text;
	const char *msg;
};

static void run_cases(const struct error_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		expect_error(c[i].text, c[i].msg);
}

static void test_syntax_errors(void **state)
{
	static const struct error_case cases[] = {
		{ "[sawt]\n[http\nlisten = x:1\n",
		  "t.conf:2: missing \"]\" in section header \"[http\"" },
		{ "[sawt]\nlog_level info\n",
		  "t.conf:2: missing \"=\" in line \"log_level info\": expected key = value" },
		{ "# hello\nlog_level = info\n[sawt]\n",
		  "t.conf:2: key \"log_level\" before the first section header" },
		{ "[sawt]\n = info\n", "t.conf:2: missing key before \"=\" in line \"= info\"" },
		{ "[ ]\n", "t.conf:1: empty section header \"[ ]\"" },
		{ "[http] # web\n", "t.conf:1: unexpected text \"# web\" after section header" },
		{ "[sawt]\nlog_level = in\x01"
		  "fo\n",
		  "t.conf:2: invalid control character 0x01" },
		{ "[sawt]\nstate_dir = \xC3\x28\n",
		  "t.conf:2: invalid UTF-8 byte sequence (save the file as UTF-8)" },
		{ "[sawt]\nstate_dir = \xED\xA0\x80\n",
		  "t.conf:2: invalid UTF-8 byte sequence (save the file as UTF-8)" },
		{ "[sawt]\nstate_dir = /a\rb\n", "t.conf:2: invalid control character 0x0D" },
	};
	static const char nul[] = "[sawt]\n\nlog_level = in\0fo\n";
	char *longline;

	run_cases(cases, sizeof(cases) / sizeof(cases[0]));

	assert_null(config_parse("t.conf", nul, sizeof(nul) - 1, err, sizeof(err)));
	assert_string_equal(err, "t.conf:3: invalid NUL byte");

	longline = malloc(INI_LINE_MAX + 64);
	assert_non_null(longline);
	strcpy(longline, "[sawt]\n# ");
	memset(longline + 9, 'x', INI_LINE_MAX);
	strcpy(longline + 9 + INI_LINE_MAX, "\n");
	expect_error(longline, "t.conf:2: line is too long (maximum 4096 bytes)");
	/* exactly INI_LINE_MAX bytes, with CRLF, is fine */
	strcpy(longline + 9 + INI_LINE_MAX - 2, "\r\n");
	config_free(expect_ok(longline));
	free(longline);
}

static void test_section_errors(void **state)
{
	static const struct error_case cases[] = {
		{ "[sawt]\n\n[databse]\n",
		  "t.conf:3: unknown section [databse]; did you mean [database]?" },
		{ "[gammu]\n", "t.conf:1: unknown section [gammu]" },
		{ "[smsd x]\n", "t.conf:1: unknown section [smsd x]; did you mean [ussd]?" },
		{ "[smpp x]\n", "t.conf:1: unknown section [smpp x]" },
		{ "[http]\n[sawt]\n[http]\n",
		  "t.conf:3: duplicate section [http] (first on line 1)" },
		{ "[http main]\n", "t.conf:1: section [http] takes no name, found \"main\"" },
		{ "[modem]\ndevice = /dev/ttyUSB0\n",
		  "t.conf:1: section [modem] needs a name, e.g. [modem usb0]" },
		{ "[modem usb 0]\n",
		  "t.conf:1: invalid modem name \"usb 0\": expected 1 to 32 letters, "
		  "digits, \".\", \"-\" or \"_\"" },
		{ "[modem -x]\n",
		  "t.conf:1: invalid modem name \"-x\": expected 1 to 32 letters, "
		  "digits, \".\", \"-\" or \"_\"" },
		{ "[modem usb0]\ndevice = /dev/ttyUSB0\n\n[modem usb0]\ndevice = /dev/ttyUSB1\n",
		  "t.conf:4: duplicate modem name \"usb0\" (first on line 1)" },
		{ "[modem a]\nconnection = at\n",
		  "t.conf:1: section [modem a] has no \"device\" key" },
		{ "[modem a]\ndevice = /dev/ttyUSB0\n[modem b]\nport = /dev/ttyUSB0\n",
		  "t.conf:3: modems \"a\" and \"b\" use the same device \"/dev/ttyUSB0\"" },
	};

	run_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_key_errors(void **state)
{
	static const struct error_case cases[] = {
		{ "[sawt]\n[http]\nlisen = 127.0.0.1:8080\n",
		  "t.conf:3: unknown key \"lisen\" in section [http]; did you mean \"listen\"?" },
		{ "[http]\nport = 8080\n", "t.conf:2: unknown key \"port\" in section [http]" },
		{ "[modem usb0]\ndevise = /dev/ttyUSB0\n",
		  "t.conf:2: unknown key \"devise\" in section [modem usb0]; did you mean \"device\"?" },
		{ "[election]\nlanguage = ar\n",
		  "t.conf:2: unknown key \"language\" in section [election]" },
		{ "[http]\nlisten = a:1\nsecret = x\nLISTEN = b:2\n",
		  "t.conf:4: duplicate key \"listen\" in section [http] (first on line 2)" },
		{ "[database]\nurl =\nurl = postgresql:///sawt\n",
		  "t.conf:3: duplicate key \"url\" in section [database] (first on line 2)" },
		{ "[modem a]\ndevice = /dev/a\nport = /dev/b\n",
		  "t.conf:3: duplicate key \"port\" in section [modem a] "
		  "(first on line 2, as \"port\" or \"device\")" },
		{ "[modem a]\ndevice = /dev/a\nDevice = /dev/b\n",
		  "t.conf:3: duplicate key \"device\" in section [modem a] "
		  "(first on line 2, as \"device\" or \"port\")" },
		{ "[http]\ntls_cert = /etc/cert.pem\n",
		  "t.conf:2: key \"tls_cert\" is set but \"tls_key\" is not: set both or neither" },
		{ "[http]\ntls_cert =\ntls_key = /etc/key.pem\n",
		  "t.conf:3: key \"tls_key\" is set but \"tls_cert\" is not: set both or neither" },
		{ "[election]\npolls_open = 19:00\npolls_close = 07:00\n",
		  "t.conf:3: polls_close (07:00) must be later than polls_open (19:00)" },
		{ "[database]\nurl = postgresql:///sawt\nlisten = 127.0.0.1:5433\n",
		  "t.conf:3: key \"listen\" is for the embedded database, but \"url\" names another: "
		  "set one or the other" },
		{ "[database]\nanalyst_group = root\nurl = postgresql:///sawt\n",
		  "t.conf:2: key \"analyst_group\" is for the embedded database, but \"url\" names "
		  "another: set one or the other" },
	};

	run_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

#define LISTEN_EXPECT "expected host:port with a port from 0 to 65535, e.g. 127.0.0.1:8080"
#define COUNTRY_EXPECT "expected 1 to 3 digits without \"+\", e.g. 961"
#define HHMM_EXPECT "expected a time of day as HH:MM, e.g. 07:00"
#define TZ_EXPECT "expected a time zone name of the tz database such as Asia/Beirut"
#define BOOL_EXPECT "expected yes, no, true, false, on, off, 1 or 0"

static void test_value_errors(void **state)
{
	static const struct error_case cases[] = {
		{ "[sawt]\n\nlog_level = loud\n",
		  "t.conf:3: invalid value \"loud\" for key \"log_level\": "
		  "expected error, warning, info or debug" },
		{ "[http]\nlisten = 127.0.0.1:99999\n",
		  "t.conf:2: invalid value \"127.0.0.1:99999\" for key \"listen\": " LISTEN_EXPECT },
		{ "[http]\nlisten = 127.0.0.1:-1\n",
		  "t.conf:2: invalid value \"127.0.0.1:-1\" for key \"listen\": " LISTEN_EXPECT },
		{ "[http]\ntimeout = 0\n",
		  "t.conf:2: invalid value \"0\" for key \"timeout\": "
		  "expected a number of seconds from 1 to 3600" },
		{ "[http]\nmax_connections = 65537\n",
		  "t.conf:2: invalid value \"65537\" for key \"max_connections\": "
		  "expected a number of connections from 1 to 65536" },
		{ "[http]\nlisten = 8080\n",
		  "t.conf:2: invalid value \"8080\" for key \"listen\": " LISTEN_EXPECT },
		{ "[http]\nlisten = :8080\n",
		  "t.conf:2: invalid value \":8080\" for key \"listen\": " LISTEN_EXPECT },
		{ "[http]\nlisten = localhost:http\n",
		  "t.conf:2: invalid value \"localhost:http\" for key \"listen\": " LISTEN_EXPECT },
		{ "[database]\nlisten = 127.0.0.1:0\n",
		  "t.conf:2: invalid value \"127.0.0.1:0\" for key \"listen\": "
		  "expected host:port with a port from 1 to 65535, e.g. 127.0.0.1:5433" },
		{ "[database]\nlisten = 5433\n",
		  "t.conf:2: invalid value \"5433\" for key \"listen\": "
		  "expected host:port with a port from 1 to 65535, e.g. 127.0.0.1:5433" },
		{ "[database]\nanalyst_group = no-such-group-sawt\n",
		  "t.conf:2: invalid value \"no-such-group-sawt\" for key \"analyst_group\": "
		  "expected the name of an existing group, e.g. sawt-analysts" },
		{ "[election]\ncountry_code = +961\n",
		  "t.conf:2: invalid value \"+961\" for key \"country_code\": " COUNTRY_EXPECT },
		{ "[election]\ncountry_code = 9611\n",
		  "t.conf:2: invalid value \"9611\" for key \"country_code\": " COUNTRY_EXPECT },
		{ "[election]\ndefault_language = de\n",
		  "t.conf:2: invalid value \"de\" for key \"default_language\": expected ar, en or fr" },
		{ "[election]\npolls_open = 7h00\n",
		  "t.conf:2: invalid value \"7h00\" for key \"polls_open\": " HHMM_EXPECT },
		{ "[election]\npolls_open = 24:00\n",
		  "t.conf:2: invalid value \"24:00\" for key \"polls_open\": " HHMM_EXPECT },
		{ "[election]\npolls_close = 19:60\n",
		  "t.conf:2: invalid value \"19:60\" for key \"polls_close\": "
		  "expected a time of day as HH:MM, e.g. 19:00" },
		{ "[election]\nresults_deadline = 2025-02-29 10:00\n",
		  "t.conf:2: invalid value \"2025-02-29 10:00\" for key \"results_deadline\": "
		  "expected a date and time as YYYY-MM-DD HH:MM, e.g. 2025-05-04 23:00" },
		{ "[election]\nresults_deadline = 2025-05-04\n",
		  "t.conf:2: invalid value \"2025-05-04\" for key \"results_deadline\": "
		  "expected a date and time as YYYY-MM-DD HH:MM, e.g. 2025-05-04 23:00" },
		{ "[election]\ntimezone = ../../etc/passwd\n",
		  "t.conf:2: invalid value \"../../etc/passwd\" for key \"timezone\": " TZ_EXPECT },
		{ "[election]\nunknown_sender_reply = sometimes\n",
		  "t.conf:2: invalid value \"sometimes\" for key \"unknown_sender_reply\": "
		  "expected first, always or never" },
		{ "[election]\ntimezone = Asia/Damscus\n",
		  "t.conf:2: invalid value \"Asia/Damscus\" for key \"timezone\": " TZ_EXPECT },
		{ "[election]\ntimezone = Asia\n",
		  "t.conf:2: invalid value \"Asia\" for key \"timezone\": " TZ_EXPECT },
		{ "[modem a]\ndevice = /a\nsend = maybe\n",
		  "t.conf:3: invalid value \"maybe\" for key \"send\": " BOOL_EXPECT },
		{ "[modem a]\ndevice = /a\nbalance_interval = 59\n",
		  "t.conf:3: invalid value \"59\" for key \"balance_interval\": "
		  "expected a number of seconds from 60 to 604800" },
		{ "[modem a]\ndevice = /a\nbalance_interval = 1h\n",
		  "t.conf:3: invalid value \"1h\" for key \"balance_interval\": "
		  "expected a number of seconds from 60 to 604800" },
		{ "[modem a]\ndevice = /a\nbalance_ussd = 100\n",
		  "t.conf:3: invalid value \"100\" for key \"balance_ussd\": "
		  "expected a USSD code such as *100#" },
		{ "[modem a]\ndevice = /a\nnumber = +961 71 123456\n",
		  "t.conf:3: invalid value \"+961 71 123456\" for key \"number\": "
		  "expected a phone number of 3 to 15 digits with an optional \"+\", "
		  "e.g. +96171123456" },
	};

	run_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

#define KANNEL_URL_EXPECT \
	"expected the http:// URL of Kannel's sendsms without user, query or fragment, e.g. " \
	"http://127.0.0.1:13013/cgi-bin/sendsms"
#define KANNEL_BASE "[kannel]\nurl = http://127.0.0.1:13013/cgi-bin/sendsms\n"
#define KANNEL_ACCOUNT "username = sawt\npassword = p w\n"

static void test_kannel(void **state)
{
	struct config *cfg;
	static const struct error_case cases[] = {
		{ "[kannel]\nusername = sawt\npassword = x\n",
		  "t.conf:1: section [kannel] has no \"url\" key" },
		{ KANNEL_BASE "password = x\n",
		  "t.conf:1: section [kannel] has no \"username\" key" },
		{ "[sawt]\n" KANNEL_BASE "username = sawt\n",
		  "t.conf:2: section [kannel] has no \"password\" key" },
		{ "[kannel]\noutbound = both\ndlr_url = http://127.0.0.1:8080/sms/dlr\n",
		  "t.conf:1: section [kannel] has no \"url\" key" },
		{ "[kannel]\nurl = https://kannel:13013/cgi-bin/sendsms\n",
		  "t.conf:2: invalid value \"https://kannel:13013/cgi-bin/sendsms\" for key \"url\": " KANNEL_URL_EXPECT },
		{ "[kannel]\nurl = http://u:p@kannel:13013/cgi-bin/sendsms\n",
		  "t.conf:2: invalid value \"http://u:p@kannel:13013/cgi-bin/sendsms\" for key \"url\": " KANNEL_URL_EXPECT },
		{ "[kannel]\nurl = http://kannel:13013/cgi-bin/sendsms?x=1\n",
		  "t.conf:2: invalid value \"http://kannel:13013/cgi-bin/sendsms?x=1\" for key \"url\": " KANNEL_URL_EXPECT },
		{ "[kannel]\nurl = http://kannel:0/cgi-bin/sendsms\n",
		  "t.conf:2: invalid value \"http://kannel:0/cgi-bin/sendsms\" for key \"url\": " KANNEL_URL_EXPECT },
		{ "[kannel]\nurl = http://:13013/\n",
		  "t.conf:2: invalid value \"http://:13013/\" for key \"url\": " KANNEL_URL_EXPECT },
		{ KANNEL_BASE "username = my user\n",
		  "t.conf:3: invalid value \"my user\" for key \"username\": "
		  "expected 1 to 64 printable ASCII characters without spaces" },
		{ KANNEL_BASE "smsc = op 1\n",
		  "t.conf:3: invalid value \"op 1\" for key \"smsc\": "
		  "expected an smsc-id of 1 to 64 letters, digits, \".\", \"-\" or \"_\"" },
		{ KANNEL_BASE "sender = صوت\n",
		  "t.conf:3: invalid value \"صوت\" for key \"sender\": "
		  "expected a short code, number or name of 1 to 20 printable ASCII characters" },
		{ KANNEL_BASE "dlr_mask = 64\n",
		  "t.conf:3: invalid value \"64\" for key \"dlr_mask\": "
		  "expected a sum of Kannel's report types 1, 2, 4, 8, 16 and 32, from 1 to 63" },
		{ KANNEL_BASE "outbound = modems\n",
		  "t.conf:3: invalid value \"modems\" for key \"outbound\": expected kannel or both" },
		{ KANNEL_BASE "timeout = 101\n",
		  "t.conf:3: invalid value \"101\" for key \"timeout\": "
		  "expected a number of seconds from 1 to 100" },
		{ KANNEL_BASE "dlr_url = http://sawt:x@127.0.0.1:8080/sms/dlr\n",
		  "t.conf:3: invalid value \"http://sawt:x@127.0.0.1:8080/sms/dlr\" for key "
		  "\"dlr_url\": expected the http:// or https:// URL of sawt's /sms/dlr as Kannel "
		  "reaches it, without user, query, fragment or \"%\", e.g. "
		  "http://127.0.0.1:8080/sms/dlr" },
		{ KANNEL_BASE KANNEL_ACCOUNT "dlr_url = http://127.0.0.1:8080/sms/dlr\n",
		  "t.conf:5: key \"dlr_url\" needs [http] listen: sawt takes delivery reports on "
		  "its HTTP server" },
		{ "[http]\nlisten = 127.0.0.1:8080\nsecret = s3cr=t#1\n" KANNEL_BASE KANNEL_ACCOUNT
		  "dlr_url = http://127.0.0.1:8080/sms/dlr\n",
		  "t.conf:8: key \"dlr_url\" needs an [http] secret of 1 to 128 letters, digits, "
		  "\"-\", \".\", \"_\" or \"~\": Kannel carries it in a URL as it is" },
		{ "[http]\nlisten = 127.0.0.1:8080\n" KANNEL_BASE KANNEL_ACCOUNT
		  "dlr_url = http://127.0.0.1:8080/sms/dlr\n",
		  "t.conf:7: key \"dlr_url\" needs an [http] secret of 1 to 128 letters, digits, "
		  "\"-\", \".\", \"_\" or \"~\": Kannel carries it in a URL as it is" },
	};

	(void)state;
	run_cases(cases, sizeof(cases) / sizeof(cases[0]));

	/* no section, an empty one, or one with only defaults: no Kannel */
	cfg = expect_ok("[kannel]\nurl =\ndlr_mask = 27\noutbound = kannel\ntimeout = 20\n");
	assert_null(cfg->kannel_url);
	assert_int_equal(cfg->kannel_dlr_mask, 27);
	assert_int_equal(cfg->kannel_outbound, CONFIG_OUTBOUND_KANNEL);
	assert_int_equal(cfg->kannel_timeout, CONFIG_KANNEL_TIMEOUT_DEFAULT);
	config_free(cfg);

	cfg = expect_ok(
		"[http]\nlisten = 127.0.0.1:8080\nsecret = Zq-8._~x\n"
		"[kannel]\nurl = http://[::1]:13013/cgi-bin/sendsms\nusername = sawt\n"
		"password = p&ss w\nsmsc = op1\nsender = Sawt 1234\n"
		"dlr_url = https://sawt.example.org/sms/dlr\ndlr_mask = 31\n"
		"outbound = both\ntimeout = 5\n");
	assert_string_equal(cfg->kannel_url, "http://[::1]:13013/cgi-bin/sendsms");
	assert_string_equal(cfg->kannel_username, "sawt");
	assert_string_equal(cfg->kannel_password, "p&ss w");
	assert_string_equal(cfg->kannel_smsc, "op1");
	assert_string_equal(cfg->kannel_sender, "Sawt 1234");
	assert_string_equal(cfg->kannel_dlr_url, "https://sawt.example.org/sms/dlr");
	assert_int_equal(cfg->kannel_dlr_mask, 31);
	assert_int_equal(cfg->kannel_outbound, CONFIG_OUTBOUND_BOTH);
	assert_int_equal(cfg->kannel_timeout, 5);
	config_free(cfg);

	cfg = expect_ok(KANNEL_BASE KANNEL_ACCOUNT);
	assert_string_equal(cfg->kannel_url, "http://127.0.0.1:13013/cgi-bin/sendsms");
	assert_null(cfg->kannel_dlr_url);
	assert_null(cfg->kannel_smsc);
	assert_null(cfg->kannel_sender);
	config_free(cfg);
}

/* [ussd]: the USSD menu's sessions and options. */
static void test_ussd(void **state)
{
	struct config *cfg;

	(void)state;
	cfg = expect_ok("[election]\ncountry_code = 961\n");
	assert_int_equal(cfg->ussd_session_timeout, CONFIG_USSD_SESSION_TIMEOUT_DEFAULT);
	assert_int_equal(cfg->ussd_max_sessions, CONFIG_USSD_MAX_SESSIONS_DEFAULT);
	assert_false(cfg->ussd_ask_men);
	assert_false(cfg->ussd_sms_reply);
	assert_null(cfg->ussd_contact);
	config_free(cfg);
	cfg = expect_ok(
		"[ussd]\nsession_timeout = 120\nmax_sessions = 500\nask_men = yes\n"
		"sms_reply = on\ncontact = +961 1 234 567\n");
	assert_int_equal(cfg->ussd_session_timeout, 120);
	assert_int_equal(cfg->ussd_max_sessions, 500);
	assert_true(cfg->ussd_ask_men);
	assert_true(cfg->ussd_sms_reply);
	assert_string_equal(cfg->ussd_contact, "+961 1 234 567");
	config_free(cfg);
	expect_error("[ussd]\nsession_timeout = 0\n",
		     "t.conf:2: invalid value \"0\" for key \"session_timeout\": expected a number "
		     "of seconds from 1 to 3600");
	expect_error("[ussd]\ncontact = call the office on +961 1 234 567\n",
		     "t.conf:2: invalid value \"call the office on +961 1 234 567\" for key "
		     "\"contact\": expected a phone number or name of at most 24 printable ASCII "
		     "characters, e.g. +961 1 234 567");
}

/* [sawt] spool_warn_free: a size or a share of the spool's filesystem. */
static void test_spool_warn_free(void **state)
{
	static const struct {
		const char *value;
		uint64_t bytes;
		unsigned pct;
	} ok[] = {
		{ "5%", 0, 5 },
		{ "100%", 0, 100 },
		{ "0%", 0, 0 },
		{ "0", 0, 0 },
		{ "4096", 4096, 0 },
		{ "200MB", 200ULL << 20, 0 },
		{ "200 mb", 200ULL << 20, 0 },
		{ "64k", 64ULL << 10, 0 },
		{ "1GB", 1ULL << 30, 0 },
		{ "2 TB", 2ULL << 40, 0 },
	};
	static const char *const bad[] = {
		"101%", "-1", "ten", "5 %", "12XB", "MB", "99999999999999999999", "16777216TB"
	};
	char text[128], msg[256];
	struct config *cfg;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(text, sizeof(text), "[sawt]\nspool_warn_free = %s\n", ok[i].value);
		cfg = expect_ok(text);
		assert_int_equal(cfg->spool_warn_free.bytes, ok[i].bytes);
		assert_int_equal(cfg->spool_warn_free.pct, ok[i].pct);
		config_free(cfg);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "[sawt]\nspool_warn_free = %s\n", bad[i]);
		snprintf(msg, sizeof(msg),
			 "t.conf:2: invalid value \"%s\" for key \"spool_warn_free\": expected a "
			 "size such as 200MB (units kB, MB, GB, TB) or a share such as 10%%; 0 "
			 "never warns",
			 bad[i]);
		expect_error(text, msg);
	}
}

/* [sawt] user and node_name: names checked by their shape only (whether
 * the user exists is sawtd's start-up check, so --check passes anywhere). */
static void test_user_node_name(void **state)
{
	static const char *const bad_users[] = { "Sawt", "-sawt", "sa wt", "sawt.x",
						 "abcdefghijklmnopqrstuvwxyz0123456" };
	static const char *const bad_nodes[] = {
		"poll ing", "poll/1", "node\"x",
		"abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz01"
	};
	char text[256], msg[512];
	struct config *cfg;

	(void)state;
	cfg = expect_ok("");
	assert_null(cfg->run_user);
	assert_null(cfg->node_name);
	config_free(cfg);
	cfg = expect_ok("[sawt]\nuser = nosuchuser_here-1\nnode_name = Polling-1.north_2\n");
	assert_string_equal(cfg->run_user, "nosuchuser_here-1");
	assert_string_equal(cfg->node_name, "Polling-1.north_2");
	config_free(cfg);
	for (size_t i = 0; i < sizeof(bad_users) / sizeof(bad_users[0]); i++) {
		snprintf(text, sizeof(text), "[sawt]\nuser = %s\n", bad_users[i]);
		snprintf(
			msg, sizeof(msg),
			"t.conf:2: invalid value \"%s\" for key \"user\": expected a user name of "
			"1 to 32 lowercase letters, digits, \"_\" or \"-\", not starting with \"-\"",
			bad_users[i]);
		expect_error(text, msg);
	}
	for (size_t i = 0; i < sizeof(bad_nodes) / sizeof(bad_nodes[0]); i++) {
		snprintf(text, sizeof(text), "[sawt]\nnode_name = %s\n", bad_nodes[i]);
		cfg = config_parse("t.conf", text, strlen(text), msg, sizeof(msg));
		assert_null(cfg);
		assert_non_null(strstr(msg, "for key \"node_name\": expected 1 to 63 letters"));
	}
}

/* Under systemd's StateDirectory= the state directory is $STATE_DIRECTORY. */
static void test_state_directory_env(void **state)
{
	struct config *cfg;

	(void)state;
	setenv("STATE_DIRECTORY", "/var/lib/sawt-unit:/var/lib/other", 1);
	cfg = config_new();
	assert_non_null(cfg);
	assert_string_equal(cfg->state_dir, "/var/lib/sawt-unit");
	config_free(cfg);
	cfg = expect_ok("[sawt]\nstate_dir = /srv/sawt\n");
	assert_string_equal(cfg->state_dir, "/srv/sawt");
	config_free(cfg);
	unsetenv("STATE_DIRECTORY");
}

static void test_long_value_shortened(void **state)
{
	char text[256], msg[512], a63[64];

	/* a long bad value is cut at a character boundary in the message */
	memset(a63, 'a', 63);
	a63[63] = '\0';
	snprintf(text, sizeof(text), "[sawt]\nlog_level = %s\xD8\xB5\xD9\x88\xD8\xAA\n", a63);
	snprintf(msg, sizeof(msg),
		 "t.conf:2: invalid value \"%s...\" for key "
		 "\"log_level\": expected error, warning, info or debug",
		 a63);
	expect_error(text, msg);
}

static void test_error_buffer(void **state)
{
	char small[12];
	struct config *cfg;

	cfg = config_parse("t.conf", "[x]\n", 4, NULL, 0);
	assert_null(cfg);
	cfg = config_parse("t.conf", "[x]\n", 4, small, sizeof(small));
	assert_null(cfg);
	assert_string_equal(small, "t.conf:1: u");
}

static char *temp_dir(void)
{
	char tmpl[] = "/tmp/sawt-test-config-XXXXXX";
	char *dir = mkdtemp(tmpl);

	assert_non_null(dir);
	return strdup(dir);
}

static void write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void test_load(void **state)
{
	char *dir = temp_dir();
	char path[512], msg[600];
	struct config *cfg;
	char *big;

	snprintf(path, sizeof(path), "%s/missing.conf", dir);
	assert_null(config_load(path, err, sizeof(err)));
	snprintf(msg, sizeof(msg), "could not open file \"%s\": No such file or directory", path);
	assert_string_equal(err, msg);

	snprintf(path, sizeof(path), "%s/sawt.conf", dir);
	write_file(path, full_conf, strlen(full_conf));
	cfg = config_load(path, err, sizeof(err));
	assert_non_null(cfg);
	assert_string_equal(cfg->path, path);
	assert_int_equal(cfg->n_modems, 2);
	config_free(cfg);

	write_file(path, "[http]\nlisen = x\n", 17);
	assert_null(config_load(path, err, sizeof(err)));
	snprintf(msg, sizeof(msg),
		 "%s:2: unknown key \"lisen\" in section [http]; did you mean \"listen\"?", path);
	assert_string_equal(err, msg);

	/* a comment just over 1 MiB */
	big = malloc(1024 * 1024 + 1);
	assert_non_null(big);
	memset(big, 'x', 1024 * 1024 + 1);
	big[0] = '#';
	write_file(path, big, 1024 * 1024 + 1);
	assert_null(config_load(path, err, sizeof(err)));
	snprintf(msg, sizeof(msg), "file \"%s\" is too large (maximum 1 MiB)", path);
	assert_string_equal(err, msg);
	assert_null(config_parse("big", big, 1024 * 1024 + 1, err, sizeof(err)));
	assert_string_equal(err, "big: file is too large (maximum 1 MiB)");
	free(big);

	assert_null(config_load(dir, err, sizeof(err)));
	snprintf(msg, sizeof(msg), "could not read file \"%s\": Is a directory", dir);
	assert_string_equal(err, msg);

	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
	free(dir);
}

static void test_example_file(void **state)
{
	struct config *cfg = config_load(SAWT_SOURCE_DIR "/config/sawt.conf", err, sizeof(err));

	if (cfg == NULL)
		print_error("%s\n", err);
	assert_non_null(cfg);
	check_defaults(cfg);
	config_free(cfg);
}

struct ini_record {
	char log[512];
};

static bool record(const struct ini_event *ev, void *ctx)
{
	struct ini_record *r = ctx;
	size_t n = strlen(r->log);

	if (ev->type == INI_EVENT_SECTION)
		snprintf(r->log + n, sizeof(r->log) - n, "%u[%.*s|%.*s]", ev->line,
			 (int)ev->section.len, ev->section.p, (int)ev->arg.len, ev->arg.p);
	else
		snprintf(r->log + n, sizeof(r->log) - n, "%u<%.*s|%.*s>", ev->line,
			 (int)ev->key.len, ev->key.p, (int)ev->value.len, ev->value.p);
	/* a key named "stop" asks the tokenizer to stop */
	return !(ev->type == INI_EVENT_KEY && ev->key.len == 4 &&
		 memcmp(ev->key.p, "stop", 4) == 0);
}

static void test_ini_tokens(void **state)
{
	static const char text[] =
		"\xEF\xBB\xBF; c\n[a]\nk = v=w\n\n[ m  x y ]\r\nempty=\n#z\n k2 =  #v2\t";
	struct ini_record r = { "" };
	struct ini_error e;

	assert_int_equal(ini_parse(text, sizeof(text) - 1, record, &r, &e), INI_OK);
	assert_int_equal(e.status, INI_OK);
	assert_string_equal(r.log, "2[a|]3<k|v=w>5[m|x y]6<empty|>8<k2|#v2>");

	r.log[0] = '\0';
	assert_int_equal(ini_parse("[a]\nk=1\nstop=2\nz=3\n", 19, record, &r, &e), INI_STOPPED);
	assert_int_equal(e.line, 3);
	assert_string_equal(r.log, "1[a|]2<k|1>3<stop|2>");

	r.log[0] = '\0';
	assert_int_equal(ini_parse("[a]\nk=1\n[b\n", 11, record, &r, &e), INI_ERR_NO_BRACKET);
	assert_int_equal(e.line, 3);
	assert_int_equal(e.text.len, 2);
	assert_memory_equal(e.text.p, "[b", 2);
	assert_string_equal(r.log, "1[a|]2<k|1>");

	assert_int_equal(ini_parse("", 0, record, &r, NULL), INI_OK);
	assert_string_equal(ini_status_name(INI_ERR_NO_SECTION),
			    "key before the first section header");
	assert_string_equal(ini_status_name((enum ini_status)99), "unknown error");
}

/* [alerts]: defaults, every key, and what is refused. */
static void test_alerts(void **state)
{
	struct config *cfg;
	static const struct error_case bad[] = {
		{ "[alerts]\nturnout_high_pct = 101\n",
		  "t.conf:2: invalid value \"101\" for key \"turnout_high_pct\": expected a whole percentage from 0 to 100 (0: off)" },
		{ "[alerts]\ntick_seconds = 0\n",
		  "t.conf:2: invalid value \"0\" for key \"tick_seconds\": expected a number of seconds from 1 to 600" },
		{ "[alerts]\ndedup_minutes = -1\n",
		  "t.conf:2: invalid value \"-1\" for key \"dedup_minutes\": expected a number of minutes from 0 to 1440 (0: off)" },
		{ "[alerts]\nnational_severity = urgent\n",
		  "t.conf:2: invalid value \"urgent\" for key \"national_severity\": expected info, serious or critical" },
		{ "[alerts]\nturnout_checkpoints = 11:00 10:00\n",
		  "t.conf:2: invalid value \"11:00 10:00\" for key \"turnout_checkpoints\": expected times of day as HH:MM separated by spaces or commas, at most 8, e.g. 11:00 15:00" },
		{ "[alerts]\nturnout_checkpoints = 11h\n",
		  "t.conf:2: invalid value \"11h\" for key \"turnout_checkpoints\": expected times of day as HH:MM separated by spaces or commas, at most 8, e.g. 11:00 15:00" },
		{ "[election]\npolls_open = 07:00\npolls_close = 19:00\n[alerts]\nturnout_checkpoints = 06:00\n",
		  "t.conf:5: turnout checkpoint 06:00 is not between polls_open and polls_close" },
		{ "[alerts]\nturnout_hight_pct = 90\n",
		  "t.conf:2: unknown key \"turnout_hight_pct\" in section [alerts]; did you mean \"turnout_high_pct\"?" },
		{ "[alert]\n", "t.conf:1: unknown section [alert]; did you mean [alerts]?" },
	};

	(void)state;
	cfg = expect_ok("[alerts]\n");
	assert_int_equal(cfg->alerts.tick_s, 10);
	assert_int_equal(cfg->alerts.dedup_min, 30);
	assert_int_equal(cfg->alerts.rate_max, 5);
	assert_int_equal(cfg->alerts.rate_min, 15);
	assert_int_equal(cfg->alerts.escalate_min, 15);
	assert_int_equal(cfg->alerts.national_severity, 1);
	assert_int_equal(cfg->alerts.turnout_high_pct, 90);
	assert_int_equal(cfg->alerts.women_low_pct, 15);
	assert_int_equal(cfg->alerts.women_min_voters, 50);
	assert_int_equal(cfg->alerts.n_checkpoints, 0);
	config_free(cfg);
	cfg = expect_ok(
		"[election]\npolls_open = 07:00\npolls_close = 19:00\n"
		"[alerts]\ntick_seconds = 1\ndedup_minutes = 0\nrate_max = 2\n"
		"rate_minutes = 60\nescalate_minutes = 5\nnational_severity = critical\n"
		"incident_batch_minutes = 0\nturnout_high_pct = 95\nturnout_jump_pct = 0\n"
		"women_low_pct = 20\nwomen_high_pct = 80\nwomen_min_voters = 100\n"
		"missing_open_minutes = 45\nturnout_checkpoints = 11:00, 15:00 18:30\n"
		"checkpoint_grace_minutes = 10\nmissing_results_minutes = 90\n"
		"modem_down_minutes = 3\nbalance_min = 5\nspool_minutes = 2\n"
		"outbox_backlog = 100\noutbox_wait_minutes = 4\nlist_max = 8\n");
	assert_int_equal(cfg->alerts.tick_s, 1);
	assert_int_equal(cfg->alerts.dedup_min, 0);
	assert_int_equal(cfg->alerts.rate_max, 2);
	assert_int_equal(cfg->alerts.rate_min, 60);
	assert_int_equal(cfg->alerts.escalate_min, 5);
	assert_int_equal(cfg->alerts.national_severity, 2);
	assert_int_equal(cfg->alerts.incident_batch_min, 0);
	assert_int_equal(cfg->alerts.turnout_high_pct, 95);
	assert_int_equal(cfg->alerts.turnout_jump_pct, 0);
	assert_int_equal(cfg->alerts.women_low_pct, 20);
	assert_int_equal(cfg->alerts.women_high_pct, 80);
	assert_int_equal(cfg->alerts.women_min_voters, 100);
	assert_int_equal(cfg->alerts.missing_open_min, 45);
	assert_int_equal(cfg->alerts.n_checkpoints, 3);
	assert_int_equal(cfg->alerts.checkpoints[0], 11 * 60);
	assert_int_equal(cfg->alerts.checkpoints[1], 15 * 60);
	assert_int_equal(cfg->alerts.checkpoints[2], 18 * 60 + 30);
	assert_int_equal(cfg->alerts.checkpoint_grace_min, 10);
	assert_int_equal(cfg->alerts.missing_results_min, 90);
	assert_int_equal(cfg->alerts.modem_down_min, 3);
	assert_int_equal(cfg->alerts.balance_min, 5);
	assert_int_equal(cfg->alerts.spool_min, 2);
	assert_int_equal(cfg->alerts.outbox_backlog, 100);
	assert_int_equal(cfg->alerts.outbox_wait_min, 4);
	assert_int_equal(cfg->alerts.list_max, 8);
	config_free(cfg);
	run_cases(bad, sizeof(bad) / sizeof(bad[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_modem_defaults),
		cmocka_unit_test(test_empty_url),
		cmocka_unit_test(test_crlf_bom),
		cmocka_unit_test(test_syntax_forms),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_section_errors),
		cmocka_unit_test(test_key_errors),
		cmocka_unit_test(test_value_errors),
		cmocka_unit_test(test_kannel),
		cmocka_unit_test(test_long_value_shortened),
		cmocka_unit_test(test_spool_warn_free),
		cmocka_unit_test(test_user_node_name),
		cmocka_unit_test(test_state_directory_env),
		cmocka_unit_test(test_error_buffer),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_example_file),
		cmocka_unit_test(test_ini_tokens),
		cmocka_unit_test(test_alerts),
		cmocka_unit_test(test_ussd),
	};

	/* a tz database of the test's own: Asia/Beirut, Asia/Damascus,
	 * Etc/GMT-2 and UTC (tests/data/zoneinfo) */
	setenv("TZDIR", SAWT_TEST_DATA "/zoneinfo", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
