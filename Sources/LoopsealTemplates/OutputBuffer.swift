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
    /// The most the buffer holds; appends past it are dropped and ``overflowed`` is set.
    private let limit: Int
    /// True once an append did not fit under the limit (the renderer then fails).
    private(set) var overflowed = false

    init(capacity: Int, limit: Int) {
        self.limit = limit
        self.capacity = max(min(capacity, limit), 64)
        base = .allocate(capacity: self.capacity)
    }

    /// Releases the memory; the buffer must not be used after.
    func free() { base.deallocate() }

    /// Makes room for `extra` more bytes; false (and ``overflowed``) when that passes the limit.
    private mutating func reserve(_ extra: Int) -> Bool {
        let needed = count + extra
        guard needed > capacity else { return true }
        guard needed <= limit else {
            overflowed = true
            return false
        }
        var grown = capacity * 2
        while grown < needed { grown *= 2 }
        grown = min(grown, limit)
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        bigger.update(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity = grown
        return true
    }

    /// Appends raw bytes.
    @inline(__always)
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, !bytes.isEmpty, reserve(bytes.count) else { return }
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
        guard reserve(1) else { return }
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

    /// Indents every line written since `start` (an earlier ``count``) with `indent`, as
    /// handlebars indents a standalone partial: each line but an empty last one.
    mutating func indentLines(from start: Int, with indent: String) {
        guard count > start else { return }
        let written = Array(UnsafeBufferPointer(start: base + start, count: count - start))
        count = start
        let prefix = Array(indent.utf8)
        written.withUnsafeBufferPointer { lines in
            prefix.withUnsafeBufferPointer { prefix in
                append(prefix)
                var lineStart = 0
                for index in 0..<lines.count where lines[index] == 0x0A {
                    append(UnsafeBufferPointer(rebasing: lines[lineStart...index]))
                    lineStart = index + 1
                    if lineStart < lines.count { append(prefix) }
                }
                if lineStart < lines.count { append(UnsafeBufferPointer(rebasing: lines[lineStart...])) }
            }
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
