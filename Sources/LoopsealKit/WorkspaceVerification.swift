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
    /// Values opened, or nil when no identity was found (values were not opened).
    public var opened: Int?
}

/// Checks that every sealed file parses, has its own id, is signed by a listed writer (when
/// `workspace.yaml` lists writers), is sealed to exactly the listed recipients and, when an
/// identity is found, opens. Never returns or prints a value.
public enum WorkspaceVerification {
    /// Verifies `service`'s workspace. Identities come from `identities`; when none is found
    /// values are not opened, unless identity files were named (then their error is thrown).
    public static func run(_ service: SecretService, identities: IdentityLoader) throws -> VerificationReport {
        let workspace = service.workspace
        let config = try workspace.loadConfig()
        let wanted = Set(config.publicKeys.map(\.description))
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
        for secret in scan.secrets where secret.hasValue && Set(secret.recipients.keys) != wanted {
            problems.append("\(try workspace.secretPath(for: secret.key)): sealed to other recipients than workspace.yaml lists: run 'loopseal rekey'")
        }
        var opened: Int?
        if let found = try? identities.load() {
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
        } else if !identities.files.isEmpty {
            _ = try identities.load()
        }
        return VerificationReport(workspaceID: workspace.id, problems: problems, secrets: scan.secrets.count,
                                  withValue: scan.secrets.filter(\.hasValue).count,
                                  signaturesRequired: signatures.required, opened: opened)
    }
}
