import Dispatch
import Foundation

/// Runs a long-lived async service (an HTTP server, the MCP server) from a synchronous command
/// and waits until it stops; returns the error it stopped with, if any.
enum BlockingService {
    static func run(_ service: @escaping @Sendable () async throws -> Void) -> (any Error)? {
        let finished = DispatchSemaphore(value: 0)
        let failure = FailureBox()
        Task {
            do { try await service() } catch { failure.set(error) }
            finished.signal()
        }
        finished.wait()
        return failure.get()
    }

    private final class FailureBox: @unchecked Sendable {
        private let lock = NSLock()
        private var error: (any Error)?
        func set(_ error: any Error) { lock.withLock { self.error = error } }
        func get() -> (any Error)? { lock.withLock { error } }
    }
}
