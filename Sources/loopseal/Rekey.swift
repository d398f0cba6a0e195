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
    /// Also names, on stdout, every secret that a key no longer listed could read (left by
    /// `recipients rm --no-rekey` or a cut-short change): rotate those.
    static func run(_ service: SecretService, identities: [Identity]) throws {
        let change = try service.changeRecipients(action: "rekey", identities: identities, progress: progress) { _ in }
        Terminal.warn("rekeyed \(change.rewritten) secret\(change.rewritten == 1 ? "" : "s"), \(change.checked - change.rewritten) already up to date")
        Recipients.reportExposed(change.exposed, by: "keys no longer listed")
    }

    /// A `rekeying done/total` line on a terminal when many files are written.
    static func progress(_ done: Int, _ total: Int) {
        guard Terminal.stderrIsTerminal, total >= 50, done % 25 == 0 || done == total else { return }
        Terminal.warnInline("\rrekeying \(done)/\(total)")
        if done == total { Terminal.warnInline("\n") }
    }
}
