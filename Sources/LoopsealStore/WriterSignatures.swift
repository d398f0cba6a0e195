import LoopsealCrypto

/// Writer signatures (docs/FORMAT.md §8). When `workspace.yaml` lists `writers:`, every sealed
/// file must carry an Ed25519 signature by one of them over ``signedBytes(of:workspaceID:writer:)``,
/// and files that do not are refused before anything is decrypted. Without writers nothing is
/// signed or checked.
public struct WriterSignatures: Sendable {
    /// The workspace id bound into every signature.
    public let workspaceID: String
    /// The writers whose signatures are accepted.
    public let writers: [Writer]

    /// Checks signatures for `workspaceID` against `writers`.
    public init(workspaceID: String, writers: [Writer]) {
        self.workspaceID = workspaceID
        self.writers = writers
    }

    /// The writers of `config`.
    public init(_ config: WorkspaceConfig) {
        self.init(workspaceID: config.workspace, writers: config.writers)
    }

    /// True when the workspace lists writers, so files must be signed.
    public var required: Bool { !writers.isEmpty }

    /// Context line that starts every signed message (domain separation).
    static let context = "loopseal-signature/1\n"

    /// The exact bytes a writer signs: the context line, `workspace: <id>` and
    /// `writer: <loopsealsign1…>` lines, then the canonical content lines of the file
    /// (``SealedSecretCodec`` body: `loopseal:` through the last recipient). Every line ends in LF.
    public static func signedBytes(of secret: SealedSecret, workspaceID: String, writer: SigningPublicKey) -> [UInt8] {
        Array((context + "workspace: \(workspaceID)\n" + "writer: \(writer)\n" + SealedSecretCodec.body(secret)).utf8)
    }

    /// `secret` signed by `key` (any earlier signature is replaced).
    public func sign(_ secret: SealedSecret, with key: SigningKey) -> SealedSecret {
        var signed = secret
        let message = Self.signedBytes(of: secret, workspaceID: workspaceID, writer: key.publicKey)
        signed.signature = SealedSecret.Signature(writer: key.publicKey, ed25519: key.sign(message))
        return signed
    }

    /// Throws unless `secret` is signed by a listed writer and the signature verifies; does
    /// nothing when no writers are listed. `file` names the file in errors.
    public func verify(_ secret: SealedSecret, file: String) throws {
        guard required else { return }
        guard let signature = secret.signature else { throw StoreError.unsigned(file: file) }
        guard let writer = writers.first(where: { $0.publicKey == signature.writer }) else {
            throw StoreError.signedByNonWriter(file: file, writer: signature.writer.description, writers: writers.map(\.name))
        }
        let message = Self.signedBytes(of: secret, workspaceID: workspaceID, writer: writer.publicKey)
        guard writer.publicKey.isValidSignature(signature.ed25519, of: message) else {
            throw StoreError.badSignature(file: file, writer: writer.name)
        }
    }

    /// The signing key to write with: loaded from `loader` and required to be a listed writer.
    /// Nil when no writers are listed (files are then written unsigned).
    public func signingKey(from loader: SigningKeyLoader) throws -> SigningKey? {
        guard required else { return nil }
        guard let (key, source) = try loader.find() else {
            throw StoreError.noSigningKey(workspace: workspaceID, writers: writers.map(\.name), searched: loader.searched)
        }
        guard writers.contains(where: { $0.publicKey == key.publicKey }) else {
            throw StoreError.notAWriter(workspace: workspaceID, source: source, publicKey: key.publicKey.description,
                                        writers: writers.map(\.name))
        }
        return key
    }
}
