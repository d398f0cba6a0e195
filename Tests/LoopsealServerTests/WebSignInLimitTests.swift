import Foundation
import Hummingbird
import HummingbirdTesting
@testable import LoopsealServer
import Testing

@Suite("Web sign-in: sessions per token, rate limits, Secure cookies")
struct WebSignInLimitTests {
    typealias Clock = WebFormBodyTests.Clock

    /// The web pages of `core` (default: the fixture's) with `sessions` and `limiter`.
    static func app(_ fixture: ServerFixture, core: ServerCore? = nil, sessions: SessionStore = SessionStore(),
                    limiter: SignInLimiter = SignInLimiter()) -> Application<RouterResponder<ServerRequestContext>> {
        let router = Router(context: ServerRequestContext.self)
        WebRoutes.add(to: router, core: core ?? fixture.core, sessions: sessions, limiter: limiter)
        return Application(router: router)
    }

    /// Limits no test reaches, so a test can sign in as often as it needs.
    static var unlimited: SignInLimiter.Limits {
        var limits = SignInLimiter.Limits()
        limits.clientAttempts = .init(burst: 1_000_000, perMinute: 0)
        limits.serverAttempts = .init(burst: 1_000_000, perMinute: 0)
        return limits
    }

    // MARK: Sessions per token

    @Test("a token keeps only its newest sessions; signing in again ends its oldest")
    func newestPerToken() throws {
        let store = SessionStore(maxSessionsPerToken: 3)
        let created = (0..<5).compactMap { _ in store.create(tokenID: "a") }
        #expect(created.count == 5)
        #expect(store.count(tokenID: "a") == 3)
        #expect(created.prefix(2).allSatisfy { store.session(id: $0.id) == nil })
        #expect(created.suffix(3).allSatisfy { store.session(id: $0.id) != nil })
    }

    @Test("a flood of sign-ins with one token never ends another token's session; a full store refuses newcomers")
    func floodEvictsOnlyItsOwn() throws {
        let store = SessionStore(maxSessions: 4, maxSessionsPerToken: 2)
        let victim = try #require(store.create(tokenID: "victim"))
        for _ in 0..<10_000 { _ = store.create(tokenID: "flood") }
        #expect(store.session(id: victim.id) == victim)
        #expect(store.count(tokenID: "flood") == 2)
        let other = try #require(store.create(tokenID: "other"))
        #expect(store.count == 4)
        // Full of other tokens' sessions: a new token is refused, no one is signed out.
        #expect(store.create(tokenID: "newcomer") == nil)
        #expect(store.session(id: victim.id) != nil && store.session(id: other.id) != nil)
        // A token that holds a session in the full store replaces its own oldest.
        let again = try #require(store.create(tokenID: "victim"))
        #expect(store.session(id: again.id) != nil && store.session(id: victim.id) == nil)
        #expect(store.session(id: other.id) != nil && store.count == 4)
    }

    @Test("through the form: 300 sign-ins with one token leave another person's session alive")
    func floodThroughTheForm() async throws {
        let fixture = try ServerFixture()
        let sessions = SessionStore(maxSessions: 20, maxSessionsPerToken: 5)
        let app = Self.app(fixture, sessions: sessions, limiter: SignInLimiter(limits: Self.unlimited))
        try await app.test(.router) { client in
            var victim = WebBrowser()
            #expect(try await victim.signIn(client, token: fixture.writerAlpha).status == .seeOther)
            var attacker = WebBrowser()
            for _ in 0..<300 {
                #expect(try await attacker.signIn(client, token: fixture.adminAlpha).status == .seeOther)
                attacker.cookies["loopseal_session"] = nil
            }
            let admin = try #require(try fixture.core.authenticate(bearer: fixture.adminAlpha))
            #expect(sessions.count(tokenID: admin.id) == 5)
            #expect(try await victim.request(client, "/workspaces").status == .ok)
        }
    }

    @Test("a full session store answers 503 with Retry-After and a page that says why")
    func fullStore() async throws {
        let fixture = try ServerFixture()
        let sessions = SessionStore(maxSessions: 1)
        let app = Self.app(fixture, sessions: sessions)
        try await app.test(.router) { client in
            var first = WebBrowser()
            #expect(try await first.signIn(client, token: fixture.writerAlpha).status == .seeOther)
            var second = WebBrowser()
            let refused = try await second.signIn(client, token: fixture.adminAlpha)
            #expect(refused.status == .serviceUnavailable)
            #expect(refused.headers[.retryAfter] == "600")
            #expect(String(buffer: refused.body).contains("as many signed-in sessions as it can"))
            #expect(second.cookies["loopseal_session"] == nil)
            #expect(try await first.request(client, "/workspaces").status == .ok)
        }
    }

    // MARK: Rate limits

    @Test("attempts per address: a burst, then refusals with the wait; other addresses go on")
    func clientAttempts() {
        let clock = Clock()
        var limits = SignInLimiter.Limits()
        limits.clientAttempts = .init(burst: 3, perMinute: 6)
        let limiter = SignInLimiter(limits: limits, now: { clock.time })
        for _ in 0..<3 { #expect(limiter.attempt(client: "192.0.2.1") == .allowed) }
        #expect(limiter.attempt(client: "192.0.2.1") == .refused(retryAfter: 10, clientLimit: true))
        #expect(limiter.attempt(client: "192.0.2.2") == .allowed)
        clock.time += 10
        #expect(limiter.attempt(client: "192.0.2.1") == .allowed)
        #expect(limiter.attempt(client: "192.0.2.1") == .refused(retryAfter: 10, clientLimit: true))
    }

    @Test("failures per address: once used up, even the right token waits")
    func clientFailures() {
        let clock = Clock()
        var limits = SignInLimiter.Limits()
        limits.clientFailures = .init(burst: 2, perMinute: 1)
        let limiter = SignInLimiter(limits: limits, now: { clock.time })
        for _ in 0..<2 {
            #expect(limiter.attempt(client: "a") == .allowed)
            limiter.failed(client: "a")
        }
        #expect(limiter.attempt(client: "a") == .refused(retryAfter: 60, clientLimit: true))
        #expect(limiter.attempt(client: "b") == .allowed)
        clock.time += 30
        #expect(limiter.attempt(client: "a") == .refused(retryAfter: 30, clientLimit: true))
        clock.time += 30
        #expect(limiter.attempt(client: "a") == .allowed)
    }

    @Test("server-wide limits hold across addresses, and say they are the server's")
    func serverLimits() {
        let clock = Clock()
        var limits = SignInLimiter.Limits()
        limits.serverAttempts = .init(burst: 5, perMinute: 60)
        limits.serverFailures = .init(burst: 3, perMinute: 30)
        let limiter = SignInLimiter(limits: limits, now: { clock.time })
        for index in 0..<5 { #expect(limiter.attempt(client: "10.0.0.\(index)") == .allowed) }
        #expect(limiter.attempt(client: "10.0.0.99") == .refused(retryAfter: 1, clientLimit: false))
        clock.time += 60
        for index in 0..<3 { limiter.failed(client: "10.1.0.\(index)") }
        #expect(limiter.attempt(client: "10.2.0.1") == .refused(retryAfter: 2, clientLimit: false))
    }

    @Test("the table of addresses stays bounded")
    func boundedClients() {
        let clock = Clock()
        var limits = SignInLimiter.Limits()
        limits.maxClients = 100
        let limiter = SignInLimiter(limits: limits, now: { clock.time })
        for index in 0..<5_000 { _ = limiter.attempt(client: "c\(index)") }
        #expect(limiter.trackedClients <= 100)
    }

    @Test("over a real socket the limits count the connection's address")
    func liveAddress() async throws {
        let fixture = try ServerFixture()
        var limits = SignInLimiter.Limits()
        limits.clientAttempts = .init(burst: 1, perMinute: 1)
        let limiter = SignInLimiter(limits: limits)
        try await Self.app(fixture, limiter: limiter).test(.live) { client in
            var browser = WebBrowser()
            let first = try await browser.signIn(client, token: fixture.writerAlpha)
            #expect(first.status == .seeOther)
            browser.cookies["loopseal_session"] = nil
            let second = try await browser.signIn(client, token: fixture.writerAlpha)
            #expect(second.status == .tooManyRequests)
        }
        // Real clock: under load seconds pass between the refusal and this check.
        guard case .refused(let retryAfter, let clientLimit) = limiter.attempt(client: "127.0.0.1") else {
            Issue.record("127.0.0.1 was not refused")
            return
        }
        #expect(clientLimit && (1...60).contains(retryAfter))
        #expect(limiter.attempt(client: "local") == .allowed)
    }

    @Test("addresses: IPv4 as is, IPv6 by /64, IPv4-mapped as IPv4, none as local")
    func clientKeys() {
        #expect(SignInLimiter.clientKey("192.0.2.7") == "192.0.2.7")
        #expect(SignInLimiter.clientKey("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64")
        #expect(SignInLimiter.clientKey("2001:db8:1:2:ffff:ffff:ffff:fffe") == "2001:db8:1:2::/64")
        #expect(SignInLimiter.clientKey("::ffff:192.0.2.7") == "192.0.2.7")
        #expect(SignInLimiter.clientKey(nil) == "local")
        #expect(SignInLimiter.clientKey("") == "local")
    }

    @Test("through the form: past the failures allowed, 429 with Retry-After and a clear message, no session")
    func tooManyThroughTheForm() async throws {
        let fixture = try ServerFixture()
        var limits = SignInLimiter.Limits()
        limits.clientFailures = .init(burst: 3, perMinute: 2)
        let sessions = SessionStore()
        // A stopped clock: on a loaded machine the four sign-ins can take longer than the 30 s one
        // failure takes to refill, and the fourth would then be let through.
        let app = Self.app(fixture, sessions: sessions, limiter: SignInLimiter(limits: limits, now: { 1_000 }))
        try await app.test(.router) { client in
            var browser = WebBrowser()
            for _ in 0..<3 {
                let wrong = try await browser.signIn(client, token: "lst_000000000000_" + String(repeating: "0", count: 64))
                #expect(wrong.status == .unauthorized)
            }
            let refused = try await browser.signIn(client, token: fixture.adminAlpha)
            #expect(refused.status == .tooManyRequests)
            let retry = try #require(refused.headers[.retryAfter].flatMap(Int.init))
            #expect((1...30).contains(retry))
            let body = String(buffer: refused.body)
            #expect(body.contains("Too many sign-in attempts from your address. Wait \(retry) second"))
            #expect(body.contains(#"action="/signin""#))
            #expect(browser.cookies["loopseal_session"] == nil)
            #expect(sessions.count == 0)
            #expect(!browser.transcript.contains(fixture.adminAlpha))
        }
    }

    @Test("through the form: 10,000 sign-ins from one address mostly get 429 and create at most the burst of sessions")
    func tenThousand() async throws {
        let fixture = try ServerFixture()
        let sessions = SessionStore()
        let app = Self.app(fixture, sessions: sessions)
        try await app.test(.router) { client in
            var browser = WebBrowser()
            _ = try await browser.request(client, "/signin")
            let csrf = try #require(browser.csrf)
            var statuses: [HTTPResponse.Status: Int] = [:]
            for _ in 0..<10_000 {
                let response = try await client.execute(uri: "/signin", method: .post,
                                                        headers: [.contentType: "application/x-www-form-urlencoded",
                                                                  .cookie: "loopseal_signin=\(csrf)"],
                                                        body: ByteBuffer(string: "csrf=\(csrf)&token=\(fixture.adminAlpha)"))
                statuses[response.status, default: 0] += 1
            }
            let limits = SignInLimiter.Limits()
            #expect(statuses[.seeOther, default: 0] <= Int(limits.clientAttempts.burst) + 20)
            #expect(statuses[.tooManyRequests, default: 0] >= 9_900)
            #expect(sessions.count <= sessions.maxSessionsPerToken)
        }
    }

    // MARK: Secure cookies

    static func signInCookies(_ fixture: ServerFixture, _ configuration: ServerConfiguration) async throws -> [String] {
        let app = Self.app(fixture, core: try ServerCore(configuration: configuration))
        return try await app.test(.router) { client in
            var cookies: [String] = []
            var browser = WebBrowser()
            let page = try await browser.request(client, "/signin")
            cookies += page.headers[values: .setCookie]
            let signedIn = try await browser.request(client, "/signin", .post, form: "csrf=\(browser.csrf ?? "")&token=\(fixture.writerAlpha)")
            #expect(signedIn.status == .seeOther)
            cookies += signedIn.headers[values: .setCookie]
            _ = try await browser.request(client, "/workspaces")
            let out = try await browser.post(client, "/signout")
            cookies += out.headers[values: .setCookie]
            return cookies
        }
    }

    @Test("--secure-cookies and an https --public-url make every cookie Secure over plain HTTP; an http URL does not")
    func secureCookies() async throws {
        let fixture = try ServerFixture()
        let base = ServerConfiguration(root: fixture.root, stateDirectory: fixture.state)
        var flag = base
        flag.secureCookies = true
        var https = base
        https.publicURL = try PublicURL("https://secrets.example.com")
        var http = base
        http.publicURL = try PublicURL("http://intranet.example:8080")
        for configuration in [flag, https] {
            let cookies = try await Self.signInCookies(fixture, configuration)
            #expect(cookies.count == 4)  // sign-in form, session, sign-in cleared, session cleared
            for cookie in cookies { #expect(cookie.hasSuffix("; HttpOnly; SameSite=Strict; Secure"), "\(cookie)") }
        }
        for configuration in [base, http] {
            let cookies = try await Self.signInCookies(fixture, configuration)
            #expect(cookies.count == 4)
            for cookie in cookies { #expect(!cookie.contains("Secure"), "\(cookie)") }
        }
    }

    @Test("the cookie cleared for a stale session is Secure too")
    func staleSessionCookie() async throws {
        let fixture = try ServerFixture()
        let core = try ServerCore(configuration: ServerConfiguration(root: fixture.root, stateDirectory: fixture.state, secureCookies: true))
        try await Self.app(fixture, core: core).test(.router) { client in
            let stale = try await client.execute(uri: "/workspaces", method: .get,
                                                 headers: [.cookie: "loopseal_session=" + String(repeating: "a", count: 64)])
            #expect(stale.status == .seeOther)
            #expect(stale.headers[values: .setCookie] == ["loopseal_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict; Secure"])
        }
    }

    @Test("--public-url takes an http(s) scheme and host only, and says what is wrong otherwise")
    func publicURL() throws {
        #expect(try PublicURL("https://Secrets.Example.com/").description == "https://secrets.example.com")
        #expect(try PublicURL("HTTPS://secrets.example.com:8443").description == "https://secrets.example.com:8443")
        #expect(try PublicURL("https://secrets.example.com").isHTTPS)
        #expect(try !PublicURL("http://10.0.0.5:8080").isHTTPS)
        #expect(try PublicURL("https://[2001:db8::1]:8443").description == "https://[2001:db8::1]:8443")
        let refused: [(String, String)] = [
            ("ftp://secrets.example.com", "is not an http or https URL"),
            ("secrets.example.com", "is not an http or https URL"),
            ("", "is not an http or https URL"),
            ("https://", "names no host"),
            ("https://secrets.example.com/loopseal", "has a path, query or fragment"),
            ("https://secrets.example.com/?a=1", "has a path, query or fragment"),
            ("https://secrets.example.com/#x", "has a path, query or fragment"),
            ("https://user:pw@secrets.example.com", "holds a user name or password"),
        ]
        for (text, message) in refused {
            #expect(throws: PublicURLError.self, "\(text)") { try PublicURL(text) }
            do {
                _ = try PublicURL(text)
            } catch {
                #expect(error.description.contains(message), "\(text): \(error.description)")
                #expect(error.description.contains("https://secrets.example.com"))
            }
        }
    }

    @Test("waits are said in words")
    func durations() {
        #expect(WebHandlers.duration(0) == "1 second")
        #expect(WebHandlers.duration(1) == "1 second")
        #expect(WebHandlers.duration(45) == "45 seconds")
        #expect(WebHandlers.duration(600) == "10 minutes")
        #expect(WebHandlers.duration(8 * 3600) == "8 hours")
    }
}
