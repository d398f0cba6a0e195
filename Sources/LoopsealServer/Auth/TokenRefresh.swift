import Dispatch
import Foundation

/// Runs a token store's unknown-token handler (a replica's on-demand `git pull`) with a rate
/// limit: at most one start per interval, whatever the number of unknown tokens presented.
/// Callers arriving while it runs wait for that run instead of starting another.
final class TokenRefresh: @unchecked Sendable {
    typealias Handler = @Sendable () async -> Void
    private let lock = NSLock()
    private var handler: Handler?
    private var interval: UInt64 = 1_000_000_000
    private var running: Task<Void, Never>?
    private var lastStart: UInt64?

    /// Sets the handler (nil: none) and the least time between two starts, in seconds.
    func set(_ handler: Handler?, minimumInterval: Double) {
        lock.withLock {
            self.handler = handler
            interval = UInt64(max(0, minimumInterval) * 1_000_000_000)
            lastStart = nil
        }
    }

    /// Runs the handler, or waits for the run in progress. False when there is no handler or
    /// the last run started less than the interval ago.
    func run() async -> Bool {
        let task = lock.withLock { () -> Task<Void, Never>? in
            if let running { return running }
            guard let handler else { return nil }
            let now = DispatchTime.now().uptimeNanoseconds
            if let lastStart, now - lastStart < interval { return nil }
            lastStart = now
            let task = Task { [weak self] in
                await handler()
                self?.finished()
            }
            running = task
            return task
        }
        guard let task else { return false }
        await task.value
        return true
    }

    private func finished() {
        lock.withLock { running = nil }
    }
}
