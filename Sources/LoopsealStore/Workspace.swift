import Foundation

/// A workspace directory: `workspaces/<id>/` with `workspace.yaml`, `secrets/` and `.loopseal/`.
public struct Workspace: Sendable, Equatable {
    /// The repository root holding `workspaces/`.
    public let root: String
    /// The workspace id (its directory name).
    public let id: String

    /// Refers to workspace `id` under `root`, validating the id.
    public init(root: String, id: String) throws {
        try Names.checkWorkspaceID(id)
        self.root = root
        self.id = id
    }

    /// `workspaces/<id>`.
    public var directory: String { "\(root)/workspaces/\(id)" }
    /// `workspaces/<id>/workspace.yaml`.
    public var configPath: String { "\(directory)/workspace.yaml" }
    /// `workspaces/<id>/secrets`.
    public var secretsDirectory: String { "\(directory)/secrets" }
    /// `workspaces/<id>/.loopseal`: local state, git-ignored.
    public var stateDirectory: String { "\(directory)/.loopseal" }
    /// The lock every writer holds.
    public var lockPath: String { "\(stateDirectory)/lock" }

    /// The sealed file of `key` (validated).
    public func secretPath(for key: String) throws -> String {
        try Names.checkKey(key)
        return "\(secretsDirectory)/\(key).sealed"
    }

    /// Reads and validates `workspace.yaml`.
    public func loadConfig() throws -> WorkspaceConfig {
        guard FileIO.isDirectory(directory) else { throw StoreError.workspaceNotFound(id: id, root: root) }
        guard let bytes = try FileIO.contentsIfExists(configPath, limit: FileLimits.workspaceConfig,
                                                      followSymlinks: false, kind: "workspace.yaml") else {
            throw StoreError.malformed(file: configPath, line: nil, column: nil, problem: "missing: every workspace needs a workspace.yaml")
        }
        if let line = ConflictMarkers.firstLine(in: bytes) { throw StoreError.mergeConflict(file: configPath, line: line) }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw StoreError.malformed(file: configPath, line: nil, column: nil, problem: "not UTF-8 text")
        }
        return try WorkspaceConfig.parse(text, file: configPath, expectedID: id)
    }

    /// Writes `workspace.yaml` atomically when its content changes, signed when it lists writers
    /// (docs/FORMAT.md §8, "The signed workspace file"). Call while holding the lock.
    ///
    /// A file whose content (what its signature covers) is unchanged is left byte for byte as it
    /// is, comments included. A changed file is signed with the key `signingKeys` finds when that
    /// key is a writer the file lists; otherwise it is written unsigned and the result says why.
    /// With `resign` the file is signed even when its content is unchanged, keeping its text
    /// where it can; then a missing key, or one that is not a listed writer, is an error.
    @discardableResult
    public func saveConfig(_ config: WorkspaceConfig, signingKeys: SigningKeyLoader? = nil, resign: Bool = false) throws -> ConfigSigning {
        let unsigned = try config.serialized()
        let saved = try WorkspaceConfig.parse(unsigned, file: configPath, expectedID: id)
        let content = WorkspaceSignature.content(of: saved)
        if let current = try currentConfigText(), let onDisk = try? WorkspaceConfig.parse(current, file: configPath, expectedID: id),
           WorkspaceSignature.content(of: onDisk) == content {
            guard resign else { return ConfigSigning.current(onDisk) }
            let (signature, outcome) = try ConfigSigning.sign(saved, with: signingKeys, required: true)
            let text = signature.map { resigned(current, with: $0, content: content) ?? unsigned + WorkspaceSignature.block($0) } ?? current
            if text != current { try FileIO.writeAtomically(Array(text.utf8), to: configPath) }
            return outcome
        }
        let (signature, outcome) = try ConfigSigning.sign(saved, with: signingKeys, required: resign)
        try FileIO.writeAtomically(Array((unsigned + (signature.map(WorkspaceSignature.block) ?? "")).utf8), to: configPath)
        return outcome
    }

    /// `text` (the file as it is) carrying `signature` instead of its own, when that reads back
    /// as the same content with exactly that signature; nil otherwise.
    private func resigned(_ text: String, with signature: SealedSecret.Signature, content: String) -> String? {
        guard let replaced = Self.replacingSignature(of: text, with: signature),
              let reread = try? WorkspaceConfig.parse(replaced, file: configPath, expectedID: id),
              WorkspaceSignature.content(of: reread) == content, reread.signature == signature else { return nil }
        return replaced
    }

    /// `workspace.yaml`'s text, or nil when it is missing or not UTF-8.
    private func currentConfigText() throws -> String? {
        guard let bytes = try FileIO.contentsIfExists(configPath, limit: FileLimits.workspaceConfig, followSymlinks: false) else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }

    /// `text` with its `signature:` block replaced by `signature`'s, or the block appended when
    /// there is none; nil when the block is not spelled as Loopseal writes it. The caller
    /// re-reads the result before using it.
    static func replacingSignature(of text: String, with signature: SealedSecret.Signature) -> String? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(where: { $0.hasPrefix("signature:") }) else {
            return text + (text.isEmpty || text.hasSuffix("\n") ? "" : "\n") + WorkspaceSignature.block(signature)
        }
        guard lines.count > start + 3, lines[start] == "signature:", lines[start + 1].hasPrefix("  writer: "),
              lines[start + 2].hasPrefix("  ed25519: ") else { return nil }
        let before = lines[..<start].map { $0 + "\n" }.joined()
        return before + WorkspaceSignature.block(signature) + lines[(start + 3)...].joined(separator: "\n")
    }

    /// Runs `body` holding this workspace's writer lock.
    public func withLock<T>(_ body: () throws -> T) throws -> T {
        try WorkspaceLock.withLock(at: lockPath, body)
    }

    /// Creates a new workspace with `recipients`: directories, `workspace.yaml`, and a
    /// `.gitignore` that keeps `.loopseal/` local.
    public static func create(root: String, id: String, recipients: [Recipient]) throws -> Workspace {
        let workspace = try Workspace(root: root, id: id)
        guard !FileIO.exists(workspace.configPath) else {
            throw StoreError.workspaceExists(id: id, path: workspace.directory)
        }
        try FileIO.makeDirectory(workspace.secretsDirectory)
        try workspace.withLock {
            try FileIO.writeAtomically(Array(".loopseal/\n".utf8), to: "\(workspace.directory)/.gitignore")
            try workspace.saveConfig(WorkspaceConfig(workspace: id, recipients: recipients))
        }
        return workspace
    }

    /// Ids of the workspaces under `root`, sorted.
    public static func list(root: String) -> [String] {
        let entries = (try? FileIO.directoryEntries("\(root)/workspaces")) ?? []
        return entries.filter { Names.isValidWorkspaceID($0) && FileIO.isDirectory("\(root)/workspaces/\($0)") }.sorted()
    }

    /// The nearest directory at or above `start` that holds `workspaces/`.
    public static func findRoot(from start: String) throws -> String {
        var current = URL(fileURLWithPath: start).standardizedFileURL.path
        while true {
            if FileIO.isDirectory("\(current)/workspaces") { return current }
            let parent = FileIO.parentDirectory(current)
            if parent == current || parent.isEmpty { throw StoreError.rootNotFound(searchedFrom: start) }
            current = parent
        }
    }

    /// Resolves `id` (or the only workspace when nil) under `root`.
    public static func resolve(root: String, id: String?) throws -> Workspace {
        if let id {
            let workspace = try Workspace(root: root, id: id)
            guard FileIO.isDirectory(workspace.directory) else { throw StoreError.workspaceNotFound(id: id, root: root) }
            return workspace
        }
        let ids = list(root: root)
        switch ids.count {
        case 0: throw StoreError.noWorkspaces(root: root)
        case 1: return try Workspace(root: root, id: ids[0])
        default: throw StoreError.ambiguousWorkspace(ids: ids)
        }
    }
}
