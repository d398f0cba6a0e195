import Dispatch
import Foundation

/// Group commit for one workspace: requests that arrive while a batch is being applied wait
/// together and are applied as the next batch, by one call of `apply` on the workspace's
/// serial write queue. Each request is answered with its own result when `apply` hands the
/// batch's results over (it may do so later, from another thread, once the batch is durable:
/// the next batch starts as soon as `apply` returns), so a batch costs one round of flushes
/// however many requests it holds. Nothing waits on a timer: a request that finds the queue
/// idle is applied at once, alone.
final class GroupCommitQueue<Request: Sendable, Response: Sendable>: @unchecked Sendable {
    private struct Waiting {
        let request: Request
        let continuation: CheckedContinuation<Response, any Error>
    }

    /// The most requests one batch holds; the rest wait for the next.
    static var batchLimit: Int { 256 }

    /// Applies a batch and calls its second argument once, with one result per request, in order.
    typealias Apply = @Sendable ([Request], _ answer: @escaping @Sendable ([Result<Response, any Error>]) -> Void) -> Void

    private let queue: DispatchQueue
    private let apply: Apply
    private let lock = NSLock()
    private var waiting: [Waiting] = []
    private var scheduled = false

    /// A queue whose batches run on `queue` (serial: one batch at a time, between the other
    /// blocks on it).
    init(queue: DispatchQueue, apply: @escaping Apply) {
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
        let continuations = Continuations(batch.map(\.continuation))
        apply(batch.map(\.request)) { results in continuations.resume(results) }
    }
}

/// The continuations of one batch, resumed once with the batch's results.
private final class Continuations<Response: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var waiting: [CheckedContinuation<Response, any Error>]

    init(_ waiting: [CheckedContinuation<Response, any Error>]) {
        self.waiting = waiting
    }

    func resume(_ results: [Result<Response, any Error>]) {
        let waiting = lock.withLock {
            defer { self.waiting = [] }
            return self.waiting
        }
        // A broken apply must not leave a request waiting forever.
        let answers = results.count == waiting.count ? results
            : waiting.map { _ in .failure(APIError(.internalServerError, "internal", "the write was not applied; retry")) }
        for (continuation, result) in zip(waiting, answers) { continuation.resume(with: result) }
    }
}
