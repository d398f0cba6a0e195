import Foundation
import LoopsealCrypto

/// The signature of `workspace.yaml` itself (docs/FORMAT.md §8, "The signed workspace file"):
/// an Ed25519 signature by a writer over ``signedBytes(of:writer:)``, written as the file's
/// `signature:` block. It covers everything a reader acts on (the workspace id, recipients,
/// writers and every target as composed) and none of the file's spelling. Whether a signer is
/// trusted is the caller's decision: listed writers for ordinary reads, pinned keys for a
/// following host.
public enum WorkspaceSignature {
    /// What a `workspace.yaml` signature says about the file as read.
    public enum Status: Sendable, Equatable {
        /// No `signature:` block.
        case unsigned
        /// Signed by this key, and the signature matches the content.
        case valid(SigningPublicKey)
        /// Signed by this key, but the content changed after signing (or the signature was
        /// copied from another file).
        case mismatch(SigningPublicKey)
    }

    /// Context line that starts every signed message; distinct from a sealed file's
    /// `loopseal-signature/1`, so neither signature can stand for the other.
    static let context = "loopseal-workspace-signature/1\n"

    /// The content lines a signature covers: `workspace:`, `recipients:` and `writers:` with
    /// one `  name: key` line each in file order (keys in their lower-case encoding), then
    /// `targets:` and the targets' ``ConfigNode/canonicalText`` (`[]` when there are none).
    public static func content(of config: WorkspaceConfig) -> String {
        var text = "workspace: \(config.workspace)\n"
        text += "recipients:\n"
        for recipient in config.recipients { text += "  \(recipient.name): \(recipient.publicKey)\n" }
        text += "writers:\n"
        for writer in config.writers { text += "  \(writer.name): \(writer.publicKey)\n" }
        text += "targets: \(config.targets?.canonicalText ?? "[]")\n"
        return text
    }

    /// The exact bytes `writer` signs: the context line, `writer: <loopsealsign1…>`, then
    /// ``content(of:)``. Every line ends in LF.
    public static func signedBytes(of config: WorkspaceConfig, writer: SigningPublicKey) -> [UInt8] {
        Array((context + "writer: \(writer)\n" + content(of: config)).utf8)
    }

    /// The signature of `config` by `key`.
    public static func sign(_ config: WorkspaceConfig, with key: SigningKey) -> SealedSecret.Signature {
        SealedSecret.Signature(writer: key.publicKey, ed25519: key.sign(signedBytes(of: config, writer: key.publicKey)))
    }

    /// Whether `config.signature` (as read) is present and matches `config`'s content.
    public static func status(of config: WorkspaceConfig) -> Status {
        guard let signature = config.signature else { return .unsigned }
        let message = signedBytes(of: config, writer: signature.writer)
        return signature.writer.isValidSignature(signature.ed25519, of: message) ? .valid(signature.writer) : .mismatch(signature.writer)
    }

    /// The `signature:` block as the file ends with it.
    static func block(_ signature: SealedSecret.Signature) -> String {
        "signature:\n  writer: \(signature.writer)\n  ed25519: \(Data(signature.ed25519).base64EncodedString())\n"
    }
}
