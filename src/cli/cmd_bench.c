/*
 * cmd_bench.c - `sawt bench`: how fast the pure code runs on one core.
 *
 *   sawt bench parse [--seconds N] [--file FILE]
 *       messages per second of parsing alone and of parsing plus reply
 *       rendering, over a built-in mix of observers' messages or the
 *       lines of FILE (tests/bench/README.md lists every benchmark).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "log.h"
#include "parse.h"
#include "reply.h"

/*
 * A realistic mix as observers send it: mostly turnout, some close, open,
 * results and incidents, about one in eight with a mistake; Latin and
 * Arabic script, every digit system, joined and separated labels.
 */
static const char *const bench_corpus[] = {
	"T 1021 V420 W190",
	"T 1021 V420 W190 M230",
	"t 2033 v=118,w=61",
	"T1044 V97W45",
	"P 3120 V240 F131 H109",
	"C 1021 V610 W270 M340",
	"OPEN 1021 0705",
	"O 2033 0710",
	"R 1021 120 340 55 12 3",
	"R 2033 MUN 88 140 17 9 2 V256",
	"I 1021 3 vote buying at the door",
	"INC 3120 7 observateur empeche d'entrer #4821",
	"T 1021 V42O W19O",
	"T 1021 420 190",
	"C 2033 V300",
	"HELP",
	"T 1021 V420 W190 thanks",
	"#4821 T 3120 V512 W260",
	"T 5510 V1200 W611 M589",
	"TRN 1021 V420",
	"\xd9\x82 \xd9\xa1\xd9\xa0\xd9\xa2\xd9\xa1 \xd9\x85\xd9\xa4\xd9\xa2\xd9\xa0 "
	"\xd9\x86\xd9\xa1\xd9\xa9\xd9\xa0", /* ق ١٠٢١ م٤٢٠ ن١٩٠ */
	"\xd9\x82 1021 \xd9\x85"
	"420 \xd9\x86"
	"190 \xd8\xb1"
	"230", /* ق 1021 م420 ن190 ر230 */
	"\xd9\x82\xdb\xb2\xdb\xb0\xdb\xb3\xdb\xb3 \xd9\x85\xdb\xb1\xdb\xb1\xdb\xb8", /* ق۲۰۳۳ م۱۱۸
										      */
	"\xd8\xa5\xd8\xba\xd9\x84\xd8\xa7\xd9\x82 \xd9\xa1\xd9\xa0\xd9\xa2\xd9\xa1 "
	"\xd9\x85\xd9\xa6\xd9\xa1\xd9\xa0 \xd9\x86\xd9\xa2\xd9\xa7\xd9\xa0", /* إغلاق ١٠٢١ م٦١٠ ن٢٧٠
									      */
	"\xd9\x81\xd8\xaa\xd8\xad 1021 0705",                                /* فتح 1021 0705 */
	"\xd9\x81 \xd9\xa1\xd9\xa0\xd9\xa2\xd9\xa1 \xd9\xa1\xd9\xa2\xd9\xa0 "
	"\xd9\xa3\xd9\xa4\xd9\xa0 \xd9\xa5\xd9\xa5 \xd9\xa1\xd9\xa2 \xd9\xa3", /* ف ١٠٢١ ١٢٠ ٣٤٠ ٥٥
										  ١٢ ٣ */
	"\xd8\xad 1021 3 \xd8\xb4\xd8\xb1\xd8\xa7\xd8\xa1 \xd8\xa3\xd8\xb5\xd9\x88\xd8\xa7\xd8\xaa",
	"\xd9\x85\xd8\xae\xd8\xa7\xd9\x84\xd9\x81\xd8\xa9 2033 5 \xd8\xaa\xd8\xa3\xd8\xae\xd8\xb1",
	"\xd8\xb3\xd9\x84\xd8\xa7\xd9\x85 \xd9\x82 1021 \xd9\x85"
	"420 \xd9\x86"
	"190",
	"\xd9\x82 1021 420",
	"\xd9\x85\xd8\xb3\xd8\xa7\xd8\xb9\xd8\xaf\xd8\xa9", /* مساعدة */
	"\xd9\x82 \xd9\xa1\xd9\xa0\xd9\xa2\xd9\xa1 \xd9\x85\xd9\xa4\xd9\xa2\xd9\xa0 #1234",
	"\xd8\xa7\xd9\x82\xd8\xaa\xd8\xb1\xd8\xa7\xd8\xb9 4410 \xd9\x85"
	"75 \xd9\x86"
	"33",
	"\xd9\x82 1021 \xd9\x85"
	"420 \xd9\x86"
	"190 \xd9\x86"
	"200",
};

#define BENCH_N (sizeof(bench_corpus) / sizeof(bench_corpus[0]))

struct bench_msg {
	const char *text;
	size_t len;
};

/*
 * Seconds of CPU time this thread used: the figure is what one core does,
 * even when other processes compete for it.
 */
static double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double wall_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Parse and answer one message; returns the reply length (a checksum). */
static size_t bench_one(const struct bench_msg *b, bool with_reply)
{
	struct parse_msg m;
	struct reply_args a;
	enum reply_kind kind;
	char buf[REPLY_MAX];
	int n;

	if (!parse_message(b->text, b->len, LANG_AR, &m) && !with_reply)
		return m.error;
	if (!with_reply || !reply_kind_for_msg(&m, &kind))
		return m.form;
	reply_args_from_msg(&a, &m, b->text, b->len);
	n = reply_render(kind, reply_lang(-1, &m), &a, buf, sizeof(buf), NULL);
	return n > 0 ? (size_t)n : 0;
}

/* Run for about `seconds`; return messages per second. */
static double bench_run(const struct bench_msg *corpus, size_t n, double seconds, bool with_reply,
			unsigned long long *count, size_t *checksum)
{
	double start = now_sec(), elapsed;
	unsigned long long done = 0;
	size_t sum = 0;

	do {
		for (int rep = 0; rep < 64; rep++)
			for (size_t i = 0; i < n; i++)
				sum += bench_one(&corpus[i], with_reply);
		done += 64 * n;
		elapsed = now_sec() - start;
	} while (elapsed < seconds);
	*count = done;
	*checksum += sum;
	return (double)done / elapsed;
}

static size_t load_corpus(const char *path, struct bench_msg *out, size_t max, char **store)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, n = 0;
	ssize_t len;

	if (f == NULL) {
		log_error("could not open file \"%s\": %s", path, strerror(errno));
		return 0;
	}
	while (n < max && (len = getline(&line, &cap, f)) != -1) {
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			len--;
		store[n] = malloc((size_t)len + 1);
		if (store[n] == NULL)
			break;
		memcpy(store[n], line, (size_t)len);
		store[n][len] = '\0';
		out[n].text = store[n];
		out[n].len = (size_t)len;
		n++;
	}
	free(line);
	fclose(f);
	return n;
}

static int bench_parse(double seconds, const char *file)
{
	static struct bench_msg corpus[4096];
	static char *store[4096];
	unsigned long long count;
	size_t n = 0, checksum = 0, arabic = 0, bad = 0;
	double full, parse_only, wall;

	if (file != NULL) {
		n = load_corpus(file, corpus, 4096, store);
		if (n == 0)
			return 1;
	} else {
		for (; n < BENCH_N; n++) {
			corpus[n].text = bench_corpus[n];
			corpus[n].len = strlen(bench_corpus[n]);
		}
	}
	for (size_t i = 0; i < n; i++) {
		struct parse_msg m;

		bad += !parse_message(corpus[i].text, corpus[i].len, LANG_AR, &m);
		arabic += m.lang == LANG_AR;
	}
	(void)bench_run(corpus, n, 0.2, true, &count, &checksum); /* warm up */
	parse_only = bench_run(corpus, n, seconds / 3, false, &count, &checksum);
	wall = wall_sec();
	full = bench_run(corpus, n, seconds, true, &count, &checksum);
	wall = wall_sec() - wall;
	printf("corpus: %zu messages (%zu Arabic, %zu with errors)\n", n, arabic, bad);
	printf("parse only:          %12.0f msgs/s of CPU time\n", parse_only);
	printf("parse + reply:       %12.0f msgs/s of CPU time (%llu messages, %.0f ns/msg)\n",
	       full, count, 1e9 / full);
	printf("parse + reply, wall: %12.0f msgs/s (%.0f%% of a core)\n", (double)count / wall,
	       100.0 * (double)count / full / wall);
	printf("checksum %zu\n", checksum);
	for (size_t i = 0; i < n && file != NULL; i++)
		free(store[i]);
	return 0;
}

int cmd_bench(int argc, char **argv, const struct config *cfg)
{
	double seconds = 3.0;
	const char *file = NULL, *v;

	(void)cfg;
	if (argc < 2 || strcmp(argv[1], "parse") != 0) {
		fprintf(stderr, "usage: sawt bench parse [--seconds N] [--file FILE]\n");
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		if ((v = cli_opt_value(argc, argv, &i, "--seconds")) != NULL) {
			char *end;

			seconds = strtod(v, &end);
			if (*end != '\0' || seconds <= 0 || seconds > 3600) {
				log_error("invalid number of seconds \"%s\"", v);
				return 2;
			}
		} else if ((v = cli_opt_value(argc, argv, &i, "--file")) != NULL) {
			file = v;
		} else {
			log_error("unknown option \"%s\"", argv[i]);
			return 2;
		}
	}
	return bench_parse(seconds, file);
}
