/// Git's conflict markers (`<<<<<<< `, `|||||||`, `=======`, `>>>>>>> ` at the start of a line),
/// so a file left mid-merge is reported as a merge conflict rather than as invalid YAML.
public enum ConflictMarkers {
    /// The four markers of a conflict section (the base one only in diff3 style).
    public enum Kind: String, Sendable {
        /// Opens our side (`<<<<<<< HEAD`).
        case start = "<<<<<<<"
        /// Opens the common ancestor's lines (diff3 style).
        case base = "|||||||"
        /// Ends our side (or the ancestor's) and opens theirs.
        case separator = "======="
        /// Ends their side (`>>>>>>> branch`).
        case end = ">>>>>>>"
    }

    /// The 1-based line of the first conflict marker in `bytes`, or nil.
    public static func firstLine(in bytes: [UInt8]) -> Int? {
        var line = 1
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            if let kind = kind(of: bytes[start..<end]), kind != .base { return line }
            line += 1
            start = end + 1
        }
        return nil
    }

    /// The marker `line` (without its line break) is, or nil. Markers may carry a label after a
    /// space (`<<<<<<< HEAD`); `=======` carries none. A trailing CR is allowed.
    public static func kind(of line: ArraySlice<UInt8>) -> Kind? {
        guard line.count >= 7, let first = line.first,
              [UInt8(ascii: "<"), UInt8(ascii: "|"), UInt8(ascii: "="), UInt8(ascii: ">")].contains(first),
              line.prefix(7).allSatisfy({ $0 == first }) else { return nil }
        let rest = line.dropFirst(7)
        let kind: Kind
        switch first {
        case UInt8(ascii: "<"): kind = .start
        case UInt8(ascii: "|"): kind = .base
        case UInt8(ascii: "="): kind = .separator
        default: kind = .end
        }
        if kind == .separator { return rest.allSatisfy { $0 == 0x0D } ? kind : nil }
        return rest.isEmpty || rest.first == 0x20 || rest.first == 0x0D ? kind : nil
    }
}
