import Foundation
import Hummingbird
import HummingbirdTesting
import LoopsealCrypto
@testable import LoopsealServer
import LoopsealStore
import Testing

/// A browser for `app.test(.router)`: keeps the session cookie and the page's CSRF token.
struct WebBrowser {
    var cookies: [String: String] = [:]
    var csrf: String?
    /// Every response seen: status line, headers and body, for leak checks.
    var transcript = ""

    /// The CSRF token of the first form in `html`.
    static func csrfToken(in html: String) -> String? {
        guard let range = html.range(of: #"name="csrf" value="[0-9a-f]{64}""#, options: .regularExpression) else { return nil }
        return String(html[range].dropLast().suffix(64))
    }

    mutating func request(_ client: some TestClientProtocol, _ uri: String, _ method: HTTPRequest.Method = .get,
                          form: String? = nil, contentType: String = "application/x-www-form-urlencoded") async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if !cookies.isEmpty { headers[.cookie] = cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        if form != nil { headers[.contentType] = contentType }
        let response = try await client.execute(uri: uri, method: method, headers: headers, body: form.map { ByteBuffer(string: $0) })
        for header in response.headers[values: .setCookie] {
            let pair = header.split(separator: ";")[0]
            guard let equals = pair.firstIndex(of: "=") else { continue }
            let name = String(pair[..<equals]), value = String(pair[pair.index(after: equals)...])
            cookies[name] = value.isEmpty ? nil : value
        }
        let body = String(buffer: response.body)
        if let token = Self.csrfToken(in: body) { csrf = token }
        transcript += "\(response.status)\n\(response.headers)\n\(body)\n"
        return response
    }

    /// Signs in with `token` through the sign-in form, then opens the workspaces page (for its CSRF token).
    mutating func signIn(_ client: some TestClientProtocol, token: String) async throws -> TestResponse {
        let page = try await request(client, "/signin")
        #expect(page.status == .ok)
        let response = try await request(client, "/signin", .post, form: "csrf=\(csrf ?? "")&token=\(token)")
        if response.status == .seeOther { _ = try await request(client, "/workspaces") }
        return response
    }

    /// Posts `form` with the current CSRF token.
    mutating func post(_ client: some TestClientProtocol, _ uri: String, _ form: String = "") async throws -> TestResponse {
        try await request(client, uri, .post, form: "csrf=\(csrf ?? "")" + (form.isEmpty ? "" : "&\(form)"))
    }
}

@Suite("Web routes")
struct WebRoutesTests {
    let fixture: ServerFixture
    let sessions = SessionStore()
    let app: Application<RouterResponder<ServerRequestContext>>

    /// The web pages on a router of their own, with a session store the tests can inspect.
    init() throws {
        fixture = try ServerFixture()
        let router = Router(context: ServerRequestContext.self)
        WebRoutes.add(to: router, core: fixture.core, sessions: sessions)
        app = Application(router: router)
    }

    static func percentEncoded(_ text: String) -> String {
        WebPaths.percentEncoded(text)
    }

    /// The run id in a `Location: /workspaces/alpha/runs/<id>`.
    static func runID(_ response: TestResponse) throws -> String {
        let location = try #require(response.headers[.location])
        return String(try #require(location.split(separator: "/").last))
    }

    @Test("sign-in sets an HttpOnly, SameSite=Strict session cookie and redirects to the workspaces")
    func signIn() async throws {
        try await app.test(.router) { client in
            var browser = WebBrowser()
            let page = try await browser.request(client, "/signin")
            let signInCookie = try #require(page.headers[values: .setCookie].first)
            #expect(signInCookie.hasPrefix("loopseal_signin="))
            #expect(signInCookie.contains("HttpOnly") && signInCookie.contains("SameSite=Strict"))
            let response = try await browser.request(client, "/signin", .post, form: "csrf=\(browser.csrf ?? "")&token=\(fixture.writerAlpha)")
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/workspaces")
            let cookie = try #require(response.headers[values: .setCookie].first { $0.hasPrefix("loopseal_session=") })
            #expect(cookie.contains("; HttpOnly"))
            #expect(cookie.contains("; SameSite=Strict"))
            #expect(cookie.contains("; Path=/;"))
            #expect(!cookie.contains("Secure"))
            #expect(sessions.count == 1)
            let list = try await browser.request(client, "/workspaces")
            #expect(list.status == .ok)
            #expect(String(buffer: list.body).contains(#"<a href="/workspaces/alpha">alpha</a>"#))
            #expect(!String(buffer: list.body).contains("beta"))
            #expect(!browser.transcript.contains(fixture.writerAlpha))
        }
    }

    @Test("a wrong or empty token is refused with 401 and no session")
    func wrongToken() async throws {
        try await app.test(.router) { client in
            var browser = WebBrowser()
            let wrong = try await browser.signIn(client, token: "lst_000000000000_" + String(repeating: "0", count: 64))
            #expect(wrong.status == .unauthorized)
            #expect(String(buffer: wrong.body).contains("unknown or revoked"))
            #expect(browser.cookies["loopseal_session"] == nil)
            let empty = try await browser.request(client, "/signin", .post, form: "csrf=\(browser.csrf ?? "")&token=")
            #expect(empty.status == .unauthorized)
            #expect(sessions.count == 0)
        }
    }

    @Test("signed out: GETs redirect to /signin, POSTs get 401")
    func signedOut() async throws {
        try await app.test(.router) { client in
            var browser = WebBrowser()
            for path in ["/", "/workspaces", "/workspaces/alpha", "/workspaces/alpha/runs/x"] {
                let response = try await browser.request(client, path)
                #expect(response.status == .seeOther, "\(path)")
                #expect(response.headers[.location] == "/signin")
            }
            let post = try await browser.request(client, "/workspaces/alpha/runs", .post, form: "csrf=x&workflow=ask")
            #expect(post.status == .unauthorized)
            browser.cookies["loopseal_session"] = String(repeating: "a", count: 64)
            let stale = try await browser.request(client, "/workspaces")
            #expect(stale.status == .seeOther)
            #expect(stale.headers[values: .setCookie].contains { $0.hasPrefix("loopseal_session=;") && $0.contains("Max-Age=0") })
        }
    }

    @Test("every page carries the CSP, no-store and the framing, referrer and sniffing headers")
    func securityHeaders() async throws {
        try await app.test(.router) { client in
            var browser = WebBrowser()
            _ = try await browser.signIn(client, token: fixture.adminAlpha)
            for path in ["/signin", "/workspaces", "/workspaces/alpha", "/workspaces/beta", "/", "/static/app.css"] {
                let response = try await browser.request(client, path)
                #expect(response.headers[.contentSecurityPolicy]
                    == "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'", "\(path)")
                #expect(response.headers[.cacheControl] == "no-store", "\(path)")
                #expect(response.headers[.xContentTypeOptions] == "nosniff", "\(path)")
                #expect(response.headers[try #require(HTTPFields.Element.Name("X-Frame-Options"))] == "DENY", "\(path)")
                #expect(response.headers[try #require(HTTPFields.Element.Name("Referrer-Policy"))] == "no-referrer", "\(path)")
            }
            let css = try await browser.request(client, "/static/app.css")
            #expect(css.headers[.contentType] == "text/css; charset=utf-8")
            #expect(String(buffer: css.body).contains(".badge"))
        }
    }

    @Test("a POST without the CSRF token, or with a wrong one, gets 403 with a page that says so")
    func csrf() async throws {
        try await app.test(.router) { client in
            var browser = WebBrowser()
            _ = try await browser.signIn(client, token: fixture.adminAlpha)
            let missing = try await browser.request(client, "/workspaces/alpha/runs", .post, form: "workflow=ask")
            #expect(missing.status == .forbidden)
            #expect(String(buffer: missing.body).contains("CSRF token is missing or wrong"))
            let wrong = try await browser.request(client, "/workspaces/alpha/runs", .post, form: "csrf=\(String(repeating: "0", count: 64))&workflow=ask")
            #expect(wrong.status == .forbidden)
            let signOut = try await browser.request(client, "/signout", .post, form: "csrf=nope")
            #expect(signOut.status == .forbidden)
            #expect(try await fixture.core.runs(try fixture.alpha).isEmpty)

            var stranger = WebBrowser()
            _ = try await stranger.request(client, "/signin")
            var fresh = WebBrowser()
            let noCookie = try await fresh.request(client, "/signin", .post, form: "csrf=\(stranger.csrf ?? "")&token=\(fixture.adminAlpha)")
            #expect(noCookie.status == .forbidden)
        }
    }

    @Test("another workspace, an unknown one and a bad id: 404, 404, 400")
    func scoping() async throws {
        try await app.test(.router) { client in
            var browser = WebBrowser()
            _ = try await browser.signIn(client, token: fixture.adminAlpha)
            let other = try await browser.request(client, "/workspaces/beta")
            #expect(other.status == .notFound)
            #expect(String(buffer: other.body).contains("no workspace"))
            #expect(try await browser.request(client, "/workspaces/gamma").status == .notFound)
            #expect(try await browser.post(client, "/workspaces/beta/runs", "workflow=ask").status == .notFound)
            #expect(try await browser.request(client, "/workspaces/beta/runs/abc").status == .notFound)
            #expect(try await browser.post(client, "/workspaces/beta/runs/abc/secrets", "secret:API_KEY=x").status == .notFound)
            #expect(try await browser.request(client, "/workspaces/Not%20Valid").status == .badRequest)
            #expect(try await browser.request(client, "/workspaces/alpha/runs/no-such-run").status == .notFound)
            #expect(try await fixture.core.runs(try Workspace(root: fixture.root, id: "beta")).isEmpty)
        }
    }

    @Test("roles: readers get no forms and 403 on actions; only admins start runs")
    func roles() async throws {
        try await app.test(.router) { client in
            var admin = WebBrowser()
            _ = try await admin.signIn(client, token: fixture.adminAlpha)
            let started = try await admin.post(client, "/workspaces/alpha/runs", "workflow=ask")
            let runID = try Self.runID(started)

            var reader = WebBrowser()
            _ = try await reader.signIn(client, token: fixture.readerAlpha)
            let page = try await reader.request(client, "/workspaces/alpha/runs/\(runID)")
            #expect(page.status == .ok)
            #expect(!String(buffer: page.body).contains("<textarea"))
            #expect(try await reader.post(client, "/workspaces/alpha/runs/\(runID)/secrets", "secret:API_KEY=x").status == .forbidden)
            #expect(try await reader.post(client, "/workspaces/alpha/runs/\(runID)/transitions/submitted").status == .forbidden)

            var writer = WebBrowser()
            _ = try await writer.signIn(client, token: fixture.writerAlpha)
            let workspace = try await writer.request(client, "/workspaces/alpha")
            #expect(!String(buffer: workspace.body).contains("Start a run"))
            #expect(try await writer.post(client, "/workspaces/alpha/runs", "workflow=ask").status == .forbidden)
            #expect(try await admin.post(client, "/workspaces/alpha/runs", "workflow=nope").status == .notFound)
            #expect(try await admin.post(client, "/workspaces/alpha/runs", "workflow=ask&input=%5B1%5D").status == .badRequest)
        }
    }

    @Test("the secret form stores the values and advances the run; Stored afterwards; the canary is never echoed")
    func secretForm() async throws {
        let canary = ServerFixture.canary
        try await app.test(.router) { client in
            var admin = WebBrowser()
            _ = try await admin.signIn(client, token: fixture.adminAlpha)
            let workspacePage = try await admin.request(client, "/workspaces/alpha")
            #expect(String(buffer: workspacePage.body).contains(#"<option value="ask">ask — Ask for secrets</option>"#))
            let started = try await admin.post(client, "/workspaces/alpha/runs", "workflow=ask")
            #expect(started.status == .seeOther)
            let runID = try Self.runID(started)
            #expect(started.headers[.location] == "/workspaces/alpha/runs/\(runID)")

            var writer = WebBrowser()
            _ = try await writer.signIn(client, token: fixture.writerAlpha)
            let page = try await writer.request(client, "/workspaces/alpha/runs/\(runID)")
            let html = String(buffer: page.body)
            #expect(page.status == .ok)
            #expect(html.contains(#"<textarea id="secret-API_KEY" name="secret:API_KEY" class="secret""#))
            #expect(html.contains(#"<textarea id="secret-DB_PASSWORD" name="secret:DB_PASSWORD" class="secret""#))
            #expect(html.contains("The API key"))
            let before = try await writer.request(client, "/workspaces/alpha")
            #expect(String(buffer: before.body).contains(#"<code>API_KEY</code></td><td><span class="badge missing">Missing</span>"#))

            // A submission that leaves a requested key empty is refused and stores nothing.
            let partial = try await writer.post(client, "/workspaces/alpha/runs/\(runID)/secrets",
                                                "secret%3AAPI_KEY=\(Self.percentEncoded(canary))&secret%3ADB_PASSWORD=")
            #expect(partial.status == .badRequest)
            #expect(String(buffer: partial.body).contains("DB_PASSWORD"))
            #expect(try await fixture.core.listSecrets(try fixture.alpha).allSatisfy { !$0.hasValue })

            let submitted = try await writer.post(client, "/workspaces/alpha/runs/\(runID)/secrets",
                                                  "secret%3AAPI_KEY=\(Self.percentEncoded(canary))&secret%3ADB_PASSWORD=\(Self.percentEncoded(canary + "-2"))")
            #expect(submitted.status == .seeOther)
            #expect(submitted.headers[.location] == "/workspaces/alpha/runs/\(runID)")
            #expect(try fixture.reveal("API_KEY") == canary)
            #expect(try fixture.reveal("DB_PASSWORD") == canary + "-2")

            let done = try await writer.request(client, "/workspaces/alpha/runs/\(runID)")
            let doneHTML = String(buffer: done.body)
            #expect(doneHTML.contains(#"<span class="badge status-completed">completed</span>"#))
            #expect(doneHTML.contains("API&#95;KEY: has value"))
            #expect(!doneHTML.contains("<textarea"))
            let after = try await writer.request(client, "/workspaces/alpha")
            #expect(String(buffer: after.body).contains(#"<code>API_KEY</code></td><td><span class="badge stored">Stored</span>"#))
            #expect(String(buffer: after.body).contains(#"<code>DB_PASSWORD</code></td><td><span class="badge stored">Stored</span>"#))

            let again = try await writer.post(client, "/workspaces/alpha/runs/\(runID)/secrets", "secret%3AAPI_KEY=\(Self.percentEncoded(canary))")
            #expect(again.status == .conflict)

            for transcript in [admin.transcript, writer.transcript] { #expect(!transcript.contains(canary)) }
            #expect(!fixture.logs.text.contains(canary))
            #expect(!(try fixture.stateText()).contains(canary))
        }
    }

    @Test("a multi-line value posted as a browser does (CR LF) is stored with LF; spaces and tabs are kept")
    func multiLine() async throws {
        let pem = ["-----BEGIN PRIVATE KEY-----", "MC4CAQAwBQYDK2VwBCIEIB\(ServerFixture.canary.prefix(12))+/=",
                   "Zm9vYmFyYmF6cXV4", "cXV1eA==", "-----END PRIVATE KEY-----"].joined(separator: "\n") + "\n"
        let spaced = "  lead and trail\t  \t"
        try await app.test(.router) { client in
            var browser = WebBrowser()
            _ = try await browser.signIn(client, token: fixture.adminAlpha)
            let runID = try Self.runID(try await browser.post(client, "/workspaces/alpha/runs", "workflow=ask"))
            let crlf = Self.percentEncoded(pem.replacingOccurrences(of: "\n", with: "\r\n"))
            let submitted = try await browser.post(client, "/workspaces/alpha/runs/\(runID)/secrets",
                                                   "secret%3AAPI_KEY=\(crlf)&secret%3ADB_PASSWORD=\(Self.percentEncoded(spaced))")
            #expect(submitted.status == .seeOther)
            #expect(try fixture.reveal("API_KEY") == pem)
            #expect(try fixture.reveal("DB_PASSWORD") == spaced)
            #expect(!browser.transcript.contains("MC4CAQAwBQYDK2VwBCIEIB"))
            #expect(!fixture.logs.text.contains("MC4CAQAwBQYDK2VwBCIEIB"))
        }
    }

    @Test("the posted form's bytes are zeroed once read")
    func bodyZeroed() async throws {
        try await app.test(.router) { client in
            var browser = WebBrowser()
            _ = try await browser.signIn(client, token: fixture.adminAlpha)
            let runID = try Self.runID(try await browser.post(client, "/workspaces/alpha/runs", "workflow=ask"))
            let body = ByteBuffer(string: "csrf=\(browser.csrf ?? "")&secret%3AAPI_KEY=zero-me&secret%3ADB_PASSWORD=zero-me-too")
            let headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded",
                                       .cookie: "loopseal_session=\(browser.cookies["loopseal_session"] ?? "")"]
            let response = try await client.execute(uri: "/workspaces/alpha/runs/\(runID)/secrets", method: .post, headers: headers, body: body)
            #expect(response.status == .seeOther)
            #expect(body.readableBytesView.allSatisfy { $0 == 0 })
            #expect(try fixture.reveal("API_KEY") == "zero-me")
        }
    }

    @Test("a transition button fires the run's manual transition and redirects back")
    func transitionButton() async throws {
        try await app.test(.router) { client in
            var admin = WebBrowser()
            _ = try await admin.signIn(client, token: fixture.adminAlpha)
            let runID = try Self.runID(try await admin.post(client, "/workspaces/alpha/runs", "workflow=ask"))
            let workspace = try fixture.alpha
            for key in ["API_KEY", "DB_PASSWORD"] {
                _ = try await fixture.core.upsertSecret(workspace, key: key, value: try SecureBytes(copying: Array("v".utf8)),
                                                        token: try #require(fixture.core.authenticate(bearer: fixture.adminAlpha)))
            }
            let fired = try await admin.post(client, "/workspaces/alpha/runs/\(runID)/transitions/submitted")
            #expect(fired.status == .seeOther)
            #expect(fired.headers[.location] == "/workspaces/alpha/runs/\(runID)")
            #expect(try await fixture.core.run(workspace, id: runID).status == .completed)
            let unknown = try await admin.post(client, "/workspaces/alpha/runs/\(runID)/transitions/submitted")
            #expect(unknown.status == .conflict)
        }
    }

    @Test("forms: 415 for another content type, 413 over 64 KiB, 400 for a malformed escape")
    func formErrors() async throws {
        try await app.test(.router) { client in
            var browser = WebBrowser()
            _ = try await browser.signIn(client, token: fixture.adminAlpha)
            let json = try await browser.request(client, "/workspaces/alpha/runs", .post, form: "{}", contentType: "application/json")
            #expect(json.status == .unsupportedMediaType)
            let big = try await browser.post(client, "/workspaces/alpha/runs", "workflow=" + String(repeating: "a", count: FormBody.maxBytes))
            #expect(big.status == .contentTooLarge)
            let malformed = try await browser.post(client, "/workspaces/alpha/runs", "workflow=%zz")
            #expect(malformed.status == .badRequest)
            #expect(String(buffer: malformed.body).contains("field &#x27;workflow&#x27; has a malformed percent-escape"))
        }
    }

    @Test("revoking the token ends its sessions at once; sign-out deletes the session")
    func revocationAndSignOut() async throws {
        try await app.test(.router) { client in
            var browser = WebBrowser()
            _ = try await browser.signIn(client, token: fixture.writerAlpha)
            #expect(try await browser.request(client, "/workspaces").status == .ok)
            let record = try #require(try fixture.core.authenticate(bearer: fixture.writerAlpha))
            _ = try fixture.core.tokens.revoke(id: record.id)
            #expect(try await browser.request(client, "/workspaces").status == .seeOther)
            #expect(sessions.count == 0)

            var other = WebBrowser()
            _ = try await other.signIn(client, token: fixture.adminAlpha)
            _ = try await other.request(client, "/workspaces")
            let session = try #require(other.cookies["loopseal_session"])
            let out = try await other.post(client, "/signout")
            #expect(out.status == .seeOther)
            #expect(out.headers[.location] == "/signin")
            #expect(sessions.session(id: session) == nil)
            other.cookies["loopseal_session"] = session
            #expect(try await other.request(client, "/workspaces").status == .seeOther)
        }
    }
}
