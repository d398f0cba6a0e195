#!/usr/bin/env python3
"""Real-browser test of `loopseal serve`'s web pages (issue 6, must-hold 2).

Headless Chromium (Debian's `chromium` + `chromium-driver`, driven by Selenium 4) walks the
secret-request flow a person would: sign in with a token, open the workspace, open a run that
waits on a secret request, enter a value into each secret field (a masked textarea: a 5-line PEM
typed key by key, and a pasted value with a tab and trailing spaces), reveal one with its Show
switch, submit, and see the run complete with a report that says each key "has value". A
screenshot is saved after each step in artifacts/browser/ (01-signin.png … 05-completed.png).

Then it checks what the browser cannot see: `loopseal get` returns exactly the entered values,
byte for byte, with LF line breaks (the browser sends CR LF);
no canary value appears in any page source, the server's stderr, the audit log, the run files
or any other file the server wrote; the run page carries Content-Security-Policy and
`Cache-Control: no-store`; the secret fields have autocomplete=off and are masked until shown; the session cookie is
HttpOnly and SameSite=Strict.

A second flow walks a sub-workflow (issue 15, must-hold 2): `agent-secrets-example`, started
with the CLI once the first flow is done, is pending on a child run of the built-in `request-secrets` workflow (its
`request_secrets_task` shows the child inline). The browser opens the PARENT's page, finds the
child's form there (a link to the child, the same masked fields, no transition buttons), enters
both keys (one multi-line), submits once, and lands on the parent's page, which already shows the
run completed and its report ("has value" for each key); the child's page says whose child it is.
Screenshots 06-agent-pending.png … 09-agent-child.png. `loopseal get` returns those values
exactly, `loopseal run show` has the parent completed with the seed's text as the task's result,
and the canary scan covers them too.

A third flow walks a reminder (issue 18, must-hold 5): a secret owned by `tester`, set a year ago
(with the test clock) with --rotate-every 90d, is overdue; `loopseal remind --public-url BASE`
starts one rotate-secrets run for its owner and prints its page; the browser opens that link, the
form asks for exactly that key and says why, and after submitting `loopseal get` returns the new
value and `loopseal due` lists nothing. Screenshots 10-remind-form.png, 11-remind-submitted.png.

Everything happens in a temporary directory (a fresh workspace plus a copy of the repository's
workflows/), so the repository is never written to, except for the screenshots.

Environment:
  LOOPSEAL_BIN   the loopseal binary (default: .build/debug/loopseal)
  ARTIFACTS_DIR  where screenshots go (default: artifacts/browser)
  CHROMIUM_BIN, CHROMEDRIVER_BIN  (default: /usr/bin/chromium, /usr/bin/chromedriver)
  KEEP_TMP=1     keep the temporary directory for inspection
"""

import base64
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

# Selenium Manager must never download a browser or a driver: the paths below are explicit, and
# this makes it refuse the network should anything still call it.
os.environ.setdefault("SE_OFFLINE", "true")

try:
    from selenium import webdriver
    from selenium.common.exceptions import StaleElementReferenceException, TimeoutException, WebDriverException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:
    sys.exit("browser test: Python package 'selenium' is missing; run `make browser-deps` "
             "(or `python3 -m pip install selenium`)")

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
WORKSPACE = "browser-demo"
WORKFLOW = "secrets-example"
KEYS = ["EXAMPLE_API_KEY", "EXAMPLE_SECRET"]
AGENT_WORKFLOW = "agent-secrets-example"
AGENT_KEYS = ["AGENT_API_KEY", "AGENT_WEBHOOK_SECRET"]
SEED_TEXT = "Secrets have been stored securely by the user."
SESSION_COOKIE = "loopseal_session"
WAIT = 20  # seconds for any page condition


class Failure(Exception):
    """A check that did not hold; its message says what and where."""


def log(message):
    print(f"browser test: {message}", flush=True)


def check(condition, message):
    if not condition:
        raise Failure(message)


class Loopseal:
    """Runs the CLI in the temporary repository with an isolated HOME and state directory."""

    def __init__(self, binary, root, env):
        self.binary, self.root, self.env = binary, root, env

    def __call__(self, *args, env=None, check_rc=True, input=None):
        result = subprocess.run([self.binary, *args], cwd=self.root, env=env or self.env,
                                input=input, capture_output=True, timeout=120)
        if check_rc and result.returncode != 0:
            raise Failure(f"`loopseal {' '.join(args)}` exited {result.returncode}: "
                          f"{result.stderr.decode(errors='replace').strip()}")
        return result


class Server:
    """`loopseal serve --listen 127.0.0.1:0`, its stderr kept in a file and scanned for the port."""

    def __init__(self, binary, root, env, stderr_path):
        self.stderr_path = stderr_path
        self.stderr_file = open(stderr_path, "wb")
        self.process = subprocess.Popen(
            [binary, "serve", "--listen", "127.0.0.1:0", "--root", root],
            cwd=root, env=env, stdin=subprocess.DEVNULL, stdout=self.stderr_file,
            stderr=self.stderr_file, start_new_session=True)
        self.base = None

    def wait_until_listening(self, timeout=30):
        deadline = time.monotonic() + timeout
        pattern = re.compile(r"listening on (http://127\.0\.0\.1:(\d+))")
        while time.monotonic() < deadline:
            text = self.output()
            match = pattern.search(text)
            if match:
                self.base = match.group(1)
                return self.base
            if self.process.poll() is not None:
                raise Failure(f"`loopseal serve` exited {self.process.returncode} before listening: {text.strip()}")
            time.sleep(0.05)
        raise Failure(f"`loopseal serve` printed no 'listening on http://127.0.0.1:PORT' line in {timeout} s: "
                      f"{self.output().strip()}")

    def output(self):
        with open(self.stderr_path, "rb") as handle:
            return handle.read().decode(errors="replace")

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.stderr_file.close()


def start_browser(profile_dir):
    chromium = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
    driver_path = os.environ.get("CHROMEDRIVER_BIN", "/usr/bin/chromedriver")
    for path, package in ((chromium, "chromium"), (driver_path, "chromium-driver")):
        check(os.access(path, os.X_OK),
              f"{path} is missing: install Debian's {package} (`make browser-deps`)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1200,900", "--force-device-scale-factor=1",
                     f"--user-data-dir={profile_dir}", "--no-first-run", "--no-default-browser-check",
                     "--disable-extensions", "--disable-sync", "--disable-background-networking",
                     "--password-store=basic", "--lang=en-US"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {
        "credentials_enable_service": False, "profile.password_manager_enabled": False,
    })
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=driver_path, log_output=os.path.join(os.path.dirname(profile_dir), "chromedriver.log"))
    try:
        driver = webdriver.Chrome(service=service, options=options)
    except WebDriverException as error:
        raise Failure(f"Chromium did not start under chromedriver: {error.msg or error}")
    driver.set_page_load_timeout(WAIT)
    return driver


class Flow:
    """The browser part: each step waits for its page, records its source and takes a screenshot."""

    def __init__(self, driver, base, artifacts):
        self.driver, self.base, self.artifacts = driver, base, artifacts
        self.sources = []  # (step, html) of every page seen

    def wait(self, condition, what):
        def settled(driver):
            # A condition may read an element of the page that the submit is replacing. Chrome then
            # reports a stale element, or, when the old document goes between finding the element and
            # reading it, "Node with given id does not belong to the document": both mean "ask again".
            try:
                return condition(driver)
            except StaleElementReferenceException:
                return False
            except WebDriverException as error:
                if "does not belong to the document" in (error.msg or ""):
                    return False
                raise
        try:
            return WebDriverWait(self.driver, WAIT).until(settled)
        except TimeoutException:
            self.shot("failure")
            raise Failure(f"timed out after {WAIT} s waiting for {what}; the browser is at "
                          f"{self.driver.current_url} showing: {self.text()[:600]!r}")

    def text(self):
        try:
            return self.driver.find_element(By.TAG_NAME, "body").text
        except WebDriverException:
            return ""

    def record(self, step):
        self.sources.append((step, self.driver.page_source))

    def shot(self, name):
        path = os.path.join(self.artifacts, f"{name}.png")
        # The whole page, not only the window: Chromium's DevTools protocol can capture beyond it.
        try:
            metrics = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
            size = metrics.get("cssContentSize") or metrics["contentSize"]
            shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {
                "format": "png", "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], 6000), "scale": 1},
            })
            with open(path, "wb") as handle:
                handle.write(base64.b64decode(shot["data"]))
        except WebDriverException:
            check(self.driver.save_screenshot(path), f"could not save screenshot {path}")
        return path

    def fail_on_error_page(self, step):
        title = self.driver.title
        first = error_heading(self.driver)
        if first:
            self.shot(f"failure-{step}")
            raise Failure(f"{step}: the server answered an error page at {self.driver.current_url}: "
                          f"{first!r} — {self.text()[:400]!r} (title {title!r})")


def main():
    started = time.monotonic()
    binary = os.path.abspath(os.path.join(REPO, os.environ.get("LOOPSEAL_BIN", ".build/debug/loopseal")))
    check(os.access(binary, os.X_OK), f"no loopseal binary at {binary}: build it (swift build --product loopseal) "
                                      f"or set LOOPSEAL_BIN")
    artifacts = os.path.abspath(os.path.join(REPO, os.environ.get("ARTIFACTS_DIR", "artifacts/browser")))
    os.makedirs(artifacts, exist_ok=True)
    for name in os.listdir(artifacts):
        if name.endswith(".png"):
            os.remove(os.path.join(artifacts, name))

    tmp = tempfile.mkdtemp(prefix="loopseal-browser-")
    root = os.path.join(tmp, "repo")
    state = os.path.join(tmp, "state")
    home = os.path.join(tmp, "home")
    for directory in (root, state, home):
        os.makedirs(directory)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOOPSEAL_")}
    env.update(HOME=home, XDG_CONFIG_HOME=os.path.join(home, ".config"), LOOPSEAL_STATE=state)
    server = driver = None
    deferred = []  # failures found on the page that do not stop the checks behind it
    try:
        # -- A fresh workspace sealed to a new identity, the repository's workflows, a writer token.
        cli = Loopseal(binary, root, env)
        identity = os.path.join(tmp, "tester.key")
        public_key = cli("keygen", "-o", identity).stdout.decode().strip()
        check(public_key.startswith("age1"), f"`loopseal keygen` printed {public_key!r}, not an age1… public key")
        cli("init", WORKSPACE, "--recipient", f"tester={public_key}")
        shutil.copytree(os.path.join(REPO, "workflows"), os.path.join(root, "workflows"))
        created = json.loads(cli("token", "create", "-w", WORKSPACE, "--role", "writer",
                                 "--name", "browser-test", "--json").stdout)
        token = created["token"]

        # -- A run that waits on the secret request, started with the CLI.
        started_run = cli("run", "start", WORKFLOW, "--root", root, "-w", WORKSPACE, "--json").stdout
        run = json.loads(started_run)
        run_id = run["id"]
        check(run.get("status") == "waiting",
              f"`loopseal run start {WORKFLOW}` left the run {run.get('status')!r} at {run.get('place')!r}, not waiting")
        log(f"run {run_id} waits at {run.get('place')} for {', '.join(KEYS)}")

        # -- The server.
        server = Server(binary, root, env, os.path.join(tmp, "serve.stderr"))
        base = server.wait_until_listening()
        log(f"server at {base}")

        hexes = {key: secrets.token_hex(12) for key in KEYS}
        # A 5-line PEM (LF line breaks, ending in one), and a one-line value with characters a form
        # encoding must carry (space, +, &, =, %, /, non-ASCII), a tab and trailing spaces.
        pem = "\n".join([
            "-----BEGIN PRIVATE KEY-----",
            f"MC4CAQAwBQYDK2VwBCIEI{hexes[KEYS[0]]}+/Az09",
            "Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5d2FsZG8=",
            "bG9vcHNlYWwtYnJvd3Nlci10ZXN0",
            "-----END PRIVATE KEY-----",
        ]) + "\n"
        values = {KEYS[0]: pem,
                  KEYS[1]: f" canary-{hexes[KEYS[1]]} p@ss+w&rd=100%/é\tend \t  "}
        agent_hexes = {key: secrets.token_hex(12) for key in AGENT_KEYS}
        agent_values = {
            AGENT_KEYS[0]: f"agent-key-{agent_hexes[AGENT_KEYS[0]]}\nsecond line  \nthird=line/+\n",
            AGENT_KEYS[1]: f"whsec_{agent_hexes[AGENT_KEYS[1]]}&x=1%2F é",
        }

        driver = start_browser(os.path.join(tmp, "chromium-profile"))
        flow = Flow(driver, base, artifacts)
        run_path = f"/workspaces/{WORKSPACE}/runs/{run_id}"

        # 1. Sign in.
        driver.get(base + "/signin")
        token_input = flow.wait(EC.presence_of_element_located((By.CSS_SELECTOR, "form[action='/signin'] input[name='token']")),
                                "the sign-in form's token field on /signin")
        flow.record("signin")
        flow.shot("01-signin")
        token_input.send_keys(token)
        driver.find_element(By.CSS_SELECTOR, "form[action='/signin'] button[type='submit']").click()
        flow.wait(lambda d: d.current_url.rstrip("/").endswith("/workspaces") and
                  d.find_elements(By.CSS_SELECTOR, f"a[href='/workspaces/{WORKSPACE}']"),
                  f"/workspaces with a link to {WORKSPACE} after signing in")
        flow.record("workspaces")
        session = driver.get_cookie(SESSION_COOKIE)
        check(session is not None, f"no {SESSION_COOKIE} cookie after signing in")
        check(session.get("httpOnly") is True, f"the {SESSION_COOKIE} cookie is not HttpOnly: {session}")
        check(session.get("sameSite") == "Strict", f"the {SESSION_COOKIE} cookie is not SameSite=Strict: {session}")
        check(token not in driver.page_source, "the token appears in the /workspaces page")

        # 2. The workspace: its run, waiting.
        driver.find_element(By.CSS_SELECTOR, f"a[href='/workspaces/{WORKSPACE}']").click()
        run_link = flow.wait(EC.presence_of_element_located((By.CSS_SELECTOR, f"a[href='{run_path}']")),
                             f"a link to run {run_id} on the workspace page")
        flow.fail_on_error_page("workspace")
        row = run_link.find_element(By.XPATH, "./ancestor::tr")
        check("waiting" in row.text, f"the workspace page lists run {run_id} as {row.text!r}, not waiting")
        flow.record("workspace")
        flow.shot("02-workspace")

        # 3. The run page with its secret-request form.
        run_link.click()
        form_selector = f"form[action='{run_path}/secrets']"
        form = flow.wait(EC.presence_of_element_located((By.CSS_SELECTOR, form_selector)),
                         f"the secret-request form ({form_selector}) on {run_path}")
        flow.fail_on_error_page("run")
        check("waiting" in flow.text(), f"the run page does not say the run is waiting: {flow.text()[:400]!r}")
        fields = form.find_elements(By.CSS_SELECTOR, "[name^='secret:']")
        names = sorted(field.get_attribute("name") for field in fields)
        check(names == sorted(f"secret:{key}" for key in KEYS),
              f"the secret form's fields are {names}, expected one per requested key {KEYS}")
        for field in fields:
            name = field.get_attribute("name")
            check(field.tag_name == "textarea", f"field {name} is a <{field.tag_name}>, not a <textarea> (multi-line values)")
            masking = field.value_of_css_property("-webkit-text-security")
            check(masking == "disc", f"field {name} is not masked before Show is ticked: -webkit-text-security is {masking!r}")
            check(field.get_attribute("autocomplete") == "off",
                  f"field {name} has autocomplete={field.get_attribute('autocomplete')!r}, not off")
            check(field.get_attribute("value") == "", f"field {name} is not empty before typing")
        check(form.find_elements(By.CSS_SELECTOR, "input[type='hidden'][name='csrf']"), "the secret form has no CSRF field")
        statement = "Line breaks are stored as LF: browsers send CR LF, Loopseal turns each into LF."
        check(statement in form.text, f"the secret form does not say how line breaks are stored ({statement!r}): {form.text!r}")
        flow.record("run-waiting")
        flow.shot("03-run-waiting")
        check_headers(base, run_path, driver.get_cookies())

        # 4. Enter the values: the PEM typed key by key (Enter makes each line break), the other
        # pasted as one piece (Input.insertText, as a paste does: a Tab key would move the focus).
        for field in fields:
            key = field.get_attribute("name")[len("secret:"):]
            if "\t" in values[key]:
                field.click()
                driver.execute_cdp_cmd("Input.insertText", {"text": values[key]})
            else:
                field.send_keys(values[key])
        for field in fields:
            key = field.get_attribute("name")[len("secret:"):]
            typed = field.get_attribute("value")
            check(typed == values[key], f"field secret:{key} holds {len(typed)} characters after typing, "
                                        f"expected {len(values[key])} (the browser did not take the value as entered)")
        flow.shot("04-filled")

        # The Show switch (a checkbox and a CSS sibling selector, no script) unmasks one field.
        reveal_id = fields[0].get_attribute("id") + "-show"
        driver.find_element(By.CSS_SELECTOR, f"label[for='{reveal_id}']").click()
        shown_style = fields[0].value_of_css_property("-webkit-text-security")
        check(shown_style == "none", f"ticking Show left field {fields[0].get_attribute('name')} masked ({shown_style!r})")
        other_style = fields[1].value_of_css_property("-webkit-text-security")
        check(other_style == "disc", f"ticking one Show switch unmasked another field ({other_style!r})")
        flow.shot("04b-shown")
        driver.find_element(By.CSS_SELECTOR, f"label[for='{reveal_id}']").click()
        check(fields[0].value_of_css_property("-webkit-text-security") == "disc", "unticking Show did not mask the field again")

        # 5. Submit: 303 back to the run page, which shows the run completed and its report.
        form.find_element(By.CSS_SELECTOR, "button[type='submit']").click()
        flow.wait(lambda d: error_heading(d) or (d.current_url.endswith(run_path)
                                                  and not d.find_elements(By.CSS_SELECTOR, form_selector)),
                  f"the run page at {run_path} without the form after submitting it")
        flow.fail_on_error_page("submit")
        deadline = time.monotonic() + WAIT
        while "completed" not in status_text(driver) and time.monotonic() < deadline:
            time.sleep(0.3)
            driver.refresh()
        flow.record("run-completed")
        flow.shot("05-completed")
        status = status_text(driver)
        check(status == "completed", f"after submitting, run {run_id} is {status!r}, not completed; the page says "
                                     f"{flow.text()[:800]!r}")
        articles = driver.find_elements(By.CSS_SELECTOR, "article.document")
        reports = driver.find_elements(By.CSS_SELECTOR, "article.doc-markdown")
        article = reports[-1] if reports else None
        check(article is not None, "the completed run shows no markdown report; documents: "
                                   f"{[a.text for a in articles]!r}")
        report = article.text
        items = [item.get_attribute("innerHTML").strip() for item in article.find_elements(By.CSS_SELECTOR, "li")]
        for key in KEYS:
            if f"{key}: has value" in report:
                continue
            mangled = next((item for item in items if "has value" in item and "<em>" in item
                            and re.sub(r"</?em>", "_", item).find(key) >= 0), None)
            if mangled:
                # Go on with the other checks (a leak must not hide behind this), fail at the end.
                deferred.append(f"the report names {key} wrongly: the workflow's Markdown '- **{key}**: has value' is "
                              f"rendered as {mangled!r} (shown as {re.sub(r'<[^>]+>', '', mangled)!r}): the "
                              f"Markdown renderer (Ink, via SafeMarkdown) reads the underscores inside the word as "
                              f"emphasis; CommonMark never opens emphasis with an intraword '_'")
                continue
            raise Failure(f"the report does not say '{key}: has value': {report!r} (HTML items: {items!r})")
        check("no value" not in report, f"the report lists a key with no value: {report!r}")
        if not deferred:
            log("the run completed and its report says 'has value' for " + ", ".join(KEYS))

        # The agent's run starts only now (with the CLI, beside the running server): its child
        # declares its keys, which the first run's report would otherwise list as missing.
        parent_id, child_id = start_agent(cli, root)
        agent_flow(flow, parent_id, child_id, agent_values)

        remind_value = remind_flow(flow, cli, base, dict(env, LOOPSEAL_IDENTITY_FILE=identity))

        console = driver.get_log("browser")
        csp = [entry["message"] for entry in console if "Content Security Policy" in entry["message"]]
        check(not csp, f"the pages broke their own Content-Security-Policy: {csp}")
        noisy = [entry["message"] for entry in console
                 if entry["level"] == "SEVERE" and "favicon.ico" not in entry["message"]]
        if noisy:
            log("console errors (not failing the test): " + "; ".join(noisy))

        # -- Off the page: exact values, and no canary anywhere the server wrote or said.
        get_env = dict(env, LOOPSEAL_IDENTITY_FILE=identity)
        for key in KEYS:
            got = cli("get", key, "--root", root, "-w", WORKSPACE, env=get_env).stdout
            check(got == values[key].encode(), f"`loopseal get {key}` returned {len(got)} bytes that differ from the "
                                               f"{len(values[key].encode())} entered into the form"
                                               + (" (it holds a CR: line breaks must be stored as LF)" if b"\r" in got else ""))
        log("`loopseal get` returns exactly the entered values: a 5-line PEM with LF line breaks, a tab and trailing spaces")
        for key in AGENT_KEYS:
            got = cli("get", key, "--root", root, "-w", WORKSPACE, env=get_env).stdout
            check(got == agent_values[key].encode(), f"`loopseal get {key}` returned {len(got)} bytes that differ from the "
                                                     f"{len(agent_values[key].encode())} entered into the parent's inline form")
        parent = json.loads(cli("run", "show", parent_id, "--root", root, "-w", WORKSPACE, "--json").stdout)
        check(parent.get("status") == "completed", f"`loopseal run show {parent_id}` says {parent.get('status')!r}, not completed")
        check(parent.get("state", {}).get("taskResult") == SEED_TEXT,
              f"the parent's task result is {parent.get('state', {}).get('taskResult')!r}, not the seed's {SEED_TEXT!r}")
        reported = {item.get("key"): item.get("hasValue") for item in parent.get("state", {}).get("secretKeys", [])}
        check(all(reported.get(key) is True for key in AGENT_KEYS),
              f"get_secret_keys in the parent does not report hasValue: true for {AGENT_KEYS}: {reported}")
        log(f"`loopseal get` returns the values entered inline; run {parent_id} completed with {SEED_TEXT!r}")
        server.stop()
        places = scan_for_canaries(flow.sources, server, state, root,
                                   list(hexes.values()) + list(agent_hexes.values()) + [remind_value, REMIND_OLD],
                                   KEYS + AGENT_KEYS + [REMIND_KEY])
        log("no canary in " + ", ".join(places))
        check(not deferred, "\n  ".join(deferred))
        log(f"passed in {time.monotonic() - started:.1f} s; screenshots in {shown(artifacts)}/")
        return 0
    except Failure as failure:
        print(f"browser test: FAILED: {failure}\nbrowser test: screenshots so far in {shown(artifacts)}/",
              file=sys.stderr, flush=True)
        if server is not None:
            print("browser test: server stderr follows:\n" + server.output(), file=sys.stderr)
        return 1
    finally:
        if driver is not None:
            try:
                driver.quit()
            except Exception:
                pass
        if server is not None:
            server.stop()
        if os.environ.get("KEEP_TMP") == "1":
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


REMIND_KEY = "REMIND_TOKEN"
REMIND_OLD = "remind-old-" + secrets.token_hex(12)


def remind_flow(flow, cli, base, env):
    """Issue 18, must-hold 5: a secret owned by `tester`, set with a fake clock a year ago with
    --rotate-every 90d, is overdue; `loopseal remind --public-url BASE` starts one run for its
    owner and prints the run's page; the page's form asks for exactly that key (and says why);
    submitting stores the new value, which records the rotation, so `due` no longer lists it.
    Screenshots 10-remind-form.png, 11-remind-submitted.png. Returns the value entered."""
    past = dict(env, LOOPSEAL_TEST_NOW="2025-01-01")
    cli("set", REMIND_KEY, "--owner", "tester", "--rotate-every", "90d", "-w", WORKSPACE, env=past,
        input=REMIND_OLD.encode())
    due = json.loads(cli("due", "--json", "-w", WORKSPACE, env=env).stdout)
    listed = [(item.get("key"), item.get("status")) for item in due.get("secrets", [])]
    check(listed == [(REMIND_KEY, "overdue")], f"`loopseal due --json` lists {listed}, expected {REMIND_KEY} overdue")
    reminded = json.loads(cli("remind", "--public-url", base, "--json", "-w", WORKSPACE, env=env).stdout)
    check(len(reminded) == 1 and reminded[0].get("owner") == "tester" and reminded[0].get("keys") == [REMIND_KEY],
          f"`loopseal remind --json` started {reminded}, expected one run for tester asking for {REMIND_KEY}")
    run_id, link = reminded[0]["run"], reminded[0]["link"]
    run_path = f"/workspaces/{WORKSPACE}/runs/{run_id}"
    check(link == base + run_path, f"`loopseal remind` printed the link {link!r}, expected {base + run_path!r}")
    log(f"remind started run {run_id} for tester: {link}")

    flow.driver.get(link)
    form_selector = f"form[action='{run_path}/secrets']"
    form = flow.wait(EC.presence_of_element_located((By.CSS_SELECTOR, form_selector)),
                     f"the reminder's secret form ({form_selector}) on {run_path}")
    flow.fail_on_error_page("remind-run")
    fields = form.find_elements(By.CSS_SELECTOR, "[name^='secret:']")
    names = [field.get_attribute("name") for field in fields]
    check(names == [f"secret:{REMIND_KEY}"], f"the reminder's form has fields {names}, expected only secret:{REMIND_KEY}")
    check("overdue since" in flow.text(), f"the reminder's page does not say why {REMIND_KEY} is asked for: {flow.text()[:600]!r}")
    flow.record("remind-run")
    flow.shot("10-remind-form")
    value = "remind-new-" + secrets.token_hex(12)
    fields[0].send_keys(value)
    form.find_element(By.CSS_SELECTOR, "button[type='submit']").click()
    flow.wait(lambda d: error_heading(d) or (d.current_url.endswith(run_path)
                                              and not d.find_elements(By.CSS_SELECTOR, form_selector)),
              f"the reminder's run page at {run_path} without the form after submitting it")
    flow.fail_on_error_page("remind-submit")
    flow.record("remind-submitted")
    flow.shot("11-remind-submitted")
    got = cli("get", REMIND_KEY, "-w", WORKSPACE, env=env).stdout
    check(got == value.encode(), f"`loopseal get {REMIND_KEY}` returned {len(got)} bytes, not the value entered in the reminder's form")
    due = json.loads(cli("due", "--json", "-w", WORKSPACE, env=env).stdout)
    check(not due.get("secrets"), f"after the reminder was filled, `loopseal due --json` still lists {due.get('secrets')}")
    log(f"the reminder's form stored {REMIND_KEY}; `loopseal due` no longer lists it")
    return value


def start_agent(cli, root):
    """Starts the agent example with the CLI: the parent is pending on a child run asking for
    AGENT_KEYS. Returns (parent id, child id)."""
    parent = json.loads(cli("run", "start", AGENT_WORKFLOW, "--root", root, "-w", WORKSPACE, "--json").stdout)
    pending = parent.get("pendingTransition") or {}
    child_id = pending.get("child")
    check(parent.get("status") == "pending" and child_id,
          f"`loopseal run start {AGENT_WORKFLOW}` left the run {parent.get('status')!r}, not pending on a child run: {pending!r}")
    links = parent.get("children") or []
    check([link.get("run") for link in links] == [child_id] and links[0].get("show") == "inline",
          f"run {parent['id']} lists children {links!r}, expected child {child_id} shown inline")
    child = json.loads(cli("run", "show", child_id, "--root", root, "-w", WORKSPACE, "--json").stdout)
    check(child.get("status") == "waiting" and child.get("requestedKeys") == AGENT_KEYS,
          f"child run {child_id} is {child.get('status')!r} asking for {child.get('requestedKeys')!r}, expected waiting for {AGENT_KEYS}")
    check((child.get("parent") or {}).get("run") == parent["id"], f"child run {child_id} does not name {parent['id']} as its parent")
    log(f"run {parent['id']} ({AGENT_WORKFLOW}) is pending on child run {child_id} ({child.get('workflow')}) for {', '.join(AGENT_KEYS)}")
    return parent["id"], child_id


def agent_flow(flow, parent_id, child_id, values):
    """The parent's page shows the child's form inline; one submit stores the values in the
    child, and the browser lands on the parent's page, already completed by the callback."""
    driver = flow.driver
    parent_path = f"/workspaces/{WORKSPACE}/runs/{parent_id}"
    child_path = f"/workspaces/{WORKSPACE}/runs/{child_id}"
    form_selector = f"section.child-run form[action='{child_path}/secrets']"

    # 6. The parent's page: pending, waiting on the child, the child's form inline.
    driver.get(flow.base + parent_path)
    form = flow.wait(EC.presence_of_element_located((By.CSS_SELECTOR, form_selector)),
                     f"the child's form ({form_selector}) inline on the parent's page {parent_path}")
    flow.fail_on_error_page("agent-parent")
    check(status_text(driver) == "pending", f"the parent's page says {status_text(driver)!r}, not pending")
    heading = driver.find_element(By.CSS_SELECTOR, "section.child-run h2")
    check("Waiting on child run" in heading.text and heading.find_elements(By.CSS_SELECTOR, f"a[href='{child_path}']"),
          f"the parent's page does not say it waits on child run {child_id} with a link: {heading.text!r}")
    check(not driver.find_elements(By.CSS_SELECTOR, "form[action*='/transitions/']"),
          "the pending parent's page offers transition buttons")
    link_docs = driver.find_elements(By.CSS_SELECTOR, "article.doc-workflow_link")
    check(link_docs and link_docs[0].find_elements(By.CSS_SELECTOR, f"a[href='{child_path}']") and "waiting" in link_docs[0].text,
          f"the workflow_link document is not a link to the waiting child: {[d.text for d in link_docs]!r}")
    check("loopseal run show" not in link_docs[0].text, f"the workflow_link document shows its raw Markdown: {link_docs[0].text!r}")
    fields = form.find_elements(By.CSS_SELECTOR, "[name^='secret:']")
    names = [field.get_attribute("name") for field in fields]
    check(names == [f"secret:{key}" for key in AGENT_KEYS], f"the inline form's fields are {names}, expected {AGENT_KEYS}")
    for field in fields:
        name = field.get_attribute("name")
        check(field.tag_name == "textarea", f"inline field {name} is a <{field.tag_name}>, not a <textarea>")
        check(field.value_of_css_property("-webkit-text-security") == "disc", f"inline field {name} is not masked")
        check(field.get_attribute("autocomplete") == "off", f"inline field {name} does not have autocomplete=off")
    check(form.find_elements(By.CSS_SELECTOR, "input[type='hidden'][name='csrf']"), "the inline form has no CSRF field")
    flow.record("agent-pending")
    flow.shot("06-agent-pending")

    # 7. Enter both values: the multi-line one typed (Enter makes each line break), the other pasted.
    for field in fields:
        key = field.get_attribute("name")[len("secret:"):]
        if "\n" in values[key]:
            field.send_keys(values[key])
        else:
            field.click()
            driver.execute_cdp_cmd("Input.insertText", {"text": values[key]})
        typed = field.get_attribute("value")
        check(typed == values[key], f"inline field secret:{key} holds {len(typed)} characters, expected {len(values[key])}")
    flow.shot("07-agent-filled")

    # 8. One submit: the browser lands on the parent's page, which shows the completed report at once.
    form.find_element(By.CSS_SELECTOR, "button[type='submit']").click()
    flow.wait(lambda d: error_heading(d) or (d.current_url.endswith(parent_path) and not d.find_elements(By.CSS_SELECTOR, form_selector)),
              f"the parent's page {parent_path} without the inline form after submitting it")
    flow.fail_on_error_page("agent-submit")
    flow.record("agent-completed")
    flow.shot("08-agent-completed")
    status = status_text(driver)
    check(status == "completed", f"after one submit the parent's page says {status!r}, not completed: {flow.text()[:800]!r}")
    reports = driver.find_elements(By.CSS_SELECTOR, "article.doc-markdown")
    report = reports[-1].text if reports else ""
    for key in AGENT_KEYS:
        check(f"{key}: has value" in report, f"the parent's report does not say '{key}: has value': {report!r}")
    link_docs = driver.find_elements(By.CSS_SELECTOR, "article.doc-workflow_link")
    check(link_docs and "completed" in link_docs[0].text, f"the workflow_link document does not show the child completed: "
                                                           f"{[d.text for d in link_docs]!r}")
    log(f"one submit on the parent's page completed child {child_id} and parent {parent_id}; the report says 'has value' for "
        + ", ".join(AGENT_KEYS))

    # 9. The child's own page names its parent.
    link_docs[0].find_element(By.CSS_SELECTOR, f"a[href='{child_path}']").click()
    parent_fact = flow.wait(EC.presence_of_element_located((By.CSS_SELECTOR, "dd.parent")), f"the child's page {child_path}")
    check("Child of run" in parent_fact.text and parent_fact.find_elements(By.CSS_SELECTOR, f"a[href='{parent_path}']"),
          f"the child's page does not link its parent {parent_id}: {parent_fact.text!r}")
    check(status_text(driver) == "completed", f"the child's page says {status_text(driver)!r}, not completed")
    flow.record("agent-child")
    flow.shot("09-agent-child")


def shown(path):
    """`path` relative to the repository when inside it."""
    relative = os.path.relpath(path, REPO)
    return path if relative.startswith("..") else relative


def error_heading(driver):
    """The heading of an error page ("403 Forbidden"), or ""."""
    for heading in driver.find_elements(By.CSS_SELECTOR, "main h1"):
        if re.match(r"^[45]\d\d ", heading.text):
            return heading.text
    return ""


def status_text(driver):
    badges = driver.find_elements(By.CSS_SELECTOR, "dl.facts .badge")
    if badges:
        return badges[0].text.strip()
    match = re.search(r"Status\s*\n?\s*(\w+)", driver.find_element(By.TAG_NAME, "body").text)
    return match.group(1) if match else ""


def check_headers(base, path, cookies):
    """The run page, fetched with the browser's session cookie, carries the security headers."""
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in cookies)
    request = urllib.request.Request(base + path, headers={"Cookie": cookie})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        response = opener.open(request, timeout=WAIT)
    except urllib.error.HTTPError as error:
        raise Failure(f"GET {path} with the session cookie answered {error.code}, not 200")
    with response:
        check(response.status == 200, f"GET {path} with the session cookie answered {response.status}")
        body = response.read().decode(errors="replace")
        csp = response.headers.get("Content-Security-Policy")
        cache = response.headers.get("Cache-Control")
    check(csp and "default-src" in csp, f"GET {path}: Content-Security-Policy is {csp!r}")
    check("script-src" not in csp or "'unsafe-inline'" not in csp, f"GET {path}: the policy allows inline scripts: {csp!r}")
    check(cache and "no-store" in [part.strip() for part in cache.split(",")],
          f"GET {path}: Cache-Control is {cache!r}, expected no-store")
    check("secret:" in body, f"GET {path} with the session cookie did not return the secret form")
    log(f"run page headers: Content-Security-Policy: {csp}; Cache-Control: {cache}")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def scan_for_canaries(sources, server, state, root, needles, keys):
    """Fails when any needle (the random part of each value) is in a page, the server's output,
    or any file under the state directory or the temporary repository."""
    def hits(data):
        return [needle for needle in needles if needle.encode() in data]

    places = []
    for step, html in sources:
        found = hits(html.encode())
        check(not found, f"a secret value appears in the page source at step {step}")
    places.append(f"{len(sources)} page sources")
    found = hits(server.output().encode())
    check(not found, "a secret value appears in `loopseal serve`'s stderr")
    places.append("the server's stderr")

    audit = os.path.join(state, "audit.jsonl")
    check(os.path.isfile(audit), f"no audit log at {audit} after the form stored secrets")
    with open(audit, "rb") as handle:
        audit_data = handle.read()
    check(not hits(audit_data), "a secret value appears in the audit log")
    for key in keys:
        check(key.encode() in audit_data, f"the audit log does not record the write of {key}")
    places.append(f"the audit log ({len(audit_data.splitlines())} lines)")

    run_files = []
    for workspace in os.listdir(os.path.join(root, "workspaces")):
        runs = os.path.join(root, "workspaces", workspace, ".loopseal", "runs")
        if os.path.isdir(runs):
            run_files += [os.path.join(runs, name) for name in os.listdir(runs) if name.endswith(".json")]
    check(run_files, f"no run files under {root}/workspaces/*/.loopseal/runs/")
    for path in run_files:
        with open(path, "rb") as handle:
            check(not hits(handle.read()), f"a secret value appears in the run file {os.path.relpath(path, root)}")
    places.append(f"{len(run_files)} run file(s)")

    scanned = 0
    for top in (state, root):
        for directory, _, files in os.walk(top):
            for name in files:
                path = os.path.join(directory, name)
                with open(path, "rb") as handle:
                    check(not hits(handle.read()), f"a secret value appears in {path}")
                scanned += 1
    places.append(f"all {scanned} files of the state directory and the repository")
    return places


if __name__ == "__main__":
    sys.exit(main())
