import Foundation
import Testing
@testable import LoopsealTemplates
import LoopsealValue

/// The handlebars.js 4.7.7 and mustache spec cases (`Fixtures/conformance`, with handlebars.js'
/// own output for each): every one must render the same bytes, or fail where handlebars.js fails.
@Suite struct ConformanceTests {
    struct Case: Sendable {
        var id: String
        var test: String
        var template: String
        var data: TemplateValue
        var partials: [String: String]
        var strict: Bool
        /// handlebars.js' output, or nil when it failed.
        var expected: String?
    }

    static func loadCases() throws -> [Case] {
        let url = try #require(Bundle.module.url(forResource: "cases", withExtension: "json", subdirectory: "Fixtures/conformance"))
        let root = try TemplateValue(jsonText: String(decoding: try Data(contentsOf: url), as: UTF8.self))
        let list = try #require(root.property("cases"))
        guard case .array(let items) = list else { throw TemplateError(kind: .data, template: "cases.json", line: 1, column: 1, message: "no case list") }
        return try items.items.map { item in
            guard case .string(let id)? = item.property("id"), case .string(let test)? = item.property("test"),
                  case .string(let template)? = item.property("template"), let oracle = item.property("oracle") else {
                throw TemplateError(kind: .data, template: "cases.json", line: 1, column: 1, message: "malformed case")
            }
            var partials: [String: String] = [:]
            if case .object(let table)? = item.property("partials") {
                for (key, value) in zip(table.keys, table.values) { if case .string(let s) = value { partials[key] = s } }
            }
            var expected: String?
            if case .bool(true)? = oracle.property("ok"), case .string(let output)? = oracle.property("output") { expected = output }
            let strict: Bool = { if case .bool(true)? = item.property("strict") { return true }; return false }()
            return Case(id: id, test: test, template: template, data: item.property("data") ?? .null, partials: partials,
                        strict: strict, expected: expected)
        }
    }

    @Test func theFileHoldsEveryCase() throws {
        let cases = try Self.loadCases()
        #expect(cases.count == 637)
        #expect(cases.filter { $0.expected == nil }.count >= 30)
        #expect(cases.contains { $0.template.contains("{{#>") && $0.template.contains("{{#*inline") })
    }

    @Test func everyCaseMatchesHandlebarsJS() throws {
        var failures: [String] = []
        for testCase in try Self.loadCases() {
            let engine = TemplateEngine(partials: .templates(testCase.partials), strict: testCase.strict)
            let result: Result<String, TemplateError>
            do { result = .success(try engine.render(testCase.template, name: "template.hbs", context: testCase.data)) } catch { result = .failure(error) }
            switch (result, testCase.expected) {
            case (.success(let output), let expected?) where output == expected: continue
            case (.failure, nil): continue
            case (.success(let output), let expected?):
                failures.append("\(testCase.id) (\(testCase.test)): template \(testCase.template.debugDescription)\n  handlebars.js \(expected.debugDescription)\n  loopseal      \(output.debugDescription)")
            case (.success(let output), nil):
                failures.append("\(testCase.id) (\(testCase.test)): handlebars.js fails, Loopseal rendered \(output.debugDescription)")
            case (.failure(let error), _?):
                failures.append("\(testCase.id) (\(testCase.test)): template \(testCase.template.debugDescription) failed: \(error)")
            }
        }
        #expect(failures.isEmpty, "\(failures.count) of 637 differ from handlebars.js:\n\(failures.prefix(40).joined(separator: "\n"))")
    }
}
