/*
 * modem_probe.h - ask serial devices what answers there, for `sawt modems`.
 *
 * Each device is opened with libgammu in a child process of its own, so a
 * device that never answers (or a driver that hangs) costs at most the
 * timeout and cannot stop the others: every probe runs at the same time,
 * and a child still busy at the deadline is killed.  What a device answers
 * (manufacturer, model, IMEI, whether a SIM is there and wants a PIN, the
 * network, the signal) is read once; nothing is written to the device or
 * the SIM, and no message is read.
 *
 * Blocking: for the command-line tool, never from sawtd's loop.
 */
#ifndef SAWT_MODEM_PROBE_H
#define SAWT_MODEM_PROBE_H

#include <stdbool.h>
#include <stddef.h>

#include "log.h"

/* Whether a SIM is in the device. */
enum modem_probe_sim {
	MODEM_PROBE_SIM_UNKNOWN = 0, /* the device could not tell */
	MODEM_PROBE_SIM_READY,       /* present, no PIN wanted */
	MODEM_PROBE_SIM_PIN,         /* present, waiting for its PIN (or PUK) */
	MODEM_PROBE_SIM_MISSING,     /* none */
};

/* One device to probe (the strings are the caller's). */
struct modem_probe_target {
	const char *device;     /* path, or the dummy phone's folder */
	const char *connection; /* gammurc connection; NULL: "at" */
	const char *model;      /* gammurc model; NULL: auto */
};

/* What a device answered. */
struct modem_probe_result {
	bool answered;    /* libgammu opened it and it answered */
	char reason[256]; /* when not: why ("could not open the device: ...",
			     "no answer within 10 s") */
	char manufacturer[64];
	char model[64];
	char imei[32];
	enum modem_probe_sim sim;
	char network[16];       /* home, roaming, searching, none, denied, unknown */
	char operator_code[16]; /* MCC MNC, e.g. "415 01"; "" unknown */
	char operator_name[64];
	int signal_percent; /* -1 unknown */
	int signal_dbm;     /* 0 unknown */
};

/* "ready", "PIN wanted", "missing" or "unknown". */
const char *modem_probe_sim_name(enum modem_probe_sim sim);

/*
 * Probe the n targets at once, each for at most timeout_s seconds (1 or
 * more), filling results[i] for targets[i].  Returns false only when no
 * probe could be started at all (err says why); a device that does not
 * answer is a result with answered false and its reason.
 */
bool modem_probe_run(const struct modem_probe_target *targets, size_t n, unsigned timeout_s,
		     struct modem_probe_result *results, char *err, size_t errlen) SAWT_MUST_CHECK;

#endif
