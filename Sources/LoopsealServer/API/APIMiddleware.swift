import Hummingbird
import LoopsealStore

/// Refuses, with 400, any request whose path has a `.` or `..` segment, or a segment that
/// decodes to something with `/`, `\` or a NUL: no path part may point outside its place.
struct PathGuardMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        for raw in request.uri.path.split(separator: "/", omittingEmptySubsequences: false) {
            let segment = raw.removingPercentEncoding ?? String(raw)
            if segment == "." || segment == ".." || segment.contains("/") || segment.contains("\\") || segment.contains("\0") {
                let error = APIError.invalid("the path may not contain '.', '..', '/', '\\' or NUL in a part")
                if request.uri.path.hasPrefix("/api/") { return APIResponse.error(error) }
                return Response(status: .badRequest, headers: [.contentType: "text/plain; charset=utf-8"],
                                body: .init(byteBuffer: ByteBuffer(string: error.message + "\n")))
            }
        }
        return try await next(request, context)
    }
}

/// Answers every failure under `/api/` as `{"error", "message"}` JSON, including unknown routes.
/// Library errors are mapped by ``APIError/from(_:)``; unexpected ones are logged without detail
/// that could hold a value (no library error does) and answered 500.
struct APIErrorMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path.hasPrefix("/api/") else { return try await next(request, context) }
        do {
            return try await next(request, context)
        } catch let error as any HTTPResponseError {
            let code = error.status == .notFound ? "not_found" : error.status == .methodNotAllowed ? "method_not_allowed" : "http_error"
            let message = error.status == .notFound ? "no such route: see DESIGN.md §8 or the README for the API" : error.status.reasonPhrase
            return APIResponse.error(APIError(error.status, code, message))
        } catch {
            let mapped = APIError.from(error)
            if mapped.status == .internalServerError {
                context.logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(mapped.message)"])
            }
            return APIResponse.error(mapped)
        }
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
        guard let record = core.authenticate(bearer: token) else {
            throw APIError(.unauthorized, "unauthorized", "the token is unknown or revoked")
        }
        var context = context
        context.token = record
        return try await next(request, context)
    }
}
