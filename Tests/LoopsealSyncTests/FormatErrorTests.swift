import LoopsealSync
import Testing

@Suite struct FormatErrorTests {
    static let canary = Array("CANARY-7f3a".utf8)

    /// Invalid UTF-8 tails: stray continuation, overlong, surrogate, truncated, out of range.
    static let invalidUTF8: [[UInt8]] = [
        [0xFF], [0x80], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0xF4, 0x90, 0x80, 0x80],
    ]

    static func expectError(
        _ format: OutputFormat, value: [UInt8], reasonMentions word: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let entries = [
            EnvEntry(key: "BEFORE", value: Array("fine".utf8)),
            EnvEntry(key: "SECRET_KEY", value: value),
            EnvEntry(key: "AFTER", value: Array("fine".utf8)),
        ]
        do {
            let output = try format.render(entries)
            Issue.record("expected an error, got \(output.utf8.count) bytes", sourceLocation: sourceLocation)
        } catch {
            guard case let .unrepresentable(key, formatName, reason) = error else { return }
            #expect(key == "SECRET_KEY", sourceLocation: sourceLocation)
            #expect(formatName == format.rawValue, sourceLocation: sourceLocation)
            #expect(reason.contains(word), sourceLocation: sourceLocation)
            #expect(error.description.contains("SECRET_KEY"), sourceLocation: sourceLocation)
            #expect(error.description.contains(format.rawValue), sourceLocation: sourceLocation)
            #expect(!error.description.contains("CANARY-7f3a"), sourceLocation: sourceLocation)
            #expect(!reason.contains("CANARY-7f3a"), sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: OutputFormat.allCases)
    func nulIsRejectedNamingTheKey(format: OutputFormat) {
        Self.expectError(format, value: Self.canary + [0] + Self.canary, reasonMentions: "NUL")
        Self.expectError(format, value: [0], reasonMentions: "NUL")
    }

    @Test(arguments: OutputFormat.allCases)
    func invalidUTF8IsRejectedNamingTheKey(format: OutputFormat) {
        for tail in Self.invalidUTF8 {
            Self.expectError(format, value: Self.canary + tail, reasonMentions: "UTF-8")
        }
    }

    @Test func descriptionNamesKeyFormatAndReason() {
        let error = FormatError.unrepresentable(key: "K", format: "dotenv", reason: "why")
        #expect(error.description == "cannot write K as dotenv: why")
    }
}
