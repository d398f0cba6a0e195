import Foundation
import Testing

@Suite("rotation and hardening")
struct RotationTests {
    @Test("`recipients rm` re-keys and lists, on stdout, exactly the valued secrets the removed recipient could read")
    func removeListsExposed() throws {
        let box = try Sandbox("rotate-rm")
        defer { box.remove() }
        let alice = try box.keygen("alice")
        let bob = try box.keygen("bob")
        try box.initWorkspace("app", [alice, bob])
        try box.set("SHARED", "s1")
        try box.set("ALSO_SHARED", "s2")
        try box.ok(["recipients", "rm", "bob", "--no-rekey"])
        try box.set("AFTER", "s3")
        try box.ok(["recipients", "add", "bob", bob.publicKey, "--no-rekey"])
        // AFTER was sealed while bob was away: he never could read it.
        let removed = try box.ok(["recipients", "rm", "bob", "-i", alice.path])
        #expect(removed.stdoutText == "ALSO_SHARED\nSHARED\n")
        #expect(removed.stderr.contains("loopseal rotate KEY"))
        let bobGet = try box.run(["get", "SHARED", "-i", bob.path])
        #expect(bobGet.status == 1)
        #expect(try box.ok(["get", "SHARED", "-i", alice.path]).stdoutText == "s1")
    }

    @Test("`rotate KEY --yes` stores the new value through the rotation workflow and syncs the targets; the run holds no value")
    func rotate() throws {
        let box = try Sandbox("rotate")
        defer { box.remove() }
        let alice = try box.keygen("alice")
        try box.initWorkspace("app", [alice])
        let yaml = "workspace: app\nrecipients:\n  alice: \(alice.publicKey)\ntargets:\n  - { name: app, type: file, path: ../../deploy/app.env }\n"
        try writeBytes(Array(yaml.utf8), to: "\(box.workspaceDir("app"))/workspace.yaml")
        try copyWorkflows(into: box.root)
        try FileManager.default.createDirectory(atPath: "\(box.root)/deploy", withIntermediateDirectories: true)
        try box.set("API_TOKEN", "old-value")
        let canary = "rotated-\(UUID().uuidString)"
        let result = try box.run(["rotate", "API_TOKEN", "--yes", "--by", "tester", "-i", alice.path], stdin: canary + "\n")
        #expect(result.status == 0, "\(result)")
        #expect(result.stdoutText.contains("status completed"))
        #expect(result.stdoutText.contains("Rotated **API_TOKEN** (confirmed by tester)"))
        #expect(try box.ok(["get", "API_TOKEN", "-i", alice.path]).stdoutText == canary)
        let target = try String(contentsOfFile: "\(box.root)/deploy/app.env", encoding: .utf8)
        #expect(target.contains(canary))
        #expect(!result.stdoutText.contains(canary) && !result.stderr.contains(canary))
        for file in allFiles(under: "\(box.workspaceDir("app"))/.loopseal") {
            #expect(!((try? String(contentsOfFile: file, encoding: .utf8)) ?? "").contains(canary), "\(file)")
        }
    }

    @Test("`rotate` without --yes leaves the run waiting for confirmation; an unknown key is refused")
    func rotateUnconfirmed() throws {
        let box = try Sandbox("rotate-wait")
        defer { box.remove() }
        let alice = try box.keygen("alice")
        try box.initWorkspace("app", [alice])
        try copyWorkflows(into: box.root)
        try box.set("API_TOKEN", "old")
        let result = try box.run(["rotate", "API_TOKEN", "-i", alice.path], stdin: "new\n")
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.contains("--transition confirm"))
        #expect(result.stdoutText.contains("status waiting"))
        #expect(try box.ok(["get", "API_TOKEN", "-i", alice.path]).stdoutText == "new")
        let unknown = try box.run(["rotate", "NOPE", "-i", alice.path], stdin: "x\n")
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("no secret 'NOPE'"))
    }

    @Test("exec passes secrets only through the new program's environment and still reports a missing program")
    func execEnvironment() throws {
        let box = try Sandbox("exec-hardening")
        defer { box.remove() }
        let alice = try box.keygen("alice")
        try box.initWorkspace("app", [alice])
        try box.set("PATH_LIKE", "a=b=c")
        try box.set("HOME", "overridden")
        let shown = try box.ok(["exec", "-i", alice.path, "--", "sh", "-c", "printf '%s|%s|%s' \"$PATH_LIKE\" \"$HOME\" \"$(grep -c '^HOME=' /proc/self/environ || true)\""])
        #expect(shown.stdoutText == "a=b=c|overridden|1")
        let missing = try box.run(["exec", "-i", alice.path, "--", "definitely-not-a-program-\(UUID().uuidString)"])
        #expect(missing.status == 127)
        #expect(!missing.stderr.contains("a=b=c"))
    }

    @Test("keygen -o with a one-character file name in the current directory works (Foundation used to trap here)")
    func keygenShortName() throws {
        let box = try Sandbox("keygen-short")
        defer { box.remove() }
        let made = try box.run(["keygen", "-o", "k"])
        #expect(made.status == 0, "\(made)")
        #expect(made.stdoutText.hasPrefix("age1"))
        let signing = try box.run(["keygen", "--signing", "-o", "s"])
        #expect(signing.status == 0, "\(signing)")
        #expect(FileManager.default.fileExists(atPath: "\(box.root)/k"))
    }
}
