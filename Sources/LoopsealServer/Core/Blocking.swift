import Dispatch

/// Runs file and process work off Swift's cooperative pool. Writes to one workspace go
/// through its serial queue, so concurrent requests in this process queue up instead of
/// contending for the workspace's `flock`; reads run on a concurrent queue.
final class BlockingQueues: @unchecked Sendable {
    private let reads = DispatchQueue(label: "loopseal.server.reads", attributes: .concurrent)
    private let lock = DispatchQueue(label: "loopseal.server.queues")
    private var writes: [String: DispatchQueue] = [:]

    /// Runs `body` on the read queue.
    func read<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await run(on: reads, body)
    }

    /// Runs `body` on workspace `id`'s write queue.
    func write<T: Sendable>(workspace id: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        let queue = lock.sync {
            if let queue = writes[id] { return queue }
            let queue = DispatchQueue(label: "loopseal.server.writes.\(id)")
            writes[id] = queue
            return queue
        }
        return try await run(on: queue, body)
    }

    private func run<T: Sendable>(on queue: DispatchQueue, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }
}
