import Foundation
import LoopsealSync
import Testing

@Suite struct K8sFormatTests {
    /// Loads the manifest with PyYAML, checks its shape and prints `data` base64-decoded.
    static func readBack(name: String, namespace: String?) -> String {
        // Names reaching here passed validation, so they are plain ASCII.
        var metadata = "{\"name\": \"\(name)\""
        if let namespace { metadata += ", \"namespace\": \"\(namespace)\"" }
        metadata += "}"
        return """
            import sys, yaml, base64
            m = yaml.safe_load(open(sys.argv[1], "rb"))
            assert list(m) == ["apiVersion", "kind", "metadata", "type", "data"], list(m)
            assert m["apiVersion"] == "v1" and m["kind"] == "Secret" and m["type"] == "Opaque", m
            assert m["metadata"] == \(metadata), m["metadata"]
            assert isinstance(m["data"], dict), type(m["data"])
            for k, v in m["data"].items():
                assert isinstance(k, str) and isinstance(v, str), (k, v)
                print(k, base64.b64decode(v, validate=True).hex())
            """
    }

    static func roundTrip(_ entries: [EnvEntry], options: FormatOptions = FormatOptions()) throws {
        let file = try Consumer.write(try OutputFormat.k8s.render(entries, options: options), suffix: ".yaml")
        defer { try? FileManager.default.removeItem(at: file) }
        let script = readBack(name: options.name, namespace: options.namespace)
        Consumer.expectExact(try Consumer.python(script, file: file), entries)
    }

    @Test func everyTortureValueRoundTripsThroughPyYAMLAndBase64() throws {
        var entries = TortureValues.entries(TortureValues.all + TortureValues.dotenvRejected)
        entries.append(EnvEntry(key: "Y", value: Array("N".utf8)))
        entries.append(EnvEntry(key: "null", value: Array("~".utf8)))
        entries.append(EnvEntry(key: "1e3", value: Array("1".utf8)))
        entries.append(EnvEntry(key: "dotted.key-with_dash", value: Array("x".utf8)))
        entries.append(EnvEntry(key: String(repeating: "K", count: 253), value: Array("v".utf8)))
        try Self.roundTrip(entries)
        try Self.roundTrip(entries, options: FormatOptions(name: "app.example-1", namespace: "prod-eu"))
    }

    @Test func numericLookingNamesStayStrings() throws {
        try Self.roundTrip(
            [EnvEntry(key: "A", value: Array("1".utf8))], options: FormatOptions(name: "123", namespace: "007"))
        try Self.roundTrip([EnvEntry(key: "A", value: [])], options: FormatOptions(name: "true", namespace: "null"))
    }

    @Test func exactManifest() throws {
        let entries = [
            EnvEntry(key: "DATABASE_URL", value: Array("postgres://u:p@h/db".utf8)),
            EnvEntry(key: "EMPTY", value: []),
            EnvEntry(key: "ONE", value: Array("a".utf8)),
            EnvEntry(key: "TWO", value: Array("ab".utf8)),
        ]
        #expect(
            try OutputFormat.k8s.render(entries) == """
                apiVersion: v1
                kind: Secret
                metadata:
                  name: "loopseal-secrets"
                type: Opaque
                data:
                  "DATABASE_URL": "cG9zdGdyZXM6Ly91OnBAaC9kYg=="
                  "EMPTY": ""
                  "ONE": "YQ=="
                  "TWO": "YWI="

                """)
        #expect(
            try OutputFormat.k8s.render([], options: FormatOptions(name: "s", namespace: "ns")) == """
                apiVersion: v1
                kind: Secret
                metadata:
                  name: "s"
                  namespace: "ns"
                type: Opaque
                data: {}

                """)
    }

    @Test func base64MatchesFoundation() throws {
        var bytes: [UInt8] = []
        for length in 0..<40 {
            let rendered = try OutputFormat.k8s.render([EnvEntry(key: "K", value: bytes)])
            let line = try #require(rendered.split(separator: "\n").last)
            #expect(line == "  \"K\": \"\(Data(bytes).base64EncodedString())\"")
            bytes.append(UInt8(ascii: "a") + UInt8(length % 26))
        }
    }

    @Test(arguments: [
        "", "UPPER", "-start", "end-", "under_score", "a..b", ".a", "a.", "sp ace", "é",
        String(repeating: "a", count: 254),
    ])
    func invalidNamesAreRefused(name: String) {
        do {
            _ = try OutputFormat.k8s.render([], options: FormatOptions(name: name))
            Issue.record("expected \(String(reflecting: name)) to be refused")
        } catch {
            guard case let .invalidOption(format, option, _) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(format == "k8s" && option == "name")
            #expect(error.description.hasPrefix("invalid name for k8s: "))
        }
    }

    @Test(arguments: ["", "Prod", "a.b", "-a", "a-", "a_b", String(repeating: "a", count: 64)])
    func invalidNamespacesAreRefused(namespace: String) {
        do {
            _ = try OutputFormat.k8s.render([], options: FormatOptions(namespace: namespace))
            Issue.record("expected \(String(reflecting: namespace)) to be refused")
        } catch {
            guard case let .invalidOption(format, option, _) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(format == "k8s" && option == "namespace")
        }
    }

    @Test func longestValidNamesAreAccepted() throws {
        let name = [String](repeating: String(repeating: "a", count: 63), count: 3).joined(separator: ".")
            + "." + String(repeating: "b", count: 61)
        #expect(name.count == 253)
        _ = try OutputFormat.k8s.render([], options: FormatOptions(name: name, namespace: String(repeating: "z", count: 63)))
        _ = try OutputFormat.k8s.render([], options: FormatOptions(name: "0", namespace: "9"))
    }

    @Test func badOrRepeatedKeysAreRefusedNamingTheKey() {
        let canary = Array("CANARY-7f3a".utf8)
        for (key, entries) in [
            ("BAD KEY", [EnvEntry(key: "BAD KEY", value: canary)]),
            ("..", [EnvEntry(key: "..", value: canary)]),
            (String(repeating: "K", count: 254), [EnvEntry(key: String(repeating: "K", count: 254), value: canary)]),
            ("DUP", [EnvEntry(key: "DUP", value: Array("first".utf8)), EnvEntry(key: "DUP", value: canary)]),
        ] {
            do {
                _ = try OutputFormat.k8s.render(entries)
                Issue.record("expected \(key) to be refused")
            } catch {
                guard case let .unrepresentable(errorKey, format, _) = error else {
                    Issue.record("unexpected \(error)")
                    continue
                }
                #expect(errorKey == key && format == "k8s")
                #expect(!error.description.contains("CANARY-7f3a"))
            }
        }
    }
}
