import Foundation
import Testing

/// `loopseal watch` through the real binary: a watcher pushing a change to two real agents.
/// Dry runs, drift, canaries and target safety are transcripts (`testdata/sync_*.txt`).
@Suite("sync and watch")
struct SyncCommandTests {
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
