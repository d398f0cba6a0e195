import Foundation
import Hummingbird
import HummingbirdTesting
import LoopsealCrypto
@testable import LoopsealServer
import Testing

/// Sessions in signed cookies (`serve --session-key`): a cookie one server signed is accepted by
/// another with the same key (replicas), refused with another key, when tampered with, expired,
/// or when its token is revoked; the CSRF check is as strict as with sessions in memory.
@Suite("Web sessions in signed cookies")
struct WebSignedSessionTests {
    let fixture: ServerFixture
    let identity: Identity

    init() throws {
        fixture = try ServerFixture()
        identity = try Identity.generate()
    }

    /// A second server on the fixture's root and state (a replica), signing with `identity`'s key.
    func replica(_ identity: Identity) throws -> ServerCore {
        var configuration = fixture.core.configuration
        configuration.sessionKey = try SessionStore.signingKey(identity: identity)
        return try ServerCore(configuration: configuration)
    }

    func app(_ core: ServerCore) -> Application<RouterResponder<ServerRequestContext>> {
        Application(router: LoopsealHTTPServer.router(core: core))
    }

    /// Signs in on `core` and returns the browser holding the signed cookie.
    func signedIn(on core: ServerCore, token: String) async throws -> WebBrowser {
        try await app(core).test(.router) { client in
            var browser = WebBrowser()
            let response = try await browser.signIn(client, token: token)
            #expect(response.status == .seeOther)
            return browser
        }
    }

    /// The status of `GET path` with `browser`'s cookies on `core`, and its `Set-Cookie` headers.
    func get(_ path: String, on core: ServerCore, _ browser: WebBrowser) async throws -> (HTTPResponse.Status, [String]) {
        try await app(core).test(.router) { client in
            var browser = browser
            let response = try await browser.request(client, path)
            return (response.status, response.headers[values: .setCookie])
        }
    }

    @Test("a cookie signed by one replica is accepted by another with the same key, refused with another key")
    func acrossReplicas() async throws {
        let one = try replica(identity), two = try replica(identity), other = try replica(try Identity.generate())
        let browser = try await signedIn(on: one, token: fixture.writerAlpha)
        let cookie = try #require(browser.cookies["loopseal_session"])
        #expect(cookie.hasPrefix("v1.") && cookie.split(separator: ".").count == 5)
        #expect(try await get("/workspaces", on: two, browser).0 == .ok)
        let (status, cookies) = try await get("/workspaces", on: other, browser)
        #expect(status == .seeOther)
        #expect(cookies.contains { $0.hasPrefix("loopseal_session=;") && $0.contains("Max-Age=0") })
        // The form posted to replica two with the CSRF token replica one's page carried.
        try await app(two).test(.router) { client in
            var browser = browser
            let started = try await browser.post(client, "/workspaces/alpha/runs/nope/transitions/ask")
            #expect(started.status != .forbidden && started.status != .unauthorized, "\(started.status)")
        }
        // In-memory sessions of a server without a key know nothing of the cookie.
        #expect(try await get("/workspaces", on: fixture.core, browser).0 == .seeOther)
    }

    @Test("a tampered field, another version or a bad tag is refused")
    func tampered() async throws {
        let core = try replica(identity)
        let browser = try await signedIn(on: core, token: fixture.adminAlpha)
        let cookie = try #require(browser.cookies["loopseal_session"])
        #expect(try await get("/workspaces", on: core, browser).0 == .ok)
        let parts = cookie.split(separator: ".").map(String.init)
        func flipped(_ text: String) -> String { (text.first == "0" ? "1" : "0") + text.dropFirst() }
        var variants: [String] = []
        for index in parts.indices {
            var changed = parts
            changed[index] = index == 0 ? "v2" : flipped(parts[index])
            variants.append(changed.joined(separator: "."))
        }
        variants += [cookie + "0", String(cookie.dropLast()), parts[0...3].joined(separator: "."), cookie + ".x", ""]
        for variant in variants {
            var forged = browser
            forged.cookies["loopseal_session"] = variant
            #expect(try await get("/workspaces", on: core, forged).0 == .seeOther, "\(variant)")
        }
    }

    @Test("an expired cookie is refused, and so is one whose end is further ahead than a session lasts")
    func expired() throws {
        let key = try SessionStore.signingKey(identity: identity)
        let clock = WebFormBodyTests.Clock()
        let store = SessionStore(signingKey: key, lifetime: 100, now: { clock.time })
        let session = try #require(store.create(tokenID: "0123456789ab"))
        #expect(store.session(id: session.id) == session)
        clock.time += 99
        #expect(store.session(id: session.id) != nil)
        clock.time += 2
        #expect(store.session(id: session.id) == nil)
        let future = SessionCookie.value(tokenID: "0123456789ab", csrf: String(repeating: "a", count: 64),
                                         expires: Int(clock.time) + 100_000, key: key)
        #expect(store.session(id: future) == nil)
        let fine = SessionCookie.value(tokenID: "0123456789ab", csrf: String(repeating: "a", count: 64),
                                       expires: Int(clock.time) + 50, key: key)
        #expect(store.session(id: fine)?.csrf == String(repeating: "a", count: 64))
        #expect(store.count == 0)
    }

    @Test("a form must carry its own cookie's CSRF token: another session's, a missing or a wrong one gets 403")
    func csrf() async throws {
        let core = try replica(identity)
        let first = try await signedIn(on: core, token: fixture.adminAlpha)
        let theirs = try await signedIn(on: core, token: fixture.adminAlpha)
        let own = try #require(first.csrf)
        #expect(own != theirs.csrf)
        try await app(core).test(.router) { client in
            var mine = first
            for csrf in [theirs.csrf ?? "", "", String(repeating: "0", count: 64)] {
                let response = try await mine.request(client, "/workspaces/alpha/runs", .post, form: "csrf=\(csrf)&workflow=ask")
                #expect(response.status == .forbidden, "\(csrf)")
            }
            #expect(try await mine.request(client, "/workspaces/alpha/runs", .post, form: "workflow=ask").status == .forbidden)
            let started = try await mine.request(client, "/workspaces/alpha/runs", .post, form: "csrf=\(own)&workflow=ask")
            #expect(started.status == .seeOther)
        }
    }

    @Test("revoking the token ends its signed sessions at once, on every replica")
    func revocation() async throws {
        let one = try replica(identity), two = try replica(identity)
        let browser = try await signedIn(on: one, token: fixture.writerAlpha)
        #expect(try await get("/workspaces", on: two, browser).0 == .ok)
        let record = try #require(try fixture.core.authenticate(bearer: fixture.writerAlpha))
        try fixture.core.tokens.revoke(id: record.id)
        for core in [one, two] {
            let (status, cookies) = try await get("/workspaces", on: core, browser)
            #expect(status == .seeOther)
            #expect(cookies.contains { $0.hasPrefix("loopseal_session=;") })
        }
    }

    @Test("sign-out clears the cookie; a copy of it stays valid until it expires (documented)")
    func signOut() async throws {
        let core = try replica(identity)
        let copy = try await signedIn(on: core, token: fixture.writerAlpha)
        let browser = try await app(core).test(.router) { client in
            var browser = copy
            let out = try await browser.post(client, "/signout")
            #expect(out.status == .seeOther)
            #expect(out.headers[values: .setCookie].contains { $0.hasPrefix("loopseal_session=;") && $0.contains("Max-Age=0") })
            return browser
        }
        #expect(browser.cookies["loopseal_session"] == nil)
        #expect(try await get("/workspaces", on: core, browser).0 == .seeOther)
        #expect(try await get("/workspaces", on: core, copy).0 == .ok)
    }

    @Test("canary: no token, secret value or key in cookies, pages or logs")
    func canary() async throws {
        let canary = ServerFixture.canary
        let core = try replica(identity)
        let (admin, writer) = try await app(core).test(.router) { client in
            var admin = WebBrowser(), writer = WebBrowser()
            _ = try await admin.signIn(client, token: fixture.adminAlpha)
            _ = try await writer.signIn(client, token: fixture.writerAlpha)
            let started = try await admin.post(client, "/workspaces/alpha/runs", "workflow=ask")
            let runID = try WebRoutesTests.runID(started)
            _ = try await writer.request(client, "/workspaces/alpha/runs/\(runID)")
            let submitted = try await writer.post(client, "/workspaces/alpha/runs/\(runID)/secrets",
                                                  "secret%3AAPI_KEY=\(WebRoutesTests.percentEncoded(canary))&secret%3ADB_PASSWORD=x")
            #expect(submitted.status == .seeOther)
            return (admin, writer)
        }
        #expect(try fixture.reveal("API_KEY") == canary)
        let secretKey = identity.encodedSecretKey()
        for text in [admin.transcript, writer.transcript, fixture.logs.text, admin.cookies.description, writer.cookies.description] {
            #expect(!text.contains(canary))
            #expect(!text.contains(fixture.adminAlpha) && !text.contains(fixture.writerAlpha))
            #expect(!text.contains(String(fixture.writerAlpha.suffix(64))))
            #expect(!text.contains(secretKey))
        }
    }
}
