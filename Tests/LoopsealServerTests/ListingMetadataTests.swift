import Foundation
import Hummingbird
import HummingbirdTesting
import LoopsealCrypto
@testable import LoopsealServer
import LoopsealStore
import Testing

/// Issue 18: `GET …/secrets` lists each secret's metadata (owner, expires, rotateEvery, rotated,
/// description) when set, never a value; a metadata change made outside the server shows on the
/// next request, and an upsert through the API keeps the metadata and records `rotated`.
@Suite("API: the listing shows secret metadata")
struct ListingMetadataTests {
    @Test("metadata set by `meta` is listed on the next request; an API upsert keeps it")
    func metadataIsListed() async throws {
        let fixture = try ServerFixture()
        let app = Application(router: LoopsealHTTPServer.router(core: fixture.core))
        let service = SecretService(workspace: try fixture.alpha)
        try service.upsert(key: "SMTP", value: try SecureBytes(copying: Array(ServerFixture.canary.utf8)))
        try await app.test(.router) { client in
            let before = try await client.call("/api/v1/workspaces/alpha/secrets", token: fixture.readerAlpha)
            #expect(!before.text.contains("\"owner\""))
            try service.setMetadata(key: "SMTP") {
                $0.owner = "alice"
                $0.rotateEvery = RotationPeriod(string: "90d")
                $0.description = "Mail relay"
            }
            let after = try await client.call("/api/v1/workspaces/alpha/secrets", token: fixture.readerAlpha)
            #expect(after.status == .ok)
            #expect(after.text.contains(#""description":"Mail relay","hasValue":true"#), "\(after.text)")
            #expect(after.text.contains(#""key":"SMTP","owner":"alice","rotateEvery":"90d"}"#), "\(after.text)")
            #expect(!after.text.contains(ServerFixture.canary))

            let upsert = try await client.call("/api/v1/workspaces/alpha/secrets/upsert", .put, token: fixture.writerAlpha,
                                               json: #"{"key":"SMTP","value":"another-\#(ServerFixture.canary)"}"#)
            #expect(upsert.status.code < 300, "\(upsert.text)")
            #expect(!upsert.text.contains(ServerFixture.canary))
            let stored = try #require(try service.find(key: "SMTP"))
            #expect(stored.metadata.owner == "alice")
            #expect(stored.metadata.rotated == (try CalendarDate.today()))
        }
    }
}
