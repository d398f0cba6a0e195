import Foundation
import Testing

/// `loopseal render`: exactly the rendered text on stdout, positioned errors on stderr.
@Suite("render")
struct RenderTests {
    @Test("prints exactly the rendered text, with partials and JSON or YAML data")
    func renders() throws {
        let box = try Sandbox("render")
        defer { box.remove() }
        try FileManager.default.createDirectory(atPath: "\(box.root)/partials", withIntermediateDirectories: true)
        try writeBytes(Array("# Secrets\n{{#each secretKeys}}\n- **{{this.key}}**: {{#if this.hasValue}}has value{{else}}no value{{/if}}\n{{/each}}\n  {{> footer}}\n".utf8), to: "\(box.root)/report.md")
        try writeBytes(Array("by {{owner}}\nend".utf8), to: "\(box.root)/partials/footer.hbs")
        try writeBytes(Array(#"{"owner": "A & B", "secretKeys": [{"key": "API", "hasValue": true}, {"key": "DB", "hasValue": false}]}"#.utf8), to: "\(box.root)/data.json")
        try writeBytes(Array("owner: A & B\nsecretKeys:\n  - {key: API, hasValue: true}\n  - {key: DB, hasValue: false}\n".utf8), to: "\(box.root)/data.yaml")
        let expected = "# Secrets\n- **API**: has value\n- **DB**: no value\n  by A &amp; B\n  end"
        for data in ["data.json", "data.yaml"] {
            let result = try box.ok(["render", "\(box.root)/report.md", "--data", "\(box.root)/\(data)", "--partials", "\(box.root)/partials"])
            #expect(result.stdoutText == expected)
            #expect(result.stderr.isEmpty)
        }
    }

    @Test("errors name the file, line and column; strict mode reports missing paths")
    func errors() throws {
        let box = try Sandbox("render-errors")
        defer { box.remove() }
        try writeBytes(Array("ok\n{{#each items}}\n{{/if}}".utf8), to: "\(box.root)/bad.md")
        let bad = try box.run(["render", "bad.md"], cwd: box.root)
        #expect(bad.status == 1)
        #expect(bad.stdout.isEmpty)
        #expect(bad.stderr.contains("bad.md:3:1: 'each' doesn't match 'if'"), "\(bad)")

        try writeBytes(Array("Hello {{user.name}}".utf8), to: "\(box.root)/strict.md")
        let loose = try box.ok(["render", "\(box.root)/strict.md"])
        #expect(loose.stdoutText == "Hello ")
        let strict = try box.run(["render", "strict.md", "--strict"], cwd: box.root)
        #expect(strict.status == 1)
        #expect(strict.stderr.contains("strict.md:1:9:"), "\(strict)")
        #expect(strict.stderr.contains("user.name"))

        try writeBytes(Array("{\"a\": [1,}".utf8), to: "\(box.root)/broken.json")
        let data = try box.run(["render", "strict.md", "--data", "broken.json"], cwd: box.root)
        #expect(data.status == 1)
        #expect(data.stderr.contains("broken.json:1:10:"), "\(data)")
    }
}
