import Foundation
import LoopsealCrypto
import LoopsealKit
import LoopsealStore
import LoopsealSync
import Testing

/// `SecretEdit` without an editor: the view, the differences, the checks before writing, and
/// the editor chosen from the environment.
@Suite struct SecretEditTests {
    /// A workspace sealed to alice and bob with OPEN and EMPTY (both open to alice), BOBS (sealed
    /// to bob before alice was added), ASKED (requested) and PAIR.
    private final class Fixture {
        let scratch: KitScratch
        let alice: Identity
        let service: SecretService

        init() throws {
            scratch = try KitScratch()
            alice = try Identity.generate()
            let bob = try Identity.generate()
            let workspace = try Workspace.create(root: scratch.path, id: "ed", recipients: [Recipient(name: "bob", publicKey: bob.publicKey)])
            service = SecretService(workspace: workspace)
            try service.upsert(key: "BOBS", value: try secure("bob-only-canary"))
            _ = try service.changeRecipients(action: "add", identities: [], rekey: false) { config in
                config.recipients.append(Recipient(name: "alice", publicKey: self.alice.publicKey))
            }
            try service.upsert(key: "OPEN", value: try secure("open canary's value"))
            try service.upsert(key: "EMPTY", value: try secure(""))
            try service.upsert(key: "PAIR", value: try secure("line1\nline2"))
            try service.declare(key: "ASKED")
        }

        var edit: SecretEdit { SecretEdit(service: service, identities: [alice]) }
    }

    private static func secure(_ text: String) throws -> SecureBytes { try SecureBytes(copying: Array(text.utf8)) }
    private static func text(_ bytes: SecureBytes) -> String { String(decoding: bytes.withUnsafeBytes { Array($0) }, as: UTF8.self) }
    private func secure(_ text: String) throws -> SecureBytes { try Self.secure(text) }

    @Test func theViewShowsWhatOpensAndNamesWhatDoesNot() throws {
        let fixture = try Fixture()
        let view = try fixture.edit.view(keys: [])
        #expect(view.values.map(\.key) == ["EMPTY", "OPEN", "PAIR"])
        #expect(view.requested == ["ASKED"])
        #expect(view.skipped.map(\.key) == ["BOBS"])
        let text = Self.text(view.text)
        #expect(text.hasPrefix("# loopseal edit: workspace ed, 3 secret(s)."))
        #expect(text.contains("# Not in this edit: BOBS"))
        #expect(text.hasSuffix("EMPTY=''\nOPEN='open canary\\'s value'\nPAIR='line1\nline2'\n# ASKED=\n"))
        #expect(!text.contains("bob-only-canary"))
        // The text reads back, through the dotenv reader, to exactly the values shown.
        let read = try DotenvParser.parse(Array(text.utf8), fileName: "view")
        #expect(read.map(\.key) == view.values.map(\.key))
        #expect(zip(read, view.values).allSatisfy { $0.value.constantTimeEquals($1.value) })

        #expect(throws: EditError.notEditable(keys: ["BOBS"], reason: "no identity opens it (or its writer signature does not hold)")) {
            try fixture.edit.view(keys: ["OPEN", "BOBS"])
        }
        #expect(throws: StoreError.self) { try fixture.edit.view(keys: ["NOPE"]) }
        #expect(try fixture.edit.view(keys: ["OPEN"]).values.map(\.key) == ["OPEN"])
    }

    @Test func onlyTheDifferencesAreWritten() throws {
        let fixture = try Fixture()
        let view = try fixture.edit.view(keys: [])
        let unchanged = try fixture.edit.changes(from: view, to: view.values)
        #expect(unchanged.isEmpty)

        let openFile = try fixture.service.workspace.secretPath(for: "OPEN")
        let openBefore = try Data(contentsOf: URL(fileURLWithPath: openFile))
        let edited: [(key: String, value: SecureBytes)] = [
            ("OPEN", try secure("open canary's value")), ("EMPTY", try secure("now set")),
            ("NEW", try secure("new")), ("ASKED", try secure("given")),
        ]
        let changes = try fixture.edit.changes(from: view, to: edited)
        #expect(changes.added == ["NEW", "ASKED"])
        #expect(changes.changed == ["EMPTY"])
        #expect(changes.removed == ["PAIR"])
        let result = try fixture.edit.apply(changes, shown: view)
        #expect(result.outcomes.map(\.key) == ["EMPTY", "NEW", "ASKED", "PAIR"])
        #expect(result.outcomes.map(\.outcome) == [.changed, .added, .added, .removed])
        #expect(try Data(contentsOf: URL(fileURLWithPath: openFile)) == openBefore)
        #expect(try fixture.service.keyNames() == ["ASKED", "BOBS", "EMPTY", "NEW", "OPEN"])
        #expect(Self.text(try fixture.service.reveal(key: "EMPTY", identities: [fixture.alice])) == "now set")
    }

    @Test func aNameOutsideTheEditOrAValueThatMovedMeanwhileIsRefused() throws {
        let fixture = try Fixture()
        let view = try fixture.edit.view(keys: ["OPEN"])
        #expect(throws: EditError.existsOutsideTheEdit(keys: ["BOBS", "PAIR"])) {
            try fixture.edit.changes(from: view, to: [("BOBS", try secure("x")), ("PAIR", try secure("y")), ("OPEN", try secure("z"))])
        }
        let changes = try fixture.edit.changes(from: view, to: [("OPEN", try secure("mine")), ("LATER", try secure("l"))])
        try fixture.service.upsert(key: "OPEN", value: try secure("theirs"))
        try fixture.service.upsert(key: "LATER", value: try secure("theirs too"))
        #expect(throws: EditError.changedMeanwhile(keys: ["OPEN", "LATER"])) { try fixture.edit.apply(changes, shown: view) }
        #expect(Self.text(try fixture.service.reveal(key: "OPEN", identities: [fixture.alice])) == "theirs")
    }

    @Test func theEditorComesFromTheEnvironmentAsGitFindsIt() {
        #expect(EditorCommand(environment: [:]) == EditorCommand(command: "vi"))
        #expect(EditorCommand(environment: ["EDITOR": "nano", "VISUAL": "  "]).command == "nano")
        #expect(EditorCommand(environment: ["EDITOR": "nano", "VISUAL": "code --wait"]) == EditorCommand(command: "code --wait", variable: "VISUAL"))
        #expect(EditorCommand(environment: ["EDITOR": "nano", "VISUAL": "vim", "LOOPSEAL_EDITOR": "ed"]).variable == "LOOPSEAL_EDITOR")
        #expect(EditorCommand(command: "code --wait").arguments(file: "/x/a b.env") == ["/bin/sh", "-c", "code --wait \"$@\"", "code --wait", "/x/a b.env"])
        #expect(EditorCommand(command: "/usr/bin/vim").arguments(file: "/x/a b.env")
                == ["/usr/bin/vim", "-n", "-i", "NONE", "--cmd", "silent! set nobackup nowritebackup noundofile noswapfile", "/x/a b.env"])
        #expect(EditorCommand(command: "nano").arguments(file: "f") == ["nano", "f"])
        #expect(EditorCommand(command: "vim -c 'set tw=0'").arguments(file: "f").suffix(6)
                == ["-n", "-i", "NONE", "--cmd", "silent! set nobackup nowritebackup noundofile noswapfile", "f"])
        #expect(EditorCommand(command: "$HOME/ed").arguments(file: "f").first == "/bin/sh")
        #expect(EditorCommand(command: "vi").displayName == "vi")
        #expect(EditorCommand(command: "nano", variable: "EDITOR").displayName == "$EDITOR (nano)")
    }
}
