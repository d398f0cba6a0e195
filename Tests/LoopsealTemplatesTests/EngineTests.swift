import Foundation
import Testing
@testable import LoopsealTemplates
import LoopsealValue

@Suite struct EngineTests {
    @Test func helpersRegisteredFromSwiftGetArgumentsHashAndBlocks() throws {
        let engine = TemplateEngine(helpers: [
            "upper": { call in .value(call.arguments.first.flatMap { $0 }.map { .string($0.javaScriptString.uppercased()) }) },
            "link": { call in
                let text = HTMLEscape.escape(call.arguments.first??.javaScriptString ?? "")
                let url = HTMLEscape.escape(call.hash("href")?.javaScriptString ?? "#")
                return .html("<a href=\"\(url)\">\(text)</a>")
            },
            "twice": { call in .html(try call.fn(call.context) + call.fn(call.context)) },
            "numbered": { call in
                guard case .array(let list)? = call.arguments.first else { return .html(try call.inverse(call.context)) }
                return .html(try list.items.enumerated().map { try call.fn($0.element, data: ["n": .number(Double($0.offset + 1))]) }.joined())
            },
            "fail": { call in throw call.error("fail was called") },
        ])
        let data = TemplateValue.dictionary([("name", .string("a<b")), ("items", .list([.string("x"), .string("y")]))])
        #expect(try engine.render("{{upper name}}|{{upper (upper name)}}", context: data) == "A&lt;B|A&lt;B")
        #expect(try engine.render("{{link name href=\"/p?a=1&b=2\"}}", context: data) == "<a href=\"/p?a&#x3D;1&amp;b&#x3D;2\">a&lt;b</a>")
        #expect(try engine.render("{{#twice}}[{{name}}]{{/twice}}", context: data) == "[a&lt;b][a&lt;b]")
        #expect(try engine.render("{{#numbered items}}{{@n}}.{{this}} {{/numbered}}", context: data) == "1.x 2.y ")
        #expect(try engine.render("{{#numbered nope}}x{{else}}none{{/numbered}}", context: data) == "none")
        let error = #expect(throws: TemplateError.self) { try engine.render("ok\n {{fail}}", name: "t", context: data) }
        #expect(error?.description == "t:2:2: fail was called")
        let overridden = TemplateEngine(helpers: ["if": { _ in .html("custom") }])
        #expect(try overridden.render("{{#if x}}a{{/if}}", context: .null) == "custom")
    }

    /// The built-ins run inline unless a custom helper replaces them; captures nest in the one buffer.
    @Test func customHelpersReplaceBuiltInsAndCapturesNest() throws {
        let engine = TemplateEngine(helpers: [
            "each": { call in .html("each:\(call.arguments.count)") },
            "with": { call in .html(try "with[" + call.fn(.string("w")) + "]") },
            "unless": { call in .html(try call.inverse(call.context) + "!") },
            "wrap": { call in .html(try "(" + call.fn(call.context) + ")") },
            "twice": { call in .html(try call.fn(call.context) + call.fn(call.context)) },
        ])
        let data = TemplateValue.dictionary([("list", .list([.number(1), .number(2)])), ("x", .string("<x>"))])
        #expect(try engine.render("{{#each list}}{{this}}{{/each}}", context: data) == "each:1")
        #expect(try engine.render("{{#with x}}{{this}}{{/with}}", context: data) == "with[w]")
        #expect(try engine.render("{{#unless x}}a{{else}}b{{/unless}}", context: data) == "b!")
        #expect(try engine.render("a{{#wrap}}b{{#twice}}[{{x}}]{{/twice}}{{#wrap}}c{{/wrap}}d{{/wrap}}e", context: data)
                == "a(b[&lt;x&gt;][&lt;x&gt;](c)d)e")
        #expect(try engine.render("{{#if x}}{{#wrap}}{{#each list}}{{/each}}{{/wrap}}{{/if}}", context: data) == "(each:1)")
    }

    /// A template calls the helpers of the engine that compiled it, whichever engine renders it.
    @Test func helpersAreBoundWhenATemplateIsCompiled() throws {
        let shouting = TemplateEngine(helpers: ["shout": { call in .value(.string((call.arguments.first??.javaScriptString ?? "").uppercased())) }])
        let template = try shouting.compile("{{shout name}} {{#if name}}yes{{/if}}")
        let data = TemplateValue.dictionary([("name", .string("ada"))])
        #expect(try TemplateEngine().render(template, context: data) == "ADA yes")
        #expect(throws: TemplateError.self) { try TemplateEngine().render("{{shout name}}", context: data) }
    }

    @Test func partialsResolveFromADirectoryInOrder() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("partials-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/sub", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (name, text) in [("a", "exact"), ("a.md", "md"), ("b.md", "md"), ("b.hbs", "hbs"), ("c.hbs", "hbs"),
                             ("c.handlebars", "handlebars"), ("d.handlebars", "handlebars"), ("sub/e.md", "nested {{x}}")] {
            try text.write(toFile: "\(directory)/\(name)", atomically: true, encoding: .utf8)
        }
        let engine = TemplateEngine(partials: .directory(directory))
        #expect(try engine.render("{{> a}} {{> b}} {{> c}} {{> d}} {{> sub/e}}", context: .dictionary([("x", .number(1))]))
                == "exact md hbs handlebars nested 1")
        #expect(throws: TemplateError.self) { try engine.render("{{> ../etc/passwd}}", context: .null) }
        #expect(throws: TemplateError.self) { try engine.render("{{> missing}}", context: .null) }
    }

    /// Issue 11, item 6: a partial that is a link out of the folder (to a private key), to
    /// /dev/zero or a FIFO is never read; a link that stays inside the folder works.
    @Test func partialsNeverLeaveTheirFolder() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("partials-\(UUID().uuidString)").path
        let directory = base + "/workflows"
        try FileManager.default.createDirectory(atPath: directory + "/sub", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: base) }
        try "AGE-SECRET-KEY-1CANARY".write(toFile: base + "/alice.key", atomically: true, encoding: .utf8)
        try "inside".write(toFile: directory + "/sub/real.md", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: directory + "/leak.md", withDestinationPath: "../alice.key")
        try FileManager.default.createSymbolicLink(atPath: directory + "/zero.md", withDestinationPath: "/dev/zero")
        try FileManager.default.createSymbolicLink(atPath: directory + "/alias.md", withDestinationPath: "sub/real.md")
        #expect(mkfifo(directory + "/pipe.md", 0o600) == 0)
        let engine = TemplateEngine(partials: .directory(directory))
        for name in ["leak", "zero", "pipe", "/etc/passwd"] {
            let error = #expect(throws: TemplateError.self) { try engine.render("{{> \(name)}}", context: .null) }
            #expect(error.map { !"\($0)".contains("CANARY") } == true)
        }
        #expect(try engine.render("{{> alias}}", context: .null) == "inside")
    }

    @Test func oneCompiledTemplateRendersConcurrently() async throws {
        let engine = TemplateEngine(partials: .templates(["row": "<{{key}}:{{#if hasValue}}y{{else}}n{{/if}}>"]))
        let template = try engine.compile("{{#each rows}}{{> row}}{{/each}}", name: "rows")
        let results = try await withThrowingTaskGroup(of: String.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    let rows = TemplateValue.list((0..<50).map { .dictionary([("key", .number(Double($0 + worker))), ("hasValue", .bool($0 % 2 == 0))]) })
                    var last = ""
                    for _ in 0..<20 { last = try engine.render(template, context: .dictionary([("rows", rows)])) }
                    return last
                }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(results.count == 8)
        for result in results { #expect(result.hasPrefix("<") && result.components(separatedBy: "><").count == 50) }
    }
}
