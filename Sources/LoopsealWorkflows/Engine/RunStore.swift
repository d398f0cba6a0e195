import Foundation
import LoopsealCrypto
import LoopsealStore
import LoopsealTemplates
import LoopsealValue

#if canImport(Glibc)
import Glibc
#endif

/// Runs on disk: `workspaces/<id>/.loopseal/runs/<run id>.json`, written atomically, with a
/// per-run `flock` so two processes cannot advance the same run at once.
public struct RunStore: Sendable {
    /// The runs directory.
    public let directory: String

    /// The store of `workspace`.
    public init(workspace: Workspace) {
        directory = "\(workspace.stateDirectory)/runs"
    }

    /// A new run id: 12 random lowercase hex characters.
    public static func newID() -> String {
        Random.bytes(6).map { String(format: "%02x", $0) }.joined()
    }

    static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 64 && id.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D }
    }

    /// The file of run `id`; throws for an id that is not lowercase letters, digits and `-`.
    public func file(_ id: String) throws -> String {
        try path(id)
    }

    func path(_ id: String) throws -> String {
        guard Self.isValidID(id) else { throw ToolError("invalid run id '\(id.prefix(40))': run ids are lowercase letters, digits and '-'") }
        return "\(directory)/\(id).json"
    }

    /// Writes `run` atomically; refuses (writing nothing) a run larger than ``RunLimits/maxRunBytes``.
    public func save(_ run: WorkflowRun) throws {
        let bytes = Array((run.asValue.jsonText(pretty: true) + "\n").utf8)
        guard bytes.count <= RunLimits.maxRunBytes else {
            throw RunServiceError.runTooLarge(run: run.id, bytes: bytes.count, limit: RunLimits.maxRunBytes)
        }
        try FileIO.makeDirectory(directory)
        try FileIO.writeAtomically(bytes, to: try path(run.id), mode: 0o600)
    }

    /// Reads run `id`.
    public func load(_ id: String) throws -> WorkflowRun {
        let file = try path(id)
        guard let bytes = try FileIO.contentsIfExists(file) else {
            throw ToolError("no run '\(id)': 'loopseal run list' shows the runs of this workspace")
        }
        let value: TemplateValue
        do {
            value = try TemplateValue(jsonText: String(decoding: bytes, as: UTF8.self))
        } catch {
            throw ToolError("\(file):\(error.line):\(error.column): run file is not valid JSON (\(error.message))")
        }
        return try WorkflowRun(value: value, file: file)
    }

    /// Every run, newest first.
    public func list() throws -> [WorkflowRun] {
        let names = try FileIO.directoryEntries(directory).filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }
        return try names.map { try load(String($0.dropLast(5))) }.sorted { $0.createdAt > $1.createdAt }
    }

    /// Runs `body` holding run `id`'s lock. When another process holds it, fails at once, or
    /// with `waiting` retries for up to ten seconds first (a child's callback waits for its parent).
    public func withLock<T>(_ id: String, waiting: Bool = false, _ body: () throws -> T) throws -> T {
        try FileIO.makeDirectory(directory)
        let lockPath = try path(id).replacingOccurrences(of: ".json", with: ".lock")
        let fd = open(lockPath, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ToolError("\(lockPath): cannot open the run lock") }
        defer { close(fd) }
        var tries = waiting ? 1000 : 1
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            tries -= 1
            guard tries > 0 else {
                throw ToolError("run '\(id)' is being advanced by another loopseal process; try again when it finishes")
            }
            usleep(10_000)
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }
}
