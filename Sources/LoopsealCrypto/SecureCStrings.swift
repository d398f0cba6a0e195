internal import CSodium

/// NUL-terminated C strings built in one `sodium_malloc` block (guard pages, locked in RAM where
/// the system allows), for handing secrets to a C API such as `execve`'s environment without a
/// copy on the Swift heap. Each string is a public prefix (such as `KEY=`) followed by secret
/// bytes. The block is zeroed and freed by ``wipe()`` or when released.
public final class SecureCStrings {
    private var block: UnsafeMutableRawPointer?
    private let size: Int
    /// The start of each string, in the order given; empty after ``wipe()``.
    public private(set) var pointers: [UnsafeMutablePointer<CChar>] = []

    /// Builds `prefix + value + NUL` for each entry. Throws when a value holds a NUL byte (it
    /// would cut the string short) or the block cannot be allocated.
    public init(_ entries: [(prefix: String, value: SecureBytes)]) throws {
        Sodium.ensureInitialized()
        for (prefix, value) in entries where value.withUnsafeBytes({ $0.contains(0) }) {
            throw CryptoError.embeddedNUL(prefix: prefix)
        }
        size = entries.reduce(0) { $0 + $1.prefix.utf8.count + $1.value.count + 1 }
        guard size > 0 else { block = nil; return }
        guard let block = sodium_malloc(size) else { throw CryptoError.allocationFailed }
        self.block = block
        var offset = 0
        for (prefix, value) in entries {
            pointers.append(block.advanced(by: offset).assumingMemoryBound(to: CChar.self))
            for byte in prefix.utf8 {
                block.storeBytes(of: byte, toByteOffset: offset, as: UInt8.self)
                offset += 1
            }
            value.withUnsafeBytes { bytes in
                if let base = bytes.baseAddress { block.advanced(by: offset).copyMemory(from: base, byteCount: bytes.count) }
            }
            offset += value.count
            block.storeBytes(of: UInt8(0), toByteOffset: offset, as: UInt8.self)
            offset += 1
        }
    }

    /// Zeroes and frees the block. Safe to call more than once.
    public func wipe() {
        if let block {
            sodium_memzero(block, size)
            sodium_free(block)
        }
        block = nil
        pointers = []
    }

    deinit { wipe() }
}
