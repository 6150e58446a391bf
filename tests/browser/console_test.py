#!/usr/bin/python3
"""The web console in Debian's headless Chromium (tests/scenario/t_console.sh
sets up the rig: broker, nodes v201-v203 in villages 430682101201-203, the
hub with [signer] and the accounts li.op, zhao.mt, wang.view, zhang.admin).

    console_test.py --url URL --db HUB_DB --rig RIG --shots DIR

Prints "ok - WHAT" / "FAIL - WHAT" per check and "browser test: done" at
the end; a screenshot of every step goes to DIR (NN-step.png).  Waits are
on the page's own signals (data-testid hooks, body[data-ready], the hub's
database), never fixed sleeps: docs/CONSOLE.md, "Hooks for the browser test".
"""
import argparse
import os
import re
import signal
import sqlite3
import sys
import time

from selenium import webdriver
from selenium.common.exceptions import (JavascriptException, NoSuchElementException,
                                        StaleElementReferenceException, TimeoutException,
                                        WebDriverException)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

PASSWORDS = {"li.op": "flood-duty-2026", "zhao.mt": "check-the-horns",
             "wang.view": "only-looking-1", "zhang.admin": "keys-to-the-hub"}
RESULTS = {"pass": 0, "fail": 0}


def check(what, cond):
    ok = bool(cond)
    RESULTS["pass" if ok else "fail"] += 1
    print("%s - %s" % ("ok" if ok else "FAIL", what), flush=True)
    return ok


class Console:
    def __init__(self, url, db, rig, shots):
        self.url, self.db, self.rig, self.shots = url.rstrip("/"), db, rig, shots
        self.nshot = 0
        opts = webdriver.ChromeOptions()
        opts.binary_location = "/usr/bin/chromium"
        for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--window-size=1280,900", "--lang=zh-CN", "--no-first-run"):
            opts.add_argument(a)
        opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
        self.d.set_page_load_timeout(60)
        self.d.set_script_timeout(30)

    # --- helpers -------------------------------------------------------------------
    def sql(self, q, args=()):
        con = sqlite3.connect("file:%s?mode=ro" % self.db, uri=True, timeout=5)
        try:
            return con.execute(q, args).fetchall()
        finally:
            con.close()

    def wait(self, cond, timeout=20):
        """cond() truthy within timeout seconds: its value, else None."""
        end = time.time() + timeout
        while True:
            try:
                v = cond()
                if v:
                    return v
            except (NoSuchElementException, StaleElementReferenceException,
                    JavascriptException, sqlite3.Error):
                pass
            if time.time() > end:
                return None
            time.sleep(0.05)

    def tid(self, name):
        return self.d.find_element(By.CSS_SELECTOR, '[data-testid="%s"]' % name)

    def tids(self, prefix):
        return self.d.find_elements(By.CSS_SELECTOR, '[data-testid^="%s"]' % prefix)

    def has(self, name):
        return len(self.d.find_elements(By.CSS_SELECTOR, '[data-testid="%s"]' % name)) > 0

    def visible(self, name):
        els = self.d.find_elements(By.CSS_SELECTOR, '[data-testid="%s"]' % name)
        return len(els) > 0 and els[0].is_displayed()

    def attr(self, name, a):
        return self.tid(name).get_attribute(a)

    def ready(self, view, timeout=20):
        return self.wait(lambda: self.d.execute_script(
            "return document.body.dataset.ready") == view, timeout)

    def go(self, route, view, timeout=20):
        """Show route (rendered afresh even when it is the one shown) and wait for view."""
        self.d.execute_script("""
            document.body.dataset.ready = '';
            if (location.hash === arguments[0])
              window.dispatchEvent(new HashChangeEvent('hashchange'));
            else
              location.hash = arguments[0];""", route)
        return self.ready(view, timeout)

    def click(self, name):
        el = self.wait(lambda: self.tid(name) if self.tid(name).is_enabled() else None, 10)
        if el is None:
            raise TimeoutException("no enabled element %s" % name)
        self.d.execute_script("arguments[0].scrollIntoView({block:'center'})", el)
        el.click()

    def type(self, name, text):
        """Fill a field: an <input> or <textarea> typed into, a <select> chosen by value."""
        el = self.tid(name)
        if el.tag_name.lower() == "select":
            Select(el).select_by_value(text)
            return
        el.clear()
        el.send_keys(text)

    def shot(self, step):
        self.nshot += 1
        path = os.path.join(self.shots, "%02d-%s.png" % (self.nshot, step))
        self.d.save_screenshot(path)

    def js_errors(self):
        try:
            logs = self.d.get_log("browser")
        except WebDriverException:
            return []
        return [l["message"] for l in logs if l.get("level") == "SEVERE"
                and "favicon" not in l["message"]
                and "401" not in l["message"] and "403" not in l["message"]
                and "409" not in l["message"] and "429" not in l["message"]]

    def login(self, name, password=None, expect_ok=True):
        self.d.get(self.url + "/#/login")
        if not self.ready("login"):
            # already logged in: log out first
            if self.has("logout"):
                self.click("logout")
            self.ready("login")
        self.type("login-name", name)
        self.type("login-password", password if password is not None else PASSWORDS[name])
        self.click("login-submit")
        if not expect_ok:
            return self.wait(lambda: self.tid("login-error").text.strip(), 15)
        return self.wait(lambda: name in self.tid("me").text, 20)

    def logout(self):
        self.click("logout")
        return self.ready("login")

    def api(self, method, path, body=None):
        """A request from the page (its cookie and CSRF token): [status, json]."""
        return self.d.execute_async_script("""
            const [method, path, body, done] = arguments;
            (async () => {
              const s = await fetch('/api/session', {credentials: 'same-origin'});
              const csrf = s.ok ? (await s.json()).csrf : '';
              const r = await fetch(path, {method, credentials: 'same-origin',
                headers: {'Content-Type': 'application/json', 'X-CSRF-Token': csrf},
                body: body === null ? undefined : JSON.stringify(body)});
              let j = null; try { j = await r.json(); } catch (e) {}
              done([r.status, j]);
            })().catch(e => done([0, String(e)]));""", method, path, body)

    def watch_rows(self):
        """Record when each roll-call row is first seen in each class (page clock)."""
        self.d.execute_script("""
            window.__seen = window.__seen || {};
            const note = () => document.querySelectorAll('[data-testid^="rc-row-"]').forEach(e => {
              const k = e.dataset.testid.slice(7) + ':' + e.dataset.class;
              if (!(k in window.__seen)) window.__seen[k] = Date.now();
            });
            if (!window.__obs) {
              window.__obs = new MutationObserver(note);
              window.__obs.observe(document.body, {subtree: true, childList: true,
                                                   attributes: true, attributeFilter: ['data-class']});
            }
            note();""")

    def seen(self):
        return self.d.execute_script("return window.__seen || {}")

    def row_class(self, node):
        return self.attr("rc-row-" + node, "data-class")

    def send_compose(self, status, zones_typed=None, picks=(), clips=(), sirens=(),
                     title="", text="", event="flood", severity="2"):
        if not self.go("#/send", "send"):
            return False
        self.type("send-status", status)
        self.type("send-event", event)
        self.type("send-severity", severity)
        self.type("send-title", title)
        self.type("send-text", text)
        if zones_typed:
            self.type("send-zones", zones_typed)
        for p in picks:
            self.click("pick-" + p)
        for c in clips:
            self.click("clip-" + c)
        for s in sirens:
            self.click("siren-" + s)
        return True


def warning_ids(c):
    return {r[0] for r in c.sql("SELECT id FROM warnings")}


def new_warning(c, before, timeout=20):
    def one():
        ids = warning_ids(c) - before
        return sorted(ids)[0] if len(ids) == 1 else None
    return c.wait(one, timeout)


def node_ctl(rig, node, sig):
    with open(os.path.join(rig, "pids", node)) as f:
        os.kill(int(f.read()), sig)


def run(c, args):
    rig = args.rig
    # ---- 1. log in -------------------------------------------------------------------
    c.d.get(c.url + "/")
    check("the console loads and asks for a login", c.ready("login"))
    check("... in Chinese by default", re.search(r"[\u4e00-\u9fff]", c.d.find_element(
        By.TAG_NAME, "body").text) is not None)
    c.shot("login")
    err = c.login("li.op", "not-the-password", expect_ok=False)
    check("a wrong password is refused with a message", err)
    c.shot("login-refused")
    check("the operator logs in", c.login("li.op"))
    check("... the header names the account and role",
          "li.op" in c.tid("me").text)
    cookie = c.d.get_cookie("cx_session")
    check("the session cookie is HttpOnly and SameSite=Strict",
          cookie is not None and cookie.get("httpOnly") and cookie.get("sameSite") == "Strict")

    # ---- 2. the zone tree ------------------------------------------------------------
    check("the nodes page renders", c.go("#/nodes", "nodes"))
    check("the township's zone counts 3 nodes",
          c.wait(lambda: c.attr("zone-430682101", "data-nodes") == "3"))
    for z in ("430682101201", "430682101202", "430682101203"):
        if not c.has("node-v" + z[-3:]) and c.has("zone-toggle-" + z):
            c.click("zone-toggle-" + z)
    check("every node's chip shows it ok",
          c.wait(lambda: all(c.attr("node-" + n, "data-class") == "ok"
                             for n in ("v201", "v202", "v203"))))
    check("the township shows its name beside its code (忠防镇, from the hub's zone file)",
          "忠防镇" in c.tid("zone-430682101").text)
    check("... with the age of its last heartbeat",
          re.search(r"\d", c.tid("node-v201").text) is not None)
    c.shot("zone-tree")
    # a node goes offline: its chip turns offline live, without a reload
    node_ctl(rig, "v202", signal.SIGTERM)
    check("a node stopped turns offline on the page, live",
          c.wait(lambda: c.attr("node-v202", "data-class") == "offline", 30))
    check("... the township's attention count says 1",
          c.wait(lambda: c.attr("zone-430682101", "data-attention") == "1", 10))
    c.click("attention-filter")
    check("'needs attention' keeps the offline node and hides the healthy ones",
          c.wait(lambda: c.has("node-v202") and not c.visible("node-v201"), 10))
    c.shot("needs-attention")
    c.click("attention-filter")

    # ---- 3. a drill to the township, watched live --------------------------------------
    before = warning_ids(c)
    check("the compose form opens", c.send_compose(
        "exercise", picks=("430682101",), clips=("short.opus",),
        title="防汛演练", text="这是一次演练。请村民注意。"))
    c.shot("compose-drill")
    c.click("send-preview")
    check("the confirmation shows before anything is signed",
          c.wait(lambda: c.visible("confirm-dialog")))
    check("... with the node count (3)", c.wait(lambda: "3" in c.tid("confirm-nodes").text))
    check("... the zones", "430682101" in c.tid("confirm-zones").text)
    check("... the title and text", "防汛演练" in c.tid("confirm-title").text
          and "演练" in c.tid("confirm-text").text)
    check("... marked a drill", c.tid("confirm-status").text.strip() != "")
    check("nothing published before the confirmation", warning_ids(c) == before)
    c.shot("confirm-drill")
    c.watch_rows()
    t_click = time.time()
    c.click("confirm-send")
    drill = new_warning(c, before)
    check("the drill is sent (%s)" % drill, drill)
    check("the page goes to its roll-call", c.wait(
        lambda: c.attr("rollcall", "data-id") == drill and c.d.execute_script(
            "return document.body.dataset.ready") == "warning", 20))
    c.watch_rows()
    check("... the event stream is open", c.wait(lambda: c.attr("live", "data-live") == "1"))
    check("... marked a drill (data-status exercise)", c.attr("rollcall", "data-status") == "exercise")
    check("the offline node is pending until the deadline (it may still come back)",
          c.wait(lambda: c.row_class("v202") == "pending", 20))
    check("v201 and v203 fill in live as done", c.wait(
        lambda: c.row_class("v201") == "done" and c.row_class("v203") == "done", 60))
    check("... counts: 2 done", c.wait(lambda: c.tid("count-done").text.strip() == "2", 10))
    seen = c.seen()
    lags = []
    for n in ("v201", "v203"):
        rows = c.sql("SELECT recv_ms FROM receipts WHERE node = ? AND ref = ? AND state = 'done'",
                     (n, drill))
        if rows and (n + ":done") in seen:
            lags.append(seen[n + ":done"] - rows[0][0])
    check("each receipt on the page within 1 s of reaching the hub (%s ms)" % lags,
          len(lags) == 2 and max(lags) <= 1000)
    c.shot("rollcall-drill")
    if not check("after the deadline the offline node is listed first, as offline",
                 c.wait(lambda: c.row_class("v202") == "offline", 60)
                 and c.tids("rc-row-")[0].get_attribute("data-testid") == "rc-row-v202"):
        _, w = c.api("GET", "/api/warnings/" + drill)
        print("# the page shows v202 %s; the hub says deadline_passed %s, v202 %s" % (
              c.row_class("v202"), w.get("deadline_passed"),
              [r for r in w.get("nodes", []) if r.get("node") == "v202"]), flush=True)
    check("... and the verdict is no longer ok", c.attr("rollcall", "data-verdict") != "ok")
    c.shot("rollcall-drill-deadline")
    check("the T+2 report can be downloaded once made", c.wait(
        lambda: c.has("report-T+2") and c.tid("report-T+2").get_attribute("href"), 30))

    # ---- 4. an actual warning: two confirmations, then cancelled -------------------------
    before = warning_ids(c)
    c.send_compose("actual", zones_typed="430682101203", clips=("long.opus",),
                   title="山洪预警", text="山洪即将到来，请立即转移到高处。", severity="1")
    c.click("send-preview")
    check("an actual warning: the first confirmation", c.wait(lambda: c.visible("confirm-dialog")))
    check("... for 1 node", "1" in c.tid("confirm-nodes").text)
    c.shot("confirm-actual-1")
    c.click("confirm-send")
    check("... then a second, different confirmation",
          c.wait(lambda: c.visible("confirm-actual-dialog")))
    check("... nothing published yet", warning_ids(c) == before)
    c.type("confirm-actual-input", "7")
    wrong = c.tid("confirm-actual-send")
    if wrong.is_enabled():
        wrong.click()
    check("... a wrong node count does not send",
          c.wait(lambda: warning_ids(c) != before, 2) is None)
    c.type("confirm-actual-input", "1")
    c.shot("confirm-actual-2")
    c.click("confirm-actual-send")
    actual = new_warning(c, before)
    check("the actual warning is sent (%s)" % actual, actual)
    check("... its roll-call is marked actual",
          c.wait(lambda: c.attr("rollcall", "data-id") == actual
                 and c.attr("rollcall", "data-status") == "actual", 20))
    check("v203 plays it", c.wait(lambda: c.row_class("v203") == "playing", 60))
    c.shot("rollcall-actual")
    c.click("warning-cancel")
    check("cancel opens the send page for the cancel", c.ready("send"))
    c.shot("compose-cancel")
    c.click("send-preview")
    check("cancel asks for a confirmation", c.wait(lambda: c.visible("confirm-dialog")))
    c.shot("confirm-cancel")
    before = warning_ids(c)
    c.click("confirm-send")
    cancel = new_warning(c, before)
    check("the cancel is sent (%s)" % cancel, cancel)
    check("v203 stops: its receipt says cancelled", c.wait(lambda: c.sql(
        "SELECT 1 FROM receipts WHERE node = 'v203' AND ref = ? AND state = 'cancelled'",
        (actual,)), 30))
    check("the cancel's own roll-call is ok", c.go("#/warning/" + cancel, "warning")
          and c.wait(lambda: c.attr("rollcall", "data-verdict") == "ok", 30))
    c.shot("rollcall-cancel")

    # ---- 5. a self-test that finds a relay stuck off (the maintainer) ---------------------
    check("the maintainer logs in", c.login("zhao.mt"))
    check("... sees no 'send'", not c.visible("nav-send"))
    with open(os.path.join(rig, "v201", "sim", "fault", "AMP_EN"), "w") as f:
        f.write("stuck-off\n")
    before = warning_ids(c)
    c.go("#/nodes", "nodes")
    c.type("selftest-target", "v201")
    c.click("selftest-start")
    st = new_warning(c, before)
    check("a self-test of v201 is started (%s)" % st, st and st.startswith("selftest."))
    check("... its roll-call shows v201 failed", c.wait(
        lambda: c.attr("rollcall", "data-id") == st and c.row_class("v201") == "failed", 60))
    c.shot("selftest-failed")
    os.remove(os.path.join(rig, "v201", "sim", "fault", "AMP_EN"))

    # ---- 6. the node's page ------------------------------------------------------------------
    check("v201's page renders", c.go("#/node/v201", "node")
          and c.attr("node-page", "data-node") == "v201")
    check("... its status fields", "430682101201" in c.tid("node-status").text)
    check("... the failed self-test, amp_relay named", c.wait(lambda: c.d.find_elements(
        By.CSS_SELECTOR, '[data-testid="node-selftests"] [data-ref="%s"][data-ok="0"] '
        '[data-check="amp_relay"][data-ok="0"]' % st), 20))
    check("... the drill it played", c.d.find_elements(
        By.CSS_SELECTOR, '[data-testid="node-warnings"] [data-warning="%s"]' % drill))
    check("... its heartbeats", c.tid("node-heartbeats").text.strip() != "")
    check("... its routine programmes: no schedule held, no plays (t_hub_routine.sh has some)",
          c.has("node-schedules") and c.has("node-plays")
          and c.d.find_elements(By.CSS_SELECTOR, '[data-testid="node-schedules"] + p.empty')
          and c.d.find_elements(By.CSS_SELECTOR, '[data-testid="node-plays"] + p.empty'))
    c.shot("node-page")

    # ---- 7. the viewer cannot send -------------------------------------------------------------
    check("the viewer logs in", c.login("wang.view"))
    check("... sees no 'send'", not c.visible("nav-send"))
    st_, _ = c.api("POST", "/api/send/preview", {"type": "alert", "status": "exercise",
                   "zones": ["430682101"], "title": "x", "text": "x", "event": "flood"})
    check("... and the hub refuses a preview from it (403, got %s)" % st_, st_ == 403)
    st_, _ = c.api("POST", "/api/selftest", {"target": "v201"})
    check("... or a self-test (403, got %s)" % st_, st_ == 403)
    check("the warnings list marks the drill", c.go("#/warnings", "warnings")
          and c.attr("warning-" + drill, "data-status") == "exercise")
    check("... and the actual warning", c.attr("warning-" + actual, "data-status") == "actual")
    c.shot("warnings-viewer")
    check("the audit page verifies the chain", c.go("#/audit", "audit")
          and c.wait(lambda: c.attr("audit-result", "data-ok") == "1"))
    check("... and names the operator who sent", "li.op" in c.tid("audit-list").text)
    c.shot("audit")

    # ---- 8. English, and a phone's screen ------------------------------------------------------
    zh = c.tid("nav-nodes").text
    Select(c.tid("lang")).select_by_value("en")
    check("English on request", c.wait(lambda: c.tid("nav-nodes").text != zh
                                       and re.search(r"[A-Za-z]", c.tid("nav-nodes").text)))
    c.d.set_window_size(390, 844)
    c.go("#/warning/" + drill, "warning")
    check("a phone's screen: the roll-call fits its width", c.d.execute_script(
        "return document.documentElement.scrollWidth") <= 392)
    c.shot("phone-rollcall")
    c.go("#/nodes", "nodes")
    c.shot("phone-nodes")
    Select(c.tid("lang")).select_by_value("zh-CN")
    c.d.set_window_size(1280, 900)

    # ---- 9. accounts (admin) ------------------------------------------------------------------
    check("the admin logs in", c.login("zhang.admin"))
    check("the accounts page lists the four", c.go("#/accounts", "accounts") and all(
        c.has("account-row-" + n) for n in PASSWORDS))
    c.type("account-new-name", "liu.new")
    Select(c.tid("account-new-role")).select_by_value("viewer")
    c.type("account-new-password", "a-new-viewer-pw")
    c.click("account-create")
    check("... an admin makes a viewer account", c.wait(lambda: c.has("account-row-liu.new")))
    c.shot("accounts")
    c.logout()
    check("... which can log in", c.login("liu.new", "a-new-viewer-pw"))
    c.logout()

    # ---- 10. brute force is slowed and logged -------------------------------------------------
    first = c.login("li.op", "guess-0", expect_ok=False)
    slowed = None
    for i in range(1, 15):
        m = c.login("li.op", "guess-%d" % i, expect_ok=False)
        if m and m != first:
            slowed = (i + 1, m)
            break
    check("repeated wrong passwords are slowed: attempt %s says %r" % (
          slowed[0] if slowed else "-", slowed[1] if slowed else ""),
          slowed is not None and slowed[0] >= 4)
    check("... and every failure is in the audit log", len(c.sql(
        "SELECT 1 FROM audit WHERE action = 'login-failed'")) >= 5)
    c.shot("login-slowed")
    errs = c.js_errors()
    check("no script error or CSP violation in the browser's log (%s)" % errs[:3], not errs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--rig", required=True)
    ap.add_argument("--shots", required=True)
    args = ap.parse_args()
    c = Console(args.url, args.db, args.rig, args.shots)
    try:
        run(c, args)
    except (WebDriverException, TimeoutException, OSError, sqlite3.Error) as e:
        check("the browser test ran without an exception (%s: %s)" % (type(e).__name__,
              str(e).splitlines()[0] if str(e) else ""), False)
        try:
            c.shot("exception")
        except WebDriverException:
            pass
    finally:
        c.d.quit()
    print("%d passed, %d failed (browser)" % (RESULTS["pass"], RESULTS["fail"]))
    print("browser test: done")
    sys.exit(1 if RESULTS["fail"] else 0)


if __name__ == "__main__":
    main()
