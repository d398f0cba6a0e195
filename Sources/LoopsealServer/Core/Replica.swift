import Dispatch
import Foundation

/// A server that shares its repository with other replicas through a git remote (`serve
/// --git-push`): its commits are pushed as they are made (``GitCommitter``), and this pulls the
/// remote every ``ReplicaSettings/pullInterval`` seconds (±10% jitter, so replicas drift apart)
/// and when asked (``pullNow()``), so every replica's listings converge on the remote's.
public final class Replica: @unchecked Sendable {
    /// The remote, branch and interval.
    public let settings: ReplicaSettings
    private let committer: GitCommitter
    /// Pulls run here, one at a time.
    private let queue = DispatchQueue(label: "loopseal.server.pull")
    private let lock = NSLock()
    private var lastPull: DispatchTime?
    private var waiting: [CheckedContinuation<Void, Never>] = []
    private var scheduled = false
    private var stopped = false

    init(committer: GitCommitter, settings: ReplicaSettings) {
        self.committer = committer
        self.settings = settings
    }

    /// Starts the regular pulls (``ServerCore`` does, once it is ready to serve).
    func start() {
        scheduleNextPull()
    }

    /// Stops the regular pulls (``pullNow()`` still pulls).
    public func stop() {
        lock.withLock { stopped = true }
    }

    /// Pulls the remote and returns once the pull is done: at once when none ran in the last
    /// second, else when the next second starts, in one pull shared by every caller waiting.
    /// For a request that shows something this replica does not know yet (a token created on
    /// another replica); at most one pull a second, whoever asks.
    public func pullNow() async {
        await withCheckedContinuation { continuation in
            let delay: Double? = lock.withLock {
                waiting.append(continuation)
                guard !scheduled else { return nil }
                scheduled = true
                guard let lastPull else { return 0 }
                let elapsed = Double(DispatchTime.now().uptimeNanoseconds - lastPull.uptimeNanoseconds) / 1e9
                return max(0, 1 - elapsed)
            }
            guard let delay else { return }
            queue.asyncAfter(deadline: .now() + delay) { self.pullForWaiting() }
        }
    }

    /// One pull now, whatever the rate (tests, and the regular pulls); on the pull queue.
    @discardableResult
    func pull() async -> PullOutcome {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: self.pullOnQueue()) }
        }
    }

    private func pullForWaiting() {
        let callers = lock.withLock {
            defer { waiting = []; scheduled = false; lastPull = .now() }
            return waiting
        }
        committer.pull(settings)
        for caller in callers { caller.resume() }
    }

    @discardableResult
    private func pullOnQueue() -> PullOutcome {
        lock.withLock { lastPull = .now() }
        return committer.pull(settings)
    }

    private func scheduleNextPull() {
        let interval = max(0.05, settings.pullInterval) * Double.random(in: 0.9...1.1)
        queue.asyncAfter(deadline: .now() + interval) { [weak self] in
            guard let self, !self.lock.withLock({ self.stopped }) else { return }
            self.pullOnQueue()
            self.scheduleNextPull()
        }
    }
}
