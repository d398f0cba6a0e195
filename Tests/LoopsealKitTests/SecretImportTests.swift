import Foundation
import LoopsealCrypto
import LoopsealKit
import LoopsealStore
import LoopsealSync
import Testing

/// `SecretFileReader` and `SecretImport`: the formats, their refusals (naming key or line,
/// never a value), all or nothing, and unchanged values left as they were.
@Suite struct SecretImportTests {
    static let canary = "kit-import-canary-91q"

    private func read(_ text: String, _ format: ImportFormat) throws -> [(String, String)] {
        try SecretFileReader.read(Array(text.utf8), format: format, fileName: "in").map {
            ($0.key, String(decoding: $0.value.withUnsafeBytes { Array($0) }, as: UTF8.self))
        }
    }

    /// The error `text` is refused with, checked to hold no value.
    private func refusal(_ text: String, _ format: ImportFormat, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        do {
            _ = try read(text, format)
            Issue.record("\(format): read \(String(reflecting: text)) without an error", sourceLocation: sourceLocation)
            return ""
        } catch {
            let message = "\(error)"
            #expect(!message.contains(Self.canary), "\(message)", sourceLocation: sourceLocation)
            return message
        }
    }

    @Test func theFormatComesFromTheExtension() {
        #expect(ImportFormat(guessingFrom: "secrets.json") == .json)
        #expect(ImportFormat(guessingFrom: "a/b.YAML") == .yaml)
        #expect(ImportFormat(guessingFrom: "x.yml") == .yaml)
        #expect(ImportFormat(guessingFrom: ".env") == .dotenv)
        #expect(ImportFormat(guessingFrom: ".env.production") == .dotenv)
        #expect(ImportFormat(guessingFrom: "stdin") == .dotenv)
    }

    @Test func jsonAndYamlAreFlatMappingsOfStrings() throws {
        let json = try read(#"{"A": "\#(Self.canary)", "B": "line\nbreak", "EMPTY": ""}"#, .json)
        #expect(json.map(\.0) == ["A", "B", "EMPTY"])
        #expect(json.map(\.1) == [Self.canary, "line\nbreak", ""])
        let yaml = try read("A: \(Self.canary)\nPORT: \"8080\"\nPEM: |\n  line1\n  line2\n", .yaml)
        #expect(yaml.map(\.0) == ["A", "PORT", "PEM"])
        #expect(yaml.map(\.1) == [Self.canary, "8080", "line1\nline2\n"])
        #expect(try read("", .yaml).isEmpty)
        #expect(try read(#"{"A": "1", "A": "2"}"#, .json).map(\.1) == ["2"])
    }

    @Test func anythingButAStringIsRefusedNamingTheKey() {
        #expect(refusal(#"{"OK": "\#(Self.canary)", "PORT": 8080}"#, .json).contains("PORT is a number, not a string"))
        #expect(refusal(#"{"NESTED": {"a": "\#(Self.canary)"}}"#, .json).contains("NESTED is a mapping"))
        #expect(refusal(#"{"LIST": ["\#(Self.canary)"]}"#, .json).contains("LIST is a list"))
        #expect(refusal(#"{"NOTHING": null}"#, .json).contains("NOTHING is null"))
        #expect(refusal("FLAG: yes\nOK: \(Self.canary)\n", .yaml).contains("FLAG is true or false"))
        #expect(refusal("PORT: 8080\n", .yaml).contains("PORT is a number"))
        #expect(refusal("EMPTY:\n", .yaml).contains("EMPTY is null"))
        #expect(refusal("[\"\(Self.canary)\"]", .json).contains("one mapping of NAME"))
        #expect(refusal("\"\(Self.canary)\"", .yaml).contains("one mapping of NAME"))
        #expect(refusal(#"{"bad-name": "\#(Self.canary)"}"#, .json).contains("'bad-name' is not an environment variable name"))
    }

    @Test func syntaxErrorsNameTheLineAndNeverTheText() {
        #expect(refusal("{\"A\": \"\(Self.canary)\",\n \"B\" \"x\"}", .json).hasPrefix("in:2:6: invalid JSON: expected ':'"))
        #expect(refusal("A: \(Self.canary)\nA: again\n", .yaml).contains("duplicate keys: A"))
        #expect(refusal("A: [\(Self.canary)\n", .yaml).hasPrefix("in:2:1: "))
        #expect(refusal("A=1\n\(Self.canary) x\n", .dotenv).hasPrefix("in:2:"))
        for format in [ImportFormat.json, .yaml] {
            do {
                _ = try SecretFileReader.read([0x7B, 0xFF, 0x7D], format: format, fileName: "in")
                Issue.record("\(format): invalid UTF-8 read")
            } catch {
                #expect(error as? SecretImportError == .notUTF8(file: "in"))
            }
        }
    }

    @Test func anImportIsAllOrNothingAndLeavesEqualValuesUntouched() throws {
        let scratch = try KitScratch()
        let alice = try Identity.generate()
        let workspace = try Workspace.create(root: scratch.path, id: "imp", recipients: [Recipient(name: "alice", publicKey: alice.publicKey)])
        let service = SecretService(workspace: workspace)
        let file = try scratch.write("in.env", "A=\(Self.canary)\nB='b'\n")
        let importer = SecretImport(service: service)
        let first = try importer.run(.file(file), format: nil, identities: [alice], overwrite: false, dryRun: false)
        #expect(first.result.outcomes.map(\.outcome) == [.added, .added])
        #expect(!first.trackedByGit)
        let sealedA = try Data(contentsOf: URL(fileURLWithPath: try workspace.secretPath(for: "A")))

        _ = try scratch.write("in.env", "A=\(Self.canary)\nB='changed'\nC=new\n")
        let refused = try importer.run(.file(file), format: nil, identities: [alice], overwrite: false, dryRun: false)
        #expect(refused.result.outcomes.map(\.outcome) == [.unchanged, .refused, .added])
        #expect(!refused.result.written)
        #expect(try service.keyNames() == ["A", "B"])

        let dry = try importer.run(.file(file), format: nil, identities: [alice], overwrite: true, dryRun: true)
        #expect(dry.result.outcomes.map(\.outcome) == [.unchanged, .changed, .added])
        #expect(try service.keyNames() == ["A", "B"])

        let applied = try importer.run(.file(file), format: nil, identities: [alice], overwrite: true, dryRun: false)
        #expect(applied.result.outcomes.map(\.outcome) == [.unchanged, .changed, .added])
        #expect(try Data(contentsOf: URL(fileURLWithPath: try workspace.secretPath(for: "A"))) == sealedA)
        #expect(String(decoding: try service.reveal(key: "B", identities: [alice]).withUnsafeBytes { Array($0) }, as: UTF8.self) == "changed")

        _ = try scratch.write("in.env", "D=1\nnot a statement\n")
        #expect(throws: DotenvSyntaxError.self) {
            try importer.run(.file(file), format: nil, identities: [alice], overwrite: true, dryRun: false)
        }
        #expect(try service.keyNames() == ["A", "B", "C"])
    }

    @Test func standardInputIsDotenvUnlessTold() throws {
        let scratch = try KitScratch()
        let alice = try Identity.generate()
        let workspace = try Workspace.create(root: scratch.path, id: "imp", recipients: [Recipient(name: "alice", publicKey: alice.publicKey)])
        let importer = SecretImport(service: SecretService(workspace: workspace))
        let input = try SecureBytes(copying: Array(#"{"J": "v"}"#.utf8))
        #expect(throws: DotenvSyntaxError.self) {
            try importer.run(.standardInput(input), format: nil, identities: [alice], overwrite: false, dryRun: false)
        }
        let report = try importer.run(.standardInput(input), format: .json, identities: [alice], overwrite: false, dryRun: false)
        #expect(report.source == "stdin")
        #expect(report.result.outcomes.map(\.key) == ["J"])
    }
}
