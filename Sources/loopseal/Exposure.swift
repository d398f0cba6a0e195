import ArgumentParser
import Foundation
import LoopsealKit

struct Exposure: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exposure",
        abstract: "List the secrets a removed recipient could read whose value has not changed since.",
        discussion: """
            'recipients rm NAME' records in workspaces/<id>/exposure.yaml (commit it) which secrets NAME \
            could read. A secret stays exposed until its value changes: a rekey, or a rotation to the \
            same value, does not clear it. Telling a re-sealed value from a new one needs an identity; \
            without one such a secret is listed as unverified. The ledger and this list never hold a \
            value. 'loopseal rotate --exposed-to NAME' rotates them all in one run.
            """)
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var identities: IdentityOptions
    @Argument(help: "Only this removed recipient.") var name: String?
    @Flag(help: "Print JSON: [{\"recipient\", \"publicKey\", \"key\", \"removedAt\", \"removedBy\", \"verified\"}].")
    var json = false

    func run() throws {
        let exposed = try SecretExposure.list(service: try workspace.service(), identities: try identities.loadIfAny(), recipient: name)
        if json { return Terminal.print(try JSON.encode(exposed) + "\n") }
        for item in exposed {
            Terminal.print("\(item.recipient)  \(item.key)  removed \(item.removedAt) by \(item.removedBy)\(item.verified ? "" : "  (re-sealed; unverified without an identity)")\n")
        }
        if exposed.isEmpty { Terminal.warn("nothing exposed" + (name.map { " to \($0)" } ?? "")) }
    }
}
