/*
 * fuzz_snap.c - the fuzz targets' registry; see fuzz_snap.h.
 */
#include "fuzz_snap.h"

#include <stdlib.h>

#include "pin.h"
#include "registry_import.h"

struct regsnap *fuzz_snap_build(struct validate_clock *clk)
{
	char hash[PIN_HASH_BUF];
	struct regsnap *snap = regsnap_new();

	if (snap == NULL || !pin_hash("4321", 1, hash, sizeof(hash)) ||
	    !regsnap_add_area(snap, 1, 0) || !regsnap_add_area(snap, 2, 1) ||
	    !regsnap_add_contest(snap, 10, "MUN", 3) || !regsnap_add_contest(snap, 11, "MUK", 1) ||
	    !regsnap_add_station(snap, 100, "1021", 2, 1000, 500) ||
	    !regsnap_add_station(snap, 101, "1022", 2, 0, 0) ||
	    !regsnap_add_station_contest(snap, 100, 10) ||
	    !regsnap_add_station_contest(snap, 101, 10) ||
	    !regsnap_add_station_contest(snap, 101, 11) ||
	    !regsnap_add_person(snap, 1, FUZZ_OBSERVER, "A", REGISTRY_ROLE_OBSERVER, LANG_AR,
				NULL) ||
	    !regsnap_add_person(snap, 2, FUZZ_PINNED, "B", REGISTRY_ROLE_OBSERVER, -1, hash) ||
	    !regsnap_add_person(snap, 3, FUZZ_COORDINATOR, "C", REGISTRY_ROLE_COORDINATOR, LANG_FR,
				NULL) ||
	    !regsnap_add_person_station(snap, 1, 100) ||
	    !regsnap_add_person_station(snap, 2, 100) || !regsnap_add_person_area(snap, 3, 1) ||
	    !regsnap_add_incident(snap, 3, REGISTRY_SEVERITY_CRITICAL) ||
	    /* a checklist form, so the decision step's dispatch is fuzzed too */
	    !regsnap_add_checklist(snap, "OP", 2,
				   "OP,form,,,,,,,,,OUVR,,,Opening,\n"
				   "OP,question,AA,yesno,,,yes,1,,,,,,A,\n"
				   "OP,question,AB,integer,0,50,yes,2,,,,,,B,\n"
				   "OP,question,AC,multi,,,no,1,,,,,,C,\n"
				   "OP,option,AC,,,,,,1,,,,,One,\n"
				   "OP,option,AC,,,,,,3,,,,,Three,\n"
				   "OP,question,Z,text,,,no,2,,,,,,Z,\n") ||
	    !regsnap_add_checklist_answered(snap, 100, "OP", "AA") || !regsnap_finish(snap) ||
	    !validate_clock_init(clk, 7 * 60, "2025-05-04 23:00", 3 * 3600))
		abort();
	return snap;
}
