import LoopsealCrypto
import LoopsealStore

/// Adding and removing the writers whose signatures readers accept (`writers:` in
/// `workspace.yaml`, edited under the workspace lock), and signing `workspace.yaml` itself.
/// Sealed files are not re-signed: the result names the files readers now refuse, for a writer
/// to check and sign. The saved `workspace.yaml` is signed with the key `signingKeys` finds
/// when it is a writer the new file lists (docs/FORMAT.md §8, "The signed workspace file").
public enum WriterChanges {
    /// Checks a new writer's name and parses its `loopsealsign1…` key, before anything is loaded.
    public static func newWriter(name: String, publicKey: String) throws -> Writer {
        guard Names.isValidRecipientName(name) else { throw StoreError.invalidWriterName(name) }
        do {
            return Writer(name: name, publicKey: try SigningPublicKey(string: publicKey))
        } catch let error as CryptoError {
            throw KitError.invalidWriterKey(name: name, problem: "\(error)")
        }
    }

    /// Adds `writer` (from ``newWriter(name:publicKey:)``); refuses a name or key already listed.
    public static func add(_ writer: Writer, to workspace: Workspace, signingKeys: SigningKeyLoader? = nil) throws -> WriterChange {
        let signing = try workspace.withLock {
            var config = try workspace.loadConfig()
            if config.writers.contains(where: { $0.name == writer.name || $0.publicKey == writer.publicKey }) {
                throw StoreError.duplicateWriter(name: writer.name)
            }
            config.writers.append(writer)
            return try workspace.saveConfig(config, signingKeys: signingKeys)
        }
        return WriterChange(refused: refused(in: workspace), configSigning: signing)
    }

    /// Removes writer `name`, refusing to remove the last one (``KitError/lastWriter(name:)``).
    public static func remove(name: String, from workspace: Workspace, signingKeys: SigningKeyLoader? = nil) throws -> WriterChange {
        let signing = try workspace.withLock {
            var config = try workspace.loadConfig()
            guard let index = config.writers.firstIndex(where: { $0.name == name }) else {
                throw StoreError.unknownWriter(name: name, known: config.writers.map(\.name))
            }
            guard config.writers.count > 1 else { throw KitError.lastWriter(name: name) }
            config.writers.remove(at: index)
            return try workspace.saveConfig(config, signingKeys: signingKeys)
        }
        return WriterChange(refused: refused(in: workspace), configSigning: signing)
    }

    /// Signs `workspace.yaml` as it is with the key `signingKeys` finds, which must be a listed
    /// writer (a missing key is an error); its text is kept where only the signature changes.
    public static func signConfig(of workspace: Workspace, signingKeys: SigningKeyLoader) throws -> ConfigSigning {
        try workspace.withLock {
            try workspace.saveConfig(try workspace.loadConfig(), signingKeys: signingKeys, resign: true)
        }
    }

    /// The secrets without a valid signature by a listed writer; empty when they cannot be listed.
    public static func refused(in workspace: Workspace) -> [String] {
        ((try? SecretService(workspace: workspace).signatureProblems()) ?? []).map(\.key)
    }
}
