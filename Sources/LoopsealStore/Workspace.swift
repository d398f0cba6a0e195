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

    /// Writes `workspace.yaml` atomically when its text changes. Call while holding the lock.
    public func saveConfig(_ config: WorkspaceConfig) throws {
        let bytes = Array(try config.serialized().utf8)
        if try FileIO.contentsIfExists(configPath, limit: FileLimits.workspaceConfig, followSymlinks: false) == bytes { return }
        try FileIO.writeAtomically(bytes, to: configPath)
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
