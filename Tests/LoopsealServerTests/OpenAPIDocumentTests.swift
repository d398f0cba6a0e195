import Foundation
import Hummingbird
import HummingbirdTesting
import LoopsealServer
import LoopsealValue
import Testing

/// Issue 17, OpenAPI: the document the server serves is the repository's `docs/openapi.json`,
/// byte for byte; it is OpenAPI 3.1; and it names every route the server has, and only those.
@Suite("OpenAPI document")
struct OpenAPIDocumentTests {
    let fixture: ServerFixture
    let contract: OpenAPIContract
    let app: Application<RouterResponder<ServerRequestContext>>
    /// The paths of every route the server's router has.
    let routedPaths: Set<String>

    init() throws {
        fixture = try ServerFixture()
        contract = try OpenAPIContract()
        let router = LoopsealHTTPServer.router(core: fixture.core)
        routedPaths = Set(router.routes.map(\.path.description))
        app = Application(router: router)
    }

    @Test("GET /api/v1/openapi.json, with no token, answers docs/openapi.json byte for byte: JSON, openapi 3.1.x")
    func servedEqualsFile() async throws {
        try await app.test(.router) { client in
            let response = try await client.call("/api/v1/openapi.json", token: nil)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json; charset=utf-8")
            #expect(Data(response.body.readableBytesView) == contract.bytes,
                    "the served document differs from docs/openapi.json: run python3 scripts/embed-openapi.py")
            let head = try await client.execute(uri: "/api/v1/openapi.json", method: .head)
            #expect(head.status == .ok && head.body.readableBytes == 0)
        }
        guard case .string(let version)? = contract.document.property("openapi") else {
            Issue.record("docs/openapi.json has no string 'openapi'")
            return
        }
        #expect(version.hasPrefix("3.1."), "openapi is \(version), not 3.1.x")
        #expect(contract.document.property("info")?.property("title") != nil)
    }

    @Test("every route under /api and /healthz is a documented path, and every documented path is routed")
    func everyRouteIsDocumented() throws {
        let routed = routedPaths.filter { $0 == "/healthz" || $0.hasPrefix("/api/") }
        let documented = Set(contract.operations.map(\.path))
        #expect(routed == documented, "routed, not documented: \(routed.subtracting(documented).sorted()); documented, not routed: \(documented.subtracting(routed).sorted())")
        #expect(contract.operations.count == 12, "\(contract.operations)")
    }

    @Test("a documented operation is answered by its route; any other method on its path is 405 with Allow naming the documented ones")
    func methodsMatchTheDocument() async throws {
        let query = try #require(HTTPRequest.Method("QUERY"))
        let methods: [HTTPRequest.Method] = [.get, .head, .post, .put, .delete, .patch, .options, .trace, query]
        try await app.test(.router) { client in
            for path in Set(contract.operations.map(\.path)).sorted() {
                let uri = path.replacingOccurrences(of: "{workspaceId}", with: "alpha").replacingOccurrences(of: "{id}", with: "abc")
                    .replacingOccurrences(of: "{runId}", with: "abc").replacingOccurrences(of: "{transitionId}", with: "go")
                var allowed = contract.operations.filter { $0.path == path }.map(\.method)
                if allowed.contains("GET") { allowed.append("HEAD") }
                for method in methods {
                    let response = try await client.call(uri, method, token: fixture.adminAlpha)
                    if allowed.contains(method.rawValue) {
                        #expect(response.status != .methodNotAllowed, "\(method) \(path)")
                        #expect(!response.text.contains("no such route"), "\(method) \(path)")
                    } else {
                        #expect(response.status == .methodNotAllowed, "\(method) \(path) answered \(response.status)")
                        let allow = Set((response.headers[.allow] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                        #expect(allow == Set(allowed), "\(method) \(path): Allow \(allow.sorted()), documented \(allowed.sorted())")
                    }
                }
            }
        }
    }

    @Test("each operation has an operationId, a summary and responses; every operation but /healthz and the document needs a bearer token of a role")
    func operationsAreComplete() throws {
        let roles = Set(["reader", "writer", "admin"])
        for operation in contract.operations {
            let object = try #require(contract.document.property("paths")?.property(operation.path)?.property(operation.method.lowercased()))
            #expect(object.property("summary") != nil, "\(operation)")
            #expect(operation.statuses.contains { $0.hasPrefix("2") }, "\(operation) documents no success")
            let security = object.property("security")
            if operation.path == "/healthz" || operation.path == "/api/v1/openapi.json" {
                #expect(security.map { if case .array(let list) = $0 { list.items.isEmpty } else { false } } == true, "\(operation)")
            } else {
                guard case .array(let list)? = security, list.items.count == 1,
                      case .array(let scopes)? = list.items[0].property("bearerAuth"), scopes.items.count == 1,
                      case .string(let role) = scopes.items[0] else {
                    Issue.record("\(operation): security must be [{bearerAuth: [ROLE]}]")
                    continue
                }
                #expect(roles.contains(role), "\(operation): role \(role)")
                #expect(operation.statuses.contains("401"), "\(operation) needs a token but documents no 401")
            }
        }
    }

    @Test("every $ref in the document resolves, and every schema uses only keywords the test validator knows")
    func referencesResolve() {
        var unresolved: [String] = []
        var unknown: [String] = []
        let validator = contract.validator
        func walk(_ value: TemplateValue, _ path: String) {
            switch value {
            case .object(let object):
                if case .string(let reference)? = object["$ref"], validator.resolve(reference) == nil { unresolved.append("\(path): \(reference)") }
                if let schema = object["schema"] { unknown += validator.unknownKeywords(schema, at: "\(path)/schema") }
                for (key, member) in zip(object.keys, object.values) { walk(member, "\(path)/\(key)") }
            case .array(let array):
                for (index, item) in array.items.enumerated() { walk(item, "\(path)/\(index)") }
            default:
                break
            }
        }
        walk(contract.document, "#")
        if case .object(let schemas)? = contract.document.property("components")?.property("schemas") {
            for (name, schema) in zip(schemas.keys, schemas.values) {
                unknown += validator.unknownKeywords(schema, at: "#/components/schemas/\(name)")
            }
        }
        #expect(unresolved.isEmpty, "\(unresolved)")
        #expect(unknown.isEmpty, "keywords the validator does not know: \(unknown)")
    }
}
