import Hummingbird
import NIOCore

/// The request context of `loopseal serve`: Hummingbird's core storage plus the token the
/// request authenticated with (set by the API's auth middleware or the web session).
public struct ServerRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The authenticated token, once known.
    public var token: TokenRecord?
    /// The peer of the connection (a proxy's address when one stands in front); sign-in limits use it.
    public var remoteAddress: SocketAddress?

    public init(source: Source) {
        coreContext = .init(source: source)
        token = nil
        remoteAddress = source.channel.remoteAddress
    }

    /// Bodies are read with an explicit limit (``ServerLimits/maxBodyBytes``) where they are read.
    public var maxUploadSize: Int { ServerLimits.maxBodyBytes }
}
