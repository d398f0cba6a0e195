import LoopsealSync
import Testing

/// Checks that rendering fails with `unrepresentable` naming `key`, and that neither the
/// error's reason nor its description leaks `canary` (a substring of the refused value).
func expectRefused(
    _ format: OutputFormat, _ entries: [EnvEntry], key: String, canary: String,
    reasonMentions word: String? = nil, sourceLocation: SourceLocation = #_sourceLocation
) {
    do {
        let output = try format.render(entries)
        Issue.record("expected \(key) to be refused, got \(output.utf8.count) bytes", sourceLocation: sourceLocation)
    } catch {
        guard case let .unrepresentable(errorKey, formatName, reason) = error else {
            Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
            return
        }
        #expect(errorKey == key, sourceLocation: sourceLocation)
        #expect(formatName == format.rawValue, sourceLocation: sourceLocation)
        #expect(error.description.contains(key), sourceLocation: sourceLocation)
        #expect(!reason.contains(canary), sourceLocation: sourceLocation)
        #expect(!error.description.contains(canary), sourceLocation: sourceLocation)
        if let word { #expect(reason.contains(word), "reason: \(reason)", sourceLocation: sourceLocation) }
    }
}
