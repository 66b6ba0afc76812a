/*
 * dummy_inbox.c - write received messages for Gammu's dummy phone; see
 * dummy_inbox.h.
 */
#include "dummy_inbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gsm7.h"
#include "strbuf.h"
#include "utf8.h"
#include "util.h"

#define SENDER_MAX 32 /* bytes of UTF-8, as in struct inbound */
#define FILE_MAX 8192
#define HEX_LINE 200    /* Gammu splits TextNN lines at 200 digits */
#define NUMBER_UNITS 50 /* Gammu's GSM_MAX_NUMBER_LENGTH: a longer Number is cut */

/* A growing text in a fixed buffer; ok turns false on overflow. */
const char *dummy_inbox_default_dir(const char *state_dir, char *buf, size_t n)
{
	snprintf(buf, n, "%s/dummy", state_dir);
	return buf;
}

static bool make_dir(const char *path, char *err, size_t errlen)
{
	if (mkdir(path, 0750) == 0 || errno == EEXIST)
		return true;
	util_seterr(err, errlen, "could not create directory \"%s\": %s", path, strerror(errno));
	return false;
}

bool dummy_inbox_prepare(const char *dir, char *err, size_t errlen)
{
	static const char *const subs[] = { "sms", "sms/1", "sms/2", "sms/3", "sms/4", "sms/5" };
	char path[4096];

	if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path)) {
		util_seterr(err, errlen, "directory name too long: \"%s\"", dir);
		return false;
	}
	/* the parents first, like mkdir -p */
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (!make_dir(path, err, errlen))
			return false;
		*p = '/';
	}
	if (!make_dir(path, err, errlen))
		return false;
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, subs[i]);
		if (!make_dir(path, err, errlen))
			return false;
	}
	return true;
}

/* Append s (UTF-8) as upper-case UCS-2 hex; false when not convertible. */
static bool hex_ucs2(const char *s, char *hex, size_t cap)
{
	uint8_t ucs2[1024];
	size_t n = 0;

	if (utf8_to_ucs2(s, strlen(s), ucs2, sizeof(ucs2), &n) != UTF8_CONV_OK || n * 2 + 1 > cap)
		return false;
	for (size_t i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02X", ucs2[i]);
	hex[2 * n] = '\0';
	return true;
}

static bool sender_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > SENDER_MAX || utf8_validate(s, n) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == '"' || s[i] == '\\' || s[i] == 0x7f)
			return false;
	return true;
}

/* Check an SMS and measure its text; on error fill err. */
static bool sms_check(const struct dummy_sms *m, struct gsm7_size *sz, char *err, size_t errlen)
{
	size_t limit;

	if (m->sender == NULL || !sender_ok(m->sender)) {
		util_seterr(err, errlen,
			    "invalid sender: expected 1 to %d characters without quotes",
			    SENDER_MAX);
		return false;
	}
	if (m->text == NULL || !gsm7_measure(m->text, strlen(m->text), sz)) {
		util_seterr(err, errlen, "the text is not valid UTF-8");
		return false;
	}
	if (m->parts == 0 ? m->part != 0 : (m->part < 1 || m->part > m->parts)) {
		util_seterr(err, errlen, "invalid multipart numbering: part %u of %u", m->part,
			    m->parts);
		return false;
	}
	if (sz->coding == GSM7_CODING_GSM7)
		limit = m->parts ? GSM7_SEPTETS_MULTI : GSM7_SEPTETS_SINGLE;
	else
		limit = m->parts ? GSM7_UCS2_MULTI : GSM7_UCS2_SINGLE;
	if (sz->units > limit) {
		util_seterr(err, errlen, "the text does not fit one SMS part (%zu of %zu %s units)",
			    sz->units, limit, gsm7_coding_name(sz->coding));
		return false;
	}
	return true;
}

static void format_udh(struct strbuf *o, const struct dummy_sms *m)
{
	if (m->parts == 0)
		return;
	if (m->concat_ref > 255)
		strbuf_printf(o, "UDH = 060804%04X%02X%02X\n", m->concat_ref, m->parts, m->part);
	else
		strbuf_printf(o, "UDH = 050003%02X%02X%02X\n", m->concat_ref, m->parts, m->part);
}

/* Render the backup file of one SMS into o. */
static bool format_sms(struct strbuf *o, const struct dummy_sms *m, const struct gsm7_size *sz)
{
	char num_hex[SENDER_MAX * 4 + 1], text_hex[1024];
	time_t t = m->smsc_time ? (time_t)m->smsc_time : time(NULL);
	struct tm tm;
	size_t hexlen;

	if (!hex_ucs2(m->sender, num_hex, sizeof(num_hex)) ||
	    !hex_ucs2(m->text, text_hex, sizeof(text_hex)) || gmtime_r(&t, &tm) == NULL)
		return false;
	strbuf_printf(o, "; written by sawt\n[SMSBackup000]\nPDU = Deliver\n");
	strbuf_printf(o, "DateTime = %04d%02d%02dT%02d%02d%02dZ\n", tm.tm_year + 1900,
		      tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	strbuf_printf(o, "State = UnRead\nNumber = \"%s\"\nNumberUnicode = %s\n", m->sender,
		      num_hex);
	format_udh(o, m);
	hexlen = strlen(text_hex);
	for (size_t i = 0, line = 0; i < hexlen || line == 0; i += HEX_LINE, line++)
		strbuf_printf(o, "Text%02zu = %.*s\n", line, HEX_LINE, text_hex + i);
	strbuf_printf(o, "Coding = %s\n",
		      sz->coding == GSM7_CODING_GSM7 ? "Default_No_Compression"
						     : "Unicode_No_Compression");
	strbuf_printf(o, "Folder = 1\nLength = %zu\nClass = -1\nReplySMSC = False\n", hexlen / 4);
	strbuf_printf(o, "RejectDuplicates = False\nReplaceMessage = 0\nMessageReference = 0\n");
	return !o->overflow;
}

/* Write o to a new temporary file in inbox; its name goes to tmp. */
static bool write_temp(const char *inbox, const struct strbuf *o, char *tmp, size_t tmplen,
		       char *err, size_t errlen)
{
	static unsigned counter;
	struct stat st;
	size_t done = 0;
	ssize_t n;
	int fd;

	snprintf(tmp, tmplen, "%s/.new-%ld-%u", inbox, (long)getpid(), counter++);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (fd < 0)
		goto fail;
	/* root (sawt inject run by the operator) writes for the phone's owner:
	 * the user sawtd runs as, whose modem worker must read the file */
	if (geteuid() == 0 && (stat(inbox, &st) != 0 || fchown(fd, st.st_uid, st.st_gid) != 0))
		goto fail;
	while (done < o->len) {
		n = write(fd, o->buf + done, o->len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		done += (size_t)n;
	}
	/* no fsync: these are test messages for a phone that is a folder, and
	 * a load generator must not be limited by the disk's flush rate */
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	return true;
fail:
	util_seterr(err, errlen, "could not write file \"%s\": %s", tmp, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return false;
}

/* Give the temporary file the lowest free location number, as a SIM does. */
static bool place(const char *inbox, const char *tmp, int *location, char *err, size_t errlen)
{
	char path[4096];

	for (int loc = 1; loc <= DUMMY_INBOX_MAX_LOCATION; loc++) {
		snprintf(path, sizeof(path), "%s/%d", inbox, loc);
		if (link(tmp, path) == 0) {
			if (location)
				*location = loc;
			return true;
		}
		if (errno != EEXIST) {
			util_seterr(err, errlen, "could not create file \"%s\": %s", path,
				    strerror(errno));
			return false;
		}
	}
	util_seterr(err, errlen, "the dummy inbox \"%s\" is full", inbox);
	return false;
}

bool dummy_inbox_write(const char *dir, const struct dummy_sms *sms, int *location, char *err,
		       size_t errlen)
{
	char text[FILE_MAX];
	struct strbuf o;
	struct gsm7_size sz;
	char inbox[4096], tmp[4200];
	bool ok;

	if (!sms_check(sms, &sz, err, errlen))
		return false;
	strbuf_init(&o, text, sizeof(text));
	if (!format_sms(&o, sms, &sz)) {
		util_seterr(err, errlen, "could not format the message");
		return false;
	}
	snprintf(inbox, sizeof(inbox), "%s/sms/1", dir);
	if (!write_temp(inbox, &o, tmp, sizeof(tmp), err, errlen))
		return false;
	ok = place(inbox, tmp, location, err, errlen);
	unlink(tmp);
	return ok;
}

/* Units one code point takes in a coding. */
static size_t cp_units(uint32_t cp, enum gsm7_coding coding)
{
	if (coding == GSM7_CODING_GSM7)
		return (size_t)gsm7_septets(cp);
	return cp > 0xffff ? 2 : 1;
}

/* Length in bytes of the longest prefix of s[0..len) that fits one part. */
static size_t part_len(const char *s, size_t len, enum gsm7_coding coding)
{
	size_t limit = coding == GSM7_CODING_GSM7 ? GSM7_SEPTETS_MULTI : GSM7_UCS2_MULTI;
	size_t pos = 0, units = 0, next;
	uint32_t cp;

	while (pos < len) {
		next = pos;
		if (!utf8_decode(s, len, &next, &cp) || units + cp_units(cp, coding) > limit)
			break;
		units += cp_units(cp, coding);
		pos = next;
	}
	return pos;
}

/* Split text into parts; store each part's offset and length. */
static int split(const char *text, enum gsm7_coding coding, size_t *off, size_t *lens, int max)
{
	size_t len = strlen(text), pos = 0, n;
	int parts = 0;

	while (pos < len) {
		n = part_len(text + pos, len - pos, coding);
		if (n == 0 || parts == max)
			return 0;
		off[parts] = pos;
		lens[parts++] = n;
		pos += n;
	}
	return parts;
}

int dummy_inbox_write_text(const char *dir, const char *sender, const char *text, int64_t smsc_time,
			   uint16_t ref, char *err, size_t errlen)
{
	struct dummy_sms m = { sender, text, smsc_time, 0, 0, 0 };
	size_t off[255], lens[255];
	char part[GSM7_SEPTETS_MULTI * UTF8_MAX_BYTES + 1];
	struct gsm7_size sz;
	int parts;

	if (text == NULL || !gsm7_measure(text, strlen(text), &sz)) {
		util_seterr(err, errlen, "the text is not valid UTF-8");
		return 0;
	}
	if (sz.segments <= 1)
		return dummy_inbox_write(dir, &m, NULL, err, errlen) ? 1 : 0;
	parts = split(text, sz.coding, off, lens, 255);
	if (parts == 0) {
		util_seterr(err, errlen, "the text is too long for 255 SMS parts");
		return 0;
	}
	m.concat_ref = ref;
	m.parts = (uint8_t)parts;
	m.text = part;
	for (int i = 0; i < parts; i++) {
		memcpy(part, text + off[i], lens[i]);
		part[lens[i]] = '\0';
		m.part = (uint8_t)(i + 1);
		if (!dummy_inbox_write(dir, &m, NULL, err, errlen))
			return 0;
	}
	return parts;
}

int dummy_inbox_count(const char *dir)
{
	char path[4096];
	struct dirent *de;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "%s/sms/1", dir);
	d = opendir(path);
	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] >= '1' && de->d_name[0] <= '9' &&
		    strspn(de->d_name, "0123456789") == strlen(de->d_name))
			n++;
	closedir(d);
	return n;
}

/* ---- reading a backup file as Gammu does ---- */

/* One line of text: [*a, *b) without its end of line; false at the end. */
static bool next_line(const char *text, size_t len, size_t *pos, size_t *a, size_t *b)
{
	if (*pos >= len)
		return false;
	*a = *pos;
	while (*pos < len && text[*pos] != '\n')
		(*pos)++;
	*b = *pos;
	if (*b > *a && text[*b - 1] == '\r')
		(*b)--;
	if (*pos < len)
		(*pos)++;
	return true;
}

/* When line [a, b) is "key = value" with key (any case), the value's
 * bounds, spaces trimmed. */
static bool line_key(const char *text, size_t a, size_t b, const char *key, size_t *va, size_t *vb)
{
	size_t k = strlen(key);

	while (a < b && (text[a] == ' ' || text[a] == '\t'))
		a++;
	if (b - a < k || strncasecmp(text + a, key, k) != 0)
		return false;
	a += k;
	while (a < b && (text[a] == ' ' || text[a] == '\t'))
		a++;
	if (a >= b || text[a] != '=')
		return false;
	a++;
	while (a < b && (text[a] == ' ' || text[a] == '\t'))
		a++;
	while (b > a && (text[b - 1] == ' ' || text[b - 1] == '\t'))
		b--;
	*va = a;
	*vb = b;
	return true;
}

static bool is_control_cp(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

/* The sender of NumberUnicode's hex [a, b) as Gammu reads it, faithful
 * units kept and the rest U+FFFD, appended to o as hex; true when every
 * unit was faithful. */
static bool unicode_sender(const char *t, size_t a, size_t b, struct strbuf *o)
{
	uint32_t u[NUMBER_UNITS + 1];
	size_t n = 0;
	bool ok = (b - a) % 4 == 0; /* an empty sender is read as written */

	for (size_t i = a; i < b && n < sizeof(u) / sizeof(u[0]); i += 4) {
		int d[4] = { -1, -1, -1, -1 };

		for (size_t k = 0; k < 4 && i + k < b; k++)
			d[k] = util_hex_digit(t[i + k]);
		u[n++] = d[0] < 0 || d[1] < 0 || d[2] < 0 || d[3] < 0
				 ? 0x110000 /* not hex */
				 : (uint32_t)(d[0] << 12 | d[1] << 8 | d[2] << 4 | d[3]);
	}
	if (n > NUMBER_UNITS) { /* Gammu would cut it: keep what it reads, marked */
		n = NUMBER_UNITS;
		u[n - 1] = 0x110000;
	}
	for (size_t i = 0; i < n; i++) {
		bool high = u[i] >= 0xd800 && u[i] <= 0xdbff;
		bool pair = high && i + 1 < n && u[i + 1] >= 0xdc00 && u[i + 1] <= 0xdfff;

		if (pair) {
			strbuf_printf(o, "%04X%04X", u[i], u[i + 1]);
			i++;
			continue;
		}
		/* U+0000, a control character, a lone surrogate, bad hex */
		if (u[i] == 0 || is_control_cp(u[i]) || (u[i] >= 0xd800 && u[i] <= 0xdfff) ||
		    u[i] > 0xffff) {
			u[i] = 0xfffd;
			ok = false;
		}
		strbuf_printf(o, "%04X", u[i]);
	}
	return ok;
}

/* The sender of Number's value [a, b) (its quotes removed) as Gammu reads
 * it -- printable ASCII only -- appended to o as UCS-2 hex with each
 * character Gammu would not read faithfully as U+FFFD; true when all were
 * read faithfully. */
static bool plain_sender(const char *t, size_t a, size_t b, struct strbuf *o)
{
	size_t pos = a, units = 0;
	bool ok = true; /* an empty sender is read as written */

	if (b - a >= 2 && t[a] == '"' && t[b - 1] == '"') {
		a++;
		b--;
		pos = a;
	}
	while (pos < b) {
		size_t start = pos;
		uint32_t cp;

		if (!utf8_decode(t, b, &pos, &cp)) {
			pos = start + 1;
			cp = 0xfffd;
		}
		if (cp >= 0x80 || is_control_cp(cp))
			ok = false;
		if (is_control_cp(cp))
			cp = 0xfffd;
		units += cp >= 0x10000 ? 2 : 1;
		if (units > NUMBER_UNITS || (units == NUMBER_UNITS && pos < b)) {
			/* Gammu would cut it here: the rest is one mark */
			strbuf_puts(o, "FFFD");
			ok = false;
			break;
		}
		if (cp >= 0x10000) /* as a surrogate pair */
			strbuf_printf(o, "%04X%04X", 0xd800 + ((cp - 0x10000) >> 10),
				      0xdc00 + ((cp - 0x10000) & 0x3ff));
		else
			strbuf_printf(o, "%04X", cp);
	}
	return ok;
}

/* True when line [a, b) of text sets the sender (Number or NumberUnicode). */
static bool sender_line(const char *text, size_t a, size_t b)
{
	size_t va, vb;

	return line_key(text, a, b, "Number", &va, &vb) ||
	       line_key(text, a, b, "NumberUnicode", &va, &vb);
}

enum dummy_sender dummy_inbox_fix_sender(const char *text, size_t len, struct strbuf *out)
{
	size_t pos = 0, a, b, va, vb, num_line = SIZE_MAX, uni_line = SIZE_MAX;
	size_t num_a = 0, num_b = 0, uni_a = 0, uni_b = 0, line = 0, end_line;
	char hexbuf[4 * 256 + 1];
	struct strbuf hex;
	bool faithful, sections = false;

	/* the first section (and what precedes it): its first Number and
	 * NumberUnicode; end_line is the next section's header */
	while (next_line(text, len, &pos, &a, &b)) {
		if (a < b && text[a] == '[') {
			if (sections)
				break;
			sections = true;
		} else if (num_line == SIZE_MAX && line_key(text, a, b, "Number", &va, &vb)) {
			num_line = line, num_a = va, num_b = vb;
		} else if (uni_line == SIZE_MAX &&
			   line_key(text, a, b, "NumberUnicode", &va, &vb)) {
			uni_line = line, uni_a = va, uni_b = vb;
		}
		line++;
	}
	end_line = line;
	if (num_line == SIZE_MAX)
		return DUMMY_SENDER_MISSING;
	strbuf_init(&hex, hexbuf, sizeof(hexbuf));
	faithful = uni_line != SIZE_MAX ? unicode_sender(text, uni_a, uni_b, &hex)
					: plain_sender(text, num_a, num_b, &hex);
	if (faithful && !hex.overflow)
		return DUMMY_SENDER_OK;
	/* the file again, its sender marked: one Number and NumberUnicode
	 * where the first Number was, no other of that section */
	pos = 0;
	line = 0;
	while (next_line(text, len, &pos, &a, &b)) {
		if (line == num_line) {
			strbuf_printf(out, "Number = \"?\"\nNumberUnicode = %s\n", hex.buf);
		} else if (line >= end_line || !sender_line(text, a, b)) {
			strbuf_append(out, text + a, b - a);
			strbuf_puts(out, "\n");
		}
		line++;
	}
	return out->overflow ? DUMMY_SENDER_MISSING : DUMMY_SENDER_FIXED;
}

bool dummy_inbox_fix_file(const char *path, bool *fixed, char *err, size_t errlen)
{
	char in[FILE_MAX], outbuf[FILE_MAX + 1024], dir[4096], tmp[4200];
	struct strbuf o;
	const char *slash = strrchr(path, '/');
	ssize_t n;
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool ok;

	*fixed = false;
	if (fd < 0) {
		util_seterr(err, errlen, "could not open file \"%s\": %s", path, strerror(errno));
		return false;
	}
	while ((n = read(fd, in + len, sizeof(in) - len)) > 0)
		len += (size_t)n;
	close(fd);
	if (n < 0 || len == sizeof(in)) {
		util_seterr(err, errlen, "could not read file \"%s\": %s", path,
			    n < 0 ? strerror(errno) : "too large");
		return false;
	}
	strbuf_init(&o, outbuf, sizeof(outbuf));
	switch (dummy_inbox_fix_sender(in, len, &o)) {
	case DUMMY_SENDER_OK: return true;
	case DUMMY_SENDER_MISSING:
		util_seterr(err, errlen, "file \"%s\" has no readable sender", path);
		return false;
	case DUMMY_SENDER_FIXED: break;
	}
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
	if (!write_temp(dir, &o, tmp, sizeof(tmp), err, errlen))
		return false;
	ok = rename(tmp, path) == 0;
	if (!ok) {
		util_seterr(err, errlen, "could not rename \"%s\" to \"%s\": %s", tmp, path,
			    strerror(errno));
		unlink(tmp);
	}
	*fixed = ok;
	return ok;
}
