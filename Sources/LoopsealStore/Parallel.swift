import Dispatch

/// Result slots filled by concurrent workers; each index is written by exactly one worker
/// and read only after all of them finish, which is what makes the unchecked conformance safe.
private final class Slots<R>: @unchecked Sendable {
    var values: [Result<R, Error>?]
    init(count: Int) { values = Array(repeating: nil, count: count) }
}

/// Maps `items` on all cores, keeping order; rethrows the first error in item order.
func parallelMap<T: Sendable, R>(_ items: [T], _ transform: @escaping @Sendable (T) throws -> R) throws -> [R] {
    if items.count < 64 { return try items.map(transform) }
    let slots = Slots<R>(count: items.count)
    let workers = min(items.count, 64)
    slots.values.withUnsafeMutableBufferPointer { buffer in
        nonisolated(unsafe) let buffer = buffer
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var index = worker
            while index < items.count {
                buffer[index] = Result { try transform(items[index]) }
                index += workers
            }
        }
    }
    return try slots.values.map { slot in
        switch slot {
        case .success(let value)?: return value
        case .failure(let error)?: throw error
        case nil: preconditionFailure("every slot is filled by concurrentPerform")
        }
    }
}
