import Foundation
import LoopsealStore
import LoopsealCrypto
import LoopsealValue

/// The text `git diff` shows for a sealed file (`loopseal git textconv`): key, id, workspace,
/// whether it has a value, recipients by name, a fingerprint, and the writer who signed it
/// (the signature itself is not checked here). Never the value, unless
/// `reveal` is set (`loopseal git install --reveal`, for local use).
///
/// The fingerprint: with an identity, the first 8 bytes (hex) of a keyed BLAKE2b of the
/// plaintext (``Identity/keyedHash(purpose:context:message:length:)`` with purpose
/// ``fingerprintPurpose`` and context `<workspace>/<KEY>`). The hash key comes from the viewer's
/// own secret key, so the fingerprint stays the same while the value does (across re-seals and
/// rekeys), differs between secrets holding equal values, and cannot be recomputed by anyone
/// without that identity: a pasted diff is no oracle for guessing short values. Two people see
/// different fingerprints for the same value. Without an identity the fingerprint is a BLAKE2b
/// of the ciphertext, labelled as such: it changes on every write, even of the same value.
public struct SealedTextView: Sendable {
    /// The purpose string the fingerprint's hash key is derived for.
    public static let fingerprintPurpose = "git-fingerprint"

    /// Directory holding `workspaces/`, used to name recipients; nil when unknown.
    public var root: String?
    /// Identities for fingerprints and `reveal`; the first one keys the fingerprint.
    public var identities: [Identity]
    /// Why no identity is available, shown in the fingerprint line.
    public var identityNote: String?
    /// Show the value itself.
    public var reveal: Bool

    /// Creates a view renderer.
    public init(root: String?, identities: [Identity], identityNote: String? = nil, reveal: Bool = false) {
        self.root = root
        self.identities = identities
        self.identityNote = identityNote
        self.reveal = reveal
    }

    /// The view of `bytes`, read from `path` (a repository path, or git's temporary copy).
    /// A file that does not parse yields a one-line error view instead of an error.
    public func render(_ bytes: [UInt8], path: String) -> String {
        let label = path.split(separator: "/").last.map(String.init) ?? path
        let secret: SealedSecret
        do {
            secret = try SealedSecretCodec.decode(bytes, file: label)
        } catch StoreError.malformed(_, let line, let column, let problem) {
            let place = line.map { l in column.map { "line \(l), column \($0)" } ?? "line \(l)" }
            return "loopseal: this sealed file does not parse: \(place.map { "\($0): " } ?? "")\(problem)\n"
        } catch {
            return "loopseal: this sealed file does not parse: \(error)\n"
        }
        var candidates = workspaces(for: path, secret: secret)
        var opened: (workspace: Workspace, config: WorkspaceConfig?, value: SecureBytes)?
        var openProblem: String?
        if secret.hasValue, !identities.isEmpty {
            (opened, openProblem) = open(secret, candidates: candidates)
            if let opened { candidates.insert((opened.workspace, opened.config), at: 0) }
        }
        let chosen = candidates.first
        var out = "loopseal sealed secret\n"
        out += "key: \(secret.key)\n"
        out += "id: \(secret.id)\n"
        out += "workspace: \(chosen.map(\.workspace.id) ?? "unknown (not found under workspaces/)")\n"
        out += "has value: \(secret.hasValue ? "yes" : "no")\n"
        if secret.hasValue {
            out += "recipients:\n"
            for line in recipientLines(secret, config: chosen?.config) { out += "  \(line)\n" }
            out += "fingerprint: \(fingerprint(secret, opened: opened, problem: openProblem))\n"
            if reveal {
                out += "value: \(opened.map { Self.quoted($0.value) } ?? "(not revealed: \(openProblem ?? identityNote ?? "no identity"))")\n"
            }
        }
        for case let (name, value?) in secret.metadata.fields { out += "\(name): \(value)\n" }
        if let signature = secret.signature {
            let name = chosen?.config?.writers.first { $0.publicKey == signature.writer }?.name
            out += "signed by: \(name ?? "unknown (\(PreCommitCheck.short(signature.writer.description)))")\n"
        }
        return out
    }

    private func fingerprint(_ secret: SealedSecret, opened: (workspace: Workspace, config: WorkspaceConfig?, value: SecureBytes)?,
                             problem: String?) -> String {
        if let opened, let identity = identities.first,
           let digest = try? identity.keyedHash(purpose: Self.fingerprintPurpose,
                                                context: Array("\(opened.workspace.id)/\(secret.key)".utf8), message: opened.value) {
            return "\(Hash.hex(Array(digest.prefix(8)))) (keyed BLAKE2b of the value; key from identity \(PreCommitCheck.short(identity.publicKey.description)))"
        }
        let ciphertext = Hash.hex(Array(Hash.blake2b(secret.value ?? [], length: 16).prefix(8)))
        let why = problem ?? identityNote ?? "no identity"
        return "ciphertext \(ciphertext) (BLAKE2b of the ciphertext, changes on every write; \(why))"
    }

    /// Recipient names from `config`, sorted, then unknown keys.
    private func recipientLines(_ secret: SealedSecret, config: WorkspaceConfig?) -> [String] {
        var named: [String] = []
        var unknown: [String] = []
        for key in secret.recipients.keys.sorted() {
            if let name = config?.name(of: key) { named.append(name) } else { unknown.append("unknown (\(PreCommitCheck.short(key)))") }
        }
        return named.sorted() + unknown
    }

    /// Workspaces the file may belong to, best first: the one its path names, else the one
    /// whose `secrets/<KEY>.sealed` has the same id, else one whose recipients match exactly,
    /// then the rest.
    private func workspaces(for path: String, secret: SealedSecret) -> [(workspace: Workspace, config: WorkspaceConfig?)] {
        guard let root else { return [] }
        var all: [(workspace: Workspace, config: WorkspaceConfig?)] = Workspace.list(root: root).compactMap { id in
            guard let workspace = try? Workspace(root: root, id: id) else { return nil }
            return (workspace, try? workspace.loadConfig())
        }
        func score(_ entry: (workspace: Workspace, config: WorkspaceConfig?)) -> Int {
            if let (id, _) = PreCommitCheck.sealedLocation(relative(path)), id == entry.workspace.id { return 3 }
            if let file = try? entry.workspace.secretPath(for: secret.key),
               let bytes = try? FileIO.contentsIfExists(file),
               let onDisk = try? SealedSecretCodec.decode(bytes, file: file), onDisk.id == secret.id { return 2 }
            if let config = entry.config, secret.hasValue,
               Set(config.recipients.map(\.publicKey.description)) == Set(secret.recipients.keys) { return 1 }
            return 0
        }
        let scored = all.map { ($0, score($0)) }
        all = scored.sorted { $0.1 > $1.1 }.map(\.0)
        return all
    }

    private func relative(_ path: String) -> String {
        guard let root, path.hasPrefix(root + "/") else { return path }
        return String(path.dropFirst(root.count + 1))
    }

    /// Opens the value, trying each candidate workspace id (the associated data binds it, so
    /// only the right one authenticates).
    private func open(_ secret: SealedSecret, candidates: [(workspace: Workspace, config: WorkspaceConfig?)])
        -> ((workspace: Workspace, config: WorkspaceConfig?, value: SecureBytes)?, String?) {
        guard let value = secret.value else { return (nil, nil) }
        guard identities.contains(where: { secret.recipients[$0.publicKey.description] != nil }) else {
            return (nil, "your identity is not a recipient")
        }
        guard !candidates.isEmpty else { return (nil, "workspace unknown, so the value cannot be opened") }
        for candidate in candidates {
            let sealer = SecretSealer(workspaceID: candidate.workspace.id)
            do {
                let dataKey = try sealer.openDataKey(of: secret, identities: identities, file: "")
                let plaintext = try sealer.open(value: value, key: secret.key, dataKey: dataKey, file: "")
                return ((candidate.workspace, candidate.config, plaintext), nil)
            } catch {
                continue
            }
        }
        return (nil, "the value does not open in any workspace here")
    }

    /// The value as a JSON string (``JSONString``: control characters, DEL, U+2028 and U+2029
    /// escaped), or `hex:…` when it is not UTF-8.
    static func quoted(_ value: SecureBytes) -> String {
        value.withUnsafeBytes { bytes in
            guard let text = String(validating: bytes, as: UTF8.self) else { return "hex:" + Hash.hex(Array(bytes)) }
            return JSONString.quoted(text)
        }
    }
}
