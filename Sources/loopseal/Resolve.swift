import ArgumentParser
import Foundation
import LoopsealGit
import LoopsealKit
import LoopsealStore

struct Resolve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Settle a sealed file left in merge conflict: keep our side, their side, or choose in your editor.",
        discussion: """
            'loopseal keys' marks such a file 'conflict'. The side kept is re-sealed to workspace.yaml's \
            recipients when your identity opens it (signed when the workspace lists writers). --edit opens \
            both values in your editor (in a private file, removed after, as 'loopseal edit' does) and seals \
            the one you keep. When git lists the file as unmerged it is staged, so 'git commit' finishes the \
            merge. Values are never printed.
            """)
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var identities: IdentityOptions
    @OptionGroup var signing: SigningOptions
    @Argument(help: "The secret in conflict.") var key: String
    @Flag(exclusivity: .exclusive, help: "How to settle it.") var side: ConflictSideFlag

    func run() throws {
        let service = try workspace.service(signingKeys: signing.loader)
        let found = try side == .edit ? identities.load() : identities.loadIfAny()
        let report = try ConflictResolution.resolve(key: key, service: service, identities: found, git: GitRunner()) { sides in
            guard side == .edit else { return side == .ours ? .ours : .theirs }
            let session = EditSession(editor: EditorCommand(environment: ProcessInfo.processInfo.environment))
            return .value(try ConflictEdit.value(key: key, sides: sides, service: service, identities: found,
                                                 session: session, reopen: Edit.offerReopen))
        }
        Self.render(report, key: key, side: side)
    }

    static func render(_ report: ConflictResolution.Report, key: String, side: ConflictSideFlag) {
        let kept = side == .edit ? "the value from your editor" : side.rawValue
        Terminal.warn("resolved \(key): kept \(kept)" + (report.staged ? "; staged: 'git commit' finishes the merge" : ""))
        if let reason = report.resolved.notResealed {
            Terminal.warn("warning: \(report.resolved.file) is sealed to other recipients than workspace.yaml lists (\(reason)): a recipient who can open it should run 'loopseal rekey'")
        }
    }
}

/// `--ours` / `--theirs` / `--edit` for `resolve`.
enum ConflictSideFlag: String, EnumerableFlag {
    case ours, theirs, edit

    static func help(for value: ConflictSideFlag) -> ArgumentHelp? {
        switch value {
        case .ours: "Keep our side (HEAD's in a merge)."
        case .theirs: "Keep their side (the branch merged in)."
        case .edit: "Open both values in your editor and keep the one you leave."
        }
    }
}
