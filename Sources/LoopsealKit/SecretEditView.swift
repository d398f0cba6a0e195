import LoopsealCrypto

/// What `loopseal edit` shows in the editor: the text, and the values it holds (to find what
/// the person changed). Names of secrets left out say why; no value is ever in them.
public struct SecretEditView: Sendable {
    /// The dotenv text: a header comment, then one `NAME=value` per secret shown.
    public var text: SecureBytes
    /// The values shown, in key order.
    public var values: [(key: String, value: SecureBytes)]
    /// Secrets requested but without a value, shown as `# NAME=` lines to fill in.
    public var requested: [String]
    /// Secrets left out (editing all of them), with why: no identity opens them, the file
    /// does not read, or dotenv cannot show the value exactly.
    public var skipped: [(key: String, reason: String)]

    /// The value shown for `key`, or nil.
    public func value(of key: String) -> SecureBytes? {
        values.first { $0.key == key }?.value
    }
}
