import Foundation
import Logging

/// Keeps every line a `Logger` writes (message and metadata, as `message key=value…`), so a test
/// can wait for the line that says something happened instead of sleeping.
final class LogRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [String] = []

    /// A logger at `trace` that records here.
    var logger: Logger {
        Logger(label: "test") { _ in Handler(recorder: self) }
    }

    /// The lines so far.
    var lines: [String] { lock.withLock { recorded } }

    /// How many of the watcher's per-sync lines (`synced` or `up to date`, naming the keys) name
    /// `target`. The syncer's own `synced` line, without `keys=`, is not counted.
    func count(target: String) -> Int {
        lines.filter {
            ($0.hasPrefix("synced ") || $0.hasPrefix("up to date ")) && $0.contains(" keys=") && $0.contains(" target=\(target) ")
        }.count
    }

    fileprivate func record(_ line: String) { lock.withLock { recorded.append(line) } }

    private struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?,
                 source: String, file: String, function: String, line: UInt) {
            let all = self.metadata.merging(metadata ?? [:]) { $1 }
            let pairs = all.keys.sorted().map { "\($0)=\(all[$0].map { "\($0)" } ?? "")" }
            recorder.record(([message.description] + pairs).joined(separator: " ") + " ")
        }
    }
}
