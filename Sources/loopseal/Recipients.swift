import ArgumentParser
import Foundation
import LoopsealKit
import LoopsealStore

struct Recipients: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recipients",
        abstract: "List, add or remove the people and machines that can decrypt.",
        subcommands: [List.self, Add.self, Remove.self],
        defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List recipients.")
        @OptionGroup var workspace: WorkspaceOptions
        @Flag(help: "Print JSON: [{\"name\", \"publicKey\"}].")
        var json = false

        func run() throws {
            let config = try workspace.resolve().loadConfig()
            try NamedKeyList.print(config.recipients.map { ($0.name, $0.publicKey.description) }, json: json)
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Add a recipient and re-seal every secret so they can read it.")
        @OptionGroup var workspace: WorkspaceOptions
        @OptionGroup var identities: IdentityOptions
        @OptionGroup var signing: SigningOptions
        @Argument(help: "Name for the recipient.") var name: String
        @Argument(help: "Their age1… public key.") var publicKey: String
        @Flag(help: "Only edit workspace.yaml; run 'loopseal rekey' later.") var noRekey = false

        func run() throws {
            let recipient = try RecipientChanges.newRecipient(name: name, publicKey: publicKey)
            let change = try RecipientChanges.add(
                recipient, to: try workspace.service(signingKeys: signing.loader),
                identities: noRekey ? [] : try identities.load(), rekey: !noRekey, progress: Rekey.progress)
            Terminal.warn("added recipient \(name)" + (noRekey ? "; run 'loopseal rekey' so they can read" : ", re-sealed \(change.rewritten) secret\(change.rewritten == 1 ? "" : "s")"))
            ConfigSigningReport.show(change.configSigning)
            Recipients.reportExposed(change.exposed, by: "keys no longer listed")
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rm",
            abstract: "Remove a recipient and re-seal every secret without them.",
            discussion: "They may have copied values they could read: rotate those secrets.")
        @OptionGroup var workspace: WorkspaceOptions
        @OptionGroup var identities: IdentityOptions
        @OptionGroup var signing: SigningOptions
        @Argument(help: "Name of the recipient to remove.") var name: String
        @Flag(help: "Only edit workspace.yaml; run 'loopseal rekey' later.") var noRekey = false

        func run() throws {
            let change = try RecipientChanges.remove(
                name: name, from: try workspace.service(signingKeys: signing.loader),
                identities: noRekey ? [] : try identities.load(), rekey: !noRekey,
                removedBy: ProcessInfo.processInfo.environment["USER"] ?? "unknown", progress: Rekey.progress)
            Terminal.warn("removed recipient \(name)" + (noRekey ? "; run 'loopseal rekey' to re-seal without them" : ", re-sealed \(change.rewritten) secret\(change.rewritten == 1 ? "" : "s")"))
            ConfigSigningReport.show(change.configSigning)
            Recipients.reportExposed(change.exposed, by: name)
        }
    }

    /// Names on stdout, one per line, every secret that `who` could read: rotate them.
    static func reportExposed(_ exposed: [String], by who: String) {
        guard !exposed.isEmpty else { return }
        Terminal.warn("\(who) could read \(exposed.count) secret\(exposed.count == 1 ? "" : "s") and may have copied them; rotate each with 'loopseal rotate KEY':")
        if who != "keys no longer listed" {
            Terminal.warn("recorded in exposure.yaml (commit it): 'loopseal exposure \(who)' lists what is still exposed, 'loopseal rotate --exposed-to \(who)' rotates them")
        }
        Terminal.print(exposed.map { $0 + "\n" }.joined())
    }
}

/// `recipients list` and `writers list`: `NAME  KEY` lines padded to the longest name, or
/// JSON `[{"name", "publicKey"}]`.
enum NamedKeyList {
    static func print(_ items: [(name: String, key: String)], json: Bool) throws {
        if json {
            Terminal.print(try JSON.encode(items.map { ["name": $0.name, "publicKey": $0.key] }) + "\n")
            return
        }
        let width = items.map(\.name.count).max() ?? 0
        for item in items {
            Terminal.print(item.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  \(item.key)\n")
        }
    }
}

/// Minimal JSON output for the CLI's `--json` flags.
enum JSON {
    static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
