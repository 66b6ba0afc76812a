/*
 * dummy_check.h - the dummy phone's inbox, checked before Gammu reads it.
 *
 * Gammu's dummy driver stops reading its inbox at the first file it cannot
 * read: that message would stay there forever, without a word, and every
 * message after it would never be read.  And it reads a sender Number
 * written with bytes beyond ASCII as a shorter number, which would be
 * answered.  So before each read of the inbox the modem worker calls
 * dummy_check_inbox(), which, for each message file (named by its
 * location):
 *   - moves a file Gammu cannot read (or that holds no message) to
 *     DIR/bad/ under its name and the time, and logs it: kept for the
 *     operator, neither lost nor read again;
 *   - rewrites a file whose sender Gammu would not read faithfully
 *     (dummy_inbox_fix_file()), and logs it: the message is read and
 *     recorded, its marked sender is not answered.
 * Only the modem worker of the dummy phone uses it.
 */
#ifndef SAWT_DUMMY_CHECK_H
#define SAWT_DUMMY_CHECK_H

#include <stddef.h>

/* Check the inbox of the dummy phone in dir; the number of files moved to
 * DIR/bad/. */
size_t dummy_check_inbox(const char *dir);

#endif
