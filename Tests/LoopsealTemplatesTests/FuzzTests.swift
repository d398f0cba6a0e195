import Foundation
import Testing
@testable import LoopsealTemplates
import LoopsealValue

/// Random and mutated templates never crash or hang the parser or renderer: each run ends in
/// output or a ``TemplateError``.
@Suite struct FuzzTests {
    /// A small deterministic generator so failures reproduce from the printed seed.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let fragments = [
        "{{", "}}", "{{{", "}}}", "{{#", "{{/", "{{^", "{{else}}", "{{else if x}}", "{{~", "~}}", "{{>", "{{!", "{{!--", "--}}",
        "if", "each", "with", "unless", "lookup", "x", "list", "obj", "this", "..", "../", ".", "/", "@index", "@root", "@key",
        "[a b]", "\"s\"", "'q'", "1", "-2.5", "true", "null", "undefined", "(", ")", "=", " ", "\n", "\r\n", "\t", "\\{{", "\\\\",
        "as |a b|", "|", "a=1", "é", "😀", "&<>\"'`=", "{{#each list}}", "{{/each}}", "{{#if x}}", "{{/if}}", "{{> p}}", "{{*",
    ]

    static let context: TemplateValue = .dictionary([
        ("x", .bool(true)), ("list", .list([.number(1), .string("two"), .dictionary([("a", .null)])])),
        ("obj", .dictionary([("a b", .string("<c>")), ("n", .number(0))])), ("s", .string("str")),
    ])

    @Test func randomTemplatesEndInOutputOrAnError() {
        var rng = SplitMix(state: UInt64(Date().timeIntervalSince1970))
        let seed = rng.state
        let engines = [TemplateEngine(partials: .templates(["p": "[{{this}}{{> p}}]", "q": "{{#each list}}{{.}}{{/each}}"])),
                       TemplateEngine(partials: .templates(["p": "{{x}}"]), strict: true)]
        var outcomes = (rendered: 0, failed: 0)
        for _ in 0..<3000 {
            let count = Int.random(in: 1...24, using: &rng)
            let source = (0..<count).map { _ in Self.fragments.randomElement(using: &rng)! }.joined()
            for engine in engines {
                do {
                    _ = try engine.render(source, name: "fuzz", context: Self.context)
                    outcomes.rendered += 1
                } catch {
                    outcomes.failed += 1
                    #expect(error.line >= 1 && error.column >= 1, "seed \(seed): \(source.debugDescription)")
                }
            }
        }
        #expect(outcomes.rendered > 100, "seed \(seed)")
        #expect(outcomes.failed > 100, "seed \(seed)")
    }

    @Test func mutatedGoldenTemplatesEndInOutputOrAnError() throws {
        var rng = SplitMix(state: 42)
        let cases = try GoldenTests.loadCases()
        var runs = 0
        for testCase in cases {
            let bytes = Array(testCase.template.utf8)
            for _ in 0..<4 {
                var mutated = bytes
                switch Int.random(in: 0..<4, using: &rng) {
                case 0 where !mutated.isEmpty: mutated.remove(at: Int.random(in: 0..<mutated.count, using: &rng))
                case 1: mutated.insert(Array("{}~#/^>!\\|.@()=\" \n".utf8).randomElement(using: &rng)!, at: Int.random(in: 0...mutated.count, using: &rng))
                case 2 where mutated.count > 1:
                    let i = Int.random(in: 0..<mutated.count, using: &rng), j = Int.random(in: 0..<mutated.count, using: &rng)
                    mutated.swapAt(i, j)
                default: mutated = Array(mutated.prefix(Int.random(in: 0...mutated.count, using: &rng)))
                }
                let source = String(decoding: mutated, as: UTF8.self)
                let engine = TemplateEngine(partials: .templates(testCase.partials), strict: testCase.strict)
                _ = try? engine.render(source, name: testCase.name, context: testCase.data)
                runs += 1
            }
        }
        #expect(runs == cases.count * 4)
    }
}
