import LoopsealCrypto

/// One file a pinned-trust check refuses, and why. Never holds a secret value.
public struct TrustRefusal: Sendable, Equatable, CustomStringConvertible {
    /// Why the file is refused.
    public enum Reason: Sendable, Equatable {
        /// The file carries no signature.
        case unsigned
        /// Signed by a key the trust file does not pin (for `workspace.yaml`, even when the
        /// file lists that key as a writer: a file cannot vouch for itself).
        case unpinned(signer: SigningPublicKey)
        /// A sealed file signed by a pinned key that `workspace.yaml` does not list as a writer.
        case unlisted(signer: SigningPublicKey)
        /// Signed by a pinned key, but the signature does not match the content: changed after
        /// signing, or copied from another file.
        case mismatch(signer: SigningPublicKey)
        /// The file is missing or does not parse; `problem` is the error, naming the file.
        case unreadable(problem: String)
    }

    /// The file refused.
    public var file: String
    /// Why.
    public var reason: Reason
    /// The trust file the pinned keys came from, for messages.
    public var trustFile: String
    /// The signer's name when `workspace.yaml` lists its key as a writer.
    public var signerName: String?

    /// Creates a refusal.
    public init(file: String, reason: Reason, trustFile: String, signerName: String? = nil) {
        self.file = file
        self.reason = reason
        self.trustFile = trustFile
        self.signerName = signerName
    }

    private var isConfig: Bool { file.hasSuffix("workspace.yaml") }

    public var description: String {
        let signer = { (key: SigningPublicKey) in signerName.map { "\($0) (\(key))" } ?? "\(key)" }
        switch reason {
        case .unsigned:
            return isConfig
                ? "\(file): refused: not signed; a host that pins writers accepts workspace.yaml only when a pinned writer signed it ('loopseal writers sign')"
                : "\(file): refused: not signed by a writer"
        case .unpinned(let key):
            return "\(file): refused: signed by \(signer(key)), a key not pinned in \(trustFile)"
                + (isConfig ? " (workspace.yaml must be signed by a pinned writer; one it merely lists is not enough)" : "")
        case .unlisted(let key):
            return "\(file): refused: signed by pinned key \(key), which workspace.yaml does not list under writers"
        case .mismatch(let key):
            return "\(file): refused: the signature by \(signer(key)) does not match the content (changed after signing, or copied from another file)"
        case .unreadable(let problem):
            return "refused: \(problem)"
        }
    }
}
