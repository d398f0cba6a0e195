import Testing
@testable import LoopsealTemplates
import LoopsealValue

@Suite struct ErrorPositionTests {
    private func error(_ source: String, strict: Bool = false, data: TemplateValue = .dictionary([])) -> TemplateError? {
        let engine = TemplateEngine(partials: .templates(["p": "line1\n{{/oops}}"]), strict: strict)
        return #expect(throws: TemplateError.self) { try engine.render(source, name: "doc.md", context: data) }
    }

    @Test func parseErrorsNameTemplateLineAndColumn() {
        let cases: [(String, Int, Int, String)] = [
            ("line one\n  {{#if x}}\nbody\n", 2, 3, "'if' is not closed"),
            ("a\nb {{/each}}", 2, 3, "closing tag with no open block"),
            ("{{#each xs}}\n{{/if}}", 2, 1, "'each' doesn't match 'if'"),
            ("x\n\n   {{foo.this}}", 3, 6, "Invalid path: foo.this"),
            ("{{else}}", 1, 1, "'{{else}}' outside a block"),
            ("ok\n{{foo", 2, 6, "unexpected end of template, expected '}}'"),
            ("é😀 {{* deco}}", 1, 4, "decorators"),
            ("a\n {{#*each \"x\"}}y{{/each}}", 2, 2, "unknown decorator 'each'"),
            ("{{#*inline x}}y{{/inline}}", 1, 1, "an inline partial takes one quoted name"),
            ("{{#*inline \"x\"}}y{{else}}z{{/inline}}", 1, 1, "an inline partial takes one quoted name and no {{else}}"),
            ("\n{{#> layout}}x{{/main}}", 2, 15, "'layout' doesn't match 'main'"),
            ("{{#> layout}}x", 1, 1, "'layout' is not closed: expected '{{/layout}}'"),
            ("{{#> layout a b}}x{{/layout}}", 1, 1, "Unsupported number of partial arguments: 2"),
            ("x {{{{raw}}}}y", 1, 3, "the raw block 'raw' is not closed: expected '{{{{/raw}}}}'"),
            ("{{{{raw}}}}y{{{{/other}}}}", 1, 13, "'raw' doesn't match 'other'"),
            ("{{> p a b}}", 1, 1, "Unsupported number of partial arguments: 2"),
            ("{{foo bar=}}", 1, 11, "expected a name, path or literal"),
            ("ok\né \u{0}x", 2, 3, "a NUL byte in the template"),
            ("{{#if x}}{{a\u{0}}}", 1, 13, "a NUL byte in the template"),
        ]
        for (source, line, column, message) in cases {
            let found = error(source)
            #expect(found?.kind == .parse, "\(source.debugDescription): \(String(describing: found))")
            #expect(found?.template == "doc.md")
            #expect(found?.line == line && found?.column == column, "\(source.debugDescription): \(String(describing: found))")
            #expect(found?.message.contains(message) == true, "\(source.debugDescription): \(String(describing: found))")
        }
    }

    /// Found with the fuzz harnesses: 800 nested blocks overflowed the stack (a crash, not an error).
    @Test func deepNestingIsAnErrorNotACrash() {
        let limit = Parser.maxNesting
        let nested: [(String, String)] = [
            ("blocks", String(repeating: "{{#if x}}", count: 5000) + "y" + String(repeating: "{{/if}}", count: 5000)),
            ("else if", "{{#if x}}" + String(repeating: "{{else if x}}", count: 5000) + "{{/if}}"),
            ("sub-expressions", "{{x " + String(repeating: "(lookup ", count: 5000) + "y" + String(repeating: ")", count: 5000) + "}}"),
        ]
        for (what, source) in nested {
            let found = error(source)
            #expect(found?.kind == .parse, "\(what)")
            #expect(found?.message.contains("nested more than \(limit) deep") == true, "\(what): \(String(describing: found))")
        }
        let atLimit = String(repeating: "{{#if x}}", count: limit) + "y" + String(repeating: "{{/if}}", count: limit)
        #expect((try? TemplateEngine().render(atLimit, context: .dictionary([("x", .bool(true))]))) == "y")
    }

    /// Found with the fuzz harnesses: positions were counted from the line start for every token, so a long
    /// single-line template took quadratic time. They are now counted incrementally.
    @Test func positionsAfterLongLinesAndMultibyteText() {
        let long = String(repeating: "é{{x}}", count: 20_000)
        let found = error(long + "\n😀 {{/oops}}")
        #expect(found?.line == 2 && found?.column == 3, "\(String(describing: found))")
        let sameLine = error(long + " {{/oops}}")
        #expect(sameLine?.line == 1 && sameLine?.column == 20_000 * 6 + 2, "\(String(describing: sameLine))")
    }

    @Test func renderErrorsNameWhereTheyHappen() {
        let missingHelper = error("one\ntwo {{shout name}}")
        #expect(missingHelper?.kind == .render)
        #expect(missingHelper?.line == 2 && missingHelper?.column == 5)
        #expect(missingHelper?.message == "Missing helper: \"shout\"")

        let strict = error("a\n{{#each list}}\n  {{item.name}}\n{{/each}}", strict: true,
                           data: .dictionary([("list", .list([.dictionary([("item", .dictionary([]))])]))]))
        #expect(strict?.kind == .missingPath)
        #expect(strict?.line == 3 && strict?.column == 5)
        #expect(strict?.message.contains("item.name") == true)

        let missingPartial = error("x\n  {{> nowhere}}")
        #expect(missingPartial?.line == 2 && missingPartial?.column == 3)
        #expect(missingPartial?.message.contains("nowhere") == true)

        let inPartial = error("{{> p}}")
        #expect(inPartial?.template == "p")
        #expect(inPartial?.line == 2 && inPartial?.column == 1)
    }

    @Test func partialBlocksAndInlinePartialsReportWhereErrorsAre() {
        let noBlock = error("x\n {{> @partial-block}}")
        #expect(noBlock?.kind == .render && noBlock?.line == 2 && noBlock?.column == 2)
        #expect(noBlock?.message == "The partial @partial-block could not be found")

        let hook = error("{{#blockHelperMissing true}}x{{/blockHelperMissing}}")
        #expect(hook?.message.contains("a template cannot call it") == true)

        let engine = TemplateEngine(partials: .templates(["layout": "top\n{{> @partial-block}}"]), strict: true)
        let inBlock = #expect(throws: TemplateError.self) {
            try engine.render("{{#> layout}}\n  {{missing}}\n{{/layout}}", name: "page.md", context: .dictionary([]))
        }
        #expect(inBlock?.template == "page.md" && inBlock?.line == 2 && inBlock?.column == 5, "\(String(describing: inBlock))")
        let inInline = #expect(throws: TemplateError.self) {
            try engine.render("{{#*inline \"row\"}}\n{{nope}}{{/inline}}{{> row}}", name: "page.md", context: .dictionary([]))
        }
        #expect(inInline?.template == "page.md" && inInline?.line == 2 && inInline?.column == 3, "\(String(describing: inInline))")
    }

    /// Loops in loops multiply, and so do partial blocks rendered twice per level and partial hashes
    /// copied over big contexts: a render stops with an error at its step budget instead of running for ever.
    @Test func multiplyingLoopsStopAtTheStepBudget() throws {
        let nested = String(repeating: "{{#each @root.l}}", count: 30) + "x" + String(repeating: "{{/each}}", count: 30)
        let data = TemplateValue.dictionary([("l", .list([.number(1), .number(2)]))])
        let engine = TemplateEngine(partials: .templates(["p": "{{> @partial-block}}{{> @partial-block}}"]), strict: false,
                                    helpers: [:], maxRenderSteps: 10_000, maxOutputBytes: 1 << 20)
        let loops = #expect(throws: TemplateError.self) { try engine.render(nested, name: "doc.md", context: data) }
        #expect(loops?.message.contains("more than 10000 steps (blocks, loop iterations") == true)
        let blocks = String(repeating: "{{#> p}}", count: 40) + "x" + String(repeating: "{{/p}}", count: 40)
        let doubled = #expect(throws: TemplateError.self) { try engine.render(blocks, name: "doc.md", context: data) }
        #expect(doubled?.message.contains("more than 10000 steps") == true)
        // A partial with a hash copies its context's keys: each copied key counts as a step.
        let wide = TemplateValue.dictionary((0..<2_000).map { ("k\($0)", .number(Double($0))) } + [("l", .list((0..<10).map { .number(Double($0)) }))])
        let copying = TemplateEngine(partials: .templates(["p": "{{x}}"]), strict: false, helpers: [:], maxRenderSteps: 10_000, maxOutputBytes: 1 << 20)
        let copied = #expect(throws: TemplateError.self) { try copying.render("{{#each l}}{{> p @root x=1}}{{/each}}", name: "doc.md", context: wide) }
        #expect(copied?.message.contains("keys copied into partials' contexts") == true && copied?.column == 12, "\(String(describing: copied))")
        #expect(try copying.render("{{#each l}}{{#if @first}}{{> p @root x=1}}{{/if}}{{/each}}", context: wide) == "1")
        let fine = String(repeating: "{{#each @root.l}}", count: 3) + "x" + String(repeating: "{{/each}}", count: 3)
        #expect(try engine.render(fine, context: data) == "xxxxxxxx")
        #expect(TemplateEngine.defaultMaxRenderSteps >= 10_000_000)
    }

    /// Output past the engine's limit is an error, found at the next block or at the end.
    @Test func outputPastTheLimitIsAnError() throws {
        let engine = TemplateEngine(partials: .none, strict: false, helpers: [:], maxRenderSteps: 1_000_000, maxOutputBytes: 4096)
        let data = TemplateValue.dictionary([("l", .list((0..<100).map { .number(Double($0)) })), ("s", .string(String(repeating: "x", count: 100)))])
        let looped = #expect(throws: TemplateError.self) { try engine.render("{{#each l}}{{@root.s}}{{/each}}", name: "doc.md", context: data) }
        #expect(looped?.message == "the rendered text is larger than 4096 bytes")
        #expect(looped.map { !$0.description.contains("xxx") } == true)
        let flat = #expect(throws: TemplateError.self) { try engine.render(String(repeating: "y", count: 5000), name: "doc.md", context: data) }
        #expect(flat?.message == "the rendered text is larger than 4096 bytes")
        #expect(try engine.render(String(repeating: "y", count: 4096), context: data).utf8.count == 4096)
    }

    @Test func recursivePartialsStopWithAnError() {
        let engine = TemplateEngine(partials: .templates(["loop": "x{{> loop}}"]))
        let found = #expect(throws: TemplateError.self) { try engine.render("{{> loop}}", context: .null) }
        #expect(found?.message.contains("nested") == true)
    }
}
