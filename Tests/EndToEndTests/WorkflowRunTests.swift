import Foundation
import Testing

/// Workflows through the real CLI: Loopstack's YAML unchanged, `--fill`, and secret values kept
/// out of everything a run writes or prints.
@Suite("workflow runs")
struct WorkflowRunTests {
    /// Loopstack's secrets example, byte for byte in form: `trigger: manual`, camelCase tools,
    /// `update.content`, `${{ result.data }}`.
    static let loopstackWorkflow = """
    title: Secrets Update Example

    description: A simple workflow that requests secrets from the user and then verifies they were stored.

    transitions:
      - id: request_secrets
        from: start
        to: requesting_secrets
        call:
          - tool: requestSecrets
            args:
              variables:
                - key: EXAMPLE_API_KEY
                  description: An example API key for testing
                - key: EXAMPLE_SECRET
                  description: An example secret value for testing

          - tool: createDocument
            args:
              document: secretRequestDocument
              update:
                content:
                  variables:
                    - key: EXAMPLE_API_KEY
                      description: An example API key for testing
                    - key: EXAMPLE_SECRET
                      description: An example secret value for testing

      - id: secrets_submitted
        from: requesting_secrets
        to: verifying
        trigger: manual
        call:
          - tool: getSecretKeys
            assign:
              secretKeys: ${{ result.data }}

      - id: show_result
        from: verifying
        to: end
        call:
          - tool: createDocument
            args:
              document: markdownDocument
              update:
                content:
                  markdown: |
                    # Secrets Verified

                    The following secrets are now stored:

                    {{#each state.secretKeys}}
                    - **{{this.key}}**: {{#if this.hasValue}}has value{{else}}no value{{/if}}
                    {{/each}}

    """

    static func prepared(_ label: String) throws -> (Sandbox, Sandbox.Key) {
        let box = try Sandbox(label)
        let alice = try box.keygen("alice")
        try box.initWorkspace("app", [alice])
        try FileManager.default.createDirectory(atPath: "\(box.root)/workflows", withIntermediateDirectories: true)
        try writeBytes(Array(loopstackWorkflow.utf8), to: "\(box.root)/workflows/loopstack-secrets.workflow.yaml")
        return (box, alice)
    }

    static func runJSON(_ result: RunResult) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String: Any], "\(result)")
    }

    @Test("a Loopstack-format workflow runs unchanged: start, wait, resume with a payload, complete")
    func loopstackWorkflowRuns() throws {
        let (box, _) = try Self.prepared("wf-loopstack")
        defer { box.remove() }
        let validate = try box.ok(["workflow", "validate", "workflows/loopstack-secrets.workflow.yaml"])
        #expect(validate.stdoutText.contains("ok: workflows/loopstack-secrets.workflow.yaml (3 transitions, 4 places)"))

        let started = try Self.runJSON(try box.ok(["run", "start", "loopstack-secrets", "--json"]))
        #expect(started["status"] as? String == "waiting")
        #expect(started["place"] as? String == "requesting_secrets")
        let id = try #require(started["id"] as? String)
        let keys = try box.keysJSON()
        #expect(keys.map { $0["key"] as? String } == ["EXAMPLE_API_KEY", "EXAMPLE_SECRET"])
        #expect(keys.allSatisfy { $0["hasValue"] as? Bool == false })

        try box.set("EXAMPLE_API_KEY", "provided-out-of-band")
        let resumed = try Self.runJSON(try box.ok(["run", "resume", id, "--transition", "secrets_submitted",
                                                   "--payload", #"{"keys": ["EXAMPLE_API_KEY"]}"#, "--json"]))
        #expect(resumed["status"] as? String == "completed")
        #expect(resumed["place"] as? String == "end")
        let documents = try #require(resumed["documents"] as? [[String: Any]])
        #expect(documents.map { $0["type"] as? String } == ["secret_request", "markdown"])
        let report = try #require((documents.last?["content"] as? [String: Any])?["markdown"] as? String)
        #expect(report == "# Secrets Verified\n\nThe following secrets are now stored:\n\n- **EXAMPLE_API_KEY**: has value\n- **EXAMPLE_SECRET**: no value\n")
        let history = try #require(resumed["history"] as? [[String: Any]])
        #expect(history.map { $0["transition"] as? String } == ["request_secrets", "secrets_submitted", "show_result"])
        #expect((history[1]["payload"] as? [String: Any])?["keys"] as? [String] == ["EXAMPLE_API_KEY"])

        let shown = try box.ok(["run", "show", id])
        #expect(shown.stdoutText.contains("status completed"))
        #expect(shown.stdoutText.contains("- **EXAMPLE_SECRET**: no value"))
        let list = try box.ok(["run", "list"])
        #expect(list.stdoutText.contains(id))

        let again = try box.run(["run", "resume", id, "--transition", "secrets_submitted"])
        #expect(again.status == 1)
        #expect(again.stderr.contains("completed"))
    }

    @Test("--fill reads KEY=value lines, stores them sealed, and fires the transition; values appear nowhere else")
    func fillKeepsValuesOut() throws {
        let (box, alice) = try Self.prepared("wf-canary")
        defer { box.remove() }
        let canaryA = "CANARY-wf-\(UUID().uuidString)", canaryB = "CANARY-wf2-\(UUID().uuidString)"
        var outputs: [RunResult] = []
        let started = try box.ok(["run", "start", "loopstack-secrets"], env: ["LOOPSEAL_LOG_LEVEL": "trace"])
        outputs.append(started)
        let id = try #require(try Self.runJSON(try box.ok(["run", "list", "--json"]).withStdoutArrayFirst())["id"] as? String)

        let missing = try box.run(["run", "resume", id, "--fill"], stdin: "EXAMPLE_API_KEY=\(canaryA)\n")
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("EXAMPLE_SECRET"))
        outputs.append(missing)
        let unrequested = try box.run(["run", "resume", id, "--fill"], stdin: "OTHER=\(canaryB)\n")
        #expect(unrequested.status == 1)
        #expect(unrequested.stderr.contains("is not one of the keys"), "\(unrequested)")
        // Not even the name is echoed: a value piped by mistake ("TOKEN==" base64) would show.
        #expect(!unrequested.stderr.contains("OTHER"), "\(unrequested)")
        outputs.append(unrequested)

        let filled = try box.run(["run", "resume", id, "--fill"], stdin: "EXAMPLE_API_KEY=\(canaryA)\nEXAMPLE_SECRET=\(canaryB)\n",
                                 env: ["LOOPSEAL_LOG_LEVEL": "trace"])
        #expect(filled.status == 0, "\(filled)")
        #expect(filled.stdoutText.contains("- **EXAMPLE_API_KEY**: has value"))
        #expect(filled.stdoutText.contains("- **EXAMPLE_SECRET**: has value"))
        outputs.append(filled)
        outputs.append(try box.ok(["run", "show", id]))
        outputs.append(try box.ok(["run", "show", id, "--json"]))
        outputs.append(try box.ok(["run", "list", "--json"]))

        #expect(try box.ok(["get", "EXAMPLE_API_KEY", "-i", alice.path]).stdoutText == canaryA)
        #expect(try box.ok(["get", "EXAMPLE_SECRET", "-i", alice.path]).stdoutText == canaryB)
        for output in outputs {
            for canary in [canaryA, canaryB] {
                #expect(!output.stdoutText.contains(canary), "\(output.command)")
                #expect(!output.stderr.contains(canary), "\(output.command)")
            }
        }
        for file in allFiles(under: box.root) {
            let bytes = try readBytes(file)
            for canary in [canaryA, canaryB] {
                #expect(!bytes.contains(Array(canary.utf8)), "\(file) holds a secret value")
            }
        }
    }

    @Test("validation problems are listed with file, line and column; a broken workflow does not start")
    func brokenWorkflow() throws {
        let (box, _) = try Self.prepared("wf-broken")
        defer { box.remove() }
        let broken = """
        transitions:
          - id: a
            from: start
            to: end
            call:
              - tool: nosuchTool
          - id: a
            from: start
            to: end

        """
        try writeBytes(Array(broken.utf8), to: "\(box.root)/workflows/broken.yaml")
        let result = try box.run(["workflow", "validate", "workflows/broken.yaml"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("workflows/broken.yaml:6:15: unknown tool 'nosuchTool'"), "\(result)")
        #expect(result.stderr.contains("workflows/broken.yaml:7:9: duplicate transition id 'a'"), "\(result)")
        #expect(result.stderr.contains("workflows/broken.yaml:7:9: transitions 'a' and 'a' both leave 'start'"), "\(result)")
        let start = try box.run(["run", "start", "broken"])
        #expect(start.status == 1)
        #expect(start.stderr.contains("unknown tool"))
        let graph = try box.ok(["workflow", "graph", "workflows/loopstack-secrets.workflow.yaml", "--format", "dot"])
        #expect(graph.stdoutText.contains("\"requesting_secrets\" -> \"verifying\" [label=\"secrets_submitted\", style=dashed];"))
    }

    /// Issue 11 item 6: `template: ../keys/alice.key` read a private key into the run's documents
    /// and `.loopseal/runs/*.json`. Files named by a workflow must stay in `workflows/`.
    @Test("a template or widget file outside workflows/ is refused by validate and by run start; the key is read nowhere")
    func templateOutsideWorkflowsIsRefused() throws {
        let (box, alice) = try Self.prepared("wf-confined")
        defer { box.remove() }
        try FileManager.default.createSymbolicLink(atPath: "\(box.root)/workflows/notes.md", withDestinationPath: alice.path)
        /// A one-transition workflow whose document comes from `template` (written at 7:47).
        func write(_ name: String, template: String) throws {
            try writeBytes(Array("""
            transitions:
              - id: report
                from: start
                to: end
                call:
                  - tool: create_document
                    args: { document: markdown, template: \(template) }

            """.utf8), to: "\(box.root)/workflows/\(name).yaml")
        }
        for (name, template) in [("steal", "../keys/alice.key"), ("absolute", alice.path), ("linked", "notes.md")] {
            try write(name, template: template)
            let validate = try box.run(["workflow", "validate", "workflows/\(name).yaml"])
            #expect(validate.status == 1, "\(validate)")
            #expect(validate.stderr.contains("workflows/\(name).yaml:7:47: template file '\(template)' "), "\(validate)")
            #expect(validate.stderr.contains("outside the workflow's folder") || validate.stderr.contains("absolute path"), "\(validate)")
            let start = try box.run(["run", "start", name, "--json"])
            #expect(start.status == 1, "\(start)")
            for output in [validate, start] {
                #expect(!output.stdoutText.contains(alice.secretKey) && !output.stderr.contains(alice.secretKey))
            }
        }
        // Named at run time, where validation cannot see it: the run fails, its documents stay empty.
        try write("dynamic", template: #""${{ args.file }}""#)
        _ = try box.ok(["workflow", "validate", "workflows/dynamic.yaml"])
        let dynamic = try box.run(["run", "start", "dynamic", "--input", #"{"file": "../keys/alice.key"}"#, "--json"])
        #expect(dynamic.status == 1, "\(dynamic)")
        let run = try Self.runJSON(dynamic)
        #expect(run["status"] as? String == "failed")
        #expect((run["error"] as? String)?.contains("template file '../keys/alice.key' resolves outside the workflow's folder") == true, "\(run)")
        #expect((run["documents"] as? [Any])?.isEmpty == true)
        // The link itself (workflows/notes.md) reads as the key; every other file must not hold it.
        for file in allFiles(under: box.root) where file != alice.path && !file.hasSuffix("/workflows/notes.md") {
            #expect(!(try readBytes(file)).contains(bytes: Array(alice.secretKey.utf8)), "\(file) holds the private key")
        }
    }

    /// Issue 11 item 13: the README's `loopseal workflow validate workflows/*.yaml` failed on the
    /// shipped `*.ui.yaml` files; they are checked as widgets now.
    @Test("workflow validate workflows/*.yaml checks the shipped workflows and their widget files")
    func validateWholeWorkflowsFolder() throws {
        let box = try Sandbox("wf-folder")
        defer { box.remove() }
        let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("workflows").path
        try FileManager.default.copyItem(atPath: shipped, toPath: "\(box.root)/workflows")
        let files = try FileManager.default.contentsOfDirectory(atPath: "\(box.root)/workflows")
            .filter { $0.hasSuffix(".yaml") }.sorted().map { "workflows/\($0)" }
        #expect(files.contains("workflows/secrets-example.ui.yaml"))
        #expect(!files.contains("workflows/request-secrets.yaml"), "request-secrets is built in; the repository keeps no copy")
        let result = try box.ok(["workflow", "validate"] + files)
        #expect(result.stdoutText.contains("ok: workflows/secrets-example.ui.yaml (widget file, 2 widgets)"), "\(result)")
        #expect(result.stdoutText.contains("ok: workflows/secrets-example.yaml ("), "\(result)")
        #expect(result.stdoutText.contains("ok: workflows/agent-secrets-example.yaml ("), "\(result)")
        #expect(result.stdoutText.split(separator: "\n").count == files.count, "\(result)")

        try writeBytes(Array("widgets:\n  - widget: button\n    enabledWhen: { a: b }\n".utf8), to: "\(box.root)/workflows/broken.ui.yaml")
        let broken = try box.run(["workflow", "validate", "workflows/broken.ui.yaml", "workflows/secrets-example.yaml"])
        #expect(broken.status == 1)
        #expect(broken.stderr.contains("workflows/broken.ui.yaml:3:18: expected a place or a list of places"), "\(broken)")
        #expect(broken.stderr.contains("1 of 2 workflow files have problems"), "\(broken)")
        #expect(broken.stdoutText.contains("ok: workflows/secrets-example.yaml"), "\(broken)")
    }

    /// Issue 11 item 13: without Graphviz, `--format svg` died of SIGPIPE (exit 141), usually silently.
    @Test("workflow graph --format svg without Graphviz says how to install it and exits 1; a dot that dies is reported")
    func svgWithoutGraphviz() throws {
        let (box, _) = try Self.prepared("wf-svg")
        defer { box.remove() }
        let empty = "\(box.root)/empty-bin", broken = "\(box.root)/broken-bin"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: broken, withIntermediateDirectories: true)
        // A 'dot' that exits without reading its input: writing to it used to be SIGPIPE.
        try writeBytes(Array("#!/bin/sh\necho 'dot: broken install' >&2\nexit 3\n".utf8), to: "\(broken)/dot")
        #expect(chmod("\(broken)/dot", 0o755) == 0)
        let file = "workflows/loopstack-secrets.workflow.yaml"
        let missing = try box.run(["workflow", "graph", file, "--format", "svg"], env: ["PATH": empty])
        #expect(missing.status == 1 && !missing.signaled, "\(missing)")
        #expect(missing.stderr.contains("install graphviz (apt-get install graphviz)"), "\(missing)")
        #expect(missing.stdout.isEmpty)
        let dies = try box.run(["workflow", "graph", file, "--format", "svg"], env: ["PATH": broken])
        #expect(dies.status == 1 && !dies.signaled, "\(dies)")
        #expect(dies.stderr.contains("exited with 3"), "\(dies)")
        #expect(dies.stderr.contains("dot: broken install"), "\(dies)")
        #expect(dies.stderr.contains("install graphviz (apt-get install graphviz)"), "\(dies)")
        // A working 'dot' reads the whole graph and its output is printed.
        let working = "\(box.root)/working-bin"
        try FileManager.default.createDirectory(atPath: working, withIntermediateDirectories: true)
        try writeBytes(Array("#!/bin/sh\nedges=$(grep -c -- '->')\necho \"<svg edges=\\\"$edges\\\"/>\"\n".utf8), to: "\(working)/dot")
        #expect(chmod("\(working)/dot", 0o755) == 0)
        let drawn = try box.run(["workflow", "graph", file, "--format", "svg"], env: ["PATH": "\(working):/usr/bin:/bin"])
        #expect(drawn.status == 0, "\(drawn)")
        #expect(drawn.stdoutText == "<svg edges=\"3\"/>\n", "\(drawn)")
    }
}

private extension RunResult {
    /// `run list --json` prints an array; tests want its newest entry.
    func withStdoutArrayFirst() throws -> RunResult {
        let list = try #require(try JSONSerialization.jsonObject(with: Data(stdout)) as? [[String: Any]])
        var copy = self
        copy.stdout = Array(try JSONSerialization.data(withJSONObject: list.first ?? [:]))
        return copy
    }
}
