import ArgumentParser
import LoopsealCrypto
import LoopsealStore

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check that every sealed file parses, has its own id, is sealed to the listed recipients, is signed by a listed writer (when workspace.yaml lists writers), and opens.",
        discussion: "Values are opened only when an identity is found; signatures are checked without one. Nothing is printed but problems and a summary.")
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var identities: IdentityOptions

    func run() throws {
        let service = try workspace.service()
        let config = try service.workspace.loadConfig()
        let wanted = Set(config.publicKeys.map(\.description))
        let scan = try service.scanAll()
        var problems = scan.problems.map { "\($0.error)" }
        let secrets = scan.secrets
        for duplicate in scan.duplicateIDs {
            problems.append("\(StoreError.duplicateID(id: duplicate.id, files: try duplicate.keys.map { try service.workspace.secretPath(for: $0) }))")
        }
        let signatures = WriterSignatures(config)
        var refused: Set<String> = []
        for secret in secrets {
            do {
                try signatures.verify(secret, file: try service.workspace.secretPath(for: secret.key))
            } catch {
                problems.append("\(error)")
                refused.insert(secret.key)
            }
        }
        for secret in secrets where secret.hasValue && Set(secret.recipients.keys) != wanted {
            problems.append("\(try service.workspace.secretPath(for: secret.key)): sealed to other recipients than workspace.yaml lists: run 'loopseal rekey'")
        }
        var opened = 0
        let found = try? identities.load()
        if let found {
            let sealer = SecretSealer(workspaceID: service.workspace.id)
            for secret in secrets where secret.hasValue && !refused.contains(secret.key) {
                do {
                    _ = try sealer.open(secret, identities: found, file: try service.workspace.secretPath(for: secret.key),
                                        names: { config.name(of: $0) })
                    opened += 1
                } catch {
                    problems.append("\(error)")
                }
            }
        } else if !identities.identity.isEmpty {
            _ = try identities.load()
        }
        for problem in problems { Terminal.warn("loopseal: problem: \(problem)") }
        let valued = secrets.filter(\.hasValue).count
        let summary = "\(secrets.count) secret\(secrets.count == 1 ? "" : "s") (\(valued) with a value)"
        guard problems.isEmpty else {
            throw CLIError("\(problems.count) problem\(problems.count == 1 ? "" : "s") in workspace '\(service.workspace.id)', \(summary)")
        }
        let signed = signatures.required ? ", signed by listed writers" : ""
        Terminal.print(found == nil
            ? "ok: \(summary) parse and are sealed to the listed recipients\(signed); values not opened (no identity)\n"
            : "ok: \(summary)\(signed); all \(opened) values open\n")
    }
}
