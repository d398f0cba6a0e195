/// One entry of a target's `hosts:`: a host name or a glob over host names, as in fnmatch(3)
/// without flags: `*` matches any run of characters (dots too), `?` one character, `[a-c0-9]`
/// one of a set and `[!…]` (or `[^…]`) one character not in it. Host names are compared without
/// regard to ASCII case (DNS names are case-insensitive: `WEB-1` is `web-1`).
///
/// Only host-name characters (letters, digits, `-`, `.`, `_`) and the glob characters are
/// allowed, so a typo such as `"web-1, web-2"` (one string, not two) is refused rather than
/// matching no host.
public struct HostPattern: Sendable, Equatable, CustomStringConvertible {
    /// The pattern as written.
    public let text: String
    private let elements: [Element]

    private enum Element: Equatable {
        case literal(UInt8)
        case anyOne
        case anyRun
        /// Inclusive byte ranges (already lowercased); `negated` matches bytes outside them.
        case set([ClosedRange<UInt8>], negated: Bool)
    }

    /// Parses `text`; throws a ``SyncError`` saying what is wrong with it.
    public init(_ text: String) throws {
        guard !text.isEmpty else { throw SyncError("a host pattern must not be empty") }
        self.text = text
        elements = try Self.compile(text)
    }

    public var description: String { text }

    /// True when `host` matches the whole pattern.
    public func matches(_ host: String) -> Bool {
        Self.match(elements[...], Array(host.utf8).map(Self.lowercased)[...])
    }

    /// True for a character a host name may hold (letters, digits, `-`, `.`, `_`).
    static func isHostNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"):
            return true
        default:
            return false
        }
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
    }

    private static func compile(_ text: String) throws -> [Element] {
        let bytes = Array(text.utf8)
        var elements: [Element] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "*"):
                if elements.last != .anyRun { elements.append(.anyRun) }
            case UInt8(ascii: "?"):
                elements.append(.anyOne)
            case UInt8(ascii: "["):
                let (element, next) = try compileSet(bytes, from: index + 1, pattern: text)
                elements.append(element)
                index = next
                continue
            default:
                guard isHostNameByte(byte) else {
                    throw SyncError("'\(text)' is not a host name or pattern: use letters, digits, '-', '.', '_' and the globs '*', '?', '[…]' (one host per list item)")
                }
                elements.append(.literal(lowercased(byte)))
            }
            index += 1
        }
        return elements
    }

    /// A `[…]` set starting after its `[`; returns the element and the index after its `]`.
    private static func compileSet(_ bytes: [UInt8], from start: Int, pattern: String) throws -> (Element, Int) {
        var index = start
        let negated = index < bytes.count && (bytes[index] == UInt8(ascii: "!") || bytes[index] == UInt8(ascii: "^"))
        if negated { index += 1 }
        var ranges: [ClosedRange<UInt8>] = []
        while index < bytes.count, bytes[index] != UInt8(ascii: "]") {
            let low = bytes[index]
            guard isHostNameByte(low) else {
                throw SyncError("'\(pattern)': a '[…]' set may hold only letters, digits, '-', '.', '_' and ranges such as 0-9")
            }
            if index + 2 < bytes.count, bytes[index + 1] == UInt8(ascii: "-"), bytes[index + 2] != UInt8(ascii: "]") {
                let high = bytes[index + 2]
                guard isHostNameByte(high), lowercased(low) <= lowercased(high) else {
                    throw SyncError("'\(pattern)': the range '\(Character(Unicode.Scalar(low)))-\(Character(Unicode.Scalar(high)))' is empty or not of host-name characters")
                }
                ranges.append(lowercased(low)...lowercased(high))
                index += 3
            } else {
                ranges.append(lowercased(low)...lowercased(low))
                index += 1
            }
        }
        guard index < bytes.count else { throw SyncError("'\(pattern)': a '[' is never closed by ']'") }
        guard !ranges.isEmpty else { throw SyncError("'\(pattern)': '[]' holds no character") }
        return (.set(ranges, negated: negated), index + 1)
    }

    /// Glob matching with one point to come back to (the last `*`): linear in practice, never
    /// exponential.
    private static func match(_ pattern: ArraySlice<Element>, _ host: ArraySlice<UInt8>) -> Bool {
        var p = pattern.startIndex
        var h = host.startIndex
        var star: (pattern: Int, host: Int)?
        while h < host.endIndex {
            if p < pattern.endIndex {
                switch pattern[p] {
                case .anyRun:
                    star = (p, h)
                    p += 1
                    continue
                case .anyOne:
                    p += 1; h += 1
                    continue
                case .literal(let byte) where byte == host[h]:
                    p += 1; h += 1
                    continue
                case .set(let ranges, let negated) where ranges.contains { $0.contains(host[h]) } != negated:
                    p += 1; h += 1
                    continue
                default:
                    break
                }
            }
            guard let last = star else { return false }
            star = (last.pattern, last.host + 1)
            p = last.pattern + 1
            h = last.host + 1
        }
        while p < pattern.endIndex, pattern[p] == .anyRun { p += 1 }
        return p == pattern.endIndex
    }
}
