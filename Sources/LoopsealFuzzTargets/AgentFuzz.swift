import Foundation
import LoopsealCrypto
import LoopsealSync

/// The agent channel's decoders with a fixed controller and agent key pair and a fixed clock
/// (``now``). Each input is tried three ways:
/// - as a request body (the outer envelope JSON): `AgentCodec.openRequest` and `openReply`;
///   an envelope that decodes must re-encode to one that decodes the same;
/// - as the boxed request (sealed from the controller to the agent, then opened as the agent
///   does); a message that opens must seal and open again to the same fields, and its payload
///   goes through the key-name reader the agent logs with;
/// - as the boxed reply (sealed from the agent to the controller, then opened as the controller does).
///
/// Refusals must carry a 4xx or 5xx status and a message.
public enum AgentFuzz {
    /// The agent's clock: 2025-06-15T15:06:40Z (the seeds' messages are dated near it).
    public static let now = Date(timeIntervalSince1970: 1_750_000_000)
    /// The reply id and payload the controller expects.
    static let expectedID = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    static let expectedPayload = Array("API_KEY='x'\n".utf8)

    static let controller = identity(0x11)
    static let agent = identity(0x22)

    /// A fixed test identity whose secret key is 32 copies of `byte`.
    public static func identity(_ byte: UInt8) -> Identity {
        guard let secret = try? SecureBytes(copying: [UInt8](repeating: byte, count: 32)),
              let identity = try? Identity(secretKey: secret) else {
            fatalError("cannot make the fixed fuzz identity")
        }
        return identity
    }

    /// Runs one input.
    public static func run(_ bytes: [UInt8]) {
        asEnvelope(bytes)
        asRequestPlaintext(bytes)
        asReplyPlaintext(bytes)
    }

    static func asEnvelope(_ bytes: [UInt8]) {
        if let envelope = try? AgentEnvelope.decode(bytes) {
            do {
                FuzzCheck.require(try AgentEnvelope.decode(envelope.encoded()) == envelope, "envelope round trip differs")
            } catch {
                FuzzCheck.require(false, "a re-encoded envelope does not decode: \(error)")
            }
        }
        do {
            _ = try AgentCodec.openRequest(bytes, identity: agent, authorized: [controller.publicKey], now: now)
        } catch {
            check(error)
        }
        do {
            _ = try AgentCodec.openReply(bytes, identity: controller, agentKey: agent.publicKey,
                                         expectedID: expectedID, payload: expectedPayload)
        } catch {
            check(error)
        }
    }

    static func asRequestPlaintext(_ bytes: [UInt8]) {
        let body = AgentEnvelope.seal(bytes, from: controller, to: agent.publicKey).encoded()
        let message: AgentMessage
        do {
            message = try AgentCodec.openRequest(body, identity: agent, authorized: [controller.publicKey], now: now).message
        } catch {
            check(error)
            return
        }
        _ = PayloadKeys.names(in: message.payload)
        let again = AgentCodec.sealRequest(message, from: controller, to: agent.publicKey)
        do {
            let (sender, reopened) = try AgentCodec.openRequest(again, identity: agent, authorized: [controller.publicKey], now: now)
            FuzzCheck.require(sender == controller.publicKey, "the sender changed")
            FuzzCheck.require(reopened.v == message.v && reopened.ts == message.ts && reopened.id == message.id
                              && reopened.target == message.target && reopened.payload == message.payload,
                              "a message differs after sealing and opening it again")
        } catch {
            FuzzCheck.require(false, "a message that opened does not open after sealing it again: \(error)")
        }
    }

    static func asReplyPlaintext(_ bytes: [UInt8]) {
        let body = AgentEnvelope.seal(bytes, from: agent, to: controller.publicKey).encoded()
        do {
            let reply = try AgentCodec.openReply(body, identity: controller, agentKey: agent.publicKey,
                                                 expectedID: expectedID, payload: expectedPayload)
            FuzzCheck.require(reply.id == expectedID, "a reply for another id was accepted")
        } catch {
            check(error)
        }
    }

    static func check(_ refusal: AgentRefusal) {
        FuzzCheck.require((400..<600).contains(refusal.status), "refusal status \(refusal.status)")
        FuzzCheck.require(!refusal.message.isEmpty, "a refusal without a message")
    }
}
