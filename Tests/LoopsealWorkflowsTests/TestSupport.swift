import Foundation
import Logging
import Testing
import LoopsealCrypto
import LoopsealStore
import LoopsealTemplates
@testable import LoopsealWorkflows
import LoopsealValue

/// A temporary directory holding workflow files and workspaces. Tests call `remove()` in a
/// `defer` (which also keeps the sandbox alive to the end of the test).
final class Sandbox {
    let root: String

    init() throws {
        root = FileManager.default.temporaryDirectory.path + "/loopseal-wf-tests-" + UUID().uuidString.lowercased()
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }

    /// Writes `text` to `name` under the sandbox (creating folders) and returns the full path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let path = "\(root)/\(name)"
        let folder = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A fresh workspace with one recipient.
    func workspace(id: String = "demo") throws -> Workspace {
        try workspaceAndIdentity(id: id).0
    }

    /// A fresh workspace and the identity of its one recipient.
    func workspaceAndIdentity(id: String = "demo") throws -> (Workspace, Identity) {
        let identity = try Identity.generate()
        let workspace = try Workspace.create(root: root, id: id, recipients: [Recipient(name: "alice", publicKey: identity.publicKey)])
        return (workspace, identity)
    }

    /// Writes the workflow and loads it through parsing and validation.
    func workflow(_ text: String, name: String = "flow.yaml", tools: ToolRegistry = .builtIn) throws -> WorkflowDefinition {
        try WorkflowValidator.load(path: write(name, text), tools: tools)
    }
}

/// The problems `WorkflowValidator.load` reports for the file at `path` (empty when it loads).
func problems(at path: String, tools: ToolRegistry = .builtIn) -> [WorkflowProblem] {
    do {
        _ = try WorkflowValidator.load(path: path, tools: tools)
        return []
    } catch let error as WorkflowValidationError {
        return error.problems
    } catch {
        Issue.record("unexpected error type: \(error)")
        return []
    }
}

/// One expected problem: position and a fragment of the message.
struct ExpectedProblem: CustomStringConvertible {
    var file: String?
    var line: Int
    var column: Int
    var message: String

    init(_ line: Int, _ column: Int, _ message: String, file: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    var description: String { "\(file.map { "\($0):" } ?? "")\(line):\(column): …\(message)…" }
}

/// Checks that `actual` is exactly `expected`, in order: same count, same positions, messages containing the fragments.
func expectProblems(_ actual: [WorkflowProblem], _ expected: [ExpectedProblem], defaultFile: String,
                    sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, "got \(actual.map(\.description)), expected \(expected)", sourceLocation: sourceLocation)
    for (got, want) in zip(actual, expected) {
        #expect(got.file == (want.file ?? defaultFile), "\(got)", sourceLocation: sourceLocation)
        #expect(got.line == want.line && got.column == want.column,
                "\(got.message): at \(got.line):\(got.column), expected \(want.line):\(want.column)", sourceLocation: sourceLocation)
        #expect(got.message.contains(want.message), "message '\(got.message)' lacks '\(want.message)'", sourceLocation: sourceLocation)
    }
}

/// JSON text of a value, for compact assertions.
func json(_ value: TemplateValue?) -> String { value?.jsonText() ?? "undefined" }

/// Parses JSON text in a test, recording a failure instead of throwing.
func value(_ jsonText: String) -> TemplateValue {
    do { return try TemplateValue(jsonText: jsonText) } catch {
        Issue.record("bad JSON in test: \(error)")
        return .null
    }
}

/// Thread-safe counters and logs for tools and sleeps.
final class Recorder: @unchecked Sendable {
    private let lock = NSLock()
    private var _calls = 0
    private var _sleeps: [Double] = []

    var calls: Int { lock.withLock { _calls } }
    var sleeps: [Double] { lock.withLock { _sleeps } }

    /// Counts a call and returns its 1-based number.
    func call() -> Int { lock.withLock { _calls += 1; return _calls } }
    func slept(_ seconds: Double) { lock.withLock { _sleeps.append(seconds) } }
}

/// `flaky`: fails its first `failures` calls (shared across runs through `recorder`), then returns `{attempt}`.
struct FlakyTool: WorkflowTool {
    let name = "flaky"
    let failures: Int
    let recorder: Recorder

    func run(_ args: TemplateValue, context: ToolContext) throws -> TemplateValue {
        let attempt = recorder.call()
        if attempt <= failures { throw ToolError("flaky failure #\(attempt)") }
        return .dictionary([("attempt", .number(Double(attempt)))])
    }
}

/// `explode`: always fails with a fixed message.
struct ExplodingTool: WorkflowTool {
    let name = "explode"
    func run(_ args: TemplateValue, context: ToolContext) throws -> TemplateValue {
        throw ToolError("the reactor is on fire")
    }
}

/// `echo`: returns its arguments.
struct EchoTool: WorkflowTool {
    let name = "echo"
    func run(_ args: TemplateValue, context: ToolContext) throws -> TemplateValue { args }
}

/// A syncer that counts how many secrets hold values (reading the store like a real target would)
/// and records how often it ran.
struct CountingSyncer: SecretsSyncer {
    let recorder: Recorder
    func syncAll(workspace: Workspace) throws -> Int {
        _ = recorder.call()
        return try SecretService(workspace: workspace).keys().filter(\.hasValue).count
    }
}

/// The built-in tools plus the test tools.
func testTools(_ extra: [any WorkflowTool]) -> ToolRegistry {
    ToolRegistry([RequestSecretsTool(), GetSecretKeysTool(), SyncSecretsTool(), CreateDocumentTool()] + extra)
}

/// A logger that drops everything, so test output stays readable.
let quietLogger = Logger(label: "loopseal.workflows.tests", factory: { _ in SwiftLogNoOpLogHandler() })

/// A sandbox with a workspace and the workflow `yaml` (validated), and an engine for it.
struct Fixture {
    let sandbox: Sandbox
    let workspace: Workspace
    /// The workspace recipient's identity (to reveal values in assertions).
    let identity: Identity
    let path: String
    var engine: WorkflowEngine

    init(_ yaml: String, files: [String: String] = [:], tools: ToolRegistry = .builtIn, syncer: SecretsSyncer? = nil) throws {
        sandbox = try Sandbox()
        for (name, text) in files { try sandbox.write(name, text) }
        (workspace, identity) = try sandbox.workspaceAndIdentity()
        path = try sandbox.write("flow.yaml", yaml)
        let definition = try WorkflowValidator.load(path: path, tools: tools)
        engine = WorkflowEngine(definition: definition, workspace: workspace, tools: tools, syncer: syncer, logger: quietLogger)
        engine.sleep = { _ in Issue.record("unexpected sleep") }
    }

    var secrets: SecretService { SecretService(workspace: workspace, logger: quietLogger) }

    func start(_ args: String = "{}") -> WorkflowRun {
        engine.start(args: value(args), workflowFile: path)
    }
}
