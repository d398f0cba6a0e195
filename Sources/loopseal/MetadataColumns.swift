import LoopsealStore
import LoopsealValue

/// How `keys` and `meta` show a secret's metadata: table columns, lines and JSON fields (never a value).
enum MetadataColumns {
    /// `OWNER  EXPIRES  EVERY  ROTATED  DESCRIPTION`, each `-` when unset.
    static let header = "  OWNER  EXPIRES  EVERY  ROTATED  DESCRIPTION"

    /// The columns of one secret.
    static func row(_ metadata: SecretMetadata) -> String {
        "  " + metadata.fields.map { $0.value ?? "-" }.joined(separator: "  ")
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
