import Foundation
import LoopsealSync
import Testing

@Suite struct ShellFormatTests {
    @Test func torturedValuesRoundTripThroughBashSourceWithoutExecuting() throws {
        for marker in [TortureValues.commandSubstitutionMarker, TortureValues.backtickMarker] {
            try? FileManager.default.removeItem(atPath: marker)
        }
        let entries = TortureValues.entries(TortureValues.all + TortureValues.dotenvRejected)
        let file = try Consumer.write(try OutputFormat.shell.render(entries), suffix: ".sh")
        defer { try? FileManager.default.removeItem(at: file) }

        let result = try Consumer.run(
            "/bin/bash", ["-c", "set -e; source \"$1\"; exec /usr/bin/env -0", "bash", file.path],
            environment: ["PATH": "/usr/bin:/bin", "LC_ALL": "C"])
        #expect(result.status == 0, "bash failed: \(result.stderr)")
        #expect(result.stderr.isEmpty, "bash stderr: \(result.stderr)")

        // `env -0` prints exported variables as KEY=VALUE\0; values never contain NUL.
        var exported: [String: [UInt8]] = [:]
        for record in result.stdout.split(separator: 0, omittingEmptySubsequences: false).dropLast() {
            guard let equals = record.firstIndex(of: UInt8(ascii: "=")) else {
                Issue.record("malformed env record")
                continue
            }
            exported[String(decoding: record[..<equals], as: UTF8.self)] = Array(record[(equals + 1)...])
        }
        for entry in entries {
            #expect(exported[entry.key] == entry.value, "\(entry.key) did not round-trip")
        }
        #expect(!FileManager.default.fileExists(atPath: TortureValues.commandSubstitutionMarker))
        #expect(!FileManager.default.fileExists(atPath: TortureValues.backtickMarker))
    }

    @Test func quotesAreClosedEscapedAndReopened() throws {
        let rendered = try OutputFormat.shell.render([
            EnvEntry(key: "A", value: Array("it's $(x)".utf8)),
            EnvEntry(key: "B", value: []),
        ])
        #expect(rendered == "export A='it'\\''s $(x)'\nexport B=''\n")
    }

    @Test(arguments: ["UID", "EUID", "RANDOM", "SECONDS", "SHELLOPTS", "_", "LINENO", "PPID"])
    func bashManagedNamesAreRejected(key: String) {
        do {
            _ = try OutputFormat.shell.render([EnvEntry(key: key, value: Array("CANARY-7f3a".utf8))])
            Issue.record("expected an error for \(key)")
        } catch {
            guard case let .unrepresentable(name, format, reason) = error else { return }
            #expect(name == key)
            #expect(format == "shell")
            #expect(reason.contains("bash"))
            #expect(!error.description.contains("CANARY-7f3a"))
        }
    }
}

