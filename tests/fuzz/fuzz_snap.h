/*
 * fuzz_snap.h - the small fixed registry the validation and decision fuzz
 * targets decide against.
 *
 * Areas 1 > 2; contests MUN (3 candidates) and MUK (1); stations 1021
 * (registered 1000, women 500; MUN) and 1022 (nothing registered; MUN and
 * MUK), both in area 2; FUZZ_OBSERVER (Arabic, 1021), FUZZ_PINNED (PIN
 * 4321, 1021), FUZZ_COORDINATOR (French, area 1); incident code 3.  Polls
 * open at 07:00, results due 2025-05-04 23:00, UTC+3.
 */
#ifndef SAWT_FUZZ_SNAP_H
#define SAWT_FUZZ_SNAP_H

#include "regsnap.h"
#include "validate.h"

#define FUZZ_OBSERVER "+9613100001"
#define FUZZ_PINNED "+9613100002"
#define FUZZ_COORDINATOR "+9613100003"

/* Build the registry and its clock into *clk; aborts when that fails. */
struct regsnap *fuzz_snap_build(struct validate_clock *clk);

#endif
