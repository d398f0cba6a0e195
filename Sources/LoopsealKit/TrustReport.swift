import LoopsealCrypto

/// What a pinned-trust check (``PinnedTrust``) found under a repository root.
public struct TrustReport: Sendable, Equatable {
    /// One workspace checked.
    public struct Checked: Sendable, Equatable {
        /// The workspace id.
        public var id: String
        /// The pinned key whose valid signature `workspace.yaml` carries, or nil when it is refused.
        public var configSigner: SigningPublicKey?
        /// Sealed files checked.
        public var files: Int

        /// Creates an entry.
        public init(id: String, configSigner: SigningPublicKey?, files: Int) {
            self.id = id
            self.configSigner = configSigner
            self.files = files
        }
    }

    /// The workspaces checked, by id.
    public var workspaces: [Checked]
    /// Every file refused, in the order checked: `workspace.yaml` before its sealed files.
    public var refusals: [TrustRefusal]

    /// Creates a report.
    public init(workspaces: [Checked] = [], refusals: [TrustRefusal] = []) {
        self.workspaces = workspaces
        self.refusals = refusals
    }

    /// True when at least one workspace was checked and nothing was refused.
    public var isTrusted: Bool { refusals.isEmpty && !workspaces.isEmpty }
}
