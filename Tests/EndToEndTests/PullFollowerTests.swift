import Foundation
import Testing

/// `watch --pull` against a real remote: a bare repository served by `git daemon` on loopback,
/// a developer's clone that pushes, and following hosts, each its own process with its own
/// identity and `--host`.
@Suite("pull followers", .serialized)
struct PullFollowerTests {
    /// A bare repository served by `git daemon`, a developer clone with workspace `app`
    /// (recipients alice, web-1, db-1), and clones for the hosts.
    final class Fleet: @unchecked Sendable {
        let box: Sandbox
        let daemon: RunningProcess
        let url: String
        let alice: Sandbox.Key
        var hostKeys: [String: Sandbox.Key] = [:]
        var followers: [String: RunningProcess] = [:]
        let git = "/usr/bin/git"

        var dev: String { "\(box.root)/dev" }
        func clone(_ host: String) -> String { "\(box.root)/hosts/\(host)/repo" }
        func target(_ host: String) -> String { "\(box.root)/hosts/\(host)/app.env" }
        func restarts(_ host: String) -> String { "\(box.root)/hosts/\(host)/restarts.log" }
        func statusFile(_ host: String) -> String { "\(box.root)/hosts/\(host)/status.json" }

        init(hosts: [String]) throws {
            box = try Sandbox("pull")
            let port = try freeLoopbackPort()
            try FileManager.default.createDirectory(atPath: "\(box.root)/served", withIntermediateDirectories: true)
            daemon = try box.runner.start(["daemon", "--reuseaddr", "--listen=127.0.0.1", "--port=\(port)", "--export-all",
                                           "--enable=receive-pack", "--base-path=\(box.root)/served", "\(box.root)/served"],
                                          executable: git)
            url = "git://127.0.0.1:\(port)/remote.git"
            alice = try box.keygen("alice")
            for host in hosts { hostKeys[host] = try box.keygen(host) }
            try gitOK(["init", "--quiet", "--bare", "--initial-branch=main", "\(box.root)/served/remote.git"])
            let served = try waitUntil(10) { (try? self.box.runner.runTool(self.git, ["ls-remote", self.url]))?.status == 0 }
            try #require(served, "git daemon did not answer on \(url): \(daemon.stderrSoFar)")
            try gitOK(["clone", "--quiet", url, dev])
            try devOK(["init", "app", "--recipient", "alice=\(alice.publicKey)"]
                      + hosts.flatMap { ["--recipient", "\($0)=\(hostKeys[$0]?.publicKey ?? "")"] })
        }

        deinit {
            for follower in followers.values { follower.send(SIGTERM); _ = follower.wait(timeout: 10) }
            daemon.send(SIGTERM)
            _ = daemon.wait(timeout: 10)
            box.remove()
        }

        @discardableResult
        func gitOK(_ args: [String], in directory: String? = nil) throws -> RunResult {
            let env: [String: String?] = ["GIT_AUTHOR_NAME": "dev", "GIT_AUTHOR_EMAIL": "dev@example.com",
                                          "GIT_COMMITTER_NAME": "dev", "GIT_COMMITTER_EMAIL": "dev@example.com"]
            let result = try box.runner.start((directory.map { ["-C", $0] } ?? []) + args, env: env, executable: git).wait()
            try #require(result.status == 0, "git \(args.joined(separator: " ")): \(result)")
            return result
        }

        /// Alice's writer signing key, once ``makeAliceWriter()`` made one.
        var aliceSigningKey: String?

        @discardableResult
        func devOK(_ args: [String], stdin: String? = nil) throws -> RunResult {
            let result = try box.runner.run(args, stdin: stdin.map { Array($0.utf8) },
                                            env: ["LOOPSEAL_IDENTITY_FILE": alice.path, "LOOPSEAL_SIGNING_KEY_FILE": aliceSigningKey], cwd: dev)
            try #require(result.status == 0 && !result.signaled, "\(args.joined(separator: " ")): \(result)")
            return result
        }

        func push(_ message: String) throws {
            try gitOK(["add", "-A"], in: dev)
            try gitOK(["commit", "--quiet", "-m", message], in: dev)
            try gitOK(["push", "--quiet", "origin", "HEAD:main"], in: dev)
        }

        /// Writes `targets:` with one file target per host (keys and restart command as given).
        func writeTargets(_ targets: [(host: String, keys: [String])]) throws {
            let config = "\(dev)/workspaces/app/workspace.yaml"
            var text = try String(contentsOfFile: config, encoding: .utf8)
            if let range = text.range(of: "targets:") { text = String(text[..<range.lowerBound]) }
            text += "targets:\n"
            for (host, keys) in targets {
                text += """
                      - name: \(host)-app
                        type: file
                        path: \(target(host))
                        hosts: [\(host)]
                        keys: [\(keys.joined(separator: ", "))]
                        restart: [sh, -c, "echo restarted >> \(restarts(host))"]

                    """
            }
            try text.write(toFile: config, atomically: true, encoding: .utf8)
        }

        func startFollower(_ host: String, trust: String? = nil) throws {
            if !FileManager.default.fileExists(atPath: clone(host)) { try gitOK(["clone", "--quiet", url, clone(host)]) }
            followers[host] = try box.runner.start(
                ["watch", "--pull", "--interval", "0.3", "--host", host, "--status-file", statusFile(host)] + (trust.map { ["--trust", $0] } ?? []),
                env: ["LOOPSEAL_IDENTITY_FILE": hostKeys[host]?.path], cwd: clone(host))
        }

        /// Makes alice the workspace's writer; returns a trust file pinning her key.
        func makeAliceWriter() throws -> String {
            let path = "\(box.root)/keys/alice.sign"
            let key = try box.ok(["keygen", "--signing", "-o", path]).stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
            aliceSigningKey = path
            try devOK(["writers", "add", "alice", key])
            let pinned = "\(box.root)/pinned.txt"
            try "# writers this fleet trusts\n\(key)\n".write(toFile: pinned, atomically: true, encoding: .utf8)
            return pinned
        }

        func status(_ host: String) -> [String: Any] {
            guard let data = FileManager.default.contents(atPath: statusFile(host)),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
            return object
        }

        func head() throws -> String {
            try gitOK(["rev-parse", "HEAD"], in: dev).stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        func applied(_ host: String) -> String? { status(host)["appliedCommit"] as? String }

        func contents(_ path: String) -> String? {
            FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
        }
    }

    @Test("a pushed change reaches only the hosts whose targets carry it; restart runs once, on that host")
    func perHostDelivery() throws {
        let fleet = try Fleet(hosts: ["web-1", "db-1"])
        let canary = "canary-\(UUID().uuidString)"
        try fleet.writeTargets([("web-1", ["API_KEY"]), ("db-1", ["DB_PASSWORD"])])
        try fleet.devOK(["set", "API_KEY"], stdin: "\(canary)-v1")
        try fleet.devOK(["set", "DB_PASSWORD"], stdin: "\(canary)-db")
        try fleet.push("first")
        for host in ["web-1", "db-1"] { try fleet.startFollower(host) }
        let first = try fleet.head()
        #expect(waitUntil(20) { fleet.applied("web-1") == first && fleet.applied("db-1") == first })
        #expect(fleet.contents(fleet.target("web-1")) == "API_KEY='\(canary)-v1'\n")
        #expect(fleet.contents(fleet.target("db-1")) == "DB_PASSWORD='\(canary)-db'\n")
        #expect(fleet.contents(fleet.restarts("web-1")) == "restarted\n")

        try fleet.devOK(["set", "API_KEY"], stdin: "\(canary)-v2")
        try fleet.push("rotate API_KEY")
        let second = try fleet.head()
        #expect(waitUntil(20) { fleet.applied("web-1") == second && fleet.applied("db-1") == second })
        #expect(fleet.contents(fleet.target("web-1")) == "API_KEY='\(canary)-v2'\n")
        #expect(fleet.contents(fleet.target("db-1")) == "DB_PASSWORD='\(canary)-db'\n")
        #expect(fleet.contents(fleet.restarts("web-1")) == "restarted\nrestarted\n", "one restart per change on web-1")
        #expect(fleet.contents(fleet.restarts("db-1")) == "restarted\n", "db-1's target did not change: no restart")
        let web = fleet.status("web-1")
        #expect((web["targets"] as? [String: Any])?.keys.sorted() == ["web-1-app"], "only its own target: \(web)")
        #expect(web["host"] as? String == "web-1")

        for host in ["web-1", "db-1"] {
            let follower = try #require(fleet.followers[host])
            fleet.followers[host] = nil
            follower.send(SIGTERM)
            let result = follower.wait(timeout: 10)
            #expect(!result.stderr.contains(canary) && !result.stdoutText.contains(canary))
            #expect(fleet.contents(fleet.statusFile(host))?.contains(canary) == false)
            #expect(result.stderr.contains("synced"), "\(result.stderr)")
        }
    }

    @Test("a force-pushed branch is refused: nothing of it is applied and the status names the commit")
    func rewrittenHistoryRefused() throws {
        let fleet = try Fleet(hosts: ["web-1"])
        try fleet.writeTargets([("web-1", ["API_KEY"])])
        try fleet.devOK(["set", "API_KEY"], stdin: "good-1")
        try fleet.push("first")
        try fleet.devOK(["set", "API_KEY"], stdin: "good-2")
        try fleet.push("second")
        try fleet.startFollower("web-1")
        let good = try fleet.head()
        #expect(waitUntil(20) { fleet.applied("web-1") == good })

        try fleet.gitOK(["reset", "--quiet", "--hard", "HEAD~1"], in: fleet.dev)
        try fleet.devOK(["set", "API_KEY"], stdin: "rewritten")
        try fleet.gitOK(["commit", "--quiet", "-am", "rewrite"], in: fleet.dev)
        try fleet.gitOK(["push", "--quiet", "--force", "origin", "HEAD:main"], in: fleet.dev)
        let rewritten = try fleet.head()
        #expect(waitUntil(20) { (fleet.status("web-1")["refused"] as? [String: Any])?["commit"] as? String == rewritten })
        let refused = fleet.status("web-1")["refused"] as? [String: Any]
        #expect((refused?["reason"] as? String)?.contains("does not fast-forward the applied commit") == true, "\(refused ?? [:])")
        #expect(fleet.applied("web-1") == good)
        #expect(fleet.contents(fleet.target("web-1")) == "API_KEY='good-2'\n")
        let status = try fleet.box.run(["status", "--status-file", fleet.statusFile("web-1")])
        #expect(status.stdoutText.contains("refused: \(rewritten): it does not fast-forward"), "\(status)")
    }

    @Test("with --trust, a change of a target or the recipients not signed by a pinned writer is refused by every host; signed, it is applied")
    func pinnedTrust() throws {
        let fleet = try Fleet(hosts: ["web-1", "db-1"])
        let pinned = try fleet.makeAliceWriter()
        try fleet.writeTargets([("web-1", ["API_KEY"]), ("db-1", ["API_KEY"])])
        try fleet.devOK(["writers", "sign"])
        try fleet.devOK(["set", "API_KEY"], stdin: "trusted-1")
        try fleet.push("first")
        for host in ["web-1", "db-1"] { try fleet.startFollower(host, trust: pinned) }
        let first = try fleet.head()
        #expect(waitUntil(20) { fleet.applied("web-1") == first && fleet.applied("db-1") == first },
                "\(fleet.status("web-1")) \(fleet.status("db-1"))")

        // A hand edit: web-1's target moves and runs another command, and a recipient is added; no signature.
        let config = "\(fleet.dev)/workspaces/app/workspace.yaml"
        let signed = try String(contentsOfFile: config, encoding: .utf8)
        let moved = "\(fleet.box.root)/hosts/web-1/moved.env"
        let evil = "\(fleet.box.root)/hosts/web-1/evil-ran"
        let edited = signed.replacingOccurrences(of: fleet.target("web-1"), with: moved)
            .replacingOccurrences(of: "echo restarted >> \(fleet.restarts("web-1"))", with: "touch \(evil)")
            .replacingOccurrences(of: "recipients:\n", with: "recipients:\n  eve: \(try fleet.box.keygen("eve").publicKey)\n")
        try #require(edited != signed)
        try edited.write(toFile: config, atomically: true, encoding: .utf8)
        try fleet.devOK(["set", "API_KEY"], stdin: "untrusted-2")
        try fleet.push("unsigned change")
        let unsigned = try fleet.head()
        for host in ["web-1", "db-1"] {
            #expect(waitUntil(20) { (fleet.status(host)["refused"] as? [String: Any])?["commit"] as? String == unsigned },
                    "\(host): \(fleet.status(host))")
            let reason = (fleet.status(host)["refused"] as? [String: Any])?["reason"] as? String ?? ""
            #expect(reason.contains("not trusted") && reason.contains("workspaces/app/workspace.yaml"), "\(reason)")
            #expect(!reason.contains("/tmp/loopseal-pull-"), "the reason names the file in the repository: \(reason)")
            #expect(fleet.applied(host) == first)
            #expect(fleet.contents(fleet.target(host)) == "API_KEY='trusted-1'\n")
        }
        #expect(!FileManager.default.fileExists(atPath: moved) && !FileManager.default.fileExists(atPath: evil))
        #expect(fleet.contents(fleet.restarts("web-1")) == "restarted\n")

        // The same change signed by the pinned writer is applied.
        try fleet.devOK(["writers", "sign"])
        try fleet.push("signed")
        let second = try fleet.head()
        #expect(waitUntil(20) { fleet.applied("web-1") == second && fleet.applied("db-1") == second },
                "\(fleet.status("web-1")) \(fleet.status("db-1"))")
        #expect(fleet.contents(moved) == "API_KEY='untrusted-2'\n")
        #expect(FileManager.default.fileExists(atPath: evil))
        #expect(fleet.status("web-1")["refused"] is NSNull)
    }

    @Test("hostile commits are checked as git stores them: export-subst, export-ignore and a linked workspaces/ are refused; a check that cannot run refuses")
    func hostileCommitsRefused() throws {
        let fleet = try Fleet(hosts: ["web-1"])
        let pinned = try fleet.makeAliceWriter()
        try fleet.writeTargets([("web-1", ["API_KEY"])])
        try fleet.devOK(["writers", "sign"])
        try fleet.devOK(["set", "API_KEY"], stdin: "trusted-1")
        try fleet.push("first")
        try fleet.startFollower("web-1", trust: pinned)
        let first = try fleet.head()
        #expect(waitUntil(20) { fleet.applied("web-1") == first }, "\(fleet.status("web-1"))")
        let config = "\(fleet.dev)/workspaces/app/workspace.yaml"
        let signed = try String(contentsOfFile: config, encoding: .utf8)
        let evil = "\(fleet.box.root)/evil-ran"

        func expectRefused(_ label: String) throws {
            let commit = try fleet.head()
            #expect(waitUntil(20) { (fleet.status("web-1")["refused"] as? [String: Any])?["commit"] as? String == commit },
                    "\(label): \(fleet.status("web-1"))")
            #expect(fleet.applied("web-1") == first, "\(label)")
            #expect(fleet.contents(fleet.target("web-1")) == "API_KEY='trusted-1'\n", "\(label)")
            #expect(!FileManager.default.fileExists(atPath: evil), "\(label)")
        }

        // export-subst: `git archive` turns the edited line back into the signed one (` $Format:%x23$…`
        // becomes ` #…`, a YAML comment), while the checkout keeps another path.
        let pathLine = "path: \(fleet.target("web-1"))"
        try #require(signed.contains(pathLine))
        try signed.replacingOccurrences(of: pathLine, with: pathLine + " $Format:%x23$/elsewhere")
            .write(toFile: config, atomically: true, encoding: .utf8)
        try ".gitattributes export-ignore\nworkspaces/app/workspace.yaml export-subst\n"
            .write(toFile: "\(fleet.dev)/.gitattributes", atomically: true, encoding: .utf8)
        try fleet.push("export-subst")
        try expectRefused("export-subst")

        // export-ignore: the edited workspace would be missing from an archive, leaving only a trusted one.
        let restart = "echo restarted >> \(fleet.restarts("web-1"))"
        try signed.replacingOccurrences(of: restart, with: "touch \(evil)").write(toFile: config, atomically: true, encoding: .utf8)
        try "workspaces/app export-ignore\n".write(toFile: "\(fleet.dev)/.gitattributes", atomically: true, encoding: .utf8)
        try fleet.push("export-ignore")
        try expectRefused("export-ignore")

        // A link at workspaces/: what is checked and what is checked out could differ.
        try fleet.gitOK(["rm", "-q", "-r", "--cached", "workspaces"], in: fleet.dev)
        try FileManager.default.moveItem(atPath: "\(fleet.dev)/workspaces", toPath: "\(fleet.dev)/copy")
        try FileManager.default.createSymbolicLink(atPath: "\(fleet.dev)/workspaces", withDestinationPath: "copy")
        try fleet.push("linked workspaces")
        try expectRefused("a linked workspaces/")
        let reason = (fleet.status("web-1")["refused"] as? [String: Any])?["reason"] as? String ?? ""
        #expect(reason.contains("symbolic link at workspaces"), "\(reason)")
    }

    @Test("a check that cannot run refuses the commit; a checkout left half-moved (index.lock) is repaired at start")
    func failedCheckAndRepair() throws {
        let fleet = try Fleet(hosts: ["web-1"])
        let pinned = try fleet.makeAliceWriter()
        try fleet.writeTargets([("web-1", ["API_KEY"])])
        try fleet.devOK(["writers", "sign"])
        try fleet.devOK(["set", "API_KEY"], stdin: "value-1")
        try fleet.push("first")
        try fleet.gitOK(["clone", "--quiet", fleet.url, fleet.clone("web-1")])
        fleet.followers["web-1"] = try fleet.box.runner.start(
            ["watch", "--pull", "--interval", "0.3", "--host", "web-1", "--status-file", fleet.statusFile("web-1"), "--trust", pinned],
            env: ["LOOPSEAL_IDENTITY_FILE": fleet.hostKeys["web-1"]?.path, "TMPDIR": "\(fleet.box.root)/no-such-folder"], cwd: fleet.clone("web-1"))
        let first = try fleet.head()
        #expect(waitUntil(20) { fleet.applied("web-1") == first }, "\(fleet.status("web-1"))")
        try fleet.devOK(["set", "API_KEY"], stdin: "value-2")
        try fleet.push("second")
        let second = try fleet.head()
        #expect(waitUntil(20) { (fleet.status("web-1")["refused"] as? [String: Any])?["commit"] as? String == second })
        let reason = (fleet.status("web-1")["refused"] as? [String: Any])?["reason"] as? String ?? ""
        #expect(reason.contains("could not be checked"), "\(reason)")
        #expect(fleet.contents(fleet.target("web-1")) == "API_KEY='value-1'\n")
        try #require(fleet.followers["web-1"]).send(SIGKILL)
        _ = try #require(fleet.followers["web-1"]).wait(timeout: 10)
        fleet.followers["web-1"] = nil

        // What a SIGKILL in the middle of moving the checkout leaves: git's lock and a half-written file.
        try "".write(toFile: "\(fleet.clone("web-1"))/.git/index.lock", atomically: true, encoding: .utf8)
        try "half".write(toFile: "\(fleet.clone("web-1"))/workspaces/app/secrets/API_KEY.sealed", atomically: true, encoding: .utf8)
        try fleet.startFollower("web-1", trust: pinned)
        #expect(waitUntil(20) { fleet.applied("web-1") == second && fleet.contents(fleet.target("web-1")) == "API_KEY='value-2'\n" },
                "\(fleet.status("web-1"))")
        #expect(!FileManager.default.fileExists(atPath: "\(fleet.clone("web-1"))/.git/index.lock"))
    }

    @Test("a follower killed with SIGKILL mid-sync holds the old or new payload and converges on restart")
    func killedFollowerConverges() throws {
        let fleet = try Fleet(hosts: ["web-1"])
        try fleet.writeTargets([("web-1", ["API_KEY"])])
        try fleet.devOK(["set", "API_KEY"], stdin: "old-value")
        try fleet.push("first")
        try fleet.startFollower("web-1")
        let first = try fleet.head()
        #expect(waitUntil(20) { fleet.applied("web-1") == first })
        for round in 1...3 {
            try fleet.devOK(["set", "API_KEY"], stdin: "new-value-\(round)")
            try fleet.push("round \(round)")
            // Kill at some moment of the pull and sync that follows.
            usleep(UInt32(250_000 + round * 170_000))
            try #require(fleet.followers["web-1"]).send(SIGKILL)
            _ = try #require(fleet.followers["web-1"]).wait(timeout: 10)
            let text = fleet.contents(fleet.target("web-1"))
            #expect(text == "API_KEY='new-value-\(round)'\n" || text == "API_KEY='\(round == 1 ? "old-value" : "new-value-\(round - 1)")'\n",
                    "round \(round): \(text ?? "nil")")
            try fleet.startFollower("web-1")
            let head = try fleet.head()
            #expect(waitUntil(20) { fleet.applied("web-1") == head && fleet.contents(fleet.target("web-1")) == "API_KEY='new-value-\(round)'\n" },
                    "round \(round) did not converge: \(fleet.status("web-1"))")
        }
    }
}
