import LoopsealTemplates
import LoopsealValue

/// `TemplateEngine.compile` on any text, then a render with a small fixed context in the
/// default and the strict engine. Errors must carry a 1-based line and column.
///
/// Rendering runs only for sources with at most ``maxRenderedBlocks`` block, partial and
/// `else` openers: `{{#each}}` nested k deep over n items renders n^k times, which would make
/// the fuzzer measure output size instead of finding bugs.
public enum TemplateFuzz {
    static let maxRenderedBlocks = 8

    static let partials: [String: String] = [
        "p": "[{{x}}{{> q}}]",
        "q": "{{#each list}}{{@index}}:{{this}}{{/each}}",
        "self": "{{> self}}",
        "broken": "{{#if}}",
        "layout": "<{{> @partial-block}}|{{#if @partial-block}}{{> @partial-block x=2}}{{/if}}>",
    ]

    static let engines = [
        TemplateEngine(partials: .templates(partials)),
        TemplateEngine(partials: .templates(partials), strict: true),
    ]

    static let context: TemplateValue = .dictionary([
        ("x", .bool(true)),
        ("s", .string("<a href=\"x\">&'`=</a>")),
        ("n", .number(-2.5)),
        ("list", .list([.number(1), .dictionary([("a", .null), ("b", .string("two"))])])),
        ("obj", .dictionary([("a b", .string("c")), ("0", .number(0))])),
    ])

    /// Runs one input.
    public static func run(_ bytes: [UInt8]) {
        let source = String(decoding: bytes, as: UTF8.self)
        let render = blockOpeners(bytes) <= maxRenderedBlocks
        for engine in engines {
            do {
                let template = try engine.compile(source, name: "fuzz.hbs")
                if render { _ = try engine.render(template, context: context) }
            } catch {
                FuzzCheck.require(error.line >= 1 && error.column >= 1,
                                  "template error without a position: \(error)")
            }
        }
    }

    /// Counts `#`, `^` and `>` bytes and `else` words: an upper bound on nested blocks and partials.
    static func blockOpeners(_ bytes: [UInt8]) -> Int {
        var count = 0
        let word = Array("else".utf8)
        for index in bytes.indices {
            switch bytes[index] {
            case UInt8(ascii: "#"), UInt8(ascii: "^"), UInt8(ascii: ">"): count += 1
            case UInt8(ascii: "e") where bytes[index...].starts(with: word): count += 1
            default: break
            }
        }
        return count
    }
}
