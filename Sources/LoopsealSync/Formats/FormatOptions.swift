/// Settings some formats need besides the entries themselves.
///
/// Only `k8s` reads them today: `name` and `namespace` go into the Secret's `metadata`.
/// Other formats ignore them.
public struct FormatOptions: Sendable, Equatable {
    /// The Kubernetes Secret name; must be a DNS-1123 subdomain (at most 253 characters of
    /// lowercase letters, digits, `-` and `.`, starting and ending with a letter or digit).
    public var name: String
    /// The Kubernetes namespace, written only when non-nil; must be a DNS-1123 label (at most
    /// 63 characters of lowercase letters, digits and `-`, starting and ending with a letter
    /// or digit).
    public var namespace: String?

    /// Creates options; the defaults name the Secret `loopseal-secrets` with no namespace.
    public init(name: String = "loopseal-secrets", namespace: String? = nil) {
        self.name = name
        self.namespace = namespace
    }
}
