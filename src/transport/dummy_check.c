/*
 * dummy_check.c - the dummy phone's inbox checked before Gammu reads it;
 * see dummy_check.h.
 */
#include "dummy_check.h"

#include <dirent.h>
#include <errno.h>
#include <gammu.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "dummy_inbox.h"
#include "log.h"

/* True for a message file's name: a location 1 to DUMMY_INBOX_MAX_LOCATION. */
static bool is_location(const char *name)
{
	size_t n = strlen(name);
	long loc;

	if (n == 0 || n > 5 || name[0] == '0' || strspn(name, "0123456789") != n)
		return false;
	loc = strtol(name, NULL, 10);
	return loc >= 1 && loc <= DUMMY_INBOX_MAX_LOCATION;
}

/* Why Gammu cannot read the file at path (a static phrase), NULL when it
 * can and it holds a message. */
static const char *unreadable(const char *path)
{
	GSM_SMS_Backup b;
	GSM_Error e;
	const char *why = NULL;

	memset(&b, 0, sizeof(b));
	e = GSM_ReadSMSBackupFile(path, &b);
	if (e != ERR_NONE)
		why = GSM_ErrorString(e);
	else if (b.SMS[0] == NULL)
		why = "no message in it";
	GSM_FreeSMSBackup(&b);
	return why;
}

/* Move inbox/name to dir/bad/, logging why; true when moved. */
static bool move_aside(const char *dir, const char *inbox, const char *name, const char *why)
{
	char from[4096], bad[4096], to[4200];
	long long t = (long long)time(NULL);

	snprintf(from, sizeof(from), "%s/%s", inbox, name);
	snprintf(bad, sizeof(bad), "%s/bad", dir);
	if (mkdir(bad, 0750) != 0 && errno != EEXIST) {
		log_error("could not create directory \"%s\": %s; \"%s\" stays in the inbox", bad,
			  strerror(errno), from);
		return false;
	}
	for (int i = 0; i < 1000; i++) {
		struct stat st;

		snprintf(to, sizeof(to), "%s/%s.%lld.%d", bad, name, t, i);
		if (stat(to, &st) != 0)
			break;
	}
	if (rename(from, to) != 0) {
		log_error("could not move \"%s\" to \"%s\": %s", from, to, strerror(errno));
		return false;
	}
	log_warn("the dummy phone cannot read \"%s\" (%s): moved to \"%s\"", from, why, to);
	return true;
}

size_t dummy_check_inbox(const char *dir)
{
	char inbox[4096], path[4200], err[DUMMY_INBOX_ERR_MAX];
	struct dirent *de;
	size_t moved = 0;
	DIR *d;

	snprintf(inbox, sizeof(inbox), "%s/sms/1", dir);
	d = opendir(inbox);
	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		const char *why;
		bool fixed = false;

		if (!is_location(de->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", inbox, de->d_name);
		why = unreadable(path);
		if (why == NULL && !dummy_inbox_fix_file(path, &fixed, err, sizeof(err)))
			why = err;
		if (why != NULL) {
			moved += move_aside(dir, inbox, de->d_name, why) ? 1 : 0;
			continue;
		}
		if (fixed)
			log_warn(
				"the sender of \"%s\" is not readable as written: it is marked, so "
				"the message is recorded and not answered",
				path);
	}
	closedir(d);
	return moved;
}
