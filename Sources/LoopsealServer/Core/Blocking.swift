import Dispatch

/// Runs file and process work off Swift's cooperative pool. Writes to one workspace go
/// through its serial queue, so concurrent requests in this process queue up instead of
/// contending for the workspace's `flock`; secret writes waiting there together are applied
/// as one batch (``GroupCommitQueue``); reads run on a concurrent queue.
final class BlockingQueues: @unchecked Sendable {
    private let reads = DispatchQueue(label: "loopseal.server.reads", attributes: .concurrent)
    private let lock = DispatchQueue(label: "loopseal.server.queues")
    private var writes: [String: DispatchQueue] = [:]
    private var batches: [String: AnyObject] = [:]
    private var finishers: [String: DispatchQueue] = [:]

    /// Runs `body` on the read queue.
    func read<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await run(on: reads, body)
    }

    /// Runs `body` on workspace `id`'s write queue.
    func write<T: Sendable>(workspace id: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await run(on: lock.sync { writeQueue(id) }, body)
    }

    /// Queues `request` for the next batch of workspace `id`'s write queue and returns its
    /// result. `apply` applies one batch and answers it (the same function for every request of
    /// a workspace: the first one given is kept).
    func batched<Request: Sendable, Response: Sendable>(
        workspace id: String, _ request: Request,
        apply: @escaping GroupCommitQueue<Request, Response>.Apply) async throws -> Response {
        let batcher = lock.sync { () -> GroupCommitQueue<Request, Response> in
            if let batcher = batches[id] as? GroupCommitQueue<Request, Response> { return batcher }
            let batcher = GroupCommitQueue(queue: writeQueue(id), apply: apply)
            batches[id] = batcher
            return batcher
        }
        return try await batcher.submit(request)
    }

    /// Workspace `id`'s serial queue for finishing batches after its write queue moved on
    /// (waiting for their last flush, answering them in order).
    func finishing(workspace id: String) -> DispatchQueue {
        lock.sync {
            if let queue = finishers[id] { return queue }
            let queue = DispatchQueue(label: "loopseal.server.finish.\(id)")
            finishers[id] = queue
            return queue
        }
    }

    /// Workspace `id`'s serial write queue; call on `lock`.
    private func writeQueue(_ id: String) -> DispatchQueue {
        if let queue = writes[id] { return queue }
        let queue = DispatchQueue(label: "loopseal.server.writes.\(id)")
        writes[id] = queue
        return queue
    }

    private func run<T: Sendable>(on queue: DispatchQueue, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }
}
