import LoopsealCrypto
import LoopsealStore

/// Trust anchored outside the repository (`--trust FILE`): the writer keys a following host
/// accepts, whatever a commit's `workspace.yaml` says. Under pinned trust, `workspace.yaml`
/// must carry a valid signature by a pinned key (a writer the file merely lists is not enough,
/// so a commit cannot add its own writer and sign with it), and every sealed file a valid
/// signature by a key that is both pinned and listed under `writers:`.
///
/// Checking only reads: it works on any directory holding `workspaces/` (a checkout, or a
/// commit exported to a temporary folder), writes nothing, takes no lock and decrypts nothing.
public struct PinnedTrust: Sendable {
    /// The pinned writer keys, in file order, without repeats.
    public let keys: [SigningPublicKey]
    /// Where they came from, for messages.
    public let source: String

    /// Trusts `keys`; `source` names them in messages.
    public init(keys: [SigningPublicKey], source: String) {
        var unique: [SigningPublicKey] = []
        for key in keys where !unique.contains(key) { unique.append(key) }
        self.keys = unique
        self.source = source
    }

    /// Reads the trust file at `path`: one `loopsealsign1…` key per line, optionally followed
    /// by a `# comment`; lines that are empty or start with `#` are ignored. Anything else is
    /// a ``TrustError/invalidTrustFile(file:line:problem:)`` naming the line (never its text).
    public init(pinnedFile path: String) throws {
        let bytes: [UInt8]?
        do {
            bytes = try FileIO.contentsIfExists(path, limit: FileLimits.keyFile, kind: "trust file")
        } catch {
            throw TrustError.invalidTrustFile(file: path, line: nil, problem: "cannot read the trust file (\(error))")
        }
        guard let bytes else { throw TrustError.invalidTrustFile(file: path, line: nil, problem: "no such trust file") }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw TrustError.invalidTrustFile(file: path, line: nil, problem: "not UTF-8 text")
        }
        self = try Self.parse(text, source: path)
    }

    /// Parses trust file text (see ``init(pinnedFile:)``); `source` names it in errors.
    public static func parse(_ text: String, source: String) throws -> PinnedTrust {
        var keys: [SigningPublicKey] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(rawLine).trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            let words = line.split(whereSeparator: \.isWhitespace)
            guard words.count == 1 || words[1].hasPrefix("#") else {
                throw TrustError.invalidTrustFile(file: source, line: index + 1, problem: "expected one loopsealsign1… key per line (a comment after it starts with '#')")
            }
            keys.append(try key(String(words[0]), source: source, line: index + 1))
        }
        guard !keys.isEmpty else {
            throw TrustError.invalidTrustFile(file: source, line: nil, problem: "pins no writer: add the loopsealsign1… public keys of the writers this host trusts, one per line")
        }
        return PinnedTrust(keys: keys, source: source)
    }

    private static func key(_ word: String, source: String, line: Int) throws -> SigningPublicKey {
        let upper = word.uppercased()
        if upper.hasPrefix("LOOPSEAL-SIGNING-KEY-1") || upper.hasPrefix("AGE-SECRET-KEY-1") {
            throw TrustError.invalidTrustFile(file: source, line: line, problem: "holds a secret key, not a public key: pin writers' loopsealsign1… public keys only, remove this line and treat that key as exposed")
        }
        do {
            return try SigningPublicKey(string: word)
        } catch {
            throw TrustError.invalidTrustFile(file: source, line: line, problem: "not a loopsealsign1… writer public key ('loopseal writers list' shows them)")
        }
    }

    /// Checks every workspace under `root`; throws ``TrustError/refused(root:refusals:)`` unless
    /// all is trusted (no workspace at all is refused too). The check a following host runs on
    /// a fetched commit before applying anything.
    @discardableResult
    public func check(root: String) throws -> TrustReport {
        let report = verify(root: root)
        guard report.isTrusted else { throw TrustError.refused(root: root, refusals: report.refusals) }
        return report
    }

    /// Checks every workspace under `root` (`workspaces/<id>/`), reporting every refusal.
    public func verify(root: String) -> TrustReport {
        let ids = Workspace.list(root: root)
        guard !ids.isEmpty else {
            let problem = "\(root)/workspaces: no workspace to trust (is this the repository root?)"
            return TrustReport(refusals: [TrustRefusal(file: "\(root)/workspaces", reason: .unreadable(problem: problem), trustFile: source)])
        }
        var report = TrustReport()
        for id in ids {
            do {
                let part = verify(try Workspace(root: root, id: id))
                report.workspaces += part.workspaces
                report.refusals += part.refusals
            } catch {
                report.refusals.append(TrustRefusal(file: "\(root)/workspaces/\(id)", reason: .unreadable(problem: "\(error)"), trustFile: source))
            }
        }
        return report
    }

    /// Checks one workspace: its `workspace.yaml`, then every sealed file.
    public func verify(_ workspace: Workspace) -> TrustReport {
        let config: WorkspaceConfig
        do {
            config = try workspace.loadConfig()
        } catch {
            return TrustReport(refusals: [refusal(workspace.configPath, .unreadable(problem: "\(error)"), nil)])
        }
        var refusals: [TrustRefusal] = []
        let configReason = reason(config)
        if let configReason { refusals.append(refusal(workspace.configPath, configReason, config)) }
        let signer = configReason == nil ? config.signature?.writer : nil
        let scan: SecretScan
        do {
            scan = try SecretService(workspace: workspace).scanAll()
        } catch {
            refusals.append(refusal(workspace.secretsDirectory, .unreadable(problem: "\(error)"), config))
            return TrustReport(workspaces: [.init(id: workspace.id, configSigner: signer, files: 0)], refusals: refusals)
        }
        refusals += scan.problems.map { refusal($0.file, .unreadable(problem: "\($0.error)"), config) }
        for secret in scan.secrets {
            let path = (try? workspace.secretPath(for: secret.key)) ?? "\(workspace.secretsDirectory)/\(secret.key).sealed"
            if let reason = reason(secret, in: config) { refusals.append(refusal(path, reason, config)) }
        }
        let checked = TrustReport.Checked(id: workspace.id, configSigner: signer, files: scan.secrets.count + scan.problems.count)
        return TrustReport(workspaces: [checked], refusals: refusals)
    }

    /// Why `config` is refused, or nil: it must carry a matching signature by a pinned key.
    private func reason(_ config: WorkspaceConfig) -> TrustRefusal.Reason? {
        switch WorkspaceSignature.status(of: config) {
        case .unsigned: return .unsigned
        case .valid(let key): return keys.contains(key) ? nil : .unpinned(signer: key)
        case .mismatch(let key): return keys.contains(key) ? .mismatch(signer: key) : .unpinned(signer: key)
        }
    }

    /// Why `secret` is refused, or nil: it must be signed by a key both pinned and listed, and
    /// the signature must match (docs/FORMAT.md §8).
    private func reason(_ secret: SealedSecret, in config: WorkspaceConfig) -> TrustRefusal.Reason? {
        guard let signature = secret.signature else { return .unsigned }
        guard keys.contains(signature.writer) else { return .unpinned(signer: signature.writer) }
        guard config.writers.contains(where: { $0.publicKey == signature.writer }) else { return .unlisted(signer: signature.writer) }
        let message = WriterSignatures.signedBytes(of: secret, workspaceID: config.workspace, writer: signature.writer)
        guard signature.writer.isValidSignature(signature.ed25519, of: message) else { return .mismatch(signer: signature.writer) }
        return nil
    }

    private func refusal(_ file: String, _ reason: TrustRefusal.Reason, _ config: WorkspaceConfig?) -> TrustRefusal {
        let signer: SigningPublicKey?
        switch reason {
        case .unpinned(let key), .unlisted(let key), .mismatch(let key): signer = key
        case .unsigned, .unreadable: signer = nil
        }
        let name = signer.flatMap { key in config?.writers.first { $0.publicKey == key }?.name }
        return TrustRefusal(file: file, reason: reason, trustFile: source, signerName: name)
    }
}
