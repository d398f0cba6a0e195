import Hummingbird
import HummingbirdCore
import Logging

extension HTTPServerBuilder {
    /// HTTP/1 with a ``ConnectionGuard`` on every connection, sharing one ``ConnectionRegistry``:
    /// head, body and idle deadlines and the connection cap of `limits`.
    static func guarded(_ limits: ConnectionLimits, logger: Logger) -> HTTPServerBuilder {
        let registry = ConnectionRegistry(maxConnections: limits.maxConnections, logger: logger)
        return .http1(configuration: HTTP1Channel.Configuration(
            additionalChannelHandlers: [ConnectionGuard(limits: limits, registry: registry)]))
    }
}

extension ApplicationConfiguration {
    /// Listening on `host:port` with a backlog deep enough that a burst of connections waits to be
    /// accepted (and, past the cap, to evict idle ones) instead of being refused.
    static func guarded(host: String, port: Int, serverName: String) -> ApplicationConfiguration {
        ApplicationConfiguration(address: .hostname(host, port: port), serverName: serverName, backlog: 4096)
    }
}
