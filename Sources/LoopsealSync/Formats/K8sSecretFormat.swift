/// Renders a Kubernetes `v1/Secret` manifest (YAML) for `kubectl apply -f`.
///
/// ```yaml
/// apiVersion: v1
/// kind: Secret
/// metadata:
///   name: "loopseal-secrets"
///   namespace: "prod"        # only when FormatOptions.namespace is set
/// type: Opaque
/// data:
///   "KEY": "dmFsdWU="        # standard base64 of the value bytes
/// ```
///
/// Values travel as base64, so every byte string is carried exactly; they are still held
/// to the common rule (valid UTF-8, no NUL) so every format accepts the same values. Keys,
/// name and namespace are double-quoted so YAML never reads them as numbers, booleans or
/// null. Keys must be valid Secret data keys (`[-._a-zA-Z0-9]+`, at most 253 characters,
/// not `.` or `..`) and unique; `metadata.name` must be a DNS-1123 subdomain and
/// `metadata.namespace` a DNS-1123 label, as the API server requires. No entries render
/// `data: {}`.
enum K8sSecretFormat {
    /// Longest Secret name (DNS-1123 subdomain).
    static let maxNameLength = 253
    /// Longest namespace (DNS-1123 label).
    static let maxNamespaceLength = 63
    /// Longest Secret data key.
    static let maxKeyLength = 253

    /// Renders the manifest, or throws for an invalid option or the first unrepresentable entry.
    static func render(_ entries: [EnvEntry], options: FormatOptions) throws(FormatError) -> String {
        try validateName(options.name)
        if let namespace = options.namespace { try validateNamespace(namespace) }

        var output = "apiVersion: v1\nkind: Secret\nmetadata:\n"
        output += "  name: " + YAMLFormat.quoted(options.name) + "\n"
        if let namespace = options.namespace {
            output += "  namespace: " + YAMLFormat.quoted(namespace) + "\n"
        }
        output += "type: Opaque\n"
        guard !entries.isEmpty else { return output + "data: {}\n" }
        output += "data:\n"
        var seen: Set<String> = []
        for entry in entries {
            _ = try EntryText.value(of: entry, format: .k8s)
            try validateKey(entry.key)
            guard seen.insert(entry.key).inserted else {
                throw .unrepresentable(
                    key: entry.key, format: OutputFormat.k8s.rawValue,
                    reason: "the key appears more than once, and a Secret holds each key once")
            }
            output += "  " + YAMLFormat.quoted(entry.key) + ": \"" + Base64.encode(entry.value) + "\"\n"
        }
        return output
    }

    /// Throws unless `key` is a valid Secret data key.
    private static func validateKey(_ key: String) throws(FormatError) {
        let bytes = Array(key.utf8)
        let allowed = bytes.allSatisfy { byte in
            isLowerAlphanumeric(byte) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
        }
        guard !bytes.isEmpty, bytes.count <= maxKeyLength, allowed, key != ".", key != ".." else {
            throw .unrepresentable(
                key: key, format: OutputFormat.k8s.rawValue,
                reason: "not a valid Secret data key (letters, digits, '-', '_' and '.', at most"
                    + " \(maxKeyLength) characters, not '.' or '..')")
        }
    }

    /// Throws unless `name` is a DNS-1123 subdomain.
    private static func validateName(_ name: String) throws(FormatError) {
        let bytes = Array(name.utf8)
        let labels = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard !bytes.isEmpty, bytes.count <= maxNameLength, labels.allSatisfy(isDNSLabel) else {
            throw .invalidOption(
                format: OutputFormat.k8s.rawValue, option: "name",
                reason: "\(String(reflecting: name)) is not a DNS-1123 subdomain (lowercase letters,"
                    + " digits, '-' and '.', each dot-separated part starting and ending with a"
                    + " letter or digit, at most \(maxNameLength) characters)")
        }
    }

    /// Throws unless `namespace` is a DNS-1123 label.
    private static func validateNamespace(_ namespace: String) throws(FormatError) {
        let bytes = Array(namespace.utf8)
        guard bytes.count <= maxNamespaceLength, isDNSLabel(bytes[...]) else {
            throw .invalidOption(
                format: OutputFormat.k8s.rawValue, option: "namespace",
                reason: "\(String(reflecting: namespace)) is not a DNS-1123 label (lowercase"
                    + " letters, digits and '-', starting and ending with a letter or digit, at"
                    + " most \(maxNamespaceLength) characters)")
        }
    }

    /// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`
    private static func isDNSLabel(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard let first = bytes.first, let last = bytes.last,
            isLowerAlphanumeric(first), isLowerAlphanumeric(last)
        else { return false }
        return bytes.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") }
    }

    /// `[a-z0-9]`
    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }
}
