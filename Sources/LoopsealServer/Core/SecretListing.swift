import Hummingbird
import LoopsealStore

/// A workspace's listing as served: its entries ordered by key, and their JSON body, encoded
/// once for all the requests that serve the same listing.
struct SecretListing: Sendable {
    /// What ``SecretService/keys()`` returns: never a value.
    let items: [SecretKeyInfo]
    /// What `GET …/secrets` answers: ``APIResponse/encoded(_:)`` of `items`.
    let json: ByteBuffer

    /// Encodes `items`, ordered by key.
    init(_ items: [SecretKeyInfo]) throws {
        self.items = items
        json = ByteBuffer(bytes: try APIResponse.encoded(items))
    }
}
