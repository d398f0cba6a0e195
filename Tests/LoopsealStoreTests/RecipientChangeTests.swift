import Foundation
import LoopsealCrypto
import Testing
@testable import LoopsealStore

/// Issue 11, item 2: a recipients change checks every file first and changes nothing unless
/// every file can be re-sealed; it always names the secrets a dropped key could read.
@Suite struct RecipientChangeTests {
    private func snapshot(_ ws: TempWorkspace) throws -> [String: [UInt8]] {
        var files: [String: [UInt8]] = ["workspace.yaml": try FileIO.contents(ws.workspace.configPath)]
        for name in try FileIO.directoryEntries(ws.workspace.secretsDirectory) {
            files[name] = try? FileIO.contents(ws.workspace.secretsDirectory + "/" + name)
        }
        return files
    }

    private func removeBob(_ config: inout WorkspaceConfig) { config.recipients.removeAll { $0.name == "bob" } }

    @Test func oneUnreadableFileStopsTheRemovalWithNothingChanged() throws {
        let ws = try TempWorkspace(recipients: 2)
        for key in ["A", "B", "C"] { try ws.service.upsert(key: key, value: try secure(key.lowercased())) }
        try "loopseal: 1\nid: [broken\n".write(toFile: try ws.path("BAD"), atomically: false, encoding: .utf8)
        let before = try snapshot(ws)
        let error = #expect(throws: StoreError.self) {
            try ws.service.changeRecipients(action: "recipients rm", identities: [ws.alice], removeBob)
        }
        let badPath = try ws.path("BAD")
        guard case .changeRefused(let action, let problems)? = error else { Issue.record("wrong error: \(String(describing: error))"); return }
        #expect(action == "recipients rm")
        #expect(problems.count == 1 && problems[0].contains(badPath))
        #expect(error?.description.contains("nothing was changed") == true)
        #expect(try snapshot(ws) == before)
    }

    @Test func aFileTheIdentityCannotOpenStopsTheRemovalWithNothingChanged() throws {
        let ws = try TempWorkspace(recipients: 2)
        try ws.service.upsert(key: "A", value: try secure("a"))
        // Sealed to bob alone, as a teammate's stale clone might have left it.
        let onlyBob = try SecretSealer(workspaceID: ws.workspace.id).seal(id: UUID().uuidString.lowercased(), key: "B", value: try secure("b"), to: [ws.bob.publicKey])
        try FileIO.writeAtomically(SealedSecretCodec.encode(onlyBob), to: try ws.path("B"))
        let before = try snapshot(ws)
        let error = #expect(throws: StoreError.self) {
            try ws.service.changeRecipients(action: "recipients rm", identities: [ws.alice], removeBob)
        }
        #expect(error?.description.contains("\(try ws.path("B")) is not sealed to you") == true)
        #expect(try snapshot(ws) == before)
    }

    @Test func aRemovalReSealsEveryFileAndNamesTheExposedSecrets() throws {
        let ws = try TempWorkspace(recipients: 2)
        for key in ["A", "B"] { try ws.service.upsert(key: key, value: try secure(key)) }
        try ws.service.declare(key: "EMPTY")
        let change = try ws.service.changeRecipients(action: "recipients rm", identities: [ws.alice], removeBob)
        #expect(change == RecipientChange(rewritten: 2, checked: 3, exposed: ["A", "B"]))
        #expect(try ws.workspace.loadConfig().recipients.map(\.name) == ["alice"])
        #expect(throws: StoreError.self) { try ws.service.reveal(key: "A", identities: [ws.bob]) }
        #expect(try ws.service.staleKeys().isEmpty)
    }

    @Test func withoutRekeyTheExposedSecretsAreStillNamed() throws {
        let ws = try TempWorkspace(recipients: 2)
        try ws.service.upsert(key: "A", value: try secure("a"))
        let change = try ws.service.changeRecipients(action: "recipients rm", identities: [], rekey: false, removeBob)
        #expect(change.exposed == ["A"] && change.rewritten == 0)
        #expect(try ws.service.staleKeys() == ["A"])
    }
}
