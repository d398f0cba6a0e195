/// Validation of the names that become paths: workspace ids, secret keys, recipient names.
public enum Names {
    /// `[a-z0-9][a-z0-9_-]{0,62}`.
    public static func isValidWorkspaceID(_ id: String) -> Bool {
        let bytes = Array(id.utf8)
        guard (1...63).contains(bytes.count), let first = bytes.first, isLowerAlnum(first) else { return false }
        return bytes.allSatisfy { isLowerAlnum($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }

    /// `[A-Za-z_][A-Za-z0-9_]{0,199}`: an environment variable name.
    public static func isValidKey(_ key: String) -> Bool {
        let bytes = Array(key.utf8)
        guard (1...200).contains(bytes.count), let first = bytes.first, isAlpha(first) || first == UInt8(ascii: "_") else { return false }
        return bytes.allSatisfy { isAlpha($0) || isDigit($0) || $0 == UInt8(ascii: "_") }
    }

    /// `[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}`.
    public static func isValidRecipientName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...64).contains(bytes.count), let first = bytes.first, isAlpha(first) || isDigit(first) else { return false }
        return bytes.allSatisfy { isAlpha($0) || isDigit($0) || "._@+-".utf8.contains($0) }
    }

    /// Throws ``StoreError/invalidWorkspaceID(_:)`` unless `id` is valid.
    public static func checkWorkspaceID(_ id: String) throws {
        guard isValidWorkspaceID(id) else { throw StoreError.invalidWorkspaceID(id) }
    }

    /// Throws ``StoreError/invalidKey(_:)`` unless `key` is valid.
    public static func checkKey(_ key: String) throws {
        guard isValidKey(key) else { throw StoreError.invalidKey(key) }
    }

    private static func isLowerAlnum(_ c: UInt8) -> Bool { (c >= 0x61 && c <= 0x7a) || isDigit(c) }
    private static func isAlpha(_ c: UInt8) -> Bool { (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) }
    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
}
