import Foundation
import LoopsealCrypto
import LoopsealStore

/// A new key as `keygen` writes it: the key file's text (a creation comment, the public key
/// as a comment, then the secret key) and the public key people share.
public struct GeneratedKey: Sendable {
    /// What kind of key to make.
    public enum Kind: Sendable {
        /// An age X25519 identity (`AGE-SECRET-KEY-1…`), for reading secrets.
        case identity
        /// An Ed25519 writer's signing key (`LOOPSEAL-SIGNING-KEY-1…`), for signing sealed files.
        case signing
    }

    /// The public key: `age1…` for an identity, `loopsealsign1…` for a signing key.
    public let publicKey: String
    /// The key file's content. It holds the secret key: write it only to a 0600 file or stdout.
    public let fileText: String

    /// Makes a new key of `kind`, stamped with `created`.
    public init(_ kind: Kind, created: Date = Date()) throws {
        let secretKey: String
        switch kind {
        case .identity:
            let identity = try Identity.generate()
            publicKey = identity.publicKey.description
            secretKey = identity.encodedSecretKey()
        case .signing:
            let key = try SigningKey.generate()
            publicKey = key.publicKey.description
            secretKey = key.encodedSecretKey()
        }
        fileText = "# created: \(ISO8601DateFormatter().string(from: created))\n# public key: \(publicKey)\n\(secretKey)\n"
    }

    /// Writes the key file to `path` (mode 0600, atomically), making its folder (mode 0700)
    /// when missing. Refuses to overwrite anything (``KitError/keyFileExists(path:)``).
    public func write(to path: String) throws {
        guard !FileIO.exists(path) else { throw KitError.keyFileExists(path: path) }
        let directory = FileIO.parentDirectory(path)
        if !directory.isEmpty && !FileIO.isDirectory(directory) { try FileIO.makeDirectory(directory, mode: 0o700) }
        try FileIO.writeAtomically(Array(fileText.utf8), to: path, mode: 0o600)
    }
}
