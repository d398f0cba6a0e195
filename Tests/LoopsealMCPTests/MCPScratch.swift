import Foundation
import LoopsealCrypto
import LoopsealStore
import MCP
@testable import LoopsealMCP

/// A temporary root for one test: workspace `app` sealed to alice with a file target, the
/// repository's secrets example (request-secrets is built in), and a canary secret. Removed when dropped.
final class MCPScratch {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("loopseal-mcp-\(UUID().uuidString)").path
    let alice: Identity
    let workspace: Workspace
    /// The value of `CANARY_TOKEN`; no tool result may ever hold it.
    let canary = "CANARY-mcp-unit-\(UUID().uuidString)"
    /// Where the `app-env` file target writes.
    var targetFile: String { "\(root)/deploy/app.env" }

    init(workflows: Bool = true) throws {
        alice = try Identity.generate()
        workspace = try Workspace.create(root: root, id: "app", recipients: [Recipient(name: "alice", publicKey: alice.publicKey)])
        let config = try String(contentsOfFile: workspace.configPath, encoding: .utf8)
        let target = "targets:\n  - { name: app-env, type: file, path: ../../deploy/app.env }\n"
        try FileIO.writeAtomically(Array(config.replacingOccurrences(of: "targets: []\n", with: target).utf8), to: workspace.configPath)
        _ = try SecretService(workspace: workspace).upsert(key: "CANARY_TOKEN", value: try SecureBytes(copying: Array(canary.utf8)))
        if workflows { try copyWorkflows() }
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// A second workspace, so that calls without `workspace` are ambiguous.
    func addWorkspace(_ id: String) throws {
        _ = try Workspace.create(root: root, id: id, recipients: [Recipient(name: "alice", publicKey: alice.publicKey)])
    }

    /// Copies the repository's agent-secrets-example (a request_secrets_task parent) into `workflows/`.
    func copyAgentExample() throws {
        try FileManager.default.copyItem(atPath: "\(Self.repositoryWorkflows)/agent-secrets-example.yaml",
                                         toPath: "\(root)/workflows/agent-secrets-example.yaml")
    }

    /// The JSON file run `id` is saved in.
    func runFile(_ id: String) -> String { "\(workspace.stateDirectory)/runs/\(id).json" }

    /// Every file under the root, as text, with its path.
    func allFiles() throws -> [(path: String, text: String)] {
        let files = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
        return try files.map { "\(root)/\($0)" }.filter { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
        }.map { ($0, String(decoding: try Data(contentsOf: URL(fileURLWithPath: $0)), as: UTF8.self)) }
    }

    /// alice's identity as a key file, for `--identity`.
    func identityFile() throws -> String {
        let path = "\(root)/alice.key"
        try FileIO.writeAtomically(Array((alice.encodedSecretKey() + "\n").utf8), to: path, mode: 0o600)
        return path
    }

    /// The tools of this root, with an empty environment and `identityFiles`.
    func tools(identityFiles: [String] = [], workspace: String? = nil) -> LoopsealTools {
        LoopsealTools(configuration: context(identityFiles: identityFiles, workspace: workspace).configuration)
    }

    /// The context handlers get, with an empty environment.
    func context(identityFiles: [String] = [], workspace: String? = nil) -> ToolContext {
        ToolContext(configuration: MCPConfiguration(root: root, defaultWorkspace: workspace, serverURL: "http://loopseal.test:9000/",
                                                    identityFiles: identityFiles, environment: [:]))
    }

    /// The repository's `workflows/`.
    private static let repositoryWorkflows = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("workflows").path

    private func copyWorkflows() throws {
        try FileManager.default.createDirectory(atPath: "\(root)/workflows/templates", withIntermediateDirectories: true)
        for file in ["secrets-example.yaml", "secrets-example.ui.yaml", "templates/secretsVerified.md"] {
            try FileManager.default.copyItem(atPath: "\(Self.repositoryWorkflows)/\(file)", toPath: "\(root)/workflows/\(file)")
        }
    }
}

extension CallTool.Result {
    /// Every text content, joined by newlines.
    var text: String {
        content.compactMap { if case .text(let text, _, _) = $0 { text } else { nil } }.joined(separator: "\n")
    }

    /// The whole result as the client would receive it (JSON), for leak checks.
    var wire: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// `structuredContent` as an object; empty when there is none.
    var structured: [String: Value] { structuredContent?.objectValue ?? [:] }
}
