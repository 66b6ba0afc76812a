/*
 * spool.c - the local durable queue for inbound messages; see spool.h.
 */
#include "spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "array.h"
#include "util.h"

struct spool {
	char *dir;
	uint64_t *seqs; /* sorted ascending */
	size_t n, cap;
	uint64_t next_seq;
};

static void sha256(const unsigned char *data, size_t len, unsigned char out[32])
{
	unsigned int mdlen = 0;

	EVP_Digest(data, len, out, &mdlen, EVP_sha256(), NULL);
}

void spool_encode(const struct inbound *in, unsigned char *buf)
{
	uint32_t len = (uint32_t)sizeof(*in);

	memcpy(buf, SPOOL_MAGIC, 8);
	for (int i = 0; i < 4; i++)
		buf[8 + i] = (unsigned char)(len >> (8 * i));
	memcpy(buf + 12, in, sizeof(*in));
	sha256(buf, 12 + sizeof(*in), buf + 12 + sizeof(*in));
}

bool spool_decode(const unsigned char *buf, size_t len, struct inbound *out)
{
	unsigned char sum[32];
	uint32_t reclen = 0;

	if (len != SPOOL_FILE_SIZE || memcmp(buf, SPOOL_MAGIC, 8) != 0)
		return false;
	for (int i = 0; i < 4; i++)
		reclen |= (uint32_t)buf[8 + i] << (8 * i);
	if (reclen != sizeof(*out))
		return false;
	sha256(buf, 12 + sizeof(*out), sum);
	if (memcmp(sum, buf + 12 + sizeof(*out), 32) != 0)
		return false;
	memcpy(out, buf + 12, sizeof(*out));
	return inbound_valid(out);
}

struct spool *spool_new(const char *dir)
{
	struct spool *sp = calloc(1, sizeof(*sp));

	if (sp == NULL)
		return NULL;
	sp->dir = strdup(dir);
	if (sp->dir == NULL) {
		free(sp);
		return NULL;
	}
	sp->next_seq = 1;
	return sp;
}

void spool_free(struct spool *sp)
{
	if (sp == NULL)
		return;
	free(sp->seqs);
	free(sp->dir);
	free(sp);
}

static bool index_add(struct spool *sp, uint64_t seq)
{
	size_t i;

	if (!array_grow(&sp->seqs, &sp->cap, sp->n + 1, sizeof(*sp->seqs)))
		return false;
	for (i = sp->n; i > 0 && sp->seqs[i - 1] > seq; i--)
		sp->seqs[i] = sp->seqs[i - 1];
	sp->seqs[i] = seq;
	sp->n++;
	if (seq >= sp->next_seq)
		sp->next_seq = seq + 1;
	return true;
}

/* "00000000000000000042.msg" -> 42; 0 for anything else. */
static uint64_t seq_of(const char *name)
{
	char *end;
	unsigned long long v;

	if (strlen(name) != 24 || strcmp(name + 20, ".msg") != 0)
		return 0;
	v = strtoull(name, &end, 10);
	return end == name + 20 ? (uint64_t)v : 0;
}

static void seq_path(const struct spool *sp, uint64_t seq, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%020" PRIu64 ".msg", sp->dir, seq);
}

static bool scan_dir(struct spool *sp, char *err, size_t n)
{
	DIR *d = opendir(sp->dir);
	struct dirent *e;
	char path[4096];

	if (d == NULL) {
		util_seterr(err, n, "could not open directory \"%s\": %s", sp->dir,
			    strerror(errno));
		return false;
	}
	while ((e = readdir(d)) != NULL) {
		uint64_t seq = seq_of(e->d_name);

		if (strncmp(e->d_name, "tmp.", 4) == 0) {
			/* never renamed: its source was never acknowledged */
			snprintf(path, sizeof(path), "%s/%s", sp->dir, e->d_name);
			unlink(path);
		} else if (seq > 0 && !index_add(sp, seq)) {
			closedir(d);
			util_seterr(err, n, "out of memory");
			return false;
		}
	}
	closedir(d);
	return true;
}

bool spool_open(struct spool *sp, char *err, size_t n)
{
	char bad[4096];

	if (mkdir(sp->dir, 0700) != 0 && errno != EEXIST) {
		util_seterr(err, n, "could not create directory \"%s\": %s", sp->dir,
			    strerror(errno));
		return false;
	}
	snprintf(bad, sizeof(bad), "%s/bad", sp->dir);
	if (mkdir(bad, 0700) != 0 && errno != EEXIST) {
		util_seterr(err, n, "could not create directory \"%s\": %s", bad, strerror(errno));
		return false;
	}
	sp->n = 0;
	if (!scan_dir(sp, err, n))
		return false;
	if (sp->n > 0)
		log_info("spool \"%s\" holds %zu message(s) to replay", sp->dir, sp->n);
	return true;
}

size_t spool_count(const struct spool *sp)
{
	return sp->n;
}

bool spool_oldest_time(const struct spool *sp, int64_t *unix_ms)
{
	char path[4096];
	struct stat st;

	if (sp->n == 0)
		return false;
	seq_path(sp, sp->seqs[0], path, sizeof(path));
	if (stat(path, &st) != 0)
		return false;
	*unix_ms = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
	return true;
}

static bool fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	bool ok;

	if (fd < 0)
		return false;
	ok = fsync(fd) == 0;
	close(fd);
	return ok;
}

static bool write_all(int fd, const unsigned char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, buf, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		buf += w;
		len -= (size_t)w;
	}
	return true;
}

bool spool_put(struct spool *sp, const struct inbound *in, uint64_t *seq, char *err, size_t n)
{
	unsigned char buf[SPOOL_FILE_SIZE];
	char tmp[4096], path[4096];
	uint64_t s = sp->next_seq;
	int fd;

	spool_encode(in, buf);
	snprintf(tmp, sizeof(tmp), "%s/tmp.%020" PRIu64, sp->dir, s);
	seq_path(sp, s, path, sizeof(path));
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		util_seterr(err, n, "could not create file \"%s\": %s", tmp, strerror(errno));
		return false;
	}
	if (!write_all(fd, buf, sizeof(buf)) || fsync(fd) != 0) {
		util_seterr(err, n, "could not write file \"%s\": %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return false;
	}
	close(fd);
	if (rename(tmp, path) != 0 || !fsync_dir(sp->dir)) {
		util_seterr(err, n, "could not rename file \"%s\" to \"%s\": %s", tmp, path,
			    strerror(errno));
		unlink(tmp);
		return false;
	}
	if (!index_add(sp, s)) {
		util_seterr(err, n, "out of memory");
		return false;
	}
	*seq = s;
	return true;
}

static void index_remove(struct spool *sp, uint64_t seq)
{
	for (size_t i = 0; i < sp->n; i++) {
		if (sp->seqs[i] != seq)
			continue;
		memmove(&sp->seqs[i], &sp->seqs[i + 1], (sp->n - i - 1) * sizeof(*sp->seqs));
		sp->n--;
		return;
	}
}

/* Read file seq; false if it cannot be read or decoded. */
static bool read_one(const struct spool *sp, uint64_t seq, struct inbound *out)
{
	unsigned char buf[SPOOL_FILE_SIZE + 1];
	char path[4096];
	size_t len = 0;
	ssize_t r;
	int fd;

	seq_path(sp, seq, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	while (len < sizeof(buf) && (r = read(fd, buf + len, sizeof(buf) - len)) > 0)
		len += (size_t)r;
	close(fd);
	return spool_decode(buf, len, out);
}

static void quarantine(struct spool *sp, uint64_t seq)
{
	char path[4096], bad[4096];

	seq_path(sp, seq, path, sizeof(path));
	snprintf(bad, sizeof(bad), "%s/bad/%020" PRIu64 ".msg", sp->dir, seq);
	if (rename(path, bad) == 0)
		log_error("spool file \"%s\" is damaged; moved to \"%s\" for inspection", path,
			  bad);
	else
		log_error("spool file \"%s\" is damaged and could not be moved: %s", path,
			  strerror(errno));
	index_remove(sp, seq);
}

bool spool_next(struct spool *sp, uint64_t after, struct inbound *out, uint64_t *seq)
{
	for (;;) {
		size_t i = 0;
		uint64_t s;

		while (i < sp->n && sp->seqs[i] <= after)
			i++;
		if (i == sp->n)
			return false;
		s = sp->seqs[i];
		if (read_one(sp, s, out)) {
			*seq = s;
			return true;
		}
		quarantine(sp, s);
	}
}

bool spool_oldest(struct spool *sp, struct inbound *out, uint64_t *seq)
{
	return spool_next(sp, 0, out, seq);
}

bool spool_remove(struct spool *sp, uint64_t seq)
{
	char path[4096];

	seq_path(sp, seq, path, sizeof(path));
	if (unlink(path) != 0 && errno != ENOENT) {
		log_error("could not remove file \"%s\": %s", path, strerror(errno));
		return false;
	}
	index_remove(sp, seq);
	return true;
}
