import Hummingbird

/// The request context of `loopseal serve`: Hummingbird's core storage plus the token the
/// request authenticated with (set by the API's auth middleware or the web session).
public struct ServerRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The authenticated token, once known.
    public var token: TokenRecord?

    public init(source: Source) {
        coreContext = .init(source: source)
        token = nil
    }

    /// Bodies are read with an explicit limit (``ServerLimits/maxBodyBytes``) where they are read.
    public var maxUploadSize: Int { ServerLimits.maxBodyBytes }
}
