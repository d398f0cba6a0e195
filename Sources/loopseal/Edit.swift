import ArgumentParser
import Foundation
import LoopsealKit
import LoopsealStore

struct Edit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edit",
        abstract: "Edit secrets as dotenv text in your editor; only what you change is written.",
        discussion: """
            Opens $LOOPSEAL_EDITOR, $VISUAL or $EDITOR (else vi) on the chosen secrets (all by default) as \
            NAME=value lines, in a private file (mode 0600, on /dev/shm when there is one) that is overwritten \
            and removed afterwards, also when loopseal is interrupted. When the editor exits 0 the text is read as \
            python-dotenv reads it: changed values are sealed again, new lines create secrets, deleted lines \
            delete secrets (confirm on a terminal, or --yes). Unchanged secrets are not touched. A line that does \
            not parse is named; on a terminal you may reopen the editor. An editor that exits non-zero \
            changes nothing. Prints added, changed and removed names, never values.
            """)
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var signing: SigningOptions
    @OptionGroup var identities: IdentityOptions
    @Argument(help: "The secrets to edit (default: every secret).") var keys: [String] = []
    @Flag(help: "Delete the secrets whose lines were deleted without asking (needed when not on a terminal).")
    var yes = false

    func run() throws {
        let edit = SecretEdit(service: try workspace.service(signingKeys: signing.loader), identities: try identities.load())
        let view = try edit.view(keys: keys)
        for skipped in view.skipped { Terminal.warn("not in this edit: \(skipped.key): \(skipped.reason)") }
        let session = EditSession(editor: EditorCommand(environment: ProcessInfo.processInfo.environment))
        let outcome = try edit.run(view, session: session, reopen: Self.offerReopen, confirmRemoval: confirmRemoval)
        Self.render(outcome.changes, written: outcome.result != nil)
    }

    /// `added KEY`, `changed KEY`, `removed KEY` on stdout, or a note that nothing changed.
    static func render(_ changes: SecretEditChanges, written: Bool) {
        guard written else { return Terminal.warn("no changes: nothing was written") }
        let lines = changes.added.map { "added \($0)" } + changes.changed.map { "changed \($0)" } + changes.removed.map { "removed \($0)" }
        Terminal.print(lines.map { $0 + "\n" }.joined())
    }

    /// On a terminal: shows the problem and asks whether to reopen the editor. Elsewhere: no.
    static func offerReopen(_ error: Error) -> Bool {
        guard Terminal.stdinIsTerminal else { return false }
        Terminal.warn("loopseal: error: \(error)")
        return Terminal.choose("[r]eopen the editor / [a]bort (nothing changes)? ", default: "a", from: ["r", "a"]) == "r"
    }

    /// Deletions need --yes, or a yes on the terminal.
    private func confirmRemoval(_ removed: [String]) -> Bool {
        if yes { return true }
        guard Terminal.stdinIsTerminal else { return false }
        return (try? Terminal.confirm("Delete \(removed.joined(separator: ", "))? [y/N] ")) ?? false
    }
}
