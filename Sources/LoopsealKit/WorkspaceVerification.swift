import LoopsealCrypto
import LoopsealStore

/// What `verify` found: every problem, as a person should read it, and the counts.
public struct VerificationReport: Sendable {
    /// The workspace checked.
    public var workspaceID: String
    /// One line per problem: a file that does not parse, a duplicate id, a missing or bad
    /// signature, a file sealed to other recipients, a value that does not open.
    public var problems: [String]
    /// Sealed files that parse.
    public var secrets: Int
    /// Of those, files holding a value.
    public var withValue: Int
    /// True when `workspace.yaml` lists writers (every file must be signed).
    public var signaturesRequired: Bool
    /// Values opened, or nil when none were (no identity found, or not asked to).
    public var opened: Int?
    /// Findings that do not fail verification: a `workspace.yaml` that lists writers but is not
    /// signed by one (hosts that pin writers refuse it).
    public var warnings: [String] = []
    /// The pinned-trust check, when a trust file was given (its refusals are also in `problems`).
    public var trust: TrustReport?
}

/// Checks that every sealed file parses (a merge conflict is a problem), has its own id, is
/// signed by a listed writer (when `workspace.yaml` lists writers), is sealed to exactly the
/// listed recipients and, when an identity is found, opens. Never returns or prints a value.
public enum WorkspaceVerification {
    /// Verifies `service`'s workspace. Identities come from `identities`; when none is found
    /// values are not opened, unless identity files were named (then their error is thrown).
    /// With `identities` nil no identity is looked for at all: every check but opening values,
    /// with public keys only (the gate for pull requests, where CI holds no identity).
    /// With `trust`, `workspace.yaml` must also be signed by a pinned key and every file by a
    /// key both pinned and listed (``PinnedTrust``); each refusal is a problem.
    public static func run(_ service: SecretService, identities: IdentityLoader?, trust: PinnedTrust? = nil) throws -> VerificationReport {
        let workspace = service.workspace
        let config = try workspace.loadConfig()
        let scan = try service.scanAll()
        var problems = scan.problems.map { "\($0.error)" }
        for duplicate in scan.duplicateIDs {
            let files = try duplicate.keys.map { try workspace.secretPath(for: $0) }
            problems.append("\(StoreError.duplicateID(id: duplicate.id, files: files))")
        }
        let signatures = WriterSignatures(config)
        var refused: Set<String> = []
        for secret in scan.secrets {
            do {
                try signatures.verify(secret, file: try workspace.secretPath(for: secret.key))
            } catch {
                problems.append("\(error)")
                refused.insert(secret.key)
            }
        }
        let sealing = SealedRecipients(listed: config.recipients,
                                       files: try scan.secrets.map { SealedRecipients.File($0, path: try workspace.secretPath(for: $0.key)) })
        let stale = StaleRecipients(sealing)
        problems += stale.files.map(stale.problem(for:))
        var opened: Int?
        if let identities, let found = try found(by: identities) {
            let sealer = SecretSealer(workspaceID: workspace.id)
            opened = 0
            for secret in scan.secrets where secret.hasValue && !refused.contains(secret.key) {
                do {
                    _ = try sealer.open(secret, identities: found, file: try workspace.secretPath(for: secret.key),
                                        names: { config.name(of: $0) })
                    opened? += 1
                } catch {
                    problems.append("\(error)")
                }
            }
        }
        var report = VerificationReport(workspaceID: workspace.id, problems: problems, secrets: scan.secrets.count,
                                        withValue: scan.secrets.filter(\.hasValue).count,
                                        signaturesRequired: signatures.required, opened: opened)
        if let trust {
            let reported = Set(scan.problems.map(\.file) + (try refused.map { try workspace.secretPath(for: $0) }))
            let checked = trust.verify(workspace)
            report.problems += checked.refusals.filter { !reported.contains($0.file) }.map(\.description)
            report.trust = checked
        } else if signatures.required, let warning = configWarning(config, file: workspace.configPath) {
            report.warnings.append(warning)
        }
        return report
    }

    /// Why `config` (listing writers) is not signed by one of them, or nil when it is.
    private static func configWarning(_ config: WorkspaceConfig, file: String) -> String? {
        let why: String
        switch WorkspaceSignature.status(of: config) {
        case .valid(let key):
            guard !config.writers.contains(where: { $0.publicKey == key }) else { return nil }
            why = "it is signed by \(key), which it does not list as a writer"
        case .mismatch(let key):
            let name = config.writers.first { $0.publicKey == key }?.name ?? key.description
            why = "the signature by \(name) does not match its content (changed after signing)"
        case .unsigned:
            why = "it is not signed"
        }
        return "\(file): \(why); hosts that pin writers (--trust) refuse it: check it and run 'loopseal writers sign'"
    }

    /// The identities `loader` finds; nil when none is found and no file was named (a named
    /// file that does not load is an error).
    private static func found(by loader: IdentityLoader) throws -> [Identity]? {
        if let found = try? loader.load() { return found }
        guard loader.files.isEmpty else { return try loader.load() }
        return nil
    }
}
