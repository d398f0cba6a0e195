/// Who the sealed files a read opened are sealed to, beside the recipients `workspace.yaml`
/// lists: what a reader needs to tell files sealed to another list (which `loopseal rekey`
/// fixes). Gathered by the read itself, so nothing is read twice; public keys and names only.
public struct SealedRecipients: Sendable, Equatable {
    /// One sealed file and the `age1…` keys its data key is sealed to.
    public struct File: Sendable, Equatable {
        /// The secret's key.
        public var key: String
        /// The file's path, as errors name it.
        public var path: String
        /// The `age1…` recipients of the file, sorted; empty for a secret without a value.
        public var recipients: [String]

        /// Creates a file entry.
        public init(key: String, path: String, recipients: [String]) {
            self.key = key
            self.path = path
            self.recipients = recipients
        }
    }

    /// The recipients `workspace.yaml` lists, in file order.
    public var listed: [Recipient]
    /// The files read, ordered by key.
    public var files: [File]

    /// Creates a view of what a read saw.
    public init(listed: [Recipient] = [], files: [File] = []) {
        self.listed = listed
        self.files = files
    }
}

extension SealedRecipients.File {
    /// The entry for `secret`, stored at `path`.
    public init(_ secret: SealedSecret, path: String) {
        self.init(key: secret.key, path: path, recipients: secret.recipients.keys.sorted())
    }
}

extension SealedRecipients {
    /// An `age1…` key shortened for messages: its first 12 and last 4 characters.
    public static func shortKey(_ key: String) -> String {
        key.count > 16 ? String(key.prefix(12)) + "…" + String(key.suffix(4)) : key
    }
}
