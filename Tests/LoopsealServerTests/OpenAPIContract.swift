import Foundation
import HummingbirdTesting
import LoopsealValue

/// `docs/openapi.json` read for the tests: its operations, and a check of an answer against what
/// the document says that operation answers with that status (status listed, JSON body valid
/// against its schema, documented headers present and valid).
struct OpenAPIContract: Sendable {
    /// One documented operation.
    struct Operation: Hashable, Sendable, CustomStringConvertible {
        /// `GET`, `POST`, …
        let method: String
        /// The path template, `/api/v1/workspaces/{workspaceId}/secrets`.
        let path: String
        let operationId: String
        /// The documented statuses, `"200"`, `"404"`, …
        let statuses: [String]

        var description: String { "\(method) \(path) (\(operationId))" }
    }

    /// The repository's document.
    static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/openapi.json").path

    let bytes: Data
    let document: TemplateValue
    let validator: OpenAPISchemaValidator
    let operations: [Operation]

    init() throws {
        bytes = try Data(contentsOf: URL(fileURLWithPath: Self.file))
        document = try TemplateValue(jsonText: String(decoding: bytes, as: UTF8.self))
        validator = OpenAPISchemaValidator(document: document)
        var operations: [Operation] = []
        if case .object(let paths)? = document.property("paths") {
            for (path, item) in zip(paths.keys, paths.values) {
                guard case .object(let methods) = item else { continue }
                for (method, operation) in zip(methods.keys, methods.values) where method != "parameters" {
                    guard case .string(let id)? = operation.property("operationId"),
                          case .object(let responses)? = operation.property("responses") else { continue }
                    operations.append(Operation(method: method.uppercased(), path: path, operationId: id, statuses: responses.keys))
                }
            }
        }
        self.operations = operations
    }

    /// The operation `method path`, if documented.
    func operation(_ method: String, _ path: String) -> Operation? {
        operations.first { $0.method == method && $0.path == path }
    }

    /// Every way `response` to `method path` differs from the document; empty when it conforms.
    func problems(_ response: TestResponse, _ method: String, _ path: String) -> [String] {
        let status = String(response.status.code)
        guard case .object(let operation)? = document.property("paths")?.property(path)?.property(method.lowercased()) else {
            return ["\(method) \(path) is not in the document"]
        }
        guard let listed = operation["responses"]?.property(status) else {
            return ["\(method) \(path) answered \(status), which the document does not list"]
        }
        let answer = validator.dereferenced(listed)
        var found: [String] = []
        if case .object(let headers)? = answer.property("headers") {
            for (name, header) in zip(headers.keys, headers.values) {
                let header = validator.dereferenced(header)
                guard let value = response.headers[values: .init(name)!].first else {
                    if case .bool(true)? = header.property("required") { found.append("header \(name) is missing") }
                    continue
                }
                if let schema = header.property("schema") {
                    found += validator.errors(.string(value), schema, at: "header \(name)")
                }
            }
        }
        guard case .object(let content)? = answer.property("content") else {
            if response.body.readableBytes > 0 { found.append("a body where the document has none") }
            return found
        }
        let mediaType = response.headers[.contentType]?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard let media = content[mediaType] else {
            return found + ["content type '\(mediaType)' is not documented (\(content.keys.joined(separator: ", ")))"]
        }
        let body: TemplateValue
        do {
            body = try TemplateValue(jsonText: String(buffer: response.body))
        } catch {
            return found + ["the body is not JSON: \(error.message)"]
        }
        if let schema = media.property("schema") {
            found += validator.errors(body, schema)
        }
        return found
    }
}
