import AsyncHTTPClient
import Foundation
import LoopsealCrypto
import LoopsealStore
import NIOCore


/// `type: agent`: boxes the payload from the controller's identity to the target's `agent:` key,
/// posts it to `<url>/v1/sync`, and verifies the boxed reply (from the agent's key, same id,
/// SHA-256 of the payload sent). See docs/agent-protocol.md.
public struct AgentTargetWriter: TargetWriter {
    /// The controller's key pair: the agent must list its public key in `--authorized-keys`.
    public let identity: Identity
    /// Seconds to wait for the agent's answer.
    public var timeout: TimeInterval

    /// A writer sending as `identity`.
    public init(identity: Identity, timeout: TimeInterval = 30) {
        self.identity = identity
        self.timeout = timeout
    }

    /// Sends `payload` to the agent and verifies its reply; throws a ``SyncError`` naming the
    /// target and what to fix (unreachable, refused with the agent's reason, or a reply that does not verify).
    public func deliver(_ payload: [UInt8], to target: SyncTarget, workspace: Workspace, secrets: [[UInt8]]) throws {
        guard let urlString = target.url, let keyString = target.agentKey else {
            throw SyncError("agent target '\(target.name)' needs 'url' and 'agent' in workspace.yaml")
        }
        let agentKey: PublicKey
        do { agentKey = try PublicKey(string: keyString) } catch {
            throw SyncError("target '\(target.name)': 'agent' must be the agent's age1… public key (\(error))")
        }
        let url = try Self.endpoint(urlString, target: target.name)
        guard let text = String(bytes: payload, encoding: .utf8) else {
            throw SyncError("target '\(target.name)': the payload is not UTF-8 text; use a text format")
        }
        let message = AgentMessage(target: target.name, payload: text)
        let body = AgentCodec.sealRequest(message, from: identity, to: agentKey)
        guard body.count <= AgentProtocol.maxBodyBytes else {
            throw SyncError("target '\(target.name)': the request is \(body.count) bytes, over the agent's limit of \(AgentProtocol.maxBodyBytes): sync fewer keys to it ('keys:')")
        }
        let (status, answer) = try post(body, to: url, target: target.name)
        guard status == 200 else {
            let reason = (try? JSONDecoder().decode([String: String].self, from: Data(answer)))?["error"]
                ?? String(decoding: answer.prefix(300), as: UTF8.self)
            throw SyncError("target '\(target.name)': the agent at \(urlString) refused the sync (HTTP \(status)): \(redact(reason, secrets))")
        }
        do {
            _ = try AgentCodec.openReply(answer, identity: identity, agentKey: agentKey, expectedID: message.id, payload: payload)
        } catch {
            throw SyncError("target '\(target.name)': the reply from \(urlString) does not verify: \(error.message)")
        }
    }

    /// `<url>/v1/sync`, unless `url` already ends with that path.
    static func endpoint(_ string: String, target: String) throws -> URL {
        var base = string
        while base.hasSuffix("/") { base.removeLast() }
        if !base.hasSuffix(AgentProtocol.syncPath) { base += AgentProtocol.syncPath }
        guard let url = URL(string: base), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host != nil else {
            throw SyncError("target '\(target)': url '\(string)' is not an http:// or https:// address like http://10.0.0.5:7700")
        }
        return url
    }

    /// One client for the process, never shut down: redirects are refused (a redirected POST
    /// would carry the boxed payload to another host), and a reply over the agent protocol's
    /// size limit is refused. Proxy variables are not read: agents are reached directly.
    private static let client = HTTPClient(
        eventLoopGroup: HTTPClient.defaultEventLoopGroup,
        configuration: HTTPClient.Configuration(redirectConfiguration: .disallow))

    /// POSTs `body` with AsyncHTTPClient (SwiftNIO; https through BoringSSL and the system's
    /// trust store), so the agent client needs neither URLSession nor libcurl.
    private func post(_ body: [UInt8], to url: URL, target: String) throws -> (Int, [UInt8]) {
        do {
            var request = try HTTPClient.Request(url: url.absoluteString, method: .POST)
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(body)
            let deadline = NIODeadline.now() + .milliseconds(Int64(timeout * 1000))
            let response = try Self.client.execute(request: request, deadline: deadline).wait()
            let answer = response.body.map { Array($0.readableBytesView) } ?? []
            guard answer.count <= AgentProtocol.maxBodyBytes else {
                throw SyncError("target '\(target)': the agent at \(url.absoluteString) answered \(answer.count) bytes, over the protocol's limit of \(AgentProtocol.maxBodyBytes)")
            }
            return (Int(response.status.code), answer)
        } catch let error as SyncError {
            throw error
        } catch {
            throw SyncError("target '\(target)': cannot reach the agent at \(url.absoluteString): \(error); check that 'loopseal agent' runs there and the url is right")
        }
    }
}
