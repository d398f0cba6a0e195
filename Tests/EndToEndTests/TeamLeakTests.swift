import Foundation
import Testing

/// The team commands of a git repository (import, edit, set of an unchanged value, merge and
/// its driver, resolve, log, verify --no-decrypt) never print a value; get --at does, on stdout
/// only. No file but the imported source and the editor's own file ever holds one.
@Suite("leaks: living in git")
struct TeamLeakTests {
    @Test("import, edit, merge, resolve and log keep every value out of their output")
    func teamCommands() throws {
        let box = try Sandbox("team-leaks")
        defer { box.remove() }
        let canaries = (1...5).map { "CANARY-\($0)-\(UUID().uuidString.prefix(8))" }
        let alice = try box.keygen("alice")
        try box.initWorkspace("app", [alice])
        let env: [String: String?] = ["LOOPSEAL_IDENTITY_FILE": alice.path]

        func git(_ args: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> RunResult {
            let result = try box.runner.runTool("/usr/bin/env", ["git"] + args, env: env)
            quietOutput(result, sourceLocation: sourceLocation)
            return result
        }
        func quietOutput(_ result: RunResult, sourceLocation: SourceLocation) {
            for canary in canaries {
                #expect(!result.stdout.contains(bytes: Array(canary.utf8)), "a value on stdout of \(result)", sourceLocation: sourceLocation)
                #expect(!result.stderr.contains(canary), "a value on stderr of \(result)", sourceLocation: sourceLocation)
            }
        }
        @discardableResult
        func quiet(_ args: [String], stdin: String? = nil, extra: [String: String?] = [:], status: Int32 = 0,
                   sourceLocation: SourceLocation = #_sourceLocation) throws -> RunResult {
            let result = try box.run(args, stdin: stdin.map { Array($0.utf8) }, env: env.merging(extra) { $1 })
            #expect(result.status == status, "\(result)", sourceLocation: sourceLocation)
            quietOutput(result, sourceLocation: sourceLocation)
            return result
        }

        try #require(try git(["init", "-q", "-b", "main"]).status == 0)
        for setting in [["user.name", "Alice"], ["user.email", "alice@example.com"], ["commit.gpgsign", "false"]] {
            _ = try git(["config"] + setting)
        }
        try FileManager.default.createDirectory(atPath: "\(box.root)/import", withIntermediateDirectories: true)
        try "keys/\nimport/\nedit.sh\n".write(toFile: "\(box.root)/.gitignore", atomically: true, encoding: .utf8)
        try quiet(["git", "install"])
        let source = "\(box.root)/import/app.env"
        try "A=\(canaries[0])\nexport B='\(canaries[1])'\nC=\"line\\n\(canaries[2])\"\n".write(toFile: source, atomically: true, encoding: .utf8)
        try quiet(["import", source, "--dry-run"])
        try quiet(["import", source])
        try quiet(["import", source])
        try quiet(["set", "A"], stdin: canaries[0])
        _ = try git(["add", "-A"])
        _ = try git(["commit", "-q", "-m", "import"])

        // A scripted editor changes B and adds D; its file may hold values, its output may not.
        let editor = "\(box.root)/edit.sh"
        try "#!/bin/sh\nsed -i 's/^B=.*/B=\(canaries[3])/' \"$1\"\nprintf 'D=%s\\n' '\(canaries[4])' >> \"$1\"\n"
            .write(toFile: editor, atomically: true, encoding: .utf8)
        chmod(editor, 0o755)
        try quiet(["edit", "--yes"], extra: ["LOOPSEAL_EDITOR": editor])
        _ = try git(["commit", "-q", "-am", "edit"])

        // Two branches set A to different values: a conflict, resolved with theirs.
        _ = try git(["checkout", "-q", "-b", "theirs"])
        try quiet(["set", "A"], stdin: canaries[1])
        _ = try git(["commit", "-q", "-am", "A theirs"])
        _ = try git(["checkout", "-q", "main"])
        try quiet(["set", "A"], stdin: canaries[2])
        _ = try git(["commit", "-q", "-am", "A ours"])
        #expect(try git(["merge", "-q", "--no-edit", "theirs"]).status == 1)
        try quiet(["keys"])
        try quiet(["keys", "--json"])
        try quiet(["get", "A"], status: 1)
        try quiet(["export"], status: 1)
        try quiet(["verify", "--no-decrypt"], status: 1)
        try quiet(["resolve", "A", "--theirs"])
        _ = try git(["commit", "-q", "--no-edit"])
        try quiet(["verify", "--no-decrypt"])
        try quiet(["verify"])
        for args in [["log", "A"], ["log", "A", "--json"], ["log", "C", "-n", "1"], ["log", "A"]] { try quiet(args) }
        try quiet(["log", "A"], extra: ["LOOPSEAL_IDENTITY_FILE": nil])

        // get --at prints the old value, on stdout only.
        let old = try box.run(["get", "C", "--at", "HEAD~3"], env: env)
        #expect(old.status == 0 && old.stdoutText == "line\n\(canaries[2])", "\(old)")
        #expect(!old.stderr.contains("CANARY"), "\(old)")

        // No file holds a value but the imported source and the test's editor script (the
        // editor's own file is gone).
        for file in allFiles(under: box.root) where ![source, editor].contains(file) && !file.contains("/.git/") {
            let bytes = try readBytes(file)
            for canary in canaries { #expect(!bytes.contains(bytes: Array(canary.utf8)), "a value is in \(file)") }
        }
    }
}
