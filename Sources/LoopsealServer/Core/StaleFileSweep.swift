import Foundation

/// When this server last removed the temporary files a killed writer left in each workspace's
/// `secrets/` (and the backups older than ten minutes in `.loopseal/undo/`): a batch of writes
/// sweeps (listing the whole folder) only when the last sweep is older than ``interval``, so a
/// busy workspace does not list thousands of files per batch. A stale file is hidden and
/// harmless meanwhile; the first batch after a start always sweeps.
final class StaleFileSweep: @unchecked Sendable {
    /// The least time between two sweeps of one workspace.
    let interval: TimeInterval
    private let lock = NSLock()
    private var last: [String: Date] = [:]

    init(interval: TimeInterval = 60) {
        self.interval = interval
    }

    /// True (and noted as done now) when workspace `id` is due for a sweep.
    func due(_ id: String, now: Date = Date()) -> Bool {
        lock.withLock {
            if let last = last[id], now.timeIntervalSince(last) < interval { return false }
            last[id] = now
            return true
        }
    }
}
