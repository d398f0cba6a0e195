import ArgumentParser
import Foundation
import LoopsealCrypto
import LoopsealKit
import LoopsealStore

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a workspace: workspaces/<id>/workspace.yaml and secrets/.")

    @Argument(help: "Workspace id: [a-z0-9][a-z0-9_-]{0,62}.")
    var id: String

    @Option(name: .customLong("recipient"), help: "NAME=age1… of someone who can decrypt. Repeatable; at least one.")
    var recipients: [String] = []

    @Option(help: "Directory to hold workspaces/ (default: the nearest parent that has one, else the current directory).")
    var root: String?

    func validate() throws {
        guard !recipients.isEmpty else {
            throw ValidationError("give at least one --recipient NAME=age1… (make a key with 'loopseal keygen')")
        }
    }

    func run() throws {
        let parsed = try recipients.map(Self.parseRecipient)
        for (index, recipient) in parsed.enumerated() {
            if parsed[..<index].contains(where: { $0.name == recipient.name || $0.publicKey == recipient.publicKey }) {
                throw StoreError.duplicateRecipient(name: recipient.name)
            }
        }
        let rootPath = try root ?? (try? Workspace.findRoot(from: FileManager.default.currentDirectoryPath)) ?? FileManager.default.currentDirectoryPath
        let workspace = try Workspace.create(root: rootPath, id: id, recipients: parsed)
        Terminal.print("created \(workspace.directory) with \(parsed.count) recipient\(parsed.count == 1 ? "" : "s")\n")
    }

    static func parseRecipient(_ text: String) throws -> Recipient {
        guard let equals = text.firstIndex(of: "=") else {
            throw ValidationError("--recipient takes NAME=age1…, got '\(text.prefix(40))'")
        }
        return try RecipientChanges.newRecipient(name: String(text[..<equals]), publicKey: String(text[text.index(after: equals)...]))
    }
}
