import Foundation
import LoopsealCrypto
import LoopsealGit
import LoopsealStore

/// `loopseal resolve KEY`: settles a sealed file left in merge conflict (either form, see
/// ``SealedConflict``) and, when git lists the file as unmerged, stages it so `git commit`
/// finishes the merge.
public enum ConflictResolution {
    /// What was done (names only).
    public struct Report: Sendable {
        /// What the store wrote.
        public var resolved: ConflictResolved
        /// True when the file was staged (`git add`), as it was unmerged in the index.
        public var staged: Bool
    }

    /// Resolves `key` with `choice`, then stages the file when git has it unmerged. `git` runs in
    /// the repository (nil: do not touch git).
    public static func resolve(key: String, choice: ConflictChoice, service: SecretService,
                               identities: [Identity], git: GitRunner?) throws -> Report {
        try Names.checkKey(key)
        let resolved = try service.resolveConflict(key: key, choice: choice, identities: identities)
        guard let git else { return Report(resolved: resolved, staged: false) }
        let unmerged = try git.run(["ls-files", "--unmerged", "--", resolved.file])
        guard unmerged.status == 0, !unmerged.stdout.isEmpty else { return Report(resolved: resolved, staged: false) }
        _ = try git.checked(["add", "--", resolved.file])
        return Report(resolved: resolved, staged: true)
    }

    /// The merge driver git runs (`merge.loopseal.driver`): merges the three versions with
    /// ``SealedMerge`` and leaves the result in `ours` (git's `%A` file). `path` is the file's
    /// path in the repository (`%P`), `root` the repository's top level (git runs drivers
    /// there). Returns the outcome; the caller exits 1 on a conflict.
    public static func mergeDriver(base: String, ours: String, theirs: String, path: String, root: String,
                                   identities: [Identity], signingKeys: SigningKeyLoader) throws -> SealedMerge.Outcome {
        let limit = FileLimits.sealedFile * 2 + 64
        let bytes = try [base, ours, theirs].map { try FileIO.contents($0, limit: limit, kind: "sealed file") }
        let components = path.split(separator: "/").map(String.init)
        var workspaceID: String?
        var config: WorkspaceConfig?
        if components.count >= 4, components[components.count - 4] == "workspaces", components[components.count - 2] == "secrets" {
            let prefix = components.dropLast(4).joined(separator: "/")
            let workspaceRoot = prefix.isEmpty ? root : "\(root)/\(prefix)"
            workspaceID = components[components.count - 3]
            config = try? Workspace(root: workspaceRoot, id: components[components.count - 3]).loadConfig()
        }
        let signingKey = config.flatMap { (try? WriterSignatures($0).signingKey(from: signingKeys)) ?? nil }
        let context = SealedMerge.Context(workspaceID: workspaceID, config: config, identities: identities, signingKey: signingKey)
        let outcome = SealedMerge.merge(base: bytes[0], ours: bytes[1], theirs: bytes[2], path: path, context: context)
        switch outcome {
        case .merged(let result, _), .conflict(let result, _):
            try FileIO.writeAtomically(result, to: ours)
        }
        return outcome
    }
}
