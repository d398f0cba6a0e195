import Foundation
import LoopsealCrypto
import LoopsealGit
import LoopsealStore

/// `loopseal git merge BASE OURS THEIRS PATH`, the merge driver git runs for `*.sealed`
/// (`merge.loopseal.driver`): reads the three versions, works out the merged `workspace.yaml`
/// the result must be sealed to, merges with ``SealedMerge`` and leaves the result in git's
/// "ours" file. Never writes plaintext.
///
/// The merged `workspace.yaml` is git's own text merge of ours (the working tree's, which is
/// `HEAD`'s during a merge), theirs and their merge base, read from git: the file the merge
/// will commit. git names the commit being merged in `GITHEAD_<commit>` for `git merge` and
/// `git pull`; where it does not (rebase, cherry-pick), or where `workspace.yaml` itself
/// conflicts, ours alone is used, so nobody ours does not list is ever added or trusted, and
/// `loopseal rekey` finishes the rest.
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

    /// The merged `workspace.yaml`, or nil when ours cannot be read: exactly what git's own text
    /// merge of ours, theirs and their merge base gives (`git merge-file`). Where that merge
    /// conflicts (the person merging will decide), or git names no single commit being merged,
    /// or a version is missing, ours alone: nobody ours does not list is added and no writer
    /// ours does not list is trusted.
    static func mergedConfig(_ location: WorkspaceLocation, root: String, environment: [String: String],
                             git: GitRunner) -> WorkspaceConfig? {
        let oursPath = "\(root)/\(location.configPath)"
        guard let oursBytes = (try? FileIO.contentsIfExists(oursPath, limit: FileLimits.workspaceConfig, followSymlinks: false, kind: "workspace.yaml")) ?? nil,
              let mine = try? WorkspaceConfig.parse(String(decoding: oursBytes, as: UTF8.self), file: oursPath, expectedID: location.id)
        else { return nil }
        let heads = environment.keys.filter { $0.hasPrefix("GITHEAD_") }.map { String($0.dropFirst(8)) }
        guard heads.count == 1, let commit = heads.first, commit.allSatisfy(\.isHexDigit),
              let theirs = blob(at: commit, location, git: git),
              let forkPoint = (try? git.run(["merge-base", "HEAD", commit])).flatMap({ $0.status == 0 ? $0.text : nil }),
              let base = blob(at: forkPoint, location, git: git),
              let merged = textMerge(ours: oursBytes, base: base, theirs: theirs, git: git),
              let config = try? WorkspaceConfig.parse(String(decoding: merged, as: UTF8.self), file: oursPath, expectedID: location.id)
        else { return mine }
        return config
    }

    /// `git merge-file -p` of the three texts (public: `workspace.yaml` holds no secret), or nil
    /// when it conflicts or fails.
    static func textMerge(ours: [UInt8], base: [UInt8], theirs: [UInt8], git: GitRunner) -> [UInt8]? {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("loopseal-merge-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        do {
            try FileIO.makeDirectory(folder, mode: 0o700)
            for (name, bytes) in [("ours", ours), ("base", base), ("theirs", theirs)] {
                try FileIO.writeAtomically(bytes, to: "\(folder)/\(name)", mode: 0o600)
            }
            let output = try git.run(["merge-file", "-p", "--quiet", "\(folder)/ours", "\(folder)/base", "\(folder)/theirs"])
            return output.status == 0 ? output.stdout : nil
        } catch {
            return nil
        }
    }

    /// `workspace.yaml`'s bytes as committed at `commit`, or nil.
    static func blob(at commit: String, _ location: WorkspaceLocation, git: GitRunner) -> [UInt8]? {
        let spec = "\(commit):\(location.configPath)"
        guard let size = try? git.run(["cat-file", "-s", spec]), size.status == 0,
              let count = Int(size.text), count <= FileLimits.workspaceConfig,
              let blob = try? git.run(["cat-file", "blob", spec]), blob.status == 0 else { return nil }
        return blob.stdout
    }
}
