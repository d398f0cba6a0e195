import Foundation
import Hummingbird
import HummingbirdTesting
import LoopsealServer
import Testing

/// Issue 17: the server answered differently from what `docs/openapi.json` says in three places,
/// found by schemathesis and by the conformance test; each is pinned here.
@Suite("API: answers the OpenAPI document holds the server to")
struct APIContractRegressionTests {
    let fixture: ServerFixture
    let app: Application<RouterResponder<ServerRequestContext>>

    init() throws {
        fixture = try ServerFixture()
        app = Application(router: LoopsealHTTPServer.router(core: fixture.core))
    }

    @Test("TRACE and QUERY, methods no path has, are 405 with Allow like any other wrong method (they were 404)", arguments: ["TRACE", "QUERY"], [
        ("/healthz", "GET, HEAD"),
        ("/api/v1/workspaces", "GET, HEAD"),
        ("/api/v1/workspaces/alpha/secrets/abc", "PUT, DELETE"),
    ])
    func unusedMethodsAre405(method: String, route: (path: String, allow: String)) async throws {
        let method = try #require(HTTPRequest.Method(method))
        let (path, allow) = route
        try await app.test(.router) { client in
            let response = try await client.execute(uri: path, method: method)
            #expect(response.status == .methodNotAllowed)
            #expect(response.headers[.allow] == allow)
        }
    }

    @Test("POST /runs refuses a field other than workflow and input, naming it (a misspelt 'inputs' used to start the run without its input)")
    func startRunRefusesUnknownFields() async throws {
        try await app.test(.router) { client in
            let response = try await client.call("/api/v1/workspaces/alpha/runs", .post, token: fixture.adminAlpha,
                                                 json: #"{"workflow":"ask","inputs":{"key":"API_KEY"}}"#)
            #expect(response.status == .badRequest)
            #expect(response.errorCode == "invalid_request")
            #expect(response.text.contains("unknown field 'inputs'"), "\(response.text)")
            let runs = try await client.call("/api/v1/workspaces/alpha/runs", token: fixture.readerAlpha)
            #expect(runs.json as? [Any] != nil && (runs.json as? [Any])?.isEmpty == true, "\(runs.text)")
            let good = try await client.call("/api/v1/workspaces/alpha/runs", .post, token: fixture.adminAlpha,
                                             json: #"{"workflow":"ask","input":{}}"#)
            #expect(good.status == .created)
        }
    }

    @Test("an empty chunked body with no Content-Type is no body: a transition fires (it was 415); a non-empty one is still 415")
    func emptyChunkedBodyIsNoBody() async throws {
        try await app.test(.router) { client in
            let started = try await client.call("/api/v1/workspaces/alpha/runs", .post, token: fixture.adminAlpha, json: #"{"workflow":"ask"}"#)
            let id = try #require((started.json as? [String: Any])?["id"] as? String)
            let uri = "/api/v1/workspaces/alpha/runs/\(id)/transitions/submitted"
            let chunked: HTTPFields = [.authorization: "Bearer \(fixture.writerAlpha)", .transferEncoding: "chunked"]
            let typed = try await client.execute(uri: uri, method: .post, headers: chunked, body: ByteBuffer(string: #"{"payload":1}"#))
            #expect(typed.status == .unsupportedMediaType, "\(typed.text)")
            let fired = try await client.execute(uri: uri, method: .post, headers: chunked, body: nil)
            #expect(fired.status == .ok, "\(fired.text)")
            #expect((fired.json as? [String: Any])?["status"] as? String == "completed")

            let emptyStart = try await client.execute(uri: "/api/v1/workspaces/alpha/runs", method: .post,
                                                       headers: [.authorization: "Bearer \(fixture.adminAlpha)", .transferEncoding: "chunked"])
            #expect(emptyStart.status == .badRequest, "a required body that is empty is 400: \(emptyStart.text)")
        }
    }
}
