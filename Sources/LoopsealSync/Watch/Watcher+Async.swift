import Foundation
import LoopsealSystem

extension Watcher {
    /// ``run()`` for async callers: the blocking watch loop runs on a thread of its own (never
    /// on the concurrency pool), and this returns when it stops (``stop()``, or SIGINT/SIGTERM
    /// after ``stopOnSignals()``) or throws what it failed with.
    public func runUntilStopped() async throws {
        try await StopSignal.runOnThread(named: "loopseal.watch") { try self.run() }
    }
}
