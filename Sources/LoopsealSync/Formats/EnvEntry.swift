/// One secret to export: an environment-variable name and its raw value bytes.
public struct EnvEntry: Sendable, Equatable {
    /// The variable name; callers guarantee it matches `[A-Za-z_][A-Za-z0-9_]*`.
    public var key: String
    /// The secret value as raw bytes; formats accept only valid UTF-8 without NUL.
    public var value: [UInt8]

    /// Creates an entry from a key and its raw value bytes.
    public init(key: String, value: [UInt8]) {
        self.key = key
        self.value = value
    }
}
