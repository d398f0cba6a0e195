import LoopsealCrypto
import Testing
@testable import LoopsealStore

@Suite struct WorkspaceConfigTests {
    @Test func parsesAndRoundTrips() throws {
        let a = try Identity.generate().publicKey, b = try Identity.generate().publicKey
        let text = """
        workspace: acme-prod
        recipients:
          alice: \(a)
          ci-deploy: \(b)
        targets:
          - name: app
            type: file
            path: ../deploy/app.env

        """
        let config = try WorkspaceConfig.parse(text, file: "w.yaml", expectedID: "acme-prod")
        #expect(config.recipients.map(\.name) == ["alice", "ci-deploy"])
        #expect(config.recipients.map(\.publicKey) == [a, b])
        #expect(config.name(of: b.description) == "ci-deploy")
        let again = try WorkspaceConfig.parse(try config.serialized(), file: "w.yaml", expectedID: "acme-prod")
        #expect(again.recipients == config.recipients)
        #expect(try again.serialized() == config.serialized())
        #expect(try config.serialized().contains("path: ../deploy/app.env"))
    }

    private func error(_ text: String, id: String = "ws") -> StoreError? {
        #expect(throws: StoreError.self) { try WorkspaceConfig.parse(text, file: "workspace.yaml", expectedID: id) }
    }

    @Test func errorsNameLineAndColumn() throws {
        let key = try Identity.generate().publicKey.description
        var bad = Array(key)
        bad[10] = bad[10] == "q" ? "p" : "q"
        let cases: [(String, String)] = [
            ("workspace: ws\nrecipients: [unclosed\n", "workspace.yaml:3:1: invalid YAML"),
            ("workspace: ws\nrecipients:\n  alice: \(key)\nextra: 1\n", "workspace.yaml:4:1: unknown field 'extra'"),
            ("workspace: other\nrecipients: {}\n", "workspace.yaml:1:12: 'workspace: other' must equal the directory name 'ws'"),
            ("workspace: ws\nrecipients:\n  alice: \(String(bad))\n", "workspace.yaml:3:10: recipient 'alice': has a bad checksum"),
            ("workspace: ws\nrecipients:\n  \"bad name\": \(key)\n", "workspace.yaml:3:3: invalid recipient name"),
            ("workspace: ws\nrecipients:\n  a: \(key)\n  b: \(key)\n", "workspace.yaml:4:6: recipient 'b' has the same key as 'a'"),
            ("recipients: {}\n", "missing 'workspace: ws'"),
            ("workspace: ws\ntargets: 3\n", "workspace.yaml:2:10: 'targets' must be a list"),
            ("", "empty file"),
        ]
        for (text, expected) in cases {
            let description = error(text)?.description ?? "no error"
            #expect(description.contains(expected), "got: \(description)")
        }
    }

    /// Found with the fuzz harnesses: 370 bytes of nested aliases expand to 10^7 nodes, and `serialized()`
    /// (what `recipients add` writes) never finished. Such files are refused; modest reuse is not.
    @Test func aliasesThatExplodeAreRefused() throws {
        var text = "workspace: ws\nrecipients: {}\ntargets:\n  - &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1..<7 {
            text += "  - &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        let description = error(text)?.description ?? "no error"
        #expect(description.contains("workspace.yaml:1:1: YAML aliases expand this"), "got: \(description)")
        let reuse = "workspace: ws\nrecipients: {}\ntargets:\n  - &app {name: app, type: file, path: a.env}\n  - {name: b, type: file, path: b.env, keys: &k [A, B]}\n  - {name: c, type: file, path: c.env, keys: *k}\n"
        #expect(try WorkspaceConfig.parse(reuse, file: "workspace.yaml", expectedID: "ws").targets != nil)
    }

    /// Found with the fuzz harnesses: Yams tells `!!str 1` from `1`, so both were accepted as
    /// keys, and `serialized()` wrote them back untagged as a duplicate that no longer parsed.
    /// (With the basic resolver both are strings, and Yams names the mapping that repeats one.)
    @Test func keysThatDifferOnlyByATagAreRefused() throws {
        let key = try Identity.generate().publicKey, other = try Identity.generate().publicKey
        let cases: [(String, String)] = [
            ("workspace: ws\nrecipients: {!!str 1: \(key), 1: \(other)}\n", "workspace.yaml:2:14: key '1' appears twice"),
            ("workspace: ws\nrecipients: {}\ntargets:\n- {!!str 1: a, 1: b}\n", "workspace.yaml:4:4: key '1' appears twice"),
        ]
        for (text, expected) in cases {
            let description = error(text)?.description ?? "no error"
            #expect(description.contains(expected), "got: \(description)")
        }
    }
}
