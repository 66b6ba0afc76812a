/*
 * gammu_conf.h - hand key = value settings to libgammu.
 *
 * libgammu reads its configuration only from files: the settings are
 * written as a [gammu] section to a private temporary file (mkstemp in
 * $TMPDIR, else /tmp), read back with INI_ReadFile and removed at once.
 * Used by the modem worker (a [modem] section's gammurc keys) and by
 * `sawt modems` (a device to probe).
 */
#ifndef SAWT_GAMMU_CONF_H
#define SAWT_GAMMU_CONF_H

#include <stddef.h>

#include <gammu.h>

#include "config.h"

/*
 * Make kv[0..n) the first configuration of s (and the only one tried).
 * ERR_NONE on success; ERR_CANTOPENFILE (errno set) when the temporary
 * file cannot be made; libgammu's error for a setting it refuses.
 */
GSM_Error gammu_conf_load(GSM_StateMachine *s, const struct config_kv *kv, size_t n);

#endif
