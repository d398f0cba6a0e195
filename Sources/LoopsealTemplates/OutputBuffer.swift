/// The bytes one render writes: a single growing buffer that text runs, values and escaped
/// strings are copied into, turned into a `String` once at the end.
///
/// Manual memory rather than `[UInt8]`: every append is a capacity check and a `memcpy`, with no
/// uniqueness check or bounds check per byte. The renderer owns it and frees it with ``free()``.
struct OutputBuffer {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// Bytes written so far.
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    /// Releases the memory; the buffer must not be used after.
    func free() { base.deallocate() }

    private mutating func reserve(_ extra: Int) {
        let needed = count + extra
        guard needed > capacity else { return }
        var grown = capacity * 2
        while grown < needed { grown *= 2 }
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        bigger.update(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity = grown
    }

    /// Appends raw bytes.
    @inline(__always)
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count)
        (base + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    /// Appends the UTF-8 of `string`.
    @inline(__always)
    mutating func append(_ string: String) {
        let done: Void? = string.utf8.withContiguousStorageIfAvailable { append($0) }
        if done == nil { for byte in string.utf8 { appendByte(byte) } }
    }

    @inline(__always)
    private mutating func appendByte(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    /// Appends `string` with handlebars' `escapeExpression`: `& < > " ' \` =` become entities.
    @inline(__always)
    mutating func appendEscaped(_ string: String) {
        let done: Void? = string.utf8.withContiguousStorageIfAvailable { appendEscaped($0) }
        if done == nil { appendEscaped(Array(string.utf8)) }
    }

    private mutating func appendEscaped(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { appendEscaped($0) }
    }

    mutating func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>) {
        var start = 0
        for index in 0..<bytes.count where HTMLEscape.needsEscape(bytes[index]) {
            if index > start { append(UnsafeBufferPointer(rebasing: bytes[start..<index])) }
            let entity = HTMLEscape.entity(bytes[index])
            append(UnsafeBufferPointer(start: entity.utf8Start, count: entity.utf8CodeUnitCount))
            start = index + 1
        }
        if start == 0 {
            append(bytes)
        } else if start < bytes.count {
            append(UnsafeBufferPointer(rebasing: bytes[start...]))
        }
    }

    /// The text written since `start` (an earlier ``count``).
    func string(from start: Int) -> String {
        String(decoding: UnsafeBufferPointer(start: base + start, count: count - start), as: UTF8.self)
    }

    /// Forgets everything written after `count`.
    mutating func truncate(to newCount: Int) {
        count = min(count, newCount)
    }
}
