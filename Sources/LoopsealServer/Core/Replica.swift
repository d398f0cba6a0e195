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
    /// When the last pull ended.
    private var lastPull: DispatchTime?
    private var pulls = 0
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

    /// Pulls the remote and returns once the pull is done: at once when none ended in the last
    /// second, else when that second is over, in one pull shared by every caller waiting then.
    /// For a request that shows something this replica does not know yet (a token created on
    /// another replica); at most one pull a second, however many ask.
    public func pullNow() async {
        await withCheckedContinuation { continuation in
            let schedule = lock.withLock {
                waiting.append(continuation)
                defer { scheduled = true }
                return !scheduled
            }
            if schedule { queue.async { self.pullForWaiting() } }
        }
    }

    /// One pull now, whatever the rate (tests, and the regular pulls); on the pull queue.
    @discardableResult
    func pull() async -> PullOutcome {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: self.pullOnQueue()) }
        }
    }

    /// How many pulls ended, and when the last did (tests).
    var pullsEnded: (count: Int, last: DispatchTime?) { lock.withLock { (pulls, lastPull) } }

    /// On the pull queue: waits out the second since the last pull ended, then pulls once for
    /// every caller waiting.
    private func pullForWaiting() {
        let allowed = lock.withLock { lastPull.map { $0 + .seconds(1) } } ?? .now()
        // A signal (a child's SIGCHLD) ends a sleep early: sleep until the time has come.
        while case let now = DispatchTime.now().uptimeNanoseconds, now < allowed.uptimeNanoseconds {
            usleep(UInt32(min(1_000_000, (allowed.uptimeNanoseconds - now) / 1_000 + 1)))
        }
        let callers = lock.withLock {
            defer { waiting = []; scheduled = false }
            return waiting
        }
        pullOnQueue()
        for caller in callers { caller.resume() }
    }

    @discardableResult
    private func pullOnQueue() -> PullOutcome {
        defer { lock.withLock { lastPull = .now(); pulls += 1 } }
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
