/*
 * file.h - reading a whole file into memory.
 */
#ifndef SAWT_FILE_H
#define SAWT_FILE_H

#include <stddef.h>

#include "log.h"

/*
 * Read all of the file at path into a new buffer, which the caller frees,
 * with a NUL after the last byte (the content may hold NUL bytes too: use
 * *len).  A file of more than max bytes (SIZE_MAX: no limit) is an error (errno EFBIG, message
 * "file \"path\" is too large").  Returns NULL when it could not be opened
 * or read, or when out of memory, with errno set and a one-line message
 * ("could not open file \"path\": ...", PostgreSQL style) in err (errlen
 * bytes; err may be NULL).
 */
char *file_read_all(const char *path, size_t max, size_t *len, char *err,
		    size_t errlen) SAWT_MUST_CHECK;

/*
 * The same for an open descriptor (e.g. standard input), which is read to
 * its end and not closed; name is the file's name for messages.
 */
char *file_read_fd(int fd, const char *name, size_t max, size_t *len, char *err,
		   size_t errlen) SAWT_MUST_CHECK;

#endif
