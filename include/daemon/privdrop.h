/*
 * privdrop.h - sawtd started as root becomes an unprivileged user.
 *
 * sawtd opens what needs root first (the state directory and its lock,
 * the embedded cluster, privileged HTTP ports, the TLS key), then hands
 * the state directory to the user and becomes it, with the user's
 * supplementary groups (initgroups: "dialout" gives the modem workers
 * their serial devices), before any modem worker is forked.
 *
 * Which user ([sawt] user, docs/configuration.md):
 *   - not root: none; sawtd runs as who started it;
 *   - "user" set to a name: that user, an error when it does not exist;
 *     "root" keeps root (not recommended, logged as a warning);
 *   - "user" not set: "sawt" when it exists, else root with a warning.
 */
#ifndef SAWT_PRIVDROP_H
#define SAWT_PRIVDROP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "log.h"

struct privdrop {
	bool drop;     /* false: stay as we are */
	char name[64]; /* the user to become */
	uid_t uid;
	gid_t gid; /* the user's primary group */
};

/*
 * Decide whom sawtd becomes, from the effective uid and [sawt] user
 * (configured, NULL: not set), into *out.  Returns false with the reason in
 * err (a configured user that does not exist) and logs a warning when it
 * decides to stay root.
 */
bool privdrop_resolve(const char *configured, struct privdrop *out, char *err,
		      size_t errlen) SAWT_MUST_CHECK;

/*
 * Give state_dir and everything under it but its "pg" folder (the
 * embedded cluster, already its owner's) to the user, keeping each file's
 * group; symbolic links are not followed.  False with the reason in err.
 */
bool privdrop_chown_state(const struct privdrop *pd, const char *state_dir, char *err,
			  size_t errlen) SAWT_MUST_CHECK;

/*
 * Become the user: its groups (initgroups), its gid, its uid, and check
 * that root cannot be taken back; HOME, USER and LOGNAME follow.  False
 * with the reason in err; a caller must then not go on as root.
 */
bool privdrop_become(const struct privdrop *pd, char *err, size_t errlen) SAWT_MUST_CHECK;

#endif
