import Foundation
import Hummingbird
import HummingbirdTesting
@testable import LoopsealServer
import Testing

/// A tokens file the server cannot read is the server's failure: 500 with a message that holds
/// nothing from the file, and a log line naming the file. It is never a 401 (which tells a
/// caller its token is bad) and never ends a web session.
@Suite("an unreadable tokens file")
struct TokenStoreFailureTests {
    let fixture: ServerFixture
    let sessions = SessionStore()
    let app: Application<RouterResponder<ServerRequestContext>>

    init() throws {
        fixture = try ServerFixture()
        let router = LoopsealHTTPServer.router(core: fixture.core)
        app = Application(router: router)
    }

    private var tokensFile: String { fixture.core.tokens.path }

    /// Runs `body` with the tokens file replaced by `replacement`, then puts it back.
    private func withBrokenTokensFile<T>(_ replacement: Replacement, _ body: () async throws -> T) async throws -> T {
        let saved = try Data(contentsOf: URL(fileURLWithPath: tokensFile))
        try FileManager.default.removeItem(atPath: tokensFile)
        switch replacement {
        case .garbage: try Data("{ not json".utf8).write(to: URL(fileURLWithPath: tokensFile))
        case .directory: try FileManager.default.createDirectory(atPath: tokensFile, withIntermediateDirectories: false)
        }
        defer {
            try? FileManager.default.removeItem(atPath: tokensFile)
            try? saved.write(to: URL(fileURLWithPath: tokensFile))
        }
        return try await body()
    }

    enum Replacement: CaseIterable { case garbage, directory }

    @Test("TokenStore.authenticate throws instead of answering 'unknown token'", arguments: Replacement.allCases)
    func storeThrows(_ replacement: Replacement) async throws {
        #expect(try fixture.core.tokens.authenticate(fixture.readerAlpha) != nil)
        try await withBrokenTokensFile(replacement) {
            #expect(throws: (any Error).self) { try fixture.core.tokens.authenticate(fixture.readerAlpha) }
            #expect(throws: (any Error).self) { try fixture.core.tokens.record(id: "000000000000") }
        }
        #expect(try fixture.core.tokens.authenticate(fixture.readerAlpha) != nil)
    }

    @Test("the API answers 500 token_store with a safe message, and logs the file and the cause", arguments: Replacement.allCases)
    func apiAnswers500(_ replacement: Replacement) async throws {
        try await app.test(.router) { client in
            try await withBrokenTokensFile(replacement) {
                let response = try await client.call("/api/v1/workspaces", token: fixture.readerAlpha)
                #expect(response.status == .internalServerError)
                #expect(response.errorCode == "token_store", "\(response.text)")
                #expect(response.text.contains("the server cannot read its tokens file; see its log"))
                #expect(!response.text.contains(tokensFile) && !response.text.contains("not json"))
            }
            let log = fixture.logs.text
            #expect(log.contains("cannot read the tokens file") && log.contains(tokensFile), "\(log)")
            #expect(!log.contains(fixture.readerAlpha))
            let after = try await client.call("/api/v1/workspaces", token: fixture.readerAlpha)
            #expect(after.status == .ok)
        }
    }

    @Test("web: signing in and a signed-in page answer 500; the session survives and works once the file is back")
    func webAnswers500() async throws {
        let router = Router(context: ServerRequestContext.self)
        WebRoutes.add(to: router, core: fixture.core, sessions: sessions)
        try await Application(router: router).test(.router) { client in
            var browser = WebBrowser()
            #expect(try await browser.signIn(client, token: fixture.writerAlpha).status == .seeOther)
            try await withBrokenTokensFile(.garbage) {
                let page = try await browser.request(client, "/workspaces")
                #expect(page.status == .internalServerError)
                #expect(String(buffer: page.body).contains("the server cannot read its tokens file"))
                var stranger = WebBrowser()
                let signIn = try await stranger.signIn(client, token: fixture.adminAlpha)
                #expect(signIn.status == .internalServerError)
                #expect(!String(buffer: signIn.body).contains("unknown or revoked"))
            }
            #expect(sessions.count == 1)
            #expect(try await browser.request(client, "/workspaces").status == .ok)
        }
    }
}
