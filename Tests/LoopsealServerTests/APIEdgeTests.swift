import Foundation
import Hummingbird
import HummingbirdTesting
import LoopsealServer
import LoopsealStore
import LoopsealSync
import LoopsealWorkflows
import Testing

/// Requests at the edges of the routes: doubled slashes, wrong methods, HEAD, and run payloads
/// past their limit. Each gets a clear status and body, never an empty 500.
@Suite("REST API edges")
struct APIEdgeTests {
    let fixture: ServerFixture
    let app: Application<RouterResponder<ServerRequestContext>>

    init() throws {
        fixture = try ServerFixture()
        app = Application(router: LoopsealHTTPServer.router(core: fixture.core))
    }

    @Test("a path with an empty part ('//') gets 400 with a JSON body under /api, text elsewhere", arguments: [
        "//api/v1/workspaces", "/api//v1/workspaces", "/api/v1//workspaces/alpha/secrets", "//api",
    ])
    func doubledSlash(uri: String) async throws {
        try await app.test(.router) { client in
            let response = try await client.call(uri, token: fixture.readerAlpha)
            #expect(response.status == .badRequest, "\(uri)")
            #expect(response.errorCode == "invalid_request", "\(uri): \(response.text)")
            #expect(response.text.contains("'//'"))
        }
    }

    @Test("a doubled slash outside the API gets a plain 400")
    func doubledSlashWeb() async throws {
        try await app.test(.router) { client in
            let response = try await client.call("//workspaces", token: nil)
            #expect(response.status == .badRequest)
            #expect(response.text.contains("empty part"))
        }
    }

    @Test("a method a route does not take gets 405 with Allow", arguments: [
        ("/api/v1/workspaces", HTTPRequest.Method.delete, "GET, HEAD"),
        ("/api/v1/workspaces/alpha/secrets", .put, "GET, HEAD, POST"),
        ("/api/v1/workspaces/alpha/secrets/upsert", .post, "PUT"),
        ("/api/v1/workspaces/alpha/secrets/0123abcd", .get, "PUT, DELETE"),
        ("/api/v1/workspaces/alpha/runs/0123456789ab/transitions/go", .get, "POST"),
        ("/healthz", .post, "GET, HEAD"),
    ])
    func methodNotAllowed(uri: String, method: HTTPRequest.Method, allow: String) async throws {
        try await app.test(.router) { client in
            let response = try await client.call(uri, method, token: fixture.adminAlpha, json: method == .get ? nil : "{}")
            #expect(response.status == .methodNotAllowed, "\(method) \(uri)")
            #expect(response.headers[.allow] == allow, "\(method) \(uri)")
            if uri.hasPrefix("/api/") {
                #expect(response.errorCode == "method_not_allowed")
                #expect(response.text.contains("use \(allow)"))
            }
        }
    }

    @Test("a web page takes 405 too")
    func methodNotAllowedWeb() async throws {
        try await app.test(.router) { client in
            let response = try await client.call("/signin", .delete, token: nil)
            #expect(response.status == .methodNotAllowed)
            #expect(response.headers[.allow] == "GET, HEAD, POST")
        }
    }

    @Test("HEAD answers as GET, with its status and length and no body")
    func head() async throws {
        try await app.test(.router) { client in
            let get = try await client.call("/api/v1/workspaces", token: fixture.readerAlpha)
            let head = try await client.call("/api/v1/workspaces", .head, token: fixture.readerAlpha)
            #expect(head.status == .ok)
            #expect(head.body.readableBytes == 0)
            #expect(head.headers[.contentLength] == "\(get.body.readableBytes)")
            #expect(head.headers[.contentType] == get.headers[.contentType])
            let health = try await client.call("/healthz", .head, token: nil)
            #expect(health.status == .ok)
            #expect(health.body.readableBytes == 0)
            let refused = try await client.call("/api/v1/workspaces", .head, token: nil)
            #expect(refused.status == .unauthorized)
            #expect(refused.body.readableBytes == 0)
            let page = try await client.call("/signin", .head, token: nil)
            #expect(page.status == .ok)
            #expect(page.body.readableBytes == 0)
        }
    }

    @Test("a payload over the limit gets 413 and leaves the run as it was")
    func payloadLimit() async throws {
        try await app.test(.router) { client in
            let started = try await client.call("/api/v1/workspaces/alpha/runs", .post, token: fixture.adminAlpha, json: #"{"workflow":"ask"}"#)
            let id = try #require((started.json as? [String: Any])?["id"] as? String)
            let before = try await fixture.core.run(try fixture.alpha, id: id)
            let big = String(repeating: "x", count: RunLimits.maxPayloadBytes)
            let response = try await client.call("/api/v1/workspaces/alpha/runs/\(id)/transitions/submitted", .post,
                                                 token: fixture.writerAlpha, json: #"{"payload":{"note":"\#(big)"}}"#)
            #expect(response.status == .contentTooLarge)
            #expect(response.errorCode == "payload_too_large")
            #expect(response.text.contains("at most \(RunLimits.maxPayloadBytes)"))
            let after = try await fixture.core.run(try fixture.alpha, id: id)
            #expect(after.history.count == before.history.count)
            #expect(after.status == .waiting)
        }
    }
}

@Suite("agent HTTP edges")
struct AgentEdgeTests {
    @Test("HEAD /healthz answers as GET without a body; other methods get 405 with Allow")
    func methods() async throws {
        let fixture = try AgentFixture()
        let app = fixture.app(try fixture.receiver())
        try await app.test(.router) { client in
            let head = try await client.execute(uri: "/healthz", method: .head)
            #expect(head.status == .ok)
            #expect(head.body.readableBytes == 0)
            #expect(head.headers[.contentLength] == "15")
            let post = try await client.execute(uri: "/healthz", method: .post)
            #expect(post.status == .methodNotAllowed)
            #expect(post.headers[.allow] == "GET, HEAD")
            let get = try await client.execute(uri: AgentProtocol.syncPath, method: .get)
            #expect(get.status == .methodNotAllowed)
            #expect(get.headers[.allow] == "POST")
            #expect(String(buffer: get.body).contains(#""error""#))
        }
    }
}
