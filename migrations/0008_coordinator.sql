-- 0008_coordinator.sql - what sawtd needs to answer coordinators' STATUS
-- and ACK messages (src/command.c).
--
-- The pipeline stores a coordinator's STATUS or ACK with state 'received'
-- and no reply; sawtd's command module finds those rows, computes the
-- answer and, in one statement, marks the row 'processed' and queues the
-- reply.

-- The rows still to answer.  Almost every inbound row is processed at
-- once, so this index stays tiny while the table grows to millions, and
-- looking for work every few seconds costs nothing.
CREATE INDEX inbound_messages_unanswered_idx ON sawt.inbound_messages (id)
	WHERE state = 'received';

-- An area name folded the way the message parser folds what observers
-- type (src/parse.c), so that `STATUS الاشرفيه` finds the area registered
-- as 'الأشرفية' and `STATUS mont-liban` finds 'Mont Liban':
--   - Latin letters: accents dropped (Latin-1 range), upper case;
--   - Arabic: tatweel, harakat, Quranic marks and invisible marks dropped;
--     أ إ آ ٱ -> ا, ى ی -> ي, ة -> ه, ک -> ك; Arabic-Indic and Eastern
--     Arabic-Indic digits -> ASCII;
--   - runs of white space and punctuation -> one space, none at the ends.
-- Only ASCII letters change case with upper() whatever the database's
-- locale, since the accented ones are folded first.
CREATE FUNCTION sawt.fold_name(t text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
	SELECT btrim(regexp_replace(upper(translate(
		regexp_replace(t,
			'[\u00AD\u0600-\u0605\u0610-\u061A\u061C\u0640\u064B-\u065F\u0670'
			'\u06D6-\u06ED\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFE00-\uFE0F\uFEFF]',
			'', 'g'),
		'ÀÁÂÃÄÅàáâãäåÇçÈÉÊËèéêëÌÍÎÏìíîïÑñÒÓÔÕÖòóôõöÙÚÛÜùúûüÝýÿ'
		'آأإٱىیةک٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹',
		'AAAAAAAAAAAACCEEEEEEEEIIIIIIIINNOOOOOOOOOOUUUUUUUUYYY'
		'ااااييهك01234567890123456789')),
		'[\s\x21-\x2F\x3A-\x40\x5B-\x60\x7B-\x7E\u00A0\u060C\u061B\u061F'
		'\u066A-\u066D\u06D4\u2000-\u205F\u3000-\u3002]+',
		' ', 'g'))
$$;
