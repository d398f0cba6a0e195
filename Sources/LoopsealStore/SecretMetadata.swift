/// What a sealed file says about its secret besides the value (docs/FORMAT.md §2, format 2):
/// who owns it, when it expires or should be rotated, when its value last changed, and a
/// description. Readable in the file, covered by the writer signature, never a value.
public struct SecretMetadata: Sendable, Equatable {
    /// Who rotates the secret: a recipient or writer name, or an email (``isValidOwner(_:)``).
    public var owner: String?
    /// The day the value stops being valid: due on and after it.
    public var expires: CalendarDate?
    /// How often the value should change, counted from ``rotated``.
    public var rotateEvery: RotationPeriod?
    /// The day the value last changed, recorded by the writer (never set by hand).
    public var rotated: CalendarDate?
    /// One line of printable text (``isValidDescription(_:)``).
    public var description: String?

    /// Metadata with the given fields.
    public init(owner: String? = nil, expires: CalendarDate? = nil, rotateEvery: RotationPeriod? = nil,
                rotated: CalendarDate? = nil, description: String? = nil) {
        self.owner = owner
        self.expires = expires
        self.rotateEvery = rotateEvery
        self.rotated = rotated
        self.description = description
    }

    /// Every field by its name in the file and in JSON, in the file's order, with its text (nil
    /// when unset): what listings show.
    public var fields: [(name: String, value: String?)] {
        [("owner", owner), ("expires", expires?.description), ("rotateEvery", rotateEvery?.description),
         ("rotated", rotated?.description), ("description", description)]
    }

    /// True when no field is set: the file is written in format 1, as before metadata existed.
    public var isEmpty: Bool { self == SecretMetadata() }

    /// The metadata after the value changed on `date`: `rotated` moves to `date`. A file
    /// without metadata stays without (format 1), so a plain `set` never needs a newer reader.
    public func afterValueChange(on date: CalendarDate) -> SecretMetadata {
        guard !isEmpty else { return self }
        var changed = self
        changed.rotated = date
        return changed
    }

    /// The longest description, in Unicode scalars.
    public static let descriptionLimit = 500

    /// A recipient or writer name (`[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}`), or an email:
    /// `local@domain` of those characters, the domain holding a dot, at most 254 bytes.
    public static func isValidOwner(_ owner: String) -> Bool {
        if Names.isValidRecipientName(owner) && !owner.contains("@") { return true }
        let bytes = Array(owner.utf8)
        guard bytes.count <= 254, let first = bytes.first, isAlnum(first),
              bytes.allSatisfy({ isAlnum($0) || "._@+-".utf8.contains($0) }) else { return false }
        let parts = owner.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), let last = parts[1].utf8.last,
              let domainFirst = parts[1].utf8.first, isAlnum(domainFirst), isAlnum(last) else { return false }
        return true
    }

    /// 1 to ``descriptionLimit`` printable characters on one line, without spaces at either
    /// end: no control characters, no line or paragraph separators, no byte-order mark, so it
    /// is written on one line, quoted, and reads back the same (docs/FORMAT.md §2).
    public static func isValidDescription(_ text: String) -> Bool {
        let scalars = text.unicodeScalars
        guard (1...descriptionLimit).contains(scalars.count), let first = scalars.first, let last = scalars.last,
              first != " ", last != " " else { return false }
        return scalars.allSatisfy { scalar in
            let value = scalar.value
            return value >= 0x20 && value != 0x7F && !(0x80...0x9F).contains(value)
                && value != 0x2028 && value != 0x2029 && value != 0xFEFF && value != 0xFFFE && value != 0xFFFF
        }
    }

    /// What a valid owner looks like, for error messages.
    public static let ownerForm = "a recipient or writer name (letters, digits and ._@+-, starting with a letter or digit) or an email (name@example.com)"

    private static func isAlnum(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
    }
}
