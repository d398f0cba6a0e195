import ArgumentParser
import Foundation
import LoopsealCrypto
import LoopsealStore

struct Keygen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Make a new identity (an age X25519 key pair), or with --signing a writer's signing key.",
        discussion: "With -o, writes the key file (mode 0600) and prints the public key. Without it, prints the key file, like age-keygen. A signing key (Ed25519, LOOPSEAL-SIGNING-KEY-1…) is looked for in ~/.config/loopseal/signing.key by default; list its loopsealsign1… public key with 'loopseal writers add'.")

    @Option(name: .shortAndLong, help: "Write the key to FILE (refuses to overwrite).")
    var output: String?

    @Flag(help: "Make an Ed25519 signing key for signing sealed files instead of an identity.")
    var signing = false

    func run() throws {
        let created = ISO8601DateFormatter().string(from: Date())
        let publicKey: String
        let text: String
        if signing {
            let key = try SigningKey.generate()
            publicKey = key.publicKey.description
            text = "# created: \(created)\n# public key: \(publicKey)\n\(key.encodedSecretKey())\n"
        } else {
            let identity = try Identity.generate()
            publicKey = identity.publicKey.description
            text = "# created: \(created)\n# public key: \(publicKey)\n\(identity.encodedSecretKey())\n"
        }
        guard let output else {
            Terminal.print(text)
            return
        }
        guard !FileIO.exists(output) else {
            throw CLIError("\(output) already exists: choose another file or remove it first")
        }
        let directory = FileIO.parentDirectory(output)
        if !directory.isEmpty && !FileIO.isDirectory(directory) { try FileIO.makeDirectory(directory, mode: 0o700) }
        try FileIO.writeAtomically(Array(text.utf8), to: output, mode: 0o600)
        Terminal.print("\(publicKey)\n")
    }
}
