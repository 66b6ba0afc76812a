/*
 * checklist_decide.h - the decision step's part for checklist messages
 * (issue 22), kept out of decide.c so that its dispatch stays three calls.
 *
 * A message whose first word names a form of the registry snapshot's
 * checklists is parsed by checklist_parse(); its station, PIN and language
 * are put in d->msg so that validate_message() checks the sender, the PIN
 * (and its lock) and the station as for any report; it makes no v1 report
 * and no tally.  A message with good answers is accepted and its answers
 * go to the record (decide_json.c, "checklist"); one refused whole (no
 * station, bad PIN, no good answer) is rejected.  Its reply is
 * checklist_reply()'s, except where validation refused the sender or the
 * station (unknown sender, unknown or unassigned station, wrong PIN, PIN
 * lock): those get the catalogue's replies, as v1 reports do.
 *
 * A v1 HELP followed by a form's code or alias (HELP OP, AIDE OUVR) is
 * answered with the form's codes (checklist_help()).
 *
 * Pure, like decide.c.
 */
#ifndef SAWT_CHECKLIST_DECIDE_H
#define SAWT_CHECKLIST_DECIDE_H

#include <stdbool.h>

#include "decide.h"

/*
 * When d's text names a form of set (NULL: no checklists), parse it into
 * d->cl, set d->checklist and d->msg as described above, and return true;
 * else return false and leave d alone.
 */
bool checklist_decide_parse(const struct checklist_set *set, enum lang fallback,
			    struct decide_result *d);

/*
 * After validate_message(): the checklist's own verdict (see above).  A
 * message sent outside its form's window (checklist_in_window()) is
 * rejected (outside_window) and answered with the form's hours.  An
 * accepted message's answers are added to the snapshot's memo of what
 * the station has answered (regsnap_checklist_answered()), and the
 * required questions still without an answer go to d->cl_missing.
 */
void checklist_decide_verdict(struct regsnap *snap, const struct validate_clock *clock,
			      struct decide_result *d);

/*
 * Whether a message sent at sent_s (Unix s) falls in form's window, read
 * in the election's time zone (clock->utc_offset): from its first minute
 * to the end of its last (06:00-10:00 takes 10:00:59).  A form without a
 * window takes any time.
 */
bool checklist_in_window(const struct checklist_form *form, const struct validate_clock *clock,
			 int64_t sent_s);

/*
 * Render the checklist reply (or the HELP CODE reply) into d->body when
 * d's reply is the checklist's; returns true then (also when rendering failed, which marks
 * d->render_failed), false when the catalogue's reply applies.
 */
bool checklist_decide_reply(struct decide_result *d);

#endif
