/*
 * ussd_menu.c - the observers' USSD menu; see ussd_menu.h.
 *
 * The screens are a catalogue of templates (template.h syntax), one per
 * text and language, each with an optional shorter fallback; the menu is a
 * table of the steps of each form.  A session is a walk: every input is
 * applied in turn to the state the previous ones led to.
 */
#include "ussd_menu.h"

#include <stdio.h>
#include <string.h>

#include "checklist.h"
#include "checklist_decide.h"
#include "checklist_parse.h"
#include "gsm7.h"
#include "parse.h"
#include "strbuf.h"
#include "template.h"
#include "utf8.h"

/* ==== the catalogue ==== */

enum ussd_text {
	/* prompts */
	UT_PIN = 0,
	UT_STATION,
	UT_STATION_CODE,
	UT_MAIN,
	UT_CONTEST,
	UT_VOTERS,
	UT_WOMEN,
	UT_MEN,
	UT_CANDIDATE,
	UT_INVALID,
	UT_BLANK,
	UT_INC_CODE,
	UT_INC_TEXT,
	UT_CONFIRM_TURNOUT,
	UT_CONFIRM_CLOSE,
	UT_CONFIRM_RESULTS,
	UT_CONFIRM_INCIDENT,
	/* ends */
	UT_SENT,
	UT_CANCELLED,
	UT_HELP,
	UT_UNKNOWN,
	UT_PIN_LOCKED,
	UT_NO_STATION,
	UT_TOO_LONG,
	UT_EXPIRED,
	UT_BUSY,
	/* reasons a value is asked again */
	UE_CHOICE,
	UE_NUMBER,
	UE_BAD_PIN,
	UE_STATION,
	UE_TEXT,
	UE_OVER_REGISTERED,
	UE_OVER_VOTERS,
	UE_SUM,
	UE_WOMEN_REGISTERED,
	UE_RESULTS_REGISTERED,
	UE_INCIDENT,
	UE_OTHER,
	/* last report */
	UT_LAST,
	UT_LAST_NONE,
	UT_LAST_FAILED,
	UT_OUT_ACCEPTED,
	UT_OUT_FLAGGED,
	UT_OUT_REJECTED,
	/* the forms' names in UT_SENT and UT_LAST */
	UT_FORM_OPEN,
	UT_FORM_TURNOUT,
	UT_FORM_CLOSE,
	UT_FORM_RESULTS,
	UT_FORM_INCIDENT,
	/* checklists */
	UT_CK_FORMS,
	UT_CK_YESNO,
	UT_CK_CHOICE,
	UT_CK_MULTI,
	UT_CK_INTEGER,
	UT_CK_TEXT,
	UT_CK_CONFIRM,
	UT_CK_SENT,
	UE_CK_VALUE,
	UE_CK_WINDOW,
};
#define UT_COUNT (UE_CK_WINDOW + 1)
#define UT_NONE (-1)

struct text_def {
	const char *main;
	const char *fallback; /* NULL: none */
};

static const char *const text_names[UT_COUNT] = {
	[UT_PIN] = "pin",
	[UT_STATION] = "station",
	[UT_STATION_CODE] = "station_code",
	[UT_MAIN] = "main",
	[UT_CONTEST] = "contest",
	[UT_VOTERS] = "voters",
	[UT_WOMEN] = "women",
	[UT_MEN] = "men",
	[UT_CANDIDATE] = "candidate",
	[UT_INVALID] = "invalid",
	[UT_BLANK] = "blank",
	[UT_INC_CODE] = "incident_code",
	[UT_INC_TEXT] = "incident_text",
	[UT_CONFIRM_TURNOUT] = "confirm_turnout",
	[UT_CONFIRM_CLOSE] = "confirm_close",
	[UT_CONFIRM_RESULTS] = "confirm_results",
	[UT_CONFIRM_INCIDENT] = "confirm_incident",
	[UT_SENT] = "sent",
	[UT_CANCELLED] = "cancelled",
	[UT_HELP] = "help",
	[UT_UNKNOWN] = "unknown",
	[UT_PIN_LOCKED] = "pin_locked",
	[UT_NO_STATION] = "no_station",
	[UT_TOO_LONG] = "too_long",
	[UT_EXPIRED] = "expired",
	[UT_BUSY] = "busy",
	[UE_CHOICE] = "err_choice",
	[UE_NUMBER] = "err_number",
	[UE_BAD_PIN] = "err_bad_pin",
	[UE_STATION] = "err_station",
	[UE_TEXT] = "err_text",
	[UE_OVER_REGISTERED] = "err_over_registered",
	[UE_OVER_VOTERS] = "err_over_voters",
	[UE_SUM] = "err_sum",
	[UE_WOMEN_REGISTERED] = "err_women_registered",
	[UE_RESULTS_REGISTERED] = "err_results_registered",
	[UE_INCIDENT] = "err_incident",
	[UE_OTHER] = "err_other",
	[UT_LAST] = "last",
	[UT_LAST_NONE] = "last_none",
	[UT_LAST_FAILED] = "last_failed",
	[UT_OUT_ACCEPTED] = "outcome_accepted",
	[UT_OUT_FLAGGED] = "outcome_flagged",
	[UT_OUT_REJECTED] = "outcome_rejected",
	[UT_FORM_OPEN] = "form_open",
	[UT_FORM_TURNOUT] = "form_turnout",
	[UT_FORM_CLOSE] = "form_close",
	[UT_FORM_RESULTS] = "form_results",
	[UT_FORM_INCIDENT] = "form_incident",
	[UT_CK_FORMS] = "checklist_forms",
	[UT_CK_YESNO] = "checklist_yesno",
	[UT_CK_CHOICE] = "checklist_choice",
	[UT_CK_MULTI] = "checklist_multi",
	[UT_CK_INTEGER] = "checklist_integer",
	[UT_CK_TEXT] = "checklist_text",
	[UT_CK_CONFIRM] = "checklist_confirm",
	[UT_CK_SENT] = "checklist_sent",
	[UE_CK_VALUE] = "err_checklist_value",
	[UE_CK_WINDOW] = "err_checklist_window",
};

/* clang-format off */
static const struct text_def texts_en[UT_COUNT] = {
	[UT_PIN] = { "Enter your PIN:", NULL },
	[UT_STATION] = { "Choose your station:", NULL },
	[UT_STATION_CODE] = { "Enter your station number:", NULL },
	[UT_MAIN] = { "Station {station}\n1 Turnout\n2 Close\n3 Results\n4 Incident\n5 Last report\n6 Help{?checklists:\n7 Checklists}", NULL },
	[UT_CONTEST] = { "Choose the contest:", NULL },
	[UT_VOTERS] = { "Number of voters at {station}:", "Voters:" },
	[UT_WOMEN] = { "Number of women:", NULL },
	[UT_MEN] = { "Number of men:", NULL },
	[UT_CANDIDATE] = { "{contest} candidate {k} of {n}: votes?", "Candidate {k}/{n} votes:" },
	[UT_INVALID] = { "Invalid ballots:", NULL },
	[UT_BLANK] = { "Blank ballots:", NULL },
	[UT_INC_CODE] = { "Incident code (see your card):", NULL },
	[UT_INC_TEXT] = { "Short description (0 for none):", NULL },
	[UT_CONFIRM_TURNOUT] = { "Turnout {station}: voters {voters}, women {women}{?men:, men {men}}\n1 Send\n2 Cancel", NULL },
	[UT_CONFIRM_CLOSE] = { "Close {station}: voters {voters}, women {women}{?men:, men {men}}\n1 Send\n2 Cancel", NULL },
	[UT_CONFIRM_RESULTS] = { "Results {station} {contest}: {counts}\n1 Send\n2 Cancel",
				 "Results {station} {contest}: {n} numbers, sum {sum}\n1 Send\n2 Cancel" },
	[UT_CONFIRM_INCIDENT] = { "Incident {code} at {station}{?text:: {text}}\n1 Send\n2 Cancel",
				  "Incident {code} at {station}\n1 Send\n2 Cancel" },
	[UT_SENT] = { "Sent: {form} for {station} recorded. Thank you.", NULL },
	[UT_CANCELLED] = { "Cancelled: nothing was sent.", NULL },
	[UT_HELP] = { "Choose by number, check the summary, then Send. To correct a report, send it again: the latest counts.{?contact: Help: {contact}}", NULL },
	[UT_UNKNOWN] = { "This number is not registered.{?contact: Call {contact}.}", NULL },
	[UT_PIN_LOCKED] = { "PIN locked after 3 wrong PINs. Try again in 30 minutes.", NULL },
	[UT_NO_STATION] = { "No station is assigned to you.{?contact: Call {contact}.}", NULL },
	[UT_TOO_LONG] = { "Session too long. Dial again.", NULL },
	[UT_EXPIRED] = { "Session expired. Dial again.", NULL },
	[UT_BUSY] = { "Service busy. Try again in a minute.", NULL },
	[UE_CHOICE] = { "Invalid choice.", NULL },
	[UE_NUMBER] = { "Enter a number.", NULL },
	[UE_BAD_PIN] = { "Wrong PIN.", NULL },
	[UE_STATION] = { "Not your station.", NULL },
	[UE_TEXT] = { "Text not accepted.", NULL },
	[UE_OVER_REGISTERED] = { "More than the {registered} registered.", NULL },
	[UE_OVER_VOTERS] = { "More than the {voters} voters.", NULL },
	[UE_SUM] = { "Women + men must make {voters}.", NULL },
	[UE_WOMEN_REGISTERED] = { "More than the {registered} registered women.", NULL },
	[UE_RESULTS_REGISTERED] = { "Sum {sum} is over the {registered} registered.", NULL },
	[UE_INCIDENT] = { "Unknown incident code.", NULL },
	[UE_OTHER] = { "Not accepted: {code}.", NULL },
	[UT_LAST] = { "Your last report: {form} for {station} at {time}, {outcome}.", NULL },
	[UT_LAST_NONE] = { "No report from you yet.", NULL },
	[UT_LAST_FAILED] = { "Cannot check now. Try again later.", NULL },
	[UT_OUT_ACCEPTED] = { "accepted", NULL },
	[UT_OUT_FLAGGED] = { "accepted with a flag", NULL },
	[UT_OUT_REJECTED] = { "not accepted", NULL },
	[UT_FORM_OPEN] = { "opening", NULL },
	[UT_FORM_TURNOUT] = { "turnout", NULL },
	[UT_FORM_CLOSE] = { "close", NULL },
	[UT_FORM_RESULTS] = { "results", NULL },
	[UT_FORM_INCIDENT] = { "incident", NULL },
	[UT_CK_FORMS] = { "Checklist for {station}:", NULL },
	[UT_CK_YESNO] = { "{q} {label}\n1 Yes\n2 No{?skip:\n0 Skip}", "{q} {label_short}\n1 Yes 2 No{?skip: 0 Skip}" },
	[UT_CK_CHOICE] = { "{q} {label}{?skip:\n0 Skip}", "{q} {label_short}{?skip: (0 Skip)}" },
	[UT_CK_MULTI] = { "{q} {label} (several, e.g. 13){?skip:\n0 Skip}", "{q} {label_short} (e.g. 13){?skip: 0 Skip}" },
	[UT_CK_INTEGER] = { "{q} {label} ({min}-{max}):", "{q} {label_short} ({min}-{max}):" },
	[UT_CK_TEXT] = { "{q} {label} (text){?skip:\n0 Skip}", "{q} {label_short}{?skip: (0 Skip)}" },
	[UT_CK_CONFIRM] = { "Send {ckform} for {station}: {n} answers?\n1 Send\n2 Cancel", NULL },
	[UT_CK_SENT] = { "Sent: checklist {ckform} for {station}. Thank you.", NULL },
	[UE_CK_VALUE] = { "Not valid.", NULL },
	[UE_CK_WINDOW] = { "{ckform} is sent {window} only.", NULL },
};

static const struct text_def texts_fr[UT_COUNT] = {
	[UT_PIN] = { "Entrez votre PIN :", NULL },
	[UT_STATION] = { "Choisissez votre bureau :", NULL },
	[UT_STATION_CODE] = { "Entrez le numéro de votre bureau :", NULL },
	[UT_MAIN] = { "Bureau {station}\n1 Participation\n2 Fermeture\n3 Résultats\n4 Incident\n5 Dernier rapport\n6 Aide{?checklists:\n7 Listes}", NULL },
	[UT_CONTEST] = { "Choisissez le scrutin :", NULL },
	[UT_VOTERS] = { "Nombre de votants au bureau {station} :", "Votants :" },
	[UT_WOMEN] = { "Nombre de femmes :", NULL },
	[UT_MEN] = { "Nombre d'hommes :", NULL },
	[UT_CANDIDATE] = { "{contest} candidat {k} sur {n} : voix ?", "Candidat {k}/{n}, voix :" },
	[UT_INVALID] = { "Bulletins nuls :", NULL },
	[UT_BLANK] = { "Bulletins blancs :", NULL },
	[UT_INC_CODE] = { "Code de l'incident (voir votre carte) :", NULL },
	[UT_INC_TEXT] = { "Description courte (0 pour aucune) :", NULL },
	[UT_CONFIRM_TURNOUT] = { "Participation {station} : votants {voters}, femmes {women}{?men:, hommes {men}}\n1 Envoyer\n2 Annuler", NULL },
	[UT_CONFIRM_CLOSE] = { "Fermeture {station} : votants {voters}, femmes {women}{?men:, hommes {men}}\n1 Envoyer\n2 Annuler", NULL },
	[UT_CONFIRM_RESULTS] = { "Résultats {station} {contest} : {counts}\n1 Envoyer\n2 Annuler",
				 "Résultats {station} {contest} : {n} nombres, somme {sum}\n1 Envoyer\n2 Annuler" },
	[UT_CONFIRM_INCIDENT] = { "Incident {code} au bureau {station}{?text: : {text}}\n1 Envoyer\n2 Annuler",
				  "Incident {code} au bureau {station}\n1 Envoyer\n2 Annuler" },
	[UT_SENT] = { "Envoyé : {form} du bureau {station} enregistré. Merci.", NULL },
	[UT_CANCELLED] = { "Annulé : rien n'a été envoyé.", NULL },
	[UT_HELP] = { "Choisissez par numéro, vérifiez le résumé, puis Envoyer. Pour corriger, envoyez de nouveau : le dernier compte.{?contact: Aide : {contact}}", NULL },
	[UT_UNKNOWN] = { "Ce numéro n'est pas enregistré.{?contact: Appelez le {contact}.}", NULL },
	[UT_PIN_LOCKED] = { "PIN bloqué après 3 erreurs. Réessayez dans 30 minutes.", NULL },
	[UT_NO_STATION] = { "Aucun bureau ne vous est attribué.{?contact: Appelez le {contact}.}", NULL },
	[UT_TOO_LONG] = { "Session trop longue. Rappelez.", NULL },
	[UT_EXPIRED] = { "Session expirée. Rappelez.", NULL },
	[UT_BUSY] = { "Service occupé. Réessayez dans une minute.", NULL },
	[UE_CHOICE] = { "Choix invalide.", NULL },
	[UE_NUMBER] = { "Entrez un nombre.", NULL },
	[UE_BAD_PIN] = { "PIN incorrect.", NULL },
	[UE_STATION] = { "Ce n'est pas votre bureau.", NULL },
	[UE_TEXT] = { "Texte refusé.", NULL },
	[UE_OVER_REGISTERED] = { "Plus que les {registered} inscrits.", NULL },
	[UE_OVER_VOTERS] = { "Plus que les {voters} votants.", NULL },
	[UE_SUM] = { "Femmes + hommes doivent faire {voters}.", NULL },
	[UE_WOMEN_REGISTERED] = { "Plus que les {registered} inscrites.", NULL },
	[UE_RESULTS_REGISTERED] = { "Somme {sum} supérieure aux {registered} inscrits.", NULL },
	[UE_INCIDENT] = { "Code d'incident inconnu.", NULL },
	[UE_OTHER] = { "Refusé : {code}.", NULL },
	[UT_LAST] = { "Votre dernier rapport : {form} du bureau {station} à {time}, {outcome}.", NULL },
	[UT_LAST_NONE] = { "Aucun rapport de vous pour l'instant.", NULL },
	[UT_LAST_FAILED] = { "Vérification impossible. Réessayez plus tard.", NULL },
	[UT_OUT_ACCEPTED] = { "accepté", NULL },
	[UT_OUT_FLAGGED] = { "accepté avec un signalement", NULL },
	[UT_OUT_REJECTED] = { "refusé", NULL },
	[UT_FORM_OPEN] = { "ouverture", NULL },
	[UT_FORM_TURNOUT] = { "participation", NULL },
	[UT_FORM_CLOSE] = { "fermeture", NULL },
	[UT_FORM_RESULTS] = { "résultats", NULL },
	[UT_FORM_INCIDENT] = { "incident", NULL },
	[UT_CK_FORMS] = { "Liste pour le bureau {station} :", NULL },
	[UT_CK_YESNO] = { "{q} {label}\n1 Oui\n2 Non{?skip:\n0 Passer}", "{q} {label_short}\n1 Oui 2 Non{?skip: 0 Passer}" },
	[UT_CK_CHOICE] = { "{q} {label}{?skip:\n0 Passer}", "{q} {label_short}{?skip: (0 Passer)}" },
	[UT_CK_MULTI] = { "{q} {label} (plusieurs, ex. 13){?skip:\n0 Passer}", "{q} {label_short} (ex. 13){?skip: 0 Passer}" },
	[UT_CK_INTEGER] = { "{q} {label} ({min}-{max}) :", "{q} {label_short} ({min}-{max}) :" },
	[UT_CK_TEXT] = { "{q} {label} (texte){?skip:\n0 Passer}", "{q} {label_short}{?skip: (0 Passer)}" },
	[UT_CK_CONFIRM] = { "Envoyer {ckform} du bureau {station} : {n} réponses ?\n1 Envoyer\n2 Annuler", NULL },
	[UT_CK_SENT] = { "Envoyé : liste {ckform} du bureau {station}. Merci.", NULL },
	[UE_CK_VALUE] = { "Réponse invalide.", NULL },
	[UE_CK_WINDOW] = { "{ckform} s'envoie de {window} seulement.", NULL },
};

static const struct text_def texts_ar[UT_COUNT] = {
	[UT_PIN] = { "أدخل الرمز السري:", NULL },
	[UT_STATION] = { "اختر مركزك:", NULL },
	[UT_STATION_CODE] = { "أدخل رقم مركزك:", NULL },
	[UT_MAIN] = { "المركز {station}\n1 اقتراع\n2 إغلاق\n3 نتائج\n4 مخالفة\n5 آخر تقرير\n6 مساعدة{?checklists:\n7 استمارات}",
		       "1 اقتراع\n2 إغلاق\n3 نتائج\n4 مخالفة\n5 آخر تقرير\n6 مساعدة{?checklists:\n7 استمارات}" },
	[UT_CONTEST] = { "اختر الانتخاب:", NULL },
	[UT_VOTERS] = { "عدد المقترعين في {station}:", "المقترعون:" },
	[UT_WOMEN] = { "عدد النساء:", NULL },
	[UT_MEN] = { "عدد الرجال:", NULL },
	[UT_CANDIDATE] = { "{contest} المرشح {k} من {n}: الأصوات؟", "المرشح {k}/{n}:" },
	[UT_INVALID] = { "الأوراق الملغاة:", NULL },
	[UT_BLANK] = { "الأوراق البيضاء:", NULL },
	[UT_INC_CODE] = { "رمز المخالفة (انظر بطاقتك):", NULL },
	[UT_INC_TEXT] = { "وصف قصير (0 بدون وصف):", NULL },
	[UT_CONFIRM_TURNOUT] = { "الاقتراع {station}: مقترعون {voters}، نساء {women}{?men:، رجال {men}}\n1 إرسال\n2 إلغاء",
				 "{station}: م{voters} ن{women}{?men: ر{men}}\n1 إرسال\n2 إلغاء" },
	[UT_CONFIRM_CLOSE] = { "الإغلاق {station}: مقترعون {voters}، نساء {women}{?men:، رجال {men}}\n1 إرسال\n2 إلغاء",
			       "اغلاق {station}: م{voters} ن{women}{?men: ر{men}}\n1 إرسال\n2 إلغاء" },
	[UT_CONFIRM_RESULTS] = { "النتائج {station} {contest}: {counts}\n1 إرسال\n2 إلغاء",
				 "{station}: {n} أعداد، المجموع {sum}\n1 إرسال\n2 إلغاء" },
	[UT_CONFIRM_INCIDENT] = { "مخالفة {code} في {station}{?text:: {text}}\n1 إرسال\n2 إلغاء",
				  "مخالفة {code} في {station}\n1 إرسال\n2 إلغاء" },
	[UT_SENT] = { "تم الإرسال: {form} {station}. شكرا", NULL },
	[UT_CANCELLED] = { "ألغي: لم يرسل شيء.", NULL },
	[UT_HELP] = { "اختر بالرقم ثم أرسل. للتصحيح أرسل من جديد.{?contact: مساعدة: {contact}}", NULL },
	[UT_UNKNOWN] = { "هذا الرقم غير مسجل.{?contact: اتصل بـ {contact}}", NULL },
	[UT_PIN_LOCKED] = { "الرمز السري مقفل بعد 3 أخطاء. حاول بعد 30 دقيقة.", NULL },
	[UT_NO_STATION] = { "لا مركز مسجلا لك.{?contact: اتصل بـ {contact}}", NULL },
	[UT_TOO_LONG] = { "الجلسة طويلة جدا. اتصل من جديد.", NULL },
	[UT_EXPIRED] = { "انتهت الجلسة. اتصل من جديد.", NULL },
	[UT_BUSY] = { "الخدمة مشغولة. حاول بعد دقيقة.", NULL },
	[UE_CHOICE] = { "خيار خاطئ.", NULL },
	[UE_NUMBER] = { "أدخل رقما.", NULL },
	[UE_BAD_PIN] = { "رمز خاطئ.", NULL },
	[UE_STATION] = { "ليس مركزك.", NULL },
	[UE_TEXT] = { "نص غير مقبول.", NULL },
	[UE_OVER_REGISTERED] = { "أكثر من المسجلين ({registered}).", NULL },
	[UE_OVER_VOTERS] = { "أكثر من المقترعين ({voters}).", NULL },
	[UE_SUM] = { "النساء + الرجال = {voters}.", NULL },
	[UE_WOMEN_REGISTERED] = { "أكثر من المسجلات ({registered}).", NULL },
	[UE_RESULTS_REGISTERED] = { "المجموع {sum} أكثر من المسجلين ({registered}).", NULL },
	[UE_INCIDENT] = { "رمز غير معروف.", NULL },
	[UE_OTHER] = { "غير مقبول: {code}.", NULL },
	[UT_LAST] = { "آخر تقرير منك: {form} {station} الساعة {time}، {outcome}.", NULL },
	[UT_LAST_NONE] = { "لا تقرير منك بعد.", NULL },
	[UT_LAST_FAILED] = { "لا يمكن التحقق الآن. حاول لاحقا.", NULL },
	[UT_OUT_ACCEPTED] = { "مقبول", NULL },
	[UT_OUT_FLAGGED] = { "مقبول مع ملاحظة", NULL },
	[UT_OUT_REJECTED] = { "مرفوض", NULL },
	[UT_FORM_OPEN] = { "الافتتاح", NULL },
	[UT_FORM_TURNOUT] = { "الاقتراع", NULL },
	[UT_FORM_CLOSE] = { "الإغلاق", NULL },
	[UT_FORM_RESULTS] = { "النتائج", NULL },
	[UT_FORM_INCIDENT] = { "المخالفة", NULL },
	[UT_CK_FORMS] = { "استمارة المركز {station}:", NULL },
	[UT_CK_YESNO] = { "{q} {label}\n1 نعم\n2 لا{?skip:\n0 تخطي}", "{q} {label_short}\n1 نعم 2 لا{?skip: 0 تخطي}" },
	[UT_CK_CHOICE] = { "{q} {label}{?skip:\n0 تخطي}", "{q} {label_short}{?skip: (0 تخطي)}" },
	[UT_CK_MULTI] = { "{q} {label} (عدة، مثال 13){?skip:\n0 تخطي}", "{q} {label_short} (مثال 13){?skip: 0 تخطي}" },
	[UT_CK_INTEGER] = { "{q} {label} ({min}-{max}):", "{q} {label_short} ({min}-{max}):" },
	[UT_CK_TEXT] = { "{q} {label} (نص){?skip:\n0 تخطي}", "{q} {label_short}{?skip: (0 تخطي)}" },
	[UT_CK_CONFIRM] = { "إرسال {ckform} للمركز {station}: {n} أجوبة؟\n1 إرسال\n2 إلغاء", NULL },
	[UT_CK_SENT] = { "تم الإرسال: استمارة {ckform} للمركز {station}. شكرا", NULL },
	[UE_CK_VALUE] = { "جواب غير صحيح.", NULL },
	[UE_CK_WINDOW] = { "{ckform} ترسل {window} فقط.", NULL },
};
/* clang-format on */

static const struct text_def *const catalogue[LANG_COUNT] = {
	[LANG_AR] = texts_ar,
	[LANG_EN] = texts_en,
	[LANG_FR] = texts_fr,
};

/* ==== the walk through the menu ==== */

#define PIN_TRIES 3
#define LIST_MAX 4             /* stations listed on one screen; more: the code is typed */
#define INCIDENT_NAME_CHARS 24 /* of an incident's name in the list */

struct walk {
	const struct ussd_env *env;
	const struct ussd_request *rq;
	struct regsnap_person *person;
	enum lang lang;
	enum ussd_state state;
	char pin[PARSE_PIN_MAX + 1];
	const struct regsnap_station *station;
	const struct regsnap_contest *contest;
	enum parse_form form;
	uint32_t voters, women, men;
	bool has_men;
	uint32_t counts[PARSE_MAX_COUNTS];
	unsigned n_counts; /* entered so far */
	unsigned want;     /* counts the contest needs: candidates + 2 */
	uint32_t code;     /* incident */
	char note[USSD_NOTE_MAX + 1];
	int err;                  /* enum ussd_text of the reason, or UT_NONE */
	struct validate_result v; /* the values the reason shows */
	const char *err_code;     /* UE_OTHER's code */
	unsigned pin_failures;
	enum ussd_text end; /* USSD_ST_DONE: the END screen */
	enum ussd_action action;
	size_t path;
	/* a checklist (USSD_ST_CK_*): its form, the question asked, the
	 * answers given (multi: bit d per option d), the text answer */
	const struct checklist_form *ck;
	int ck_q;
	uint64_t ck_set;
	uint32_t ck_value[CHECKLIST_MAX_QUESTIONS];
	int ck_text_q; /* the question the text answers; -1 none */
	char ck_text[USSD_NOTE_MAX + 1];
	bool has_checklists; /* the main menu offers them */
};

/* The steps of each form after the main menu, in order; USSD_ST_CONFIRM
 * ends each.  USSD_ST_MEN is skipped unless [ussd] ask_men;
 * USSD_ST_CONTEST unless the ballot has several contests. */
static const enum ussd_state form_steps[][5] = {
	[PARSE_FORM_TURNOUT] = { USSD_ST_VOTERS, USSD_ST_WOMEN, USSD_ST_MEN, USSD_ST_CONFIRM },
	[PARSE_FORM_CLOSE] = { USSD_ST_VOTERS, USSD_ST_WOMEN, USSD_ST_MEN, USSD_ST_CONFIRM },
	[PARSE_FORM_RESULTS] = { USSD_ST_CONTEST, USSD_ST_COUNT, USSD_ST_CONFIRM },
	[PARSE_FORM_INCIDENT] = { USSD_ST_INC_CODE, USSD_ST_INC_TEXT, USSD_ST_CONFIRM },
};

/* The main menu's choices. */
static const enum parse_form main_choices[] = {
	PARSE_FORM_TURNOUT,  PARSE_FORM_CLOSE,  PARSE_FORM_RESULTS,
	PARSE_FORM_INCIDENT, PARSE_FORM_STATUS, PARSE_FORM_HELP,
}; /* PARSE_FORM_STATUS stands for "last report" */
#define MAIN_CHOICES (sizeof(main_choices) / sizeof(main_choices[0]))

/* The checklist forms the network imported; 0 when none. */
static size_t n_forms(const struct walk *w)
{
	const struct checklist_set *set = w->env->snap ? regsnap_checklists(w->env->snap) : NULL;

	return set != NULL ? checklist_set_n_forms(set) : 0;
}

static bool step_applies(const struct walk *w, enum ussd_state s)
{
	if (s == USSD_ST_MEN)
		return w->env->ask_men;
	if (s == USSD_ST_CONTEST)
		return w->station->n_contests > 1;
	return true;
}

/* Move to the step of w's form after after (USSD_ST_MAIN: the first). */
static void next_step(struct walk *w, enum ussd_state after)
{
	const enum ussd_state *steps = form_steps[w->form];
	size_t i = 0;

	if (after != USSD_ST_MAIN) {
		while (steps[i] != after && steps[i] != USSD_ST_CONFIRM)
			i++;
		i++;
	}
	while (steps[i] != USSD_ST_CONFIRM && !step_applies(w, steps[i]))
		i++;
	w->state = steps[i];
	if (w->state == USSD_ST_COUNT && w->contest == NULL)
		w->contest = w->station->n_contests > 0 ? w->station->contests[0] : NULL;
}

static void end(struct walk *w, enum ussd_text text, enum ussd_action action)
{
	w->state = USSD_ST_DONE;
	w->end = text;
	w->action = action;
}

/* The input i as a number: 1 to 9 digits (ASCII or Arabic-Indic). */
static bool input_number(const struct walk *w, size_t i, uint32_t *out)
{
	const char *s = w->rq->text + w->rq->inputs[i].off;
	size_t len = w->rq->inputs[i].len, pos = 0, digits = 0;
	uint32_t v = 0, cp;
	int d;

	while (pos < len) {
		if (!utf8_decode(s, len, &pos, &cp))
			return false;
		d = utf8_digit_value(cp);
		if (d < 0 || ++digits > PARSE_NUMBER_MAX_DIGITS)
			return false;
		v = v * 10 + (uint32_t)d;
	}
	if (digits == 0)
		return false;
	*out = v;
	return true;
}

/* A numbered choice from 1 to n; false (and the reason set) otherwise. */
static bool input_choice(struct walk *w, size_t i, unsigned n, unsigned *out)
{
	uint32_t v;

	if (!input_number(w, i, &v) || v < 1 || v > n) {
		w->err = UE_CHOICE;
		return false;
	}
	*out = v;
	return true;
}

/* ---- checklists ---- */

/* Whether question k of w's form is asked: all but the text questions
 * after the first (an SMS carries one text answer, at its end). */
static bool ck_asked(const struct walk *w, int k)
{
	const struct checklist_form *f = w->ck;

	if (f->questions[k].type != CHECKLIST_TEXT)
		return true;
	for (int j = 0; j < k; j++)
		if (f->questions[j].type == CHECKLIST_TEXT)
			return false;
	return true;
}

/* Ask the next question after k (-1: the first), else the summary. */
static void ck_next(struct walk *w, int k)
{
	for (k++; k < w->ck->n_questions; k++)
		if (ck_asked(w, k)) {
			w->ck_q = k;
			w->state = USSD_ST_CK_QUESTION;
			return;
		}
	w->state = USSD_ST_CK_CONFIRM;
}

/* The checklist so far as its SMS: FORM STATION AA1 AC13 ... AF text #PIN. */
static void ck_sms(const struct walk *w, struct strbuf *o)
{
	const struct checklist_form *f = w->ck;

	strbuf_printf(o, "%s %s", f->code, w->station->code);
	for (int k = 0; k < f->n_questions; k++) {
		const struct checklist_question *q = &f->questions[k];

		if (!(w->ck_set >> k & 1) || q->type == CHECKLIST_TEXT)
			continue;
		strbuf_printf(o, " %s", q->code);
		if (q->type != CHECKLIST_MULTI) {
			strbuf_printf(o, "%u", w->ck_value[k]);
			continue;
		}
		for (int d = 1; d <= CHECKLIST_MAX_OPTIONS; d++)
			if (w->ck_value[k] & (1u << d))
				strbuf_printf(o, "%d", d);
	}
	if (w->ck_text_q >= 0 && (w->ck_set >> w->ck_text_q & 1))
		strbuf_printf(o, " %s %s", f->questions[w->ck_text_q].code, w->ck_text);
	if (w->pin[0])
		strbuf_printf(o, " #%s", w->pin);
}

/*
 * Take s (len bytes) as the answer to the question asked, checked by the
 * checklist SMS parser on "FORM STATION CODE s": one good answer to that
 * question, nothing else.  False when it is not one.
 */
static bool ck_answer(struct walk *w, const char *s, size_t len)
{
	const struct checklist_question *q = &w->ck->questions[w->ck_q];
	char buf[USSD_SMS_MAX];
	struct strbuf o;
	struct checklist_msg m;

	strbuf_init(&o, buf, sizeof(buf));
	strbuf_printf(&o, "%s %s %s ", w->ck->code, w->station->code, q->code);
	strbuf_append(&o, s, len);
	if (o.overflow || memchr(s, '#', len) != NULL ||
	    !checklist_parse(regsnap_checklists(w->env->snap), buf, o.len, w->lang, &m) ||
	    m.form != w->ck || m.n_answers != 1 || m.n_problems != 0 || m.answers[0].q != w->ck_q)
		return false;
	w->ck_value[w->ck_q] = m.answers[0].value;
	w->ck_set |= UINT64_C(1) << w->ck_q;
	return true;
}

/* Whether the question asked may be skipped with 0: an optional one,
 * but an integer (0 is a number). */
static bool ck_skippable(const struct walk *w)
{
	const struct checklist_question *q = &w->ck->questions[w->ck_q];

	return !q->required && q->type != CHECKLIST_INTEGER;
}

static void take_note(struct walk *w, const char *s, size_t len);

/* The checklist steps of step(). */
static void ck_step(struct walk *w, size_t i, const char *s, size_t len)
{
	const struct ussd_env *env = w->env;
	unsigned choice;
	uint32_t v;

	switch (w->state) {
	case USSD_ST_CK_FORM:
		if (!input_choice(w, i, (unsigned)n_forms(w), &choice))
			return;
		w->ck = checklist_set_form(regsnap_checklists(env->snap), choice - 1);
		if (!checklist_in_window(w->ck, env->clock, env->now_s)) {
			w->err = UE_CK_WINDOW; /* w->ck kept for the hours */
			return;
		}
		w->ck_set = 0;
		w->ck_text_q = -1;
		ck_next(w, -1);
		return;
	case USSD_ST_CK_QUESTION:
		if (ck_skippable(w) && input_number(w, i, &v) && v == 0) {
			w->ck_set &= ~(UINT64_C(1) << w->ck_q);
			ck_next(w, w->ck_q);
			return;
		}
		if (w->ck->questions[w->ck_q].type == CHECKLIST_TEXT) {
			/* '#' would start a PIN: the note drops it; the parser
			 * must read the rest as the answer (not punctuation alone) */
			take_note(w, s, len);
			memcpy(w->ck_text, w->note, sizeof(w->ck_text));
			w->note[0] = '\0';
			if (!ck_answer(w, w->ck_text, strlen(w->ck_text))) {
				w->err = UE_CK_VALUE;
				return;
			}
			w->ck_text_q = w->ck_q;
		} else if (!ck_answer(w, s, len)) {
			w->err = UE_CK_VALUE;
			return;
		}
		ck_next(w, w->ck_q);
		return;
	case USSD_ST_CK_CONFIRM:
		if (!input_choice(w, i, 2, &choice))
			return;
		if (choice == 2 || w->ck_set == 0) {
			end(w, UT_CANCELLED, USSD_END);
			return;
		}
		w->path = i + 1;
		end(w, UT_CK_SENT, USSD_SUBMIT);
		return;
	default: return;
	}
}

/*
 * Write the report so far as its v1 SMS onto o.  partial: for checking a
 * figure before the rest is known (close is written as turnout, missing
 * counts as 0).
 */
static void sms_text(const struct walk *w, bool partial, struct strbuf *o)
{
	const char *st = w->station->code;

	if (w->ck != NULL && w->state != USSD_ST_CK_FORM) {
		ck_sms(w, o);
		return;
	}
	switch (w->form) {
	case PARSE_FORM_TURNOUT:
	case PARSE_FORM_CLOSE:
		strbuf_printf(o, "%s %s V%u", w->form == PARSE_FORM_CLOSE && !partial ? "C" : "T",
			      st, w->voters);
		if (w->state != USSD_ST_VOTERS || !partial)
			strbuf_printf(o, " W%u", w->women);
		if (w->has_men)
			strbuf_printf(o, " M%u", w->men);
		break;
	case PARSE_FORM_RESULTS:
		strbuf_printf(o, "R %s", st);
		if (w->contest)
			strbuf_printf(o, " %s", w->contest->code);
		for (unsigned k = 0; k < w->want; k++)
			strbuf_printf(o, " %u", k < w->n_counts ? w->counts[k] : 0);
		break;
	case PARSE_FORM_INCIDENT:
		strbuf_printf(o, "I %s %u", st, w->code);
		if (w->note[0] && !partial)
			strbuf_printf(o, " %s", w->note);
		break;
	default: break;
	}
	if (w->pin[0])
		strbuf_printf(o, " #%s", w->pin);
}

/* The reason for a verdict's rejection. */
static int reason_of(enum reply_kind k)
{
	switch (k) {
	case REPLY_VOTERS_EXCEED_REGISTERED: return UE_OVER_REGISTERED;
	case REPLY_WOMEN_EXCEED_VOTERS:
	case REPLY_MEN_EXCEED_VOTERS: return UE_OVER_VOTERS;
	case REPLY_SUM_MISMATCH: return UE_SUM;
	case REPLY_WOMEN_EXCEED_REGISTERED_WOMEN: return UE_WOMEN_REGISTERED;
	case REPLY_RESULTS_EXCEED_REGISTERED: return UE_RESULTS_REGISTERED;
	case REPLY_UNKNOWN_INCIDENT_CODE: return UE_INCIDENT;
	default: return UE_OTHER;
	}
}

/*
 * Check the report so far the way an SMS is checked: parse its v1 text and
 * validate it.  False, with the reason set, when it would be rejected.
 */
static bool check(struct walk *w, bool partial)
{
	char buf[USSD_SMS_MAX];
	struct strbuf o;
	struct parse_msg m;
	struct validate_input in;

	strbuf_init(&o, buf, sizeof(buf));
	sms_text(w, partial, &o);
	if (o.overflow || !parse_message(buf, o.len, w->lang, &m)) {
		w->err =
			o.overflow ? UE_OTHER : (w->state == USSD_ST_INC_TEXT ? UE_TEXT : UE_OTHER);
		w->err_code = o.overflow ? "message_too_long" : parse_error_code(m.error);
		return false;
	}
	in.sender = w->env->phone;
	in.msg = &m;
	in.sent_at = w->env->now_s;
	in.pin_locked = false;
	validate_message(w->env->snap, w->env->clock, &in, &w->v);
	if (w->v.outcome != VALIDATE_REJECTED)
		return true;
	w->err = reason_of(w->v.reply);
	w->err_code = reply_kind_code(w->v.reply);
	return false;
}

static void choose_station(struct walk *w, const struct regsnap_station *st)
{
	w->station = st;
	w->state = USSD_ST_MAIN;
}

/* After the PIN: the station, chosen or the only one. */
static void after_pin(struct walk *w)
{
	const struct regsnap_person *p = w->person;

	if (p->n_stations == 1 && p->n_areas == 0) {
		const struct regsnap_station *st =
			regsnap_station_by_id(w->env->snap, p->stations[0]);

		if (st != NULL) {
			choose_station(w, st);
			return;
		}
	}
	if (p->n_stations == 0 && p->n_areas == 0) {
		end(w, UT_NO_STATION, USSD_END);
		return;
	}
	w->state = p->n_areas == 0 && p->n_stations <= LIST_MAX ? USSD_ST_STATION
								: USSD_ST_STATION_CODE;
}

/* The note typed for an incident: '#' (a PIN to the parser) and control
 * characters become spaces, cut at USSD_NOTE_MAX bytes on a character. */
static void take_note(struct walk *w, const char *s, size_t len)
{
	size_t n = 0, pos = 0, start;
	uint32_t cp;

	while (pos < len) {
		start = pos;
		if (!utf8_decode(s, len, &pos, &cp))
			break;
		if (n + (pos - start) > USSD_NOTE_MAX)
			break;
		if (cp == '#' || cp < 0x20) {
			w->note[n++] = ' ';
			continue;
		}
		memcpy(w->note + n, s + start, pos - start);
		n += pos - start;
	}
	while (n > 0 && w->note[n - 1] == ' ')
		n--;
	w->note[n] = '\0';
}

/* Apply input i to the walk. */
static void step(struct walk *w, size_t i)
{
	const char *s = w->rq->text + w->rq->inputs[i].off;
	size_t len = w->rq->inputs[i].len;
	const struct ussd_env *env = w->env;
	unsigned choice;
	uint32_t v;

	w->err = UT_NONE;
	switch (w->state) {
	case USSD_ST_PIN: {
		char pin[PARSE_PIN_MAX + 1];
		size_t n = 0, pos = 0;
		bool ok = len >= PARSE_PIN_MIN;
		uint32_t cp;
		int d;

		while (ok && pos < len) {
			if (!utf8_decode(s, len, &pos, &cp) || (d = utf8_digit_value(cp)) < 0 ||
			    n == PARSE_PIN_MAX)
				ok = false;
			else
				pin[n++] = (char)('0' + d);
		}
		pin[n] = '\0';
		ok = ok && n >= PARSE_PIN_MIN &&
		     (env->pin_check ? env->pin_check(env->pin_arg, w->person, pin)
				     : regsnap_pin_check(w->person, pin));
		if (!ok) {
			w->err = UE_BAD_PIN;
			if (++w->pin_failures >= PIN_TRIES)
				end(w, UT_PIN_LOCKED, USSD_END);
			return;
		}
		memcpy(w->pin, pin, n + 1);
		after_pin(w);
		return;
	}
	case USSD_ST_STATION:
		if (input_choice(w, i, (unsigned)w->person->n_stations, &choice)) {
			const struct regsnap_station *st =
				regsnap_station_by_id(env->snap, w->person->stations[choice - 1]);

			if (st != NULL)
				choose_station(w, st);
			else
				w->err = UE_STATION;
		}
		return;
	case USSD_ST_STATION_CODE: {
		char code[REGSNAP_STATION_MAX + 1];
		const struct regsnap_station *st = NULL;

		if (len > 0 && len <= REGSNAP_STATION_MAX) {
			memcpy(code, s, len);
			code[len] = '\0';
			st = regsnap_station(env->snap, code);
		}
		if (st == NULL || !regsnap_assigned(env->snap, w->person, st))
			w->err = UE_STATION;
		else
			choose_station(w, st);
		return;
	}
	case USSD_ST_MAIN:
		if (!input_choice(w, i, MAIN_CHOICES + (w->has_checklists ? 1 : 0), &choice))
			return;
		if (choice == MAIN_CHOICES + 1) {
			w->state = USSD_ST_CK_FORM;
			return;
		}
		w->form = main_choices[choice - 1];
		if (w->form == PARSE_FORM_HELP) {
			end(w, UT_HELP, USSD_END);
			return;
		}
		if (w->form == PARSE_FORM_STATUS) {
			end(w, UT_LAST_FAILED, USSD_LAST);
			return;
		}
		if (w->form == PARSE_FORM_RESULTS && w->station->n_contests == 0) {
			w->err = UE_OTHER;
			w->err_code = reply_kind_code(REPLY_NO_CONTEST);
			return;
		}
		next_step(w, USSD_ST_MAIN);
		if (w->form == PARSE_FORM_RESULTS && w->state == USSD_ST_COUNT)
			w->want = (unsigned)w->contest->n_candidates + 2;
		if (w->want > PARSE_MAX_COUNTS) {
			w->err = UE_OTHER;
			w->err_code = reply_kind_code(REPLY_TOO_MANY_COUNTS);
			w->state = USSD_ST_MAIN;
		}
		return;
	case USSD_ST_CONTEST:
		if (!input_choice(w, i, (unsigned)w->station->n_contests, &choice))
			return;
		w->contest = w->station->contests[choice - 1];
		w->want = (unsigned)w->contest->n_candidates + 2;
		if (w->want > PARSE_MAX_COUNTS) {
			w->err = UE_OTHER;
			w->err_code = reply_kind_code(REPLY_TOO_MANY_COUNTS);
			return;
		}
		next_step(w, USSD_ST_CONTEST);
		return;
	case USSD_ST_VOTERS:
	case USSD_ST_WOMEN:
	case USSD_ST_MEN:
	case USSD_ST_COUNT:
	case USSD_ST_INC_CODE: {
		enum ussd_state at = w->state;

		if (!input_number(w, i, &v)) {
			w->err = UE_NUMBER;
			return;
		}
		if (at == USSD_ST_VOTERS)
			w->voters = v;
		else if (at == USSD_ST_WOMEN)
			w->women = v;
		else if (at == USSD_ST_MEN) {
			w->men = v;
			w->has_men = true;
		} else if (at == USSD_ST_COUNT)
			w->counts[w->n_counts++] = v;
		else
			w->code = v;
		if (!check(w, true)) {
			if (at == USSD_ST_MEN)
				w->has_men = false;
			else if (at == USSD_ST_COUNT)
				w->n_counts--;
			return;
		}
		if (at != USSD_ST_COUNT || w->n_counts == w->want)
			next_step(w, at);
		return;
	}
	case USSD_ST_INC_TEXT:
		w->note[0] = '\0';
		if (!(len == 1 && s[0] == '0'))
			take_note(w, s, len);
		if (!check(w, false))
			w->note[0] = '\0';
		else
			next_step(w, USSD_ST_INC_TEXT);
		return;
	case USSD_ST_CONFIRM:
		if (!input_choice(w, i, 2, &choice))
			return;
		if (choice == 2) {
			end(w, UT_CANCELLED, USSD_END);
			return;
		}
		if (!check(w, false))
			return;
		w->path = i + 1;
		end(w, UT_SENT, USSD_SUBMIT);
		return;
	case USSD_ST_CK_FORM:
	case USSD_ST_CK_QUESTION:
	case USSD_ST_CK_CONFIRM: ck_step(w, i, s, len); return;
	case USSD_ST_DONE: return;
	}
}

/* ==== rendering ==== */

struct vals {
	const struct walk *w;
	const char *contact;
	unsigned k;
	const char *code;             /* UE_OTHER */
	const struct ussd_last *last; /* UT_LAST */
};

static bool name_is(const char *name, size_t n, const char *want)
{
	return strlen(want) == n && memcmp(name, want, n) == 0;
}

static const struct text_def *text_of(enum lang lang, int t)
{
	return &catalogue[(unsigned)lang < LANG_COUNT ? lang : LANG_EN][t];
}

static int form_text(enum parse_form f)
{
	switch (f) {
	case PARSE_FORM_OPEN: return UT_FORM_OPEN;
	case PARSE_FORM_CLOSE: return UT_FORM_CLOSE;
	case PARSE_FORM_RESULTS: return UT_FORM_RESULTS;
	case PARSE_FORM_INCIDENT: return UT_FORM_INCIDENT;
	default: return UT_FORM_TURNOUT;
	}
}

/* A checklist label in the reader's language, else another. */
static const char *ck_label(const char *const *by_lang, enum lang lang)
{
	static const enum lang order[] = { LANG_EN, LANG_AR, LANG_FR };

	if (by_lang[lang][0] != '\0')
		return by_lang[lang];
	for (size_t k = 0; k < 3; k++)
		if (by_lang[order[k]][0] != '\0')
			return by_lang[order[k]];
	return "";
}

/* The checklist placeholders; false when name is none of them. */
static bool ck_subst(const struct walk *w, const char *name, size_t n, struct strbuf *o)
{
	const struct checklist_question *q =
		w->ck != NULL && w->ck_q < w->ck->n_questions ? &w->ck->questions[w->ck_q] : NULL;
	const char *labels[LANG_COUNT];
	const char *l;

	if (name_is(name, n, "ckform")) {
		strbuf_puts(o, w->ck ? w->ck->code : "");
		return true;
	}
	if (name_is(name, n, "window")) {
		if (w->ck && w->ck->window_from >= 0)
			strbuf_printf(o, "%02d:%02d-%02d:%02d", w->ck->window_from / 60,
				      w->ck->window_from % 60, w->ck->window_to / 60,
				      w->ck->window_to % 60);
		return true;
	}
	if (q == NULL)
		return false;
	for (int k = 0; k < LANG_COUNT; k++)
		labels[k] = q->label[k];
	l = ck_label(labels, w->lang);
	if (name_is(name, n, "q"))
		strbuf_puts(o, q->code);
	else if (name_is(name, n, "label"))
		template_capped(o, l, strlen(l), 70);
	else if (name_is(name, n, "label_short"))
		template_capped(o, l, strlen(l), 24);
	else if (name_is(name, n, "min"))
		template_uint(o, (unsigned long long)q->min);
	else if (name_is(name, n, "max"))
		template_uint(o, (unsigned long long)q->max);
	else
		return false;
	return true;
}

static bool subst(void *arg, const char *name, size_t n, struct strbuf *o)
{
	const struct vals *x = arg;
	const struct walk *w = x->w;

	if (w->state == USSD_ST_CK_CONFIRM && name_is(name, n, "n")) {
		unsigned k = 0;

		for (int b = 0; b < CHECKLIST_MAX_QUESTIONS; b++)
			k += (unsigned)(w->ck_set >> b & 1);
		template_uint(o, k);
		return true;
	}
	if (ck_subst(w, name, n, o))
		return true;
	if (x->last != NULL && name_is(name, n, "station"))
		template_capped(o, x->last->station, strlen(x->last->station), 10);
	else if (x->last != NULL && name_is(name, n, "time"))
		template_capped(o, x->last->time, strlen(x->last->time), 5);
	else if (x->last != NULL && name_is(name, n, "outcome")) {
		const char *oc = x->last->outcome;
		int t = strcmp(oc, "accepted") == 0           ? UT_OUT_ACCEPTED
			: strcmp(oc, "accepted_flagged") == 0 ? UT_OUT_FLAGGED
							      : UT_OUT_REJECTED;

		strbuf_puts(o, text_of(w->lang, t)->main);
	} else if (name_is(name, n, "station") && w->station)
		strbuf_puts(o, w->station->code);
	else if (name_is(name, n, "contest"))
		strbuf_puts(o, w->contest ? w->contest->code : "");
	else if (name_is(name, n, "voters"))
		template_uint(o, w->voters);
	else if (name_is(name, n, "women"))
		template_uint(o, w->women);
	else if (name_is(name, n, "men"))
		template_uint(o, w->men);
	else if (name_is(name, n, "registered"))
		template_uint(o, w->v.registered);
	else if (name_is(name, n, "sum")) {
		uint64_t sum = 0;

		for (unsigned k = 0; k < w->n_counts; k++)
			sum += w->counts[k];
		template_uint(o, w->err == UE_RESULTS_REGISTERED ? w->v.sum : sum);
	} else if (name_is(name, n, "k"))
		template_uint(o, x->k);
	else if (name_is(name, n, "n"))
		template_uint(o, w->state == USSD_ST_CONFIRM ? w->n_counts
							     : (unsigned)w->contest->n_candidates);
	else if (name_is(name, n, "counts")) {
		for (unsigned k = 0; k < w->n_counts; k++) {
			if (k > 0)
				strbuf_puts(o, " ");
			template_uint(o, w->counts[k]);
		}
	} else if (name_is(name, n, "code") && x->code)
		strbuf_puts(o, x->code);
	else if (name_is(name, n, "code"))
		template_uint(o, w->code);
	else if (name_is(name, n, "text"))
		template_capped(o, w->note, strlen(w->note), 30);
	else if (name_is(name, n, "contact"))
		strbuf_puts(o, x->contact ? x->contact : "");
	else if (name_is(name, n, "form"))
		strbuf_puts(o, text_of(w->lang, form_text(w->form))->main);
	else
		return false;
	return true;
}

static bool present(void *arg, const char *name, size_t n)
{
	const struct vals *x = arg;

	if (name_is(name, n, "men"))
		return x->w->has_men;
	if (name_is(name, n, "text"))
		return x->w->note[0] != '\0';
	if (name_is(name, n, "contact"))
		return x->contact != NULL && x->contact[0] != '\0';
	if (name_is(name, n, "skip"))
		return x->w->ck != NULL && ck_skippable(x->w);
	if (name_is(name, n, "checklists"))
		return x->w->has_checklists;
	return true;
}

static const struct template_ops ops = { subst, present };

bool ussd_page_fits(const char *text, size_t len)
{
	struct gsm7_size sz;

	if (!gsm7_measure(text, len, &sz))
		return false;
	return sz.coding == GSM7_CODING_GSM7 ? sz.units <= USSD_PAGE_GSM7
					     : sz.units <= USSD_PAGE_UCS2;
}

/* The text of the screen w stands at (without the reason). */
static int screen_text(const struct walk *w)
{
	switch (w->state) {
	case USSD_ST_PIN: return UT_PIN;
	case USSD_ST_STATION: return UT_STATION;
	case USSD_ST_STATION_CODE: return UT_STATION_CODE;
	case USSD_ST_MAIN: return UT_MAIN;
	case USSD_ST_CONTEST: return UT_CONTEST;
	case USSD_ST_VOTERS: return UT_VOTERS;
	case USSD_ST_WOMEN: return UT_WOMEN;
	case USSD_ST_MEN: return UT_MEN;
	case USSD_ST_COUNT:
		return w->n_counts + 2 < w->want    ? UT_CANDIDATE
		       : w->n_counts + 2 == w->want ? UT_INVALID
						    : UT_BLANK;
	case USSD_ST_INC_CODE: return UT_INC_CODE;
	case USSD_ST_INC_TEXT: return UT_INC_TEXT;
	case USSD_ST_CONFIRM:
		switch (w->form) {
		case PARSE_FORM_CLOSE: return UT_CONFIRM_CLOSE;
		case PARSE_FORM_RESULTS: return UT_CONFIRM_RESULTS;
		case PARSE_FORM_INCIDENT: return UT_CONFIRM_INCIDENT;
		default: return UT_CONFIRM_TURNOUT;
		}
	case USSD_ST_DONE: return (int)w->end;
	case USSD_ST_CK_FORM: return UT_CK_FORMS;
	case USSD_ST_CK_CONFIRM: return UT_CK_CONFIRM;
	case USSD_ST_CK_QUESTION:
		switch (w->ck->questions[w->ck_q].type) {
		case CHECKLIST_YESNO: return UT_CK_YESNO;
		case CHECKLIST_CHOICE: return UT_CK_CHOICE;
		case CHECKLIST_MULTI: return UT_CK_MULTI;
		case CHECKLIST_INTEGER: return UT_CK_INTEGER;
		case CHECKLIST_TEXT: return UT_CK_TEXT;
		}
	}
	return UT_MAIN;
}

/* The name of an incident code in lang, else English, else any; NULL. */
static const char *incident_name(const struct regsnap_incident *inc, enum lang lang)
{
	if (inc->names[lang])
		return inc->names[lang];
	if (inc->names[LANG_EN])
		return inc->names[LANG_EN];
	for (int l = 0; l < LANG_COUNT; l++)
		if (inc->names[l])
			return inc->names[l];
	return NULL;
}

/* The incident codes under their prompt, "3 Vote buying", as many as fit
 * the page (the observer may type any code on the card). */
static void render_incidents(const struct walk *w, struct strbuf *o)
{
	size_t n = w->env->snap ? regsnap_n_incidents(w->env->snap) : 0;

	for (size_t k = 0; k < n; k++) {
		const struct regsnap_incident *inc = regsnap_incident_at(w->env->snap, k);
		const char *name = incident_name(inc, w->lang);
		size_t before = o->len;

		strbuf_printf(o, "\n%d", inc->code);
		if (name != NULL) {
			strbuf_puts(o, " ");
			template_capped(o, name, strlen(name), INCIDENT_NAME_CHARS);
		}
		if (o->overflow || !ussd_page_fits(o->buf, o->len)) {
			o->len = before;
			o->buf[before] = '\0';
			o->overflow = false;
			return;
		}
	}
}

/* Undo what was appended to o since before. */
static void cut_back(struct strbuf *o, size_t before)
{
	o->len = before;
	o->buf[before] = '\0';
	o->overflow = false;
}

/* The checklist forms, "1 OP Opening", as many as fit the page. */
static void render_forms(const struct walk *w, struct strbuf *o)
{
	const struct checklist_set *set = w->env->snap ? regsnap_checklists(w->env->snap) : NULL;

	for (size_t k = 0; k < n_forms(w); k++) {
		const struct checklist_form *f = checklist_set_form(set, k);
		const char *titles[LANG_COUNT] = { f->title[0], f->title[1], f->title[2] };
		const char *t = ck_label(titles, w->lang);
		size_t before = o->len;

		strbuf_printf(o, "\n%zu %s ", k + 1, f->code);
		template_capped(o, t, strlen(t), 20);
		if (o->overflow || !ussd_page_fits(o->buf, o->len)) {
			cut_back(o, before);
			return;
		}
	}
}

/* A choice's options, "1 Calm", their labels cut shorter until all fit
 * the page (at last the digits alone). */
static void render_options(const struct walk *w, struct strbuf *o)
{
	static const size_t caps[] = { 24, 12, 6, 0 };
	const struct checklist_question *q = &w->ck->questions[w->ck_q];
	size_t before = o->len;

	if (q->type != CHECKLIST_CHOICE && q->type != CHECKLIST_MULTI)
		return;
	for (size_t c = 0; c < sizeof(caps) / sizeof(caps[0]); c++) {
		cut_back(o, before);
		for (int d = 1; d <= CHECKLIST_MAX_OPTIONS; d++) {
			const char *labels[LANG_COUNT];
			const char *l;

			if (!(q->options & (1u << d)))
				continue;
			for (int k = 0; k < LANG_COUNT; k++)
				labels[k] = q->option_label[d][k];
			l = ck_label(labels, w->lang);
			strbuf_printf(o, "%s%d", caps[c] > 0 ? "\n" : " ", d);
			if (caps[c] > 0) {
				strbuf_puts(o, " ");
				template_capped(o, l, strlen(l), caps[c]);
			}
		}
		if (!o->overflow && ussd_page_fits(o->buf, o->len))
			return;
	}
}

/* The numbered list of a screen: stations, contests or incident codes. */
static void render_list(const struct walk *w, struct strbuf *o)
{
	if (w->state == USSD_ST_STATION) {
		for (size_t k = 0; k < w->person->n_stations; k++) {
			const struct regsnap_station *st =
				regsnap_station_by_id(w->env->snap, w->person->stations[k]);

			strbuf_printf(o, "\n%zu %s", k + 1, st ? st->code : "?");
		}
	} else if (w->state == USSD_ST_CONTEST) {
		for (size_t k = 0; k < w->station->n_contests; k++)
			strbuf_printf(o, "\n%zu %s", k + 1, w->station->contests[k]->code);
	} else if (w->state == USSD_ST_INC_CODE) {
		render_incidents(w, o);
	} else if (w->state == USSD_ST_CK_FORM) {
		render_forms(w, o);
	} else if (w->state == USSD_ST_CK_QUESTION) {
		render_options(w, o);
	}
}

/* Render one attempt: the reason (when with_err), the prompt (main or
 * fallback), the list. */
static void render_try(const struct walk *w, struct vals *x, bool with_err, bool fallback,
		       struct strbuf *o)
{
	const struct text_def *d = text_of(w->lang, screen_text(w));
	const char *tpl = fallback && d->fallback ? d->fallback : d->main;

	if (with_err && w->err != UT_NONE) {
		const char *e = text_of(w->lang, w->err)->main;

		template_render(&ops, x, e, strlen(e), o);
		strbuf_puts(o, "\n");
	}
	template_render(&ops, x, tpl, strlen(tpl), o);
	render_list(w, o);
}

/* The screen of w into out->screen: the first attempt that fits a page:
 * reason and prompt, reason and fallback, the fallback alone. */
static void render(const struct walk *w, struct ussd_outcome *out)
{
	static const bool tries[][2] = { { true, false }, { true, true }, { false, true } };
	struct vals x = { w, w->env->contact, w->n_counts + 1, w->err_code, NULL };
	struct strbuf o;

	if (w->err != UE_OTHER)
		x.code = NULL;
	for (size_t t = 0; t < sizeof(tries) / sizeof(tries[0]); t++) {
		strbuf_init(&o, out->screen, sizeof(out->screen));
		render_try(w, &x, tries[t][0], tries[t][1], &o);
		if (!o.overflow && ussd_page_fits(out->screen, o.len))
			return;
	}
	/* a bug the catalogue test would have caught: never more than a page */
	out->screen[0] = '\0';
}

/* ==== public ==== */

void ussd_menu_run(const struct ussd_env *env, const struct ussd_request *rq,
		   struct ussd_outcome *out)
{
	struct walk w;

	memset(out, 0, sizeof(*out));
	memset(&w, 0, sizeof(w));
	w.env = env;
	w.rq = rq;
	w.err = UT_NONE;
	w.lang = env->default_lang;
	w.action = USSD_CON;
	w.ck_text_q = -1;
	w.has_checklists = n_forms(&w) > 0;
	w.person = env->phone[0] ? regsnap_person(env->snap, env->phone) : NULL;
	if (w.person == NULL) {
		end(&w, UT_UNKNOWN, USSD_UNKNOWN);
	} else {
		if (w.person->lang >= 0 && w.person->lang < LANG_COUNT)
			w.lang = (enum lang)w.person->lang;
		if (w.person->pin_hash != NULL && env->pin_locked)
			end(&w, UT_PIN_LOCKED, USSD_END);
		else if (w.person->pin_hash != NULL)
			w.state = USSD_ST_PIN;
		else
			after_pin(&w);
	}
	for (size_t i = 0; i < rq->n_inputs && w.state != USSD_ST_DONE; i++)
		step(&w, i);
	if (w.action == USSD_SUBMIT) {
		struct strbuf o;

		strbuf_init(&o, out->sms, sizeof(out->sms));
		sms_text(&w, false, &o);
		out->path = w.path;
	}
	out->action = w.state == USSD_ST_DONE ? w.action : USSD_CON;
	out->person_id = w.person ? w.person->id : 0;
	out->state = w.state;
	out->lang = w.lang;
	out->pin_failures = w.pin_failures;
	render(&w, out);
}

void ussd_menu_screen(enum ussd_screen_kind kind, enum lang lang, char *buf, size_t cap)
{
	const char *t = text_of(lang, kind == USSD_SCREEN_BUSY ? UT_BUSY : UT_EXPIRED)->main;

	snprintf(buf, cap, "%s", t);
}

/* The form of a report as stored ("turnout", ...); turnout when unknown. */
static enum parse_form form_named(const char *name)
{
	static const enum parse_form forms[] = { PARSE_FORM_OPEN, PARSE_FORM_TURNOUT,
						 PARSE_FORM_CLOSE, PARSE_FORM_RESULTS,
						 PARSE_FORM_INCIDENT };

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		if (name != NULL && strcmp(name, parse_form_name(forms[i])) == 0)
			return forms[i];
	return PARSE_FORM_TURNOUT;
}

void ussd_menu_last(enum lang lang, const struct ussd_last *last, char *buf, size_t cap)
{
	struct ussd_env env = { 0 };
	struct walk w;
	struct vals x = { 0 };
	const struct text_def *d;
	struct strbuf o;

	memset(&w, 0, sizeof(w));
	w.env = &env;
	w.lang = (unsigned)lang < LANG_COUNT ? lang : LANG_EN;
	w.form = last->found ? form_named(last->form) : PARSE_FORM_TURNOUT;
	x.w = &w;
	x.last = last;
	d = text_of(w.lang, last->failed ? UT_LAST_FAILED : last->found ? UT_LAST : UT_LAST_NONE);
	strbuf_init(&o, buf, cap);
	template_render(&ops, &x, d->main, strlen(d->main), &o);
}

const char *ussd_state_name(enum ussd_state s)
{
	static const char *const names[USSD_STATE_COUNT] = {
		[USSD_ST_PIN] = "pin",
		[USSD_ST_STATION] = "station",
		[USSD_ST_STATION_CODE] = "station_code",
		[USSD_ST_MAIN] = "main",
		[USSD_ST_CONTEST] = "contest",
		[USSD_ST_VOTERS] = "voters",
		[USSD_ST_WOMEN] = "women",
		[USSD_ST_MEN] = "men",
		[USSD_ST_COUNT] = "count",
		[USSD_ST_INC_CODE] = "incident_code",
		[USSD_ST_INC_TEXT] = "incident_text",
		[USSD_ST_CONFIRM] = "confirm",
		[USSD_ST_DONE] = "done",
		[USSD_ST_CK_FORM] = "checklist_form",
		[USSD_ST_CK_QUESTION] = "checklist_question",
		[USSD_ST_CK_CONFIRM] = "checklist_confirm",
	};

	return (unsigned)s < USSD_STATE_COUNT ? names[s] : "done";
}

/* ==== worst cases, for the tests ==== */

/* A form of the longest labels and one question of each type. */
static const struct checklist_form *worst_form(void)
{
	static struct checklist_form f;
	static const enum checklist_type types[] = { CHECKLIST_YESNO, CHECKLIST_CHOICE,
						     CHECKLIST_MULTI, CHECKLIST_INTEGER,
						     CHECKLIST_TEXT };
	static const char ar[] = "\xd8\xb3\xd8\xa4\xd8\xa7\xd9\x84 "; /* "سؤال " */
	char label[CHECKLIST_LABEL_MAX] = "";

	if (f.n_questions > 0)
		return &f;
	while (strlen(label) + sizeof(ar) < sizeof(label))
		strcat(label, ar);
	memcpy(f.code, "ABC", 4);
	f.window_from = 6 * 60;
	f.window_to = 23 * 60 + 59;
	for (int l = 0; l < LANG_COUNT; l++)
		snprintf(f.title[l], sizeof(f.title[l]), "%s", label);
	for (size_t k = 0; k < sizeof(types) / sizeof(types[0]); k++) {
		struct checklist_question *q = &f.questions[k];

		snprintf(q->code, sizeof(q->code), "%c%c", 'A', (char)('A' + k));
		q->type = types[k];
		q->max = CHECKLIST_INT_MAX;
		q->required = q->type == CHECKLIST_INTEGER;
		for (int l = 0; l < LANG_COUNT; l++)
			snprintf(q->label[l], sizeof(q->label[l]), "%s", label);
		if (q->type == CHECKLIST_CHOICE || q->type == CHECKLIST_MULTI)
			for (int d = 1; d <= CHECKLIST_MAX_OPTIONS; d++) {
				q->options |= (uint16_t)(1u << d);
				for (int l = 0; l < LANG_COUNT; l++)
					snprintf(q->option_label[d][l],
						 sizeof(q->option_label[d][l]), "%.*s",
						 CHECKLIST_OPTION_LABEL_MAX - 2, label);
			}
	}
	f.n_questions = (uint8_t)(sizeof(types) / sizeof(types[0]));
	return &f;
}

/* The question of w.ck a checklist text asks; 0 for the others. */
static int worst_question(int t)
{
	switch (t) {
	case UT_CK_CHOICE: return 1;
	case UT_CK_MULTI: return 2;
	case UT_CK_INTEGER: return 3;
	case UT_CK_TEXT: return 4;
	default: return 0;
	}
}

size_t ussd_menu_worst_cases(enum lang lang, ussd_screen_fn fn, void *arg)
{
	static const struct regsnap_contest contest = { 1, "ABCDEFGHIJKLMNOP", 30 };
	static const struct regsnap_contest *contests[3] = { &contest, &contest, &contest };
	static const struct regsnap_station station = { 1,         "1234567890", 1, 999999999,
							999999999, contests,     3 };
	static const int ids[LIST_MAX] = { 1, 1, 1, 1 };
	struct regsnap_person person = { 0 };
	struct ussd_env env = { 0 };
	struct walk w;
	struct ussd_outcome out;
	size_t n = 0;
	char name[64];

	person.stations = ids;
	person.n_stations = LIST_MAX;
	env.contact = "+961 1 234 567 ext. 1234"; /* 24 characters */
	memset(&w, 0, sizeof(w));
	w.env = &env;
	w.person = &person;
	w.lang = lang;
	w.station = &station;
	w.contest = &contest;
	w.voters = w.women = w.men = 999999999;
	w.has_men = true;
	w.code = 9999;
	w.v.registered = 999999999;
	w.v.sum = 999999999;
	w.want = PARSE_MAX_COUNTS;
	w.ck = worst_form();
	w.ck_set = ~UINT64_C(0);
	w.has_checklists = true;
	/* an Arabic note echoed in any language: the screen needs UCS-2 */
	snprintf(w.note, sizeof(w.note), "%s", "شراء أصوات على باب المركز من قبل مندوب");
	for (int t = 0; t < UT_COUNT; t++) {
		if ((t >= UT_FORM_OPEN && t <= UT_FORM_INCIDENT) ||
		    (t >= UE_CHOICE && t <= UE_OTHER) || (t >= UT_LAST && t <= UT_OUT_REJECTED) ||
		    t == UE_CK_VALUE || t == UE_CK_WINDOW)
			continue; /* parts of other screens, or ussd_menu_last()'s */
		w.ck_q = worst_question(t);
		for (int e = UT_NONE; e <= UE_CK_WINDOW; e = e == UT_NONE    ? UE_CHOICE
							     : e == UE_OTHER ? UE_CK_VALUE
									     : e + 1) {
			/* station lists are shown by the walk's state; the worst
			 * stations list needs no lookup: render it by hand */
			w.err = e;
			w.err_code = "results_exceed_registered";
			w.state = USSD_ST_DONE;
			w.end = (enum ussd_text)t;
			w.form = PARSE_FORM_INCIDENT;
			w.n_counts =
				t == UT_CONFIRM_RESULTS ? PARSE_MAX_COUNTS : PARSE_MAX_COUNTS - 3;
			if (t >= UT_SENT && e != UT_NONE)
				break; /* ends carry no reason */
			{
				struct vals x = { &w, env.contact, w.n_counts + 1,
						  e == UE_OTHER ? w.err_code : NULL, NULL };
				static const bool tries[][2] = { { true, false },
								 { true, true },
								 { false, true } };
				struct strbuf o;
				bool fits = false;

				for (size_t k = 0; k < 3 && !fits; k++) {
					strbuf_init(&o, out.screen, sizeof(out.screen));
					render_try(&w, &x, tries[k][0], tries[k][1], &o);
					if (t == UT_STATION)
						for (int s = 0; s < LIST_MAX; s++)
							strbuf_puts(&o, "\n4 1234567890");
					if (t == UT_CONTEST)
						for (int s = 0; s < 3; s++)
							strbuf_puts(&o, "\n3 ABCDEFGHIJKLMNOP");
					fits = !o.overflow && ussd_page_fits(out.screen, o.len);
				}
				snprintf(name, sizeof(name), "%s%s%s", text_names[t],
					 e == UT_NONE ? "" : "+",
					 e == UT_NONE ? "" : text_names[e]);
				fn(arg, name, lang, fits ? out.screen : "");
				n++;
			}
		}
	}
	/* each checklist question with its options, as a session shows it */
	w.state = USSD_ST_CK_QUESTION;
	for (int k = 0; k < w.ck->n_questions; k++) {
		w.ck_q = k;
		for (int e = UT_NONE; e <= UE_CK_VALUE; e = e == UT_NONE ? UE_CK_VALUE : e + 1) {
			w.err = e;
			render(&w, &out);
			snprintf(name, sizeof(name), "checklist_question_%s%s",
				 checklist_type_name(w.ck->questions[k].type),
				 e == UT_NONE ? "" : "+err_checklist_value");
			fn(arg, name, lang, out.screen);
			n++;
		}
	}
	{
		static const char *const outcomes[] = { "accepted", "accepted_flagged",
							"rejected" };
		static const char *const forms[] = { "open", "turnout", "close", "results",
						     "incident" };

		for (int f = 0; f < 3; f++) {
			for (size_t k = 0; k < 5; k++) {
				struct ussd_last l = { f == 0,   f == 1,
						       forms[k], "12345678901234567890",
						       "23:59",  outcomes[k % 3] };

				ussd_menu_last(lang, &l, out.screen, sizeof(out.screen));
				fn(arg, "last", lang,
				   ussd_page_fits(out.screen, strlen(out.screen)) ? out.screen
										  : "");
				n++;
			}
		}
	}
	return n;
}
