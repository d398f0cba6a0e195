import Foundation
import Testing
@testable import LoopsealTemplates
import LoopsealValue

/// The golden corpus: every case was rendered by handlebars.js 4.7.7 (`Fixtures/golden/generate.js`);
/// Loopseal must produce the same bytes, and must fail wherever handlebars.js throws.
@Suite struct GoldenTests {
    struct Case: Sendable {
        var name: String
        var template: String
        var data: TemplateValue
        var partials: [String: String]
        var strict: Bool
        var expected: String?
        var mustFail: Bool
    }

    static func loadCases() throws -> [Case] {
        let url = try #require(Bundle.module.url(forResource: "golden", withExtension: "json", subdirectory: "Fixtures/golden"))
        let root = try TemplateValue(jsonText: String(decoding: try Data(contentsOf: url), as: UTF8.self))
        guard case .array(let list) = root else { throw TemplateError(kind: .data, template: "golden.json", line: 1, column: 1, message: "not a list") }
        return list.items.compactMap { item -> Case? in
            guard case .object(let object) = item, case .string(let name)? = object["name"],
                  case .string(let template)? = object["template"] else { return nil }
            var partials: [String: String] = [:]
            if case .object(let table)? = object["partials"] {
                for (key, value) in zip(table.keys, table.values) { if case .string(let s) = value { partials[key] = s } }
            }
            var expected: String?
            if case .string(let s)? = object["expected"] { expected = s }
            let strict: Bool = { if case .bool(true)? = object["strict"] { return true }; return false }()
            let mustFail = object["error"] != nil || object["loopsealError"] != nil
            return Case(name: name, template: template, data: object["data"] ?? .null, partials: partials,
                        strict: strict, expected: expected, mustFail: mustFail)
        }
    }

    static func run(_ testCase: Case) -> Result<String, TemplateError> {
        let engine = TemplateEngine(partials: .templates(testCase.partials), strict: testCase.strict)
        do {
            return .success(try engine.render(testCase.template, name: testCase.name, context: testCase.data))
        } catch {
            return .failure(error)
        }
    }

    @Test func corpusHasEnoughCases() throws {
        let cases = try Self.loadCases()
        #expect(cases.count >= 250)
        #expect(cases.filter(\.mustFail).count >= 20)
    }

    @Test func everyCaseMatchesHandlebarsJS() throws {
        var mismatches: [String] = []
        for testCase in try Self.loadCases() {
            let result = Self.run(testCase)
            switch (result, testCase.mustFail) {
            case (.success(let output), false):
                if output != testCase.expected {
                    mismatches.append("\(testCase.name): template \(testCase.template.debugDescription)\n  expected \(String(describing: testCase.expected).debugDescription)\n  got      \(output.debugDescription)")
                }
            case (.success(let output), true):
                mismatches.append("\(testCase.name): handlebars.js throws, Loopseal rendered \(output.debugDescription)")
            case (.failure(let error), false):
                mismatches.append("\(testCase.name): template \(testCase.template.debugDescription) failed: \(error)")
            case (.failure, true):
                continue
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches:\n\(mismatches.prefix(40).joined(separator: "\n"))")
    }
}
