"""The election-day page in headless Chromium (see web_browser.sh).

Prints TAP.  Environment: SAWT_WEB_BASE (the page), SAWT_WEB_SHOTS (where
the screenshots go), SAWT (the sawt program), PG* (the test database).
"""
import os
import subprocess
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.support.ui import WebDriverWait

BASE = os.environ["SAWT_WEB_BASE"]
SHOTS = os.environ["SAWT_WEB_SHOTS"]
KARIM, LINA, MOHAMMAD = "+96181222333", "+96170999888", "+9613987654"
n = 0
failed = 0


def ok(cond, desc, detail=""):
    global n, failed
    n += 1
    if cond:
        print(f"ok {n} - {desc}")
    else:
        failed += 1
        print(f"not ok {n} - {desc}")
        if detail:
            for line in str(detail).splitlines():
                print(f"#   {line}")
    sys.stdout.flush()


def q(sql):
    return subprocess.run(["psql", "-X", "-q", "-A", "-t", "-c", sql], check=True,
                          capture_output=True, text=True).stdout.strip()


def browser():
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
              "--disable-gpu", "--window-size=1280,1000", "--lang=ar"):
        opts.add_argument(a)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)


def shot(drv, name, what):
    os.makedirs(SHOTS, exist_ok=True)
    path = os.path.join(SHOTS, name)
    ok(drv.save_screenshot(path) and os.path.getsize(path) > 0, f"screenshot {path}: {what}")


def sign_in(drv, phone, wait):
    drv.get(BASE + "/")
    wait.until(lambda d: d.find_element(By.ID, "signin").is_displayed())
    drv.find_element(By.ID, "phone").send_keys(phone)
    drv.find_element(By.CSS_SELECTOR, "#phone-form button").click()
    wait.until(lambda d: d.find_element(By.ID, "code-form").is_displayed())
    code = ""
    for _ in range(100):
        code = q("SELECT substring(body FROM '[0-9]{6}') FROM sawt.outbox "
                 f"WHERE recipient = '{phone}' AND kind = 'manual' AND priority = 0 "
                 "ORDER BY id DESC LIMIT 1")
        if code:
            break
        time.sleep(0.1)
    drv.find_element(By.ID, "code").send_keys(code)
    drv.find_element(By.CSS_SELECTOR, "#code-form button").click()
    wait.until(lambda d: d.find_element(By.ID, "dash").is_displayed()
               and d.find_elements(By.CSS_SELECTOR, "#areas tbody tr"))


def rows(drv):
    """The areas table as {name: {key: value}}, numbers as floats."""
    for _ in range(20):
        try:
            return rows_once(drv)
        except StaleElementReferenceException:
            time.sleep(0.1)
    return rows_once(drv)


def number(v):
    return None if v in ("", None) else float(v)


def rows_once(drv):
    out = {}
    for tr in drv.find_elements(By.CSS_SELECTOR, "#areas tbody tr"):
        name = tr.find_element(By.CSS_SELECTOR, "td").text
        out[name] = {td.get_attribute("data-k"): number(td.get_attribute("data-v"))
                     for td in tr.find_elements(By.CSS_SELECTOR, "td[data-k]")}
    return out


def view(area):
    r = q("SELECT stations_total, voters, COALESCE(turnout_pct::text, ''), "
          "COALESCE(women_share::text, ''), COALESCE(women_turnout_pct::text, '') "
          f"FROM analytics.area_turnout WHERE area = '{area}'")
    return [number(x) for x in r.split("|")]


def main():
    drv = browser()
    wait = WebDriverWait(drv, 30, ignored_exceptions=[StaleElementReferenceException])
    try:
        drv.get(BASE + "/")
        html = drv.find_element(By.TAG_NAME, "html")
        ok(html.get_attribute("dir") == "rtl" and html.get_attribute("lang") == "ar",
           "the page opens in Arabic, right to left")
        ok(drv.find_element(By.CSS_SELECTOR, "[data-t=send_code]").text == "أرسل الرمز",
           "its words come from the Arabic catalogue")
        shot(drv, "01-signin-ar.png", "the sign-in form in Arabic")

        sign_in(drv, KARIM, wait)
        ok(True, "Karim signs in with the code texted to him (read from the outbox)")
        r = rows(drv)
        ok(list(r) == ["صيدا"], "he sees only his district", list(r))
        ok(not drv.find_element(By.ID, "ops").is_displayed(),
           "and no operations panel (it is for national coordinators)")
        ok(drv.execute_script("return typeof Chart") == "function", "Chart.js is loaded from sawtd")
        shot(drv, "02-karim-ar.png", "Karim's page: صيدا, no report yet")

        # a new report shows up without a reload, through the event stream
        wait.until(lambda d: d.execute_script("return window.sawtLive.opens") >= 1)
        marker = drv.execute_script("window.__sawt_marker = 1; return window.__sawt_marker")
        before = drv.execute_script("return Object.assign({}, window.sawtLive)")
        subprocess.run([os.environ["SAWT"], "inject", MOHAMMAD, "T 4011 V400 W150 #9753"],
                       check=True, capture_output=True)
        try:
            wait.until(lambda d: rows(d).get("صيدا", {}).get("voters") == 400)
            got = True
        except Exception:  # noqa: BLE001 - reported below
            got = False
        ok(got, "Mohammad's turnout at 4011 appears on the page", rows(drv))
        ok(drv.execute_script("return window.__sawt_marker") == marker,
           "without a reload (the page's state is the same)")
        after = drv.execute_script("return Object.assign({}, window.sawtLive)")
        ok(after["events"] > before["events"] and after["polls"] == 0,
           "because an event arrived on /api/events, not by polling", (before, after))
        ok(after["calls"] - before["calls"] <= 6 * (after["events"] - before["events"]),
           "each event re-reads the six panels once at most", (before, after))
        v = view("صيدا")
        s = rows(drv)["صيدا"]
        ok([s["stations_total"], s["voters"], s["turnout_pct"], s["women_share"],
            s["women_turnout_pct"]] == v,
           "صيدا's figures on the page equal analytics.area_turnout", (s, v))
        shot(drv, "03-karim-live-ar.png", "Karim's page after the report: 400 voters at صيدا")

        # the stream lost and found again: sawtd stops, the page says so; it
        # comes back on the same port and the page reconnects by itself
        restart = os.environ["SAWT_WEB_RESTART"]
        opens = drv.execute_script("return window.sawtLive.opens")
        subprocess.run([restart, "stop"], check=True)
        try:
            wait.until(lambda d: d.find_element(By.ID, "live").text == "انقطع الاتصال، نعيد الاتصال…")
            lost = True
        except Exception:  # noqa: BLE001 - reported below
            lost = False
        ok(lost, "when sawtd stops, the page says the connection is lost",
           drv.find_element(By.ID, "live").text)
        shot(drv, "09-offline-ar.png", "Karim's page while sawtd is down: connection lost, reconnecting")
        subprocess.run([restart, "start"], check=True)
        try:
            wait.until(lambda d: d.execute_script("return window.sawtLive.opens") > opens
                       and d.find_element(By.ID, "live").text == "")
            back = True
        except Exception:  # noqa: BLE001 - reported below
            back = False
        ok(back, "when it is back, the page reconnects by itself and clears the notice",
           drv.execute_script("return Object.assign({}, window.sawtLive)"))
        subprocess.run([os.environ["SAWT"], "inject", MOHAMMAD, "T 4011 V420 W160 #9753"],
                       check=True, capture_output=True)
        try:
            wait.until(lambda d: rows(d).get("صيدا", {}).get("voters") == 420)
            got = True
        except Exception:  # noqa: BLE001 - reported below
            got = False
        ok(got and drv.execute_script("return window.__sawt_marker") == marker,
           "and a report after the restart appears without a reload", rows(drv))
    finally:
        drv.quit()

    # 1021 above the turnout threshold (95% >= 90%), 1022 below (40%)
    for phone, text in (("+9613123456", "T 1021 V760 W380 #1234"),
                        ("+96171123456", "T 1022 V300 W150 #5678")):
        subprocess.run([os.environ["SAWT"], "inject", phone, text], check=True, capture_output=True)
    for _ in range(300):
        if q("SELECT count(*) FROM sawt.reports r JOIN sawt.stations s ON s.id = r.station_id "
             "WHERE r.form = 'turnout' AND s.code IN ('1021', '1022') AND r.outcome = 'accepted'") == "2":
            break
        time.sleep(0.1)
    drv = browser()
    wait = WebDriverWait(drv, 30, ignored_exceptions=[StaleElementReferenceException])
    try:
        sign_in(drv, LINA, wait)
        r = rows(drv)
        regions = q("SELECT string_agg(name, ',' ORDER BY name) FROM sawt.areas "
                    "WHERE parent_id IS NULL").split(",")
        ok(sorted(r) == sorted(regions), "Lina (national) sees every region", list(r))
        for area in regions:
            s = r.get(area, {})
            v = view(area)
            ok([s.get("stations_total"), s.get("voters"), s.get("turnout_pct"),
                s.get("women_share"), s.get("women_turnout_pct")] == v,
               f"{area}: the figures on the page equal analytics.area_turnout", (s, v))
        shot(drv, "04-lina-ar.png", "the national page in Arabic: every region")
        wait.until(lambda d: d.find_element(By.ID, "ops").is_displayed()
                   and d.find_elements(By.CSS_SELECTOR, "#modems tbody tr"))
        modems = q("SELECT string_agg(name || ':' || state, ',' ORDER BY node, name) FROM sawt.modems")
        shown = ",".join(tr.get_attribute("data-modem") + ":" + tr.find_elements(By.TAG_NAME, "td")[1].text
                         for tr in drv.find_elements(By.CSS_SELECTOR, "#modems tbody tr"))
        ok(shown == modems.replace(":ready", ":جاهز"),
           "Lina's operations panel shows the modems and their state, in Arabic", (shown, modems))
        ok(len(drv.find_elements(By.CSS_SELECTOR, "#rates tbody tr[data-rate=in] td")) == 16,
           "with messages in per minute over 15 minutes")
        drv.execute_script("document.getElementById('ops').scrollIntoView()")
        shot(drv, "07-ops-ar.png", "the operations panel: modems, backlog, spool, messages per minute")

        # the checklists panel: its figures are analytics.checklist_summary's, and
        # a checklist SMS shows up without a reload
        def ck(d, code):
            tr = d.find_elements(By.CSS_SELECTOR, f"#checklists table[data-form=OP] tr[data-q={code}]")
            return number(tr[0].find_element(By.CSS_SELECTOR, "td[data-k=answered]").get_attribute("textContent")) if tr else None
        def ck_view(code):
            return number(q("SELECT max(answered) FROM analytics.checklist_summary "
                            f"WHERE area = 'default' AND form = 'OP' AND question = '{code}'"))
        wait.until(lambda d: ck(d, "AB") is not None)
        ok(ck(drv, "AB") == ck_view("AB") == 2 and ck(drv, "AD") == ck_view("AD"),
           "the checklists panel shows the answers analytics.checklist_summary counts",
           (ck(drv, "AB"), ck_view("AB")))
        marker = drv.execute_script("window.__sawt_marker = 2; return window.__sawt_marker")
        subprocess.run([os.environ["SAWT"], "inject", "--time", os.environ["SAWT_CK_TIME"],
                        "+96176123456", "OP 2011 AA1 AB2 AD5"], check=True, capture_output=True)
        try:
            wait.until(lambda d: ck(d, "AB") == 3)
            got = True
        except Exception:  # noqa: BLE001 - reported below
            got = False
        ok(got and drv.execute_script("return window.__sawt_marker") == marker,
           "a checklist sent by SMS shows up in the panel without a reload", ck(drv, "AB"))
        # an integer question: its mean, min and max, those of the view, in Arabic digits
        ad = {sp.get_attribute("data-k"): (number(sp.get_attribute("data-v")), sp.get_attribute("textContent"))
              for sp in drv.find_elements(By.CSS_SELECTOR, "#checklists table[data-form=OP] tr[data-q=AD] span[data-k]")}
        ad_view = q("SELECT mean || ' ' || min || ' ' || max FROM analytics.checklist_summary "
                    "WHERE area = 'default' AND form = 'OP' AND question = 'AD'")
        ok(sorted(ad) == ["max", "mean", "min"]
           and [ad[k][0] for k in ("mean", "min", "max")] == [float(v) for v in ad_view.split()] == [4, 3, 5]
           and "الأعلى ٥" in ad["max"][1] and "الأدنى ٣" in ad["min"][1],
           "an integer question shows the view's mean, min and max in the reader's digits", (ad, ad_view))
        flagged = drv.find_element(By.CSS_SELECTOR, "#checklists ul[data-form=OP] li[data-check=unsealed]").text
        held = flagged.rsplit(":", 1)[-1].split()[0] if ":" in flagged else ""
        ok("صناديق غير مختومة" in flagged and held in ("2", "٢") and q(
            "SELECT count(*) FROM analytics.checklist_flags WHERE check_code = 'unsealed' AND holds") == "2",
           "the unsealed check holds at two stations, named in Arabic, as analytics.checklist_flags says",
           flagged)
        drv.execute_script("document.getElementById('checklists').scrollIntoView()")
        shot(drv, "10-checklists-ar.png", "the checklists panel in Arabic: OP's answers, problems and checks")
        drv.execute_script("window.scrollTo(0, 0)")

        # drill down to the stations of الأشرفية: 1021 marked, 1022 not
        for name in ("بيروت", "الأشرفية"):
            wait.until(lambda d, n=name: n in rows(d))
            drv.find_element(By.XPATH, f"//table[@id='areas']//a[text()='{name}']").click()
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#stations tbody tr")) == 2)
        marked = {tr.get_attribute("data-station"): tr.get_attribute("data-mark") or ""
                  for tr in drv.find_elements(By.CSS_SELECTOR, "#stations tbody tr")}
        ok(marked.get("1021") == "turnout_high",
           "station 1021 (95% turnout, threshold 90%) is marked", marked)
        ok(marked.get("1022") == "", "station 1022 (40%) is not", marked)
        cls = drv.find_element(By.CSS_SELECTOR,
                               "#stations tr[data-station='1021'] td[data-k=turnout_pct]").get_attribute("class")
        ok("mark" in cls, "its turnout cell carries the mark", cls)
        ok("90" in drv.find_element(By.ID, "legend").text or "٩٠" in drv.find_element(By.ID, "legend").text,
           "the legend names the threshold", drv.find_element(By.ID, "legend").text)
        drv.find_element(By.ID, "stations").location_once_scrolled_into_view
        shot(drv, "08-marked-station-ar.png", "الأشرفية's stations: 1021 marked above 90% turnout")
        # the CSV links follow the area shown; the stations' CSV holds the rows shown
        link = drv.find_element(By.CSS_SELECTOR, "a[data-csv='/api/stations']")
        href = link.get_attribute("href")
        ok(link.is_displayed() and "format=csv&area=" in href and link.text == "تنزيل المراكز CSV",
           "a download link for the stations shown, in Arabic", href)
        csv_text = drv.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "fetch(arguments[0], {credentials: 'same-origin'}).then((r) => r.text()).then(done);", href)
        lines = [l for l in csv_text.replace("\ufeff", "").split("\r\n") if l]
        codes = sorted(l.split(",")[1] for l in lines[1:])
        ok(codes == sorted(marked.keys()), "the stations' CSV holds the stations shown", lines)
        ok(all("format=csv" in a.get_attribute("href") and ("area=" in a.get_attribute("href"))
               == (a.get_attribute("data-csv") != "/api/ops")
               for a in drv.find_elements(By.CSS_SELECTOR, "a[data-csv]")),
           "every panel's CSV link is for the area shown (the operations' for the whole election)")
        drv.find_element(By.CSS_SELECTOR, "#crumbs a").click()
        wait.until(lambda d: "بيروت" in rows(d))
        drv.find_element(By.CSS_SELECTOR, "[data-lang=en]").click()
        html = drv.find_element(By.TAG_NAME, "html")
        ok(html.get_attribute("dir") == "ltr" and html.get_attribute("lang") == "en",
           "in English the page is left to right")
        ok(drv.find_element(By.CSS_SELECTOR, "h2[data-t=progress]").text == "Progress and turnout",
           "with the English catalogue")
        shot(drv, "05-lina-en.png", "the national page in English")
        drv.find_element(By.CSS_SELECTOR, "[data-lang=fr]").click()
        ok(drv.find_element(By.CSS_SELECTOR, "h2[data-t=progress]").text
           == "Avancement et participation", "and in French with the French one")
        shot(drv, "06-lina-fr.png", "the national page in French")
    finally:
        drv.quit()
    print(f"1..{n}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
