import Foundation
import Logging
import LoopsealCrypto
import LoopsealGit
import LoopsealStore
import LoopsealSync
import LoopsealSystem

/// `loopseal watch --pull`: a host following a branch of a remote, GitOps style. Every
/// `interval` (with jitter) it fetches; a new commit is applied only when it fast-forwards the
/// applied one (a rewritten or diverged branch is refused and the last good state stays) and,
/// with a pinned-trust check, only when that check accepts the commit's files, read from the
/// commit itself before the checkout moves. Then it syncs this host's targets, which rewrites and
/// restarts only the targets whose payload changed. It never merges, commits or pushes.
///
/// `run()` owns all mutable state on the thread that calls it; `stop()` only requests a
/// ``StopSignal``, which is safe from any thread. That is what the unchecked `Sendable` promises.
public final class PullFollower: @unchecked Sendable {
    /// How to follow.
    public struct Options: Sendable {
        /// The remote to fetch from.
        public var remote = "origin"
        /// The branch to follow.
        public var branch = "main"
        /// Seconds between fetches (±10 % jitter; doubled after each failure, up to 8 times).
        public var interval: Double = 30
        /// Where to write ``PullStatus`` after every fetch.
        public var statusFile: String?
        /// The host whose targets (`hosts:`) are synced.
        public var host: SyncHost
        /// Checks a commit's files (exported to a folder: the argument is its repository root)
        /// before anything of it is applied; throws to refuse it.
        public var trust: (@Sendable (String) throws -> Void)?

        /// Follows `origin`/`main` every 30 s for `host`.
        public init(host: SyncHost) { self.host = host }
    }

    /// What one pull did.
    public enum Outcome: Equatable, Sendable {
        /// The branch points at the applied commit.
        case upToDate
        /// A new commit was applied (and its targets synced).
        case applied(commit: String)
        /// A new commit was refused; nothing of it was applied.
        case refused(commit: String, reason: String)
        /// Fetching failed.
        case fetchFailed(String)
    }

    public let workspace: Workspace
    public let identities: [Identity]
    public let options: Options
    private let git: GitRunner
    private let logger: Logger
    private(set) var status: PullStatus
    /// The commit checked out, as this follower last saw it.
    private var appliedHead: String?
    /// A commit refused for what it is (history, trust): not fetched again while the branch points at it.
    private var stickyRefusal: String?
    /// The status as last written, and when (an idle poll rewrites it at most once a minute).
    private var written: (text: String, at: Date)?
    private let stopSignal: StopSignal

    /// A follower of `options.remote`/`options.branch` in the clone holding `workspace`.
    public init(workspace: Workspace, identities: [Identity], options: Options, logger: Logger = Logger(label: "loopseal.pull")) throws {
        self.workspace = workspace
        self.identities = identities
        self.options = options
        self.logger = logger
        git = GitRunner(directory: workspace.root)
        status = PullStatus(host: options.host.name, workspace: workspace.id, remote: options.remote, branch: options.branch)
        stopSignal = try StopSignal()
        let top = try git.run(["rev-parse", "--show-toplevel"])
        guard top.status == 0 else {
            throw PullError("\(workspace.root) is not in a git clone: 'watch --pull' follows a branch of a clone (git clone URL, then run it there)")
        }
    }

    /// Makes SIGINT and SIGTERM end ``run()`` cleanly.
    public func stopOnSignals() { stopSignal.onSignals() }

    /// Asks a running follower to stop (from any thread).
    public func stop() { stopSignal.request() }

    /// Applies the checked-out commit, then pulls every interval until stopped.
    public func run() throws {
        applyCheckout()
        logger.notice("following", metadata: ["remote": "\(options.remote)", "branch": "\(options.branch)", "host": "\(options.host.name)",
                                              "commit": "\(status.appliedCommit ?? "-")"])
        var failures = 0
        while true {
            let base = options.interval * Double(1 << min(failures, 3))
            let delay = base * Double.random(in: 0.9...1.1)
            if stopSignal.wait(seconds: delay) { break }
            switch pull() {
            case .fetchFailed: failures += 1
            default: failures = 0
            }
        }
        logger.notice("stopped", metadata: ["remote": "\(options.remote)", "branch": "\(options.branch)"])
    }

    /// Syncs the commit checked out now (at start: a crash mid-sync converges here), after the
    /// trust check when there is one.
    public func applyCheckout() {
        recoverCheckout()
        let head = (try? git.checked(["rev-parse", "HEAD"]).text) ?? "unknown"
        appliedHead = head
        if let problem = checkedOutProblem() {
            refuse(head, reason: "the checkout is not applied: \(problem)", sticky: false)
            writeStatus()
            return
        }
        sync(commit: head)
        writeStatus()
    }

    /// One fetch, and what it brought applied or refused.
    @discardableResult
    public func pull() -> Outcome {
        let outcome = pullUnrecorded()
        status.lastFetchAt = PullStatus.now()
        if case .fetchFailed(let message) = outcome {
            status.lastFetchResult = "failed"
            status.lastError = message
            logger.error("fetch failed", metadata: ["remote": "\(options.remote)", "error": "\(message)"])
        } else {
            status.lastFetchResult = "ok"
        }
        writeStatus()
        return outcome
    }

    /// An idle poll is one `git ls-remote` (a few ms of CPU); only a tip that is neither the
    /// applied commit nor the one already refused is fetched.
    private func pullUnrecorded() -> Outcome {
        let fetched: String
        let head: String
        do {
            let tip = try remoteTip()
            if let tip, tip == appliedHead {
                status.refused = nil
                return .upToDate
            }
            if let tip, tip == stickyRefusal, let refused = status.refused { return .refused(commit: tip, reason: refused.reason) }
            _ = try git.checked(["-c", "maintenance.auto=false", "-c", "gc.auto=0", "fetch", "--quiet", "--no-tags",
                                 "--no-recurse-submodules", options.remote, options.branch])
            fetched = try git.checked(["rev-parse", "--verify", "FETCH_HEAD^{commit}"]).text
            head = try git.checked(["rev-parse", "HEAD"]).text
            appliedHead = head
        } catch {
            return .fetchFailed("\(error)")
        }
        guard fetched != head else {
            status.refused = nil
            return .upToDate
        }
        let refusal: String?
        do {
            refusal = try self.refusal(of: fetched, head: head)
        } catch {
            refusal = "it could not be checked: \(error)"
        }
        if let refusal {
            refuse(fetched, reason: refusal, sticky: true)
            return .refused(commit: fetched, reason: refusal)
        }
        do {
            // A fast-forward (ancestry was checked): unlike `merge --ff-only`, it also replaces
            // files a checkout killed half-way left untracked.
            _ = try git.checked(["reset", "--hard", "--quiet", fetched])
        } catch {
            let reason = "cannot move the checkout to it: \(error)"
            refuse(fetched, reason: reason, sticky: false)
            return .refused(commit: fetched, reason: reason)
        }
        if let problem = checkedOutProblem() {
            _ = try? git.checked(["reset", "--hard", "--quiet", head])
            let reason = "its checked-out files are not what was checked (\(problem)); the checkout is back at \(head.prefix(12))"
            refuse(fetched, reason: reason, sticky: true)
            return .refused(commit: fetched, reason: reason)
        }
        let changed = (try? git.checked(["diff", "--name-only", head, fetched]).text.split(separator: "\n").count) ?? 0
        appliedHead = fetched
        logger.notice("pulled", metadata: ["from": "\(head.prefix(12))", "to": "\(fetched.prefix(12))", "files": "\(changed)"])
        status.refused = nil
        sync(commit: fetched)
        return .applied(commit: fetched)
    }

    /// The commit the followed branch points at on the remote, or nil when git does not say.
    private func remoteTip() throws -> String? {
        let listing = try git.checked(["ls-remote", "--quiet", options.remote, "refs/heads/\(options.branch)"]).text
        let tip = listing.split(separator: "\t").first.map(String.init)
        guard let tip, tip.count >= 40, tip.allSatisfy(\.isHexDigit) else {
            throw PullError("the remote '\(options.remote)' has no branch '\(options.branch)' (git ls-remote listed nothing for refs/heads/\(options.branch))")
        }
        return tip
    }

    /// Why `commit` must not be applied over `head`, or nil when it may.
    private func refusal(of commit: String, head: String) throws -> String? {
        let ancestry = try git.run(["merge-base", "--is-ancestor", head, commit])
        if ancestry.status == 1 {
            return "it does not fast-forward the applied commit \(head.prefix(12)): the branch was rewritten (force-pushed) or diverged; nothing of it is applied"
        }
        guard ancestry.status == 0 else { return "git merge-base failed: \(ancestry.stderr.prefix(300))" }
        guard let trust = options.trust else { return nil }
        let folder = try exportCommit(commit)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        do {
            try trust(folder)
        } catch {
            return "not trusted: " + "\(error)".replacingOccurrences(of: folder + "/", with: "").replacingOccurrences(of: folder, with: "the commit")
        }
        return nil
    }

    /// The files of `commit` under `workspaces/` as git stores them (``CommitFiles``), in a new
    /// private folder; returns the folder standing for the repository root.
    private func exportCommit(_ commit: String) throws -> String {
        let folder = FileManager.default.temporaryDirectory.path + "/loopseal-pull-" + UUID().uuidString.lowercased()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        let prefix = try git.checked(["rev-parse", "--show-prefix"]).text
        try CommitFiles(git: git).write(commit: commit, path: "\(prefix)workspaces", into: folder)
        return prefix.isEmpty ? folder : "\(folder)/\(prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix)"
    }

    /// Why the checkout does not hold what was checked, or nil: the workspace's folders must be
    /// folders (a link there would lead elsewhere than the checked files), and with `--trust` the
    /// files as checked out (after `.gitattributes` did its work) must pass the check too.
    private func checkedOutProblem() -> String? {
        for folder in ["\(workspace.root)/workspaces", workspace.directory, workspace.secretsDirectory] {
            var info = stat()
            if lstat(folder, &info) != 0 { continue }
            if info.st_mode & S_IFMT != S_IFDIR { return "\(folder) is not a folder" }
        }
        guard let trust = options.trust else { return nil }
        do { try trust(workspace.root) } catch { return "not trusted as checked out: \(error)" }
        return nil
    }

    /// After a crash in the middle of moving the checkout (git's `index.lock` left, files half
    /// written), puts the checkout back at its commit so the next pull can move it.
    private func recoverCheckout() {
        let gitDirectory = (try? git.checked(["rev-parse", "--absolute-git-dir"]).text) ?? "\(workspace.root)/.git"
        let lock = "\(gitDirectory)/index.lock"
        let locked = FileManager.default.fileExists(atPath: lock)
        let dirty = (try? git.run(["diff", "--quiet", "HEAD"]).status) != 0
        guard locked || dirty else { return }
        if locked { try? FileManager.default.removeItem(atPath: lock) }
        _ = try? git.checked(["reset", "--hard", "--quiet", "HEAD"])
        logger.warning("checkout repaired", metadata: ["lockRemoved": "\(locked)", "commit": "\(appliedHead?.prefix(12) ?? "-")"])
    }

    private func refuse(_ commit: String, reason: String, sticky: Bool) {
        stickyRefusal = sticky ? commit : nil
        if status.refused?.commit != commit || status.refused?.reason != reason {
            logger.error("refused", metadata: ["commit": "\(commit.prefix(12))", "reason": "\(reason)"])
        }
        status.refused = PullStatus.Refusal(commit: commit, reason: reason, at: PullStatus.now())
        status.lastError = "commit \(commit.prefix(12)) refused: \(reason)"
    }

    /// Syncs this host's targets and records each in the status.
    private func sync(commit: String) {
        let syncer = TargetSyncer(workspace: workspace, identities: identities, host: options.host, logger: logger)
        do {
            let report = try syncer.report()
            let now = PullStatus.now()
            status.targets = status.targets.filter { name, _ in report.plans.contains { $0.target.name == name } }
            for plan in report.plans {
                let failure = report.failures.first { $0.contains("'\(plan.target.name)'") }
                let result = failure != nil || plan.refusal != nil ? "failed" : plan.written ? "synced" : "unchanged"
                status.targets[plan.target.name] = PullStatus.TargetStatus(at: now, result: result, keys: plan.keys.count,
                                                                           error: failure ?? plan.refusal)
                if result == "failed" {
                    logger.error("sync failed", metadata: ["target": "\(plan.target.name)", "error": "\(failure ?? plan.refusal ?? "")"])
                } else if plan.written {
                    logger.notice("synced", metadata: ["target": "\(plan.target.name)", "keys": "\(plan.keys.joined(separator: ","))",
                                                       "commit": "\(commit.prefix(12))"])
                }
            }
            status.appliedCommit = commit
            status.appliedAt = now
            if report.failures.isEmpty && status.refused == nil { status.lastError = nil }
            if let last = report.failures.last { status.lastError = last }
        } catch {
            status.lastError = "sync failed: \(error)"
            logger.error("sync failed", metadata: ["error": "\(error)"])
        }
    }

    /// Writes the status file when something besides the fetch time changed, or once a minute.
    private func writeStatus() {
        guard let path = options.statusFile else { return }
        var compared = status
        compared.lastFetchAt = nil
        let text = compared.asValue.jsonText()
        if let written, written.text == text, Date().timeIntervalSince(written.at) < 60 { return }
        do {
            try status.write(to: path)
            self.written = (text, Date())
        } catch {
            logger.error("cannot write the status file", metadata: ["error": "\(error)"])
        }
    }


}

extension PullFollower {
    /// ``run()`` for async callers, on a thread of its own; returns when it stops.
    public func runUntilStopped() async throws {
        try await StopSignal.runOnThread(named: "loopseal.pull") { try self.run() }
    }
}
