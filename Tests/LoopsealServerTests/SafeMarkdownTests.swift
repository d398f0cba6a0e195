@testable import LoopsealServer
import Testing

@Suite("safe Markdown")
struct SafeMarkdownTests {
    @Test("underscores inside key names stay literal, as in CommonMark")
    func intraword() {
        let html = SafeMarkdown.html("- **EXAMPLE_API_KEY**: has value\n- _emphasis_ and snake_case_name")
        #expect(html.contains("<strong>EXAMPLE&#95;API&#95;KEY</strong>: has value"))
        #expect(html.contains("<em>emphasis</em>"))
        #expect(html.contains("snake&#95;case&#95;name"))
        #expect(!html.contains("<em>API</em>"))
    }

    @Test("code spans and code blocks keep their underscores untouched")
    func code() {
        let html = SafeMarkdown.html("Use `MY_KEY_NAME` here.\n\n```\nA_B_C\n```\n")
        #expect(html.contains("<code>MY_KEY_NAME</code>"))
        #expect(html.contains("A_B_C"))
        #expect(!html.contains("&amp;#95;"))
    }
}

@Suite("safe links: judged on the decoded URL")
struct SafeLinkTests {
    /// Each one names a script, data or other non-web scheme once a browser decodes it.
    static let bypasses = [
        "[c](javascript:alert(1))",
        "[c](&#106;avascript:alert(1))",
        "[c](&#x6A;avascript:alert(1))",
        "[c](&#X6a;avascript:alert(1))",
        "[c](&#0000106avascript:alert(1))",
        "[c](&#x00006a;avascript:alert(1))",
        "[c](&#106&#97&#118&#97&#115&#99&#114&#105&#112&#116&#58alert(1))",
        "[c](jav&#x09;ascript:alert(1))",
        "[c](jav&#9;ascript:alert(1))",
        "[c](jav&Tab;ascript:alert(1))",
        "[c](jav&NewLine;ascript:alert(1))",
        "[c](java&#13;script:alert(1))",
        "[c](java&#x0A;script:alert(1))",
        "[c](JaVaScRiPt:alert(1))",
        "[c](javascript&colon;alert(1))",
        "[c](javascript&#58;alert(1))",
        "[c](javascript&#x3a;alert(1))",
        "[c]( javascript:alert(1))",
        "[c](&#32;javascript:alert(1))",
        "[c](&#x01;javascript:alert(1))",
        "[c](&#x7f;javascript:alert(1))",
        "[c](&nbsp;javascript:alert(1))",
        "[c](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[c](DATA:text/html,x)",
        "[c](&#100;ata:text/html,x)",
        "[c](vbscript:msgbox(1))",
        "[c](VBScript&colon;msgbox(1))",
        "[c](file:///etc/passwd)",
        "[c](//evil.example/x)",
        "[c](&#x2F;&#x2F;evil.example/x)",
        "[c](&sol;&sol;evil.example/x)",
        "[c](/\\evil.example/x)",
        "[c](&sol;&bsol;evil.example/x)",
        "[c][r]\n\n[r]: &#106;avascript:alert(1)",
        "[c][r]\n\n[r]: /a\">x<img src=x onerror=alert(1)>",
        "[c][javascript:alert(1)]",
    ]

    @Test("script, data and vbscript URLs are shown as text however they are spelled", arguments: bypasses)
    func bypass(markdown: String) {
        let html = SafeMarkdown.html(markdown)
        #expect(!html.contains("<a "), "\(markdown) → \(html)")
        #expect(!html.contains("href"), "\(markdown) → \(html)")
        #expect(!html.contains("<img"), "\(markdown) → \(html)")
    }

    @Test("images are never rendered, whatever their source")
    func images() {
        for markdown in ["![i](javascript:alert(1))", "![i](&#106;avascript:alert(1))", "![i](data:image/svg+xml,<svg onload=alert(1)>)",
                         "![i](https://example.com/x.png)", "![i][r]\n\n[r]: data:image/png;base64,AAAA"] {
            let html = SafeMarkdown.html(markdown)
            #expect(!html.contains("<img"), "\(markdown) → \(html)")
            #expect(!html.contains("src="), "\(markdown) → \(html)")
        }
    }

    @Test("http, https, mailto and relative links stay; the href is the decoded URL, escaped again")
    func allowed() {
        #expect(SafeMarkdown.html("[d](https://example.com/a?b=1&c=2)")
            == #"<p><a href="https://example.com/a?b=1&amp;c=2" rel="noreferrer noopener">d</a></p>"#)
        #expect(SafeMarkdown.html("[d](http://example.com)").contains(#"href="http://example.com""#))
        #expect(SafeMarkdown.html("[d](mailto:ops@example.com)").contains(#"href="mailto:ops@example.com""#))
        #expect(SafeMarkdown.html("[d](&#104;ttps://example.com/)").contains(#"href="https://example.com/""#))
        #expect(SafeMarkdown.html("[d]( https://example.com/ )").contains(#"href="https://example.com/""#))
        #expect(SafeMarkdown.html("[d](/workspaces/alpha)").contains(#"href="/workspaces/alpha""#))
        #expect(SafeMarkdown.html("[d](#notes)").contains(##"href="#notes""##))
        #expect(SafeMarkdown.html("[d](?page=2)").contains(#"href="?page=2""#))
        #expect(SafeMarkdown.html("[d](docs/a:b)").contains(#"href="docs/a:b""#))
        #expect(SafeMarkdown.html("[d][r]\n\n[r]: https://example.com/ref").contains(#"href="https://example.com/ref""#))
        #expect(SafeMarkdown.html("[**bold** text](https://example.com)").contains(#"rel="noreferrer noopener"><strong>bold</strong> text</a>"#))
    }

    @Test("the URL judged is the one a browser parses: decoded, tabs and line breaks removed, ends trimmed")
    func normalization() {
        #expect(SafeLink.normalized(HTMLEntities.decode(" \u{1}jav&#x09;a&NewLine;script&colon;x \u{0} ")) == "javascript:x")
        #expect(SafeLink.href("jav&#x09;ascript:x") == nil)
        #expect(SafeLink.href("https://a.example/?q=\"x\"") == nil)
        #expect(SafeLink.href("https://a.example/&lt;x&gt;") == nil)
        #expect(SafeLink.href("https://a.example/a&amp;b") == "https://a.example/a&amp;b")
    }

    @Test("character references decode as in an attribute: decimal, hex, named, with or without ';'")
    func entities() {
        #expect(HTMLEntities.decode("&#106;&#x6A;&#X6a;&#0000106;&#106") == "jjjjj")
        #expect(HTMLEntities.decode("&colon;&Tab;&NewLine;&sol;&num;&lpar;&rpar;") == ":\t\n/#()")
        #expect(HTMLEntities.decode("&amp;&amp&lt&gt;&quot") == "&&<>\"")
        #expect(HTMLEntities.decode("a&ampx b&copy=c") == "a&ampx b&copy=c")
        #expect(HTMLEntities.decode("&#0;&#xD800;&#x110000;&#99999999999999;") == "\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}")
        #expect(HTMLEntities.decode("&#128;&#x96;") == "\u{20AC}\u{2013}")
        #expect(HTMLEntities.decode("&unknown; & &; &#; &#x;") == "&unknown; & &; &#; &#x;")
        #expect(HTMLEntities.decode("no references") == "no references")
    }
}
