import Foundation
import Hummingbird
import HummingbirdTesting
import LoopsealCrypto
import LoopsealServer
import LoopsealStore
import Testing

/// Issue 11, item 4 through the API: two files with one id refuse an update by id (it used to
/// change whichever file came first), and a conflicted file is listed, not fatal.
@Suite("API: repository conflicts")
struct RepositoryConflictTests {
    let fixture: ServerFixture
    let app: Application<RouterResponder<ServerRequestContext>>

    init() throws {
        fixture = try ServerFixture()
        app = Application(router: LoopsealHTTPServer.router(core: fixture.core))
    }

    @Test("PUT by an id two files share is 409 and changes neither; the list names a conflicted file")
    func duplicateIDsAndConflicts() async throws {
        let service = SecretService(workspace: try fixture.alpha)
        let info = try service.upsert(key: "ONE", value: try SecureBytes(copying: Array("1".utf8)))
        let one = try fixture.alpha.secretPath(for: "ONE")
        let two = try fixture.alpha.secretPath(for: "TWO")
        let text = try String(contentsOfFile: one, encoding: .utf8)
        try text.replacingOccurrences(of: "key: ONE", with: "key: TWO").write(toFile: two, atomically: false, encoding: .utf8)
        try "loopseal: 1\n<<<<<<< HEAD\nid: x\n=======\nid: y\n>>>>>>> b\nkey: BROKEN\n"
            .write(toFile: try fixture.alpha.secretPath(for: "BROKEN"), atomically: false, encoding: .utf8)
        try await app.test(.router) { client in
            let update = try await client.call("/api/v1/workspaces/alpha/secrets/\(info.id)", .put, token: fixture.writerAlpha,
                                               json: #"{"value":"changed"}"#)
            #expect(update.status == .conflict)
            #expect(update.errorCode == "repository_conflict")
            let list = try await client.call("/api/v1/workspaces/alpha/secrets", token: fixture.readerAlpha)
            #expect(list.status == .ok)
            let items = try #require(list.json as? [[String: Any]])
            #expect(items.map { $0["key"] as? String } == ["BROKEN", "ONE", "TWO"])
            #expect((items[0]["problem"] as? String)?.contains("merge conflict in") == true)
            #expect(items[0]["hasValue"] is NSNull)
        }
        #expect(try String(contentsOfFile: one, encoding: .utf8) == text)
        #expect(try fixture.reveal("ONE") == "1")
    }

    @Test("a sealed file that links to /dev/zero or is a FIFO is listed with its problem; the server keeps serving")
    func linksAndFIFOsDoNotTakeTheServerDown() async throws {
        let service = SecretService(workspace: try fixture.alpha)
        try service.upsert(key: "GOOD", value: try SecureBytes(copying: Array("g".utf8)))
        try FileManager.default.createSymbolicLink(atPath: try fixture.alpha.secretPath(for: "ZERO"), withDestinationPath: "/dev/zero")
        #expect(mkfifo(try fixture.alpha.secretPath(for: "PIPE"), 0o600) == 0)
        try await app.test(.router) { client in
            let list = try await client.call("/api/v1/workspaces/alpha/secrets", token: fixture.readerAlpha)
            #expect(list.status == .ok)
            let items = try #require(list.json as? [[String: Any]])
            #expect(items.map { $0["key"] as? String } == ["GOOD", "PIPE", "ZERO"])
            #expect((items[1]["problem"] as? String)?.contains("is a FIFO") == true)
            #expect((items[2]["problem"] as? String)?.contains("is a symbolic link") == true)
            let health = try await client.call("/healthz", token: nil)
            #expect(health.status == .ok)
        }
    }
}
