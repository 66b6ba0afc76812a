/*
 * fake_modem.c - a stand-in for the modem manager (src/transport/modem.c) that the
 * outbox test links instead: modems whose health the test sets and whose
 * sends are recorded, so every outcome (ok, failure, modem down) can be
 * produced on demand.  The database is real; only the radio is fake.
 */
#include <stdlib.h>
#include <string.h>

#include "fake_modem.h"

size_t modem_mgr_count(const struct modem_mgr *mgr)
{
	return mgr->n;
}

const struct modem_status *modem_mgr_status_at(const struct modem_mgr *mgr, size_t i)
{
	return i < mgr->n ? &mgr->st[i] : NULL;
}

bool modem_mgr_healthy(const struct modem_mgr *mgr, const char *modem)
{
	for (size_t i = 0; i < mgr->n; i++)
		if (strcmp(mgr->st[i].name, modem) == 0)
			return mgr->st[i].state == MODEM_STATE_READY && mgr->st[i].send;
	return false;
}

bool modem_mgr_send(struct modem_mgr *mgr, const char *modem, uint64_t outbox_id, const char *to,
		    const char *text)
{
	struct fake_send *s;

	if (!modem_mgr_healthy(mgr, modem) || mgr->n_sends == FAKE_SENDS_MAX)
		return false;
	s = &mgr->sends[mgr->n_sends++];
	s->id = outbox_id;
	strncpy(s->modem, modem, sizeof(s->modem) - 1);
	strncpy(s->to, to, sizeof(s->to) - 1);
	strncpy(s->text, text, sizeof(s->text) - 1);
	return true;
}

void fake_modem_add(struct modem_mgr *mgr, const char *name, bool ready)
{
	struct modem_status *st = &mgr->st[mgr->n++];

	memset(st, 0, sizeof(*st));
	strncpy(st->name, name, sizeof(st->name) - 1);
	st->state = ready ? MODEM_STATE_READY : MODEM_STATE_DOWN;
	st->send = true;
}
