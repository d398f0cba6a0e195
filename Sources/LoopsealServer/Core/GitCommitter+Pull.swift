import Foundation
import LoopsealStore

/// `--git-push`: the pulls that keep a replica's clone at the remote's tip, the commits of what
/// the CLI wrote under `server/` (tokens), and the start that drops whatever a killed server
/// left unacknowledged. Each runs under the lock the commits take, so git never runs twice at
/// once in the clone.
extension GitCommitter {
    /// The folder under the root whose changes the pulls commit and push (tokens the CLI writes).
    static let serverFolder = "server"

    /// Commits and pushes any change under `server/`, fetches the branch, and moves the clone to
    /// the remote's tip when it is ahead (`git read-tree -m -u HEAD TIP`, then `git update-ref`),
    /// holding the writer lock of each workspace that changes.
    func pull(_ settings: ReplicaSettings) -> PullOutcome {
        locked {
            commitServerFolder()
            let fetched = fetch(settings)
            guard fetched.succeeded, let tip = shell.commit(settings.trackingRef) else {
                logger.warning("cannot fetch the remote; the clone keeps what it has",
                               metadata: ["remote": "\(settings.remote)", "branch": "\(settings.branch)", "error": "\(fetched.said)"])
                return .unreachable(fetched.said)
            }
            guard let head = shell.commit("HEAD") else { return switchWorkTree(to: tip) }
            if head == tip {
                unswitched = nil
                return .upToDate
            }
            let pushedInstead = unswitched.map { $0.local == head && shell.isAncestor($0.pushed, of: tip) } ?? false
            guard pushedInstead || shell.isAncestor(head, of: tip) else {
                if !shell.isAncestor(tip, of: head) || unswitched == nil {
                    logger.error("this replica's clone has commits the remote's branch lacks, so it no longer follows the remote: someone rewrote the remote's branch or committed in the clone; stop this server, check 'git log \(settings.trackingRef)..HEAD' in the clone, then start it again (it starts from the remote's tip)",
                                 metadata: ["head": "\(head)", "tip": "\(tip)", "root": "\(root)"])
                }
                return .diverged
            }
            return switchWorkTree(from: head, to: tip) ? .advanced(tip) : .waiting
        }
    }

    /// An unborn branch: the remote's tip is read into the index and work tree.
    private func switchWorkTree(to tip: String) -> PullOutcome {
        let read = shell.run(["read-tree", "-m", "-u", tip])
        guard read.succeeded, shell.run(["update-ref", "HEAD", tip]).succeeded else { return .waiting }
        return .advanced(tip)
    }

    /// Commits and pushes what changed under `server/` (a push that fails leaves the files to
    /// the next pull). Lock held.
    private func commitServerFolder() {
        guard FileIO.isDirectory("\(root)/\(Self.serverFolder)")
            || !shell.run(["ls-files", "--", Self.serverFolder]).stdout.isEmpty else { return }
        do {
            _ = try commitLocked(paths: [Self.serverFolder], message: "loopseal: server state written in this replica's clone")
        } catch {
            logger.warning("the changes under server/ are not on the remote yet; the next pull tries again", metadata: ["error": "\(error)"])
        }
    }

    /// The start of a replica, before any request: removes an `index.lock` a killed git left,
    /// fetches the branch (failing with a message naming the remote and branch when it cannot),
    /// and resets the clone to the remote's tip (`git reset --hard`, and untracked files under
    /// `workspaces/*/secrets/` removed), so a commit or file no request was answered for can
    /// never be pushed over a newer write. Changes under `server/` (tokens written by the CLI
    /// and not pushed yet) are kept and pushed by the first pull.
    func startFromRemote(_ settings: ReplicaSettings) throws {
        try locked {
            let stale = "\(gitDirectory)/index.lock"
            if FileIO.exists(stale) {
                try? FileIO.remove(stale)
                logger.notice("removed the index.lock a stopped git left", metadata: ["path": "\(stale)"])
            }
            guard shell.run(["remote", "get-url", settings.remote]).succeeded else {
                throw APIError(.internalServerError, "git",
                               "--git-push: the clone at \(root) has no remote named '\(settings.remote)' ('git remote -v' lists them): add it with 'git remote add \(settings.remote) URL' or pass --remote NAME")
            }
            let fetched = fetch(settings)
            guard fetched.succeeded, let tip = shell.commit(settings.trackingRef) else {
                throw APIError(.internalServerError, "git",
                               "--git-push: cannot fetch branch '\(settings.branch)' of remote '\(settings.remote)' (\(fetched.said)): check that the remote is reachable and has that branch (push a first commit to it), then start again")
            }
            let kept = try serverChanges(comparedTo: tip)
            try shell.checked("git reset --hard", ["reset", "-q", "--hard", tip])
            try shell.checked("git clean", ["clean", "-fq", "--", ":(glob)workspaces/*/secrets/**"])
            for (path, bytes) in kept {
                let full = "\(root)/\(path)"
                if let bytes {
                    try FileIO.makeDirectory(FileIO.parentDirectory(full))
                    try FileIO.writeAtomically(bytes, to: full)
                } else if FileIO.exists(full) {
                    try FileIO.remove(full)
                }
            }
            unswitched = nil
            logger.info("replica starts at the remote's tip", metadata: ["remote": "\(settings.remote)", "branch": "\(settings.branch)", "tip": "\(tip)"])
        }
    }

    /// The files under `server/` this clone changed since it last agreed with `tip` (committed or
    /// not, untracked included): path → bytes, nil for a file removed.
    private func serverChanges(comparedTo tip: String) throws -> [(String, [UInt8]?)] {
        guard FileIO.isDirectory("\(root)/\(Self.serverFolder)") else { return [] }
        let base = shell.run(["merge-base", "HEAD", tip]).line
        var paths = Set(GitShell.paths(shell.run(["ls-files", "-z", "--others", "--exclude-standard", "--", Self.serverFolder])))
        if !base.isEmpty {
            paths.formUnion(GitShell.paths(shell.run(["diff", "--name-only", "--no-renames", "-z", base, "--", Self.serverFolder])))
        }
        // Only token files are carried over, read without following links: a link pushed under
        // server/ must never make a replica read a file of its host (a key) and push its bytes.
        return paths.sorted().compactMap { path -> (String, [UInt8]?)? in
            guard Self.isTokenFile(path) else { return nil }
            do {
                return (path, try FileIO.contentsIfExists("\(root)/\(path)", limit: 16 * 1024, followSymlinks: false))
            } catch {
                logger.warning("left out of the carried-over server/ changes", metadata: ["path": "\(path)", "error": "\(error)"])
                return nil
            }
        }
    }

    /// `server/tokens/<12 hex digits>.json`: the only files a replica carries across a reset.
    static func isTokenFile(_ path: String) -> Bool {
        let prefix = "\(serverFolder)/tokens/"
        guard path.hasPrefix(prefix), path.hasSuffix(".json") else { return false }
        let id = path.dropFirst(prefix.count).dropLast(".json".count)
        return id.utf8.count == 12 && id.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}
