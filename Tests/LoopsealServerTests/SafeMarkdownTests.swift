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
