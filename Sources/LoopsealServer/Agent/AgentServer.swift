import Dispatch
import Foundation
import Hummingbird
import Logging
import LoopsealSync
import NIOHTTP1

/// The sync agent's HTTP front (DESIGN.md §7, docs/agent-protocol.md):
/// `POST /v1/sync` hands the body to an ``AgentReceiver``; `GET /healthz` answers `{"status":"ok"}`.
/// Bodies over ``AgentProtocol/maxBodyBytes`` get 413 without being read to the end, a body with
/// broken HTTP framing 400; `HEAD /healthz` answers as `GET`, other methods 405 with `Allow`.
public enum AgentServer {
    /// The routes, for an application or for `app.test(.router)`.
    public static func router(receiver: AgentReceiver) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.add(middleware: HeadMiddleware())
        let worker = DispatchQueue(label: "loopseal.agent.receiver")
        router.get(RouterPath(AgentProtocol.healthPath)) { _, _ in
            json(status: 200, Array(#"{"status":"ok"}"#.utf8))
        }
        router.post(RouterPath(AgentProtocol.syncPath)) { request, context in
            let limit = AgentProtocol.maxBodyBytes
            if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit {
                return json(receiver.refuseOversized())
            }
            let buffer: ByteBuffer
            do {
                buffer = try await request.body.collect(upTo: limit)
            } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
                return json(receiver.refuseOversized())
            } catch let error as HTTPParserError {
                context.logger.warning("malformed request framing", metadata: ["cause": "\(error)"])
                return json(status: 400, AgentRefusal(.malformed, status: 400,
                    "the request body is not valid HTTP/1.1 framing (\(error)): send a correct Content-Length or chunked body").jsonBody)
            }
            let body = Array(buffer.readableBytesView)
            // The receiver writes files and may run a restart command: keep it off the
            // cooperative thread pool.
            let response = await withCheckedContinuation { (continuation: CheckedContinuation<AgentResponse, Never>) in
                worker.async { continuation.resume(returning: receiver.handle(body)) }
            }
            return json(response)
        }
        AllowedMethods.add(to: router) { request, allow in
            var response = json(status: 405, AgentRefusal(.malformed, status: 405, "\(request.method.rawValue) is not allowed here; use \(allow)").jsonBody)
            response.headers[.allow] = allow
            return response
        }
        return router
    }

    /// An application listening on `host:port` (use 127.0.0.1 unless the agent must be reached
    /// from elsewhere; the channel is boxed, not TLS). `onRunning` gets the bound port.
    /// Connections are held to `limits` (``ConnectionLimits``).
    public static func application(receiver: AgentReceiver, host: String, port: Int, limits: ConnectionLimits = .init(), logger: Logger,
                                   onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(
            router: router(receiver: receiver),
            server: .guarded(limits, logger: logger),
            configuration: .guarded(host: host, port: port, serverName: "loopseal-agent"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    private static func json(_ response: AgentResponse) -> Response {
        json(status: response.status, response.body)
    }

    private static func json(status: Int, _ body: [UInt8]) -> Response {
        Response(status: HTTPResponse.Status(code: status),
                 headers: [.contentType: "application/json"],
                 body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
