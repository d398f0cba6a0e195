import Logging
@testable import LoopsealServer
import NIOCore
import NIOEmbedded
import Testing

/// The connection cap closes the connection that has waited longest for a request head, never a
/// busy one, and the new connection only when every other is busy.
@Suite("connection cap")
struct ConnectionRegistryTests {
    @Test("past the cap the longest-waiting connection is closed; busy ones are kept")
    func eviction() throws {
        let registry = ConnectionRegistry(maxConnections: 2, logger: Logger(label: "test"))
        let channels = (0..<6).map { _ in EmbeddedChannel() }
        for channel in channels { try channel.connect(to: try SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait() }
        let a = registry.opened(channels[0])
        let b = registry.opened(channels[1])
        registry.busy(b)
        _ = registry.opened(channels[2])
        #expect(!channels[0].isActive, "a waited longest")
        registry.closed(a)
        #expect(channels[1].isActive && channels[2].isActive)
        #expect(registry.openConnections == 2)

        registry.idle(b, channels[1])
        let d = registry.opened(channels[3])
        #expect(!channels[2].isActive, "c has waited longer than b, idle again only now")
        #expect(channels[1].isActive && channels[3].isActive)

        registry.busy(b)
        registry.busy(d)
        let e = registry.opened(channels[4])
        #expect(!channels[4].isActive, "every other connection is busy: the new one is closed")
        #expect(channels[1].isActive && channels[3].isActive)
        registry.closed(e)
        #expect(registry.openConnections == 2)
        registry.closed(b)
        _ = registry.opened(channels[5])
        #expect(channels[5].isActive)
        #expect(registry.openConnections == 2)
        for channel in channels { _ = try? channel.finish() }
    }
}
