import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import LoopsealCrypto
import LoopsealServer
import LoopsealStore
import LoopsealSystem
import Testing

/// A repository root with workspaces `alpha` and `beta` (recipient: alice), a waiting
/// secret-request workflow, a state directory, and tokens of every role.
final class ServerFixture: @unchecked Sendable {
    let root: String
    let state: String
    let alice: Identity
    let core: ServerCore
    let logs: LogCapture
    var readerAlpha = ""
    var writerAlpha = ""
    var adminAlpha = ""
    var adminBeta = ""
    /// A value that must never come back from the server in any form.
    static let canary = "canary-\(UUID().uuidString)-value"

    /// `serverHasIdentity`: the server compares upserts with alice's identity (`--unchanged-upserts`).
    init(gitCommit: Bool = false, serverHasIdentity: Bool = false) throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("loopseal-server-\(UUID().uuidString)").path
        root = "\(base)/repo"
        state = "\(base)/state"
        try FileManager.default.createDirectory(atPath: "\(root)/workflows/templates", withIntermediateDirectories: true)
        alice = try Identity.generate()
        for id in ["alpha", "beta"] {
            _ = try Workspace.create(root: root, id: id, recipients: [Recipient(name: "alice", publicKey: alice.publicKey)])
        }
        try Self.workflow.write(toFile: "\(root)/workflows/ask.yaml", atomically: true, encoding: .utf8)
        try Self.widgets.write(toFile: "\(root)/workflows/ask.ui.yaml", atomically: true, encoding: .utf8)
        try Self.report.write(toFile: "\(root)/workflows/templates/report.md", atomically: true, encoding: .utf8)
        if gitCommit {
            for arguments in [["init", "-q"], ["config", "user.email", "test@example.com"], ["config", "user.name", "Test"],
                              ["add", "-A"], ["commit", "-q", "-m", "initial"]] {
                try Self.git(arguments, in: root)
            }
        }
        let logs = LogCapture()
        self.logs = logs
        var logger = Logger(label: "loopseal.server.test") { _ in logs }
        logger.logLevel = .trace
        let identities = serverHasIdentity ? IdentityLoader(environment: ["LOOPSEAL_IDENTITY": alice.encodedSecretKey()]) : nil
        core = try ServerCore(configuration: ServerConfiguration(root: root, stateDirectory: state, gitCommit: gitCommit, logger: logger,
                                                                 identities: identities))
        readerAlpha = try core.tokens.create(workspaces: ["alpha"], role: .reader).token
        writerAlpha = try core.tokens.create(workspaces: ["alpha"], role: .writer).token
        adminAlpha = try core.tokens.create(workspaces: ["alpha"], role: .admin, name: "ops").token
        adminBeta = try core.tokens.create(workspaces: ["beta"], role: .admin).token
    }

    deinit { try? FileManager.default.removeItem(atPath: (root as NSString).deletingLastPathComponent) }

    var alpha: Workspace { get throws { try Workspace(root: root, id: "alpha") } }

    /// Opens `key` in `alpha` with alice's identity.
    func reveal(_ key: String, workspace: String = "alpha") throws -> String {
        let value = try SecretService(workspace: try Workspace(root: root, id: workspace)).reveal(key: key, identities: [alice])
        return value.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }

    /// Every byte the server wrote to disk outside `secrets/` (run files, audit log, tokens), as text.
    func stateText() throws -> String {
        var text = ""
        for directory in [state, "\(root)/workspaces/alpha/.loopseal", "\(root)/workspaces/beta/.loopseal"] {
            guard let walker = FileManager.default.enumerator(atPath: directory) else { continue }
            for case let path as String in walker {
                if let data = FileManager.default.contents(atPath: "\(directory)/\(path)") { text += String(decoding: data, as: UTF8.self) }
            }
        }
        return text
    }

    @discardableResult
    static func git(_ arguments: [String], in directory: String) throws -> String {
        String(decoding: try ChildProcess.run(["git", "-C", directory] + arguments).stdout, as: UTF8.self)
    }

    static let workflow = """
        title: Ask for secrets
        widget: ask.ui.yaml
        transitions:
          - id: ask
            from: start
            to: asking
            call:
              - tool: request_secrets
                args:
                  variables:
                    - key: API_KEY
                      description: The API key
                    - key: DB_PASSWORD
          - id: submitted
            from: asking
            to: checking
            wait: true
            call:
              - tool: get_secret_keys
                assign:
                  secretKeys: ${{ result.data }}
          - id: report
            from: checking
            to: end
            call:
              - tool: create_document
                args:
                  document: markdown
                  template: templates/report.md
        """

    static let widgets = """
        widgets:
          - widget: secret-input
            enabledWhen: [asking]
            options:
              transition: submitted
              label: Store secrets
        """

    static let report = """
        # Report
        {{#each secretKeys}}
        - {{this.key}}: {{#if this.hasValue}}has value{{else}}missing{{/if}}
        {{/each}}

        """
}

/// Collects every log line (message and metadata) for leak checks.
final class LogCapture: LogHandler, @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
        lock.withLock { lines.append("\(level) \(message) \(metadata ?? [:]) \(self.metadata)") }
    }

    var text: String { lock.withLock { lines.joined(separator: "\n") } }
}

extension TestClientProtocol {
    /// A request with a bearer token and an optional JSON body.
    func call(_ uri: String, _ method: HTTPRequest.Method = .get, token: String?, json: String? = nil,
              contentType: String = "application/json") async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil { headers[.contentType] = contentType }
        return try await execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    /// The response body as JSON.
    var json: Any { (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) ?? NSNull() }

    /// The `error` code of a JSON error body.
    var errorCode: String? { (json as? [String: Any])?["error"] as? String }
}
