import ArgumentParser
import Foundation
import LoopsealCrypto
import LoopsealStore

struct Keygen: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make a new identity (an age X25519 key pair).",
        discussion: "With -o, writes the identity file (mode 0600) and prints the public key. Without it, prints the identity file, like age-keygen.")

    @Option(name: .shortAndLong, help: "Write the identity to FILE (refuses to overwrite).")
    var output: String?

    func run() throws {
        let identity = try Identity.generate()
        let created = ISO8601DateFormatter().string(from: Date())
        let text = "# created: \(created)\n# public key: \(identity.publicKey)\n\(identity.encodedSecretKey())\n"
        guard let output else {
            Terminal.print(text)
            return
        }
        guard !FileIO.exists(output) else {
            throw CLIError("\(output) already exists: choose another file or remove it first")
        }
        try FileIO.writeAtomically(Array(text.utf8), to: output, mode: 0o600)
        Terminal.print("\(identity.publicKey)\n")
    }
}
