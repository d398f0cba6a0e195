import Foundation
import LoopsealCrypto

/// `workspaces/<id>/exposure.yaml`, committed with the workspace: every removal of a recipient,
/// and which secrets with a value that recipient could read then. It holds names, public keys,
/// dates and fingerprints, never a value (``ExposureLedgerCodec`` reads and writes it).
///
/// Each secret has two fingerprints. `sealed` is BLAKE2b-256 of the value's ciphertext: public
/// already (it is in the sealed file), unchanged by a rekey, changed by any new seal. `value`
/// is ``KeyedFingerprint`` of the value under a random key made for that removal and sealed
/// only to the recipients left (``Removal/fingerprintKey``): it changes only when the value
/// changes, and neither the removed recipient nor anyone outside the workspace can test a
/// guess against it, however short the value.
public struct ExposureLedger: Sendable, Equatable {
    /// The file's name in the workspace folder.
    public static let fileName = "exposure.yaml"
    /// The largest ledger read.
    public static let sizeLimit = 8 << 20

    /// Removals, oldest first.
    public var removals: [Removal]

    /// A ledger with `removals`.
    public init(removals: [Removal] = []) {
        self.removals = removals
    }

    /// The ledger's path in `workspace`.
    public static func path(in workspace: Workspace) -> String { "\(workspace.directory)/\(fileName)" }

    /// The ledger of `workspace`; empty when it has none. A link, a special file, a file over
    /// ``sizeLimit`` or one that does not parse is an error naming the file.
    public static func load(from workspace: Workspace) throws -> ExposureLedger {
        let path = path(in: workspace)
        try FileIO.checkReplaceable(path)
        guard let bytes = try FileIO.contentsIfExists(path, limit: sizeLimit, followSymlinks: false, kind: "exposure ledger") else {
            return ExposureLedger()
        }
        return try ExposureLedgerCodec.decode(bytes, file: path)
    }

    /// Writes the ledger atomically (call while holding the workspace lock).
    public func save(to workspace: Workspace) throws {
        let path = Self.path(in: workspace)
        try FileIO.checkReplaceable(path)
        try FileIO.writeAtomically(ExposureLedgerCodec.encode(self), to: path)
    }

    /// One `recipients rm`.
    public struct Removal: Sendable, Equatable {
        /// The recipient's name in `workspace.yaml`.
        public var recipient: String
        /// Their `age1…` public key.
        public var publicKey: String
        /// When, ISO 8601 in UTC.
        public var removedAt: String
        /// Who removed them (the remover's recipient name, else their user name).
        public var removedBy: String
        /// The removal's fingerprint key sealed to each recipient left (`age1…` -> sealed box);
        /// empty when the values were not opened (`--no-rekey`).
        public var fingerprintKey: [String: [UInt8]]
        /// The secrets they could read, ordered by key.
        public var secrets: [Secret]

        /// Creates a removal record.
        public init(recipient: String, publicKey: String, removedAt: String, removedBy: String,
                    fingerprintKey: [String: [UInt8]], secrets: [Secret]) {
            self.recipient = recipient
            self.publicKey = publicKey
            self.removedAt = removedAt
            self.removedBy = removedBy
            self.fingerprintKey = fingerprintKey
            self.secrets = secrets
        }
    }

    /// One secret a removed recipient could read.
    public struct Secret: Sendable, Equatable {
        /// The secret's key.
        public var key: String
        /// BLAKE2b-256 of the value's ciphertext at removal, hex.
        public var sealed: String
        /// ``KeyedFingerprint`` of the value (context: the key), hex; nil when not opened.
        public var value: String?

        /// Creates an entry.
        public init(key: String, sealed: String, value: String?) {
            self.key = key
            self.sealed = sealed
            self.value = value
        }

        /// The `sealed` fingerprint of a value's ciphertext.
        public static func sealedFingerprint(of ciphertext: [UInt8]) -> String { Hash.hex(Hash.blake2b(ciphertext)) }
    }
}
