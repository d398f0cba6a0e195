import Foundation
import LoopsealCrypto
@testable import LoopsealSync
import Testing

@Suite("agent protocol codec")
struct AgentProtocolTests {
    let controller: Identity
    let agent: Identity

    init() throws {
        controller = try Identity.generate()
        agent = try Identity.generate()
    }

    @Test("a request opens on the agent with the sender's identity and every field intact")
    func requestRoundTrip() throws {
        let message = AgentMessage(target: "web1", payload: "A='1'\nB='two\nlines'\n")
        let body = AgentCodec.sealRequest(message, from: controller, to: agent.publicKey)
        let envelope = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
        #expect(Set((envelope ?? [:]).keys) == ["v", "sender", "nonce", "box"])
        #expect(envelope?["v"] as? Int == 1)
        #expect(envelope?["sender"] as? String == controller.publicKey.description)
        #expect(!String(decoding: body, as: UTF8.self).contains("two"))
        let (sender, opened) = try AgentCodec.openRequest(body, identity: agent, authorized: [controller.publicKey], now: Date())
        #expect(sender == controller.publicKey)
        #expect(opened.payload == message.payload)
        #expect(opened.id == message.id)
        #expect(opened.target == "web1")
        #expect(Data(base64Encoded: opened.id)?.count == 24)
    }

    @Test("the boxed message is the documented JSON")
    func messageShape() throws {
        let message = AgentMessage(target: "t", payload: "K='v'\n", ts: 1_700_000_000, id: Data(repeating: 7, count: 24).base64EncodedString())
        let text = String(decoding: AgentJSON.encode(message), as: UTF8.self)
        #expect(text == #"{"id":"BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcH","payload":"K='v'\n","target":"t","ts":1700000000,"v":1}"#)
    }

    @Test("refusals: unknown sender, other agent, stale, future, bad id, bad version")
    func refusals() throws {
        let now = Date()
        let clock = Int64(now.timeIntervalSince1970)
        func open(_ message: AgentMessage, from: Identity? = nil, to: PublicKey? = nil) -> AgentRefusal.Kind? {
            let body = AgentCodec.sealRequest(message, from: from ?? controller, to: to ?? agent.publicKey)
            do {
                _ = try AgentCodec.openRequest(body, identity: agent, authorized: [controller.publicKey], now: now)
                return nil
            } catch { return error.kind }
        }
        #expect(open(AgentMessage(target: "t", payload: "")) == nil)
        #expect(open(AgentMessage(target: "t", payload: ""), from: try Identity.generate()) == .unknownSender)
        #expect(open(AgentMessage(target: "t", payload: ""), to: try Identity.generate().publicKey) == .cannotOpen)
        #expect(open(AgentMessage(target: "t", payload: "", ts: clock - 301)) == .stale)
        #expect(open(AgentMessage(target: "t", payload: "", ts: clock - 300)) == nil)
        #expect(open(AgentMessage(target: "t", payload: "", ts: clock + 61)) == .future)
        #expect(open(AgentMessage(target: "t", payload: "", ts: clock + 60)) == nil)
        #expect(open(AgentMessage(target: "t", payload: "", ts: .min)) == .stale)
        #expect(open(AgentMessage(target: "t", payload: "", ts: .max)) == .future)
        #expect(open(AgentMessage(target: "t", payload: "", id: "short")) == .malformed)
        var old = AgentMessage(target: "t", payload: "")
        old.v = 2
        #expect(open(old) == .unsupportedVersion)
    }

    @Test("the controller verifies replies: sender, id and hash")
    func replyVerification() throws {
        let payload = Array("A='1'\n".utf8)
        let hash = Hash.hex(Hash.sha256(payload))
        let good = AgentCodec.sealReply(AgentReply(id: "abc", sha256: hash, changed: true), from: agent, to: controller.publicKey)
        let reply = try AgentCodec.openReply(good, identity: controller, agentKey: agent.publicKey, expectedID: "abc", payload: payload)
        #expect(reply == AgentReply(id: "abc", sha256: hash, changed: true))

        #expect(throws: AgentRefusal.self) {
            try AgentCodec.openReply(good, identity: controller, agentKey: agent.publicKey, expectedID: "other", payload: payload)
        }
        #expect(throws: AgentRefusal.self) {
            try AgentCodec.openReply(good, identity: controller, agentKey: agent.publicKey, expectedID: "abc", payload: Array("A='2'\n".utf8))
        }
        let impostor = try Identity.generate()
        let forged = AgentCodec.sealReply(AgentReply(id: "abc", sha256: hash, changed: true), from: impostor, to: controller.publicKey)
        #expect(throws: AgentRefusal.self) {
            try AgentCodec.openReply(forged, identity: controller, agentKey: agent.publicKey, expectedID: "abc", payload: payload)
        }
    }

    @Test("authorized-keys files: keys, names, comments, and errors naming the line")
    func authorizedKeys() throws {
        let a = try Identity.generate().publicKey
        let b = try Identity.generate().publicKey
        let keys = try AuthorizedKeys.parse("# controllers\n\n\(a) ci-deploy\n  \(b)  # alice\n", source: "keys")
        #expect(keys.keys == [a, b])
        #expect(keys.label(a) == "ci-deploy")
        #expect(keys.label(b) == "alice")
        #expect(throws: (any Error).self) { try AuthorizedKeys.parse("\(a)\nnot-a-key\n", source: "keys") }
        #expect(throws: (any Error).self) { try AuthorizedKeys.parse("# empty\n", source: "keys") }
    }

    @Test("log key names come only from payloads the formats render, never from inside values")
    func payloadKeyNames() throws {
        let entries = [EnvEntry(key: "A", value: Array("x\nEVIL=1".utf8)), EnvEntry(key: "B_2", value: Array("it's \\ \r".utf8))]
        for format in [OutputFormat.dotenv, .shell, .json] {
            let text = try format.render(entries)
            #expect(PayloadKeys.names(in: text)?.sorted() == ["A", "B_2"], "\(format)")
        }
        #expect(PayloadKeys.names(in: "A='unterminated\nEVIL=1\n") == nil)
        #expect(PayloadKeys.names(in: "A=1\n EVIL=2\n") == nil)
        #expect(PayloadKeys.names(in: "") == [])
    }
}
