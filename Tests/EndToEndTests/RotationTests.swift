import Foundation
import Testing

/// `loopseal rotate` through the rotation workflow. `recipients rm`'s exposure list, exec's
/// environment and keygen's short names are transcripts (`testdata/recipients_rm_lists_exposed_secrets.txt`,
/// `exec_environment_only.txt`, `keygen_short_file_name.txt`).
@Suite("rotation and hardening")
struct RotationTests {
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

    @Test("on a terminal, `run resume --fill` of a rotation (every key already has a value) asks for each key again")
    func fillOnTerminalAsksForKeysThatHaveValues() throws {
        let box = try Sandbox("rotate-tty")
        defer { box.remove() }
        let alice = try box.keygen("alice")
        try box.initWorkspace("app", [alice])
        try box.set("API_TOKEN", "old-value")
        let env: [String: String?] = ["LOOPSEAL_IDENTITY_FILE": alice.path]
        _ = try box.run(["rotate", "API_TOKEN"], stdin: [], env: env)  // no value on stdin: the run waits for one
        let listed = try box.ok(["run", "list"], env: env).stdoutText
        let id = try #require(listed.firstMatch(of: /([0-9a-f]{12})\s+waiting/)?.1, "\(listed)")
        let canary = "typed-\(UUID().uuidString.prefix(8))"
        // `script` gives the command a terminal; the value is typed after the prompt is up.
        let command = "\(box.runner.binary) run resume \(id) --fill"
        let typed = try box.runner.runTool("/bin/sh", ["-c", "(sleep 1; printf '%s\\n' \(canary); sleep 1; printf '%s\\n' \(canary); sleep 2) | script -qec '\(command)' /dev/null"], env: env)
        #expect(typed.stdoutText.contains("Value for API_TOKEN"), "\(typed)")
        #expect(try box.ok(["get", "API_TOKEN"], env: env).stdoutText == canary)
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
}
