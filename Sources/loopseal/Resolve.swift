import ArgumentParser
import LoopsealGit
import LoopsealKit
import LoopsealStore

struct Resolve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Settle a sealed file left in merge conflict: keep our side, their side, or edit the values.",
        discussion: """
            'loopseal keys' marks such a file 'conflict'. The side kept is re-sealed to workspace.yaml's \
            recipients when your identity opens it (signed when the workspace lists writers); --edit opens \
            both values in your editor and seals the one you keep. When git lists the file as unmerged it \
            is staged, so 'git commit' finishes the merge. Values are never printed.
            """)
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var identities: IdentityOptions
    @OptionGroup var signing: SigningOptions
    @Argument(help: "The secret in conflict.") var key: String
    @Flag(exclusivity: .exclusive, help: "Which side to keep.") var side: ConflictSideFlag

    func run() throws {
        let service = try workspace.service(signingKeys: signing.loader)
        let report = try ConflictResolution.resolve(key: key, choice: side.choice, service: service,
                                                    identities: try identities.loadIfAny(), git: GitRunner())
        Terminal.warn("resolved \(key): kept \(side.rawValue)\(report.resolved.resealed ? ", sealed to workspace.yaml's recipients" : "")"
                      + (report.staged ? "; staged: 'git commit' finishes the merge" : ""))
        if report.resolved.stale {
            Terminal.warn("warning: \(report.resolved.file) is sealed to other recipients than workspace.yaml lists (no identity of yours opens it): a recipient should run 'loopseal rekey'")
        }
    }
}

/// `--ours` / `--theirs` for `resolve`.
enum ConflictSideFlag: String, EnumerableFlag {
    case ours, theirs

    var choice: ConflictChoice { self == .ours ? .ours : .theirs }

    static func help(for value: ConflictSideFlag) -> ArgumentHelp? {
        value == .ours ? "Keep our side (HEAD's in a merge)." : "Keep their side (the branch merged in)."
    }
}
