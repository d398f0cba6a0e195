#!/usr/bin/env python3
"""Schemathesis (PyPI) against a live `loopseal serve` (issue 17, OpenAPI).

A temporary repository (git, `--git-commit`) holds workspace `demo`, a workspace `other` the token
may not see, the repository's workflows/ and a sealed secret; an admin token scoped to `demo`
drives the server on loopback. Schemathesis loads the document the server itself serves
(`GET /api/v1/openapi.json`) and runs every phase (examples, coverage, fuzzing, stateful) with
every check: no 5xx, every status, header and body as documented, invalid input refused, valid
input accepted, 405 for undocumented methods, 401 without the token. A second, shorter pass uses
a reader token (the 403s). Any failure fails the test. Afterwards `loopseal verify` must find
every sealed file whole and opening: fuzzing must never leave a broken repository behind.

Bounded: SCHEMATHESIS_EXAMPLES (default 50) cases per operation (a quarter for the reader pass),
150 s for the admin pass and 60 s for the reader pass at most (about 60 s in all on an idle
machine); the seed is fixed (SCHEMATHESIS_SEED, default 17) so a failure reproduces.

Environment:
  LOOPSEAL_BIN        the loopseal binary (default: .build/debug/loopseal)
  KEEP_TMP=1          keep the temporary directory (and the reports in it) for inspection
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
WORKSPACE = "demo"
PASS_TIMEOUTS = {"admin": 150, "reader": 60}  # seconds; a pass typically takes a third of it

CONFIG = """\
# Path parameters that name something real most of the time, so fuzzing gets past the 404 of an
# unknown workspace or run; the rest of the time they are generated from the schema.
[dictionaries.workspaces]
values = ["demo", "other"]

[dictionaries.workflows]
values = ["secrets-example", "agent-secrets-example", "onboarding", "rotate-secret"]

[dictionaries.transitions]
values = ["secrets_submitted", "provided", "request_secrets"]

[parameters]
"path.workspaceId" = { dictionary = "workspaces", probability = 0.8 }
"body.workflow" = { dictionary = "workflows", probability = 0.7 }
"path.transitionId" = { dictionary = "transitions", probability = 0.5 }
"""


class Failure(Exception):
    """A check that did not hold; its message says what."""


def log(message):
    print(f"schemathesis test: {message}", flush=True)


def schemathesis_command():
    """Schemathesis run by this interpreter, so it is the one the import check saw."""
    return [sys.executable, "-c", "import sys; from schemathesis.cli import schemathesis; sys.exit(schemathesis())"]


class Server:
    """`loopseal serve --listen 127.0.0.1:0 --git-commit`, its output kept in a file."""

    def __init__(self, binary, root, env, output_path):
        self.output_path = output_path
        self.output_file = open(output_path, "wb")
        self.process = subprocess.Popen(
            [binary, "serve", "--listen", "127.0.0.1:0", "--root", root, "--git-commit"],
            cwd=root, env=env, stdin=subprocess.DEVNULL, stdout=self.output_file, stderr=self.output_file,
            start_new_session=True)

    def wait_until_listening(self, timeout=30):
        deadline = time.monotonic() + timeout
        pattern = re.compile(r"listening on (http://127\.0\.0\.1:\d+)")
        while time.monotonic() < deadline:
            match = pattern.search(self.output())
            if match:
                return match.group(1)
            if self.process.poll() is not None:
                raise Failure(f"`loopseal serve` exited {self.process.returncode} before listening: {self.output().strip()}")
            time.sleep(0.05)
        raise Failure(f"`loopseal serve` did not say where it listens within {timeout} s: {self.output().strip()}")

    def output(self):
        with open(self.output_path, "rb") as handle:
            return handle.read().decode(errors="replace")

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.output_file.close()


def run(args, cwd, env, timeout=120):
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, timeout=timeout)
    if result.returncode != 0:
        raise Failure(f"`{' '.join(args)}` exited {result.returncode}: {result.stderr.decode(errors='replace').strip()}")
    return result.stdout.decode()


def schemathesis_pass(name, base, token, config, examples, seed, reports, env):
    """One schemathesis run; raises with its output when it reports any failure or error."""
    command = schemathesis_command() + [
        "--config-file", config, "--no-color",
        "run", f"{base}/api/v1/openapi.json", "--url", base,
        "--checks", "all", "--workers", "1", "--max-examples", str(examples), "--seed", str(seed),
        "--generation-database", "none", "--request-timeout", "10", "--max-response-time", "10",
        "--header", f"Authorization: Bearer {token}",
        "--report", "junit", "--report-dir", os.path.join(reports, name),
    ]
    started = time.monotonic()
    try:
        result = subprocess.run(command, cwd=reports, env=env, capture_output=True, timeout=PASS_TIMEOUTS[name])
    except subprocess.TimeoutExpired as error:
        output = (error.stdout or b"").decode(errors="replace")
        raise Failure(f"the {name} pass ran past {PASS_TIMEOUTS[name]} s:\n{output[-4000:]}")
    output = (result.stdout + result.stderr).decode(errors="replace").replace(token, "[token]")
    summary = re.search(r"Test cases:\s*\n\s*(.*)", output)
    log(f"{name} pass: exit {result.returncode} in {time.monotonic() - started:.0f} s; "
        f"{summary.group(1).strip() if summary else 'no summary'}")
    if result.returncode != 0:
        raise Failure(f"schemathesis found problems in the {name} pass:\n{output}")


def main():
    binary = os.path.abspath(os.environ.get("LOOPSEAL_BIN", os.path.join(REPO, ".build", "debug", "loopseal")))
    if not os.access(binary, os.X_OK):
        sys.exit(f"schemathesis test: no loopseal binary at {binary}; build it (swift build) or set LOOPSEAL_BIN")
    try:
        import schemathesis  # noqa: F401
    except ImportError:
        sys.exit("schemathesis test: Python package 'schemathesis' is missing; run `make test-deps` "
                 "(or `python3 -m pip install 'schemathesis>=4,<5'`)")
    examples = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "50"))
    seed = int(os.environ.get("SCHEMATHESIS_SEED", "17"))

    tmp = tempfile.mkdtemp(prefix="loopseal-schemathesis-")
    root, state, home, reports = (os.path.join(tmp, name) for name in ("repo", "state", "home", "reports"))
    for directory in (root, state, home, reports):
        os.makedirs(directory)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOOPSEAL_")}
    env.update(HOME=home, XDG_CONFIG_HOME=os.path.join(home, ".config"), LOOPSEAL_STATE=state,
               GIT_AUTHOR_NAME="Test", GIT_AUTHOR_EMAIL="test@example.com",
               GIT_COMMITTER_NAME="Test", GIT_COMMITTER_EMAIL="test@example.com")
    server = None
    try:
        identity = os.path.join(tmp, "tester.key")
        public_key = run([binary, "keygen", "-o", identity], root, env).strip()
        for workspace in (WORKSPACE, "other"):
            run([binary, "init", workspace, "--recipient", f"tester={public_key}"], root, env)
        shutil.copytree(os.path.join(REPO, "workflows"), os.path.join(root, "workflows"))
        subprocess.run([binary, "set", "-w", WORKSPACE, "EXISTING_KEY"], cwd=root, env=env, input=b"seed value",
                       capture_output=True, timeout=60, check=True)
        for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "initial"]):
            run(["git", *args], root, env)
        tokens = {role: json.loads(run([binary, "token", "create", "-w", WORKSPACE, "--role", role, "--json"], root, env))["token"]
                  for role in ("admin", "reader")}
        config = os.path.join(tmp, "schemathesis.toml")
        with open(config, "w") as handle:
            handle.write(CONFIG)

        server = Server(binary, root, env, os.path.join(tmp, "serve.log"))
        base = server.wait_until_listening()
        log(f"server at {base}; {examples} examples per operation, seed {seed}")
        schemathesis_pass("admin", base, tokens["admin"], config, examples, seed, reports, env)
        schemathesis_pass("reader", base, tokens["reader"], config, max(5, examples // 4), seed, reports, env)
        if server.process.poll() is not None:
            raise Failure(f"`loopseal serve` exited {server.process.returncode} during the run")

        env_with_identity = dict(env, LOOPSEAL_IDENTITY_FILE=identity)
        verify = subprocess.run([binary, "verify", "-w", WORKSPACE], cwd=root, env=env_with_identity, capture_output=True, timeout=120)
        if verify.returncode != 0:
            raise Failure("`loopseal verify` after the run: "
                          f"{(verify.stdout + verify.stderr).decode(errors='replace').strip()}")
        log("ok: schemathesis found no 5xx and no answer that breaks the document; every sealed file opens")
    except Failure as failure:
        print(f"schemathesis test: FAILED: {failure}", file=sys.stderr)
        if server is not None:
            print("schemathesis test: server log (last 4000 bytes):\n" + server.output()[-4000:], file=sys.stderr)
        sys.exit(1)
    finally:
        if server is not None:
            server.stop()
        if os.environ.get("KEEP_TMP") == "1":
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
