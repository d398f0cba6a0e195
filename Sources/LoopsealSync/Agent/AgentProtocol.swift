import Foundation
import LoopsealCrypto
import LoopsealDiagnostics

/// Constants of the agent channel, version 1 (DESIGN.md §7, docs/agent-protocol.md).
public enum AgentProtocol {
    /// The protocol version carried in every envelope and message.
    public static let version = 1
    /// The largest request body an agent reads (1 MiB); larger ones get 413.
    public static let maxBodyBytes = 1 << 20
    /// A message older than this many seconds is refused as stale.
    public static let maxAge: Int64 = 300
    /// A message dated more than this many seconds ahead of the agent's clock is refused.
    public static let maxAhead: Int64 = 60
    /// Random bytes in a message id.
    public static let idBytes = 24
    /// Where controllers post messages.
    public static let syncPath = "/v1/sync"
    /// The unauthenticated liveness probe.
    public static let healthPath = "/healthz"
}

/// Why an agent refused a request: an HTTP status and a message that says what to do.
/// Never holds payload content.
public struct AgentRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// Machine-readable kinds of refusal.
    public enum Kind: String, Sendable {
        case malformed, unsupportedVersion, unknownSender, cannotOpen, stale, future, replayed, tooLarge, internalError
    }

    /// What went wrong.
    public var kind: Kind
    /// The HTTP status the agent answers with.
    public var status: Int
    /// The explanation sent as `{"error": …}`.
    public var message: String

    /// Creates a refusal.
    public init(_ kind: Kind, status: Int, _ message: String) {
        self.kind = kind
        self.status = status
        self.message = message
    }

    /// A malformed request (400).
    public static func malformed(_ message: String) -> AgentRefusal { AgentRefusal(.malformed, status: 400, message) }

    /// The body exceeds ``AgentProtocol/maxBodyBytes`` (413).
    public static var tooLarge: AgentRefusal {
        AgentRefusal(.tooLarge, status: 413, "request body is larger than \(AgentProtocol.maxBodyBytes) bytes: sync fewer keys to this target, or split it")
    }

    /// The message.
    public var description: String { message }

    /// The JSON error body `{"error":"…"}`.
    public var jsonBody: [UInt8] { AgentJSON.errorBody(message) }
}

/// The outer JSON of requests and replies: `{"v":1,"sender":"age1…","nonce":"<base64>","box":"<base64>"}`.
public struct AgentEnvelope: Codable, Sendable, Equatable {
    /// Protocol version (1).
    public var v: Int
    /// The sender's `age1…` key; the box was made with its secret key.
    public var sender: String
    /// Base64 of the 24-byte `crypto_box` nonce.
    public var nonce: String
    /// Base64 of the `crypto_box_easy` ciphertext and tag.
    public var box: String

    /// Creates an envelope from its fields.
    public init(v: Int = AgentProtocol.version, sender: String, nonce: String, box: String) {
        self.v = v
        self.sender = sender
        self.nonce = nonce
        self.box = box
    }

    /// Boxes `plaintext` from `sender` to `recipient` with a fresh nonce.
    public static func seal(_ plaintext: [UInt8], from sender: Identity, to recipient: PublicKey) -> AgentEnvelope {
        let (nonce, box) = Box.seal(plaintext, to: recipient, from: sender)
        return AgentEnvelope(sender: sender.publicKey.description, nonce: Data(nonce).base64EncodedString(),
                             box: Data(box).base64EncodedString())
    }

    /// Parses an envelope, checking its shape and version (not yet who sent it).
    public static func decode(_ bytes: [UInt8]) throws(AgentRefusal) -> AgentEnvelope {
        let envelope: AgentEnvelope
        do {
            envelope = try JSONDecoder().decode(AgentEnvelope.self, from: Data(bytes))
        } catch {
            throw .malformed("body is not a loopseal agent envelope: expected JSON {\"v\":1,\"sender\":\"age1…\",\"nonce\":\"<base64>\",\"box\":\"<base64>\"}")
        }
        guard envelope.v == AgentProtocol.version else {
            throw AgentRefusal(.unsupportedVersion, status: 400, "envelope version \(envelope.v) is not supported: this side speaks v\(AgentProtocol.version); run the same loopseal version on both sides")
        }
        return envelope
    }

    /// The sender's key, parsed.
    public func senderKey() throws(AgentRefusal) -> PublicKey {
        do { return try PublicKey(string: sender) } catch {
            throw .malformed("'sender' is not an age1… public key")
        }
    }

    /// Opens the box with `identity`, expecting it came from `sender`. The plaintext is in secure memory.
    public func open(with identity: Identity, from sender: PublicKey) throws(AgentRefusal) -> SecureBytes {
        guard let nonceBytes = Data(base64Encoded: nonce), nonceBytes.count == Box.nonceBytes else {
            throw .malformed("'nonce' must be base64 of \(Box.nonceBytes) bytes")
        }
        guard let boxBytes = Data(base64Encoded: box) else { throw .malformed("'box' is not base64") }
        do {
            return try Box.open(Array(boxBytes), nonce: Array(nonceBytes), from: sender, to: identity)
        } catch {
            throw AgentRefusal(.cannotOpen, status: 403, "the box does not open with this agent's key and the sender's key: it was sealed for another agent or altered in transit; check the target's 'agent:' key in workspace.yaml")
        }
    }

    /// The envelope as compact JSON.
    public func encoded() -> [UInt8] { AgentJSON.encode(self) }
}

/// The boxed request: `{"v":1,"ts":<unix seconds>,"id":"<base64 of 24 random bytes>","target":"<name>","payload":"<text>"}`.
public struct AgentMessage: Codable, Sendable {
    /// Protocol version (1).
    public var v: Int
    /// When the controller made the message, in Unix seconds.
    public var ts: Int64
    /// Base64 of ``AgentProtocol/idBytes`` random bytes; an agent accepts each id once.
    public var id: String
    /// The controller's target name (for logs).
    public var target: String
    /// The rendered file content, written to the agent's env file as it is.
    public var payload: String

    /// Creates a message; by default dated now with a fresh random id.
    public init(target: String, payload: String, ts: Int64 = Int64(Date().timeIntervalSince1970),
                id: String = Data(Random.bytes(AgentProtocol.idBytes)).base64EncodedString()) {
        self.v = AgentProtocol.version
        self.ts = ts
        self.id = id
        self.target = target
        self.payload = payload
    }
}

/// The boxed reply: `{"v":1,"id":"<request id>","sha256":"<hex of the env file now>","changed":true|false}`.
public struct AgentReply: Codable, Sendable, Equatable {
    /// Protocol version (1).
    public var v: Int
    /// The id of the message this answers.
    public var id: String
    /// Lowercase hex SHA-256 of what the env file holds after the sync.
    public var sha256: String
    /// Whether the file content changed (and the restart command ran).
    public var changed: Bool

    /// Creates a reply.
    public init(id: String, sha256: String, changed: Bool) {
        self.v = AgentProtocol.version
        self.id = id
        self.sha256 = sha256
        self.changed = changed
    }
}

/// Both ends of the channel: sealing and opening requests and replies.
public enum AgentCodec {
    /// The HTTP body for `message`, boxed from `controller` to `agentKey`.
    public static func sealRequest(_ message: AgentMessage, from controller: Identity, to agentKey: PublicKey) -> [UInt8] {
        var plaintext = AgentJSON.encode(message)
        defer { wipe(&plaintext) }
        return AgentEnvelope.seal(plaintext, from: controller, to: agentKey).encoded()
    }

    /// Opens a request body on the agent: checks the version, that the sender is in `authorized`,
    /// that the box opens, and that the message is fresh relative to `now`. Replays are the caller's check.
    public static func openRequest(_ body: [UInt8], identity: Identity, authorized: Set<PublicKey>,
                                   now: Date) throws(AgentRefusal) -> (sender: PublicKey, message: AgentMessage) {
        let envelope = try AgentEnvelope.decode(body)
        let sender = try envelope.senderKey()
        guard authorized.contains(sender) else {
            throw AgentRefusal(.unknownSender, status: 403, "sender \(sender) is not authorized: add it to the agent's --authorized-keys file and restart the agent")
        }
        let plaintext = try envelope.open(with: identity, from: sender)
        let message: AgentMessage
        do {
            message = try plaintext.withUnsafeBytes { try JSONDecoder().decode(AgentMessage.self, from: Data($0)) }
        } catch {
            throw .malformed("the boxed message is not {\"v\",\"ts\",\"id\",\"target\",\"payload\"} JSON")
        }
        guard message.v == AgentProtocol.version else {
            throw AgentRefusal(.unsupportedVersion, status: 400, "message version \(message.v) is not supported: run the same loopseal version on both sides")
        }
        guard let id = Data(base64Encoded: message.id), id.count == AgentProtocol.idBytes else {
            throw .malformed("message 'id' must be base64 of \(AgentProtocol.idBytes) random bytes")
        }
        let clock = Int64(now.timeIntervalSince1970)
        // Compared without subtracting `ts`, which any value of Int64 may hold.
        if message.ts < clock - AgentProtocol.maxAge {
            let age = clock.subtractingReportingOverflow(message.ts)
            throw AgentRefusal(.stale, status: 400, "message is \(age.overflow ? "far too" : "\(age.partialValue) s") old (limit \(AgentProtocol.maxAge) s): check the controller's and agent's clocks (NTP) and sync again")
        }
        if message.ts > clock + AgentProtocol.maxAhead {
            throw AgentRefusal(.future, status: 400, "message is dated \(message.ts.subtractingReportingOverflow(clock).partialValue) s in the future (limit \(AgentProtocol.maxAhead) s): check the controller's and agent's clocks (NTP)")
        }
        return (sender, message)
    }

    /// The HTTP body of a successful reply, boxed from the agent back to the sender.
    public static func sealReply(_ reply: AgentReply, from agent: Identity, to controller: PublicKey) -> [UInt8] {
        AgentEnvelope.seal(AgentJSON.encode(reply), from: agent, to: controller).encoded()
    }

    /// Opens and verifies a reply on the controller: it must come from `agentKey`, answer
    /// `expectedID`, and report the SHA-256 of `payload`. Errors say what did not match.
    public static func openReply(_ body: [UInt8], identity: Identity, agentKey: PublicKey,
                                 expectedID: String, payload: [UInt8]) throws(AgentRefusal) -> AgentReply {
        let envelope = try AgentEnvelope.decode(body)
        guard (try? envelope.senderKey()) == agentKey else {
            throw AgentRefusal(.unknownSender, status: 502, "the reply comes from \(envelope.sender), not the target's agent key \(agentKey): check the target's 'url' and 'agent' in workspace.yaml")
        }
        let plaintext = try envelope.open(with: identity, from: agentKey)
        let reply: AgentReply
        do {
            reply = try plaintext.withUnsafeBytes { try JSONDecoder().decode(AgentReply.self, from: Data($0)) }
        } catch {
            throw .malformed("the boxed reply is not {\"v\",\"id\",\"sha256\",\"changed\"} JSON")
        }
        guard reply.id == expectedID else {
            throw .malformed("the reply answers another message (id mismatch): the agent may be replaying old replies; sync again")
        }
        let expected = Hash.hex(Hash.sha256(payload))
        guard reply.sha256 == expected else {
            throw .malformed("the agent reports SHA-256 \(reply.sha256) for its env file, but the payload sent hashes to \(expected): the file was not written as sent; check the agent's log")
        }
        return reply
    }

    static func wipe(_ bytes: inout [UInt8]) {
        for index in bytes.indices { bytes[index] = 0 }
    }
}

/// Compact, stable JSON for the channel.
enum AgentJSON {
    static func encode<T: Encodable>(_ value: T) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain structs of strings, numbers and booleans cannot fail.
        return (try? Array(encoder.encode(value))) ?? Array("{}".utf8)
    }

    static func errorBody(_ message: String) -> [UInt8] { encode(["error": message]) }
}

extension AgentRefusal: LoopsealError {}
