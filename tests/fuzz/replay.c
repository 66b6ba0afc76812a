/*
 * replay.c - run a fuzz target over every file of its corpus directory.
 *
 * Linked with a fuzz target's LLVMFuzzerTestOneInput in ordinary builds, so
 * the corpus (including every input that once crashed) is replayed as a
 * test in every build, sanitizers included.  Prints TAP: one line a file.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay_file(const char *dir, const char *name, int n)
{
	char path[4096];
	FILE *f;
	uint8_t *buf;
	long len;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (f == NULL) {
		printf("not ok %d - could not open file \"%s\": %s\n", n, path, strerror(errno));
		return 1;
	}
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(len > 0 ? (size_t)len : 1);
	if (buf == NULL || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		printf("not ok %d - could not read file \"%s\"\n", n, path);
		fclose(f);
		free(buf);
		return 1;
	}
	fclose(f);
	/* An exact-size heap copy, so ASan sees any read past the end. */
	LLVMFuzzerTestOneInput(buf, (size_t)len);
	free(buf);
	printf("ok %d - %s\n", n, name);
	return 0;
}

int main(int argc, char **argv)
{
	DIR *d;
	struct dirent *e;
	char **names = NULL;
	size_t count = 0;
	int failed = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	d = opendir(argv[1]);
	if (d == NULL) {
		fprintf(stderr, "could not open directory \"%s\": %s\n", argv[1], strerror(errno));
		return 1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		names = realloc(names, (count + 1) * sizeof(*names));
		names[count++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, count, sizeof(*names), cmp);
	printf("1..%zu\n", count);
	for (size_t i = 0; i < count; i++) {
		failed |= replay_file(argv[1], names[i], (int)i + 1);
		free(names[i]);
	}
	free(names);
	return failed;
}
