import Foundation
@testable import LoopsealServer
import Testing

@Suite("audit appender")
struct AuditAppenderTests {
    @Test("a last line cut short by a kill -9 is dropped on open, so the next entry starts a line of its own")
    func tornTailDropped() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = "\(folder)/audit.jsonl"
        let whole = #"{"action":"secret.upsert","key":"A","token":"t1","workspace":"alpha"}"# + "\n"
        try Data((whole + whole + String(repeating: "x", count: 5_000) + #"{"action":"secret.ups"#).utf8).write(to: URL(fileURLWithPath: path))

        let appender = try AuditAppender(path: path)
        try appender.append([AuditEntry(token: "t2", workspace: "alpha", action: "secret.upsert", key: "B")])
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 4 && lines.last == "", "\(lines.count) lines")
        #expect(lines.prefix(2).allSatisfy { $0 + "\n" == whole })
        let last = try JSONDecoder().decode(AuditEntry.self, from: Data(lines[2].utf8))
        #expect(last.key == "B" && last.token == "t2")

        // A whole file is left as it is; an empty one too.
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        _ = try AuditAppender(path: path)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        _ = try AuditAppender(path: "\(folder)/empty.jsonl")
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(folder)/empty.jsonl")).isEmpty)
    }
}
