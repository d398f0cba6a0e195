import ArgumentParser
import LoopsealKit

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
        let key = try GeneratedKey(signing ? .signing : .identity)
        guard let output else { return Terminal.print(key.fileText) }
        try key.write(to: output)
        Terminal.print("\(key.publicKey)\n")
    }
}
