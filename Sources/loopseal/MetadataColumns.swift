import LoopsealStore
import LoopsealValue

/// How `keys` and `meta` show a secret's metadata: table columns, lines and JSON fields (never a value).
enum MetadataColumns {
    /// `OWNER  EXPIRES  EVERY  ROTATED  DESCRIPTION` and one row per secret, each column padded
    /// to its widest cell, `-` when unset.
    static func table(_ items: [SecretMetadata]) -> (header: String, rows: [String]) {
        let titles = ["OWNER", "EXPIRES", "EVERY", "ROTATED", "DESCRIPTION"]
        let cells = items.map { $0.fields.map { $0.value ?? "-" } }
        let widths = titles.indices.map { column in ([titles[column]] + cells.map { $0[column] }).map(\.count).max() ?? 0 }
        func line(_ row: [String]) -> String {
            row.indices.map { index in
                index == row.count - 1 ? row[index] : row[index] + String(repeating: " ", count: widths[index] - row[index].count)
            }.reduce("") { $0 + "  " + $1 }
        }
        return (line(titles), cells.map(line))
    }

    /// `field: value` lines of the fields set, named as in the file (`meta KEY`).
    static func lines(_ metadata: SecretMetadata) -> String {
        let set = fields(metadata)
        guard !set.isEmpty else { return "no metadata\n" }
        return set.map { "\($0): \($1)\n" }.joined()
    }

    /// `"owner"`, `"expires"`, `"rotateEvery"`, `"rotated"`, `"description"`: those set.
    static func json(_ metadata: SecretMetadata) -> [(String, TemplateValue)] {
        fields(metadata).map { ($0, .string($1)) }
    }

    /// The fields set, in the file's order.
    private static func fields(_ metadata: SecretMetadata) -> [(String, String)] {
        metadata.fields.compactMap { name, value in value.map { (name, $0) } }
    }
}
