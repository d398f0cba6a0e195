internal import CSodium

/// Zeroing of memory that held plaintext but is not a ``SecureBytes`` (request bodies, form data).
public enum SecureMemory {
    /// Overwrites `buffer` with zeros in a way the compiler cannot drop.
    public static func zero(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        sodium_memzero(base, buffer.count)
    }

    /// Overwrites the bytes of `array` with zeros.
    public static func zero(_ array: inout [UInt8]) {
        array.withUnsafeMutableBytes { zero($0) }
    }
}
