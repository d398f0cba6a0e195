import Foundation
import Testing

/// `loopseal run` reports a run limit (issue 11) as a one-line error naming the limit.
@Suite("loopseal run: limits")
struct RunLimitCLITests {
    @Test("a --payload over 16 KiB is refused with a message naming the limit; the run is unchanged")
    func payloadTooLarge() throws {
        let box = try Sandbox("run-limits")
        defer { box.remove() }
        try box.initWorkspace("demo", [try box.keygen("alice")])
        try copyWorkflows(into: box.root)
        try box.ok(["run", "start", "secrets-example"])
        let runs = try JSONSerialization.jsonObject(with: Data(try box.ok(["run", "list", "--json"]).stdout)) as? [[String: Any]]
        let id = try #require(runs?.first?["id"] as? String)
        let before = try box.ok(["run", "show", id, "--json"]).stdoutText
        let payload = #"{"note":""# + String(repeating: "x", count: 20_000) + #""}"#
        let refused = try box.run(["run", "resume", id, "--transition", "secrets_submitted", "--payload", payload])
        #expect(refused.status == 1, "\(refused)")
        #expect(refused.stderr.contains("a payload may hold at most 16384"), "\(refused.stderr)")
        #expect(refused.stderr.split(separator: "\n").count <= 2, "\(refused.stderr)")
        #expect(try box.ok(["run", "show", id, "--json"]).stdoutText == before)
    }
}
