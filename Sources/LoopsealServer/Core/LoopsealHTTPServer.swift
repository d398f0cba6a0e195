import Hummingbird
import Logging

/// `loopseal serve`: the REST API and the web pages on one Hummingbird application.
public enum LoopsealHTTPServer {
    /// The routes, for an application or for `app.test(.router)`. `HEAD` answers as `GET` without
    /// the body; a method a path has no route for gets 405 with `Allow`.
    public static func router(core: ServerCore) -> Router<ServerRequestContext> {
        let router = Router(context: ServerRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.add(middleware: HeadMiddleware())
        router.add(middleware: PathGuardMiddleware())
        router.add(middleware: APIErrorMiddleware())
        router.get("healthz") { _, _ in APIResponse.json(.dictionary([("status", .string("ok"))])) }
        APIRoutes.add(to: router, core: core)
        WebRoutes.add(to: router, core: core)
        AllowedMethods.add(to: router, answer: AllowedMethods.response)
        return router
    }

    /// An application listening on `host:port` within `limits`; `onRunning` gets the bound port.
    public static func application(core: ServerCore, host: String, port: Int, limits: ConnectionLimits = .init(), logger: Logger,
                                   onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(
            router: router(core: core),
            server: .guarded(limits, logger: logger),
            configuration: .guarded(host: host, port: port, serverName: "loopseal"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }
}
