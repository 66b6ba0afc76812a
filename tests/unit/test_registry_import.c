/*
 * test_registry_import.c - validating registry CSV files (no database).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pin.h"
#include "registry_import.h"

#define STATIONS_HEADER "code,name,region,district,centre,registered,registered_women,contests\n"
#define PEOPLE_HEADER "phone,name,role,language,stations,areas,pin\n"
#define CONTESTS_HEADER "contest,contest_name,position,candidate\n"
#define CODES_HEADER "code,severity,name_en,name_ar,name_fr\n"

static char joined[8192];

/* Validate text as kind with country code 961 and a secret; fast PIN hashes. */
static struct registry_import *run(enum registry_kind kind, const char *text)
{
	struct registry_options opt = {
		.country_code = "961",
		.pseudonym_secret = "test-secret",
		.pin_iterations = 10,
	};
	struct registry_import *imp = registry_import_new(kind, &opt);

	assert_non_null(imp);
	assert_true(registry_import_csv(imp, text, strlen(text)));
	return imp;
}

/* Every error of imp, one a line. */
static const char *errors(const struct registry_import *imp)
{
	size_t n = 0;

	joined[0] = '\0';
	for (size_t i = 0; i < registry_import_n_errors(imp); i++)
		n += (size_t)snprintf(joined + n, sizeof(joined) - n, "%s\n",
				      registry_import_error(imp, i));
	return joined;
}

/* Validate text, which must give exactly the errors want. */
static void expect_errors(enum registry_kind kind, const char *text, const char *want)
{
	struct registry_import *imp = run(kind, text);

	assert_string_equal(errors(imp), want);
	registry_import_free(imp);
}

static void test_stations_good(void **state)
{
	struct registry_import *imp;
	const struct registry_station *st;
	size_t n;

	(void)state;
	imp = run(REGISTRY_STATIONS,
		  "\xEF\xBB\xBF" STATIONS_HEADER
		  "1021,مدرسة الرمل الرسمية,بيروت,الأشرفية,مركز ١,800,420,MUN|MUK\r\n"
		  "\r\n"
		  "١٠٢٢ , \"Ecole \"\"Saint-Joseph\"\", salle 2\" ,Mont-Liban,Baabda,,٩٠٠,٤٥٠,\n"
		  "1023,Town hall,North,,,0,0,MUN\n");
	assert_string_equal(errors(imp), "");
	st = registry_import_stations(imp, &n);
	assert_int_equal(n, 3);
	assert_int_equal(st[0].line, 2);
	assert_string_equal(st[0].code, "1021");
	assert_string_equal(st[0].name, "مدرسة الرمل الرسمية");
	assert_string_equal(st[0].region, "بيروت");
	assert_string_equal(st[0].district, "الأشرفية");
	assert_string_equal(st[0].centre, "مركز ١");
	assert_int_equal(st[0].registered, 800);
	assert_int_equal(st[0].registered_women, 420);
	assert_int_equal(st[0].contests.n, 2);
	assert_string_equal(st[0].contests.items[0], "MUN");
	assert_string_equal(st[0].contests.items[1], "MUK");

	assert_int_equal(st[1].line, 4);
	assert_string_equal(st[1].code, "1022");
	assert_string_equal(st[1].name, "Ecole \"Saint-Joseph\", salle 2");
	assert_null(st[1].centre);
	assert_int_equal(st[1].registered, 900);
	assert_int_equal(st[1].registered_women, 450);
	assert_int_equal(st[1].contests.n, 0);

	assert_null(st[2].district);
	assert_int_equal(st[2].registered, 0);

	/* rows of another kind are not there */
	assert_null(registry_import_people(imp, &n));
	assert_int_equal(n, 0);
	registry_import_free(imp);
}

static void test_header_forms(void **state)
{
	struct registry_import *imp;
	const struct registry_station *st;
	size_t n;

	(void)state;
	/* any order and case, extra columns ignored, optional ones left out */
	imp = run(REGISTRY_STATIONS,
		  "\n Registered_Women ,REGISTERED,notes,District,Region,Name,Code\n"
		  "10,20,whatever,D,R,N,7\n");
	assert_string_equal(errors(imp), "");
	st = registry_import_stations(imp, &n);
	assert_int_equal(n, 1);
	assert_int_equal(st[0].line, 3);
	assert_string_equal(st[0].code, "7");
	assert_int_equal(st[0].registered, 20);
	assert_int_equal(st[0].registered_women, 10);
	registry_import_free(imp);

	/* a spreadsheet's semicolons */
	imp = run(REGISTRY_STATIONS,
		  "code;name;region;district;registered;registered_women\n"
		  "1;\"A; B\";R;D;5;2\n");
	assert_string_equal(errors(imp), "");
	st = registry_import_stations(imp, &n);
	assert_int_equal(n, 1);
	assert_string_equal(st[0].name, "A; B");
	registry_import_free(imp);
}

static void test_header_errors(void **state)
{
	(void)state;
	expect_errors(REGISTRY_STATIONS, "code,name,region,registered\n1,a,b,3\n",
		      "line 1: missing column \"district\"\n"
		      "line 1: missing column \"registered_women\"\n");
	expect_errors(REGISTRY_STATIONS,
		      "code,name,region,district,registered,registered_women,Code\n",
		      "line 1: column \"code\" appears twice in the header\n");
	expect_errors(REGISTRY_STATIONS, "", "the file is empty\n");
	expect_errors(REGISTRY_STATIONS, "\n\n", "the file is empty\n");
	expect_errors(REGISTRY_STATIONS, STATIONS_HEADER, "the file has a header but no rows\n");
	expect_errors(REGISTRY_INCIDENT_CODES, "code,severity\n1,info\n",
		      "line 1: missing column \"name_en\", \"name_ar\" or \"name_fr\"\n");
	expect_errors(REGISTRY_STATIONS,
		      "\xFF\xFE"
		      "c\0",
		      "line 1: file is UTF-16: save it as \"CSV UTF-8\"\n");
}

static void test_station_errors(void **state)
{
	(void)state;
	expect_errors(
		REGISTRY_STATIONS,
		STATIONS_HEADER
		"1,A,R,D,,800,420,\n"
		"2,B,R,D,,800,900,\n"
		"3,C,R,D,,abc,-1,\n"
		"4,D,R,D\n"
		",,,D,,1,1,\n"
		"A12,E,R,D,,1,1,\n"
		"1,F,R,D,,1,1,\n"
		"8,G,R,D,,1,1,MUN|mun|MUN\n"
		"9,H,R,D,,1,1,bad code\n"
		"10,I,R,D,,1,1,,extra\n"
		"11,J,R,D,,1,1,,,\n"
		"12345678901,K,R,D,,1,1,\n"
		"13,\"two\nlines\",R,D,,1,1,\n"
		"14,L,R,D,,1000000000,1,\n",
		"line 3: registered_women 900 exceeds registered 800\n"
		"line 4: registered \"abc\" is not a whole number from 0 to 999999999\n"
		"line 4: registered_women \"-1\" is not a whole number from 0 to 999999999\n"
		"line 5: only 4 fields, missing column \"registered\"\n"
		"line 6: column \"code\" is empty\n"
		"line 6: column \"name\" is empty\n"
		"line 6: column \"region\" is empty\n"
		"line 7: station code \"A12\" is not a number of 1 to 10 digits\n"
		"line 8: duplicate station code \"1\" (first on line 2)\n"
		"line 9: \"MUN\" is listed twice in column \"contests\"\n"
		"line 10: contest code \"bad code\" in column \"contests\" must be a letter (Latin or Arabic) followed by letters or digits, at most 16 bytes, and not a label such as V\n"
		"line 11: 9 fields, but the header has 8\n"
		"line 13: station code \"12345678901\" is not a number of 1 to 10 digits\n"
		"line 14: column \"name\" contains a line break or control character\n"
		"line 16: registered \"1000000000\" is not a whole number from 0 to 999999999\n");
}

static void test_duplicates_sorted(void **state)
{
	(void)state;
	/* errors come out in line order whatever check found them */
	expect_errors(REGISTRY_STATIONS,
		      STATIONS_HEADER
		      "1,A,R,D,,1,1,\n"
		      "1,B,R,D,,1,1,\n"
		      "2,C,R,D,,1,2,\n"
		      "1,E,R,D,,1,1,\n",
		      "line 3: duplicate station code \"1\" (first on line 2)\n"
		      "line 4: registered_women 2 exceeds registered 1\n"
		      "line 5: duplicate station code \"1\" (first on line 2)\n");
}

/* Bad rows alone leave the good ones to check against the database;
 * errors of the file as a whole or between rows do not. */
static void test_rows_checkable(void **state)
{
	static const struct {
		const char *text;
		bool checkable;
	} cases[] = {
		{ STATIONS_HEADER "1,A,R,D,,1,1,\n", true },
		{ STATIONS_HEADER "1,A,R,D,,1,2,\n2,B,R,D,,1,1,\n", true },    /* a bad row */
		{ STATIONS_HEADER "1,A,R,D,,1,2,\n", false },                  /* no good row */
		{ STATIONS_HEADER "1,A,R,D,,1,1,\n1,B,R,D,,1,1,\n", false },   /* duplicate */
		{ "code,name,region,registered\n1,a,b,3\n", false },           /* header */
		{ STATIONS_HEADER "1,\"A,R,D,,1,1,\n2,B,R,D,,1,1,\n", false }, /* CSV */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct registry_import *imp = run(REGISTRY_STATIONS, cases[i].text);

		if (registry_import_rows_checkable(imp) != cases[i].checkable)
			fail_msg("case %zu: checkable is %d, errors:\n%s", i, !cases[i].checkable,
				 errors(imp));
		registry_import_free(imp);
	}
}

static void test_text_errors(void **state)
{
	char text[1024];

	(void)state;
	expect_errors(
		REGISTRY_STATIONS, STATIONS_HEADER "1,caf\xE9,R,D,,1,1,\n",
		"line 2: column \"name\" is not valid UTF-8 (save the file as \"CSV UTF-8\")\n");
	expect_errors(
		REGISTRY_STATIONS, STATIONS_HEADER "1,\xED\xA0\x80,R,D,,1,1,\n", /* a surrogate */
		"line 2: column \"name\" is not valid UTF-8 (save the file as \"CSV UTF-8\")\n");
	expect_errors(
		REGISTRY_STATIONS, STATIONS_HEADER "1,\xC0\xAF,R,D,,1,1,\n", /* overlong */
		"line 2: column \"name\" is not valid UTF-8 (save the file as \"CSV UTF-8\")\n");
	expect_errors(REGISTRY_STATIONS,
		      STATIONS_HEADER "1,\"a\"x,R,D,,1,1,\n2,ok,R,D,,1,1,\n3,\"open,R\n",
		      "line 2: unexpected character after closing quote in field 2\n"
		      "line 4: unterminated quoted field starting on line 4\n");

	/* 200 Arabic letters are fine, 201 are not */
	strcpy(text, STATIONS_HEADER "1,");
	for (int i = 0; i < 200; i++)
		strcat(text, "ب");
	strcat(text, ",R,D,,1,1,\n");
	expect_errors(REGISTRY_STATIONS, text, "");
	strcpy(strstr(text, ",R,D"), "ب,R,D,,1,1,\n");
	expect_errors(REGISTRY_STATIONS, text,
		      "line 2: column \"name\" is longer than 200 characters\n");
}

static void test_long_value_quoted_short(void **state)
{
	char text[512];

	(void)state;
	strcpy(text, STATIONS_HEADER "1,N,R,D,,");
	for (int i = 0; i < 30; i++)
		strcat(text, "ق");
	strcat(text, ",1,\n");
	/* the value is cut on a character boundary */
	expect_errors(
		REGISTRY_STATIONS, text,
		"line 2: registered \"قققققققققققققققققققققققق...\" is not a whole number from 0 to 999999999\n");
}

static void test_people_good(void **state)
{
	struct registry_import *imp;
	const struct registry_person *p;
	char want[PHONE_PSEUDONYM_BUF];
	size_t n;

	(void)state;
	imp = run(REGISTRY_PEOPLE, PEOPLE_HEADER
		  "03 123 456,ليلى حداد,observer,AR,1021|١٠٢٢,,1234\n"
		  "+961 71 123 456,Jean Dupont,Coordinateur,fr,,Beirut|Mount Lebanon/Baabda,\n"
		  "0096176123456,Sam,منسق,,,,\n"
		  "\"(03) 999-888\",Nour,OBSERVER,en,,North,٥٦٧٨٩٠١٢\n");
	assert_string_equal(errors(imp), "");
	p = registry_import_people(imp, &n);
	assert_int_equal(n, 4);

	assert_string_equal(p[0].phone, "+9613123456");
	assert_string_equal(p[0].name, "ليلى حداد");
	assert_int_equal(p[0].role, REGISTRY_ROLE_OBSERVER);
	assert_string_equal(p[0].language, "ar");
	assert_int_equal(p[0].stations.n, 2);
	assert_string_equal(p[0].stations.items[0], "1021");
	assert_string_equal(p[0].stations.items[1], "1022");
	assert_int_equal(p[0].areas.n, 0);
	assert_non_null(p[0].pin_hash);
	assert_null(strstr(p[0].pin_hash, "1234"));
	assert_true(pin_verify("1234", p[0].pin_hash));
	assert_false(pin_verify("1235", p[0].pin_hash));
	assert_true(phone_pseudonym("test-secret", "+9613123456", want));
	assert_string_equal(p[0].pseudonym, want);

	assert_string_equal(p[1].phone, "+96171123456");
	assert_int_equal(p[1].role, REGISTRY_ROLE_COORDINATOR);
	assert_string_equal(p[1].language, "fr");
	assert_int_equal(p[1].areas.n, 2);
	assert_string_equal(p[1].areas.items[1], "Mount Lebanon/Baabda");
	assert_null(p[1].pin_hash);

	assert_string_equal(p[2].phone, "+96176123456");
	assert_int_equal(p[2].role, REGISTRY_ROLE_COORDINATOR);
	assert_null(p[2].language);

	assert_string_equal(p[3].phone, "+9613999888");
	assert_true(pin_verify("56789012", p[3].pin_hash));
	assert_string_not_equal(p[0].pseudonym, p[3].pseudonym);
	registry_import_free(imp);
}

static void test_people_errors(void **state)
{
	(void)state;
	expect_errors(
		REGISTRY_PEOPLE,
		PEOPLE_HEADER
		"03 123 456,A,observer,ar,1,,\n"
		"03-12,B,observer,ar,1,,\n"
		"03 123 457,C,boss,ar,1,,\n"
		"03 123 458,D,observer,de,1,,\n"
		"03 123 459,E,observer,ar,1,,12\n"
		"03 123 460,F,observer,ar,1,,123456789\n"
		"03 123 461,G,observer,ar,1,,12a4\n"
		"+961 3 123 456,H,observer,ar,1,,\n"
		"03 123 462,I,observer,ar,,,\n"
		"03 123 463,J,observer,ar,1|x,,\n"
		"03 123 464,K,observer,ar,1|٠٠١|1,,\n"
		"03 123 465,L,coordinator,ar,,A|A,\n"
		"Alfa,M,observer,ar,1,,\n"
		",,,,,,\n"
		",,observer,,,,\n",
		"line 3: invalid phone \"03-12\": too short\n"
		"line 4: unknown role \"boss\": expected observer or coordinator\n"
		"line 5: unknown language \"de\": expected ar, en or fr\n"
		"line 6: pin must be 4 to 8 digits\n"
		"line 7: pin must be 4 to 8 digits\n"
		"line 8: pin must be 4 to 8 digits\n"
		"line 9: duplicate phone \"+9613123456\" (first on line 2)\n"
		"line 10: an observer needs at least one station or area\n"
		"line 11: station code \"x\" in column \"stations\" is not a number of 1 to 10 digits\n"
		"line 12: \"1\" is listed twice in column \"stations\"\n"
		"line 13: \"A\" is listed twice in column \"areas\"\n"
		"line 14: invalid phone \"Alfa\": contains letters\n"
		"line 16: column \"phone\" is empty\n"
		"line 16: column \"name\" is empty\n");
}

static void test_people_pin_not_in_errors(void **state)
{
	struct registry_import *imp;

	(void)state;
	imp = run(REGISTRY_PEOPLE, PEOPLE_HEADER "03 123 456,A,observer,ar,1,,98765432109\n");
	assert_int_equal(registry_import_n_errors(imp), 1);
	assert_null(strstr(registry_import_error(imp, 0), "98765432109"));
	registry_import_free(imp);
}

static void test_people_config(void **state)
{
	struct registry_options opt = { .country_code = NULL,
					.pseudonym_secret = "s",
					.pin_iterations = 10 };
	const char *text =
		PEOPLE_HEADER "03 123 456,A,observer,ar,1,,\n+9613123457,B,observer,,1,,\n";
	struct registry_import *imp;

	(void)state;
	/* no country code: only international forms */
	imp = registry_import_new(REGISTRY_PEOPLE, &opt);
	assert_non_null(imp);
	assert_true(registry_import_csv(imp, text, strlen(text)));
	assert_string_equal(
		errors(imp),
		"line 2: invalid phone \"03 123 456\": local number but no country code is configured\n");
	registry_import_free(imp);

	/* no secret: nothing at all */
	opt.country_code = "961";
	opt.pseudonym_secret = NULL;
	imp = registry_import_new(REGISTRY_PEOPLE, &opt);
	assert_non_null(imp);
	assert_true(registry_import_csv(imp, text, strlen(text)));
	assert_string_equal(
		errors(imp),
		"pseudonym_secret is not set in section [election] of the configuration; "
		"it is needed to import people\n");
	registry_import_free(imp);
}

static void test_contests(void **state)
{
	struct registry_import *imp;
	const struct registry_candidate *c;
	size_t n;

	(void)state;
	imp = run(REGISTRY_CONTESTS, CONTESTS_HEADER
		  "MUN,المجلس البلدي,2,سمير خوري\n"
		  "MUN,المجلس البلدي,1,ريما عون\n"
		  "MUK,Mukhtar,1,Georges\n"
		  "mun,المجلس البلدي,3,Lina\n"
		  "مختارة٢,المختار,1,سعاد\n");
	assert_string_equal(errors(imp), "");
	c = registry_import_candidates(imp, &n);
	assert_int_equal(n, 5);
	/* as the parser reads it in `ف 1021 مختاره2 ...`: ة is ه, digits ASCII */
	assert_string_equal(c[4].contest, "مختاره2");
	assert_string_equal(c[0].contest, "MUN");
	assert_string_equal(c[0].contest_name, "المجلس البلدي");
	assert_int_equal(c[0].position, 2);
	assert_string_equal(c[0].name, "سمير خوري");
	assert_string_equal(c[2].contest, "MUK");
	assert_string_equal(c[3].contest, "MUN"); /* upper-cased */
	registry_import_free(imp);

	expect_errors(
		REGISTRY_CONTESTS,
		CONTESTS_HEADER
		"MUN,Council,1,A\n"
		"MUN,Councl,2,B\n"
		"MUN,Council,2,C\n"
		"MUN,Council,5,D\n"
		"X Y,Z,1,E\n"
		"K,Kay,0,F\n"
		"K,Kay,1000,G\n"
		"K,Kay,1,\n"
		"Q,Q,2,H\n"
		"1A,One,1,I\n"
		"v,Total,1,J\n"
		"بلدية-بيروت,Beirut,1,K\n",
		"line 2: contest \"MUN\" has no candidate at position 3 (positions run from 1 to 5 without gaps)\n"
		"line 3: contest_name \"Councl\" of contest \"MUN\" differs from \"Council\" on line 2\n"
		"line 4: duplicate position 2 in contest \"MUN\" (first on line 3)\n"
		"line 6: contest code \"X Y\" must be a letter (Latin or Arabic) followed by letters or digits, at most 16 bytes, and not a label such as V\n"
		"line 7: position \"0\" is not a whole number from 1 to 999\n"
		"line 8: position \"1000\" is not a whole number from 1 to 999\n"
		"line 9: column \"candidate\" is empty\n"
		"line 10: contest \"Q\" has no candidate at position 1 (positions run from 1 to 2 without gaps)\n"
		"line 11: contest code \"1A\" must be a letter (Latin or Arabic) followed by letters or digits, at most 16 bytes, and not a label such as V\n"
		"line 12: contest code \"v\" must be a letter (Latin or Arabic) followed by letters or digits, at most 16 bytes, and not a label such as V\n"
		"line 13: contest code \"بلدية-بيروت\" must be a letter (Latin or Arabic) followed by letters or digits, at most 16 bytes, and not a label such as V\n");
}

static void test_incident_codes(void **state)
{
	struct registry_import *imp;
	const struct registry_incident_code *ic;
	size_t n;

	(void)state;
	imp = run(REGISTRY_INCIDENT_CODES, CODES_HEADER
		  "1,info,Late opening,تأخر في الافتتاح,Ouverture tardive\n"
		  "3,Critical,Vote buying,شراء أصوات,Achat de votes\n"
		  "٤,serious,,منع المراقبين,\n");
	assert_string_equal(errors(imp), "");
	ic = registry_import_incident_codes(imp, &n);
	assert_int_equal(n, 3);
	assert_int_equal(ic[1].code, 3);
	assert_int_equal(ic[1].severity, REGISTRY_SEVERITY_CRITICAL);
	assert_string_equal(ic[1].name_ar, "شراء أصوات");
	assert_int_equal(ic[2].code, 4);
	assert_null(ic[2].name_en);
	assert_null(ic[2].name_fr);
	registry_import_free(imp);

	/* only some name columns */
	imp = run(REGISTRY_INCIDENT_CODES, "code,severity,name_ar\n1,info,تأخير\n");
	assert_string_equal(errors(imp), "");
	registry_import_free(imp);

	expect_errors(REGISTRY_INCIDENT_CODES,
		      CODES_HEADER
		      "1,info,a,,\n"
		      "2,urgent,b,,\n"
		      "3,info,,,\n"
		      "0,info,c,,\n"
		      "10000,info,d,,\n"
		      "1,serious,e,,\n",
		      "line 3: unknown severity \"urgent\": expected info, serious or critical\n"
		      "line 4: no name: name_en, name_ar and name_fr are all empty\n"
		      "line 5: code \"0\" is not a whole number from 1 to 9999\n"
		      "line 6: code \"10000\" is not a whole number from 1 to 9999\n"
		      "line 7: duplicate incident code \"1\" (first on line 2)\n");
}

static void test_add_error(void **state)
{
	struct registry_import *imp;

	(void)state;
	imp = run(REGISTRY_STATIONS, STATIONS_HEADER "1,A,R,D,,1,1,X\n2,B,R,D,,1,2,\n");
	assert_true(registry_import_add_error(imp, 2, "unknown contest \"%s\"", "X"));
	assert_true(registry_import_add_error(imp, 0, "whole file"));
	assert_int_equal(registry_import_n_errors(imp), 3);
	assert_string_equal(errors(imp),
			    "whole file\n"
			    "line 2: unknown contest \"X\"\n"
			    "line 3: registered_women 2 exceeds registered 1\n");
	assert_int_equal(registry_import_error_line(imp, 1), 2);
	assert_string_equal(registry_import_error(imp, 99), "");
	registry_import_free(imp);
}

static void test_names(void **state)
{
	enum registry_kind k;

	(void)state;
	assert_true(registry_kind_parse("stations", &k));
	assert_int_equal(k, REGISTRY_STATIONS);
	assert_true(registry_kind_parse("incident-codes", &k));
	assert_int_equal(k, REGISTRY_INCIDENT_CODES);
	assert_true(registry_kind_parse("incident_codes", &k));
	assert_int_equal(k, REGISTRY_INCIDENT_CODES);
	assert_false(registry_kind_parse("station", &k));
	assert_string_equal(registry_kind_name(REGISTRY_PEOPLE), "people");
	assert_string_equal(registry_role_name(REGISTRY_ROLE_COORDINATOR), "coordinator");
	assert_string_equal(registry_severity_name(REGISTRY_SEVERITY_SERIOUS), "serious");
	assert_null(registry_import_new((enum registry_kind)42, NULL));
	registry_import_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stations_good),
		cmocka_unit_test(test_header_forms),
		cmocka_unit_test(test_header_errors),
		cmocka_unit_test(test_station_errors),
		cmocka_unit_test(test_duplicates_sorted),
		cmocka_unit_test(test_rows_checkable),
		cmocka_unit_test(test_text_errors),
		cmocka_unit_test(test_long_value_quoted_short),
		cmocka_unit_test(test_people_good),
		cmocka_unit_test(test_people_errors),
		cmocka_unit_test(test_people_pin_not_in_errors),
		cmocka_unit_test(test_people_config),
		cmocka_unit_test(test_contests),
		cmocka_unit_test(test_incident_codes),
		cmocka_unit_test(test_add_error),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
