import Foundation
import LoopsealCrypto
import LoopsealGit
import LoopsealStore

/// `loopseal git merge BASE OURS THEIRS PATH`, the merge driver git runs for `*.sealed`
/// (`merge.loopseal.driver`): reads the three versions, works out the merged `workspace.yaml`
/// the result must be sealed to, merges with ``SealedMerge`` and leaves the result in git's
/// "ours" file. Never writes plaintext.
///
/// The merged `workspace.yaml` is the three-way merge (by key) of the recipients and writers of
/// ours (the working tree's, which is `HEAD`'s during a merge), theirs and their merge base,
/// read from git. git names the commit being merged in `GITHEAD_<commit>` for `git merge`;
/// where it does not (rebase, cherry-pick), ours alone is used, so nobody ours does not list is
/// ever added, and `loopseal rekey` finishes the rest.
public enum SealedMergeDriver {
    /// Merges the files at `base`, `ours` and `theirs` (git's `%O %A %B`) for the file `path`
    /// (`%P`, relative to `root`, the top level where git runs drivers). `environment` is the
    /// driver's (for `GITHEAD_*`).
    public static func run(base: String, ours: String, theirs: String, path: String, root: String,
                           identities: [Identity], signingKeys: SigningKeyLoader,
                           environment: [String: String], git: GitRunner) throws -> SealedMerge.Outcome {
        let limit = FileLimits.sealedFile * 2 + 64
        let bytes = try [base, ours, theirs].map { try FileIO.contents($0, limit: limit, kind: "sealed file") }
        let location = WorkspaceLocation(path: path)
        let config = location.flatMap { mergedConfig($0, root: root, environment: environment, git: git) }
        let signingKey = config.flatMap { (try? WriterSignatures($0).signingKey(from: signingKeys)) ?? nil }
        let context = SealedMerge.Context(workspaceID: location?.id, config: config, identities: identities, signingKey: signingKey)
        let outcome = SealedMerge.merge(base: bytes[0], ours: bytes[1], theirs: bytes[2], path: path, context: context)
        switch outcome {
        case .merged(let result, _), .conflict(let result, _):
            try FileIO.writeAtomically(result, to: ours)
        }
        return outcome
    }

    /// `workspaces/<id>/secrets/<KEY>.sealed` (under an optional folder prefix).
    struct WorkspaceLocation {
        var prefix: String
        var id: String

        init?(path: String) {
            let parts = path.split(separator: "/").map(String.init)
            guard parts.count >= 4, parts[parts.count - 4] == "workspaces", parts[parts.count - 2] == "secrets",
                  parts[parts.count - 1].hasSuffix(".sealed"), Names.isValidWorkspaceID(parts[parts.count - 3])
            else { return nil }
            prefix = parts.dropLast(4).map { $0 + "/" }.joined()
            id = parts[parts.count - 3]
        }

        var configPath: String { "\(prefix)workspaces/\(id)/workspace.yaml" }
    }

    /// The merged `workspace.yaml`, or nil when ours cannot be read.
    static func mergedConfig(_ location: WorkspaceLocation, root: String, environment: [String: String],
                             git: GitRunner) -> WorkspaceConfig? {
        let oursPath = "\(root)/\(location.configPath)"
        guard let oursBytes = (try? FileIO.contentsIfExists(oursPath, limit: FileLimits.workspaceConfig, followSymlinks: false, kind: "workspace.yaml")) ?? nil,
              let mine = try? WorkspaceConfig.parse(String(decoding: oursBytes, as: UTF8.self), file: oursPath, expectedID: location.id)
        else { return nil }
        let heads = environment.keys.filter { $0.hasPrefix("GITHEAD_") }.map { String($0.dropFirst(8)) }
        guard heads.count == 1, let commit = heads.first, commit.allSatisfy(\.isHexDigit),
              let other = config(at: commit, location, git: git) else { return mine }
        let forkPoint = (try? git.run(["merge-base", "HEAD", commit]))
            .flatMap { $0.status == 0 ? $0.text : nil }
        let original = forkPoint.flatMap { config(at: $0, location, git: git) }
        return WorkspaceConfig(workspace: location.id,
                               recipients: threeWay(original?.recipients, mine.recipients, other.recipients, by: \.publicKey.description),
                               writers: threeWay(original?.writers, mine.writers, other.writers, by: \.publicKey.description))
    }

    /// `workspace.yaml` as committed at `commit`, or nil.
    static func config(at commit: String, _ location: WorkspaceLocation, git: GitRunner) -> WorkspaceConfig? {
        let spec = "\(commit):\(location.configPath)"
        guard let size = try? git.run(["cat-file", "-s", spec]), size.status == 0,
              let count = Int(size.text), count <= FileLimits.workspaceConfig,
              let blob = try? git.run(["cat-file", "blob", spec]), blob.status == 0 else { return nil }
        return try? WorkspaceConfig.parse(String(decoding: blob.stdout, as: UTF8.self), file: spec, expectedID: location.id)
    }

    /// The three-way merge of two lists by key: kept where both sides agree, otherwise the side
    /// that changed it from `base` wins (without a base, only what both sides have). Ours' order
    /// first, then theirs' additions.
    static func threeWay<Item>(_ base: [Item]?, _ ours: [Item], _ theirs: [Item], by key: (Item) -> String) -> [Item] {
        let inBase = Set((base ?? []).map(key)), inOurs = Set(ours.map(key)), inTheirs = Set(theirs.map(key))
        func keep(_ id: String) -> Bool {
            let mine = inOurs.contains(id), other = inTheirs.contains(id)
            if mine == other { return mine }
            guard base != nil else { return false }
            return mine == inBase.contains(id) ? other : mine
        }
        return ours.filter { keep(key($0)) } + theirs.filter { !inOurs.contains(key($0)) && keep(key($0)) }
    }
}
