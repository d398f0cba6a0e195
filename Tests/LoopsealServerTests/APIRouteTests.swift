import Foundation
import Hummingbird
import HummingbirdTesting
import LoopsealCrypto
import LoopsealServer
import LoopsealStore
import Testing

@Suite("REST API routes")
struct APIRouteTests {
    let fixture: ServerFixture
    let app: Application<RouterResponder<ServerRequestContext>>

    init() throws {
        fixture = try ServerFixture()
        app = Application(router: LoopsealHTTPServer.router(core: fixture.core))
    }

    @Test("no token or a wrong token gets 401 as JSON")
    func unauthorized() async throws {
        try await app.test(.router) { client in
            let none = try await client.call("/api/v1/workspaces/alpha/secrets", token: nil)
            #expect(none.status == .unauthorized)
            #expect(none.errorCode == "unauthorized")
            #expect(none.headers[.contentType]?.hasPrefix("application/json") == true)
            let wrong = try await client.call("/api/v1/workspaces/alpha/secrets", token: "lst_000000000000_" + String(repeating: "0", count: 64))
            #expect(wrong.status == .unauthorized)
            let garbage = try await client.call("/api/v1/workspaces", token: "not-a-token")
            #expect(garbage.status == .unauthorized)
        }
    }

    @Test("GET /workspaces lists only the token's workspaces")
    func workspaces() async throws {
        try await app.test(.router) { client in
            let response = try await client.call("/api/v1/workspaces", token: fixture.readerAlpha)
            #expect(response.status == .ok)
            #expect(response.json as? [[String: String]] == [["id": "alpha"]])
        }
    }

    @Test("create, list, upsert, update and delete a secret; values are sealed and never returned")
    func crud() async throws {
        try await app.test(.router) { client in
            let created = try await client.call("/api/v1/workspaces/alpha/secrets", .post, token: fixture.writerAlpha,
                                                json: #"{"key":"API_KEY","value":"\#(ServerFixture.canary)"}"#)
            #expect(created.status == .created)
            let item = try #require(created.json as? [String: Any])
            #expect(item["key"] as? String == "API_KEY")
            #expect(item["hasValue"] as? Bool == true)
            let id = try #require(item["id"] as? String)
            #expect(try fixture.reveal("API_KEY") == ServerFixture.canary)

            let again = try await client.call("/api/v1/workspaces/alpha/secrets", .post, token: fixture.writerAlpha,
                                              json: #"{"key":"API_KEY","value":"x"}"#)
            #expect(again.status == .conflict)
            #expect(again.errorCode == "exists")

            let list = try await client.call("/api/v1/workspaces/alpha/secrets", token: fixture.readerAlpha)
            #expect(list.status == .ok)
            let items = try #require(list.json as? [[String: Any]])
            #expect(items.count == 1)
            #expect(Set(items[0].keys) == ["id", "key", "hasValue"])

            let upserted = try await client.call("/api/v1/workspaces/alpha/secrets/upsert", .put, token: fixture.writerAlpha,
                                                 json: #"{"value":"line1\nline2 \u00e9 \ud83d\ude00","key":"API_KEY"}"#)
            #expect(upserted.status == .ok)
            #expect((upserted.json as? [String: Any])?["id"] as? String == id)
            #expect(try fixture.reveal("API_KEY") == "line1\nline2 é 😀")

            let updated = try await client.call("/api/v1/workspaces/alpha/secrets/\(id)", .put, token: fixture.writerAlpha,
                                                json: #"{"value":"v3"}"#)
            #expect(updated.status == .ok)
            #expect(try fixture.reveal("API_KEY") == "v3")

            let missing = try await client.call("/api/v1/workspaces/alpha/secrets/00000000-0000-0000-0000-000000000000", .put,
                                                token: fixture.writerAlpha, json: #"{"value":"v"}"#)
            #expect(missing.status == .notFound)

            let readerDelete = try await client.call("/api/v1/workspaces/alpha/secrets/\(id)", .delete, token: fixture.writerAlpha)
            #expect(readerDelete.status == .forbidden)
            #expect(readerDelete.errorCode == "forbidden")
            let deleted = try await client.call("/api/v1/workspaces/alpha/secrets/\(id)", .delete, token: fixture.adminAlpha)
            #expect(deleted.status == .ok)
            #expect(deleted.json as? [String: Bool] == ["success": true])
            let gone = try await client.call("/api/v1/workspaces/alpha/secrets/\(id)", .delete, token: fixture.adminAlpha)
            #expect(gone.status == .notFound)
            for response in [created, list, upserted, updated] { #expect(!response.text.contains(ServerFixture.canary)) }
        }
    }

    @Test("a reader cannot write and a writer cannot delete or start runs (403)")
    func roles() async throws {
        try await app.test(.router) { client in
            let write = try await client.call("/api/v1/workspaces/alpha/secrets/upsert", .put, token: fixture.readerAlpha,
                                              json: #"{"key":"A","value":"b"}"#)
            #expect(write.status == .forbidden)
            let start = try await client.call("/api/v1/workspaces/alpha/runs", .post, token: fixture.writerAlpha, json: #"{"workflow":"ask"}"#)
            #expect(start.status == .forbidden)
            #expect(try SecretService(workspace: try fixture.alpha).keyNames().isEmpty)
        }
    }

    @Test("a token scoped to one workspace gets 404 for another, existing or not")
    func crossWorkspace() async throws {
        try await app.test(.router) { client in
            try SecretService(workspace: try Workspace(root: fixture.root, id: "beta")).upsert(key: "BETA_KEY", value: try SecureBytes(copying: Array("b".utf8)))
            for (uri, method, body) in [
                ("/api/v1/workspaces/beta/secrets", HTTPRequest.Method.get, nil as String?),
                ("/api/v1/workspaces/beta/secrets", .post, #"{"key":"X","value":"y"}"#),
                ("/api/v1/workspaces/beta/secrets/upsert", .put, #"{"key":"X","value":"y"}"#),
                ("/api/v1/workspaces/beta/runs", .post, #"{"workflow":"ask"}"#),
                ("/api/v1/workspaces/beta/runs/abcdef012345", .get, nil),
                ("/api/v1/workspaces/nosuch/secrets", .get, nil),
            ] {
                let response = try await client.call(uri, method, token: fixture.adminAlpha, json: body)
                #expect(response.status == .notFound, "\(method) \(uri)")
                #expect(response.errorCode == "not_found")
                #expect(!response.text.contains("BETA_KEY"))
            }
            #expect(try SecretService(workspace: try Workspace(root: fixture.root, id: "beta")).keyNames() == ["BETA_KEY"])
        }
    }

    @Test("'..' and other escapes in any path part get 400", arguments: [
        "/api/v1/workspaces/../secrets",
        "/api/v1/workspaces/%2e%2e/secrets",
        "/api/v1/workspaces/alpha/secrets/..%2F..%2Fworkspace.yaml",
        "/api/v1/workspaces/alpha/runs/%2e%2e",
        "/api/v1/workspaces/alpha%2F..%2Fbeta/secrets",
        "/api/v1/workspaces/Alpha/secrets",
        "/api/v1/workspaces/alpha/runs/ABC",
        "/api/v1/workspaces/alpha/secrets/not-hex!",
    ])
    func traversal(uri: String) async throws {
        try await app.test(.router) { client in
            let method: HTTPRequest.Method = uri.contains("/secrets/") ? .put : .get
            let response = try await client.call(uri, method, token: fixture.adminAlpha, json: method == .put ? #"{"value":"v"}"# : nil)
            #expect(response.status == .badRequest, "\(uri)")
            #expect(response.errorCode == "invalid_request")
        }
    }

    @Test("bad bodies: 400 invalid JSON or fields, 413 over 64 KiB, 415 wrong content type")
    func bodies() async throws {
        try await app.test(.router) { client in
            let uri = "/api/v1/workspaces/alpha/secrets/upsert"
            for body in [#"{"key":"A""#, #"{"key":"A","value":5}"#, #"{"key":"A"}"#, #"{"key":"A","value":"v","extra":1}"#,
                         #"{"key":"A","value":"v","value":"w"}"#, #"["A"]"#, #"{"key":"A","value":"\x"}"#, #"{"key":"1A","value":"v"}"#,
                         #"{"key":"A","value":"v"} trailing"#, "{\"key\":\"A\",\"value\":\"\u{1}\"}"] {
                let response = try await client.call(uri, .put, token: fixture.writerAlpha, json: body)
                #expect(response.status == .badRequest, "\(body)")
                #expect(response.errorCode == "invalid_request")
            }
            let big = #"{"key":"BIG","value":""# + String(repeating: "a", count: 70 * 1024) + #""}"#
            let tooLarge = try await client.call(uri, .put, token: fixture.writerAlpha, json: big)
            #expect(tooLarge.status == .contentTooLarge)
            #expect(tooLarge.errorCode == "body_too_large")
            let wrongType = try await client.call(uri, .put, token: fixture.writerAlpha, json: #"{"key":"A","value":"v"}"#, contentType: "text/plain")
            #expect(wrongType.status == .unsupportedMediaType)
            #expect(wrongType.errorCode == "unsupported_media_type")
            let charset = try await client.call(uri, .put, token: fixture.writerAlpha, json: #"{"key":"A","value":"v"}"#,
                                                contentType: "application/json; charset=utf-8")
            #expect(charset.status == .ok)
            #expect(try SecretService(workspace: try fixture.alpha).keyNames() == ["A"])
        }
    }

    @Test("the bytes of a secret write are zeroed where they arrived once read")
    func bodyZeroed() async throws {
        try await app.test(.router) { client in
            let body = ByteBuffer(string: #"{"key":"ZEROED","value":"zero-me-please"}"#)
            let response = try await client.execute(uri: "/api/v1/workspaces/alpha/secrets/upsert", method: .put,
                                                    headers: [.authorization: "Bearer \(fixture.writerAlpha)", .contentType: "application/json"],
                                                    body: body)
            #expect(response.status == .ok)
            #expect(body.readableBytesView.allSatisfy { $0 == 0 })
            #expect(try fixture.reveal("ZEROED") == "zero-me-please")
        }
    }

    @Test("unknown routes under /api answer JSON 404")
    func unknownRoute() async throws {
        try await app.test(.router) { client in
            let response = try await client.call("/api/v1/nothing", token: fixture.readerAlpha)
            #expect(response.status == .notFound)
            #expect(response.errorCode == "not_found")
        }
    }

    @Test("start a run, read it, fire its transition; reader can read, 404/400 for unknown and invalid runs")
    func runs() async throws {
        try await app.test(.router) { client in
            let started = try await client.call("/api/v1/workspaces/alpha/runs", .post, token: fixture.adminAlpha,
                                                json: #"{"workflow":"ask","input":{"who":"test"}}"#)
            #expect(started.status == .created)
            let run = try #require(started.json as? [String: Any])
            #expect(run["status"] as? String == "waiting")
            #expect(run["place"] as? String == "asking")
            #expect(run["requestedKeys"] as? [String] == ["API_KEY", "DB_PASSWORD"])
            #expect(run["missingKeys"] as? [String] == ["API_KEY", "DB_PASSWORD"])
            #expect(run["waitingFor"] as? [String] == ["submitted"])
            let id = try #require(run["id"] as? String)

            let shown = try await client.call("/api/v1/workspaces/alpha/runs/\(id)", token: fixture.readerAlpha)
            #expect(shown.status == .ok)
            #expect((shown.json as? [String: Any])?["status"] as? String == "waiting")
            #expect((shown.json as? [String: Any])?["documents"] as? [[String: Any]] != nil)

            let listed = try await client.call("/api/v1/workspaces/alpha/runs", token: fixture.readerAlpha)
            #expect((listed.json as? [[String: Any]])?.first?["id"] as? String == id)

            let readerFire = try await client.call("/api/v1/workspaces/alpha/runs/\(id)/transitions/submitted", .post, token: fixture.readerAlpha)
            #expect(readerFire.status == .forbidden)
            let wrongTransition = try await client.call("/api/v1/workspaces/alpha/runs/\(id)/transitions/report", .post, token: fixture.writerAlpha)
            #expect(wrongTransition.status == .conflict)

            try SecretService(workspace: try fixture.alpha).upsert(key: "API_KEY", value: try SecureBytes(copying: Array("k".utf8)))
            let fired = try await client.call("/api/v1/workspaces/alpha/runs/\(id)/transitions/submitted", .post, token: fixture.writerAlpha,
                                              json: #"{"payload":{"keys":["API_KEY"]}}"#)
            #expect(fired.status == .ok)
            let done = try #require(fired.json as? [String: Any])
            #expect(done["status"] as? String == "completed")
            let report = (done["documents"] as? [[String: Any]])?.last?["markdown"] as? String ?? ""
            #expect(report.contains("API_KEY: has value"))
            #expect(report.contains("DB_PASSWORD: missing"))

            let again = try await client.call("/api/v1/workspaces/alpha/runs/\(id)/transitions/submitted", .post, token: fixture.writerAlpha)
            #expect(again.status == .conflict)
            let unknownRun = try await client.call("/api/v1/workspaces/alpha/runs/0123456789ab", token: fixture.readerAlpha)
            #expect(unknownRun.status == .notFound)
            let unknownWorkflow = try await client.call("/api/v1/workspaces/alpha/runs", .post, token: fixture.adminAlpha, json: #"{"workflow":"nope"}"#)
            #expect(unknownWorkflow.status == .notFound)
            let pathWorkflow = try await client.call("/api/v1/workspaces/alpha/runs", .post, token: fixture.adminAlpha,
                                                     json: #"{"workflow":"workflows/ask.yaml"}"#)
            #expect(pathWorkflow.status == .notFound)
            let noWorkflow = try await client.call("/api/v1/workspaces/alpha/runs", .post, token: fixture.adminAlpha, json: #"{"input":{}}"#)
            #expect(noWorkflow.status == .badRequest)
        }
    }

    @Test("a revoked token is refused at once")
    func revoke() async throws {
        let (token, record) = try fixture.core.tokens.create(workspaces: ["alpha"], role: .reader)
        try await app.test(.router) { client in
            #expect(try await client.call("/api/v1/workspaces/alpha/secrets", token: token).status == .ok)
            try TokenStore(directory: fixture.state).revoke(id: record.id)
            #expect(try await client.call("/api/v1/workspaces/alpha/secrets", token: token).status == .unauthorized)
        }
    }

    @Test("every write is audited with token id, workspace, action and key, never the value")
    func audit() async throws {
        try await app.test(.router) { client in
            _ = try await client.call("/api/v1/workspaces/alpha/secrets", .post, token: fixture.writerAlpha,
                                      json: #"{"key":"AUDITED","value":"\#(ServerFixture.canary)"}"#)
            _ = try await client.call("/api/v1/workspaces/alpha/secrets/upsert", .put, token: fixture.writerAlpha,
                                      json: #"{"key":"AUDITED","value":"\#(ServerFixture.canary)2"}"#)
            let id = try #require(try SecretService(workspace: try fixture.alpha).find(key: "AUDITED")?.id)
            _ = try await client.call("/api/v1/workspaces/alpha/secrets/\(id)", .delete, token: fixture.adminAlpha)
        }
        let entries = try fixture.core.audit.entries()
        #expect(entries.map(\.action) == ["secret.create", "secret.upsert", "secret.delete"])
        #expect(entries.allSatisfy { $0.key == "AUDITED" && $0.workspace == "alpha" })
        let writer = try #require(try fixture.core.tokens.authenticate(fixture.writerAlpha))
        #expect(entries[0].token == writer.id)
        #expect(!(try fixture.stateText()).contains(ServerFixture.canary))
        #expect(!fixture.logs.text.contains(ServerFixture.canary))
        #expect(fixture.logs.text.contains("AUDITED"))
    }
}

@Suite("REST API with --git-commit")
struct APIGitTests {
    @Test("each change is one commit whose message names the key and action, never the value")
    func commits() async throws {
        let fixture = try ServerFixture(gitCommit: true)
        let app = Application(router: LoopsealHTTPServer.router(core: fixture.core))
        try await app.test(.router) { client in
            let created = try await client.call("/api/v1/workspaces/alpha/secrets", .post, token: fixture.writerAlpha,
                                                json: #"{"key":"GIT_KEY","value":"\#(ServerFixture.canary)"}"#)
            #expect(created.status == .created)
            let id = try #require((created.json as? [String: Any])?["id"] as? String)
            let deleted = try await client.call("/api/v1/workspaces/alpha/secrets/\(id)", .delete, token: fixture.adminAlpha)
            #expect(deleted.status == .ok)
        }
        let log = try ServerFixture.git(["log", "--format=%s%n%b"], in: fixture.root)
        #expect(log.contains("loopseal: create GIT_KEY in workspace alpha"))
        #expect(log.contains("loopseal: delete GIT_KEY in workspace alpha"))
        #expect(!log.contains(ServerFixture.canary))
        let status = try ServerFixture.git(["status", "--porcelain"], in: fixture.root)
        #expect(!status.contains("GIT_KEY"))
        let patches = try ServerFixture.git(["log", "-p"], in: fixture.root)
        #expect(!patches.contains(ServerFixture.canary))
    }

    @Test("values submitted through the web form become commits that name keys and the run, never the value")
    func formCommits() async throws {
        let fixture = try ServerFixture(gitCommit: true)
        let app = Application(router: LoopsealHTTPServer.router(core: fixture.core))
        try await app.test(.router) { client in
            var admin = WebBrowser()
            _ = try await admin.signIn(client, token: fixture.adminAlpha)
            let started = try await admin.post(client, "/workspaces/alpha/runs", "workflow=ask")
            let runID = try WebRoutesTests.runID(started)
            let form = "secret%3AAPI_KEY=\(ServerFixture.canary)&secret%3ADB_PASSWORD=\(ServerFixture.canary)-2"
            let submitted = try await admin.post(client, "/workspaces/alpha/runs/\(runID)/secrets", form)
            #expect(submitted.status == .seeOther)
            #expect(!admin.transcript.contains(ServerFixture.canary))
        }
        #expect(try fixture.reveal("API_KEY") == ServerFixture.canary)
        let log = try ServerFixture.git(["log", "-p", "--format=%s%n%b"], in: fixture.root)
        #expect(log.contains("loopseal: run.start ask run"))
        #expect(log.contains("loopseal: run.secrets ask run"))
        #expect(!log.contains(ServerFixture.canary))
        #expect(!(try fixture.stateText()).contains(ServerFixture.canary))
        #expect(!fixture.logs.text.contains(ServerFixture.canary))
        #expect(try ServerFixture.git(["status", "--porcelain", "--", "workspaces"], in: fixture.root).isEmpty)
    }
}
