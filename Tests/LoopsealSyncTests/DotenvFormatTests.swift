import Foundation
import LoopsealSync
import Testing

@Suite struct DotenvFormatTests {
    static let readBack = """
        import sys
        from dotenv import dotenv_values
        d = dotenv_values(sys.argv[1], interpolate=False)
        \(Consumer.printMapping)
        """

    @Test func torturedValuesRoundTripThroughPythonDotenv() throws {
        let entries = TortureValues.entries(TortureValues.all)
        let file = try Consumer.write(try OutputFormat.dotenv.render(entries), suffix: ".env")
        defer { try? FileManager.default.removeItem(at: file) }
        Consumer.expectExact(try Consumer.python(Self.readBack, file: file), entries)
    }

    @Test func quotingIsChosenPerValue() throws {
        let entries = [
            EnvEntry(key: "A", value: Array("it's \\ $X".utf8)),
            EnvEntry(key: "B", value: Array("cr\r\"lf\n".utf8)),
            EnvEntry(key: "C", value: Array("C:\\dir\\".utf8)),
            EnvEntry(key: "D", value: []),
        ]
        let rendered = try OutputFormat.dotenv.render(entries)
        #expect(rendered == "A='it\\'s \\\\ $X'\nB=\"cr\\r\\\"lf\\n\"\nC=C:\\dir\\\nD=''\n")
    }

    @Test(arguments: TortureValues.dotenvRejected)
    func trailingBackslashThatNeedsQuotingIsRejected(value: String) {
        let entries = [
            EnvEntry(key: "FIRST", value: Array("fine".utf8)),
            EnvEntry(key: "TRAILING_BACKSLASH", value: Array(value.utf8)),
        ]
        do {
            let output = try OutputFormat.dotenv.render(entries)
            Issue.record("expected an error, got \(String(reflecting: output))")
        } catch {
            guard case let .unrepresentable(key, format, reason) = error else { return }
            #expect(key == "TRAILING_BACKSLASH")
            #expect(format == "dotenv")
            #expect(reason.contains("--format json") && reason.contains("--format shell"))
            #expect(error.description.contains("TRAILING_BACKSLASH"))
            #expect(!error.description.contains(value))
        }
    }

    @Test func trailingBackslashErrorDoesNotLeakTheValue() {
        let entries = [EnvEntry(key: "LEAKY", value: Array(" CANARY-7f3a #x\\".utf8))]
        #expect(throws: FormatError.self) { try OutputFormat.dotenv.render(entries) }
        do {
            _ = try OutputFormat.dotenv.render(entries)
        } catch {
            #expect(error.description.contains("LEAKY"))
            #expect(!error.description.contains("CANARY-7f3a"))
        }
    }

    @Test func trailingBackslashIsWrittenUnquotedWhenExact() throws {
        let rendered = try OutputFormat.dotenv.render([
            EnvEntry(key: "WIN", value: Array("C:\\Program Files\\a'b\"c\\".utf8)),
            EnvEntry(key: "ONE", value: Array("\\".utf8)),
        ])
        #expect(rendered == "WIN=C:\\Program Files\\a'b\"c\\\nONE=\\\n")
    }

    /// Their exact round trips are checked in the shell, JSON and YAML suites.
    @Test func rejectedValuesRenderInOtherFormats() throws {
        let entries = TortureValues.entries(TortureValues.dotenvRejected)
        for format in [OutputFormat.shell, .json, .yaml] {
            #expect(throws: Never.self) { try format.render(entries) }
        }
    }
}
