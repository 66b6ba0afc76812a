-- 0009_contest_codes.sql - contest codes in Arabic as well as Latin.
--
-- Observers in Arabic-speaking networks type the contest in a results
-- message in Arabic (`ف ١٠٢١ بلديه ...`), and the message parser has
-- always read such codes; 0002 allowed only A-Z and digits in the
-- registry.  `sawt import contests` stores a code as the parser reads it
-- (upper case, Arabic normalised, ASCII digits) and refuses one the parser
-- would read as something else; this constraint is the safety net under
-- it: 1 to 16 bytes, no lower-case ASCII, no separator, not starting with
-- a digit.
ALTER TABLE sawt.contests DROP CONSTRAINT contests_code_check;
ALTER TABLE sawt.contests ADD CONSTRAINT contests_code_check CHECK (
	octet_length(code) BETWEEN 1 AND 16
	AND code !~ '[a-z[:space:][:cntrl:],;.:=*/#،؛-]'
	AND code !~ '^[0-9]'
);
