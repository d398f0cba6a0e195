#!/usr/bin/env python3
"""`loopseal mcp` driven by the official MCP Python SDK (`pip install mcp`), issue 11 item 12.

The real client (`mcp.client.stdio.stdio_client` + `ClientSession`) starts `loopseal mcp` in a
fresh workspace, initializes, lists the tools and calls each of them. Every tool must declare an
`outputSchema`; the SDK validates each successful result's `structuredContent` against it (a
mismatch raises), and this script validates the structured content of error results too, which
the SDK skips. No secret value may appear in anything the server returns or logs.

Environment:
  LOOPSEAL_BIN   the loopseal binary (default: .build/debug/loopseal)
  KEEP_TMP=1     keep the temporary directory for inspection

Exit status: 0 when every check passed, 1 on a failed check, 77 when the `mcp` package is missing.
"""

import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid

try:
    import jsonschema
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client
except ImportError as error:
    print(f"SKIP: the MCP Python SDK is not installed ({error}): pip install mcp", file=sys.stderr)
    sys.exit(77)

REPOSITORY = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.path.abspath(os.environ.get("LOOPSEAL_BIN", os.path.join(REPOSITORY, ".build/debug/loopseal")))
TOOLS = {"get_secret_keys", "list_workflows", "start_run", "get_run", "request_secrets", "request_secrets_task", "sync_secrets",
         "list_due_secrets", "remind_owners"}
SEED_TEXT = "Secrets have been stored securely by the user."
# request-secrets is built into loopseal: the repository needs no copy of it.
WORKFLOW_FILES = ["secrets-example.yaml", "secrets-example.ui.yaml", "templates/secretsVerified.md", "agent-secrets-example.yaml"]

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print(f"FAIL: {message}", file=sys.stderr)


def field(obj, *names):
    """An attribute under its snake_case (SDK 2.x) or camelCase (SDK 1.x) name."""
    for name in names:
        if hasattr(obj, name):
            return getattr(obj, name)
    return None


def clean_environment(home):
    env = {name: value for name, value in os.environ.items() if not name.startswith("LOOPSEAL_")}
    env["HOME"] = home
    env["XDG_CONFIG_HOME"] = home
    return env


def loopseal(root, env, *args, stdin=b""):
    result = subprocess.run([BINARY, *args], cwd=root, env=env, input=stdin, capture_output=True, timeout=60)
    if result.returncode != 0:
        raise SystemExit(f"loopseal {' '.join(args)} failed ({result.returncode}): {result.stderr.decode()}")
    return result.stdout.decode()


def prepare(root, env, canary):
    """Workspace `app` (recipient alice) with a file target, the example workflows and one secret."""
    os.makedirs(os.path.join(root, "keys"))
    os.makedirs(os.path.join(root, "deploy"))
    key = os.path.join(root, "keys", "alice.key")
    public = loopseal(root, env, "keygen", "-o", key).strip()
    loopseal(root, env, "init", "app", "--recipient", f"alice={public}")
    with open(os.path.join(root, "workspaces", "app", "workspace.yaml"), "w") as config:
        config.write(f"workspace: app\nrecipients:\n  alice: {public}\ntargets:\n"
                     "  - {{ name: app-env, type: file, path: ../../deploy/app.env }}\n".replace("{{", "{").replace("}}", "}"))
    for name in WORKFLOW_FILES:
        target = os.path.join(root, "workflows", name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(os.path.join(REPOSITORY, "workflows", name), target)
    loopseal(root, env, "set", "CANARY_TOKEN", stdin=canary.encode())
    return key


async def exercise(root, env, key, seen, fills):
    schemas = {}

    def record(name, result):
        """Keeps the result's text for the leak check; validates error results' structured content."""
        structured = field(result, "structured_content", "structuredContent")
        seen.append(json.dumps(structured, sort_keys=True))
        for block in field(result, "content") or []:
            seen.append(field(block, "text") or "")
        if structured is not None and name in schemas:
            try:
                jsonschema.validate(structured, schemas[name])
            except jsonschema.ValidationError as error:
                check(False, f"{name}: structuredContent does not match its outputSchema: {error.message}")
        return structured

    async def call(name, arguments=None, expect_error=False):
        # The SDK validates a successful result against the tool's outputSchema and raises on a mismatch.
        try:
            result = await session.call_tool(name, arguments or {})
        except Exception as error:  # noqa: BLE001 - any failure here is a finding
            check(False, f"{name} {arguments}: the client refused the result: {error}")
            return None, {}
        is_error = bool(field(result, "is_error", "isError"))
        check(is_error == expect_error, f"{name} {arguments}: isError is {is_error}, expected {expect_error}: {result}")
        return result, record(name, result) or {}

    params = StdioServerParameters(
        command=BINARY, args=["mcp", "--identity", key, "--server-url", "http://loopseal.test:9000"],
        cwd=root, env=env)
    with open(os.path.join(root, "mcp-stderr.log"), "w") as errlog:
        async with stdio_client(params, errlog=errlog) as (read, write):
            async with ClientSession(read, write) as session:
                initialized = await session.initialize()
                info = field(initialized, "server_info", "serverInfo")
                check(field(info, "name") == "loopseal", f"serverInfo: {info}")

                tools = field(await session.list_tools(), "tools")
                check({tool.name for tool in tools} == TOOLS, f"tools: {[tool.name for tool in tools]}")
                for tool in tools:
                    schema = field(tool, "output_schema", "outputSchema")
                    check(isinstance(schema, dict) and schema.get("type") == "object",
                          f"{tool.name}: no object outputSchema ({schema})")
                    if isinstance(schema, dict):
                        jsonschema.Draft202012Validator.check_schema(schema)
                        schemas[tool.name] = schema

                # Every read-only tool, as a client that trusts the annotations would call them.
                read_only = [tool.name for tool in tools
                             if field(field(tool, "annotations"), "read_only_hint", "readOnlyHint")]
                check(set(read_only) == {"get_secret_keys", "list_workflows", "list_due_secrets"}, f"read-only tools: {read_only}")
                for name in read_only:
                    await call(name)

                _, keys = await call("get_secret_keys")
                check(keys.get("keys") == [{"key": "CANARY_TOKEN", "hasValue": True}], f"get_secret_keys: {keys}")
                _, workflows = await call("list_workflows", {"workspace": "app"})
                check([(w.get("name"), w.get("file")) for w in workflows.get("workflows", [])]
                      == [("agent-secrets-example", "workflows/agent-secrets-example.yaml"),
                          ("request-secrets", "<built-in>/request-secrets.yaml"), ("rotate-secret", "<built-in>/rotate-secret.yaml"),
                          ("rotate-secrets", "<built-in>/rotate-secrets.yaml"),
                          ("secrets-example", "workflows/secrets-example.yaml")],
                      f"list_workflows: {workflows}")

                # The tools that write, in this throwaway workspace.
                _, run = await call("start_run", {"workflow": "secrets-example", "input": {"note": "from python"}})
                check(run.get("status") == "waiting" and run.get("waitingFor") == ["secrets_submitted"], f"start_run: {run}")
                _, requested = await call("request_secrets", {"keys": ["NEW_TOKEN", {"key": "DB_URL", "description": "db"}]})
                check(requested.get("requestedKeys") == ["NEW_TOKEN", "DB_URL"], f"request_secrets: {requested}")
                _, planned = await call("sync_secrets", {"dryRun": True})
                check(planned.get("dryRun") is True and len(planned.get("targets", [])) == 1, f"sync_secrets dry run: {planned}")
                _, synced = await call("sync_secrets")
                check([t.get("written") for t in synced.get("targets", [])] == [True], f"sync_secrets: {synced}")

                # request_secrets_task: pending until a person fills it (here `loopseal run resume ID --fill`,
                # a multi-line value included), then completed with the seed's text; never a value.
                _, task = await call("request_secrets_task",
                                     {"variables": [{"key": "TASK_KEY", "description": "key"}, {"key": "TASK_CERT"}]})
                task_id = task.get("workflowId", "")
                check(task.get("status") == "pending" and task.get("requestedKeys") == ["TASK_KEY", "TASK_CERT"]
                      and task.get("link") == f"http://loopseal.test:9000/workspaces/app/runs/{task_id}", f"request_secrets_task: {task}")
                _, waiting = await call("request_secrets_task", {"workflowId": task_id})
                check(waiting.get("status") == "pending" and "result" not in waiting, f"request_secrets_task before the fill: {waiting}")
                loopseal(root, env, "run", "resume", task_id, "--fill",
                         stdin=f"TASK_KEY={fills[0]}\nTASK_CERT<<END\n{fills[1]}\nEND\n".encode())
                _, done = await call("request_secrets_task", {"workflowId": task_id})
                check(done.get("status") == "completed" and done.get("result") == SEED_TEXT, f"request_secrets_task after the fill: {done}")
                _, shown = await call("get_run", {"runId": task_id})
                check(shown.get("status") == "completed" and shown.get("parent") is None and shown.get("missingKeys") == [],
                      f"get_run: {shown}")

                # A workflow run pending on a child run: get_run links them both ways.
                _, agent = await call("start_run", {"workflow": "agent-secrets-example"})
                child = (agent.get("pendingOn") or {}).get("id", "")
                check(agent.get("status") == "pending" and child, f"start_run agent-secrets-example: {agent}")
                _, child_run = await call("get_run", {"runId": child})
                check((child_run.get("parent") or {}).get("id") == agent.get("id")
                      and child_run.get("requestedKeys") == ["AGENT_API_KEY", "AGENT_WEBHOOK_SECRET"], f"get_run child: {child_run}")
                loopseal(root, env, "run", "resume", child, "--fill",
                         stdin=f"AGENT_API_KEY={fills[2]}\nAGENT_WEBHOOK_SECRET<<END\n{fills[3]}\nEND\n".encode())
                _, parent_run = await call("get_run", {"runId": agent.get("id", "")})
                check(parent_run.get("status") == "completed" and parent_run.get("pendingOn") is None
                      and [c.get("status") for c in parent_run.get("children", [])] == ["completed"], f"get_run parent: {parent_run}")
                _, keys = await call("get_secret_keys")
                filled = {k.get("key") for k in keys.get("keys", []) if k.get("hasValue")}
                check({"TASK_KEY", "TASK_CERT", "AGENT_API_KEY", "AGENT_WEBHOOK_SECRET"} <= filled, f"get_secret_keys: {keys}")

                # Failures are tool results with isError; their structured content (if any) still matches.
                await call("get_secret_keys", {"workspace": "nope"}, expect_error=True)
                await call("start_run", {"workflow": "no-such-flow"}, expect_error=True)
                await call("request_secrets", {"keys": ["bad key"]}, expect_error=True)
                await call("request_secrets_task", {"variables": [{"key": "bad key"}]}, expect_error=True)
                await call("request_secrets_task", {"workflowId": run.get("id", "")}, expect_error=True)
                await call("get_run", {"runId": "feedfeedfeed"}, expect_error=True)
    with open(os.path.join(root, "mcp-stderr.log")) as errlog:
        seen.append(errlog.read())


def main():
    if not os.access(BINARY, os.X_OK):
        print(f"loopseal binary not found at {BINARY}: build it (swift build) or set LOOPSEAL_BIN", file=sys.stderr)
        return 1
    root = os.path.realpath(tempfile.mkdtemp(prefix="loopseal-mcp-python-"))
    try:
        env = clean_environment(root)
        canary = f"CANARY-mcp-python-{uuid.uuid4()}"
        key = prepare(root, env, canary)
        seen = []
        fills = [f"CANARY-task-{uuid.uuid4()}", f"-----BEGIN CANARY-----\nCANARY-cert-{uuid.uuid4()}\n-----END-----",
                 f"CANARY-agent-{uuid.uuid4()}", f"CANARY-hook-{uuid.uuid4()}\nCANARY-hook-line-{uuid.uuid4()}"]
        asyncio.run(asyncio.wait_for(exercise(root, env, key, seen, fills), timeout=120))
        check(not any(canary in text for text in seen), "a secret value reached the client or the server's log")
        # The values a person filled in: in no response, log or file (run files included), whole or line by line.
        needles = fills + [line for value in fills for line in value.split("\n") if line.startswith("CANARY")]
        check(not any(needle in text for needle in needles for text in seen), "a filled value reached the client or the server's log")
        for directory, _, names in os.walk(root):
            for name in names:
                with open(os.path.join(directory, name), "rb") as file:
                    content = file.read()
                check(not any(needle.encode() in content for needle in needles), f"a filled value is in {os.path.join(directory, name)}")
        runs = os.path.join(root, "workspaces", "app", ".loopseal", "runs")
        check(len([n for n in os.listdir(runs) if n.endswith(".json")]) >= 5, f"too few run files to mean anything: {os.listdir(runs)}")
        with open(os.path.join(root, "deploy", "app.env")) as synced:
            check(canary in synced.read(), "sync_secrets did not deliver the value to its target")
    finally:
        if os.environ.get("KEEP_TMP") == "1":
            print(f"kept {root}", file=sys.stderr)
        else:
            shutil.rmtree(root, ignore_errors=True)
    if failures:
        print(f"{len(failures)} check(s) failed", file=sys.stderr)
        return 1
    print(f"ok: the MCP Python SDK initialized, listed {len(TOOLS)} tools with output schemas and validated every result")
    return 0


if __name__ == "__main__":
    sys.exit(main())
