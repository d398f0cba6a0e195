import Hummingbird

/// Answers a request whose path has routes, but none for its method, with 405 and an `Allow`
/// header, instead of the router's 404. Call ``add(to:answer:)`` after every route is added.
/// `HEAD` is allowed wherever `GET` is (the router answers it from the `GET` handler).
enum AllowedMethods {
    /// The methods a wrong-method request may use to get 405 (others stay 404): those of RFC 9110
    /// but CONNECT, PATCH, and QUERY (a GET with a body, which clients and fuzzers send).
    static let answered: [HTTPRequest.Method] = [.get, .head, .post, .put, .delete, .patch, .options, .trace]
        + [HTTPRequest.Method("QUERY")].compactMap { $0 }

    /// Adds, for each routed path, a handler for every other method in ``answered`` that returns
    /// `answer(request, allow)`, `allow` being the `Allow` header's value.
    static func add<Context: RequestContext>(to router: Router<Context>,
                                             answer: @escaping @Sendable (Request, String) -> Response) {
        var paths: [String: (path: RouterPath, methods: Set<HTTPRequest.Method>)] = [:]
        var order: [String] = []
        for route in router.routes {
            let key = route.path.description
            if paths[key] == nil { order.append(key); paths[key] = (route.path, []) }
            paths[key]?.methods.insert(route.method)
        }
        for key in order {
            guard let (path, methods) = paths[key] else { continue }
            var allowed = methods
            if allowed.contains(.get) { allowed.insert(.head) }
            let allow = answered.filter(allowed.contains).map(\.rawValue).joined(separator: ", ")
            for method in answered where !allowed.contains(method) {
                router.on(path, method: method) { request, _ in answer(request, allow) }
            }
        }
    }

    /// A 405 answer: JSON under `/api`, plain text elsewhere.
    static func response(_ request: Request, allow: String) -> Response {
        let message = "\(request.method.rawValue) is not allowed here; use \(allow)"
        var response: Response
        if request.isAPI {
            response = APIResponse.error(APIError(.methodNotAllowed, "method_not_allowed", message))
        } else {
            response = Response(status: .methodNotAllowed, headers: [.contentType: "text/plain; charset=utf-8"],
                                body: .init(byteBuffer: ByteBuffer(string: message + "\n")))
        }
        response.headers[.allow] = allow
        return response
    }
}
