import LoopsealGit
import LoopsealStore

/// The versions of one secret's file, and of its `workspace.yaml`, in the git repository that
/// holds the workspace: what the history use cases (``SecretHistory``, ``SecretAtRevision``)
/// share. Every file is read from git with its size cap and parsed as hostile input.
struct SecretVersions {
    /// One version of the sealed file.
    enum Version {
        /// No file at that commit.
        case absent
        /// A file that cannot be read: why (names the commit and path, never content).
        case unreadable(any Error)
        /// The parsed file.
        case present(SealedSecret)
    }

    let history: GitHistory
    let workspace: Workspace
    let key: String

    /// The sealed file, relative to the workspace folder.
    var sealedPath: String { "secrets/\(key).sealed" }
    /// `workspace.yaml`, relative to the workspace folder.
    static let configPath = "workspace.yaml"

    /// Opens the repository holding `workspace` (git runs in the workspace folder with
    /// `git`'s environment).
    init(workspace: Workspace, key: String, git: GitRunner) throws {
        try Names.checkKey(key)
        var runner = git
        runner.directory = workspace.directory
        self.history = try GitHistory(git: runner)
        self.workspace = workspace
        self.key = key
    }

    /// How errors name `path` at `commit`: `abc123456789:workspaces/prod/secrets/KEY.sealed`.
    func label(_ commit: String, _ path: String) -> String { "\(commit.prefix(12)):\(history.repositoryPath(path))" }

    /// Reads the sealed file and `workspace.yaml` of every commit in `commits`.
    func read(_ commits: [String]) throws -> [String: GitBlob] {
        try history.files(commits.flatMap { [(commit: $0, path: sealedPath, limit: FileLimits.sealedFile),
                                             (commit: $0, path: Self.configPath, limit: FileLimits.workspaceConfig)] })
    }

    /// The sealed file at `commit`, parsed.
    func secret(at commit: String, in files: [String: GitBlob]) -> Version {
        let file = label(commit, sealedPath)
        do {
            guard let bytes = try content(files[history.request(commit: commit, path: sealedPath)], file: file,
                                          limit: FileLimits.sealedFile) else { return .absent }
            if let line = ConflictMarkers.firstLine(in: bytes) { return .unreadable(StoreError.mergeConflict(file: file, line: line)) }
            let secret = try SealedSecretCodec.decode(bytes, file: file)
            guard secret.key == key else {
                return .unreadable(StoreError.malformed(file: file, line: nil, column: nil,
                                                       problem: "holds key '\(secret.key)' but is named for '\(key)'"))
            }
            return .present(secret)
        } catch {
            return .unreadable(error)
        }
    }

    /// `workspace.yaml` at `commit`: nil when the commit has none; throws when it does not parse.
    func config(at commit: String, in files: [String: GitBlob]) throws -> WorkspaceConfig? {
        let file = label(commit, Self.configPath)
        guard let bytes = try content(files[history.request(commit: commit, path: Self.configPath)], file: file,
                                      limit: FileLimits.workspaceConfig) else { return nil }
        if let line = ConflictMarkers.firstLine(in: bytes) { throw StoreError.mergeConflict(file: file, line: line) }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw StoreError.malformed(file: file, line: nil, column: nil, problem: "not UTF-8 text")
        }
        return try WorkspaceConfig.parse(text, file: file, expectedID: workspace.id)
    }

    /// The bytes of a file read from git, nil when absent; an error for a folder or an
    /// oversized file.
    private func content(_ blob: GitBlob?, file: String, limit: Int) throws -> [UInt8]? {
        switch blob {
        case .content(let bytes)?: return bytes
        case .missing?, nil: return nil
        case .tooLarge(let size)?:
            throw StoreError.malformed(file: file, line: nil, column: nil, problem: "\(size) bytes, over the \(limit)-byte limit: not read")
        case .notAFile(let type)?:
            throw StoreError.malformed(file: file, line: nil, column: nil, problem: "a git \(type), not a file")
        }
    }
}
