import LoopsealCrypto

/// One secret write an API request asked for, waiting in its workspace's write queue to be
/// applied with the others in the next batch (``ServerCore/commitSecretWrites(_:_:)``).
struct SecretWrite: Sendable {
    /// What the request does to its key.
    enum Operation: Sendable {
        /// Create the key with this value; 409 when it exists.
        case create(SecureBytes)
        /// Set the key, creating it when needed.
        case upsert(SecureBytes)
        /// Replace the value of the secret with this id; 404 when there is none.
        case update(id: String, SecureBytes)
        /// Delete the secret with this id; 404 when there is none.
        case delete(id: String)
    }

    /// The key written (for an id, the key it named when the request was checked).
    let key: String
    let operation: Operation
    /// The id of the token that asked, for the audit line.
    let token: String

    /// `create`, `upsert`, `update` or `delete`: the audit action is `secret.` and this.
    var action: String {
        switch operation {
        case .create: "create"
        case .upsert: "upsert"
        case .update: "update"
        case .delete: "delete"
        }
    }
}
