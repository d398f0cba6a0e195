import Foundation
import LoopsealSystem
import Testing

/// `PrivateFile` (the editor's file) and `ChildProcess.runAttached` (the editor itself).
@Suite("private file", .serialized)
struct PrivateFileTests {
    private func make(_ text: String, name: String = "edit.env", environment: [String: String] = [:]) throws -> PrivateFile {
        try Array(text.utf8).withUnsafeBytes { try PrivateFile(name: name, contents: $0, environment: environment) }
    }

    private func mode(_ path: String) -> Int {
        (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
    }

    @Test("mode 0600 in a fresh 0700 folder on /dev/shm when it is writable, else $TMPDIR")
    func placeAndModes() throws {
        let file = try make("A='private-canary'\n")
        defer { file.wipe() }
        #expect(mode(file.path) == 0o600)
        #expect(mode(file.folder) == 0o700)
        let shm = access("/dev/shm", W_OK) == 0
        #expect(file.folder.hasPrefix(shm ? "/dev/shm/loopseal-edit-" : PrivateFile.baseFolder() + "/loopseal-edit-"))
        #expect(try file.read(limit: 100) { Array($0) } == Array("A='private-canary'\n".utf8))

        let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("pf-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        let expected = shm ? "/dev/shm" : temporary
        #expect(PrivateFile.baseFolder(environment: ["TMPDIR": temporary + "/"]) == expected)
        #expect(PrivateFile.baseFolder(environment: ["TMPDIR": "/nonexistent-loopseal"]) == (shm ? "/dev/shm" : "/tmp"))
    }

    @Test("wipe overwrites and removes everything in the folder: the editor's swap, backup and sub-folders too")
    func wipeRemovesEverything() throws {
        let file = try make("secret")
        let folder = file.folder
        try Data("swap-canary".utf8).write(to: URL(fileURLWithPath: folder + "/.edit.env.swp"))
        try FileManager.default.createDirectory(atPath: folder + "/backup", withIntermediateDirectories: false)
        try Data("backup-canary".utf8).write(to: URL(fileURLWithPath: folder + "/backup/edit.env~"))
        try FileManager.default.createSymbolicLink(atPath: folder + "/link", withDestinationPath: "/etc/hostname")
        // A hard link keeps the inode alive after the unlink: it shows that the bytes were zeroed.
        let outside = URL(fileURLWithPath: folder).deletingLastPathComponent().appendingPathComponent("pf-hard-\(UUID().uuidString)").path
        try #require(link(file.path, outside) == 0, "cannot make a hard link beside \(folder)")
        defer { unlink(outside) }
        file.wipe()
        #expect(try Data(contentsOf: URL(fileURLWithPath: outside)) == Data(count: 6))
        #expect(!FileManager.default.fileExists(atPath: folder))
        file.wipe()
    }

    @Test("one at a time; a bad name, a replaced link and an oversized file are refused")
    func refusals() throws {
        let file = try make("x")
        defer { file.wipe() }
        #expect(throws: PrivateFileError.self) { try make("y") }
        #expect(throws: PrivateFileError.self) { try make("y", name: "../escape") }
        #expect(throws: PrivateFileError.self) { try file.read(limit: 0) { _ in () } }
        unlink(file.path)
        symlink("/etc/hostname", file.path)
        #expect(throws: PrivateFileError.self) { try file.read(limit: 1000) { _ in () } }
        unlink(file.path)
        #expect(throws: PrivateFileError.self) { try file.read(limit: 1000) { _ in () } }
    }

    @Test("an attached child's exit status and signal; it starts with default signal actions")
    func attached() throws {
        #expect(try ChildProcess.runAttached(["/bin/sh", "-c", "exit 3"]) == ChildProcess.Exit(status: 3, signaled: false))
        #expect(try ChildProcess.runAttached(["/bin/sh", "-c", "kill -TERM $$"]) == ChildProcess.Exit(status: SIGTERM, signaled: true))
        #expect(try ChildProcess.runAttached(["/bin/sh", "-c", "test \"$ONLY\" = set"], environment: ["ONLY": "set"]).status == 0)
        // The shell's own SigBlk is empty, and SIGHUP, SIGINT, SIGQUIT, SIGPIPE and SIGTERM are not ignored.
        let check = """
            blocked=$(awk '/^SigBlk/ {print $2}' /proc/$$/status); ignored=$(awk '/^SigIgn/ {print $2}' /proc/$$/status)
            [ $((0x$blocked)) -eq 0 ] && [ $((0x$ignored & 0x5007)) -eq 0 ]
            """
        if FileManager.default.fileExists(atPath: "/proc/self/status") {
            #expect(try ChildProcess.runAttached(["/bin/sh", "-c", check]).status == 0)
        }
        #expect(throws: ChildProcess.LaunchError.self) { try ChildProcess.runAttached(["/nonexistent/loopseal-editor"]) }
    }
}
