import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `loopseal edit` driven by scripted editors in a real git repository: exactly the files of
/// the secrets changed, added and deleted change; no plaintext is left where the editor's file
/// could live (`/dev/shm` and `$TMPDIR`), also when loopseal is ended by a signal; an editor
/// that fails changes nothing; no output holds a value (every value carries `qzxv`).
@Suite("edit", .serialized)
struct EditTests {
    static let marker = "qzxv"

    /// A sandbox whose workspace holds KEEP, CHANGE, DROP and PEM, committed, with alice's
    /// identity and a private `$TMPDIR` in the environment.
    private func repository() throws -> (Sandbox, [String: String?]) {
        let sandbox = try Sandbox("edit")
        let alice = try sandbox.keygen("alice")
        try sandbox.initWorkspace("dev", [alice])
        try FileManager.default.createDirectory(atPath: "\(sandbox.root)/tmp", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "\(sandbox.root)/editors", withIntermediateDirectories: true)
        try writeBytes(Array("tmp/\neditors/\nkeys/\n".utf8), to: "\(sandbox.root)/.gitignore")
        let env: [String: String?] = ["LOOPSEAL_IDENTITY_FILE": alice.path, "TMPDIR": "\(sandbox.root)/tmp"]
        let values = "KEEP=keep-qzxv\nCHANGE='change me qzxv'\nDROP=drop-qzxv\nPEM=\"-----BEGIN KEY-----\\nqzxv\\n-----END KEY-----\"\n"
        try sandbox.ok(["import", "-"], stdin: Array(values.utf8), env: env)
        try git(sandbox, "init", "-q")
        try git(sandbox, "add", "-A")
        try git(sandbox, "commit", "-q", "-m", "secrets")
        return (sandbox, env)
    }

    @discardableResult
    private func git(_ sandbox: Sandbox, _ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> RunResult {
        let identity = ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"]
        let result = try sandbox.runner.runTool("/usr/bin/env", ["git", "-C", sandbox.root] + identity + arguments)
        try #require(result.status == 0, "\(result)", sourceLocation: sourceLocation)
        return result
    }

    private func status(_ sandbox: Sandbox) throws -> [String] {
        try git(sandbox, "status", "--porcelain", "--untracked-files=all").stdoutText.split(separator: "\n").map(String.init).sorted()
    }

    /// Writes an editor script (`$1` is the file) and returns its path. The scripts build the
    /// marker from two halves, so they hold no value themselves.
    private func editor(_ sandbox: Sandbox, _ name: String, _ body: String) throws -> String {
        let path = "\(sandbox.root)/editors/\(name).sh"
        try writeBytes(Array("#!/bin/sh\nm=qz; m=\"${m}xv\"\n\(body)\n".utf8), to: path)
        chmod(path, 0o755)
        return path
    }

    /// Every file under `/dev/shm` and the sandbox's `$TMPDIR` that holds the marker.
    private func plaintextLeft(_ sandbox: Sandbox) -> [String] {
        ["/dev/shm", "\(sandbox.root)/tmp"].flatMap { allFiles(under: $0) }.filter { path in
            (try? readBytes(path))?.contains(bytes: Array(Self.marker.utf8)) ?? false
        }
    }

    /// True when `pid` is gone or a zombie (its parent, loopseal, died before reaping it).
    static func hasEnded(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return true }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }

    private func expectNoValue(_ result: RunResult, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!result.stdoutText.contains(Self.marker), "a value on stdout: \(result)", sourceLocation: sourceLocation)
        #expect(!result.stderr.contains(Self.marker), "a value on stderr: \(result)", sourceLocation: sourceLocation)
    }

    @Test("a scripted editor changes one value, adds one secret and deletes one: exactly those files change, and no plaintext is left")
    func scriptedEditorChangesExactlyThreeFiles() throws {
        let (sandbox, env) = try repository()
        let report = "\(sandbox.root)/editors/report.txt"
        let script = try editor(sandbox, "change-add-delete", """
            stat -c '%a' "$1" > \(report); stat -c '%a' "$(dirname "$1")" >> \(report); dirname "$1" >> \(report)
            grep -q "$m" "$1" || exit 7
            sed -i -e "s/^CHANGE=.*/CHANGE='changed $m'/" -e '/^DROP=/d' "$1"
            printf "ADDED='added %s'\\n" "$m" >> "$1"
            """)
        var editEnv = env
        editEnv["LOOPSEAL_EDITOR"] = script
        let edit = try sandbox.run(["edit", "--yes"], env: editEnv)
        #expect(edit.status == 0, "\(edit)")
        #expect(edit.stdoutText == "added ADDED\nchanged CHANGE\nremoved DROP\n")
        expectNoValue(edit)
        #expect(try status(sandbox) == [" D workspaces/dev/secrets/DROP.sealed", " M workspaces/dev/secrets/CHANGE.sealed",
                                        "?? workspaces/dev/secrets/ADDED.sealed"])
        #expect(try sandbox.ok(["get", "CHANGE"], env: env).stdoutText == "changed qzxv")
        #expect(try sandbox.ok(["get", "ADDED"], env: env).stdoutText == "added qzxv")
        #expect(try sandbox.ok(["get", "PEM"], env: env).stdoutText == "-----BEGIN KEY-----\nqzxv\n-----END KEY-----")

        let lines = try String(contentsOfFile: report, encoding: .utf8).split(separator: "\n").map(String.init)
        try #require(lines.count == 3)
        #expect(lines[0] == "600")
        #expect(lines[1] == "700")
        let base = access("/dev/shm", W_OK) == 0 ? "/dev/shm/" : "\(sandbox.root)/tmp/"
        #expect(lines[2].hasPrefix(base + "loopseal-edit-"))
        #expect(!FileManager.default.fileExists(atPath: lines[2]))
        #expect(plaintextLeft(sandbox) == [])
    }

    @Test("an editor exiting 1, a line that does not parse, or a deletion without --yes changes nothing")
    func failuresChangeNothing() throws {
        let (sandbox, env) = try repository()
        let cases: [(name: String, body: String, arguments: [String], message: String)] = [
            ("exit-1", "sed -i -e \"s/^KEEP=.*/KEEP=other-$m/\" \"$1\"; printf 'NEW=%s\\n' \"$m\" >> \"$1\"; exit 1", [],
             "exited with status 1: nothing was changed"),
            ("bad-line", "sed -i -e \"s/^KEEP=.*/KEEP=other-$m/\" \"$1\"; printf '%s %s\\n' \"$m\" \"$m\" >> \"$1\"", [],
             "dev.env:14:6: text after the name"),
            ("delete", "sed -i -e '/^DROP=/d' \"$1\"", [], "the edit deletes DROP: nothing was changed"),
            ("outside", "printf 'KEEP=x\\n' > \"$1\"; printf 'DROP=%s\\n' \"$m\" >> \"$1\"", ["KEEP"],
             "DROP already exist(s) but were not in this edit"),
        ]
        for item in cases {
            var editEnv = env
            editEnv["LOOPSEAL_EDITOR"] = try editor(sandbox, item.name, item.body)
            let result = try sandbox.run(["edit"] + item.arguments, env: editEnv)
            #expect(result.status == 1, "\(item.name): \(result)")
            #expect(result.stderr.contains(item.message), "\(item.name): \(result)")
            #expect(result.stdoutText.isEmpty, "\(item.name): \(result)")
            expectNoValue(result)
            #expect(try status(sandbox) == [], "\(item.name) changed files")
            #expect(plaintextLeft(sandbox) == [], "\(item.name) left plaintext")
        }
        let unchanged = try sandbox.run(["edit"], env: env.merging(["LOOPSEAL_EDITOR": "true"]) { $1 })
        #expect(unchanged.status == 0, "\(unchanged)")
        #expect(unchanged.stderr.contains("no changes: nothing was written"))
        #expect(try status(sandbox) == [])
    }

    @Test("Ctrl-C while the editor is open is the editor's; SIGTERM wipes the file, is passed on to the editor and ends loopseal by SIGTERM")
    func signals() throws {
        let (sandbox, env) = try repository()
        let ready = "\(sandbox.root)/editors/ready.txt"
        let go = "\(sandbox.root)/editors/go"
        let script = try editor(sandbox, "wait", """
            echo "$1 $$" > \(ready).tmp; mv \(ready).tmp \(ready)
            i=0; while [ ! -e \(go) ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done
            """)
        for signal in [SIGINT, SIGTERM] {
            unlink(ready)
            unlink(go)
            var editEnv = env
            editEnv["LOOPSEAL_EDITOR"] = script
            let process = try sandbox.runner.start(["edit"], env: editEnv)
            try #require(waitUntil { FileManager.default.fileExists(atPath: ready) }, "the editor did not start")
            let report = try String(contentsOfFile: ready, encoding: .utf8).split(separator: " ")
            try #require(report.count == 2)
            let file = String(report[0])
            let editorPID = try #require(Int32(report[1].trimmingCharacters(in: .newlines)))
            #expect(try readBytes(file).contains(bytes: Array(Self.marker.utf8)), "the editor's file should hold the values")
            process.send(signal)
            if signal == SIGINT {
                usleep(200_000)
            } else {
                #expect(waitUntil { !FileManager.default.fileExists(atPath: file) }, "SIGTERM did not wipe the file")
                #expect(waitUntil { Self.hasEnded(editorPID) }, "SIGTERM was not passed on to the editor")
            }
            try writeBytes([], to: go)  // ends the editor if it still runs
            let result = process.wait()
            if signal == SIGINT {
                #expect(result.status == 0 && !result.signaled, "\(result)")
                #expect(result.stderr.contains("no changes"))
            } else {
                #expect(result.signaled && result.status == SIGTERM, "\(result)")
            }
            expectNoValue(result)
            #expect(!FileManager.default.fileExists(atPath: file))
            #expect(plaintextLeft(sandbox) == [])
            #expect(try status(sandbox) == [])
        }
    }

    @Test("on a terminal: a line that does not parse offers to reopen the editor, and a deletion asks for confirmation")
    func terminalReopenAndConfirm() throws {
        let (sandbox, env) = try repository()
        let once = "\(sandbox.root)/editors/once"
        let script = try editor(sandbox, "fix-on-reopen", """
            if [ ! -e \(once) ]; then
                touch \(once); sed -i -e '/^DROP=/d' "$1"; printf 'bad line %s\\n' "$m" >> "$1"
            else
                sed -i -e '/^bad line/d' "$1"
            fi
            """)
        let pty = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Support/pty_session.py").path
        let steps: [[String: Any]] = [["expect": "[r]eopen the editor / [a]bort (nothing changes)? "], ["send": "r\r"],
                                      ["expect": "Delete DROP? [y/N] "], ["send": "y\r"]]
        let json = String(decoding: try JSONSerialization.data(withJSONObject: steps), as: UTF8.self)
        var editEnv = env
        editEnv["LOOPSEAL_EDITOR"] = script
        let result = try sandbox.runner.runTool("/usr/bin/env", ["python3", pty, json, "--", sandbox.runner.binary, "edit"], env: editEnv)
        #expect(result.status == 0, "\(result)")
        #expect(result.stdoutText.contains("dev.env:13:5: "), "\(result)")
        #expect(result.stdoutText.contains("removed DROP"), "\(result)")
        expectNoValue(result)
        #expect(try status(sandbox) == [" D workspaces/dev/secrets/DROP.sealed"])
        #expect(plaintextLeft(sandbox) == [])
    }
}
