/*
 * alert_text.c - the alert catalogue (ar, en, fr) and its rendering; see
 * alert_text.h.
 *
 * Translators: the first template of an entry should fit with typical
 * values; the last must fit with the longest ones (a 9-digit alert id and
 * numbers, a 10-digit station, names cut at 20 characters), which means
 * 70 characters in Arabic.  English and French stay in the GSM 7-bit
 * alphabet (no ç, ê, â, î, ô, û, ï, no typographic quotes); an Arabic
 * area name makes them UCS-2, so keep a last variant without names.
 *
 * Placeholders ({name}; {?name:text} keeps text when name has a value):
 *   alert station area voters women registered prev value pct threshold
 *   count minutes code time stations incident who text text_short
 *   check (impossible_numbers: the figures; conflicting_reports: what)
 *   label (the rule's short name) n breakdown (digests)
 */
#include "alert_text.h"

#include <string.h>

#include "strbuf.h"
#include "template.h"

#define V3(a, b, c) \
	{ \
		a, b, c \
	}

typedef const char *const entry[ALERT_TEXT_VARIANTS];

/* ---- English ------------------------------------------------------------ */

static entry cat_en[ALERT_TEXT_KINDS] = {
	[ALERT_CRITICAL_INCIDENT] = V3(
		"Alert {alert} CRITICAL at {station}{?area: ({area})}: {?incident:{incident}, }incident {code}. Reply ACK {alert}",
		"Alert {alert} CRITICAL at {station}{?area: ({area})}: incident {code}. ACK {alert}",
		"Alert {alert} CRITICAL at {station}: incident {code}. Reply ACK {alert}"),
	[ALERT_SERIOUS_INCIDENTS] = V3(
		"Alert {alert}: {count} serious incident(s){?area: in {area}}{?stations:, at {stations}}. ACK {alert}",
		"Alert {alert}: {count} serious incident(s){?area: in {area}}. ACK {alert}",
		"Alert {alert}: {count} serious incident(s). ACK {alert}"),
	[ALERT_IMPOSSIBLE_NUMBERS] = V3(
		"Alert {alert}: impossible figures at {station}{?area: ({area})}: {check}. Not counted, observer asked to check. ACK {alert}",
		"Alert {alert}: impossible figures at {station}: {check}. ACK {alert}", NULL),
	[ALERT_TURNOUT_HIGH] = V3(
		"Alert {alert}: turnout {pct}% at {station}{?area: ({area})}: {voters} of {registered} registered (threshold {threshold}%). ACK {alert}",
		"Alert {alert}: turnout {pct}% at {station}: {voters} of {registered} registered. ACK {alert}",
		NULL),
	[ALERT_TURNOUT_JUMP] = V3(
		"Alert {alert}: turnout at {station}{?area: ({area})} jumped from {prev} to {voters} voters (+{pct} points of {registered} registered). ACK {alert}",
		"Alert {alert}: turnout at {station} jumped from {prev} to {voters} voters. ACK {alert}",
		NULL),
	[ALERT_WOMEN_SHARE_LOW] = V3(
		"Alert {alert}: women only {pct}% of {voters} voters at {station}{?area: ({area})}, under {threshold}%. ACK {alert}",
		"Alert {alert}: women only {pct}% of {voters} voters at {station}. ACK {alert}",
		NULL),
	[ALERT_WOMEN_SHARE_HIGH] = V3(
		"Alert {alert}: women {pct}% of {voters} voters at {station}{?area: ({area})}, over {threshold}%. ACK {alert}",
		"Alert {alert}: women {pct}% of {voters} voters at {station}. ACK {alert}", NULL),
	[ALERT_WOMEN_MISSING] = V3(
		"Alert {alert}: {station}{?area: ({area})} reports {voters} voters but no women's figure. ACK {alert}",
		"Alert {alert}: {station} reports {voters} voters but no women's figure. ACK {alert}",
		NULL),
	[ALERT_RESULTS_CORRECTED] = V3(
		"Alert {alert}: results of {station}{?area: ({area})} changed by the observer (sum {prev} -> {value}). ACK {alert}",
		"Alert {alert}: results of {station} changed by the observer. ACK {alert}", NULL),
	[ALERT_CONFLICTING_REPORTS] = V3(
		"Alert {alert}: two observers of {station}{?area: ({area})} disagree on {check}: {prev} vs {value}. ACK {alert}",
		"Alert {alert}: two observers of {station} disagree on {check}. ACK {alert}", NULL),
	[ALERT_MISSING_OPENING] = V3(
		"Alert {alert}: {count} station(s){?area: in {area}} not opened by {time}{?stations:: {stations}}. ACK {alert}",
		"Alert {alert}: {count} station(s){?area: in {area}} not opened by {time}. ACK {alert}",
		"Alert {alert}: {count} station(s) not opened by {time}. ACK {alert}"),
	[ALERT_MISSING_TURNOUT] = V3(
		"Alert {alert}: {count} station(s){?area: in {area}} sent no turnout for {time}{?stations:: {stations}}. ACK {alert}",
		"Alert {alert}: {count} station(s){?area: in {area}} sent no turnout for {time}. ACK {alert}",
		"Alert {alert}: {count} station(s) sent no turnout for {time}. ACK {alert}"),
	[ALERT_MISSING_RESULTS] = V3(
		"Alert {alert}: {count} station(s){?area: in {area}} sent no results since the close at {time}{?stations:: {stations}}. ACK {alert}",
		"Alert {alert}: {count} station(s){?area: in {area}} sent no results since the close at {time}. ACK {alert}",
		"Alert {alert}: {count} station(s) sent no results since the close at {time}. ACK {alert}"),
	[ALERT_MODEM_DOWN] =
		V3("Alert {alert}: modem {who} down for {minutes} min. ACK {alert}",
		   "Alert {alert}: a modem is down for {minutes} min. ACK {alert}", NULL),
	[ALERT_LOW_BALANCE] = V3(
		"Alert {alert}: modem {who} airtime balance {value}, under {threshold}. Top it up. ACK {alert}",
		"Alert {alert}: a modem's airtime balance is {value}, under {threshold}. ACK {alert}",
		NULL),
	[ALERT_SPOOL_BACKLOG] = V3(
		"Alert {alert}: {count} message(s) waiting in the spool for {minutes} min: is the database reachable? ACK {alert}",
		NULL, NULL),
	[ALERT_OUTBOX_BACKLOG] = V3(
		"Alert {alert}: {count} SMS waiting to be sent, the oldest for {minutes} min. Check the modems. ACK {alert}",
		NULL, NULL),
	[ALERT_SENDER_FLOOD] = V3(
		"Alert {alert}: {who} sent too many messages; replies to them are stopped for now. ACK {alert}",
		"Alert {alert}: a sender sent too many messages; replies to them are stopped. ACK {alert}",
		NULL),
	[ALERT_CHECKLIST_CHECK] = V3(
		"Alert {alert}: checklist at {station}{?area: ({area})} fails check {text}. ACK {alert}",
		"Alert {alert}: checklist at {station} fails check {text_short}. ACK {alert}",
		"Alert {alert}: checklist at {station} fails a check. ACK {alert}"),
	[ALERT_OTHER] =
		V3("Alert {alert}: {text} (ACK {alert})",
		   "Alert {alert}: {text_short} (ACK {alert})", "Alert {alert}. ACK {alert}"),
	[ALERT_TEXT_ESCALATION] = V3(
		"Escalated: alert {alert}, {label}{?station: at {station}}{?area: ({area})}, not acknowledged for {minutes} min. Reply ACK {alert}",
		"Escalated: alert {alert}, {label}{?station: at {station}}, not acknowledged for {minutes} min. Reply ACK {alert}",
		NULL),
	[ALERT_TEXT_DIGEST] = V3("{n} more alerts{?area: in {area}}: {breakdown}. Reply STATUS",
				 "{n} more alerts{?area: in {area}}. Reply STATUS",
				 "{n} more alerts. Reply STATUS"),
};

static const char *const labels_en[ALERT_RULE_COUNT] = {
	"critical incident",
	"serious incidents",
	"impossible figures",
	"high turnout",
	"turnout jump",
	"low women share",
	"high women share",
	"no women figure",
	"results changed",
	"conflicting reports",
	"not opened",
	"missing turnout",
	"missing results",
	"modem down",
	"low balance",
	"spool backlog",
	"outbox backlog",
	"sender flood",
	"checklist check",
	"other",
};

static const char *const checks_en[] = {
	"W {value} > V {threshold}",
	"M {value} > V {threshold}",
	"V {value} > {threshold} registered",
	"W {value} > {threshold} registered women",
	"results {value} > {threshold} registered",
	"the closing figures",
	"the results",
};

/* ---- French ------------------------------------------------------------- */

static entry cat_fr[ALERT_TEXT_KINDS] = {
	[ALERT_CRITICAL_INCIDENT] = V3(
		"Alerte {alert} CRITIQUE au bureau {station}{?area: ({area})}: {?incident:{incident}, }incident {code}. Répondez OK {alert}",
		"Alerte {alert} CRITIQUE bureau {station}{?area: ({area})}: incident {code}. OK {alert}",
		"Alerte {alert} CRITIQUE au bureau {station}: incident {code}. Répondez OK {alert}"),
	[ALERT_SERIOUS_INCIDENTS] = V3(
		"Alerte {alert}: {count} incident(s) grave(s){?area: à {area}}{?stations:, bureaux {stations}}. OK {alert}",
		"Alerte {alert}: {count} incident(s) grave(s){?area: à {area}}. OK {alert}",
		"Alerte {alert}: {count} incident(s) grave(s). OK {alert}"),
	[ALERT_IMPOSSIBLE_NUMBERS] = V3(
		"Alerte {alert}: chiffres impossibles au bureau {station}{?area: ({area})}: {check}. Non compté, observateur prié de vérifier. OK {alert}",
		"Alerte {alert}: chiffres impossibles au bureau {station}: {check}. OK {alert}",
		NULL),
	[ALERT_TURNOUT_HIGH] = V3(
		"Alerte {alert}: participation {pct}% au bureau {station}{?area: ({area})}: {voters} sur {registered} inscrits (seuil {threshold}%). OK {alert}",
		"Alerte {alert}: participation {pct}% au bureau {station}: {voters} sur {registered} inscrits. OK {alert}",
		NULL),
	[ALERT_TURNOUT_JUMP] = V3(
		"Alerte {alert}: au bureau {station}{?area: ({area})} la participation passe de {prev} à {voters} votants (+{pct} points sur {registered} inscrits). OK {alert}",
		"Alerte {alert}: au bureau {station} la participation passe de {prev} à {voters} votants. OK {alert}",
		NULL),
	[ALERT_WOMEN_SHARE_LOW] = V3(
		"Alerte {alert}: seulement {pct}% de femmes sur {voters} votants au bureau {station}{?area: ({area})}, sous {threshold}%. OK {alert}",
		"Alerte {alert}: seulement {pct}% de femmes sur {voters} votants au bureau {station}. OK {alert}",
		NULL),
	[ALERT_WOMEN_SHARE_HIGH] = V3(
		"Alerte {alert}: {pct}% de femmes sur {voters} votants au bureau {station}{?area: ({area})}, plus de {threshold}%. OK {alert}",
		"Alerte {alert}: {pct}% de femmes sur {voters} votants au bureau {station}. OK {alert}",
		NULL),
	[ALERT_WOMEN_MISSING] = V3(
		"Alerte {alert}: le bureau {station}{?area: ({area})} envoie {voters} votants sans le nombre de femmes. OK {alert}",
		"Alerte {alert}: le bureau {station} envoie {voters} votants sans le nombre de femmes. OK {alert}",
		NULL),
	[ALERT_RESULTS_CORRECTED] = V3(
		"Alerte {alert}: résultats du bureau {station}{?area: ({area})} modifiés par l'observateur (somme {prev} -> {value}). OK {alert}",
		"Alerte {alert}: résultats du bureau {station} modifiés par l'observateur. OK {alert}",
		NULL),
	[ALERT_CONFLICTING_REPORTS] = V3(
		"Alerte {alert}: deux observateurs du bureau {station}{?area: ({area})} divergent sur {check}: {prev} et {value}. OK {alert}",
		"Alerte {alert}: deux observateurs du bureau {station} divergent sur {check}. OK {alert}",
		NULL),
	[ALERT_MISSING_OPENING] = V3(
		"Alerte {alert}: {count} bureau(x){?area: à {area}} non ouvert(s) à {time}{?stations:: {stations}}. OK {alert}",
		"Alerte {alert}: {count} bureau(x){?area: à {area}} non ouvert(s) à {time}. OK {alert}",
		"Alerte {alert}: {count} bureau(x) non ouvert(s) à {time}. OK {alert}"),
	[ALERT_MISSING_TURNOUT] = V3(
		"Alerte {alert}: {count} bureau(x){?area: à {area}} sans participation pour {time}{?stations:: {stations}}. OK {alert}",
		"Alerte {alert}: {count} bureau(x){?area: à {area}} sans participation pour {time}. OK {alert}",
		"Alerte {alert}: {count} bureau(x) sans participation pour {time}. OK {alert}"),
	[ALERT_MISSING_RESULTS] = V3(
		"Alerte {alert}: {count} bureau(x){?area: à {area}} sans résultats depuis la fermeture à {time}{?stations:: {stations}}. OK {alert}",
		"Alerte {alert}: {count} bureau(x){?area: à {area}} sans résultats depuis la fermeture à {time}. OK {alert}",
		"Alerte {alert}: {count} bureau(x) sans résultats depuis la fermeture à {time}. OK {alert}"),
	[ALERT_MODEM_DOWN] =
		V3("Alerte {alert}: modem {who} en panne depuis {minutes} min. OK {alert}",
		   "Alerte {alert}: un modem est en panne depuis {minutes} min. OK {alert}", NULL),
	[ALERT_LOW_BALANCE] = V3(
		"Alerte {alert}: crédit du modem {who} à {value}, sous {threshold}. Rechargez. OK {alert}",
		"Alerte {alert}: crédit d'un modem à {value}, sous {threshold}. OK {alert}", NULL),
	[ALERT_SPOOL_BACKLOG] = V3(
		"Alerte {alert}: {count} message(s) en attente dans le spool depuis {minutes} min: la base est-elle joignable? OK {alert}",
		NULL, NULL),
	[ALERT_OUTBOX_BACKLOG] = V3(
		"Alerte {alert}: {count} SMS en attente d'envoi, le plus ancien depuis {minutes} min. Vérifiez les modems. OK {alert}",
		NULL, NULL),
	[ALERT_SENDER_FLOOD] = V3(
		"Alerte {alert}: {who} envoie trop de messages; les réponses sont suspendues. OK {alert}",
		"Alerte {alert}: un expéditeur envoie trop de messages; les réponses sont suspendues. OK {alert}",
		NULL),
	[ALERT_CHECKLIST_CHECK] = V3(
		"Alerte {alert}: liste du bureau {station}{?area: ({area})}, vérification {text}. OK {alert}",
		"Alerte {alert}: liste du bureau {station}, vérification {text_short}. OK {alert}",
		"Alerte {alert}: liste du bureau {station} à vérifier. OK {alert}"),
	[ALERT_OTHER] =
		V3("Alerte {alert}: {text} (OK {alert})",
		   "Alerte {alert}: {text_short} (OK {alert})", "Alerte {alert}. OK {alert}"),
	[ALERT_TEXT_ESCALATION] = V3(
		"Escalade: alerte {alert}, {label}{?station: au bureau {station}}{?area: ({area})}, sans accusé depuis {minutes} min. Répondez OK {alert}",
		"Escalade: alerte {alert}, {label}{?station: au bureau {station}}, sans accusé depuis {minutes} min. Répondez OK {alert}",
		NULL),
	[ALERT_TEXT_DIGEST] = V3("{n} autres alertes{?area: à {area}}: {breakdown}. Envoyez ETAT",
				 "{n} autres alertes{?area: à {area}}. Envoyez ETAT",
				 "{n} autres alertes. Envoyez ETAT"),
};

static const char *const labels_fr[ALERT_RULE_COUNT] = {
	"incident critique",
	"incidents graves",
	"chiffres impossibles",
	"participation élevée",
	"saut de participation",
	"peu de femmes",
	"beaucoup de femmes",
	"femmes non indiquées",
	"résultats modifiés",
	"rapports divergents",
	"non ouvert",
	"participation manquante",
	"résultats manquants",
	"modem en panne",
	"crédit faible",
	"spool bloqué",
	"SMS en attente",
	"expéditeur abusif",
	"vérification de liste",
	"autre",
};

static const char *const checks_fr[] = {
	"F {value} > V {threshold}",
	"H {value} > V {threshold}",
	"V {value} > {threshold} inscrits",
	"F {value} > {threshold} inscrites",
	"résultats {value} > {threshold} inscrits",
	"la fermeture",
	"les résultats",
};

/* ---- Arabic ------------------------------------------------------------- */

static entry cat_ar[ALERT_TEXT_KINDS] = {
	[ALERT_CRITICAL_INCIDENT] = V3(
		"تنبيه {alert} خطير في {station}{?area: {area}}: {?incident:{incident}، }مخالفة {code}. أرسل تم {alert}",
		"تنبيه {alert} خطير في {station}: {?incident:{incident}، }مخالفة {code}. تم {alert}",
		"تنبيه {alert} خطير في {station}: مخالفة {code}. تم {alert}"),
	[ALERT_SERIOUS_INCIDENTS] = V3(
		"تنبيه {alert}: {count} مخالفة جسيمة{?area: في {area}}{?stations:، المراكز {stations}}. تم {alert}",
		"تنبيه {alert}: {count} مخالفة جسيمة{?area: في {area}}. تم {alert}",
		"تنبيه {alert}: {count} مخالفة جسيمة. تم {alert}"),
	[ALERT_IMPOSSIBLE_NUMBERS] =
		V3("تنبيه {alert}: أرقام مستحيلة في {station}{?area: {area}}: {check}. تم {alert}",
		   "تنبيه {alert}: أرقام مستحيلة في {station}: {check}. تم {alert}",
		   "تنبيه {alert}: {station}: {check}"),
	[ALERT_TURNOUT_HIGH] = V3(
		"تنبيه {alert}: اقتراع {pct}% في {station}{?area: {area}}: {voters} من {registered}. تم {alert}",
		"تنبيه {alert}: اقتراع {pct}% في {station}: {voters} من {registered}. تم {alert}",
		"تنبيه {alert}: اقتراع {pct}% في {station}. تم {alert}"),
	[ALERT_TURNOUT_JUMP] = V3(
		"تنبيه {alert}: قفزة في اقتراع {station}{?area: {area}} من {prev} الى {voters}. تم {alert}",
		"تنبيه {alert}: قفزة في اقتراع {station} من {prev} الى {voters}. تم {alert}",
		"تنبيه {alert}: قفزة {pct} نقطة في اقتراع {station}. تم {alert}"),
	[ALERT_WOMEN_SHARE_LOW] = V3(
		"تنبيه {alert}: النساء {pct}% فقط من {voters} مقترع في {station}{?area: {area}}. تم {alert}",
		"تنبيه {alert}: النساء {pct}% فقط من {voters} في {station}. تم {alert}",
		"تنبيه {alert}: النساء {pct}% فقط في {station}. تم {alert}"),
	[ALERT_WOMEN_SHARE_HIGH] = V3(
		"تنبيه {alert}: النساء {pct}% من {voters} مقترع في {station}{?area: {area}}. تم {alert}",
		"تنبيه {alert}: النساء {pct}% من {voters} في {station}. تم {alert}",
		"تنبيه {alert}: النساء {pct}% في {station}. تم {alert}"),
	[ALERT_WOMEN_MISSING] = V3(
		"تنبيه {alert}: {station}{?area: {area}} أرسل {voters} مقترع دون عدد النساء. تم {alert}",
		"تنبيه {alert}: {station} أرسل {voters} مقترع دون عدد النساء. تم {alert}",
		"تنبيه {alert}: {station} دون عدد النساء. تم {alert}"),
	[ALERT_RESULTS_CORRECTED] = V3(
		"تنبيه {alert}: غير المراقب نتائج {station}{?area: {area}} (المجموع {prev} الى {value}). تم {alert}",
		"تنبيه {alert}: غير المراقب نتائج {station}. تم {alert}", NULL),
	[ALERT_CONFLICTING_REPORTS] = V3(
		"تنبيه {alert}: تعارض مراقبين في {station}{?area: {area}} حول {check}: {prev} و{value}. تم {alert}",
		"تنبيه {alert}: تعارض بين مراقبين في {station} حول {check}. تم {alert}",
		"تنبيه {alert}: تعارض {check} في {station}. تم {alert}"),
	[ALERT_MISSING_OPENING] = V3(
		"تنبيه {alert}: {count} مركز{?area: في {area}} لم يفتح حتى {time}{?stations:: {stations}}. تم {alert}",
		"تنبيه {alert}: {count} مركز{?area: في {area}} لم يفتح حتى {time}. تم {alert}",
		"تنبيه {alert}: {count} مركز لم يفتح حتى {time}. تم {alert}"),
	[ALERT_MISSING_TURNOUT] = V3(
		"تنبيه {alert}: {count} مركز{?area: في {area}} بلا اقتراع {time}{?stations:: {stations}}. تم {alert}",
		"تنبيه {alert}: {count} مركز{?area: في {area}} بلا اقتراع الساعة {time}. تم {alert}",
		"تنبيه {alert}: {count} مركز بلا اقتراع الساعة {time}. تم {alert}"),
	[ALERT_MISSING_RESULTS] = V3(
		"تنبيه {alert}: {count} مركز{?area: في {area}} بلا نتائج منذ {time}{?stations:: {stations}}. تم {alert}",
		"تنبيه {alert}: {count} مركز{?area: في {area}} بلا نتائج منذ {time}. تم {alert}",
		"تنبيه {alert}: {count} مركز بلا نتائج منذ {time}. تم {alert}"),
	[ALERT_MODEM_DOWN] = V3("تنبيه {alert}: المودم {who} متوقف منذ {minutes} دقيقة. تم {alert}",
				"تنبيه {alert}: مودم متوقف منذ {minutes} دقيقة. تم {alert}", NULL),
	[ALERT_LOW_BALANCE] =
		V3("تنبيه {alert}: رصيد المودم {who} {value} أقل من {threshold}. تم {alert}",
		   "تنبيه {alert}: رصيد مودم {value} أقل من {threshold}. تم {alert}", NULL),
	[ALERT_SPOOL_BACKLOG] = V3(
		"تنبيه {alert}: {count} رسالة لم تحفظ منذ {minutes} دقيقة. تحقق من قاعدة البيانات. تم {alert}",
		"تنبيه {alert}: رسائل لم تحفظ منذ {minutes} دقيقة. تم {alert}", NULL),
	[ALERT_OUTBOX_BACKLOG] = V3(
		"تنبيه {alert}: {count} رسالة لم ترسل، أقدمها منذ {minutes} دقيقة. راجع المودم. تم {alert}",
		"تنبيه {alert}: {count} رسالة لم ترسل منذ {minutes} دقيقة. تم {alert}", NULL),
	[ALERT_SENDER_FLOOD] =
		V3("تنبيه {alert}: {who} أرسل رسائل كثيرة وأوقفت الردود عليه مؤقتا. تم {alert}",
		   "تنبيه {alert}: مرسل أرسل رسائل كثيرة فأوقفت الردود. تم {alert}", NULL),
	[ALERT_CHECKLIST_CHECK] =
		V3("تنبيه {alert}: {station}{?area: {area}} فحص {text}. تم {alert}",
		   "تنبيه {alert}: {station} فحص {text_short}. تم {alert}",
		   "تنبيه {alert}: استمارة {station} لم تجتز فحصا. تم {alert}"),
	[ALERT_OTHER] = V3("تنبيه {alert}: {text} (تم {alert})",
			   "تنبيه {alert}: {text_short} (تم {alert})", "تنبيه {alert}. تم {alert}"),
	[ALERT_TEXT_ESCALATION] = V3(
		"تصعيد: التنبيه {alert} ({label}){?station: في {station}}{?area: {area}} بلا تأكيد منذ {minutes} دقيقة. تم {alert}",
		"تصعيد: التنبيه {alert} ({label}) بلا تأكيد منذ {minutes} دقيقة. تم {alert}",
		"تصعيد التنبيه {alert}: بلا تأكيد منذ {minutes} دقيقة. تم {alert}"),
	[ALERT_TEXT_DIGEST] =
		V3("{n} تنبيهات أخرى{?area: في {area}}: {breakdown}. أرسل وضع",
		   "{n} تنبيهات أخرى{?area: في {area}}. أرسل وضع", "{n} تنبيهات أخرى. أرسل وضع"),
};

static const char *const labels_ar[ALERT_RULE_COUNT] = {
	"مخالفة خطيرة", "مخالفات جسيمة", "أرقام مستحيلة",  "اقتراع مرتفع", "قفزة اقتراع",
	"نساء قليلات",  "نساء كثيرات",   "بلا عدد النساء", "نتائج معدلة",  "تقارير متعارضة",
	"لم يفتح",      "اقتراع ناقص",   "نتائج ناقصة",    "مودم متوقف",   "رصيد منخفض",
	"رسائل عالقة",  "رسائل لم ترسل", "مرسل مزعج",      "فحص استمارة", "تنبيه",
};

static const char *const checks_ar[] = {
	"ن{value} > م{threshold}",
	"ر{value} > م{threshold}",
	"م{value} > المسجلين {threshold}",
	"ن{value} > المسجلات {threshold}",
	"النتائج {value} > المسجلين {threshold}",
	"الاغلاق",
	"النتائج",
};

static entry *const catalogues[LANG_COUNT] = { cat_ar, cat_en, cat_fr };
static const char *const *const labels[LANG_COUNT] = { labels_ar, labels_en, labels_fr };
static const char *const *const checks[LANG_COUNT] = { checks_ar, checks_en, checks_fr };

/* The index in checks_* of a sub-kind. */
static int check_index(const char *check)
{
	static const char *const codes[] = {
		"women_exceed_voters",
		"men_exceed_voters",
		"voters_exceed_registered",
		"women_exceed_registered_women",
		"results_exceed_registered",
		"close",
		"results",
	};

	for (int i = 0; i < (int)(sizeof(codes) / sizeof(codes[0])); i++)
		if (strcmp(check, codes[i]) == 0)
			return i;
	return -1;
}

/* ---- rendering ---------------------------------------------------------- */

struct ctx {
	const struct alert *a;
	enum lang lang;
	unsigned minutes; /* escalation */
	unsigned n;       /* digest */
	const char *area; /* digest */
	const char *breakdown;
	int depth;
};

static const struct template_ops ops;

static bool name_is(const char *name, size_t n, const char *want)
{
	return strlen(want) == n && memcmp(name, want, n) == 0;
}

/* A number of the figures by its placeholder name; NULL when not one. */
static const int64_t *number(const struct alert_figures *f, const char *name, size_t n)
{
	static const struct {
		const char *name;
		size_t off;
	} nums[] = {
		{ "voters", offsetof(struct alert_figures, voters) },
		{ "women", offsetof(struct alert_figures, women) },
		{ "registered", offsetof(struct alert_figures, registered) },
		{ "prev", offsetof(struct alert_figures, prev) },
		{ "value", offsetof(struct alert_figures, value) },
		{ "pct", offsetof(struct alert_figures, pct) },
		{ "threshold", offsetof(struct alert_figures, threshold) },
		{ "count", offsetof(struct alert_figures, count) },
		{ "minutes", offsetof(struct alert_figures, minutes) },
		{ "code", offsetof(struct alert_figures, code) },
	};

	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
		if (name_is(name, n, nums[i].name))
			return (const int64_t *)((const char *)f + nums[i].off);
	return NULL;
}

static void capped(struct strbuf *o, const char *s, size_t max)
{
	if (s != NULL)
		template_capped(o, s, strlen(s), max);
}

static void sub_check(const struct ctx *c, struct strbuf *o)
{
	int i = check_index(c->a->f.check);
	struct ctx sub = *c;

	if (i < 0) {
		capped(o, c->a->f.check, ALERT_NAME_CHARS);
		return;
	}
	sub.depth++;
	if (sub.depth < 3)
		template_render(&ops, &sub, checks[c->lang][i], strlen(checks[c->lang][i]), o);
}

static bool subst(void *arg, const char *name, size_t n, struct strbuf *o)
{
	const struct ctx *c = arg;
	const struct alert *a = c->a;
	const int64_t *num = a ? number(&a->f, name, n) : NULL;

	if (name_is(name, n, "minutes") && c->minutes > 0)
		template_uint(o, c->minutes);
	else if (num != NULL)
		template_uint(o, (unsigned long long)(*num < 0 ? 0 : *num));
	else if (name_is(name, n, "alert") && a)
		template_uint(o, (unsigned long long)a->id);
	else if (name_is(name, n, "station") && a)
		strbuf_puts(o, a->station);
	else if (name_is(name, n, "area"))
		capped(o, a ? a->area_name : c->area, ALERT_NAME_CHARS);
	else if (name_is(name, n, "time") && a)
		strbuf_puts(o, a->f.check);
	else if (name_is(name, n, "stations") && a)
		strbuf_puts(o, a->f.stations);
	else if (name_is(name, n, "incident") && a)
		capped(o, a->f.names[c->lang], ALERT_NAME_CHARS);
	else if (name_is(name, n, "who") && a)
		capped(o, a->f.who, ALERT_NAME_CHARS + 4);
	else if (name_is(name, n, "text") && a)
		capped(o, a->f.text, 120);
	else if (name_is(name, n, "text_short") && a)
		capped(o, a->f.text, 40);
	else if (name_is(name, n, "check") && a)
		sub_check(c, o);
	else if (name_is(name, n, "label") && a)
		strbuf_puts(o, alert_text_label(a->rule, c->lang));
	else if (name_is(name, n, "n"))
		template_uint(o, c->n);
	else if (name_is(name, n, "breakdown"))
		strbuf_puts(o, c->breakdown ? c->breakdown : "");
	else
		return false;
	return true;
}

static bool nonempty(const char *s)
{
	return s != NULL && s[0] != '\0';
}

static bool present(void *arg, const char *name, size_t n)
{
	const struct ctx *c = arg;
	const struct alert *a = c->a;
	const int64_t *num = a ? number(&a->f, name, n) : NULL;

	if (name_is(name, n, "minutes") && c->minutes > 0)
		return true;
	if (num != NULL)
		return *num >= 0;
	if (name_is(name, n, "area"))
		return nonempty(a ? a->area_name : c->area);
	if (a == NULL)
		return true;
	if (name_is(name, n, "station"))
		return nonempty(a->station);
	if (name_is(name, n, "stations"))
		return nonempty(a->f.stations);
	if (name_is(name, n, "incident"))
		return nonempty(a->f.names[c->lang]);
	if (name_is(name, n, "who"))
		return nonempty(a->f.who);
	return true;
}

static const struct template_ops ops = { subst, present };

static int render(int kind, struct ctx *c, char *buf, size_t cap, size_t *variant)
{
	if ((unsigned)c->lang >= LANG_COUNT)
		c->lang = LANG_EN;
	return template_render_sms(&ops, c, catalogues[c->lang][kind], ALERT_TEXT_VARIANTS, buf,
				   cap, variant, NULL);
}

int alert_text_render_variant(const struct alert *a, enum lang lang, char *buf, size_t cap,
			      size_t *variant)
{
	struct ctx c = { .a = a, .lang = lang };
	int kind = (unsigned)a->rule < ALERT_RULE_COUNT ? (int)a->rule : ALERT_OTHER;

	return render(kind, &c, buf, cap, variant);
}

int alert_text_render(const struct alert *a, enum lang lang, char *buf, size_t cap)
{
	return alert_text_render_variant(a, lang, buf, cap, NULL);
}

int alert_text_escalation(const struct alert *a, unsigned minutes, enum lang lang, char *buf,
			  size_t cap)
{
	struct ctx c = { .a = a, .lang = lang, .minutes = minutes };

	return render(ALERT_TEXT_ESCALATION, &c, buf, cap, NULL);
}

/* "3 missing turnout, 2 high turnout": the three largest counts, then the
 * rest as "+N". */
static void breakdown(const unsigned counts[ALERT_RULE_COUNT], unsigned n, enum lang lang,
		      char *buf, size_t cap)
{
	bool used[ALERT_RULE_COUNT] = { false };
	unsigned shown = 0;
	struct strbuf o;

	strbuf_init(&o, buf, cap);
	for (int k = 0; k < 3; k++) {
		int best = -1;

		for (int r = 0; r < ALERT_RULE_COUNT; r++)
			if (!used[r] && counts[r] > 0 && (best < 0 || counts[r] > counts[best]))
				best = r;
		if (best < 0)
			break;
		used[best] = true;
		if (k > 0)
			strbuf_puts(&o, lang == LANG_AR ? "، " : ", ");
		template_uint(&o, counts[best]);
		strbuf_puts(&o, " ");
		strbuf_puts(&o, alert_text_label((enum alert_rule)best, lang));
		shown += counts[best];
	}
	if (n > shown) {
		strbuf_puts(&o, lang == LANG_AR ? "، +" : ", +");
		template_uint(&o, n - shown);
	}
}

int alert_text_digest(unsigned n, const unsigned counts[ALERT_RULE_COUNT], const char *area,
		      enum lang lang, char *buf, size_t cap)
{
	char bd[256];
	struct ctx c = { .lang = lang, .n = n, .area = area, .breakdown = bd };

	if ((unsigned)c.lang >= LANG_COUNT)
		c.lang = LANG_EN;
	breakdown(counts, n, c.lang, bd, sizeof(bd));
	return render(ALERT_TEXT_DIGEST, &c, buf, cap, NULL);
}

const char *alert_text_label(enum alert_rule rule, enum lang lang)
{
	if ((unsigned)lang >= LANG_COUNT)
		lang = LANG_EN;
	return labels[lang][(unsigned)rule < ALERT_RULE_COUNT ? rule : ALERT_OTHER];
}

const char *alert_text_template(int kind, enum lang lang, size_t variant)
{
	if (kind < 0 || kind >= ALERT_TEXT_KINDS || (unsigned)lang >= LANG_COUNT ||
	    variant >= ALERT_TEXT_VARIANTS)
		return NULL;
	return catalogues[lang][kind][variant];
}
