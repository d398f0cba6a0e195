import LoopsealMCP
import LoopsealStore
import MCP
import Testing

/// `get_secret_keys` shows each secret's metadata (issue 18), never a value.
@Suite struct SecretKeysMetadataTests {
    @Test("get_secret_keys adds owner, expires, rotateEvery, rotated and description when set")
    func metadataIsListed() async throws {
        let scratch = try MCPScratch()
        try SecretService(workspace: scratch.workspace).setMetadata(key: "CANARY_TOKEN") {
            $0.owner = "alice"
            $0.expires = CalendarDate(string: "2027-03-01")
            $0.rotateEvery = RotationPeriod(string: "90d")
            $0.description = "Deploy token"
        }
        let result = await scratch.tools().call("get_secret_keys", arguments: nil)
        #expect(result.isError == false, "\(result.text)")
        #expect(result.structured["keys"] == [["key": "CANARY_TOKEN", "hasValue": true, "owner": "alice", "expires": "2027-03-01",
                                               "rotateEvery": "90d", "description": "Deploy token"]])
        #expect(!result.wire.contains(scratch.canary))
    }
}
