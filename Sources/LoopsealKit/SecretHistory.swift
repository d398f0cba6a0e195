import LoopsealCrypto
import LoopsealGit
import LoopsealStore

/// `loopseal log KEY`: the history of one secret from git, newest first. Each commit that
/// changed `secrets/KEY.sealed` is compared with the file at its first parent: created,
/// deleted, declared, re-sealed only (same ciphertext; recipient changes named), or a new
/// ciphertext, which is "value changed" or "re-sealed only" when an identity opens both
/// versions (the values are compared in locked memory and never returned), and "value or
/// sealing changed" otherwise. Merges follow ``GitHistory``: a change made on a merged branch
/// is its branch commit.
///
/// Signers are named from that commit's `workspace.yaml` `writers:`; when it lists writers the
/// signature is checked, and a version that fails (or does not parse) carries its problem.
public enum SecretHistory {
    /// The history of `key` in `workspace`, newest first, at most `limit` commits. `identities`
    /// may be empty (value changes are then "value or sealing changed"). `git` supplies the
    /// environment; it runs in the workspace folder. Throws when the workspace is not in a git
    /// repository; a version that cannot be read is an entry with its problem.
    public static func entries(of key: String, in workspace: Workspace, identities: [Identity], git: GitRunner,
                               limit: Int? = nil) throws -> [SecretHistoryEntry] {
        let versions = try SecretVersions(workspace: workspace, key: key, git: git)
        let commits = try versions.history.commits(touching: versions.sealedPath, limit: limit)
        var hashes = Set<String>()
        var wanted: [String] = []
        for hash in commits.flatMap({ [$0.hash] + $0.parents.prefix(1) }) where hashes.insert(hash).inserted { wanted.append(hash) }
        let files = try versions.read(wanted)
        var comparison = Comparison(versions: versions, identities: identities, current: try? workspace.loadConfig())
        for hash in wanted {
            comparison.secrets[hash] = versions.secret(at: hash, in: files)
            comparison.configs[hash] = Result { try versions.config(at: hash, in: files) }
        }
        return commits.map(comparison.entry)
    }

    /// Compares each commit's version with its first parent's.
    private struct Comparison {
        let versions: SecretVersions
        let identities: [Identity]
        let current: WorkspaceConfig?
        /// The sealed file at each commit read, parsed once.
        var secrets: [String: SecretVersions.Version] = [:]
        /// `workspace.yaml` at each commit read (nil: none), or why it does not parse.
        var configs: [String: Result<WorkspaceConfig?, any Error>] = [:]

        var sealer: SecretSealer { SecretSealer(workspaceID: versions.workspace.id) }

        func entry(_ commit: GitCommit) -> SecretHistoryEntry {
            var entry = SecretHistoryEntry(commit: commit.hash, date: commit.date, author: commit.author, writer: nil, kind: .unreadable)
            let file = versions.label(commit.hash, versions.sealedPath)
            let config = (try? configs[commit.hash]?.get()) ?? nil
            let parentConfig = commit.parents.first.flatMap { (try? configs[$0]?.get()) ?? nil }
            let name = { (key: String) in config?.name(of: key) ?? parentConfig?.name(of: key) ?? current?.name(of: key) ?? SealedRecipients.shortKey(key) }
            let previous = commit.parents.first.flatMap { secrets[$0] } ?? .absent
            switch secrets[commit.hash] ?? .absent {
            case .absent:
                entry.kind = .deleted
            case .unreadable(let error):
                entry.problem = "\(error)"
            case .present(let secret):
                if let signature = secret.signature {
                    let signed = WriterSignatures.signedBytes(of: secret, workspaceID: versions.workspace.id, writer: signature.writer)
                    if signature.writer.isValidSignature(signature.ed25519, of: signed) {
                        entry.writer = config?.writers.first { $0.publicKey == signature.writer }?.name
                            ?? SealedRecipients.shortKey(signature.writer.description) + " (not a listed writer)"
                    } else {
                        entry.problem = "\(file): its signature does not match its content"
                    }
                }
                switch configs[commit.hash] {
                case .failure(let error)?:
                    entry.problem = "\(error): the writer signature was not checked"
                case .success(let config?)?:
                    do { try WriterSignatures(config).verify(secret, file: file) } catch { entry.problem = "\(error)" }
                default:
                    break
                }
                entry.kind = change(from: previous, to: secret, file: file)
                if secret.hasValue, case .present(let before) = previous, before.hasValue {
                    let now = Set(secret.recipients.keys), then = Set(before.recipients.keys)
                    entry.recipientsAdded = now.subtracting(then).map(name).sorted()
                    entry.recipientsRemoved = then.subtracting(now).map(name).sorted()
                }
            }
            return entry
        }

        private func change(from previous: SecretVersions.Version, to secret: SealedSecret, file: String) -> SecretHistoryKind {
            guard let value = secret.value else { return .declared }
            switch previous {
            case .absent: return .created
            case .unreadable: return .valueOrSealingChanged
            case .present(let before):
                guard let old = before.value else { return .valueChanged }
                if old == value { return .resealed }
                guard !identities.isEmpty,
                      let new = try? sealer.open(secret, identities: identities, file: file),
                      let earlier = try? sealer.open(before, identities: identities, file: file) else {
                    return .valueOrSealingChanged
                }
                return new.constantTimeEquals(earlier) ? .resealed : .valueChanged
            }
        }
    }
}
