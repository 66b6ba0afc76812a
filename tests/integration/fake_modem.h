/* fake_modem.h - see fake_modem.c. */
#ifndef SAWT_FAKE_MODEM_H
#define SAWT_FAKE_MODEM_H

#include "modem.h"

#define FAKE_SENDS_MAX 1024

struct fake_send {
	uint64_t id;
	char modem[MODEM_NAME_BUF];
	char to[40];
	char text[200];
};

struct modem_mgr {
	struct modem_status st[4];
	size_t n;
	struct fake_send sends[FAKE_SENDS_MAX];
	size_t n_sends;
};

void fake_modem_add(struct modem_mgr *mgr, const char *name, bool ready);

#endif
