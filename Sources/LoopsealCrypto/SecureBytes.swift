internal import CSodium

/// Secret bytes kept in `sodium_malloc` memory (see ``SecureArena``): guard pages, locked where
/// the system allows, and zeroed when released. Immutable once built, so sharing is safe.
public final class SecureBytes: @unchecked Sendable {
    private let chunk: SecureChunk
    private let pointer: UnsafeMutableRawPointer
    /// Number of bytes held.
    public let count: Int

    /// Allocates `count` bytes and lets `initialize` fill them. The buffer is zeroed on failure.
    public init(count: Int, initialize: (UnsafeMutableRawBufferPointer) throws -> Void) throws {
        Sodium.ensureInitialized()
        self.count = count
        // Never a null pointer, even for an empty secret: C callers get a valid address.
        (chunk, pointer) = try SecureArena.shared.allocate(max(count, 1))
        do {
            try initialize(UnsafeMutableRawBufferPointer(start: pointer, count: count))
        } catch {
            sodium_memzero(pointer, count)
            throw error
        }
    }

    /// Copies `bytes` into secure memory. The caller should wipe its own copy where it can.
    public convenience init<Bytes: Collection>(copying bytes: Bytes) throws where Bytes.Element == UInt8 {
        try self.init(count: bytes.count) { buffer in
            _ = buffer.initializeMemory(as: UInt8.self, from: bytes)
        }
    }

    /// Random secret bytes from libsodium's CSPRNG.
    public static func random(count: Int) throws -> SecureBytes {
        try SecureBytes(count: count) { buffer in
            if let base = buffer.baseAddress { randombytes_buf(base, buffer.count) }
        }
    }

    deinit {
        sodium_memzero(pointer, count)  // the chunk itself is freed with its last secret
    }

    /// Gives read access to the bytes for the duration of `body`. Do not let them escape.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    /// The bytes as a typed, never-null pointer for libsodium calls (internal).
    func withPointer<R>(_ body: (UnsafeMutablePointer<UInt8>) throws -> R) rethrows -> R {
        try body(pointer.assumingMemoryBound(to: UInt8.self))
    }

    /// Constant-time comparison with other bytes.
    public func constantTimeEquals(_ other: SecureBytes) -> Bool {
        guard count == other.count else { return false }
        if count == 0 { return true }
        return withUnsafeBytes { a in
            other.withUnsafeBytes { b in
                guard let pa = a.baseAddress, let pb = b.baseAddress else { return false }
                return sodium_memcmp(pa, pb, count) == 0
            }
        }
    }
}
