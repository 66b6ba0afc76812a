/*
 * reply.c - the reply catalogue (ar, en, fr) and its renderer.
 *
 * Translators: every text must fit one SMS with the longest values (a
 * 10-digit station, 9-digit numbers); tests/unit/test_reply.c checks it.
 * English and French must stay in the GSM 7-bit alphabet, or the limit
 * drops from 160 to 70 characters: no ç, ê, â, î, ô, û, ï, no typographic
 * quotes or apostrophes (é, è, à, ù are fine).  Arabic is UCS-2: 70.
 */
#include "reply.h"

#include <string.h>

#include "strbuf.h"
#include "utf8.h"

struct entry {
	const char *main;
	const char *fallback; /* shorter; NULL when main always fits */
};

/* The codes of the kinds before the parser's; those are parse_error_code()'s
 * (the same order, reply.h). */
_Static_assert(REPLY_KIND_COUNT - REPLY_EMPTY_MESSAGE ==
		       PARSE_ERROR_COUNT - PARSE_ERR_EMPTY_MESSAGE,
	       "the parser's reply kinds follow enum parse_error");

static const char *const kind_codes[REPLY_EMPTY_MESSAGE] = {
	"accepted_open",
	"accepted_turnout",
	"accepted_close",
	"accepted_results",
	"accepted_incident",
	"identical_resend",
	"correction_flagged",
	"help",
	"help_open",
	"help_turnout",
	"help_close",
	"help_results",
	"help_incident",
	"help_status",
	"help_ack",
	"help_review",
	"thanks",
	"status",
	"status_unknown_area",
	"ack",
	"ack_unknown_alert",
	"not_coordinator",
	"review_verified",
	"review_quarantined",
	"review_nothing",
	"review_not_yours",
	"review_no_reason",
	"unknown_sender",
	"station_unknown",
	"station_not_assigned",
	"pin_required",
	"bad_pin",
	"pin_locked",
	"women_exceed_voters",
	"sum_mismatch",
	"voters_exceed_registered",
	"women_exceed_registered_women",
	"wrong_count_number",
	"counts_total_mismatch",
	"results_exceed_registered",
	"unknown_incident_code",
	"men_exceed_voters",
	"contest_required",
	"contest_not_on_ballot",
	"no_contest",
	"outside_window",
};

/* ---- English ------------------------------------------------------------ */

static const struct entry cat_en[REPLY_KIND_COUNT] = {
	[REPLY_ACCEPTED_OPEN] = { "OK {station}: opening{?time: at {time}} recorded. Thank you.",
				  NULL },
	[REPLY_ACCEPTED_TURNOUT] = { "OK {station}: {voters} voters{?women:, {women} women{?share: ({share}%)}}{?men:, {men} men}",
				     NULL },
	[REPLY_ACCEPTED_CLOSE] = { "OK {station} closed: {voters} voters, {women} women{?share: ({share}%)}{?men:, {men} men}. Thank you.",
				   NULL },
	[REPLY_ACCEPTED_RESULTS] = { "OK {station}{?contest: {contest}} results: {counts} (sum {sum}){?total:, V {total}}",
				     "OK {station} results: {n} numbers, sum {sum}{?total:, V {total}}" },
	[REPLY_ACCEPTED_INCIDENT] = { "OK {station}: incident {code} recorded. Thank you.", NULL },
	[REPLY_IDENTICAL_RESEND] = { "Already received for {station}. It is not counted twice.",
				     NULL },
	[REPLY_CORRECTION_FLAGGED] = { "OK {station}: correction saved ({voters} voters, lower than your last report). It will be checked.",
				       NULL },
	[REPLY_HELP] = { "T stn V voters W women M men | C stn V W M (close) | O stn HHMM | R stn counts | I stn code text | add #PIN. HELP T for more",
			 NULL },
	[REPLY_HELP_OPEN] = { "Opening: O station time. Ex: O 1021 0705", NULL },
	[REPLY_HELP_TURNOUT] = { "Turnout so far: T station V voters W women M men. Ex: T 1021 V420 W190 M230",
				 NULL },
	[REPLY_HELP_CLOSE] = { "At close: C station V voters W women M men. Ex: C 1021 V610 W270 M340",
			       NULL },
	[REPLY_HELP_RESULTS] = { "Results: R station, votes of each candidate in ballot order, then invalid, then blank. Ex: R 1021 120 340 55 12 3",
				 NULL },
	[REPLY_HELP_INCIDENT] = { "Incident: I station code text. Ex: I 1021 3 vote buying at the door",
				  NULL },
	[REPLY_HELP_STATUS] = { "Coordinators: STATUS or STATUS area for reporting progress.",
				NULL },
	[REPLY_HELP_ACK] = { "Coordinators: ACK and the alert number to acknowledge it. Ex: ACK 17",
			     NULL },
	[REPLY_HELP_REVIEW] = { "Coordinators: VERIFY station to count its reports waiting for review; QUAR station reason to take its latest out of the totals.",
				"Coordinators: VERIFY station, or QUAR station reason." },
	[REPLY_THANKS] = { "Thank you. Send HELP for the formats.", NULL },
	/* the area after the first words: a reply in English starts left to
	 * right even when the area's name is Arabic */
	[REPLY_STATUS] = { "{reported}/{stations} {?area:reported in {area}}{!area:stations reported}, turnout {turnout}%, women {women_pct}%, {incidents} incidents",
			   "{reported}/{stations} stations reported, turnout {turnout}%, women {women_pct}%, {incidents} incidents" },
	[REPLY_STATUS_UNKNOWN_AREA] = { "Unknown area \"{area}\". Send STATUS alone for your whole area.",
					"Unknown area. Send STATUS alone for your whole area." },
	[REPLY_ACK] = { "Alert {alert} acknowledged. Thank you.", NULL },
	[REPLY_ACK_UNKNOWN_ALERT] = { "No alert {alert} for you. Check the number.", NULL },
	[REPLY_NOT_COORDINATOR] = { "STATUS, ACK, VERIFY and QUAR are for coordinators only.",
				    NULL },
	[REPLY_REVIEW_VERIFIED] = { "Station {station}: the reports waiting for review are verified and counted. Thank you.",
				    "Station {station}: reports verified." },
	[REPLY_REVIEW_QUARANTINED] = { "Station {station}: its latest report is quarantined, out of the totals. Send VERIFY {station} to count it again.",
				       "Station {station}: latest report quarantined." },
	[REPLY_REVIEW_NOTHING] = { "Station {station}: no report to review.", NULL },
	[REPLY_REVIEW_NOT_YOURS] = { "Station {station} is not in your areas.", NULL },
	[REPLY_REVIEW_NO_REASON] = { "Give a reason: QUAR {station} reason", NULL },
	[REPLY_UNKNOWN_SENDER] = { "This phone is not registered as an observer. Please contact your coordinator.",
				   NULL },
	[REPLY_STATION_UNKNOWN] = { "Station {station} does not exist. Check the number and resend.",
				    NULL },
	[REPLY_STATION_NOT_ASSIGNED] = { "Station {station} is not assigned to you. Check the number or contact your coordinator.",
					 NULL },
	[REPLY_PIN_REQUIRED] = { "PIN missing: add # and your PIN. Ex: {example} #1234", NULL },
	[REPLY_BAD_PIN] = { "Wrong PIN, not counted. After 3 wrong PINs it is locked for {minutes} min.",
			    NULL },
	[REPLY_PIN_LOCKED] = { "PIN locked for {minutes} min after 3 wrong tries. Message recorded but not counted. Resend later.",
			       NULL },
	[REPLY_WOMEN_EXCEED_VOTERS] = { "Not counted: {station} W {women} is more than V {voters}. Check and resend.",
					NULL },
	[REPLY_SUM_MISMATCH] = { "Not counted: {station} W {women} + M {men} = {sum}, not V {voters}. Check and resend.",
				 NULL },
	[REPLY_VOTERS_EXCEED_REGISTERED] = { "Not counted: V {voters} is more than the {registered} voters registered at {station}. Check and resend.",
					     NULL },
	[REPLY_WOMEN_EXCEED_REGISTERED_WOMEN] = { "Not counted: W {women} is more than the {registered} women registered at {station}. Check and resend.",
						  NULL },
	[REPLY_WRONG_COUNT_NUMBER] = { "Not counted: {n} numbers for {station}{?contest: {contest}}, {expected} expected: each candidate in ballot order, then invalid, then blank.",
				       "Not counted: {n} numbers for {station}, {expected} expected: each candidate in ballot order, then invalid, then blank." },
	[REPLY_COUNTS_TOTAL_MISMATCH] = { "Not counted: {station} counts add up to {sum}, not V {total}. Check and resend.",
					  NULL },
	[REPLY_RESULTS_EXCEED_REGISTERED] = { "Not counted: {station} results add up to {sum}, more than the {registered} registered. Check and resend.",
					      NULL },
	[REPLY_UNKNOWN_INCIDENT_CODE] = { "Unknown incident code {code}. Check your code card and resend.",
					  NULL },
	[REPLY_MEN_EXCEED_VOTERS] = { "Not counted: {station} M {men} is more than V {voters}. Check and resend.",
				      NULL },
	[REPLY_CONTEST_REQUIRED] = { "Not counted: {station} has several contests. Add the contest code from your card after the station number and resend.",
				     NULL },
	[REPLY_CONTEST_NOT_ON_BALLOT] = { "Not counted: contest \"{token}\" is not on the ballot of {station}. Check the code on your card and resend.",
					  "Not counted: that contest is not on the ballot of {station}. Check the code on your card and resend." },
	[REPLY_NO_CONTEST] = { "Not counted: no contest is registered for {station}. Please tell your coordinator.",
			       NULL },
	[REPLY_OUTSIDE_WINDOW] = { "Nothing saved for {station}: this checklist is not sent at this hour.",
				   NULL },
	[REPLY_EMPTY_MESSAGE] = { "Empty message. Send HELP for the formats.", NULL },
	[REPLY_MESSAGE_TOO_LONG] = { "Message too long. Send one short report per SMS. Send HELP for the formats.",
				     NULL },
	[REPLY_INVALID_UTF8] = { "Your message could not be read. Please type it again and resend.",
				 NULL },
	[REPLY_CONTROL_CHARACTER] = { "Your message has hidden characters. Please type it again and resend.",
				      NULL },
	[REPLY_MISSING_KEYWORD] = { "Start with a keyword: T turnout, C close, O open, R results, I incident. Ex: {example}",
				    NULL },
	[REPLY_UNKNOWN_KEYWORD] = { "Unknown word \"{token}\". Start with T, C, O, R, I or HELP. Ex: {example}",
				    "Unknown first word. Start with T, C, O, R, I or HELP. Ex: {example}" },
	[REPLY_MISSING_STATION] = { "Station number missing. Ex: {example}", NULL },
	[REPLY_BAD_STATION] = { "Station \"{token}\" is not valid: up to 10 digits. Ex: {example}",
				"Station number not valid: up to 10 digits. Ex: {example}" },
	[REPLY_MISSING_NUMBER] = { "No number after {field}. Ex: {example}", NULL },
	[REPLY_BAD_NUMBER] = { "\"{token}\" is not a number, for {field}. Ex: {example}",
			       "Not a number for {field}. Ex: {example}" },
	[REPLY_NUMBER_TOO_LARGE] = { "\"{token}\" is too large for {field}: 9 digits at most. Check and resend.",
				     "Number too large for {field}: 9 digits at most. Check and resend." },
	[REPLY_MISSING_FIELD] = { "{field} missing. Ex: {example}", NULL },
	[REPLY_DUPLICATE_FIELD] = { "{field} given twice. Send it once. Ex: {example}", NULL },
	[REPLY_MISSING_LABEL] = { "Number \"{token}\" has no letter. Write V before voters, W before women, M before men. Ex: {example}",
				  "A number has no letter. Write V before voters, W before women, M before men. Ex: {example}" },
	[REPLY_UNKNOWN_LABEL] = { "Unknown letter in \"{token}\". Use V voters, W women, M men. Ex: {example}",
				  "Unknown letter. Use V voters, W women, M men. Ex: {example}" },
	[REPLY_UNEXPECTED_TOKEN] = { "Not understood: \"{token}\". Ex: {example}",
				     "Part of the message was not understood. Ex: {example}" },
	[REPLY_BAD_TIME] = { "Time \"{token}\" is not valid. Use HHMM, 24 hours. Ex: {example}",
			     "Time not valid. Use HHMM, 24 hours. Ex: {example}" },
	[REPLY_MALFORMED_PIN] = { "PIN \"{token}\" is not valid: # then 4 to 8 digits, e.g. #1234",
				  "PIN not valid: # then 4 to 8 digits, e.g. #1234" },
	[REPLY_TOO_MANY_COUNTS] = { "Too many numbers (32 at most). Send one contest per SMS. Ex: {example}",
				    NULL },
	[REPLY_BAD_CONTEST] = { "Contest code \"{token}\" is not valid. Ex: {example}",
				"Contest code not valid. Ex: {example}" },
};

/* ---- French ------------------------------------------------------------- */

static const struct entry cat_fr[REPLY_KIND_COUNT] = {
	[REPLY_ACCEPTED_OPEN] = { "OK {station}: ouverture{?time: à {time}} enregistrée. Merci.",
				  NULL },
	[REPLY_ACCEPTED_TURNOUT] = { "OK {station}: {voters} votants{?women:, {women} femmes{?share: ({share}%)}}{?men:, {men} hommes}",
				     NULL },
	[REPLY_ACCEPTED_CLOSE] = { "OK {station} fermé: {voters} votants, {women} femmes{?share: ({share}%)}{?men:, {men} hommes}. Merci.",
				   NULL },
	[REPLY_ACCEPTED_RESULTS] = { "OK {station}{?contest: {contest}} résultats: {counts} (somme {sum}){?total:, V {total}}",
				     "OK {station} résultats: {n} nombres, somme {sum}{?total:, V {total}}" },
	[REPLY_ACCEPTED_INCIDENT] = { "OK {station}: incident {code} enregistré. Merci.", NULL },
	[REPLY_IDENTICAL_RESEND] = { "Déjà enregistré pour {station}. Il n'est pas compté deux fois.",
				     NULL },
	[REPLY_CORRECTION_FLAGGED] = { "OK {station}: correction enregistrée ({voters} votants, moins que votre dernier envoi). Elle sera vérifiée.",
				       NULL },
	[REPLY_HELP] = { "P bur V votants F femmes H hommes | F bur V F H (fermeture) | OUV bur HHMM | RES bur voix | INC bur code texte | ajoutez #PIN. AIDE P pour plus",
			 NULL },
	[REPLY_HELP_OPEN] = { "Ouverture: OUV bureau heure. Ex: OUV 1021 0705", NULL },
	[REPLY_HELP_TURNOUT] = { "Participation: P bureau V votants F femmes H hommes. Ex: P 1021 V420 F190 H230",
				 NULL },
	[REPLY_HELP_CLOSE] = { "Fermeture: F bureau V votants F femmes H hommes. Ex: F 1021 V610 F270 H340",
			       NULL },
	[REPLY_HELP_RESULTS] = { "Résultats: RES bureau, voix de chaque candidat dans l'ordre du bulletin, puis nuls, puis blancs. Ex: RES 1021 120 340 55 12 3",
				 NULL },
	[REPLY_HELP_INCIDENT] = { "Incident: INC bureau code texte. Ex: INC 1021 3 achat de voix",
				  NULL },
	[REPLY_HELP_STATUS] = { "Coordinateurs: ETAT ou ETAT zone pour l'avancement des rapports.",
				NULL },
	[REPLY_HELP_ACK] = { "Coordinateurs: OK et le numéro de l'alerte pour en accuser réception. Ex: OK 17",
			     NULL },
	[REPLY_HELP_REVIEW] = { "Coordinateurs: VERIF bureau compte ses rapports en attente; QUAR bureau raison retire le dernier des totaux.",
				"Coordinateurs: VERIF bureau, ou QUAR bureau raison." },
	[REPLY_THANKS] = { "Merci. Envoyez AIDE pour les formats.", NULL },
	[REPLY_STATUS] = { "{reported}/{stations} bureaux{?area: à {area}}, participation {turnout}%, femmes {women_pct}%, {incidents} incidents",
			   "{reported}/{stations} bureaux, participation {turnout}%, femmes {women_pct}%, {incidents} incidents" },
	[REPLY_STATUS_UNKNOWN_AREA] = { "Zone inconnue: \"{area}\". Envoyez ETAT seul pour toute votre zone.",
					"Zone inconnue. Envoyez ETAT seul pour toute votre zone." },
	[REPLY_ACK] = { "Alerte {alert} prise en compte. Merci.", NULL },
	[REPLY_ACK_UNKNOWN_ALERT] = { "Pas d'alerte {alert} pour vous. Vérifiez le numéro.", NULL },
	[REPLY_NOT_COORDINATOR] = { "ETAT, OK, VERIF et QUAR sont réservés aux coordinateurs.",
				    NULL },
	[REPLY_REVIEW_VERIFIED] = { "Bureau {station}: les rapports en attente sont vérifiés et comptés. Merci.",
				    "Bureau {station}: rapports vérifiés." },
	[REPLY_REVIEW_QUARANTINED] = { "Bureau {station}: dernier rapport en quarantaine, hors des totaux. VERIF {station} pour le compter à nouveau.",
				       "Bureau {station}: dernier rapport en quarantaine." },
	[REPLY_REVIEW_NOTHING] = { "Bureau {station}: aucun rapport à revoir.", NULL },
	[REPLY_REVIEW_NOT_YOURS] = { "Le bureau {station} n'est pas dans vos zones.", NULL },
	[REPLY_REVIEW_NO_REASON] = { "Donnez une raison: QUAR {station} raison", NULL },
	[REPLY_UNKNOWN_SENDER] = { "Ce téléphone n'est pas enregistré comme observateur. Contactez votre coordinateur.",
				   NULL },
	[REPLY_STATION_UNKNOWN] = { "Le bureau {station} n'existe pas. Vérifiez le numéro et renvoyez.",
				    NULL },
	[REPLY_STATION_NOT_ASSIGNED] = { "Le bureau {station} ne vous est pas attribué. Vérifiez le numéro ou contactez votre coordinateur.",
					 NULL },
	[REPLY_PIN_REQUIRED] = { "PIN manquant: ajoutez # et votre PIN. Ex: {example} #1234",
				 NULL },
	[REPLY_BAD_PIN] = { "PIN erroné, non compté. Après 3 PIN erronés il est bloqué {minutes} min.",
			    NULL },
	[REPLY_PIN_LOCKED] = { "PIN bloqué {minutes} min après 3 erreurs. Message enregistré mais non compté. Renvoyez plus tard.",
			       NULL },
	[REPLY_WOMEN_EXCEED_VOTERS] = { "Non compté: {station} F {women} dépasse V {voters}. Vérifiez et renvoyez.",
					NULL },
	[REPLY_SUM_MISMATCH] = { "Non compté: {station} F {women} + H {men} = {sum}, pas V {voters}. Vérifiez et renvoyez.",
				 NULL },
	[REPLY_VOTERS_EXCEED_REGISTERED] = { "Non compté: V {voters} dépasse les {registered} inscrits de {station}. Vérifiez et renvoyez.",
					     NULL },
	[REPLY_WOMEN_EXCEED_REGISTERED_WOMEN] = { "Non compté: F {women} dépasse les {registered} femmes inscrites de {station}. Vérifiez et renvoyez.",
						  NULL },
	[REPLY_WRONG_COUNT_NUMBER] = { "Non compté: {n} nombres pour {station}{?contest: {contest}}, {expected} attendus: chaque candidat dans l'ordre, puis nuls, puis blancs.",
				       "Non compté: {n} nombres pour {station}, {expected} attendus: chaque candidat dans l'ordre, puis nuls, puis blancs." },
	[REPLY_COUNTS_TOTAL_MISMATCH] = { "Non compté: la somme de {station} est {sum}, pas V {total}. Vérifiez et renvoyez.",
					  NULL },
	[REPLY_RESULTS_EXCEED_REGISTERED] = { "Non compté: la somme de {station} est {sum}, plus que les {registered} inscrits. Vérifiez et renvoyez.",
					      NULL },
	[REPLY_UNKNOWN_INCIDENT_CODE] = { "Code d'incident {code} inconnu. Vérifiez votre carte des codes et renvoyez.",
					  NULL },
	[REPLY_MEN_EXCEED_VOTERS] = { "Non compté: {station} H {men} dépasse V {voters}. Vérifiez et renvoyez.",
				      NULL },
	[REPLY_CONTEST_REQUIRED] = { "Non compté: {station} a plusieurs scrutins. Ajoutez le code du scrutin (voir votre carte) après le numéro et renvoyez.",
				     NULL },
	[REPLY_CONTEST_NOT_ON_BALLOT] = { "Non compté: le scrutin \"{token}\" n'est pas au bureau {station}. Vérifiez le code sur votre carte et renvoyez.",
					  "Non compté: ce scrutin n'est pas au bureau {station}. Vérifiez le code sur votre carte et renvoyez." },
	[REPLY_NO_CONTEST] = { "Non compté: aucun scrutin n'est enregistré pour {station}. Prévenez votre coordinateur.",
			       NULL },
	[REPLY_OUTSIDE_WINDOW] = { "Rien enregistré pour {station}: cette liste ne s'envoie pas à cette heure.",
				   NULL },
	[REPLY_EMPTY_MESSAGE] = { "Message vide. Envoyez AIDE pour les formats.", NULL },
	[REPLY_MESSAGE_TOO_LONG] = { "Message trop long. Un rapport court par SMS. Envoyez AIDE pour les formats.",
				     NULL },
	[REPLY_INVALID_UTF8] = { "Votre message est illisible. Retapez-le et renvoyez-le.", NULL },
	[REPLY_CONTROL_CHARACTER] = { "Votre message contient des caractères cachés. Retapez-le et renvoyez-le.",
				      NULL },
	[REPLY_MISSING_KEYWORD] = { "Commencez par un mot-clé: P participation, F fermeture, OUV ouverture, RES résultats, INC incident. Ex: {example}",
				    NULL },
	[REPLY_UNKNOWN_KEYWORD] = { "Mot inconnu \"{token}\". Commencez par P, F, OUV, RES, INC ou AIDE. Ex: {example}",
				    "Premier mot inconnu. Commencez par P, F, OUV, RES, INC ou AIDE. Ex: {example}" },
	[REPLY_MISSING_STATION] = { "Numéro de bureau manquant. Ex: {example}", NULL },
	[REPLY_BAD_STATION] = { "Bureau \"{token}\" non valide: 10 chiffres au plus. Ex: {example}",
				"Numéro de bureau non valide: 10 chiffres au plus. Ex: {example}" },
	[REPLY_MISSING_NUMBER] = { "Pas de nombre après {field}. Ex: {example}", NULL },
	[REPLY_BAD_NUMBER] = { "\"{token}\" n'est pas un nombre, pour {field}. Ex: {example}",
			       "Pas un nombre pour {field}. Ex: {example}" },
	[REPLY_NUMBER_TOO_LARGE] = { "\"{token}\" est trop grand pour {field}: 9 chiffres au plus. Vérifiez et renvoyez.",
				     "Nombre trop grand pour {field}: 9 chiffres au plus. Vérifiez et renvoyez." },
	[REPLY_MISSING_FIELD] = { "{field} manquant. Ex: {example}", NULL },
	[REPLY_DUPLICATE_FIELD] = { "{field} donné deux fois. Envoyez-le une fois. Ex: {example}",
				    NULL },
	[REPLY_MISSING_LABEL] = { "Le nombre \"{token}\" n'a pas de lettre. V votants, F femmes, H hommes. Ex: {example}",
				  "Un nombre n'a pas de lettre. V votants, F femmes, H hommes. Ex: {example}" },
	[REPLY_UNKNOWN_LABEL] = { "Lettre inconnue dans \"{token}\". V votants, F femmes, H hommes. Ex: {example}",
				  "Lettre inconnue. V votants, F femmes, H hommes. Ex: {example}" },
	[REPLY_UNEXPECTED_TOKEN] = { "Pas compris: \"{token}\". Ex: {example}",
				     "Une partie du message n'est pas comprise. Ex: {example}" },
	[REPLY_BAD_TIME] = { "Heure \"{token}\" non valide. Format HHMM sur 24 heures. Ex: {example}",
			     "Heure non valide. Format HHMM sur 24 heures. Ex: {example}" },
	[REPLY_MALFORMED_PIN] = { "PIN \"{token}\" non valide: # puis 4 à 8 chiffres, ex: #1234",
				  "PIN non valide: # puis 4 à 8 chiffres, ex: #1234" },
	[REPLY_TOO_MANY_COUNTS] = { "Trop de nombres (32 au plus). Un scrutin par SMS. Ex: {example}",
				    NULL },
	[REPLY_BAD_CONTEST] = { "Code de scrutin \"{token}\" non valide. Ex: {example}",
				"Code de scrutin non valide. Ex: {example}" },
};

/* ---- Arabic ------------------------------------------------------------- */

static const struct entry cat_ar[REPLY_KIND_COUNT] = {
	[REPLY_ACCEPTED_OPEN] = { "تم {station}: سجل الافتتاح{?time: الساعة {time}}. شكرا", NULL },
	[REPLY_ACCEPTED_TURNOUT] = { "تم {station}: {voters} مقترع{?women:، {women} امرأة{?share: ({share}%)}}{?men:، {men} رجل}",
				     "تم {station}: م{voters}{?women: ن{women}{?share: ({share}%)}}{?men: ر{men}}" },
	[REPLY_ACCEPTED_CLOSE] = { "تم اغلاق {station}: {voters} مقترع، {women} امرأة{?share: ({share}%)}{?men:، {men} رجل}",
				   "تم اغلاق {station}: م{voters} ن{women}{?share: ({share}%)}{?men: ر{men}}" },
	[REPLY_ACCEPTED_RESULTS] = { "تم {station}{?contest: {contest}}: {counts} (المجموع {sum}){?total: م{total}}",
				     "تم {station}: {n} ارقام، المجموع {sum}{?total: م{total}}" },
	[REPLY_ACCEPTED_INCIDENT] = { "تم {station}: سجلت المخالفة {code}. شكرا", NULL },
	[REPLY_IDENTICAL_RESEND] = { "وصل تقرير {station} سابقا ولن يحسب مرتين", NULL },
	[REPLY_CORRECTION_FLAGGED] = { "تم {station}: حفظ التصحيح ({voters} مقترع، أقل من السابق) وسيراجع",
				       NULL },
	[REPLY_HELP] = { "الصيغ: ق/اغلاق/فتح/ف/ح + رقم القلم. مثال: ق 1021 م420 ن190. مساعده ق",
			 NULL },
	[REPLY_HELP_OPEN] = { "الافتتاح: فتح القلم الساعة. مثال: فتح 1021 0705", NULL },
	[REPLY_HELP_TURNOUT] = { "ق القلم م المقترعون ن النساء ر الرجال. مثال: ق 1021 م420 ن190 ر230",
				 NULL },
	[REPLY_HELP_CLOSE] = { "اغلاق القلم م المقترعون ن النساء ر الرجال. مثال: اغلاق 1021 م610 ن270",
			       NULL },
	[REPLY_HELP_RESULTS] = { "النتائج: ف القلم أصوات المرشحين بالترتيب ثم الملغاة ثم البيضاء",
				 NULL },
	[REPLY_HELP_INCIDENT] = { "مخالفة: ح القلم الرمز نص. مثال: ح 1021 3 شراء أصوات", NULL },
	[REPLY_HELP_STATUS] = { "للمنسقين: وضع أو وضع المنطقة لمعرفة سير التبليغ", NULL },
	[REPLY_HELP_ACK] = { "للمنسقين: تم ورقم التنبيه لتأكيد استلامه. مثال: تم 17", NULL },
	[REPLY_HELP_REVIEW] = { "للمنسقين: تحقق رقم القلم، او حجر رقم القلم السبب", NULL },
	[REPLY_THANKS] = { "شكرا لك. أرسل مساعدة لمعرفة الصيغ", NULL },
	[REPLY_STATUS] = { "{?area:{area}: }{reported}/{stations} قلم، الاقتراع {turnout}%، النساء {women_pct}%، مخالفات {incidents}",
			   "{reported}/{stations} قلم، اقتراع {turnout}%، نساء {women_pct}%، مخالفات {incidents}" },
	[REPLY_STATUS_UNKNOWN_AREA] = { "منطقة غير معروفة «{area}». أرسل وضع وحدها لكل منطقتك",
					"منطقة غير معروفة. أرسل وضع وحدها لكل منطقتك" },
	[REPLY_ACK] = { "تم تأكيد استلام التنبيه {alert}. شكرا", NULL },
	[REPLY_ACK_UNKNOWN_ALERT] = { "لا يوجد تنبيه {alert} لك. تحقق من الرقم", NULL },
	[REPLY_NOT_COORDINATOR] = { "وضع وتم وتحقق وحجر للمنسقين فقط", NULL },
	[REPLY_REVIEW_VERIFIED] = { "القلم {station}: تم التحقق من التقارير المنتظرة واحتسابها. شكرا",
				    "القلم {station}: تم التحقق" },
	[REPLY_REVIEW_QUARANTINED] = { "القلم {station}: حجر آخر تقرير وخرج من المجاميع. ارسل تحقق {station} لاحتسابه",
				       "القلم {station}: حجر آخر تقرير" },
	[REPLY_REVIEW_NOTHING] = { "القلم {station}: لا تقرير للمراجعة", NULL },
	[REPLY_REVIEW_NOT_YOURS] = { "القلم {station} ليس في مناطقك", NULL },
	[REPLY_REVIEW_NO_REASON] = { "اذكر السبب: حجر {station} السبب", NULL },
	[REPLY_UNKNOWN_SENDER] = { "هذا الهاتف غير مسجل كمراقب. اتصل بمنسقك", NULL },
	[REPLY_STATION_UNKNOWN] = { "القلم {station} غير موجود. تحقق من الرقم وأعد الإرسال", NULL },
	[REPLY_STATION_NOT_ASSIGNED] = { "القلم {station} ليس من أقلامك. تحقق من الرقم أو اتصل بمنسقك",
					 NULL },
	[REPLY_PIN_REQUIRED] = { "الرمز السري ناقص. أضف # والرمز. مثال: {example} #1234", NULL },
	[REPLY_BAD_PIN] = { "رمز سري خاطئ، لم يحتسب. بعد 3 اخطاء يقفل {minutes} دقيقة", NULL },
	[REPLY_PIN_LOCKED] = { "الرمز مقفل {minutes} دقيقة بعد 3 اخطاء. سجلت الرسالة ولم تحتسب",
			       NULL },
	[REPLY_WOMEN_EXCEED_VOTERS] = { "لم يحتسب {station}: ن{women} أكثر من م{voters}. تحقق وأعد الإرسال",
					NULL },
	[REPLY_SUM_MISMATCH] = { "لم يحتسب {station}: ن{women}+ر{men}={sum} وليس م{voters}", NULL },
	[REPLY_VOTERS_EXCEED_REGISTERED] = { "لم يحتسب {station}: م{voters} أكثر من المسجلين {registered}",
					     NULL },
	[REPLY_WOMEN_EXCEED_REGISTERED_WOMEN] = { "لم يحتسب {station}: ن{women} أكثر من المسجلات {registered}",
						  NULL },
	[REPLY_WRONG_COUNT_NUMBER] = { "لم يحتسب: {n} ارقام والمطلوب {expected}: المرشحون ثم الملغاة ثم البيضاء",
				       NULL },
	[REPLY_COUNTS_TOTAL_MISMATCH] = { "لم يحتسب {station}: مجموع الارقام {sum} وليس م{total}. تحقق",
					  NULL },
	[REPLY_RESULTS_EXCEED_REGISTERED] = { "لم يحتسب {station}: المجموع {sum} أكثر من المسجلين {registered}",
					      NULL },
	[REPLY_UNKNOWN_INCIDENT_CODE] = { "رمز مخالفة غير معروف {code}. راجع بطاقة الرموز", NULL },
	[REPLY_MEN_EXCEED_VOTERS] = { "لم يحتسب {station}: ر{men} أكثر من م{voters}. تحقق وأعد الإرسال",
				      NULL },
	[REPLY_CONTEST_REQUIRED] = { "لم يحتسب {station}: أكثر من انتخاب. أضف رمز الانتخاب بعد رقم القلم",
				     NULL },
	[REPLY_CONTEST_NOT_ON_BALLOT] = { "لم يحتسب: الانتخاب «{token}» غير موجود في {station}. تحقق من الرمز",
					  "لم يحتسب: هذا الانتخاب غير موجود في {station}. تحقق من الرمز" },
	[REPLY_NO_CONTEST] = { "لم يحتسب: لا انتخاب مسجل للقلم {station}. أبلغ منسقك", NULL },
	[REPLY_OUTSIDE_WINDOW] = { "لم يحفظ شيء {station}: لا ترسل هذه الاستمارة في هذه الساعة", NULL },
	[REPLY_EMPTY_MESSAGE] = { "رسالة فارغة. أرسل مساعده لمعرفة الصيغ", NULL },
	[REPLY_MESSAGE_TOO_LONG] = { "الرسالة طويلة جدا. أرسل تقريرا قصيرا واحدا في كل رسالة",
				     NULL },
	[REPLY_INVALID_UTF8] = { "تعذرت قراءة رسالتك. أعد كتابتها وإرسالها", NULL },
	[REPLY_CONTROL_CHARACTER] = { "في رسالتك رموز مخفية. أعد كتابتها وإرسالها", NULL },
	[REPLY_MISSING_KEYWORD] = { "ابدأ بكلمة: ق، اغلاق، فتح، ف، ح. مثال: {example}", NULL },
	[REPLY_UNKNOWN_KEYWORD] = { "كلمة غير معروفة «{token}». ابدأ بـ ق أو اغلاق أو فتح أو ف أو ح",
				    "كلمة اولى غير معروفة. ابدأ بـ ق أو اغلاق أو فتح أو ف أو ح" },
	[REPLY_MISSING_STATION] = { "رقم القلم ناقص. مثال: {example}", NULL },
	[REPLY_BAD_STATION] = { "رقم القلم «{token}» غير صحيح. مثال: {example}",
				"رقم القلم غير صحيح. مثال: {example}" },
	[REPLY_MISSING_NUMBER] = { "لا عدد بعد {field}. مثال: {example}", NULL },
	[REPLY_BAD_NUMBER] = { "{field}: «{token}» ليس عددا. مثال: {example}",
			       "{field}: ليس عددا. مثال: {example}" },
	[REPLY_NUMBER_TOO_LARGE] = { "{field}: «{token}» كبير جدا، 9 ارقام كحد اقصى",
				     "{field}: عدد كبير جدا، 9 ارقام كحد اقصى" },
	[REPLY_MISSING_FIELD] = { "{field} ناقص. مثال: {example}", NULL },
	[REPLY_DUPLICATE_FIELD] = { "{field} مكرر. ارسله مرة واحدة. مثال: {example}", NULL },
	[REPLY_MISSING_LABEL] = { "العدد «{token}» بلا حرف: م للمقترعين، ن للنساء، ر للرجال",
				  "عدد بلا حرف: م للمقترعين، ن للنساء، ر للرجال" },
	[REPLY_UNKNOWN_LABEL] = { "حرف غير معروف «{token}». م للمقترعين، ن للنساء، ر للرجال",
				  "حرف غير معروف. م للمقترعين، ن للنساء، ر للرجال" },
	[REPLY_UNEXPECTED_TOKEN] = { "لم نفهم «{token}». مثال: {example}",
				     "لم نفهم جزءا من الرسالة. مثال: {example}" },
	[REPLY_BAD_TIME] = { "الوقت «{token}» غير صحيح. مثال: {example}",
			     "الوقت غير صحيح. مثال: {example}" },
	[REPLY_MALFORMED_PIN] = { "الرمز السري «{token}» غير صحيح: # ثم 4 الى 8 ارقام",
				  "الرمز السري غير صحيح: # ثم 4 الى 8 ارقام" },
	[REPLY_TOO_MANY_COUNTS] = { "ارقام كثيرة (32 كحد اقصى). أرسل كل انتخاب في رسالة", NULL },
	[REPLY_BAD_CONTEST] = { "رمز الانتخاب «{token}» غير صحيح. مثال: {example}",
				"رمز الانتخاب غير صحيح. مثال: {example}" },
};

static const struct entry *const catalogues[LANG_COUNT] = { cat_ar, cat_en, cat_fr };

/* Examples by form (PARSE_FORM_NONE shows turnout); {station} is the
 * observer's own station when known. */
static const char *const examples[LANG_COUNT][PARSE_FORM_COUNT] = {
	[LANG_AR] = {
		"ق {station} م420 ن190", "فتح {station} 0705", "ق {station} م420 ن190",
		"اغلاق {station} م610 ن270", "ف {station} 120 340 12 3",
		"ح {station} 3 نص", "مساعده", "وضع بيروت", "تم 17",
		"تحقق {station}", "حجر {station} سبب",
	},
	[LANG_EN] = {
		"T {station} V420 W190", "O {station} 0705", "T {station} V420 W190",
		"C {station} V610 W270", "R {station} 120 340 55 12 3",
		"I {station} 3 text", "HELP", "STATUS Beirut", "ACK 17",
		"VERIFY {station}", "QUAR {station} reason",
	},
	[LANG_FR] = {
		"P {station} V420 F190", "OUV {station} 0705", "P {station} V420 F190",
		"F {station} V610 F270", "RES {station} 120 340 55 12 3",
		"INC {station} 3 texte", "AIDE", "ETAT Beyrouth", "OK 17",
		"VERIF {station}", "QUAR {station} raison",
	},
};

static const char *const field_words[LANG_COUNT][PARSE_FIELD_COUNT] = {
	[LANG_AR] = {
		"الحقل", "رقم القلم", "م (المقترعون)", "ن (النساء)", "ر (الرجال)",
		"م (المجموع)", "الارقام", "رمز المخالفة", "رقم التنبيه", "الوقت",
		"الرمز السري", "رمز الانتخاب",
	},
	[LANG_EN] = {
		"A field", "Station number", "V (voters)", "W (women)", "M (men)",
		"V (total)", "The counts", "Incident code", "Alert number", "Time",
		"PIN", "Contest code",
	},
	[LANG_FR] = {
		"Champ", "Numéro de bureau", "V (votants)", "F (femmes)", "H (hommes)",
		"V (total)", "Les voix", "Code d'incident", "Numéro d'alerte", "Heure",
		"PIN", "Code de scrutin",
	},
};

/* ---- rendering ---------------------------------------------------------- */

struct ctx {
	enum lang lang;
	const struct reply_args *a;
	int depth;
};

enum ph {
	PH_STATION,
	PH_CONTEST,
	PH_TIME,
	PH_VOTERS,
	PH_WOMEN,
	PH_MEN,
	PH_SHARE,
	PH_TOTAL,
	PH_COUNTS,
	PH_N,
	PH_SUM,
	PH_CODE,
	PH_ALERT,
	PH_TOKEN,
	PH_AREA,
	PH_FIELD,
	PH_EXAMPLE,
	PH_EXPECTED,
	PH_REGISTERED,
	PH_MINUTES,
	PH_REPORTED,
	PH_STATIONS,
	PH_TURNOUT,
	PH_WOMEN_PCT,
	PH_INCIDENTS,
	PH_UNKNOWN,
};

static const char *const ph_names[PH_UNKNOWN] = {
	"station",  "contest", "time",      "voters",    "women",      "men",     "share",
	"total",    "counts",  "n",         "sum",       "code",       "alert",   "token",
	"area",     "field",   "example",   "expected",  "registered", "minutes", "reported",
	"stations", "turnout", "women_pct", "incidents",
};

static const uint8_t ph_lens[PH_UNKNOWN] = {
	7, 7, 4, 6, 5, 3, 5, 5, 6, 1, 3, 4, 5, 5, 4, 5, 7, 8, 10, 7, 8, 8, 7, 9, 9,
};

static enum ph ph_lookup(const char *name, size_t n)
{
	for (int i = 0; i < PH_UNKNOWN; i++)
		if (ph_lens[i] == n && ph_names[i][0] == name[0] &&
		    memcmp(ph_names[i], name, n) == 0)
			return (enum ph)i;
	return PH_UNKNOWN;
}

static void emit_str(struct strbuf *o, const char *s)
{
	if (s != NULL)
		strbuf_append(o, s, strlen(s));
}

static void emit_uint(struct strbuf *o, uint32_t v)
{
	char tmp[12];
	size_t n = sizeof(tmp);

	do {
		tmp[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	strbuf_append(o, tmp + n, sizeof(tmp) - n);
}

/* At most max code points of s, ".." when cut. */
static void emit_capped(struct strbuf *o, const char *s, size_t len, size_t max)
{
	size_t pos = 0, chars = 0;

	while (pos < len && chars < max) {
		pos++;
		while (pos < len && ((unsigned char)s[pos] & 0xc0) == 0x80)
			pos++;
		chars++;
	}
	strbuf_append(o, s, pos);
	if (pos < len)
		strbuf_append(o, "..", 2);
}

static void emit_time(struct strbuf *o, const char *t)
{
	if (t == NULL || strlen(t) != 4) {
		emit_str(o, t);
		return;
	}
	strbuf_append(o, t, 2);
	strbuf_append(o, ":", 1);
	strbuf_append(o, t + 2, 2);
}

static void emit_counts(struct strbuf *o, const struct reply_args *a)
{
	for (size_t i = 0; i < a->n_counts; i++) {
		if (i > 0)
			strbuf_append(o, " ", 1);
		emit_uint(o, a->counts[i]);
	}
}

static bool nonempty(const char *s)
{
	return s != NULL && s[0] != '\0';
}

static bool present(const struct reply_args *a, enum ph ph)
{
	switch (ph) {
	case PH_STATION: return nonempty(a->station);
	case PH_CONTEST: return nonempty(a->contest);
	case PH_TIME: return nonempty(a->time);
	case PH_VOTERS: return a->has & PARSE_HAS_VOTERS;
	case PH_WOMEN: return a->has & PARSE_HAS_WOMEN;
	case PH_MEN: return a->has & PARSE_HAS_MEN;
	case PH_TOTAL: return a->has & PARSE_HAS_TOTAL;
	case PH_SHARE:
		return (a->has & PARSE_HAS_WOMEN) && (a->has & PARSE_HAS_VOTERS) &&
		       parse_share_pct(a->women, a->voters) >= 0;
	case PH_TOKEN: return a->token != NULL && a->token_len > 0;
	case PH_AREA: return a->area != NULL && a->area_len > 0;
	case PH_COUNTS: return a->n_counts > 0;
	default: return true;
	}
}

static void render(const struct ctx *c, const char *t, size_t len, struct strbuf *o);

static void emit_example(const struct ctx *c, struct strbuf *o)
{
	unsigned form = (unsigned)c->a->form < PARSE_FORM_COUNT ? c->a->form : 0;
	const char *ex = examples[c->lang][form];
	struct ctx sub = *c;

	sub.depth++;
	if (sub.depth < 3)
		render(&sub, ex, strlen(ex), o);
}

static void subst(const struct ctx *c, enum ph ph, struct strbuf *o)
{
	const struct reply_args *a = c->a;

	switch (ph) {
	case PH_STATION: emit_str(o, nonempty(a->station) ? a->station : "1021"); break;
	case PH_CONTEST: emit_str(o, a->contest); break;
	case PH_TIME: emit_time(o, a->time); break;
	case PH_VOTERS: emit_uint(o, a->voters); break;
	case PH_WOMEN: emit_uint(o, a->women); break;
	case PH_MEN: emit_uint(o, a->men); break;
	case PH_SHARE: emit_uint(o, (uint32_t)parse_share_pct(a->women, a->voters)); break;
	case PH_TOTAL: emit_uint(o, a->total); break;
	case PH_COUNTS: emit_counts(o, a); break;
	case PH_N: emit_uint(o, (uint32_t)a->n_counts); break;
	case PH_SUM: emit_uint(o, a->sum); break;
	case PH_CODE: emit_uint(o, a->code); break;
	case PH_ALERT: emit_uint(o, a->alert_id); break;
	case PH_TOKEN: emit_capped(o, a->token, a->token_len, REPLY_TOKEN_CHARS); break;
	case PH_AREA: emit_capped(o, a->area, a->area_len, REPLY_AREA_CHARS); break;
	case PH_FIELD:
		emit_str(o, field_words[c->lang]
				       [(unsigned)a->field < PARSE_FIELD_COUNT ? a->field : 0]);
		break;
	case PH_EXAMPLE: emit_example(c, o); break;
	case PH_EXPECTED: emit_uint(o, a->expected); break;
	case PH_REGISTERED: emit_uint(o, a->registered); break;
	case PH_MINUTES: emit_uint(o, a->minutes); break;
	case PH_REPORTED: emit_uint(o, a->reported); break;
	case PH_STATIONS: emit_uint(o, a->stations); break;
	case PH_TURNOUT: emit_uint(o, a->turnout_pct); break;
	case PH_WOMEN_PCT: emit_uint(o, a->women_pct); break;
	case PH_INCIDENTS: emit_uint(o, a->incidents); break;
	case PH_UNKNOWN: break; /* render() shows it as typed */
	}
}

/* The index of the '}' closing the '{' at t[i]; len when unbalanced. */
static size_t closing(const char *t, size_t len, size_t i)
{
	int depth = 0;

	for (; i < len; i++) {
		if (t[i] == '{')
			depth++;
		else if (t[i] == '}' && --depth == 0)
			return i;
	}
	return len;
}

/* {?name:body} at t[i..end]: body is rendered when name is present;
 * {!name:body}: when it is absent. */
static void conditional(const struct ctx *c, const char *t, size_t i, size_t end, struct strbuf *o)
{
	const char *colon = memchr(t + i, ':', end - i);
	enum ph ph;

	if (colon == NULL) {
		strbuf_append(o, t + i, end + 1 - i); /* shows up in the tests */
		return;
	}
	ph = ph_lookup(t + i + 2, (size_t)(colon - (t + i + 2)));
	if (ph == PH_UNKNOWN)
		strbuf_append(o, t + i, end + 1 - i);
	else if (present(c->a, ph) == (t[i + 1] == '?'))
		render(c, colon + 1, (size_t)(t + end - colon - 1), o);
}

static void render(const struct ctx *c, const char *t, size_t len, struct strbuf *o)
{
	size_t i = 0, run = 0;

	while (i < len) {
		size_t end;

		if (t[i] != '{') {
			i++;
			continue;
		}
		strbuf_append(o, t + run, i - run);
		end = closing(t, len, i);
		if (end >= len)
			return;
		if (t[i + 1] == '?' || t[i + 1] == '!') {
			conditional(c, t, i, end, o);
		} else {
			enum ph ph = ph_lookup(t + i + 1, end - i - 1);

			if (ph == PH_UNKNOWN)
				strbuf_append(o, t + i,
					      end + 1 - i); /* a typo shows in the tests */
			else
				subst(c, ph, o);
		}
		i = run = end + 1;
	}
	strbuf_append(o, t + run, len - run);
}

/* Render one template; false when it does not fit the buffer. */
static bool render_one(enum lang lang, const struct reply_args *a, const char *tpl, char *buf,
		       size_t cap, size_t *len)
{
	struct ctx c = { lang, a, 0 };
	struct strbuf o;

	strbuf_init(&o, buf, cap);
	render(&c, tpl, strlen(tpl), &o);
	if (o.overflow)
		return false;
	*len = o.len;
	return true;
}

int reply_render(enum reply_kind kind, enum lang lang, const struct reply_args *a, char *buf,
		 size_t cap, struct reply_info *info)
{
	const struct entry *e;
	struct gsm7_size size = { GSM7_CODING_GSM7, 0, 0, 1 };
	size_t len = 0;
	bool fits;

	if ((unsigned)kind >= REPLY_KIND_COUNT || cap == 0)
		return -1;
	if ((unsigned)lang >= LANG_COUNT)
		lang = LANG_EN;
	e = &catalogues[lang][kind];
	fits = render_one(lang, a, e->main, buf, cap, &len) && gsm7_measure(buf, len, &size) &&
	       size.segments == 1;
	if (!fits && e->fallback != NULL) {
		if (!render_one(lang, a, e->fallback, buf, cap, &len) ||
		    !gsm7_measure(buf, len, &size))
			return -1;
	} else if (!fits && (len == 0 || !gsm7_measure(buf, len, &size))) {
		return -1;
	}
	if (info != NULL) {
		info->fallback = !fits && e->fallback != NULL;
		info->size = size;
	}
	return (int)len;
}

const char *reply_template(enum reply_kind kind, enum lang lang, bool fallback)
{
	if ((unsigned)kind >= REPLY_KIND_COUNT || (unsigned)lang >= LANG_COUNT)
		return NULL;
	return fallback ? catalogues[lang][kind].fallback : catalogues[lang][kind].main;
}

int reply_example(enum lang lang, enum parse_form form, const char *station, char *buf, size_t cap)
{
	struct reply_args a = { 0 };
	size_t len = 0;

	if ((unsigned)lang >= LANG_COUNT || (unsigned)form >= PARSE_FORM_COUNT || cap == 0)
		return -1;
	a.station = station;
	if (!render_one(lang, &a, examples[lang][form], buf, cap, &len))
		return -1;
	return (int)len;
}

const char *reply_kind_code(enum reply_kind kind)
{
	if ((unsigned)kind < REPLY_EMPTY_MESSAGE)
		return kind_codes[kind];
	if ((unsigned)kind < REPLY_KIND_COUNT)
		return parse_error_code(
			(enum parse_error)(PARSE_ERR_EMPTY_MESSAGE + (kind - REPLY_EMPTY_MESSAGE)));
	return "unknown";
}

bool reply_kind_from_code(const char *code, enum reply_kind *out)
{
	for (int i = 0; i < REPLY_KIND_COUNT; i++) {
		if (code != NULL && strcmp(code, reply_kind_code((enum reply_kind)i)) == 0) {
			*out = (enum reply_kind)i;
			return true;
		}
	}
	return false;
}

enum reply_kind reply_kind_for_error(enum parse_error err)
{
	if (err <= PARSE_OK || (unsigned)err >= PARSE_ERROR_COUNT)
		return REPLY_UNEXPECTED_TOKEN;
	return (enum reply_kind)(REPLY_EMPTY_MESSAGE + (err - PARSE_ERR_EMPTY_MESSAGE));
}

bool reply_kind_for_msg(const struct parse_msg *m, enum reply_kind *out)
{
	static const enum reply_kind help[PARSE_FORM_COUNT] = {
		REPLY_HELP,         REPLY_HELP_OPEN,     REPLY_HELP_TURNOUT, REPLY_HELP_CLOSE,
		REPLY_HELP_RESULTS, REPLY_HELP_INCIDENT, REPLY_HELP,         REPLY_HELP_STATUS,
		REPLY_HELP_ACK,     REPLY_HELP_REVIEW,   REPLY_HELP_REVIEW,
	};

	if (m->error != PARSE_OK) {
		*out = reply_kind_for_error(m->error);
		return true;
	}
	switch (m->form) {
	case PARSE_FORM_OPEN: *out = REPLY_ACCEPTED_OPEN; return true;
	case PARSE_FORM_TURNOUT: *out = REPLY_ACCEPTED_TURNOUT; return true;
	case PARSE_FORM_CLOSE: *out = REPLY_ACCEPTED_CLOSE; return true;
	case PARSE_FORM_RESULTS: *out = REPLY_ACCEPTED_RESULTS; return true;
	case PARSE_FORM_INCIDENT: *out = REPLY_ACCEPTED_INCIDENT; return true;
	case PARSE_FORM_HELP:
		*out = help[(m->has & PARSE_HAS_TOPIC) && (unsigned)m->topic < PARSE_FORM_COUNT
				    ? m->topic
				    : 0];
		return true;
	default: return false;
	}
}

void reply_args_from_msg(struct reply_args *a, const struct parse_msg *m, const char *input,
			 size_t len)
{
	uint64_t sum = 0;

	memset(a, 0, sizeof(*a));
	a->form = m->form;
	a->field = m->err_field;
	a->has = m->has & (PARSE_HAS_VOTERS | PARSE_HAS_WOMEN | PARSE_HAS_MEN | PARSE_HAS_TOTAL);
	a->station = (m->has & PARSE_HAS_STATION) ? m->station : NULL;
	a->contest = (m->has & PARSE_HAS_CONTEST) ? m->contest : NULL;
	a->time = (m->has & PARSE_HAS_TIME) ? m->time : NULL;
	if (m->error != PARSE_OK && (size_t)m->err_span.off + m->err_span.len <= len) {
		a->token = input + m->err_span.off;
		a->token_len = m->err_span.len;
	}
	if ((m->has & PARSE_HAS_AREA) && (size_t)m->area.off + m->area.len <= len) {
		a->area = input + m->area.off;
		a->area_len = m->area.len;
	}
	a->counts = m->counts;
	a->n_counts = m->n_counts;
	for (size_t i = 0; i < m->n_counts; i++)
		sum += m->counts[i];
	if (m->form != PARSE_FORM_RESULTS)
		sum = (uint64_t)m->women + m->men;
	a->sum = sum > UINT32_MAX ? UINT32_MAX : (uint32_t)sum;
	a->voters = m->voters;
	a->women = m->women;
	a->men = m->men;
	a->total = m->total;
	a->code = m->code;
	a->alert_id = m->alert_id;
}

enum lang reply_lang(int registered, const struct parse_msg *m)
{
	if (registered >= 0 && registered < LANG_COUNT)
		return (enum lang)registered;
	return m->lang;
}
