import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import LoopsealCrypto
import LoopsealServer
import LoopsealStore
import Testing

@Suite("REST API under load on loopback")
struct APILoadTests {
    @Test("1,000 concurrent lists and 200 concurrent upserts (distinct and same key): no errors, nothing lost, every file opens")
    func load() async throws {
        let fixture = try ServerFixture()
        let service = SecretService(workspace: try fixture.alpha)
        for index in 0..<20 { try service.upsert(key: "SEED_\(index)", value: try SecureBytes(copying: Array("seed\(index)".utf8))) }
        let app = Application(router: LoopsealHTTPServer.router(core: fixture.core),
                              configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            var configuration = HTTPClient.Configuration()
            configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
            let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            let base = "http://127.0.0.1:\(port)/api/v1/workspaces/alpha/secrets"
            let reader = fixture.readerAlpha
            let writer = fixture.writerAlpha

            let listStatuses = await withTaskGroup(of: (UInt, Int, String).self) { group in
                for _ in 0..<1_000 {
                    group.addTask {
                        var request = HTTPClientRequest(url: base)
                        request.headers.add(name: "Authorization", value: "Bearer \(reader)")
                        // A pooled keep-alive connection the server closed as idle while the
                        // request was on its way fails at the connection (no status): a client
                        // retries such an idempotent request; an answer is never retried.
                        var failure = ""
                        for _ in 0..<3 {
                            do {
                                let response = try await http.execute(request, timeout: .seconds(240))
                                let body = try await response.body.collect(upTo: 1 << 20)
                                let items = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [[String: Any]]
                                return (response.status.code, items?.count ?? -1, "")
                            } catch {
                                failure = "\(error)"
                            }
                        }
                        return (0, 0, failure)
                    }
                }
                return await group.reduce(into: [(UInt, Int, String)]()) { $0.append($1) }
            }
            #expect(listStatuses.count == 1_000)
            let unexpected = listStatuses.filter { $0.0 != 200 || $0.1 != 20 }
            #expect(unexpected.isEmpty, "\(unexpected.count) lists answered (status, items, error) other than (200, 20): \(unexpected.prefix(5)) (0 = no answer after 3 tries)")

            let upserts = await withTaskGroup(of: UInt.self) { group in
                for index in 0..<200 {
                    group.addTask {
                        let key = index < 100 ? "LOAD_\(index)" : "SAME"
                        var request = HTTPClientRequest(url: base + "/upsert")
                        request.method = .PUT
                        request.headers.add(name: "Authorization", value: "Bearer \(writer)")
                        request.headers.add(name: "Content-Type", value: "application/json")
                        request.body = .bytes(ByteBuffer(string: #"{"key":"\#(key)","value":"value-\#(index)"}"#))
                        for _ in 0..<3 {  // an upsert of the same value is idempotent: retried as the lists are
                            guard let response = try? await http.execute(request, timeout: .seconds(240)) else { continue }
                            _ = try? await response.body.collect(upTo: 1 << 20)
                            return response.status.code
                        }
                        return 0
                    }
                }
                return await group.reduce(into: [UInt]()) { $0.append($1) }
            }
            try await http.shutdown()
            #expect(upserts.count == 200)
            #expect(upserts.allSatisfy { $0 == 200 })
        }
        let keys = try service.keyNames()
        #expect(keys.count == 20 + 100 + 1)
        for index in 0..<100 { #expect(try fixture.reveal("LOAD_\(index)") == "value-\(index)") }
        let same = try fixture.reveal("SAME")
        #expect((100..<200).map { "value-\($0)" }.contains(same))
        for key in keys { _ = try fixture.reveal(key) }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: try fixture.alpha.secretsDirectory).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty)
        #expect(try fixture.core.audit.entries().count >= 200, "an upsert retried after a lost answer adds a line")
    }
}
