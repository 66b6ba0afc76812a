/*
 * privdrop.c - sawtd started as root becomes an unprivileged user; see
 * privdrop.h.
 */
#define _GNU_SOURCE /* nftw with FTW_ACTIONRETVAL */
#include "privdrop.h"

#include <errno.h>
#include <ftw.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#define PRIVDROP_DEFAULT_USER "sawt"

bool privdrop_resolve(const char *configured, struct privdrop *out, char *err, size_t errlen)
{
	const char *name = configured ? configured : PRIVDROP_DEFAULT_USER;
	struct passwd *pw;

	memset(out, 0, sizeof(*out));
	if (geteuid() != 0)
		return true;
	if (strcmp(name, "root") == 0) {
		log_warn(
			"running as root ([sawt] user = root); the modem workers and the HTTP "
			"server run with every privilege");
		return true;
	}
	errno = 0;
	pw = getpwnam(name);
	if (pw == NULL && configured == NULL) {
		log_warn(
			"running as root: there is no user \"%s\" to run as; create it with "
			"\"adduser --system --group sawt && adduser sawt dialout\" or set [sawt] user",
			name);
		return true;
	}
	if (pw == NULL) {
		util_seterr(
			err, errlen,
			"user \"%s\" ([sawt] user) does not exist%s%s; create it with "
			"\"adduser --system --group %s && adduser %s dialout\", or name an existing user",
			name, errno ? ": " : "", errno ? strerror(errno) : "", name, name);
		return false;
	}
	if (pw->pw_uid == 0) {
		util_seterr(
			err, errlen,
			"user \"%s\" ([sawt] user) has user id 0: it would still be root; name an "
			"unprivileged user",
			name);
		return false;
	}
	out->drop = true;
	snprintf(out->name, sizeof(out->name), "%s", pw->pw_name);
	out->uid = pw->pw_uid;
	out->gid = pw->pw_gid;
	return true;
}

/* nftw has no argument for its callback: the walk's state, one at a time. */
static struct {
	uid_t uid;
	const char *skip; /* STATE/pg */
	int err;
	char path[4096];
} walk;

static int chown_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)flag;
	(void)ftw;
	if (strcmp(path, walk.skip) == 0)
		return FTW_SKIP_SUBTREE;
	if (st->st_uid == walk.uid)
		return FTW_CONTINUE;
	if (lchown(path, walk.uid, (gid_t)-1) != 0) {
		walk.err = errno;
		snprintf(walk.path, sizeof(walk.path), "%s", path);
		return FTW_STOP;
	}
	return FTW_CONTINUE;
}

bool privdrop_chown_state(const struct privdrop *pd, const char *state_dir, char *err,
			  size_t errlen)
{
	char skip[4096];
	int rc;

	if (!pd->drop)
		return true;
	snprintf(skip, sizeof(skip), "%s/pg", state_dir);
	walk.uid = pd->uid;
	walk.skip = skip;
	walk.err = 0;
	walk.path[0] = '\0';
	rc = nftw(state_dir, chown_one, 16, FTW_PHYS | FTW_ACTIONRETVAL);
	if (rc != 0 && walk.err != 0) {
		util_seterr(err, errlen, "could not change owner of \"%s\" to user \"%s\": %s",
			    walk.path, pd->name, strerror(walk.err));
		return false;
	}
	if (rc != 0) {
		util_seterr(err, errlen, "could not walk directory \"%s\": %s", state_dir,
			    strerror(errno));
		return false;
	}
	return true;
}

bool privdrop_become(const struct privdrop *pd, char *err, size_t errlen)
{
	struct passwd *pw;

	if (!pd->drop)
		return true;
	if (initgroups(pd->name, pd->gid) != 0) {
		util_seterr(err, errlen, "could not set the groups of user \"%s\": %s", pd->name,
			    strerror(errno));
		return false;
	}
	if (setgid(pd->gid) != 0 || setuid(pd->uid) != 0) {
		util_seterr(err, errlen, "could not become user \"%s\": %s", pd->name,
			    strerror(errno));
		return false;
	}
	if (setuid(0) == 0 || geteuid() == 0) {
		util_seterr(err, errlen, "could still become root after becoming user \"%s\"",
			    pd->name);
		return false;
	}
	pw = getpwuid(pd->uid);
	setenv("USER", pd->name, 1);
	setenv("LOGNAME", pd->name, 1);
	if (pw != NULL && pw->pw_dir != NULL)
		setenv("HOME", pw->pw_dir, 1);
	log_info("running as user \"%s\" (uid %ld, gid %ld)", pd->name, (long)pd->uid,
		 (long)pd->gid);
	return true;
}
