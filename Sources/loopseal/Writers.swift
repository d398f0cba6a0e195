import ArgumentParser
import Foundation
import LoopsealKit
import LoopsealStore

struct Writers: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "writers",
        abstract: "List, add or remove the people and machines whose signatures readers accept; sign workspace.yaml and files.",
        discussion: "Once workspace.yaml lists writers, every write is signed and get, export, exec, sync and verify refuse files without a valid signature by a listed writer. Make a signing key with 'loopseal keygen --signing'.",
        subcommands: [List.self, Add.self, Remove.self, Sign.self],
        defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List writers.")
        @OptionGroup var workspace: WorkspaceOptions
        @Flag(help: "Print JSON: [{\"name\", \"publicKey\"}].")
        var json = false

        func run() throws {
            let config = try workspace.resolve().loadConfig()
            if !json && config.writers.isEmpty { Terminal.warn("no writers: files are not signed") }
            try NamedKeyList.print(config.writers.map { ($0.name, $0.publicKey.description) }, json: json)
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Add a writer to workspace.yaml.",
            discussion: "The first writer turns signatures on: files written before are then refused until a writer checks them and runs 'loopseal writers sign'.")
        @OptionGroup var workspace: WorkspaceOptions
        @OptionGroup var signing: SigningOptions
        @Argument(help: "Name for the writer.") var name: String
        @Argument(help: "Their loopsealsign1… public key (from 'loopseal keygen --signing').") var publicKey: String

        func run() throws {
            let writer = try WriterChanges.newWriter(name: name, publicKey: publicKey)
            let change = try WriterChanges.add(writer, to: try workspace.resolve(), signingKeys: signing.loader)
            Terminal.warn("added writer \(name)")
            ConfigSigningReport.show(change.configSigning)
            Writers.reportRefused(change.refused)
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rm",
            abstract: "Remove a writer from workspace.yaml.",
            discussion: "Files they signed are refused from then on: a remaining writer re-sets them, or checks them and runs 'loopseal writers sign'. To stop requiring signatures, delete 'writers:' from workspace.yaml.")
        @OptionGroup var workspace: WorkspaceOptions
        @OptionGroup var signing: SigningOptions
        @Argument(help: "Name of the writer to remove.") var name: String

        func run() throws {
            let change = try WriterChanges.remove(name: name, from: try workspace.resolve(), signingKeys: signing.loader)
            Terminal.warn("removed writer \(name)")
            ConfigSigningReport.show(change.configSigning)
            Writers.reportRefused(change.refused)
        }
    }

    struct Sign: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sign",
            abstract: "Sign workspace.yaml and sealed files with your signing key, vouching for their content.",
            discussion: "Without KEYs, signs workspace.yaml (targets, recipients and writers: hosts that pin writers with --trust accept no other) and every sealed file that lacks a valid writer signature (after turning signatures on, or after removing a writer). Check them first: 'git log -p' shows who changed what. With KEYs, signs only those sealed files. Values are not decrypted.")
        @OptionGroup var workspace: WorkspaceOptions
        @OptionGroup var signing: SigningOptions
        @Argument(help: "Secrets to sign (default: workspace.yaml and every file readers would refuse).") var keys: [String] = []

        func run() throws {
            let service = try workspace.service(signingKeys: signing.loader)
            if keys.isEmpty { ConfigSigningReport.show(try WriterChanges.signConfig(of: service.workspace, signingKeys: signing.loader)) }
            let signed = try service.sign(keys: keys.isEmpty ? nil : keys)
            Terminal.warn("signed \(signed.count) file\(signed.count == 1 ? "" : "s")")
            Terminal.print(signed.map { $0 + "\n" }.joined())
        }
    }

    /// Names the files readers now refuse, and what to do about them.
    static func reportRefused(_ keys: [String]) {
        guard !keys.isEmpty else { return }
        let one = keys.count == 1
        Terminal.warn("\(keys.count) file\(one ? " is" : "s are") not signed by a listed writer and will be refused; check \(one ? "it" : "them"), then run 'loopseal writers sign':")
        Terminal.print(keys.map { $0 + "\n" }.joined())
    }
}
