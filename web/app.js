/* The election-day page (docs/web.md): no framework, no build step. */
'use strict';
const T = {
  ar: { title: 'يوم الانتخاب', logout: 'خروج', phone: 'رقم الهاتف', send_code: 'أرسل الرمز',
    code: 'الرمز المرسل بالرسالة', sign_in: 'دخول', code_sent: 'أرسلنا رمزاً إلى هاتفك إن كان مسجلاً.',
    bad_code: 'الرمز غير صحيح.', locked: 'محاولات كثيرة: اطلب رمزاً جديداً.', expired: 'انتهت صلاحية الرمز.',
    progress: 'التقدم والإقبال', area: 'المنطقة', stations: 'المراكز', opened: 'فتحت', with_turnout: 'بإقبال',
    closed: 'أغلقت', with_results: 'بنتائج', voters: 'المقترعون', turnout_pct: 'نسبة الإقبال %',
    women_share: 'حصة النساء %', women_turnout_pct: 'إقبال النساء %', incidents: 'الحوادث',
    time: 'الوقت', station: 'المركز', severity: 'الخطورة', incident: 'الحادث', text: 'النص',
    all: 'الكل', national: 'وطني', info: 'معلومة', serious: 'خطير', critical: 'حرج',
    alerts: 'التنبيهات', alert: 'التنبيه', state: 'الحالة', ack: 'تم', acked: 'تم الإقرار', open_state: 'مفتوح',
    batching: 'قيد التجميع', escalated: 'مصعّد', results: 'النتائج', candidate: 'المرشح', votes: 'الأصوات',
    share: 'النسبة %', invalid: 'ملغاة', blank: 'بيضاء', counted: 'المراكز المحتسبة', open: 'فتح', turnout: 'إقبال',
    close: 'إغلاق', ops: 'التشغيل', modem: 'المودم', signal: 'الإشارة %', operator: 'المشغل',
    balance: 'الرصيد', received: 'واردة', sent: 'مرسلة', send_failures: 'إخفاقات الإرسال',
    backlog: 'بانتظار الإرسال', sending: 'قيد الإرسال', spool: 'في المخزن المؤقت', per_minute: 'رسائل في الدقيقة',
    msg_in: 'واردة', msg_out: 'صادرة', ready: 'جاهز', starting: 'يبدأ', degraded: 'متدهور', down: 'متوقف',
    disabled: 'معطل', registered: 'المسجلون', yes: 'نعم', no: '–',
    mark_turnout_high: 'إقبال عند الحد %s% أو فوقه', mark_women_low: 'حصة النساء دون %s%',
    mark_women_high: 'حصة النساء فوق %s%', legend: 'المعلَّم خارج حدود التنبيه:', offline: 'انقطع الاتصال، نعيد الاتصال…',
    csv: 'تنزيل CSV', csv_day: 'تنزيل مسار اليوم CSV', csv_areas: 'تنزيل المناطق CSV', csv_stations: 'تنزيل المراكز CSV',
    csv_modems: 'تنزيل المودمات CSV', checklists: 'استمارات المراقبة', reported_of: 'أرسلها %s من %s مركز',
    question: 'السؤال', answered: 'أجابت', answers: 'الأجوبة', problems: 'مشكلات', checks: 'الفحوص', stations_flagged: 'مراكز',
    mean: 'المتوسط', min: 'الأدنى', max: 'الأعلى' },
  en: { title: 'Election day', logout: 'Sign out', phone: 'Phone number', send_code: 'Send code',
    code: 'Code received by SMS', sign_in: 'Sign in', code_sent: 'If your number is registered, a code was sent.',
    bad_code: 'Wrong code.', locked: 'Too many tries: ask for a new code.', expired: 'The code has expired.',
    progress: 'Progress and turnout', area: 'Area', stations: 'Stations', opened: 'Opened', with_turnout: 'Turnout',
    closed: 'Closed', with_results: 'Results', voters: 'Voters', turnout_pct: 'Turnout %',
    women_share: 'Women share %', women_turnout_pct: 'Women turnout %', incidents: 'Incidents',
    time: 'Time', station: 'Station', severity: 'Severity', incident: 'Incident', text: 'Text',
    all: 'All', national: 'National', info: 'info', serious: 'serious', critical: 'critical',
    alerts: 'Alerts', alert: 'Alert', state: 'State', ack: 'Acknowledge', acked: 'acknowledged', open_state: 'open',
    batching: 'batching', escalated: 'escalated', results: 'Results', candidate: 'Candidate', votes: 'Votes',
    share: 'Share %', invalid: 'Invalid', blank: 'Blank', counted: 'Stations counted', open: 'Opened', turnout: 'Turnout',
    close: 'Closed', ops: 'Operations', modem: 'Modem', signal: 'Signal %', operator: 'Operator',
    balance: 'Balance', received: 'Received', sent: 'Sent', send_failures: 'Send failures',
    backlog: 'Waiting to be sent', sending: 'being sent', spool: 'in the spool', per_minute: 'Messages per minute',
    msg_in: 'In', msg_out: 'Out', ready: 'ready', starting: 'starting', degraded: 'degraded', down: 'down',
    disabled: 'disabled', registered: 'Registered', yes: 'yes', no: '–',
    mark_turnout_high: 'turnout at or above %s%', mark_women_low: 'women\'s share below %s%',
    mark_women_high: 'women\'s share above %s%', legend: 'Marked: outside the alert thresholds:', offline: 'Connection lost, reconnecting…',
    csv: 'Download CSV', csv_day: 'The day, CSV', csv_areas: 'Areas, CSV', csv_stations: 'Stations, CSV',
    csv_modems: 'Modems, CSV', checklists: 'Observation checklists', reported_of: 'sent by %s of %s stations',
    question: 'Question', answered: 'Answered', answers: 'Answers', problems: 'Problems', checks: 'Checks', stations_flagged: 'stations',
    mean: 'mean', min: 'min', max: 'max' },
  fr: { title: 'Jour du scrutin', logout: 'Déconnexion', phone: 'Numéro de téléphone', send_code: 'Envoyer le code',
    code: 'Code reçu par SMS', sign_in: 'Connexion', code_sent: 'Si votre numéro est enregistré, un code a été envoyé.',
    bad_code: 'Code erroné.', locked: 'Trop d\'essais : demandez un nouveau code.', expired: 'Le code a expiré.',
    progress: 'Avancement et participation', area: 'Zone', stations: 'Bureaux', opened: 'Ouverts', with_turnout: 'Participation',
    closed: 'Fermés', with_results: 'Résultats', voters: 'Votants', turnout_pct: 'Participation %',
    women_share: 'Part des femmes %', women_turnout_pct: 'Participation des femmes %', incidents: 'Incidents',
    time: 'Heure', station: 'Bureau', severity: 'Gravité', incident: 'Incident', text: 'Texte',
    all: 'Tout', national: 'National', info: 'info', serious: 'grave', critical: 'critique',
    alerts: 'Alertes', alert: 'Alerte', state: 'État', ack: 'Acquitter', acked: 'acquittée', open_state: 'ouverte',
    batching: 'en regroupement', escalated: 'escaladée', results: 'Résultats', candidate: 'Candidat', votes: 'Voix',
    share: 'Part %', invalid: 'Nuls', blank: 'Blancs', counted: 'Bureaux dépouillés', open: 'Ouverts', turnout: 'Participation',
    close: 'Fermés', ops: 'Exploitation', modem: 'Modem', signal: 'Signal %', operator: 'Opérateur',
    balance: 'Crédit', received: 'Reçus', sent: 'Envoyés', send_failures: 'Échecs d\'envoi',
    backlog: 'En attente d\'envoi', sending: 'en cours d\'envoi', spool: 'dans le spool', per_minute: 'Messages par minute',
    msg_in: 'Entrants', msg_out: 'Sortants', ready: 'prêt', starting: 'démarrage', degraded: 'dégradé', down: 'arrêté',
    disabled: 'désactivé', registered: 'Inscrits', yes: 'oui', no: '–',
    mark_turnout_high: 'participation d\'au moins %s%', mark_women_low: 'part des femmes sous %s%',
    mark_women_high: 'part des femmes au-dessus de %s%', legend: 'Marqué : hors des seuils d\'alerte :', offline: 'Connexion perdue, reconnexion…',
    csv: 'Télécharger en CSV', csv_day: 'La journée, CSV', csv_areas: 'Zones, CSV', csv_stations: 'Bureaux, CSV',
    csv_modems: 'Modems, CSV', checklists: 'Listes d\'observation', reported_of: 'envoyée par %s bureaux sur %s',
    question: 'Question', answered: 'Réponses', answers: 'Détail', problems: 'Problèmes', checks: 'Contrôles', stations_flagged: 'bureaux',
    mean: 'moyenne', min: 'min', max: 'max' },
};
let lang = localStorage.getItem('sawt_lang') || 'ar';
let area = null;
let national = false;
let marks = null; /* the alert thresholds (/api/thresholds) */
let trail = [];
const $ = (s) => document.querySelector(s);
const t = (k) => (T[lang] && T[lang][k]) || T.en[k] || k;
const num = (v) => (v === null || v === undefined) ? '–' : Number(v).toLocaleString(lang === 'ar' ? 'ar-EG' : lang);

function applyLang() {
  document.documentElement.lang = lang;
  document.documentElement.dir = lang === 'ar' ? 'rtl' : 'ltr';
  document.querySelectorAll('[data-t]').forEach((e) => { e.textContent = t(e.dataset.t); });
  document.title = 'sawt – ' + t('title');
}

let chart = null;
/* What made the page re-read its figures (the browser test reads it). */
window.sawtLive = { calls: 0, events: 0, polls: 0, opens: 0 };
async function api(path) {
  let r;
  window.sawtLive.calls++;
  try { r = await fetch(path, { credentials: 'same-origin' }); $('#live').textContent = ''; }
  catch (e) { $('#live').textContent = t('offline'); throw e; }
  if (r.status === 401) { show(false); throw new Error('signed out'); }
  if (!r.ok) throw new Error(await r.text());
  return r.json();
}

function cell(tr, v, cls) { const td = tr.insertCell(); td.textContent = v; if (cls) td.className = cls; return td; }

/* The CSV links: the rows each panel shows, for the area shown. */
function csvLinks() {
  document.querySelectorAll('a[data-csv]').forEach((l) => {
    const scoped = l.dataset.csv !== '/api/ops';
    l.href = l.dataset.csv + '?format=csv' + (scoped && area ? '&area=' + area : '');
    if (l.dataset.csv === '/api/stations') l.hidden = !area;
  });
}

async function refresh() {
  const q = area ? '?area=' + area : '';
  csvLinks();
  const [areas, incidents, alerts, results, timeline, checklists] = await Promise.all([api('/api/areas' + q),
    api('/api/incidents' + q), api('/api/alerts' + q), api('/api/results' + q), api('/api/timeline' + q),
    api('/api/checklists' + q)]);
  drawAlerts(alerts); drawResults(results); drawTimeline(timeline); drawChecklists(checklists);
  if (national) drawOps(await api('/api/ops'));
  const tb = $('#areas tbody'); tb.replaceChildren();
  for (const a of areas) {
    const tr = tb.insertRow(); tr.dataset.area = a.id;
    const td = tr.insertCell();
    if (a.has_children || a.stations_total > 0) {
      const l = document.createElement('a'); l.textContent = a.name;
      l.onclick = () => { trail.push({ id: a.id, name: a.name }); area = a.id; crumbs(); refresh(); };
      td.append(l);
    } else td.textContent = a.name;
    for (const k of ['stations_total', 'opened', 'with_turnout', 'closed', 'with_results', 'voters',
      'turnout_pct', 'women_share', 'women_turnout_pct']) {
      const c = cell(tr, num(a[k]), 'n'); c.dataset.k = k; c.dataset.v = a[k] === null ? '' : a[k];
    }
    mark(tr, a);
  }
  drawStations(area ? await api('/api/stations?area=' + area) : []);
  legend();
  const ib = $('#incidents tbody'); ib.replaceChildren();
  for (const i of incidents) {
    const tr = ib.insertRow(); tr.className = i.severity || '';
    cell(tr, new Date(i.reported_at).toLocaleTimeString(lang));
    cell(tr, (i.station_code || '') + ' ' + (i.station_name || ''));
    cell(tr, t(i.severity || ''));
    cell(tr, (lang === 'ar' && i.incident_ar) || (lang === 'fr' && i.incident_fr) || i.incident || String(i.code || ''));
    cell(tr, i.text || '');
  }
}

/* A label in the reader's language, else another. */
const label = (o, k) => o[k + '_' + lang] || o[k + '_en'] || o[k + '_ar'] || o[k + '_fr'] || '';

/* The checklists panel: per form, the stations reporting it, per question
 * the answers (options with their count and share, integers' mean), its
 * problem answers, and the logic checks holding. */
function drawChecklists(forms) {
  const box = $('#checklists'); box.replaceChildren();
  for (const f of forms) {
    const h = document.createElement('h3'); h.textContent = f.code + ' – ' + label(f, 'title');
    const p = document.createElement('p');
    p.textContent = t('reported_of').replace('%s', num(f.stations_reported)).replace('%s', num(f.stations_total));
    const tab = document.createElement('table'); tab.dataset.form = f.code;
    const hr = tab.createTHead().insertRow();
    for (const k of ['question', 'answered', 'answers', 'problems']) {
      const th = document.createElement('th'); th.textContent = t(k); hr.append(th);
    }
    const tb = tab.createTBody();
    for (const x of f.questions) {
      const tr = tb.insertRow(); tr.dataset.q = x.code;
      cell(tr, x.code + ' ' + label(x, 'label'));
      cell(tr, num(x.answered), 'n').dataset.k = 'answered';
      const ac = cell(tr, '');
      if (x.type === 'integer' && x.mean !== null) {
        /* integers: mean, min and max, each with its raw value in data-v */
        ['mean', 'min', 'max'].forEach((k, i) => {
          const sp = document.createElement('span'); sp.dataset.k = k; sp.dataset.v = x[k];
          sp.textContent = (i ? ' · ' : '') + t(k) + ' ' + num(x[k]); ac.append(sp);
        });
      } else {
        ac.textContent = x.options.map((o) => label(o, 'label') + ' ' + num(o.count) +
          (o.share === null ? '' : ' (' + num(o.share) + '%)')).join(' · ');
      }
      const pc = cell(tr, x.problems === null ? '' : num(x.problems), 'n'); pc.dataset.k = 'problems';
      if (x.problems) pc.classList.add('mark');
    }
    box.append(h, p, tab);
    if (f.checks.length) {
      const ul = document.createElement('ul'); ul.dataset.form = f.code;
      for (const c of f.checks) {
        const li = document.createElement('li'); li.className = c.severity; li.dataset.check = c.name;
        li.textContent = label(c, 'label') + ' (' + c.expr + '): ' + num(c.stations) + ' ' + t('stations_flagged');
        ul.append(li);
      }
      const h4 = document.createElement('h4'); h4.textContent = t('checks');
      box.append(h4, ul);
    }
  }
}

function drawAlerts(alerts) {
  const tb = $('#alerts tbody'); tb.replaceChildren();
  for (const a of alerts) {
    const tr = tb.insertRow(); tr.className = a.severity; tr.dataset.alert = a.id;
    cell(tr, new Date(a.created_at).toLocaleTimeString(lang));
    cell(tr, t(a.severity));
    cell(tr, a.message);
    cell(tr, a.acknowledged ? t('acked') : (a.escalations > 0 ? t('escalated') : t(a.state === 'open' ? 'open_state' : a.state)));
    const td = tr.insertCell();
    if (!a.acknowledged) {
      const b = document.createElement('button'); b.textContent = t('ack');
      b.onclick = async () => { b.disabled = true; await post('/api/alerts/ack', { id: a.id }); refresh(); };
      td.append(b);
    }
  }
}

/* Which alert thresholds row r (an area or a station) is outside of:
 * the rules of src/core/alert.c (docs/alerts.md) on its figures. */
function outside(r) {
  const out = [];
  if (!marks) return out;
  if (marks.turnout_high_pct > 0 && r.turnout_pct !== null && r.turnout_pct !== undefined &&
    Number(r.turnout_pct) >= marks.turnout_high_pct) out.push(['turnout_pct', 'turnout_high', marks.turnout_high_pct]);
  if (r.women_share !== null && r.women_share !== undefined && (r.voters || 0) >= marks.women_min_voters) {
    if (marks.women_low_pct > 0 && Number(r.women_share) < marks.women_low_pct) out.push(['women_share', 'women_low', marks.women_low_pct]);
    if (marks.women_high_pct > 0 && Number(r.women_share) > marks.women_high_pct) out.push(['women_share', 'women_high', marks.women_high_pct]);
  }
  return out;
}
function mark(tr, r) {
  const o = outside(r);
  if (!o.length) return;
  tr.dataset.mark = o.map((m) => m[1]).join(' ');
  for (const [k, rule, v] of o) {
    const td = tr.querySelector('td[data-k=' + k + ']');
    if (td) { td.classList.add('mark'); td.title = t('mark_' + rule).replace('%s', num(v)); td.textContent += ' ⚑'; }
  }
}
function legend() {
  const p = $('#legend'); p.replaceChildren();
  if (!marks) return;
  const parts = [];
  if (marks.turnout_high_pct > 0) parts.push(t('mark_turnout_high').replace('%s', num(marks.turnout_high_pct)));
  if (marks.women_low_pct > 0) parts.push(t('mark_women_low').replace('%s', num(marks.women_low_pct)));
  if (marks.women_high_pct > 0) parts.push(t('mark_women_high').replace('%s', num(marks.women_high_pct)));
  if (!parts.length) return;
  const s = document.createElement('span'); s.className = 'mark'; s.textContent = '⚑';
  p.append(s, ' ' + t('legend') + ' ' + parts.join(' – '));
}

function drawStations(list) {
  const tab = $('#stations'); tab.hidden = list.length === 0;
  const tb = $('#stations tbody'); tb.replaceChildren();
  for (const s of list) {
    const tr = tb.insertRow(); tr.dataset.station = s.code;
    cell(tr, s.code + ' ' + s.name);
    for (const k of ['opened', 'closed', 'with_results']) cell(tr, t(s[k] ? 'yes' : 'no'));
    for (const k of ['registered', 'voters', 'turnout_pct', 'women_share', 'women_turnout_pct']) {
      const c = cell(tr, num(s[k]), 'n'); c.dataset.k = k; c.dataset.v = s[k] === null ? '' : s[k];
    }
    mark(tr, s);
  }
}

/* The operations panel (national coordinators): modems, backlog, rates. */
function drawOps(o) {
  $('#ops').hidden = false;
  const tb = $('#modems tbody'); tb.replaceChildren();
  for (const m of o.modems) {
    const tr = tb.insertRow(); tr.className = m.state === 'ready' ? '' : 'serious'; tr.dataset.modem = m.name;
    cell(tr, (m.node ? m.node + '/' : '') + m.name); cell(tr, t(m.state));
    cell(tr, num(m.signal_percent), 'n'); cell(tr, m.operator || '–'); cell(tr, m.balance || '–');
    cell(tr, num(m.received), 'n'); cell(tr, num(m.sent), 'n'); cell(tr, num(m.send_failures), 'n');
  }
  const spool = o.nodes.reduce((n, x) => n + x.spool_messages, 0);
  $('#backlog').textContent = t('backlog') + ': ' + num(o.outbox.queued) + ' – ' + t('sending') + ': ' +
    num(o.outbox.sending) + ' – ' + t('spool') + ': ' + num(spool);
  const hr = $('#rates thead tr'); hr.replaceChildren();
  const th = document.createElement('th'); th.textContent = t('per_minute'); hr.append(th);
  for (const p of o.per_minute) {
    const h = document.createElement('th');
    h.textContent = new Date(p.t).toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' }); hr.append(h);
  }
  const rb = $('#rates tbody'); rb.replaceChildren();
  for (const k of ['in', 'out']) {
    const tr = rb.insertRow(); tr.dataset.rate = k; cell(tr, t(k === 'in' ? 'msg_in' : 'msg_out'));
    for (const p of o.per_minute) cell(tr, num(p[k]), 'n');
  }
}

function drawResults(results) {
  const box = $('#results'); box.replaceChildren();
  for (const c of results) {
    const h = document.createElement('h3');
    h.textContent = c.name + ' (' + c.code + ') – ' + t('counted') + ': ' + num(c.stations_counted) + ' / ' + num(c.stations_total);
    const tab = document.createElement('table'); const tb = tab.createTBody();
    for (const k of c.candidates) { const tr = tb.insertRow(); cell(tr, k.name); cell(tr, num(k.votes), 'n'); cell(tr, num(k.share), 'n'); }
    for (const k of ['invalid', 'blank']) { const tr = tb.insertRow(); cell(tr, t(k)); cell(tr, num(c[k]), 'n'); cell(tr, ''); }
    box.append(h, tab);
  }
}

function drawTimeline(tl) {
  if (typeof Chart === 'undefined') return;
  const forms = ['open', 'turnout', 'close', 'results'];
  const datasets = forms.map((f) => ({ label: t(f === 'results' ? 'results' : f),
    data: tl.points.filter((p) => p.form === f).map((p) => ({ x: new Date(p.t).getTime(), y: p.n })), stepped: true }));
  const opts = { animation: false, maintainAspectRatio: false, parsing: false,
    scales: { x: { type: 'linear', reverse: lang === 'ar', ticks: { callback: (v) => new Date(v).toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' }) } },
      y: { min: 0, max: tl.stations, position: lang === 'ar' ? 'right' : 'left' } } };
  if (chart) chart.destroy();
  chart = new Chart($('#timeline'), { type: 'line', data: { datasets }, options: opts });
}

function crumbs() {
  const n = $('#crumbs'); n.replaceChildren();
  const top = document.createElement('a'); top.textContent = t('all');
  top.onclick = () => { trail = []; area = null; crumbs(); refresh(); };
  n.append(top);
  trail.forEach((c, i) => {
    const a = document.createElement('a'); a.textContent = ' › ' + c.name;
    a.onclick = () => { trail = trail.slice(0, i + 1); area = c.id; crumbs(); refresh(); };
    n.append(a);
  });
}

function show(signedIn) {
  if (!signedIn) unlisten();
  $('#signin').hidden = signedIn; $('#dash').hidden = !signedIn; $('#logout').hidden = !signedIn;
}

async function start() {
  try {
    const me = await api('/api/me');
    if (!localStorage.getItem('sawt_lang')) { lang = me.language; applyLang(); }
    national = me.national;
    marks = await api('/api/thresholds').catch(() => null);
    $('#who').textContent = me.election + ' – ' + (me.national ? t('national') : me.areas.map((a) => a.name).join('، '));
    show(true); crumbs(); await refresh();
    listen();
  } catch (e) { show(false); }
}

/* Live updates: the server sends an event (at most one a second) when
 * reports, alerts or its figures moved, and the page re-reads then.  While
 * the stream is down the browser reconnects by itself (the server's
 * retry: hint) and the page re-reads every 30 s meanwhile; on reconnecting
 * it re-reads once, for what it missed. */
let events = null, poll = null, busy = false, again = false;
async function update() {
  if (busy) { again = true; return; }
  busy = true;
  try { do { again = false; await refresh(); } while (again); }
  catch (e) { /* shown by api() */ }
  finally { busy = false; }
}
function listen() {
  if (events) events.close();
  events = null;
  if ($('#dash').hidden) return;
  events = new EventSource('/api/events');
  events.addEventListener('change', () => { window.sawtLive.events++; update(); });
  events.onopen = () => {
    window.sawtLive.opens++;
    $('#live').textContent = '';
    if (poll) { clearInterval(poll); poll = null; update(); }
  };
  events.onerror = () => {
    $('#live').textContent = t('offline');
    if (!poll) poll = setInterval(() => { window.sawtLive.polls++; update(); }, 30000);
    /* a refused stream (signed out, too many) is not retried by the browser */
    if (events && events.readyState === EventSource.CLOSED) setTimeout(listen, 5000);
  };
}
function unlisten() {
  if (events) events.close();
  events = null;
  if (poll) { clearInterval(poll); poll = null; }
}

async function post(path, body) {
  return fetch(path, { method: 'POST', credentials: 'same-origin',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body) });
}

document.addEventListener('DOMContentLoaded', () => {
  applyLang();
  document.querySelectorAll('[data-lang]').forEach((b) => {
    b.onclick = () => { lang = b.dataset.lang; localStorage.setItem('sawt_lang', lang); applyLang(); crumbs(); refresh().catch(() => {}); };
  });
  $('#phone-form').onsubmit = async (e) => {
    e.preventDefault();
    await post('/api/login/code', { phone: $('#phone').value });
    $('#signin-msg').textContent = t('code_sent'); $('#code-form').hidden = false;
  };
  $('#code-form').onsubmit = async (e) => {
    e.preventDefault();
    const r = await post('/api/login/verify', { phone: $('#phone').value, code: $('#code').value });
    if (r.ok) { $('#signin-msg').textContent = ''; start(); return; }
    const j = await r.json().catch(() => ({}));
    $('#signin-msg').textContent = t(j.error === 'locked' ? 'locked' : j.error === 'expired' ? 'expired' : 'bad_code');
  };
  $('#logout').onclick = async () => { await post('/api/logout', {}); show(false); };
  start();
});
