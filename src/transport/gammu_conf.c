/*
 * gammu_conf.c - key = value settings handed to libgammu through a
 * temporary file; see gammu_conf.h.
 */
#include "gammu_conf.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

GSM_Error gammu_conf_load(GSM_StateMachine *s, const struct config_kv *kv, size_t n)
{
	const char *tmpdir = getenv("TMPDIR");
	char path[4096];
	INI_Section *ini = NULL;
	GSM_Error e;
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "%s/sawt-gammurc-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	fd = mkstemp(path);
	if (fd < 0)
		return ERR_CANTOPENFILE;
	f = fdopen(fd, "w");
	if (f == NULL) {
		close(fd);
		unlink(path);
		return ERR_CANTOPENFILE;
	}
	fprintf(f, "[gammu]\n");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s = %s\n", kv[i].key, kv[i].value);
	if (fclose(f) != 0) {
		unlink(path);
		return ERR_CANTOPENFILE;
	}
	e = INI_ReadFile(path, FALSE, &ini);
	unlink(path);
	if (e == ERR_NONE)
		e = GSM_ReadConfig(ini, GSM_GetConfig(s, 0), 0);
	INI_Free(ini);
	if (e == ERR_NONE)
		GSM_SetConfigNum(s, 1);
	return e;
}
