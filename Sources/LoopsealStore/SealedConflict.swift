/// A sealed file left in conflict by a merge: the two whole versions, "ours" and "theirs"
/// (docs/FORMAT.md §9). It reads both forms a file can be in:
/// - the merge driver's (`loopseal git merge`): each side's complete file between git's markers;
/// - git's own line merge (no driver installed): the lines both sides share outside the
///   markers, each side's lines inside, and an optional `|||||||` base section (diff3 style),
///   which is skipped.
/// A side is rebuilt as the shared lines plus that side's lines, in order, so both forms give
/// the same two files. Never holds plaintext: both sides are sealed files.
public struct SealedConflict: Sendable {
    /// Our side (`HEAD` in a merge), as file bytes.
    public var ours: [UInt8]
    /// Their side (the branch merged in), as file bytes.
    public var theirs: [UInt8]

    /// Creates a conflict from both sides' bytes.
    public init(ours: [UInt8], theirs: [UInt8]) {
        self.ours = ours
        self.theirs = theirs
    }

    /// Splits `bytes` into both sides, or returns nil when there are no conflict markers.
    /// Markers out of order (a `=======` with no `<<<<<<<`, a section left open, nested
    /// markers) are a ``StoreError/malformed(file:line:column:problem:)`` naming the line.
    public static func parse(_ bytes: [UInt8], file: String) throws -> SealedConflict? {
        guard ConflictMarkers.firstLine(in: bytes) != nil else { return nil }
        enum Section { case shared, ours, base, theirs }
        var section = Section.shared
        var ours: [UInt8] = []
        var theirs: [UInt8] = []
        var lineNumber = 0
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            let line = bytes[start..<min(end + 1, bytes.count)]
            lineNumber += 1
            start = end + 1
            let marker = ConflictMarkers.kind(of: bytes[line.startIndex..<end])
            switch (marker, section) {
            case (.start?, .shared): section = .ours
            case (.base?, .ours): section = .base
            case (.separator?, .ours), (.separator?, .base): section = .theirs
            case (.end?, .theirs): section = .shared
            case (let marker?, _):
                throw StoreError.malformed(file: file, line: lineNumber, column: 1,
                                           problem: "conflict marker '\(marker.rawValue)' out of order: resolve the file with 'git checkout --ours' or '--theirs' and 'loopseal set'")
            case (nil, .shared):
                ours += line
                theirs += line
            case (nil, .ours): ours += line
            case (nil, .base): break
            case (nil, .theirs): theirs += line
            }
        }
        guard section == .shared else {
            throw StoreError.malformed(file: file, line: lineNumber, column: 1,
                                       problem: "a conflict section is not closed: resolve the file with 'git checkout --ours' or '--theirs' and 'loopseal set'")
        }
        return SealedConflict(ours: ours, theirs: theirs)
    }

    /// The merge driver's form: both whole files between markers of `markerSize` characters.
    public func encoded(markerSize: Int = 7) -> [UInt8] {
        func marker(_ character: Character, _ label: String) -> [UInt8] {
            Array((String(repeating: character, count: markerSize) + (label.isEmpty ? "" : " " + label) + "\n").utf8)
        }
        func terminated(_ side: [UInt8]) -> [UInt8] { side.isEmpty || side.last == 0x0A ? side : side + [0x0A] }
        return marker("<", "ours") + terminated(ours) + marker("=", "") + terminated(theirs) + marker(">", "theirs")
    }
}
