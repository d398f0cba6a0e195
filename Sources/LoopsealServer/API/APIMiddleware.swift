import Hummingbird
import LoopsealStore
import NIOHTTP1

/// Refuses, with 400, any request whose path has an empty part (`//`), a `.` or `..` part, or a
/// part that decodes to something with `/`, `\` or a NUL: no path part may point outside its
/// place, and every resource has one spelling.
struct PathGuardMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if path.contains("//") {
            return refuse(request, "the path has an empty part ('//'): write it with single slashes")
        }
        for raw in path.split(separator: "/", omittingEmptySubsequences: false) {
            let segment = raw.removingPercentEncoding ?? String(raw)
            if segment == "." || segment == ".." || segment.contains("/") || segment.contains("\\") || segment.contains("\0") {
                return refuse(request, "the path may not contain '.', '..', '/', '\\' or NUL in a part")
            }
        }
        return try await next(request, context)
    }

    private func refuse(_ request: Request, _ message: String) -> Response {
        let error = APIError.invalid(message)
        if request.isAPI { return APIResponse.error(error) }
        return Response(status: .badRequest, headers: [.contentType: "text/plain; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: error.message + "\n")))
    }
}

/// Answers every failure under `/api/` as `{"error", "message"}` JSON, including unknown routes.
/// Library errors are mapped by ``APIError/from(_:)``. A body whose HTTP framing is broken (bad
/// chunk sizes, a body shorter than its length) gets 400, and its cause is logged. Unexpected
/// errors are logged by type, never with detail that could hold a value, and answered 500.
struct APIErrorMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.isAPI else { return try await next(request, context) }
        do {
            return try await next(request, context)
        } catch let error as HTTPParserError {
            context.logger.warning("malformed request framing", metadata: ["path": "\(request.uri.path)", "cause": "\(error)"])
            return APIResponse.error(.malformedFraming(error))
        } catch let error as any HTTPResponseError {
            let code = error.status == .notFound ? "not_found" : error.status == .contentTooLarge ? "body_too_large" : "http_error"
            let message = error.status == .notFound ? "no such route: the API is described at GET /api/v1/openapi.json" : error.status.reasonPhrase
            return APIResponse.error(APIError(error.status, code, message))
        } catch {
            let mapped = APIError.from(error)
            if mapped.status == .internalServerError {
                context.logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(mapped.message)",
                                                                  "errorType": "\(String(reflecting: type(of: error)))"])
            }
            return APIResponse.error(mapped)
        }
    }
}

extension Request {
    /// True for `/api` and everything under it.
    var isAPI: Bool {
        uri.path.split(separator: "/", maxSplits: 1).first == "api"
    }
}

/// Reads `Authorization: Bearer <token>` and puts the token's record in the context; 401 otherwise.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext
    let core: ServerCore

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.count > 7,
              header.prefix(7).lowercased() == "bearer " else {
            throw APIError.unauthorized
        }
        let token = header.dropFirst(7).trimmingCharacters(in: .whitespaces)
        guard let record = try await core.authenticateRefreshing(bearer: token) else {
            throw APIError(.unauthorized, "unauthorized", "the token is unknown or revoked")
        }
        var context = context
        context.token = record
        return try await next(request, context)
    }
}
