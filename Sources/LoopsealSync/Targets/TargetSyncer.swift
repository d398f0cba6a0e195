import Foundation
import LoopsealCrypto
import LoopsealStore

/// What one target's sync did (key names only).
public struct SyncOutcome: Sendable {
    public var target: String
    /// False when the payload was already there: nothing written, no restart.
    public var changed: Bool
    public var keys: [String]
}

/// Writes a workspace's secrets to its targets. This first version handles `file` targets
/// (atomic, mode 0600, untouched when unchanged, `restart` only after a change); the other
/// kinds are refused with an error naming the target.
public struct TargetSyncer: Sendable {
    public let workspace: Workspace
    public let identities: [Identity]

    /// A syncer decrypting with `identities`.
    public init(workspace: Workspace, identities: [Identity]) {
        self.workspace = workspace
        self.identities = identities
    }

    /// Syncs every target (or those named in `only`).
    public func sync(only: [String]? = nil) throws -> [SyncOutcome] {
        let config = try workspace.loadConfig()
        let targets = try SyncTarget.parseAll(config, file: workspace.configPath)
        if let only {
            for name in only where !targets.contains(where: { $0.name == name }) {
                throw StoreError.malformed(file: workspace.configPath, line: nil, column: nil,
                                           problem: "no target named '\(name)' (targets: \(targets.map(\.name).joined(separator: ", ")))")
            }
        }
        let selected = targets.filter { only?.contains($0.name) ?? true }
        guard !selected.isEmpty else { return [] }
        let opened = try SecretService(workspace: workspace).revealAll(identities: identities)
        return try selected.map { try sync($0, opened) }
    }

    private func sync(_ target: SyncTarget, _ opened: RevealedSecrets) throws -> SyncOutcome {
        let chosen = opened.values.filter { target.keys?.contains($0.key) ?? true }
        let entries = chosen.map { EnvEntry(key: $0.key, value: $0.value.withUnsafeBytes { Array($0) }) }
        let payload = Array(try target.format.render(entries).utf8)
        switch target.kind {
        case .file:
            let path = resolve(target.path ?? "")
            let parent = (path as NSString).deletingLastPathComponent
            guard FileIO.isDirectory(parent.isEmpty ? "." : parent) else {
                throw SyncError("target '\(target.name)': folder \(parent) does not exist; create it first")
            }
            if try FileIO.contentsIfExists(path) == payload {
                return SyncOutcome(target: target.name, changed: false, keys: entries.map(\.key))
            }
            try FileIO.writeAtomically(payload, to: path, mode: 0o600)
            if let restart = target.restart { try run(restart, target: target.name) }
            return SyncOutcome(target: target.name, changed: true, keys: entries.map(\.key))
        case .command, .ssh, .agent:
            throw SyncError("target '\(target.name)': '\(target.kind.rawValue)' targets are not supported by this version of loopseal yet")
        }
    }

    private func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : "\(workspace.directory)/\(path)"
    }

    private func run(_ argv: [String], target: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = argv
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        do { try process.run() } catch { throw SyncError("target '\(target)': cannot run restart command '\(argv.first ?? "")'") }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw SyncError("target '\(target)': restart command '\(argv.first ?? "")' exited with status \(process.terminationStatus)")
        }
    }
}

/// A sync failure; never holds a secret value.
public struct SyncError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
