import Foundation
import Testing

/// `loopseal sync` and `loopseal watch` through the real binary: dry runs, drift, canaries, and
/// a watcher pushing a change to two real agents.
@Suite("sync and watch")
struct SyncCommandTests {
    static func prepared(_ label: String, targets: String) throws -> (Sandbox, Sandbox.Key) {
        let box = try Sandbox(label)
        let alice = try box.keygen("alice")
        try box.initWorkspace("app", [alice])
        try FileManager.default.createDirectory(atPath: "\(box.root)/deploy", withIntermediateDirectories: true)
        let yaml = "workspace: app\nrecipients:\n  alice: \(alice.publicKey)\ntargets:\n" + targets
        try writeBytes(Array(yaml.utf8), to: "\(box.workspaceDir("app"))/workspace.yaml")
        return (box, alice)
    }

    @Test("--dry-run writes nothing; hand edits are detected and kept unless --force; values appear nowhere")
    func dryRunDriftAndCanary() throws {
        let (box, alice) = try Self.prepared("sync", targets: "  - { name: app, type: file, path: ../../deploy/app.env }\n")
        defer { box.remove() }
        let canary = "CANARY-sync-\(UUID().uuidString)"
        try box.set("TOKEN", canary)
        try box.set("OTHER", "x")
        let env: [String: String?] = ["LOOPSEAL_LOG_LEVEL": "trace"]
        var outputs: [RunResult] = []

        let dry = try box.run(["sync", "--dry-run", "-i", alice.path], env: env)
        outputs.append(dry)
        #expect(dry.status == 0)
        #expect(dry.stdoutText.contains("app (file): would write +OTHER +TOKEN"), "\(dry)")
        #expect(!FileManager.default.fileExists(atPath: "\(box.root)/deploy/app.env"))
        #expect(!FileManager.default.fileExists(atPath: "\(box.workspaceDir("app"))/.loopseal/sync-state.json"))

        let real = try box.run(["sync", "-i", alice.path], env: env)
        outputs.append(real)
        #expect(real.stdoutText.contains("app (file): written +OTHER +TOKEN"), "\(real)")
        #expect(try String(contentsOfFile: "\(box.root)/deploy/app.env", encoding: .utf8) == "OTHER='x'\nTOKEN='\(canary)'\n")

        try box.set("TOKEN", canary + "-2")
        let dryChange = try box.run(["sync", "--dry-run", "-i", alice.path], env: env)
        outputs.append(dryChange)
        #expect(dryChange.stdoutText.contains("app (file): would write ~TOKEN"))
        #expect(try String(contentsOfFile: "\(box.root)/deploy/app.env", encoding: .utf8).contains("TOKEN='\(canary)'\n"))

        try writeBytes(Array("OTHER='edited by hand'\n".utf8), to: "\(box.root)/deploy/app.env")
        let drift = try box.run(["sync", "-i", alice.path], env: env)
        outputs.append(drift)
        #expect(drift.status == 1)
        #expect(drift.stderr.contains("target 'app': \(box.root)/deploy/app.env was edited by hand since the last sync"), "\(drift)")
        #expect(try String(contentsOfFile: "\(box.root)/deploy/app.env", encoding: .utf8) == "OTHER='edited by hand'\n")
        let forced = try box.run(["sync", "--force", "-i", alice.path], env: env)
        outputs.append(forced)
        #expect(forced.status == 0)
        #expect(try String(contentsOfFile: "\(box.root)/deploy/app.env", encoding: .utf8) == "OTHER='x'\nTOKEN='\(canary)-2'\n")

        for output in outputs {
            #expect(!output.stdoutText.contains(canary), "\(output.command)")
            #expect(!output.stderr.contains(canary), "\(output.command)")
        }
        for file in allFiles(under: box.root) where !file.hasPrefix("\(box.root)/deploy/") {
            #expect(!(try readBytes(file)).contains(Array(canary.utf8)), "\(file) holds a secret value")
        }
    }

    @Test("watch pushes a changed secret to two agents, restarting each once per change")
    func watchReachesAgents() throws {
        let box = try Sandbox("watch-agents")
        defer { box.remove() }
        let alice = try box.keygen("alice")
        try box.initWorkspace("ws", [alice])
        let canary = "CANARY-watch-\(UUID().uuidString)"
        try box.set("API_TOKEN", canary)
        let authorized = "\(box.root)/controllers"
        try writeBytes(Array("\(alice.publicKey) alice\n".utf8), to: authorized)
        var agents: [StartedAgent] = []
        defer { for agent in agents { agent.stop() } }
        for name in ["web1", "web2"] {
            let key = try box.keygen(name)
            let folder = "\(box.root)/\(name)"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            agents.append(try StartedAgent.start(box, name: name, key: key, authorized: authorized, folder: folder))
        }
        let targets = agents.map { "  - { name: \($0.name), type: agent, url: \"http://127.0.0.1:\($0.port)\", agent: \($0.publicKey) }\n" }.joined()
        try writeBytes(Array("workspace: ws\nrecipients:\n  alice: \(alice.publicKey)\ntargets:\n\(targets)".utf8),
                       to: "\(box.workspaceDir("ws"))/workspace.yaml")

        let watch = try box.runner.start(["watch", "-i", alice.path], env: ["LOOPSEAL_LOG_LEVEL": "info"], cwd: box.root)
        /// The watch's own `synced` lines (one per target per sync, naming the keys) so far for `target`;
        /// at info the syncer's line for the same write, without `keys=`, is not counted.
        func synced(_ target: String) -> Int {
            watch.stderrSoFar.split(separator: "\n").filter { Self.isWatchLine($0) && $0.contains("target=\(target)") }.count
        }
        #expect(waitUntil { agents.allSatisfy { $0.restarts == 1 } }, "the initial sync reaches both agents")
        #expect(waitUntil { synced("web1") == 1 && synced("web2") == 1 }, "\(watch.stderrSoFar)")
        let changed = canary + "-rotated"
        try box.set("API_TOKEN", changed)
        // The change arrives because the watch saw the sealed file change (nothing else syncs),
        // and each agent is restarted once for it.
        #expect(waitUntil {
            agents.allSatisfy { ((try? readBytes($0.envFile)).map { String(decoding: $0, as: UTF8.self) } ?? "").contains(changed) }
        })
        #expect(waitUntil { agents.allSatisfy { $0.restarts == 2 } })
        #expect(waitUntil { synced("web1") == 2 && synced("web2") == 2 }, "\(watch.stderrSoFar)")

        watch.send(SIGTERM)
        let result = watch.wait(timeout: 10)
        #expect(result.status == 0, "\(result)")
        // Once the watch has stopped nothing more can be pushed: still one restart per change.
        #expect(agents.allSatisfy { $0.restarts == 2 }, "one restart per change")
        let lines = result.stderrLines.filter { Self.isWatchLine($0[...]) }
        #expect(lines.count == 4, "one log line per agent per sync: \(lines)")
        #expect(lines.filter { $0.contains("changed=API_TOKEN") }.count == 2, "\(lines)")
        #expect(!result.stderr.contains(canary) && !result.stdoutText.contains(canary))
    }

    /// A `synced` line of the watch itself: it names the target's keys.
    static func isWatchLine(_ line: Substring) -> Bool {
        line.contains(" synced") && line.contains("keys=")
    }
}
