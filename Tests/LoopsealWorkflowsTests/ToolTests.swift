import Foundation
import Testing
import LoopsealCrypto
import LoopsealStore
import LoopsealTemplates
@testable import LoopsealWorkflows

/// The built-in tools (DESIGN.md §6): request_secrets, get_secret_keys, sync_secrets, create_document.
@Suite("Workflow tools")
struct ToolTests {
    // MARK: request_secrets

    @Test func requestSecretsDeclaresNewKeysAndKeepsExistingValues() throws {
        let fixture = try Fixture("""
        transitions:
          - id: ask
            from: start
            to: asked
            call:
              - tool: request_secrets
                args:
                  variables:
                    - key: EXISTING_KEY
                      description: already set
                    - key: NEW_KEY
                    - key: "${{ args.extra }}"
                assign:
                  requested: ${{ result.data.variables }}
          - id: again
            from: asked
            to: end
            call:
              - tool: requestSecrets
                args:
                  variables: [{ key: NEW_KEY }, { key: EXISTING_KEY }]
        """)
        defer { fixture.sandbox.remove() }
        let secrets = fixture.secrets
        try secrets.upsert(key: "EXISTING_KEY", value: SecureBytes(copying: Array("original-value".utf8)))
        let existingID = try secrets.find(key: "EXISTING_KEY")?.id

        let run = fixture.start(#"{"extra": "FROM_ARGS"}"#)
        #expect(run.status == .completed, "\(run.error ?? "")")
        #expect(run.requestedKeys == ["EXISTING_KEY", "NEW_KEY", "FROM_ARGS"])
        #expect(json(run.state.property("requested"))
                == #"[{"key":"EXISTING_KEY","description":"already set"},{"key":"NEW_KEY"},{"key":"FROM_ARGS"}]"#)

        let keys = try secrets.keys()
        #expect(keys.map(\.key) == ["EXISTING_KEY", "FROM_ARGS", "NEW_KEY"])
        #expect(keys.map(\.hasValue) == [true, false, false])
        #expect(keys.first?.id == existingID)
        for key in ["NEW_KEY", "FROM_ARGS"] {
            #expect(FileManager.default.fileExists(atPath: try fixture.workspace.secretPath(for: key)))
        }
        let revealed = try secrets.reveal(key: "EXISTING_KEY", identities: [fixture.identity])
        #expect(revealed.withUnsafeBytes { Array($0) } == Array("original-value".utf8))
    }

    @Test func requestSecretsRejectsAnInvalidKeyAtRunTime() throws {
        let fixture = try Fixture("""
        transitions:
          - id: ask
            from: start
            to: end
            call:
              - tool: request_secrets
                args:
                  variables: ${{ args.vars }}
        """)
        defer { fixture.sandbox.remove() }
        let run = fixture.start(#"{"vars": [{"key": "GOOD_KEY"}, {"key": "bad-key"}]}"#)
        #expect(run.status == .failed)
        #expect(run.error?.hasPrefix("transition 'ask' failed: request_secrets: ") == true, "\(run.error ?? "")")
        #expect(run.error?.contains("bad-key") == true)
        #expect(run.requestedKeys.isEmpty)
        let files = try FileManager.default.contentsOfDirectory(atPath: fixture.workspace.secretsDirectory)
        #expect(!files.contains { $0.hasPrefix("bad-key") })
    }

    // MARK: get_secret_keys and sync_secrets

    @Test func getSecretKeysResultIsAssignedIntoState() throws {
        let fixture = try Fixture("""
        transitions:
          - id: list
            from: start
            to: end
            call:
              - id: keys
                tool: getSecretKeys
                assign:
                  secretKeys: ${{ result.data }}
                  count: ${{ result.data.length }}
            assign:
              firstKey: ${{ runtime.tools.list.keys.data[0].key }}
        """)
        defer { fixture.sandbox.remove() }
        try fixture.secrets.upsert(key: "ALPHA", value: SecureBytes(copying: Array("a".utf8)))
        try fixture.secrets.declare(key: "BETA")
        let run = fixture.start()
        #expect(run.status == .completed, "\(run.error ?? "")")
        #expect(json(run.state) == #"{"secretKeys":[{"key":"ALPHA","hasValue":true},{"key":"BETA","hasValue":false}],"count":2,"firstKey":"ALPHA"}"#)
        #expect(json(run.toolResults) == #"{"list":{"keys":{"data":[{"key":"ALPHA","hasValue":true},{"key":"BETA","hasValue":false}]}}}"#)
    }

    private static let syncing = """
    transitions:
      - id: sync
        from: start
        to: end
        call:
          - tool: sync_secrets
            assign:
              synced: ${{ result.data }}
    """

    @Test func syncSecretsCallsTheSyncer() throws {
        let recorder = Recorder()
        let fixture = try Fixture(Self.syncing, syncer: CountingSyncer(recorder: recorder))
        defer { fixture.sandbox.remove() }
        try fixture.secrets.upsert(key: "ONE", value: SecureBytes(copying: Array("1".utf8)))
        try fixture.secrets.declare(key: "TWO")
        let run = fixture.start()
        #expect(run.status == .completed)
        #expect(recorder.calls == 1)
        #expect(json(run.state) == #"{"synced":{"success":true,"count":1}}"#)
    }

    @Test func syncSecretsWithoutASyncerFails() throws {
        let fixture = try Fixture(Self.syncing)
        defer { fixture.sandbox.remove() }
        let run = fixture.start()
        #expect(run.status == .failed)
        #expect(run.error?.hasPrefix("transition 'sync' failed: sync_secrets: ") == true)
        #expect(run.error?.hasSuffix("no syncer is configured for this run") == true, "\(run.error ?? "")")
    }

    // MARK: create_document

    @Test func createDocumentTakesEveryContentForm() throws {
        let fixture = try Fixture("""
        transitions:
          - id: docs
            from: start
            to: end
            call:
              - tool: create_document
                args: { document: message, content: { text: plain text } }
              - tool: createDocument
                args:
                  document: markdownDocument
                  update:
                    content:
                      markdown: "Hi ${{ args.name }}"
              - id: req
                tool: create_document
                args:
                  document: secretRequestDocument
                  content:
                    variables:
                      - key: API_KEY
                        description: The API key
                      - key: OTHER
              - tool: create_document
                args:
                  document: errorDocument
                  content:
                    message: "{{ args.problem }} on {{ runtime.transition.id }}"
                assign:
                  lastDocument: ${{ result.data.document }}
              - tool: create_document
                args: { document: messageDocument, content: "${{ args.payload }}" }
        """)
        defer { fixture.sandbox.remove() }
        let run = fixture.start(#"{"name": "Ada", "problem": "disk full", "payload": {"content": "from args"}}"#)
        #expect(run.status == .completed, "\(run.error ?? "")")
        let documents = run.documents
        #expect(documents.map(\.id) == ["docs-1-message", "docs-2-markdown", "docs-3-secret_request", "docs-4-error", "docs-5-message"])
        #expect(documents.map(\.type) == [.message, .markdown, .secretRequest, .error, .message])
        #expect(documents.allSatisfy { $0.transition == "docs" })
        #expect(documents.map { json($0.content) } == [
            #"{"text":"plain text"}"#,
            #"{"markdown":"Hi Ada"}"#,
            #"{"variables":[{"key":"API_KEY","description":"The API key"},{"key":"OTHER"}]}"#,
            #"{"message":"disk full on docs"}"#,
            #"{"content":"from args"}"#,
        ])
        #expect(documents.map(\.markdown) == [
            "plain text",
            "Hi Ada",
            "**Secrets requested**\n\n- `API_KEY` — The API key\n- `OTHER`\n",
            "**Error:** disk full on docs",
            "from args",
        ])
        #expect(json(run.state) == #"{"lastDocument":{"id":"docs-4-error","type":"error"}}"#)
        #expect(json(run.toolResults) == #"{"docs":{"req":{"data":{"document":{"id":"docs-3-secret_request","type":"secret_request"}}}}}"#)
    }

    @Test func createDocumentRendersATemplateFileWithStateFieldsAtTheTop() throws {
        let fixture = try Fixture("""
        transitions:
          - id: setup
            from: start
            to: ready
            call:
              - tool: get_secret_keys
                assign:
                  secretKeys: ${{ result.data }}
            assign:
              where: here
          - id: report
            from: ready
            to: end
            call:
              - tool: create_document
                args:
                  document: markdown
                  template: templates/report.md
        """, files: ["templates/report.md": """
        # Report for {{args.who}}
        {{#each secretKeys}}
        - {{key}}: {{#if hasValue}}set{{else}}missing{{/if}}
        {{/each}}
        Where: {{where}} / {{state.where}}
        Transition: {{runtime.transition.id}} ({{runtime.transition.from}} to {{runtime.transition.to}})
        Big: {{#if (gt args.size 10)}}yes{{else}}no{{/if}}

        """])
        defer { fixture.sandbox.remove() }
        try fixture.secrets.upsert(key: "A_KEY", value: SecureBytes(copying: Array("a".utf8)))
        try fixture.secrets.declare(key: "B_KEY")
        let run = fixture.start(#"{"who": "Ada", "size": 12}"#)
        #expect(run.status == .completed, "\(run.error ?? "")")
        #expect(run.documents.count == 1)
        let document = try #require(run.documents.first)
        #expect(document.id == "report-1-markdown")
        #expect(document.type == .markdown)
        let expected = """
        # Report for Ada
        - A_KEY: set
        - B_KEY: missing
        Where: here / here
        Transition: report (ready to end)
        Big: yes

        """
        #expect(json(document.content) == json(.dictionary([("markdown", .string(expected))])))
        #expect(document.markdown == expected)
    }

    @Test func templateFileIsRenderedInStrictMode() throws {
        let fixture = try Fixture("""
        transitions:
          - id: report
            from: start
            to: end
            call:
              - tool: create_document
                args: { document: message, content: { text: before } }
              - tool: create_document
                args: { document: markdown, template: report.md }
        """, files: ["report.md": "Value: {{notAField}}\n"])
        defer { fixture.sandbox.remove() }
        let run = fixture.start()
        #expect(run.status == .failed)
        #expect(run.error?.hasPrefix("transition 'report' failed: create_document: ") == true, "\(run.error ?? "")")
        #expect(run.error?.contains("notAField") == true)
        #expect(run.documents.isEmpty)
    }

    @Test func documentTypesAcceptLoopsealAndLoopstackNames() {
        let names: [(String, DocumentType)] = [
            ("markdown", .markdown), ("markdownDocument", .markdown), ("markdown_document", .markdown),
            ("secret_request", .secretRequest), ("secretRequest", .secretRequest),
            ("secretRequestDocument", .secretRequest), ("secret_request_document", .secretRequest),
            ("message", .message), ("messageDocument", .message), ("message_document", .message),
            ("error", .error), ("errorDocument", .error), ("error_document", .error),
        ]
        for (name, type) in names { #expect(DocumentType(name: name) == type, "\(name)") }
        for name in ["Markdown", "doc", "", "secret-request"] { #expect(DocumentType(name: name) == nil, "\(name)") }
    }

    @Test func documentMarkdownRendering() {
        func doc(_ type: DocumentType, _ content: String) -> WorkflowDocument {
            WorkflowDocument(id: "d", type: type, transition: "t", content: value(content))
        }
        #expect(doc(.markdown, ##"{"markdown": "# Title"}"##).markdown == "# Title")
        #expect(doc(.markdown, #"{"text": "as text"}"#).markdown == "as text")
        #expect(doc(.markdown, #"{"content": "as content"}"#).markdown == "as content")
        #expect(doc(.markdown, "{}").markdown == "")
        #expect(doc(.message, #"{"content": "c", "text": "t"}"#).markdown == "c")
        #expect(doc(.message, #"{"message": "m"}"#).markdown == "m")
        #expect(doc(.message, #"{"markdown": "**md**"}"#).markdown == "**md**")
        #expect(doc(.message, #"{"text": null, "message": "fallback"}"#).markdown == "fallback")
        #expect(doc(.error, #"{"message": "boom"}"#).markdown == "**Error:** boom")
        #expect(doc(.error, #"{"error": "bang"}"#).markdown == "**Error:** bang")
        #expect(doc(.error, "{}").markdown == "**Error:** unknown error")
        #expect(doc(.secretRequest, #"{"variables": [{"key": "A", "description": "first"}, {"key": "B"}]}"#).markdown
                == "**Secrets requested**\n\n- `A` — first\n- `B`\n")
        #expect(doc(.secretRequest, "{}").markdown == "**Secrets requested**\n\n")
        #expect(doc(.markdown, #"{"markdown": 42}"#).markdown == "42")
    }

    @Test func createDocumentNeedsAKnownTypeAtRunTime() throws {
        let fixture = try Fixture("""
        transitions:
          - id: docs
            from: start
            to: end
            call:
              - tool: create_document
                args: { document: "${{ args.kind }}", content: { text: x } }
        """)
        defer { fixture.sandbox.remove() }
        let run = fixture.start(#"{"kind": "spreadsheet"}"#)
        #expect(run.status == .failed)
        #expect(run.error == "transition 'docs' failed: create_document: create_document needs a known 'document' type")
        #expect(fixture.start(#"{"kind": "messageDocument"}"#).documents.first?.type == .message)
    }
}
