import Ink
import LoopsealTemplates

/// Renders run documents from Markdown with Ink, made safe for pages: Ink passes raw HTML,
/// link and image URLs and code-block languages through unchanged, so those are escaped or
/// dropped here. Document text can come from a workflow's input, so it is not trusted.
enum SafeMarkdown {
    /// The HTML of `markdown`, with raw HTML shown as text, links limited to http(s), mailto
    /// and same-site targets, images shown as their Markdown text, and code-block classes removed.
    static func html(_ markdown: String) -> String {
        let parser = MarkdownParser(modifiers: [
            Modifier(target: .html) { input in escape(input.markdown) },
            Modifier(target: .images) { input in escape(input.markdown) },
            Modifier(target: .links) { input in link(input.html, markdown: input.markdown) },
            Modifier(target: .codeBlocks) { input in codeBlock(input.html) },
        ])
        // A leading `---` block would be read as metadata and dropped: keep it visible.
        let source = escapingIntrawordUnderscores(escapingFalseEntities(markdown.hasPrefix("---") ? "\u{200B}" + markdown : markdown))
        return parser.html(from: source)
    }

    /// Ink copies `&…;` runs verbatim as entities, whatever they hold (`&<script>…;`). An `&`
    /// that starts such a run but not a real entity (`&name;`, `&#123;`, `&#x1F;`) becomes `&amp;`.
    static func escapingFalseEntities(_ markdown: String) -> String {
        guard markdown.contains("&") else { return markdown }
        let scalars = Array(markdown.unicodeScalars)
        var out = String.UnicodeScalarView()
        for (index, scalar) in scalars.enumerated() {
            guard scalar == "&" else {
                out.append(scalar)
                continue
            }
            var end = index + 1
            while end < scalars.count, scalars[end] != ";", !scalars[end].properties.isWhitespace { end += 1 }
            let isRun = end < scalars.count && scalars[end] == ";"
            let body = scalars[min(index + 1, end)..<end]
            let isEntity = !body.isEmpty && body.count <= 32
                && body.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "#" }
            if isRun && !isEntity { out.append(contentsOf: "&amp;".unicodeScalars) } else { out.append(scalar) }
        }
        return String(out)
    }

    /// Ink reads every `_` as emphasis, even inside a word (`EXAMPLE_API_KEY` would lose its
    /// underscores and italicize `API`); CommonMark never does. An `_` between two letters or
    /// digits becomes `&#95;`, except in code spans and code blocks, where Ink shows text as is.
    static func escapingIntrawordUnderscores(_ markdown: String) -> String {
        guard markdown.contains("_") else { return markdown }
        var fence: Substring?
        let lines = markdown.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            let trimmed = line.drop { $0 == " " }
            if let open = fence {
                if trimmed.hasPrefix(open) { fence = nil }
                return String(line)
            }
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                fence = trimmed.prefix(3)
                return String(line)
            }
            if line.hasPrefix("    ") || line.hasPrefix("\t") { return String(line) }
            let characters = Array(line)
            var out = ""
            var index = 0
            var openTicks = 0
            while index < characters.count {
                let character = characters[index]
                if character == "`" {
                    var run = 0
                    while index < characters.count, characters[index] == "`" { run += 1; index += 1 }
                    if openTicks == 0 { openTicks = run } else if openTicks == run { openTicks = 0 }
                    out += String(repeating: "`", count: run)
                    continue
                }
                let between = index > 0 && index + 1 < characters.count
                    && (characters[index - 1].isLetter || characters[index - 1].isNumber)
                    && (characters[index + 1].isLetter || characters[index + 1].isNumber)
                out += character == "_" && openTicks == 0 && between ? "&#95;" : String(character)
                index += 1
            }
            return out
        }
        return lines.joined(separator: "\n")
    }

    /// Escapes text for HTML element content and quoted attribute values (``HTMLEscape``).
    static func escape<S: StringProtocol>(_ text: S) -> String { HTMLEscape.escape(String(text)) }

    /// Keeps Ink's `<a href="URL">TITLE</a>` only when URL is safe once decoded (``SafeLink``);
    /// otherwise the link's Markdown is shown as text. Ink writes the URL as found, so it ends at
    /// the last `">`: Ink escapes `>` in the title's text, and a URL holding `"` is refused.
    private static func link(_ html: String, markdown: Substring) -> String {
        let prefix = "<a href=\"", suffix = "</a>"
        // A quote or angle bracket anywhere in the link's source could break out of the attribute.
        guard !markdown.contains(where: { $0 == "\"" || $0 == "<" || $0 == ">" }),
              html.hasPrefix(prefix), html.hasSuffix(suffix) else { return escape(markdown) }
        let rest = html.dropFirst(prefix.count).dropLast(suffix.count)
        guard let quote = rest.indices.last(where: { rest[$0...].hasPrefix("\">") }) else {
            return escape(markdown)
        }
        let url = rest[..<quote]
        guard !url.contains(where: { $0 == "\"" || $0 == "<" || $0 == ">" }), let href = SafeLink.href(url) else {
            return escape(markdown)
        }
        return "<a href=\"\(href)\" rel=\"noreferrer noopener\">\(rest[rest.index(quote, offsetBy: 2)...])</a>"
    }

    /// Drops the `class="language-…"` Ink copies verbatim from the fence line; the code itself
    /// is already escaped by Ink, so the last `>` before it closes the opening tag.
    private static func codeBlock(_ html: String) -> String {
        let suffix = "</code></pre>"
        guard html.hasSuffix(suffix) else { return escape(html) }
        let body = html.dropLast(suffix.count)
        guard let close = body.lastIndex(of: ">") else { return escape(html) }
        return "<pre><code>" + body[body.index(after: close)...] + suffix
    }
}
