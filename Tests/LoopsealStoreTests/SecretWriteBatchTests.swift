import Foundation
import LoopsealCrypto
import Testing
@testable import LoopsealStore

/// `SecretService.batch`: writes decided one after the other under one lock, each failing on
/// its own, and written together (temporary files, renames, one folder flush).
@Suite struct SecretWriteBatchTests {
    @Test func eachCallFailsAloneAndNothingIsOnDiskBeforeWrite() throws {
        let ws = try TempWorkspace()
        try ws.service.upsert(key: "TAKEN", value: try secure("old"))
        let takenBefore = try ws.text("TAKEN")
        var outcomes: [String] = []
        try ws.service.batch { batch in
            outcomes.append(try batch.create(key: "NEW", value: try secure("n1")).key)
            #expect(throws: StoreError.secretExists(key: "TAKEN", workspace: "test")) {
                try batch.create(key: "TAKEN", value: try secure("refused"))
            }
            #expect(throws: StoreError.secretExists(key: "NEW", workspace: "test")) {
                try batch.create(key: "NEW", value: try secure("refused too"))
            }
            #expect(throws: StoreError.secretIDNotFound(id: "0000", workspace: "test")) {
                try batch.update(id: "0000", value: try secure("nobody"))
            }
            #expect(throws: StoreError.valueTooLarge(key: "BIG", size: FileLimits.value + 1, limit: FileLimits.value)) {
                try batch.upsert(key: "BIG", value: try SecureBytes(copying: Array(repeating: 0x61, count: FileLimits.value + 1)), identities: [])
            }
            outcomes.append(try batch.upsert(key: "TAKEN", value: try secure("new"), identities: []).key)
            #expect(try batch.paths == [try ws.path("NEW"), try ws.path("TAKEN")])
            // Decided, not written: the files are as they were until write().
            #expect(!FileManager.default.fileExists(atPath: try ws.path("NEW")))
            #expect(try ws.text("TAKEN") == takenBefore)
            try batch.write()
        }
        #expect(outcomes == ["NEW", "TAKEN"])
        #expect(plain(try ws.service.reveal(key: "NEW", identities: [ws.alice])) == "n1")
        #expect(plain(try ws.service.reveal(key: "TAKEN", identities: [ws.alice])) == "new")
        #expect(try ws.service.keyNames() == ["NEW", "TAKEN"])
        #expect(try FileIO.directoryEntries(ws.workspace.secretsDirectory).filter { $0.hasPrefix(".") }.isEmpty)
    }

    @Test func laterCallsSeeEarlierOnesAndTheLastStateOfAKeyWins() throws {
        let ws = try TempWorkspace()
        let kept = try ws.service.upsert(key: "KEPT", value: try secure("k0"))
        let gone = try ws.service.upsert(key: "GONE", value: try secure("g"))
        try ws.service.batch { batch in
            let first = try batch.upsert(key: "SAME", value: try secure("first"), identities: [])
            let second = try batch.upsert(key: "SAME", value: try secure("second"), identities: [])
            #expect(first.id == second.id, "the second upsert keeps the id the first one gave")
            #expect(try batch.update(id: first.id, value: try secure("third")).key == "SAME")
            #expect(try batch.update(id: kept.id, value: try secure("k1")) == kept)
            #expect(try batch.delete(id: gone.id) == gone)
            #expect(throws: StoreError.secretIDNotFound(id: gone.id, workspace: "test")) { try batch.delete(id: gone.id) }
            #expect(try batch.upsert(key: "GONE", value: try secure("back"), identities: []).id != gone.id)
            #expect(try batch.paths == [try ws.path("SAME"), try ws.path("KEPT"), try ws.path("GONE")])
            try batch.write()
        }
        let values = try ws.service.revealAll(identities: [ws.alice]).values.map { "\($0.key)=\(plain($0.value))" }
        #expect(values == ["GONE=back", "KEPT=k1", "SAME=third"])
        #expect(try ws.service.find(key: "KEPT")?.id == kept.id)
    }

    @Test func aDeleteIsWrittenAndAnUnchangedValueLeavesItsFile() throws {
        let ws = try TempWorkspace()
        let gone = try ws.service.upsert(key: "GONE", value: try secure("g"))
        try ws.service.upsert(key: "SAME", value: try secure("s"))
        let before = try ws.text("SAME")
        try ws.service.batch { batch in
            try batch.delete(id: gone.id)
            #expect(try batch.upsert(key: "SAME", value: try secure("s"), identities: [ws.alice]).hasValue)
            #expect(try batch.paths == [try ws.path("GONE")])
            try batch.write()
        }
        #expect(try ws.service.keyNames() == ["SAME"])
        #expect(try ws.text("SAME") == before)
    }

    @Test func filesAreSignedWhenTheWorkspaceListsWriters() throws {
        let ws = try SignedWorkspace()
        try ws.service().batch { batch in
            _ = try batch.upsert(key: "A", value: try secure("a"), identities: [])
            _ = try batch.create(key: "B", value: try secure("b"))
            try batch.write()
        }
        #expect(plain(try ws.service().reveal(key: "A", identities: ws.identities)) == "a")
        #expect(plain(try ws.service().reveal(key: "B", identities: ws.identities)) == "b")
        // Without the signing key, the write that needs it fails alone.
        let unsigned = SecretService(workspace: ws.workspace, signingKeys: SigningKeyLoader(environment: [:]))
        try unsigned.batch { batch in
            #expect(throws: StoreError.self) { try batch.upsert(key: "C", value: try secure("c"), identities: []) }
            #expect(try batch.paths.isEmpty)
            try batch.write()
        }
        #expect(try ws.service().keyNames() == ["A", "B"])
    }

    @Test func aFileThatCannotBeReplacedFailsTheWriteWithNothingRenamed() throws {
        let ws = try TempWorkspace()
        try ws.service.upsert(key: "KEPT", value: try secure("old"))
        let keptBefore = try ws.text("KEPT")
        let failure = #expect(throws: StoreError.self) {
            try ws.service.batch { batch in
                _ = try batch.upsert(key: "KEPT", value: try secure("new"), identities: [])
                _ = try batch.create(key: "BLOCKED", value: try secure("b"))
                // Another process puts a directory where the new file goes, after the decision.
                try FileManager.default.createDirectory(atPath: try ws.path("BLOCKED"), withIntermediateDirectories: false)
                try batch.write()
            }
        }
        #expect(failure?.description.contains("BLOCKED.sealed") == true, "\(String(describing: failure))")
        #expect(try ws.text("KEPT") == keptBefore)
        #expect(try FileIO.directoryEntries(ws.workspace.secretsDirectory).filter { $0.hasPrefix(".") }.isEmpty)
    }

    @Test func sparesAreFilledInsteadOfNewFilesAndAFileInUseIsNeverOverwritten() throws {
        let ws = try TempWorkspace()
        try ws.service.upsert(key: "LIVE", value: try secure("live"))
        let liveBefore = try ws.text("LIVE")
        let spares = "\(ws.workspace.stateDirectory)/spares"
        try FileIO.makeDirectory(spares)
        try FileIO.writeAtomically(Array(String(repeating: "old ciphertext ", count: 400).utf8), to: "\(spares)/free")
        #expect(link(try ws.path("LIVE"), "\(spares)/linked") == 0)
        let freeInode = try inode("\(spares)/free")
        let used = try ws.service.batch { batch in
            _ = try batch.upsert(key: "NEW", value: try secure("n"), identities: [])
            _ = try batch.upsert(key: "OTHER", value: try secure("o"), identities: [])
            return try batch.write(reusing: ["\(spares)/linked", "\(spares)/free", "\(spares)/missing"])
        }
        #expect(used == ["\(spares)/free"])
        #expect(try inode(try ws.path("NEW")) == freeInode, "the free spare became NEW's file")
        #expect(try ws.text("LIVE") == liveBefore, "a spare linked to a file in use is skipped")
        #expect(FileManager.default.fileExists(atPath: "\(spares)/linked"))
        #expect(plain(try ws.service.reveal(key: "NEW", identities: [ws.alice])) == "n")
        #expect(plain(try ws.service.reveal(key: "OTHER", identities: [ws.alice])) == "o")
        #expect(try ws.text("NEW").count < 1000, "the spare was cut to the new file's length")
        #expect(try FileIO.directoryEntries(ws.workspace.secretsDirectory).filter { $0.hasPrefix(".") }.isEmpty)
    }

    @Test func theConfigCacheParsesAgainOnlyWhenTheBytesChange() throws {
        let ws = try TempWorkspace()
        let cache = WorkspaceConfigCache()
        let first = try cache.load(ws.workspace)
        #expect(first.recipients.map(\.name) == ["alice"])
        #expect(try cache.load(ws.workspace).recipients.map(\.name) == ["alice"])
        var config = try ws.workspace.loadConfig()
        config.recipients.append(Recipient(name: "bob", publicKey: ws.bob.publicKey))
        try ws.workspace.saveConfig(config)
        #expect(try cache.load(ws.workspace).recipients.map(\.name) == ["alice", "bob"])
        // A batch through the cache seals to the recipients the file lists now.
        try ws.service.batch(configs: cache) { batch in
            _ = try batch.upsert(key: "BOTH", value: try secure("v"), identities: [])
            try batch.write()
        }
        #expect(plain(try ws.service.reveal(key: "BOTH", identities: [ws.bob])) == "v")
        try FileIO.writeAtomically(Array("not: [valid".utf8), to: ws.workspace.configPath)
        #expect(throws: StoreError.self) { try cache.load(ws.workspace) }
    }

    private func inode(_ path: String) throws -> UInt64 {
        var info = stat()
        try #require(lstat(path, &info) == 0, "\(path)")
        return UInt64(info.st_ino)
    }
}
