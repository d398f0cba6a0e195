import Dispatch
import Foundation

/// Group commit for one workspace: requests that arrive while a batch is being applied wait
/// together and are applied as the next batch, by one call of `apply` on the workspace's
/// serial write queue. Each request is answered with its own result, in the order it came,
/// once `apply` returns, so a batch costs one round of flushes however many requests it holds.
/// Nothing waits on a timer: a request that finds the queue idle is applied at once, alone.
final class GroupCommitQueue<Request: Sendable, Response: Sendable>: @unchecked Sendable {
    private struct Waiting {
        let request: Request
        let continuation: CheckedContinuation<Response, any Error>
    }

    /// The most requests one batch holds; the rest wait for the next.
    static var batchLimit: Int { 256 }

    private let queue: DispatchQueue
    private let apply: @Sendable ([Request]) -> [Result<Response, any Error>]
    private let lock = NSLock()
    private var waiting: [Waiting] = []
    private var scheduled = false

    /// A queue whose batches run on `queue` (serial: one batch at a time, between the other
    /// blocks on it). `apply` returns one result per request, in order.
    init(queue: DispatchQueue, apply: @escaping @Sendable ([Request]) -> [Result<Response, any Error>]) {
        self.queue = queue
        self.apply = apply
    }

    /// Queues `request` and returns its result once the batch holding it has been applied.
    func submit(_ request: Request) async throws -> Response {
        try await withCheckedThrowingContinuation { continuation in
            let schedule = lock.withLock {
                waiting.append(Waiting(request: request, continuation: continuation))
                defer { scheduled = true }
                return !scheduled
            }
            if schedule { queue.async { self.drain() } }
        }
    }

    /// Takes the requests waiting now (up to ``batchLimit``) and applies them as one batch.
    private func drain() {
        let (batch, more) = lock.withLock {
            let batch = Array(waiting.prefix(Self.batchLimit))
            waiting.removeFirst(batch.count)
            scheduled = !waiting.isEmpty
            return (batch, scheduled)
        }
        if more { queue.async { self.drain() } }
        guard !batch.isEmpty else { return }
        var results = apply(batch.map(\.request))
        if results.count != batch.count {
            // A broken apply must not leave a request waiting forever.
            results = batch.map { _ in .failure(APIError(.internalServerError, "internal", "the write was not applied; retry")) }
        }
        for (waiting, result) in zip(batch, results) { waiting.continuation.resume(with: result) }
    }
}
