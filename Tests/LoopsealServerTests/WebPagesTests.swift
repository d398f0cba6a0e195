import Foundation
@testable import LoopsealServer
import LoopsealStore
import LoopsealTemplates
import LoopsealWorkflows
import Testing
import LoopsealValue

@Suite("Web pages")
struct WebPagesTests {
    let pages = WebPages()
    let viewer = WebViewer(name: "ops", role: .admin, csrf: "c5rf-token-0123")

    /// A waiting run asking for `keys`, with descriptions from its `request_secrets` result.
    static func waitingRun(keys: [(String, String?)], place: String = "asking") throws -> WorkflowRun {
        let variables = keys.map { key, description -> String in
            let describe = description.map { #", "description": \#(json($0))"# } ?? ""
            return #"{"key": \#(json(key))\#(describe)}"#
        }.joined(separator: ", ")
        let text = """
        {"id": "run-1", "workflow": "ask", "workflowFile": "workflows/ask.yaml", "workspace": "alpha",
         "status": "waiting", "place": \(json(place)), "state": {}, "args": {},
         "toolResults": {"ask": {"request_secrets": {"variables": [\(variables)]}}},
         "documents": [{"id": "d1", "type": "markdown", "transition": "ask", "content": {"markdown": "# Hello <script>alert(1)</script>"}}],
         "requestedKeys": [\(keys.map { json($0.0) }.joined(separator: ", "))],
         "history": [{"transition": "ask", "from": "start", "to": \(json(place)), "manual": false, "at": "2026-01-01T00:00:00.000Z"}],
         "error": null, "createdAt": "2026-01-01T00:00:00.000Z", "updatedAt": "2026-01-01T00:00:00.000Z"}
        """
        return try WorkflowRun(value: try TemplateValue(jsonText: text), file: "run-1.json")
    }

    static func json(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: text, options: [.fragmentsAllowed])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// Every `<form …>…</form>` in `html`.
    static func forms(_ html: String) -> [String] {
        html.components(separatedBy: "<form").dropFirst().map { $0.components(separatedBy: "</form>")[0] }
    }

    @Test("every template compiles and every page renders")
    func allPagesRender() throws {
        _ = try pages.signIn(csrf: "x")
        _ = try pages.workspaces(["alpha"], viewer: viewer)
        _ = try pages.workspace("alpha", keys: [], runs: [], workflows: [], viewer: viewer)
        _ = try pages.error(status: 404, title: "Not Found", message: "no workspace", viewer: nil)
        let view = RunView.build(run: try Self.waitingRun(keys: [("API_KEY", nil)]), definition: nil, manualTransitions: ["submitted"],
                                 keys: [], canWrite: true)
        _ = try pages.run(view, workspace: "alpha", viewer: viewer)
    }

    @Test("keys and descriptions are escaped: a <script> in them renders as text")
    func escaping() throws {
        let hostile = "<script>alert('x')</script>"
        let run = try Self.waitingRun(keys: [("API_KEY", "Key \(hostile) \"quoted\"")])
        let view = RunView.build(run: run, definition: nil, manualTransitions: ["submitted"], keys: [], canWrite: true)
        let html = try pages.run(view, workspace: "alpha", viewer: WebViewer(name: hostile, role: .writer, csrf: "c\"><b>"))
        #expect(!html.contains("<script>"))
        #expect(html.contains("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"))
        #expect(html.contains("&quot;quoted&quot;"))
        #expect(!html.contains("c\"><b>"))

        let workspace = try pages.workspace("alpha", keys: [SecretKeyInfo(id: "1", key: hostile, hasValue: false)],
                                            runs: [run], workflows: [WorkflowSummary(name: "ask", file: "workflows/ask.yaml", title: hostile, description: nil)],
                                            viewer: viewer)
        #expect(!workspace.contains("<script>"))
        let error = try pages.error(status: 400, title: "Bad Request", message: hostile, viewer: nil)
        #expect(!error.contains("<script>"))
        let signIn = try pages.signIn(csrf: "x", error: hostile)
        #expect(!signIn.contains("<script>"))
    }

    @Test("the secret form has one masked textarea per requested key, autocomplete=off, labels and descriptions")
    func secretForm() throws {
        let run = try Self.waitingRun(keys: [("API_KEY", "The API key"), ("DB_PASSWORD", nil)])
        let view = RunView.build(run: run, definition: nil, manualTransitions: ["submitted"],
                                 keys: [SecretKeyInfo(id: "2", key: "DB_PASSWORD", hasValue: true)], canWrite: true)
        #expect(view.secretForm?.transition == "submitted")
        #expect(view.actions.isEmpty)
        let html = try pages.run(view, workspace: "alpha", viewer: viewer)
        let form = try #require(Self.forms(html).first { $0.contains("/secrets") })
        #expect(form.contains(#"action="/workspaces/alpha/runs/run-1/secrets""#))
        let areas = form.components(separatedBy: "<textarea").dropFirst().map { $0.components(separatedBy: ">")[0] }
        #expect(areas.count == 2)
        for field in areas {
            #expect(field.contains(#"class="secret""#))
            #expect(field.contains(#"autocomplete="off""#) && field.contains(#"spellcheck="false""#) && field.contains(#"autocapitalize="off""#))
            #expect(field.contains(#"wrap="off""#))
        }
        #expect(areas[0].contains(#"name="secret:API_KEY""#))
        #expect(areas[0].contains("required"))
        #expect(areas[1].contains(#"name="secret:DB_PASSWORD""#))
        #expect(!areas[1].contains("required"))
        // Each textarea starts empty: no stored value ever reaches the page.
        #expect(form.components(separatedBy: "</textarea>").dropLast().allSatisfy { $0.hasSuffix(">") })
        #expect(!form.contains(#"type="password""#))
        #expect(form.contains(#"<label for="secret-API_KEY"><code>API_KEY</code> <span class="description">The API key</span></label>"#))
        #expect(form.contains(#"<label for="secret-DB_PASSWORD"><code>DB_PASSWORD</code></label>"#))
        #expect(form.contains("Stored"))
    }

    @Test("the form says how values and line breaks are stored, and that an empty field keeps a stored value")
    func secretFormStatesStorage() throws {
        let run = try Self.waitingRun(keys: [("API_KEY", nil), ("DB_PASSWORD", nil)])
        let view = RunView.build(run: run, definition: nil, manualTransitions: ["submitted"],
                                 keys: [SecretKeyInfo(id: "2", key: "DB_PASSWORD", hasValue: true)], canWrite: true)
        let form = try #require(Self.forms(try pages.run(view, workspace: "alpha", viewer: viewer)).first { $0.contains("/secrets") })
        #expect(form.contains("Line breaks are stored as LF: browsers send CR LF, Loopseal turns each into LF."))
        #expect(form.contains("spaces, tabs and several lines (a PEM key) are kept"))
        #expect(form.components(separatedBy: "Leave empty to keep the stored value.").count == 2)  // only DB_PASSWORD
    }

    @Test("each value is masked until its Show checkbox (unnamed, before it) is ticked: CSS only, no script")
    func masking() throws {
        let view = RunView.build(run: try Self.waitingRun(keys: [("API_KEY", nil)]), definition: nil, manualTransitions: ["submitted"],
                                 keys: [], canWrite: true)
        let form = try #require(Self.forms(try pages.run(view, workspace: "alpha", viewer: viewer)).first { $0.contains("/secrets") })
        let toggle = try #require(form.range(of: #"<input type="checkbox" id="secret-API_KEY-show" class="reveal">"#))
        let area = try #require(form.range(of: "<textarea id=\"secret-API_KEY\""))
        #expect(toggle.upperBound < area.lowerBound)  // `~` selects following siblings only
        #expect(form.contains(#"<label for="secret-API_KEY-show" class="reveal">Show</label>"#))
        #expect(!form.contains(#"class="reveal" name="#))  // an unnamed checkbox is never submitted
        let css = WebTemplates.stylesheet
        #expect(css.contains("textarea.secret {") && css.contains("-webkit-text-security: disc;"))
        #expect(css.contains("@supports not (-webkit-text-security: disc) { textarea.secret { color: transparent;"))
        #expect(css.contains("input.reveal:checked ~ textarea.secret { -webkit-text-security: none;"))
    }

    @Test("every form carries the CSRF field")
    func csrfOnEveryForm() throws {
        let run = try Self.waitingRun(keys: [("API_KEY", nil)])
        let view = RunView(run: run, actions: [RunAction(transition: "cancel", label: "Cancel")],
                           secretForm: SecretForm(transition: "submitted", label: "Store", fields: [SecretField(key: "API_KEY", hasValue: false)]),
                           canWrite: true)
        let rendered = [
            try pages.run(view, workspace: "alpha", viewer: viewer),
            try pages.workspace("alpha", keys: [], runs: [], workflows: [WorkflowSummary(name: "ask", file: "f", title: nil, description: nil)], viewer: viewer),
            try pages.workspaces(["alpha"], viewer: viewer),
            try pages.signIn(csrf: viewer.csrf),
        ]
        var count = 0
        for html in rendered {
            for form in Self.forms(html) {
                count += 1
                #expect(form.contains(#"<input type="hidden" name="csrf" value="c5rf-token-0123">"#), "form without CSRF: \(form)")
            }
        }
        #expect(count == 3 + 2 + 1 + 1)  // run: sign-out, secrets, one action; workspace: sign-out, start; list: sign-out; sign-in
    }

    @Test("pages hold no inline script or style, so the CSP can forbid them")
    func noInlineScriptOrStyle() throws {
        let view = RunView.build(run: try Self.waitingRun(keys: [("API_KEY", nil)]), definition: nil, manualTransitions: ["submitted"],
                                 keys: [], canWrite: true)
        for html in [try pages.run(view, workspace: "alpha", viewer: viewer), try pages.signIn(csrf: "x"),
                     try pages.workspace("alpha", keys: [], runs: [], workflows: [], viewer: viewer)] {
            #expect(!html.contains("<script"))
            #expect(!html.contains("<style"))
            #expect(!html.contains("style="))
            #expect(html.range(of: #"\son[a-z]+="#, options: .regularExpression) == nil)  // no onclick= and friends
        }
    }

    @Test("The workspace page shows each secret's metadata, escaped (issue 18)")
    func workspacePageMetadata() throws {
        let metadata = SecretMetadata(owner: "ops@example.com", expires: CalendarDate(string: "2027-03-01"),
                                      rotateEvery: RotationPeriod(string: "90d"), rotated: CalendarDate(string: "2026-12-01"),
                                      description: "Relay <b>\"app\"</b>")
        let keys = [SecretKeyInfo(id: "1", key: "SMTP", hasValue: true, metadata: metadata)]
        let html = try pages.workspace("alpha", keys: keys, runs: [], workflows: nil, viewer: viewer)
        #expect(html.contains("<th>Owner</th><th>Expires</th><th>Rotate every</th><th>Last rotated</th><th>Description</th>"))
        #expect(html.contains(#"<td>ops@example.com</td><td>2027-03-01</td><td>90d</td><td>2026-12-01</td><td>Relay &lt;b&gt;&quot;app&quot;&lt;/b&gt;</td></tr>"#))
        #expect(!html.contains("<b>"))
    }

    @Test("Stored and Missing badges on the workspace page; the start form only for admins")
    func workspacePage() throws {
        let keys = [SecretKeyInfo(id: "1", key: "API_KEY", hasValue: true), SecretKeyInfo(id: "2", key: "DB_PASSWORD", hasValue: false)]
        let html = try pages.workspace("alpha", keys: keys, runs: [try Self.waitingRun(keys: [])], workflows: nil, viewer: viewer)
        #expect(html.contains(#"<tr><td><code>API_KEY</code></td><td><span class="badge stored">Stored</span></td><td></td><td></td><td></td><td></td><td></td></tr>"#))
        #expect(html.contains(#"<tr><td><code>DB_PASSWORD</code></td><td><span class="badge missing">Missing</span></td><td></td><td></td><td></td><td></td><td></td></tr>"#))
        #expect(html.contains(#"<a href="/workspaces/alpha/runs/run-1"><code>run-1</code></a>"#))
        #expect(html.contains("<code>asking</code>"))
        #expect(!html.contains("Start a run"))
        let admin = try pages.workspace("alpha", keys: keys, runs: [], workflows: [WorkflowSummary(name: "ask", file: "f", title: "Ask", description: nil)],
                                        viewer: viewer)
        #expect(admin.contains(#"<option value="ask">ask — Ask</option>"#))
    }

    @Test("readers see the run without forms; buttons take labels from button widgets")
    func runWidgets() throws {
        let run = try Self.waitingRun(keys: [], place: "confirming")
        let reader = RunView.build(run: run, definition: nil, manualTransitions: ["confirm", "cancel"], keys: [], canWrite: false)
        #expect(reader.actions.isEmpty && reader.secretForm == nil)
        let html = try pages.run(reader, workspace: "alpha", viewer: WebViewer(name: "r", role: .reader, csrf: "c"))
        #expect(Self.forms(html).count == 1)  // sign-out only
        #expect(html.contains("can read only"))

        let writer = RunView.build(run: run, definition: nil, manualTransitions: ["confirm", "cancel"], keys: [], canWrite: true)
        #expect(writer.actions == [RunAction(transition: "confirm", label: "confirm"), RunAction(transition: "cancel", label: "cancel")])
        let page = try pages.run(writer, workspace: "alpha", viewer: viewer)
        #expect(page.contains(#"action="/workspaces/alpha/runs/run-1/transitions/confirm""#))
    }

    @Test("widgets from a .ui.yaml: secret-input picks the transition, buttons their labels")
    func widgetsFromDefinition() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("web-widgets-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try """
        transitions:
          - { id: ask, from: start, to: asking, call: [{ tool: request_secrets, args: { variables: [{ key: API_KEY }] } }] }
          - { id: submitted, from: asking, to: end, wait: true }
          - { id: skip, from: asking, to: end, wait: true }
        ui:
          widgets:
            - { widget: secret-input, enabledWhen: [asking], options: { transition: submitted, label: Save them } }
            - { widget: button, enabledWhen: [asking], options: { transition: skip, label: Skip for now } }
        """.write(toFile: "\(directory)/flow.yaml", atomically: true, encoding: .utf8)
        let definition = try WorkflowValidator.load(path: "\(directory)/flow.yaml")
        let run = try Self.waitingRun(keys: [("API_KEY", nil)])
        let view = RunView.build(run: run, definition: definition, manualTransitions: ["submitted", "skip"], keys: [], canWrite: true)
        #expect(view.secretForm?.transition == "submitted")
        #expect(view.secretForm?.label == "Save them")
        #expect(view.actions == [RunAction(transition: "skip", label: "Skip for now")])
        let elsewhere = try Self.waitingRun(keys: [("API_KEY", nil)], place: "other")
        #expect(RunView.build(run: elsewhere, definition: definition, manualTransitions: ["skip"], keys: [], canWrite: true).secretForm == nil)
    }

    @Test("Markdown documents: rendered by Ink, raw HTML and unsafe links shown as text")
    func markdown() {
        #expect(SafeMarkdown.html("# Title\n\n**bold** and `a<b`") == "<h1>Title</h1><p><strong>bold</strong> and <code>a&lt;b</code></p>")
        let hostile = [
            "<script>alert(1)</script>",
            "text <img src=x onerror=alert(1)> more",
            "[click](javascript:alert(1))",
            "[x](http://a\"onmouseover=\"alert(1))",
            "![i](http://evil/x.png)",
            "```\"><script>alert(1)</script>\ncode\n```",
            "<div onclick=alert(1)>hi</div>",
            "&<script>alert(1)</script>;",
        ]
        for markdown in hostile {
            let html = SafeMarkdown.html(markdown)
            #expect(!html.contains("<script"), "\(markdown) → \(html)")
            #expect(!html.contains("<img"), "\(markdown) → \(html)")
            #expect(!html.contains("<div"), "\(markdown) → \(html)")
            #expect(!html.contains("javascript:alert") || !html.contains("href=\"javascript"), "\(markdown) → \(html)")
            #expect(!html.contains("onmouseover=\""), "\(markdown) → \(html)")
        }
        #expect(SafeMarkdown.html("[docs](https://example.com/a?b=1)")
            == #"<p><a href="https://example.com/a?b=1" rel="noreferrer noopener">docs</a></p>"#)
        #expect(SafeMarkdown.html("[run](/workspaces/alpha)").contains(#"href="/workspaces/alpha""#))
        #expect(SafeMarkdown.html("```swift\nlet a = 1 < 2\n```") == "<pre><code>let a = 1 &lt; 2\n</code></pre>")
    }

    @Test("the run page renders the secret_request document and the report with has value")
    func documents() throws {
        var run = try Self.waitingRun(keys: [("API_KEY", "The key")])
        run.documents.append(WorkflowDocument(id: "d2", type: .secretRequest, transition: "ask",
                                              content: try TemplateValue(jsonText: #"{"variables": [{"key": "API_KEY", "description": "The key"}]}"#)))
        let html = try pages.run(RunView(run: run, actions: [], secretForm: nil, canWrite: true), workspace: "alpha", viewer: viewer)
        #expect(html.contains("<h1>Hello &lt;script&gt;alert(1)&lt;/script&gt;</h1>"))
        #expect(html.contains("<strong>Secrets requested</strong>"))
        #expect(html.contains("<code>API_KEY</code> — The key"))
    }
}
