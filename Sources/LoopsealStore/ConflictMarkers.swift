/// Git's conflict markers (`<<<<<<< `, `=======`, `>>>>>>> ` at the start of a line), so a file
/// left mid-merge is reported as a merge conflict rather than as invalid YAML.
public enum ConflictMarkers {
    /// The 1-based line of the first conflict marker in `bytes`, or nil.
    public static func firstLine(in bytes: [UInt8]) -> Int? {
        var line = 1
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            if isMarker(bytes[start..<end]) { return line }
            line += 1
            start = end + 1
        }
        return nil
    }

    private static func isMarker(_ line: ArraySlice<UInt8>) -> Bool {
        guard line.count >= 7, let first = line.first,
              first == UInt8(ascii: "<") || first == UInt8(ascii: "=") || first == UInt8(ascii: ">") else { return false }
        guard line.prefix(7).allSatisfy({ $0 == first }) else { return false }
        let rest = line.dropFirst(7)
        if first == UInt8(ascii: "=") { return rest.allSatisfy { $0 == 0x0D } }
        return rest.isEmpty || rest.first == 0x20 || rest.first == 0x0D
    }
}
