import Foundation
import Hummingbird
import LoopsealTemplates
import LoopsealValue

/// JSON responses of the API.
enum APIResponse {
    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        raw(try encoded(value), status: status)
    }

    /// The body ``json(_:status:)`` answers for `value`.
    static func encoded<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    /// A 200 whose body, made by ``encoded(_:)``, is sent as it is (shared, not copied).
    static func json(encoded body: ByteBuffer) -> Response {
        Response(status: .ok, headers: jsonHeaders, body: .init(byteBuffer: body))
    }

    static func json(_ value: TemplateValue, status: HTTPResponse.Status = .ok) -> Response {
        raw(Array(value.jsonText().utf8), status: status)
    }

    /// `text`, already JSON, as it is.
    static func json(text: String) -> Response {
        raw(Array(text.utf8), status: .ok)
    }

    static func error(_ error: APIError) -> Response {
        struct Body: Encodable { let error: String; let message: String }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let bytes = (try? encoder.encode(Body(error: error.code, message: error.message))).map(Array.init)
            ?? Array(#"{"error":"internal","message":"the server failed"}"#.utf8)
        return raw(bytes, status: error.status)
    }

    private static let jsonHeaders: HTTPFields = [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"]

    private static func raw(_ bytes: [UInt8], status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: jsonHeaders, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

/// Request bodies: content type and size checked before a byte is parsed.
enum RequestBody {
    /// The body as one buffer, or nil when the request has none (allowed only if not `required`).
    /// 415 unless it is `application/json`, 413 over ``ServerLimits/maxBodyBytes``.
    static func json(_ request: Request, required: Bool) async throws -> ByteBuffer? {
        let length = request.headers[.contentLength].flatMap(Int.init)
        let hasBody = (length ?? 0) > 0 || request.headers[.transferEncoding] != nil
        guard hasBody else {
            if required { throw APIError.invalid("the request needs a JSON body") }
            return nil
        }
        // A chunked body may turn out empty (clients that stream send `0\r\n\r\n` for none):
        // one without a media type is read, bounded, before its type is refused.
        let mayBeEmpty = length == nil && request.headers[.contentType] == nil
        if !mayBeEmpty { try requireContentType(request, "application/json") }
        if let length, length > ServerLimits.maxBodyBytes { throw APIError.tooLarge }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: ServerLimits.maxBodyBytes)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw APIError.tooLarge
        }
        if buffer.readableBytes == 0 {
            if required { throw APIError.invalid("the request needs a JSON body") }
            return nil
        }
        if mayBeEmpty { try requireContentType(request, "application/json") }
        return buffer
    }

    /// Checks, before reading, that the request has a JSON body within the limit (400, 415, 413).
    static func requireJSONBody(_ request: Request) throws {
        let length = request.headers[.contentLength].flatMap(Int.init)
        guard (length ?? 0) > 0 || request.headers[.transferEncoding] != nil else {
            throw APIError.invalid("the request needs a JSON body")
        }
        try requireContentType(request, "application/json")
        if let length, length > ServerLimits.maxBodyBytes { throw APIError.tooLarge }
    }

    /// 415 unless the media type (before any `;` parameters) is `expected`.
    static func requireContentType(_ request: Request, _ expected: String) throws {
        let mediaType = request.headers[.contentType]?.split(separator: ";").first?
            .trimmingCharacters(in: .whitespaces).lowercased()
        guard mediaType == expected else {
            throw APIError(.unsupportedMediaType, "unsupported_media_type",
                           "send the body as '\(expected)' (got '\(printable(mediaType ?? "none"))')")
        }
    }

    /// A JSON body as template data (run input and payloads; never secret values).
    static func value(_ buffer: ByteBuffer?) throws -> TemplateValue? {
        guard let buffer else { return nil }
        let text = String(buffer: buffer)
        do {
            return try TemplateValue(jsonText: text)
        } catch {
            throw APIError.invalid("body is not valid JSON at line \(error.line), column \(error.column): \(error.message)")
        }
    }
}
