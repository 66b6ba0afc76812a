/*
 * file.c - reading a whole file into memory; see file.h.
 */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "array.h"
#include "util.h"

#define FILE_FIRST_CAP (64 * 1024)

char *file_read_fd(int fd, const char *name, size_t max, size_t *len, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t cap = 0, got = 0;
	ssize_t n;
	int saved;

	*len = 0;
	for (;;) {
		/* room for one byte beyond max (to see that it is there) and the NUL */
		if (got + 1 >= cap) {
			size_t want = got + 2 < FILE_FIRST_CAP ? FILE_FIRST_CAP : got + 2;

			if (max < SIZE_MAX - 1 && want > max + 2)
				want = max + 2;
			if (!array_grow(&buf, &cap, want, 1)) {
				errno = ENOMEM;
				goto fail;
			}
		}
		n = read(fd, buf + got, cap - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		got += (size_t)n;
		if (got > max) {
			free(buf);
			errno = EFBIG;
			if (err != NULL)
				util_seterr(err, errlen, "file \"%s\" is too large", name);
			return NULL;
		}
	}
	buf[got] = '\0';
	*len = got;
	return buf;
fail:
	saved = errno;
	free(buf);
	if (err != NULL)
		util_seterr(err, errlen, "could not read file \"%s\": %s", name, strerror(saved));
	errno = saved;
	return NULL;
}

char *file_read_all(const char *path, size_t max, size_t *len, char *err, size_t errlen)
{
	char *buf;
	int fd, saved;

	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		saved = errno;
		if (err != NULL)
			util_seterr(err, errlen, "could not open file \"%s\": %s", path,
				    strerror(saved));
		errno = saved;
		return NULL;
	}
	buf = file_read_fd(fd, path, max, len, err, errlen);
	saved = errno;
	close(fd);
	errno = saved;
	return buf;
}
