import Foundation
import LoopsealStore

/// The message ids an agent accepted within the replay window, kept on disk (one
/// `<unix seconds> <id>` line each, mode 0600) so a restarted agent still refuses replays.
/// Entries older than ``AgentProtocol/maxAge`` are pruned: their messages are refused as stale anyway.
/// Not thread-safe: ``AgentReceiver`` serializes access.
struct ReplayLog {
    let path: String
    private(set) var entries: [String: Int64] = [:]

    /// Loads `path` (missing means empty).
    init(path: String) throws {
        self.path = path
        guard let bytes = try FileIO.contentsIfExists(path) else { return }
        for (index, line) in String(decoding: bytes, as: UTF8.self).split(separator: "\n").enumerated() {
            let parts = line.split(separator: " ")
            guard parts.count == 2, let ts = Int64(parts[0]) else {
                throw StoreError.malformed(file: path, line: index + 1, column: 1,
                                           problem: "expected '<unix seconds> <id>': the replay log is damaged; stop the agent, wait \(AgentProtocol.maxAge) s, delete the file and start it again")
            }
            entries[String(parts[1])] = max(ts, entries[String(parts[1])] ?? ts)
        }
    }

    /// True when `id` was accepted before.
    func contains(_ id: String) -> Bool { entries[id] != nil }

    /// Records `id` (dated `ts`), prunes entries outside the window, and writes the file atomically.
    mutating func record(_ id: String, ts: Int64, now: Int64) throws {
        var next = entries.filter { $0.value >= now - AgentProtocol.maxAge }
        next[id] = ts
        let text = next.sorted { ($0.value, $0.key) < ($1.value, $1.key) }.map { "\($0.value) \($0.key)\n" }.joined()
        try FileIO.writeAtomically(Array(text.utf8), to: path, mode: 0o600)
        entries = next
    }
}
