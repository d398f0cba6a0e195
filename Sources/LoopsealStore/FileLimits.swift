/// The most Loopseal reads of each kind of file. Everything read from a repository may be
/// hostile, so no read is unbounded; each cap leaves ample room for real files.
public enum FileLimits {
    /// The largest secret value `set`, the API and workflows store.
    public static let value = 4 << 20
    /// A sealed file: a value at ``value`` in base64, its recipients and a signature.
    public static let sealedFile = 8 << 20
    /// `workspace.yaml`.
    public static let workspaceConfig = 1 << 20
    /// A workflow, widget, template or partial file.
    public static let workflowFile = 1 << 20
    /// A `file` sync target read back to detect drift: a payload of many large values.
    public static let syncTarget = 64 << 20
    /// An identity or signing-key file.
    public static let keyFile = 1 << 20
}
