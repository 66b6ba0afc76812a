#!/bin/sh
# Checklist definitions (sawt import checklists) against a real PostgreSQL:
# a good file, a re-import that changes nothing, a changed form that gets a
# new version while the other keeps its own, a bad file (every bad row
# with its line, nothing imported), a dry run; problem answers and logic
# checks: a new version when they are added, stored with their postfix
# program, a bad check refused with its line.
. "$(dirname "$0")/tap.sh"

D="$SAWT_TEST_DATA/checklists"
q() { psql -XAtq -c "$1"; }

snapshot() {
	q "SELECT md5(string_agg(t, '|' ORDER BY t)) FROM (
	   SELECT 'f' || row(f.*)::text AS t FROM sawt.checklist_forms f
	   UNION ALL SELECT 'v' || row(v.*)::text FROM sawt.checklist_versions v
	   UNION ALL SELECT 'q' || row(x.*)::text FROM sawt.checklist_questions x
	   UNION ALL SELECT 'o' || row(o.*)::text FROM sawt.checklist_options o) u"
}

out=$("$SAWT" migrate 2>&1)
is "$?" 0 "migrate"

out=$("$SAWT" import checklists "$D/good.csv" 2>&1)
is "$?" 0 "import a good file"
is "$out" "OP: new, version 1
CL: new, version 1" "each form is new, version 1"
is "$(q 'SELECT count(*) FROM sawt.checklist_forms') $(q 'SELECT count(*) FROM sawt.checklist_questions') $(q 'SELECT count(*) FROM sawt.checklist_options')" \
	"2 8 6" "2 forms, 8 questions, 6 options"
is "$(q "SELECT alias_ar || ' ' || alias_fr || ' ' || title_en || ' ' || window_from || '-' || window_to
	 FROM sawt.checklist_versions v JOIN sawt.checklist_forms f ON f.id = v.form_id WHERE f.code = 'OP'")" \
	"استمارة OUVR Opening checklist 06:00:00-10:00:00" "aliases, title and window"
is "$(q "SELECT string_agg(x.code || ':' || type || ':' || COALESCE(min_value::text, '') || ':' ||
	 COALESCE(max_value::text, '') || ':' || required || ':' || grp, ' ' ORDER BY position)
	 FROM sawt.checklist_questions x JOIN sawt.checklist_forms f ON f.id = x.form_id WHERE f.code = 'OP'")" \
	"AA:yesno:::true:1 AB:yesno:::true:1 AC:multi:::false:1 AD:integer:0:50:true:1 AE:choice:::false:2 AF:text:::false:2" \
	"questions in file order with their types, ranges, required and group"
is "$(q "SELECT string_agg(option || '=' || label_fr, ' ' ORDER BY option) FROM sawt.checklist_options WHERE question = 'AC'")" \
	"1=Parti A 2=Parti B 3=Parti C" "options with their labels"

out=$("$SAWT" import checklists "$D/good.csv" 2>&1)
is "$out" "OP: unchanged, version 1
CL: unchanged, version 1" "the same file again changes nothing"
is "$(q 'SELECT count(*) FROM sawt.checklist_versions')" 2 "still two versions"

# the same forms written differently (columns reordered, case, blanks) are the same forms
awk -F, 'BEGIN{OFS=","} {t=$1; $1=$2; $2=t; print}' "$D/good.csv" | sed 's/,yesno,/,YesNo,/; s/^kind,form/KIND,FORM/' > "$SAWT_TEST_TMP/reordered.csv"
out=$("$SAWT" import checklists "$SAWT_TEST_TMP/reordered.csv" 2>&1)
is "$out" "OP: unchanged, version 1
CL: unchanged, version 1" "columns in another order and other spellings are the same definition"

sed 's/Staff present/Polling staff present/' "$D/good.csv" > "$SAWT_TEST_TMP/changed.csv"
before=$(snapshot)
out=$("$SAWT" import --dry-run checklists "$SAWT_TEST_TMP/changed.csv" 2>&1)
is "$?" 0 "dry run of a changed form"
is "$out" "would import OP: changed, version 2
would import CL: unchanged, version 1" "the dry run says what would happen"
is "$(snapshot)" "$before" "and writes nothing"

out=$("$SAWT" import checklists "$SAWT_TEST_TMP/changed.csv" 2>&1)
is "$out" "OP: changed, version 2
CL: unchanged, version 1" "a changed form gets a new version, the other keeps its own"
is "$(q "SELECT string_agg(f.code || v.version || ':' || x.label_en, ' ' ORDER BY f.code, v.version)
	 FROM sawt.checklist_versions v JOIN sawt.checklist_forms f ON f.id = v.form_id
	 JOIN sawt.checklist_questions x ON x.form_id = v.form_id AND x.version = v.version AND x.code IN ('AD', 'BA')")" \
	"CL1:Voters turned away OP1:Staff present OP2:Polling staff present" "version 1 is kept as it was"
is "$(q "SELECT string_agg(code || ' ' || version, ', ' ORDER BY code) FROM sawt.checklist_current")" \
	"CL 1, OP 2" "the current versions"

before=$(snapshot)
out=$("$SAWT" import checklists "$D/bad.csv" 2>&1)
is "$?" 1 "a bad file is refused"
like "$out" '^line 2: window "06:00-25:00" is not HH:MM-HH:MM' "a bad window, with its line"
like "$out" '^line 4: form code "OUV" can be read as a keyword of the v1 forms$' "a form code the v1 parser reads, with its line"
like "$out" '^line 5: question code "AI" is not one or two letters A-Z other than I, L, O$' "a question code with I, with its line"
like "$out" '^line 11: question "AG" of form "OP" has no options$' "a choice without options, with its line"
like "$out" '^line 17: kind "frob" is not one of form, question, option, check$' "an unknown kind, with its line"
like "$out" 'bad.csv: 15 errors, nothing imported$' "the count of errors"
is "$(snapshot)" "$before" "nothing of it was written"

# --- problem answers and logic checks make a new version
out=$("$SAWT" import checklists "$D/checks.csv" 2>&1)
is "$out" "OP: changed, version 3
CL: changed, version 2" "adding problems and checks changes both forms"
is "$(q "SELECT string_agg(c.name || ':' || c.severity || ':' || c.expr || ':' || c.uses_figures, ' | ' ORDER BY c.form_id, c.position)
	 FROM sawt.checklist_checks c")" \
	"unsealed:critical:AB = 2:false | late_and_tense:serious:AA = 2 AND (AE = 2 OR AE = 3):false | no_party_a:info:AC != 1:false | many_turned_away:serious:BA > 50 OR BA > VOTERS:true" \
	"the checks, in file order, with severity, expression and whether they read the figures"
is "$(q "SELECT rpn FROM sawt.checklist_checks WHERE name = 'unsealed'")" \
	'[{"k": "q", "q": "AB"}, {"k": "num", "n": 2}, {"k": "cmp", "op": "="}]' "each stored with its postfix program"
is "$(q "SELECT string_agg(x.code || ':' || array_to_string(problem, ''), ' ' ORDER BY x.form_id, position)
	 FROM sawt.checklist_questions x JOIN sawt.checklist_forms f ON f.id = x.form_id AND x.version = f.current_version
	 WHERE problem <> '{}'")" "AA:2 AB:2 AE:23 BB:2" "the problem answers of the current versions"
out=$("$SAWT" import checklists "$D/checks.csv" 2>&1)
is "$out" "OP: unchanged, version 3
CL: unchanged, version 2" "the same file again changes nothing"
# the SQL evaluator agrees with the three-valued logic of the core
holds() { q "SELECT COALESCE(sawt.checklist_check_holds('$1', '$2', '$3')::text, 'unknown')"; }
R='[{"k":"q","q":"AA"},{"k":"num","n":2},{"k":"cmp","op":"="},{"k":"q","q":"AE"},{"k":"num","n":2},{"k":"cmp","op":">="},{"k":"and"}]'
is "$(holds "$R" '{"AA":{"v":2},"AE":{"v":3}}' '{}') $(holds "$R" '{"AA":{"v":1}}' '{}') $(holds "$R" '{"AA":{"v":2}}' '{}')" \
	"true false unknown" "AND: true, false with an unknown side, unknown"
R='[{"k":"has","q":"AC","n":1},{"k":"not"},{"k":"q","q":"BA"},{"k":"fig","f":"voters"},{"k":"cmp","op":">"},{"k":"or"}]'
is "$(holds "$R" '{"AC":{"o":[2,3]}}' '{}') $(holds "$R" '{"AC":{"o":[1]},"BA":{"v":9}}' '{"voters":8}') $(holds "$R" '{"AC":{"o":[1]}}' '{}')" \
	"true true unknown" "OR over an option not chosen, a figure, and unknowns"
printf '%s\n' "form,kind,code,type,required,en,expr" "OP,form,,,,Opening," "OP,question,AA,yesno,yes,A," \
	"OP,check,bad,,,Bad,AA = 1 AND ZZ = 2" >"$SAWT_TEST_TMP/badcheck.csv"
before=$(snapshot)
out=$("$SAWT" import checklists "$SAWT_TEST_TMP/badcheck.csv" 2>&1)
is "$?" 1 "a bad check refuses the file"
like "$out" '^line 4: check "bad": "ZZ" is not a question of form "OP"' "the bad check is named with its line"
is "$(snapshot)" "$before" "nothing of it was written"

done_testing
