import Foundation
import LoopsealStore
import MCP
import Testing
@testable import LoopsealMCP

@Suite("MCP list_due_secrets and remind_owners (issue 18)")
struct DueToolsTests {
    /// The scratch root with CANARY_TOKEN owned by alice and expired on 2020-01-01.
    private func overdue() throws -> MCPScratch {
        let scratch = try MCPScratch()
        _ = try SecretService(workspace: scratch.workspace).setMetadata(key: "CANARY_TOKEN") { metadata in
            metadata.owner = "alice"
            metadata.expires = CalendarDate(string: "2020-01-01")
        }
        return scratch
    }

    @Test("list_due_secrets lists the overdue secret by owner, with why, never the value")
    func listDue() async throws {
        let scratch = try overdue()
        let result = await scratch.tools().call("list_due_secrets", arguments: ["within": "30d"])
        #expect(result.isError == false, "\(result.text)")
        #expect(result.structured == ["workspace": "app", "within": "30d", "owners": [
            ["owner": "alice", "secrets": [["key": "CANARY_TOKEN", "why": "overdue since 2020-01-01"]]],
        ]])
        #expect(!result.wire.contains(scratch.canary))
        let bad = await scratch.tools().call("list_due_secrets", arguments: ["within": "soon"])
        #expect(bad.isError == true)
        #expect(bad.text.contains("'within' must be"), "\(bad.text)")
        let empty = try MCPScratch()
        #expect(await empty.tools().call("list_due_secrets", arguments: nil).structured["owners"] == [])
    }

    @Test("remind_owners starts one rotate-secrets run per owner and returns its link, never the value")
    func remind() async throws {
        let scratch = try overdue()
        let result = await scratch.tools().call("remind_owners", arguments: nil)
        #expect(result.isError == false, "\(result.text)")
        let runs = try #require(result.structured["runs"]?.arrayValue)
        #expect(runs.count == 1)
        let runID = try #require(runs.first?.objectValue?["runId"]?.stringValue)
        #expect(runs.first == ["owner": "alice", "keys": ["CANARY_TOKEN"], "runId": .string(runID),
                               "link": .string("http://loopseal.test:9000/workspaces/app/runs/\(runID)")])
        #expect(!result.wire.contains(scratch.canary))
        for file in try scratch.allFiles() where !file.path.hasSuffix(".sealed") {
            #expect(!file.text.contains(scratch.canary), "\(file.path)")
        }
        let run = try scratch.context().runs(scratch.workspace).load(runID: runID)
        #expect(run.workflow == "rotate-secrets" && run.requestedKeys == ["CANARY_TOKEN"] && run.status == .waiting)
        // Asked again while that run waits untouched: the same run, not a second one.
        let again = await scratch.tools().call("remind_owners", arguments: nil)
        #expect(again.structured["runs"]?.arrayValue?.first?.objectValue?["runId"]?.stringValue == runID)
        #expect(try scratch.context().runs(scratch.workspace).runs().count == 1)
    }
}
