import LoopsealCrypto
import LoopsealGit
import LoopsealStore

/// `loopseal get KEY --at REV`: a secret's value as it was at a commit. The file and that
/// commit's `workspace.yaml` are read from git (capped, parsed as hostile input); when that
/// `workspace.yaml` lists writers the signature must hold against them, as for a current read.
public enum SecretAtRevision {
    /// The value of `key` in `workspace` at the commit `revision` names. `git` supplies the
    /// environment; it runs in the workspace folder. Fails, naming the revision and commit,
    /// when the key has no file there, and like `get` when it has no value, is not signed by a
    /// writer of that commit or is not sealed to `identities`.
    public static func value(of key: String, at revision: String, in workspace: Workspace, identities: [Identity],
                             git: GitRunner) throws -> SecureBytes {
        let versions = try SecretVersions(workspace: workspace, key: key, git: git)
        let commit = try versions.history.resolveCommit(revision)
        let files = try versions.read([commit])
        let secret: SealedSecret
        switch versions.secret(at: commit, in: files) {
        case .absent:
            throw SecretHistoryError.absent(key: key, revision: revision, commit: commit, workspace: workspace.id)
        case .unreadable(let error):
            throw error
        case .present(let found):
            secret = found
        }
        let file = versions.label(commit, versions.sealedPath)
        guard let config = try versions.config(at: commit, in: files) else {
            throw StoreError.malformed(file: versions.label(commit, SecretVersions.configPath), line: nil, column: nil,
                                       problem: "missing at this commit, so the secret's writers cannot be known")
        }
        try WriterSignatures(config).verify(secret, file: file)
        return try SecretSealer(workspaceID: workspace.id).open(secret, identities: identities, file: file,
                                                               names: { config.name(of: $0) })
    }
}
