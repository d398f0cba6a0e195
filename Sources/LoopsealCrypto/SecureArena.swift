internal import CSodium
import Foundation

/// A region of `sodium_malloc` memory (guard pages around it, locked in RAM where the system
/// allows) that many small secrets share. `sodium_malloc` costs several system calls per call,
/// which dominated bulk decryption; carving secrets out of shared chunks keeps the protection
/// and makes allocation a pointer bump. A chunk is freed (and zeroed) when its last secret goes.
final class SecureChunk: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    let capacity: Int
    /// Bytes handed out; only changed under ``SecureArena``'s lock.
    var used = 0

    init(capacity: Int) throws {
        guard let base = sodium_malloc(capacity) else { throw CryptoError.allocationFailed }
        self.base = base
        self.capacity = capacity
    }

    deinit { sodium_free(base) }
}

/// Hands out slices of shared ``SecureChunk``s; large requests get a chunk of their own.
final class SecureArena: @unchecked Sendable {
    static let shared = SecureArena()

    private let lock = NSLock()
    private var current: SecureChunk?
    private let chunkSize = 64 * 1024
    private let alignment = 16

    func allocate(_ count: Int) throws -> (SecureChunk, UnsafeMutableRawPointer) {
        let size = max(alignment, (count + alignment - 1) / alignment * alignment)
        if size > chunkSize / 4 {
            let chunk = try SecureChunk(capacity: size)
            chunk.used = size
            return (chunk, chunk.base)
        }
        lock.lock()
        defer { lock.unlock() }
        if let chunk = current, chunk.capacity - chunk.used >= size {
            let pointer = chunk.base + chunk.used
            chunk.used += size
            return (chunk, pointer)
        }
        let chunk = try SecureChunk(capacity: chunkSize)
        chunk.used = size
        current = chunk
        return (chunk, chunk.base)
    }
}
