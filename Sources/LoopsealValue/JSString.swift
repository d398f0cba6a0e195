/// Strings compared as JavaScript compares them: unit by unit. Swift's `==` also equates
/// canonically equivalent text (`"é"` and `"e\u{301}"`), which JavaScript keeps apart: two JSON
/// keys would merge into one, and a lookup would find a key the data does not have.
package enum JSString {
    /// True when `a` and `b` hold the same Unicode scalars (the same UTF-8 bytes).
    @inline(__always)
    package static func same(_ a: String, _ b: String) -> Bool {
        let (x, y) = (a.utf8, b.utf8)
        guard x.count == y.count else { return false }
        let contiguous = x.withContiguousStorageIfAvailable { left in
            y.withContiguousStorageIfAvailable { right in left.elementsEqual(right) }
        }
        if let contiguous, let equal = contiguous { return equal }
        return x.elementsEqual(y)
    }
}

/// A dictionary key that compares and hashes a string's UTF-8 bytes, as ``JSString/same(_:_:)``.
package struct JSKey: Hashable, Sendable {
    package let string: String

    package init(_ string: String) { self.string = string }

    package static func == (a: JSKey, b: JSKey) -> Bool { JSString.same(a.string, b.string) }

    package func hash(into hasher: inout Hasher) {
        let utf8 = string.utf8
        let hashed: Void? = utf8.withContiguousStorageIfAvailable { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        if hashed == nil { for byte in utf8 { hasher.combine(byte) } }
    }
}

extension Dictionary where Key == String {
    /// The value stored under exactly `key`, byte for byte: a plain subscript also finds a
    /// canonically equivalent key (``JSString``).
    package func value(exactly key: String) -> Value? {
        guard let index = index(forKey: key), JSString.same(self[index].key, key) else { return nil }
        return self[index].value
    }
}
