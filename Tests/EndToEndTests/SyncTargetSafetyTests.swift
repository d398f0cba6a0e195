import Foundation
import Testing

/// Issue 11, items 7, 8 and 13: a file target never overwrites what Loopseal did not write
/// without --adopt, never writes through a link or onto a device, names a target outside the
/// repository, and a dry run shows where each target goes and refuses what the real run would.
@Suite("sync: target safety")
struct SyncTargetSafetyTests {
    @Test("a first sync onto an existing file is refused (dry run too) and leaves it; --adopt replaces it")
    func unmanagedFileNeedsAdopt() throws {
        let (box, alice) = try SyncCommandTests.prepared("sync-adopt", targets: "  - { name: app, type: file, path: ../../deploy/app.env }\n")
        defer { box.remove() }
        try box.set("TOKEN", "t")
        let target = "\(box.root)/deploy/app.env"
        try writeBytes(Array("HAND=written\n".utf8), to: target)

        let dry = try box.run(["sync", "--dry-run", "-i", alice.path])
        #expect(dry.status == 1, "\(dry)")
        #expect(dry.stdoutText.contains("app (file): would be refused +TOKEN (a file loopseal never wrote)"), "\(dry)")
        let refused = try box.run(["sync", "-i", alice.path])
        #expect(refused.status == 1, "\(refused)")
        #expect(refused.stderr.contains("target 'app': \(target) already exists and was not written by loopseal"), "\(refused)")
        #expect(refused.stderr.contains("--adopt"), "\(refused)")
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "HAND=written\n")

        let adopted = try box.run(["sync", "--adopt", "-i", alice.path])
        #expect(adopted.status == 0, "\(adopted)")
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "TOKEN='t'\n")
        #expect(try box.run(["sync", "-i", alice.path]).stdoutText.contains("app (file): unchanged"))
    }

    @Test("an existing file that already holds the payload is taken over without a flag")
    func matchingFileIsAdopted() throws {
        let (box, alice) = try SyncCommandTests.prepared("sync-match", targets: "  - { name: app, type: file, path: ../../deploy/app.env }\n")
        defer { box.remove() }
        try box.set("TOKEN", "t")
        try writeBytes(Array("TOKEN='t'\n".utf8), to: "\(box.root)/deploy/app.env")
        let result = try box.run(["sync", "-i", alice.path])
        #expect(result.status == 0 && result.stdoutText.contains("app (file): unchanged"), "\(result)")
    }

    @Test("--dry-run shows each target's resolved path, command and restart, and refuses a missing folder as the real sync does")
    func dryRunShowsDestinationsAndRefusals() throws {
        let targets = """
              - { name: app, type: file, path: ../../deploy/app.env, restart: [sh, -c, "echo restarted"] }
              - { name: hook, type: command, command: [sh, -c, "cat > /dev/null"] }
              - { name: lost, type: file, path: ../../missing/dir/app.env }

            """
        let (box, alice) = try SyncCommandTests.prepared("sync-dry", targets: targets)
        defer { box.remove() }
        try box.set("TOKEN", "t")
        let dry = try box.run(["sync", "--dry-run", "-i", alice.path])
        #expect(dry.status == 1, "\(dry)")
        #expect(dry.stdoutText.contains("app (file): would write +TOKEN, 1 key\n  to: \(box.root)/deploy/app.env\n  then runs: sh -c echo restarted"), "\(dry)")
        #expect(dry.stdoutText.contains("hook (command): would write +TOKEN, 1 key\n  to: sh -c cat > /dev/null"), "\(dry)")
        #expect(dry.stdoutText.contains("lost (file): would be refused"), "\(dry)")
        #expect(dry.stderr.contains("target 'lost': folder \(box.root)/missing/dir does not exist; create it first"), "\(dry)")
        let real = try box.run(["sync", "-i", alice.path])
        #expect(real.status == 1 && real.stderr.contains("target 'lost': folder \(box.root)/missing/dir does not exist"), "\(real)")
        #expect(real.stdoutText.contains("app (file): written"), "the other targets still sync: \(real)")
    }

    @Test("a target path that is a device or a link is refused, never read or written through")
    func devicesAndLinksAreRefused() throws {
        let targets = """
              - { name: zero, type: file, path: /dev/zero }
              - { name: linked, type: file, path: ../../deploy/linked.env }

            """
        let (box, alice) = try SyncCommandTests.prepared("sync-special", targets: targets)
        defer { box.remove() }
        try box.set("TOKEN", "t")
        let elsewhere = "\(box.root)/elsewhere.txt"
        try writeBytes(Array("keep\n".utf8), to: elsewhere)
        try FileManager.default.createSymbolicLink(atPath: "\(box.root)/deploy/linked.env", withDestinationPath: elsewhere)
        for args in [["sync", "--dry-run"], ["sync", "--force"]] {
            let result = try box.run(args + ["-i", alice.path], timeout: 20)
            #expect(result.status == 1 && !result.signaled, "\(result)")
            #expect(result.stderr.contains("target 'zero': /dev/zero: is a character device"), "\(result)")
            #expect(result.stderr.contains("target 'linked': \(box.root)/deploy/linked.env: is a symbolic link"), "\(result)")
        }
        #expect(try String(contentsOfFile: elsewhere, encoding: .utf8) == "keep\n")
    }

    @Test("a file target outside the repository is allowed and named on its first sync only")
    func outsideTheRepositoryIsNamed() throws {
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("loopseal-outside-\(UUID().uuidString)").resolvingSymlinksInPath().path
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: outside) }
        let (box, alice) = try SyncCommandTests.prepared("sync-outside", targets: "  - { name: app, type: file, path: \(outside)/app.env }\n")
        defer { box.remove() }
        try box.set("TOKEN", "t")
        let first = try box.run(["sync", "-i", alice.path])
        #expect(first.status == 0, "\(first)")
        #expect(first.stdoutText.contains("note: this target is outside the repository: \(outside)/app.env"), "\(first)")
        try box.set("TOKEN", "t2")
        let second = try box.run(["sync", "-i", alice.path])
        #expect(second.status == 0 && !second.stdoutText.contains("outside the repository"), "\(second)")
    }
}
