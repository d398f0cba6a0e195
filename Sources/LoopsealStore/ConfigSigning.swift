import LoopsealCrypto

/// What saving `workspace.yaml` did about its signature (``Workspace/saveConfig(_:signingKeys:resign:)``).
public enum ConfigSigning: Sendable, Equatable {
    /// Why a file that lists writers was saved without a signature by one of them.
    public enum Reason: Sendable, Equatable {
        /// No signing key was found; `searched` says where the lookup looked (empty: none was asked for).
        case noSigningKey(searched: [String])
        /// The key found (from `source`) is not a writer the saved file lists.
        case notAWriter(source: String, publicKey: SigningPublicKey)
        /// The content did not change, so nothing was signed; the file was already unsigned,
        /// signed by a key it does not list, or changed after its signature.
        case unchanged
    }

    /// No writers listed: nothing is signed.
    case notRequired
    /// Signed now by the listed writer `writer`, with the key from `source`.
    case signed(writer: Writer, source: String)
    /// The signature by the listed writer `writer` still matches the content and was kept.
    case kept(writer: Writer)
    /// Writers are listed but the file carries no valid signature by one of them.
    case unsigned(Reason)
}

extension ConfigSigning {
    /// What the signature `config` was read with is worth, for a file left as it is.
    static func current(_ config: WorkspaceConfig) -> ConfigSigning {
        guard !config.writers.isEmpty else { return .notRequired }
        if case .valid(let key) = WorkspaceSignature.status(of: config),
           let writer = config.writers.first(where: { $0.publicKey == key }) {
            return .kept(writer: writer)
        }
        return .unsigned(.unchanged)
    }

    /// The signature to write on `config` (as readers will parse the saved file) with the key
    /// `loader` finds, and what it means. When `required`, a workspace without writers, a
    /// missing key and a key that is not a listed writer are errors instead of an unsigned result.
    static func sign(_ config: WorkspaceConfig, with loader: SigningKeyLoader?,
                     required: Bool) throws -> (signature: SealedSecret.Signature?, outcome: ConfigSigning) {
        let names = config.writers.map(\.name)
        guard !config.writers.isEmpty else {
            if required { throw StoreError.noWriters(workspace: config.workspace) }
            return (nil, .notRequired)
        }
        guard let loader, let (key, source) = try loader.find() else {
            let searched = loader?.searched ?? []
            if required { throw StoreError.noSigningKey(workspace: config.workspace, writers: names, searched: searched) }
            return (nil, .unsigned(.noSigningKey(searched: searched)))
        }
        guard let writer = config.writers.first(where: { $0.publicKey == key.publicKey }) else {
            if required {
                throw StoreError.notAWriter(workspace: config.workspace, source: source, publicKey: key.publicKey.description, writers: names)
            }
            return (nil, .unsigned(.notAWriter(source: source, publicKey: key.publicKey)))
        }
        return (WorkspaceSignature.sign(config, with: key), .signed(writer: writer, source: source))
    }
}
