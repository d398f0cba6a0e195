import Foundation
import LoopsealCrypto
import Testing
@testable import LoopsealStore

/// Issue 11, items 4, 5 and 7: one bad file never takes down the workspace, links and special
/// files are refused with the file named, and stale temporary files are cleaned up.
@Suite struct HostileFileTests {
    static let conflicted = """
        # Sealed by loopseal. Change it with `loopseal set`; do not edit by hand.
        loopseal: 1
        <<<<<<< HEAD
        id: 6f1c0f6e-2a34-4d0e-9a53-3c0d7f1a9b20
        =======
        id: 7f1c0f6e-2a34-4d0e-9a53-3c0d7f1a9b20
        >>>>>>> feature
        key: BROKEN

        """

    @Test func aFileWithConflictMarkersIsReportedAndTheOthersStillWork() throws {
        let ws = try TempWorkspace()
        try ws.service.upsert(key: "GOOD", value: try secure("good value"))
        try ws.service.declare(key: "LATER")
        try Self.conflicted.write(toFile: try ws.path("BROKEN"), atomically: false, encoding: .utf8)

        let listed = try ws.service.keys()
        #expect(listed.map(\.key) == ["BROKEN", "GOOD", "LATER"])
        #expect(listed[0].problem?.contains("merge conflict in \(try ws.path("BROKEN")) (line 3)") == true)
        #expect(listed[0].problem?.contains("loopseal resolve BROKEN --ours") == true)
        #expect(listed[0].conflict && !listed[1].conflict)
        #expect(listed[1].hasValue && listed[1].problem == nil)
        #expect(!listed[2].hasValue && listed[2].problem == nil)
        let json = String(decoding: try JSONEncoder().encode(listed[0]), as: UTF8.self)
        #expect(json.contains(#""hasValue":null"#) && json.contains(#""id":null"#) && json.contains(#""problem":"#))

        #expect(plain(try ws.service.reveal(key: "GOOD", identities: [ws.alice])) == "good value")
        let error = #expect(throws: StoreError.self) { try ws.service.reveal(key: "BROKEN", identities: [ws.alice]) }
        #expect(error == .mergeConflict(file: try ws.path("BROKEN"), line: 3))
        let all = #expect(throws: StoreError.self) { try ws.service.revealAll(identities: [ws.alice]) }
        #expect(all?.description.contains("merge conflict in \(try ws.path("BROKEN"))") == true)
    }

    @Test func aConflictedWorkspaceYAMLIsAMergeConflict() throws {
        let ws = try TempWorkspace()
        let text = try String(contentsOfFile: ws.workspace.configPath, encoding: .utf8)
        try ("<<<<<<< ours\n" + text + "=======\n" + text + ">>>>>>> theirs\n").write(toFile: ws.workspace.configPath, atomically: false, encoding: .utf8)
        let error = #expect(throws: StoreError.self) { try ws.workspace.loadConfig() }
        #expect(error == .mergeConflict(file: ws.workspace.configPath, line: 1))
    }

    @Test func twoFilesWithOneIDAreRefusedByIDLookups() throws {
        let ws = try TempWorkspace()
        let original = try ws.service.upsert(key: "ONE", value: try secure("1"))
        let copy = try ws.text("ONE").replacingOccurrences(of: "key: ONE", with: "key: TWO")
        try copy.write(toFile: try ws.path("TWO"), atomically: false, encoding: .utf8)
        let scan = try ws.service.scanAll()
        #expect(scan.duplicateIDs.map(\.id) == [original.id])
        #expect(scan.duplicateIDs.first?.keys == ["ONE", "TWO"])
        let error = #expect(throws: StoreError.self) { try ws.service.update(id: original.id, value: try secure("x")) }
        #expect(error == .duplicateID(id: original.id, files: [try ws.path("ONE"), try ws.path("TWO")]))
        #expect(plain(try ws.service.reveal(key: "ONE", identities: [ws.alice])) == "1")
    }

    @Test func linksDevicesAndFIFOsAreRefusedNamingTheFile() throws {
        let ws = try TempWorkspace()
        try ws.service.upsert(key: "GOOD", value: try secure("ok"))
        try FileManager.default.createSymbolicLink(atPath: try ws.path("ZERO"), withDestinationPath: "/dev/zero")
        #expect(mkfifo(try ws.path("PIPE"), 0o600) == 0)
        let target = try ws.path("GOOD")
        try FileManager.default.createSymbolicLink(atPath: try ws.path("LINKED"), withDestinationPath: target)

        let listed = try ws.service.keys()
        #expect(listed.map(\.key) == ["GOOD", "LINKED", "PIPE", "ZERO"])
        #expect(listed[1].problem?.contains("is a symbolic link") == true)
        #expect(listed[2].problem?.contains("is a FIFO, not a regular file") == true)
        #expect(listed[3].problem?.contains("is a symbolic link") == true)
        #expect(listed[0].problem == nil)

        try FileManager.default.removeItem(atPath: ws.workspace.configPath)
        try FileManager.default.createSymbolicLink(atPath: ws.workspace.configPath, withDestinationPath: "/dev/zero")
        let error = #expect(throws: StoreError.self) { try ws.workspace.loadConfig() }
        #expect(error?.description.contains("workspace.yaml: is a symbolic link") == true)
    }

    @Test func filesOverTheirCapAreRefused() throws {
        let ws = try TempWorkspace()
        let path = try ws.path("HUGE")
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        #expect(truncate(path, off_t(FileLimits.sealedFile + 1)) == 0)
        let listed = try ws.service.keys()
        #expect(listed.first?.problem?.contains("more than the \(FileLimits.sealedFile) allowed for a sealed file") == true)
        let big = try SecureBytes(count: FileLimits.value + 1) { $0.initializeMemory(as: UInt8.self, repeating: 0x61) }
        let error = #expect(throws: StoreError.self) { try ws.service.upsert(key: "BIG", value: big) }
        #expect(error == .valueTooLarge(key: "BIG", size: FileLimits.value + 1, limit: FileLimits.value))
    }

    @Test func writesNeverGoThroughALinkOrOntoASpecialFile() throws {
        let ws = try TempWorkspace()
        let outside = ws.root + "/outside.txt"
        try "keep me".write(toFile: outside, atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: try ws.path("K"), withDestinationPath: outside)
        #expect(throws: StoreError.self) { try ws.service.upsert(key: "K", value: try secure("v")) }
        #expect(try String(contentsOfFile: outside, encoding: .utf8) == "keep me")
        let fifo = ws.root + "/fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        let error = #expect(throws: StoreError.self) { try FileIO.writeAtomically(Array("x".utf8), to: fifo) }
        #expect(error?.description.contains("is a FIFO: Loopseal replaces only regular files") == true)
    }

    @Test func theNextWriteRemovesStaleTemporaryFiles() throws {
        let ws = try TempWorkspace()
        let stale = ws.workspace.secretsDirectory + "/.KEY.sealed.tmp-AbC123"
        let staleConfig = ws.workspace.directory + "/.workspace.yaml.tmp-Zz9Yy8"
        let unrelated = ws.workspace.secretsDirectory + "/.keep"
        for path in [stale, staleConfig, unrelated] { #expect(FileManager.default.createFile(atPath: path, contents: Data("c".utf8))) }
        try ws.service.upsert(key: "KEY", value: try secure("v"))
        #expect(!FileIO.exists(stale))
        #expect(!FileIO.exists(staleConfig))
        #expect(FileIO.exists(unrelated))
    }
}
