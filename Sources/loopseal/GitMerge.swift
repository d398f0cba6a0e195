import ArgumentParser
import Foundation
import LoopsealDiagnostics
import LoopsealGit
import LoopsealKit
import LoopsealStore

struct GitMerge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "The merge driver for sealed files (git runs it as merge.loopseal.driver).",
        discussion: """
            Merges what the files mean: a side that only re-sealed a value (a rekey) yields to a side that \
            changed it, and equal values (when an identity opens both) merge cleanly; the result is sealed \
            to the merged workspace.yaml's recipients where it can be. Two different values are a conflict \
            that keeps both sealed files: 'loopseal resolve KEY' settles it. Never writes plaintext. Exit 1 \
            on a conflict.
            """)
    @Argument(help: "The common ancestor's version (%O).") var base: String
    @Argument(help: "Our version (%A); the result is written here.") var ours: String
    @Argument(help: "Their version (%B).") var theirs: String
    @Argument(help: "The file's path in the repository (%P).") var path: String

    func run() throws {
        let root = FileManager.default.currentDirectoryPath
        let shown = UntrustedText.display(path, limit: 200)
        let outcome = try SealedMergeDriver.run(
            base: base, ours: ours, theirs: theirs, path: path, root: root, identities: try IdentityLoader().loadIfAny(),
            signingKeys: SigningKeyLoader(), environment: ProcessInfo.processInfo.environment, git: GitRunner(directory: root))
        switch outcome {
        case .merged(_, let note):
            Terminal.warn("loopseal merge: \(shown): merged (\(note))")
        case .conflict(_, let reason):
            let key = SealedSecret.key(ofFile: path) ?? "KEY"
            Terminal.warn("loopseal merge: \(shown): conflict (\(reason)); both sealed versions are kept: run 'loopseal resolve \(key) --ours|--theirs|--edit'")
            throw ExitCode.failure
        }
    }
}
