import Foundation

/// A JSON-RPC 2.0 request id: MCP allows a string or an integer.
enum JSONRPCID: Hashable, Sendable, Codable {
    case number(Int)
    case string(String)

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int.self) {
            self = .number(number)
        } else {
            self = .string(try container.decode(String.self))
        }
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .number(let number): try container.encode(number)
        case .string(let text): try container.encode(text)
        }
    }
}

/// One line read from an MCP client, classified by its JSON-RPC 2.0 framing only (the SDK decodes
/// the rest). Lets the transport answer what the SDK answers wrongly: a line that is not JSON, or
/// not a message, gets `"id": null` when no id can be read (JSON-RPC 2.0 §5), not a random id.
enum JSONRPCMessage: Sendable, Equatable {
    /// Not JSON at all: answered with -32700 Parse error.
    case notJSON
    /// JSON, but not a JSON-RPC 2.0 message: answered with -32600 Invalid Request and `id`
    /// (null when there is none, or it is not a string or an integer).
    case invalid(id: JSONRPCID?, reason: String)
    /// A request: it must be answered.
    case request(id: JSONRPCID, method: String)
    /// A notification: never answered.
    case notification(method: String)
    /// A response (to a request the server sent, or the server's own answer).
    case response(id: JSONRPCID, success: Bool)
    /// Shaped like a response but malformed: dropped, never answered.
    case malformedResponse
    /// A batch of messages.
    case batch([JSONRPCMessage])

    /// JSON-RPC 2.0 error codes.
    enum ErrorCode: Int {
        case parseError = -32700
        case invalidRequest = -32600
    }

    /// Classifies `data`.
    init(_ data: Data) {
        guard let json = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else {
            self = .notJSON
            return
        }
        if let items = json as? [Any] {
            self = .batch(items.map { item in
                guard item is [String: Any], let itemData = try? JSONSerialization.data(withJSONObject: item) else {
                    return .invalid(id: nil, reason: "a batch item must be an object")
                }
                return JSONRPCMessage(object: itemData)
            })
        } else if json is [String: Any] {
            self = JSONRPCMessage(object: data)
        } else {
            self = .invalid(id: nil, reason: "a message must be a JSON object")
        }
    }

    /// Classifies one JSON object.
    private init(object data: Data) {
        guard let envelope = try? JSONDecoder().decode(Envelope.self, from: data) else {
            self = .invalid(id: nil, reason: "a message must be a JSON object")
            return
        }
        let id = envelope.id ?? nil
        if envelope.method == nil && (envelope.hasResult || envelope.hasError) {
            // Response-shaped: never answered, even when malformed, so two peers cannot
            // trade error responses forever.
            if let id, envelope.jsonrpc == "2.0", envelope.hasResult != envelope.hasError {
                self = .response(id: id, success: envelope.hasResult)
            } else {
                self = .malformedResponse
            }
            return
        }
        guard envelope.jsonrpc == "2.0" else {
            self = .invalid(id: id, reason: "'jsonrpc' must be \"2.0\"")
            return
        }
        if envelope.id != nil && id == nil {
            self = .invalid(id: nil, reason: "'id' must be a string or an integer")
            return
        }
        switch (envelope.method, id) {
        case (.some(.some(let method)), let id?): self = .request(id: id, method: method)
        case (.some(.some(let method)), nil): self = .notification(method: method)
        case (.some(nil), _): self = .invalid(id: id, reason: "'method' must be a string")
        case (nil, _): self = .invalid(id: id, reason: "expected 'method' (a request or notification) or one of 'result' and 'error' (a response)")
        }
    }

    /// An error response: `{"jsonrpc": "2.0", "id": id or null, "error": {code, message}}`.
    static func errorResponse(id: JSONRPCID?, code: ErrorCode, message: String) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(ErrorResponse(id: id, code: code.rawValue, message: message)))
            ?? Data(#"{"error":{"code":-32603,"message":"Internal error"},"id":null,"jsonrpc":"2.0"}"#.utf8)
    }

    /// Encodes several error responses as one batch answer.
    static func errorBatch(_ items: [(JSONRPCID?, ErrorCode, String)]) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let responses = items.map { ErrorResponse(id: $0.0, code: $0.1.rawValue, message: $0.2) }
        return (try? encoder.encode(responses)) ?? Data("[]".utf8)
    }

    /// The fields that decide what a message is. `id` is `.some(nil)` when present but not a
    /// string or an integer; `method` likewise when present but not a string.
    private struct Envelope: Decodable {
        var jsonrpc: String?
        var id: JSONRPCID??
        var method: String??
        var hasResult: Bool
        var hasError: Bool

        enum CodingKeys: String, CodingKey { case jsonrpc, id, method, result, error }

        init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            jsonrpc = try? container.decode(String.self, forKey: .jsonrpc)
            id = container.contains(.id) ? .some(try? container.decode(JSONRPCID.self, forKey: .id)) : nil
            method = container.contains(.method) ? .some(try? container.decode(String.self, forKey: .method)) : nil
            hasResult = container.contains(.result)
            hasError = container.contains(.error)
        }
    }

    /// `{"jsonrpc": "2.0", "id": …, "error": {"code", "message"}}`, with `"id": null` written out.
    private struct ErrorResponse: Encodable {
        var id: JSONRPCID?
        var code: Int
        var message: String

        enum CodingKeys: String, CodingKey { case jsonrpc, id, error }
        enum ErrorKeys: String, CodingKey { case code, message }

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode("2.0", forKey: .jsonrpc)
            if let id { try container.encode(id, forKey: .id) } else { try container.encodeNil(forKey: .id) }
            var error = container.nestedContainer(keyedBy: ErrorKeys.self, forKey: .error)
            try error.encode(code, forKey: .code)
            try error.encode(message, forKey: .message)
        }
    }
}
