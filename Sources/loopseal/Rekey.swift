import ArgumentParser
import LoopsealCrypto
import LoopsealStore

struct Rekey: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rekey",
        abstract: "Re-seal every secret's data key to the recipients in workspace.yaml.",
        discussion: "Values are not re-encrypted; files already sealed to the right recipients are left untouched. When workspace.yaml lists writers, each file's signature is checked first and the re-sealed file is signed with your signing key.")
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var identities: IdentityOptions
    @OptionGroup var signing: SigningOptions

    func run() throws {
        try Self.run(try workspace.service(signingKeys: signing.loader), identities: try identities.load())
    }

    /// Rekeys with progress on a terminal when there are many files.
    static func run(_ service: SecretService, identities: [Identity]) throws {
        let result = try service.rekey(identities: identities, progress: progress)
        Terminal.warn("rekeyed \(result.rewritten) secret\(result.rewritten == 1 ? "" : "s"), \(result.unchanged) already up to date")
    }

    /// A `rekeying done/total` line on a terminal when many files are written.
    static func progress(_ done: Int, _ total: Int) {
        guard Terminal.stderrIsTerminal, total >= 50, done % 25 == 0 || done == total else { return }
        Terminal.warnInline("\rrekeying \(done)/\(total)")
        if done == total { Terminal.warnInline("\n") }
    }
}
