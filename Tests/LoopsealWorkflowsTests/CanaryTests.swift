import Foundation
import Logging
import Testing
import LoopsealCrypto
import LoopsealStore
import LoopsealTemplates
@testable import LoopsealWorkflows
import LoopsealValue

/// Collects every log line (message and metadata) so tests can look for secret values.
final class LogCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var _lines: [String] = []
    var lines: [String] { lock.withLock { _lines } }
    func append(_ line: String) { lock.withLock { _lines.append(line) } }

    var logger: Logger {
        Logger(label: "loopseal.workflows.canary", factory: { label in Handler(label: label, collector: self) })
    }

    struct Handler: LogHandler {
        let label: String
        let collector: LogCollector
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            collector.append("\(event.level) \(event.message) \(metadata.merging(event.metadata ?? [:]) { $1 }) \(event.error.map { "\($0)" } ?? "")")
        }
    }
}

/// Like a real sync target: decrypts every value and writes `KEY=value` lines to a file.
struct FileTargetSyncer: SecretsSyncer {
    let identity: Identity
    let target: String
    let recorder: Recorder

    func syncAll(workspace: Workspace) throws -> Int {
        _ = recorder.call()
        let revealed = try SecretService(workspace: workspace, logger: quietLogger).revealAll(identities: [identity])
        var text = ""
        for (key, value) in revealed.values { text += "\(key)=\(value.withUnsafeBytes { String(decoding: $0, as: UTF8.self) })\n" }
        try text.write(toFile: target, atomically: true, encoding: .utf8)
        return 1
    }
}

/// Tools see key names and flags, never values: a canary value set between transitions must not
/// reach the run file, its documents, its history, its state or the logs.
@Suite("Secret values never reach runs")
struct CanaryTests {
    private static let yaml = """
    title: Canary
    transitions:
      - id: request
        from: start
        to: requesting
        call:
          - tool: request_secrets
            args:
              variables:
                - key: CANARY_TOKEN
                  description: A value that must never leak
                - key: OTHER_KEY
          - tool: create_document
            args:
              document: secret_request
              content:
                variables: ${{ result.data.variables }}
      - id: submitted
        from: requesting
        to: verifying
        wait: true
        call:
          - tool: get_secret_keys
            assign:
              secretKeys: ${{ result.data }}
          - tool: sync_secrets
            assign:
              synced: ${{ result.data }}
          - tool: create_document
            args: { document: markdown, template: report.md }
        assign:
          note: "${{ runtime.transition.payload.note }}"
      - id: show
        from: verifying
        to: end
        if: ${{ state.synced.success }}
        call:
          - tool: create_document
            args:
              document: message
              content:
                text: "Keys: {{#each state.secretKeys}}{{key}}={{hasValue}} {{/each}}"
    """

    @Test func canaryValueNeverAppearsInTheRun() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let (workspace, identity) = try sandbox.workspaceAndIdentity()
        let path = try sandbox.write("canary.yaml", Self.yaml)
        try sandbox.write("report.md", """
        # Secrets
        {{#each secretKeys}}
        - {{key}}: {{#if hasValue}}provided{{else}}missing{{/if}}
        {{/each}}
        Synced to {{synced.count}} target(s).

        """)
        let canary = "canary-" + RunStore.newID() + "-\u{1F426}"
        let target = "\(sandbox.root)/target.env"
        let logs = LogCollector()
        let syncs = Recorder()
        let syncer = FileTargetSyncer(identity: identity, target: target, recorder: syncs)
        let store = RunStore(workspace: workspace)

        // Process 1: start; the run waits for the person to provide the secret.
        let definition = try WorkflowValidator.load(path: path)
        let first = WorkflowEngine(definition: definition, workspace: workspace, syncer: syncer, logger: logs.logger)
        let waiting = first.start(workflowFile: path)
        #expect(waiting.status == .waiting, "\(waiting.error ?? "")")
        #expect(waiting.requestedKeys == ["CANARY_TOKEN", "OTHER_KEY"])
        try store.save(waiting)

        // The person provides the value out of band (CLI prompt / web form).
        let secrets = SecretService(workspace: workspace, logger: logs.logger)
        try secrets.upsert(key: "CANARY_TOKEN", value: SecureBytes(copying: Array(canary.utf8)))

        // Process 2: resume.
        let second = WorkflowEngine(definition: try WorkflowValidator.load(path: path), workspace: workspace, syncer: syncer, logger: logs.logger)
        let done = try store.withLock(waiting.id) { () throws -> WorkflowRun in
            let done = try second.fire(try store.load(waiting.id), transition: "submitted", payload: value(#"{"note": "filled in"}"#))
            try store.save(done)
            return done
        }
        #expect(done.status == .completed, "\(done.error ?? "")")
        #expect(syncs.calls == 1)

        // The workflow did see the secret as present, and the sync really delivered the value.
        #expect(json(done.state.property("secretKeys")) == #"[{"key":"CANARY_TOKEN","hasValue":true},{"key":"OTHER_KEY","hasValue":false}]"#)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "CANARY_TOKEN=\(canary)\n")
        #expect(done.documents.map(\.markdown) == [
            "**Secrets requested**\n\n- `CANARY_TOKEN` — A value that must never leak\n- `OTHER_KEY`\n",
            "# Secrets\n- CANARY_TOKEN: provided\n- OTHER_KEY: missing\nSynced to 1 target(s).\n",
            "Keys: CANARY_TOKEN=true OTHER_KEY=false ",
        ])

        // Nowhere in the run.
        let runFile = try String(contentsOfFile: "\(store.directory)/\(done.id).json", encoding: .utf8)
        #expect(runFile.contains("CANARY_TOKEN"))
        #expect(!runFile.contains(canary))
        #expect(!runFile.contains("canary-"))
        let loaded = try store.load(done.id)
        for text in [done.asValue.jsonText(), loaded.asValue.jsonText(), json(done.state), json(done.toolResults)]
            + done.documents.map(\.markdown) + done.documents.map({ json($0.content) })
            + done.history.map({ "\($0)" }) {
            #expect(!text.contains(canary))
        }
        // Nor in anything logged, nor in plain text in the sealed file.
        #expect(!logs.lines.isEmpty)
        #expect(!logs.lines.contains { $0.contains(canary) })
        let sealed = try Data(contentsOf: URL(fileURLWithPath: try workspace.secretPath(for: "CANARY_TOKEN")))
        #expect(sealed.range(of: Data(canary.utf8)) == nil)
        // Every file under the workspace's state directory is clean too.
        let state = FileManager.default.enumerator(atPath: workspace.stateDirectory)
        while let name = state?.nextObject() as? String {
            let file = "\(workspace.stateDirectory)/\(name)"
            if let data = FileManager.default.contents(atPath: file) { #expect(data.range(of: Data(canary.utf8)) == nil, "\(name)") }
        }
    }

    @Test func toolsCannotBeAskedForValues() throws {
        // Expressions see what tools return; get_secret_keys returns flags only, whatever the args.
        let fixture = try Fixture("""
        transitions:
          - id: peek
            from: start
            to: end
            call:
              - tool: get_secret_keys
                args: { reveal: true, key: CANARY_TOKEN }
                assign:
                  everything: ${{ result }}
        """)
        defer { fixture.sandbox.remove() }
        let canary = "canary-" + RunStore.newID()
        try fixture.secrets.upsert(key: "CANARY_TOKEN", value: SecureBytes(copying: Array(canary.utf8)))
        let run = fixture.start()
        #expect(run.status == .completed)
        #expect(json(run.state) == #"{"everything":{"data":[{"key":"CANARY_TOKEN","hasValue":true}]}}"#)
        #expect(!run.asValue.jsonText().contains(canary))
    }
}
