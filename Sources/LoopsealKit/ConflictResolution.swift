import Foundation
import LoopsealCrypto
import LoopsealGit
import LoopsealStore

/// `loopseal resolve KEY`: settles a sealed file left in merge conflict (either form, see
/// ``SealedConflict``) and, when git lists the file as unmerged, stages it so `git commit`
/// finishes the merge. When git lists it as unmerged, both sides come from git's index (stage
/// 2 is ours, stage 3 theirs), never from the markers, which a side's own lines could imitate;
/// that also covers a file a merge driver that could not run left without markers.
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
    /// `choose` gets both sides and returns the choice (for `--edit`, after the editor).
    public static func resolve(key: String, service: SecretService, identities: [Identity], git: GitRunner?,
                               choose: (SealedConflict) throws -> ConflictChoice) throws -> Report {
        try Names.checkKey(key)
        let path = try service.workspace.secretPath(for: key)
        let stages = try git.flatMap { try unmergedSides(of: path, git: $0) }
        let sides = try stages ?? service.conflict(key: key)
        let resolved = try service.resolveConflict(key: key, choice: try choose(sides), identities: identities, sides: stages)
        guard let git, stages != nil else { return Report(resolved: resolved, staged: false) }
        _ = try git.checked(["add", "--", resolved.file])
        return Report(resolved: resolved, staged: true)
    }

    /// Ours (stage 2) and theirs (stage 3) of `path` when git lists it as unmerged, or nil (also
    /// outside a repository, or without git).
    static func unmergedSides(of path: String, git: GitRunner) throws -> SealedConflict? {
        guard let listing = try? git.run(["ls-files", "-u", "-z", "--", path]),
              listing.status == 0, !listing.stdout.isEmpty else { return nil }
        var blobs: [Int: String] = [:]
        for entry in listing.stdout.split(separator: 0) {
            let fields = String(decoding: entry, as: UTF8.self).split(separator: "\t", maxSplits: 1)[0].split(separator: " ")
            if fields.count == 3, let stage = Int(fields[2]) { blobs[stage] = String(fields[1]) }
        }
        guard let ours = blobs[2], let theirs = blobs[3] else {
            throw StoreError.io(path: path, problem: "git lists it as unmerged but one side deleted it: keep it with 'git add', or drop it with 'git rm'")
        }
        return SealedConflict(ours: try blob(ours, path: path, git: git), theirs: try blob(theirs, path: path, git: git))
    }

    private static func blob(_ id: String, path: String, git: GitRunner) throws -> [UInt8] {
        let size = try git.checked(["cat-file", "-s", id])
        guard let count = Int(size.text), count <= FileLimits.sealedFile else {
            throw StoreError.io(path: path, problem: "a side in git's index is larger than a sealed file can be: resolve it with git")
        }
        return try git.checked(["cat-file", "blob", id]).stdout
    }
}
