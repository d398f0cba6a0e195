import Foundation
import Hummingbird
import HummingbirdTesting
import LoopsealServer
import LoopsealStore
import Testing

/// With `serve --unchanged-upserts` the API's upsert leaves a file byte for byte when the
/// server's identity opens the current value and it is the same; by default it seals again.
@Suite("REST API: an unchanged upsert")
struct APIUnchangedUpsertTests {
    func upsertTwice(serverHasIdentity: Bool) async throws -> (before: [UInt8], after: [UInt8]) {
        let fixture = try ServerFixture(serverHasIdentity: serverHasIdentity)
        let app = Application(router: LoopsealHTTPServer.router(core: fixture.core))
        let path = try Workspace(root: fixture.root, id: "alpha").secretPath(for: "API_KEY")
        let files = try await app.test(.router) { client in
            var files: [[UInt8]] = []
            for _ in 0..<2 {
                let response = try await client.call("/api/v1/workspaces/alpha/secrets/upsert", .put, token: fixture.writerAlpha,
                                                     json: #"{"key":"API_KEY","value":"\#(ServerFixture.canary)"}"#)
                #expect(response.status == .ok)
                #expect(!response.text.contains(ServerFixture.canary))
                files.append(try FileIO.contents(path))
            }
            return files
        }
        #expect(try fixture.reveal("API_KEY") == ServerFixture.canary)
        return (files[0], files[1])
    }

    @Test("with --unchanged-upserts the same value leaves the file untouched")
    func untouched() async throws {
        let files = try await upsertTwice(serverHasIdentity: true)
        #expect(files.before == files.after)
    }

    @Test("by default (no comparison) the value is sealed again")
    func resealed() async throws {
        let files = try await upsertTwice(serverHasIdentity: false)
        #expect(files.before != files.after)
    }
}
