import Foundation
import Testing

/// SIGKILL during `loopseal sync` and inside a receiving agent: every target keeps the old or
/// the new payload, never a torn one, and the next sync completes the change.
@Suite("crash safety of sync and agents")
struct SyncCrashTests {
    /// A workspace with `count` secrets of a few KiB each, so writes take long enough to be cut.
    static func prepared(_ label: String, count: Int) throws -> (Sandbox, Sandbox.Key) {
        let box = try Sandbox(label)
        let alice = try box.keygen("alice")
        try box.initWorkspace("app", [alice])
        let runner = box.runner
        let failures = onThreads(4) { worker -> [String] in
            stride(from: worker, to: count, by: 4).compactMap { n in
                let value = "v0-\(n)-" + String(repeating: "x", count: 2_000 + n)
                let result = try? runner.run(["set", String(format: "KEY_%03d", n)], stdin: Array(value.utf8))
                return result?.status == 0 ? nil : "KEY_\(n): \(result.map { "\($0)" } ?? "did not run")"
            }
        }.flatMap { $0 }
        try #require(failures.isEmpty, "\(failures.prefix(3))")
        return (box, alice)
    }

    @Test("`sync` killed at random moments leaves the file target with the old or the new payload")
    func killedSync() throws {
        let count = 120
        let (box, alice) = try Self.prepared("sync-crash", count: count)
        defer { box.remove() }
        try FileManager.default.createDirectory(atPath: "\(box.root)/deploy", withIntermediateDirectories: true)
        let yaml = "workspace: app\nrecipients:\n  alice: \(alice.publicKey)\ntargets:\n  - { name: app, type: file, path: ../../deploy/app.env }\n"
        try writeBytes(Array(yaml.utf8), to: "\(box.workspaceDir("app"))/workspace.yaml")
        let target = "\(box.root)/deploy/app.env"
        func payload() throws -> [UInt8] { try box.ok(["export", "--format", "dotenv", "-i", alice.path]).stdout }
        let started = Date()
        try box.ok(["sync", "-i", alice.path, "--force"])
        // The shortest full sync seen so far: under load the first one can take many times longer
        // than the rest, and kill points spread over that would all land after the sync finished.
        var full = UInt32(Date().timeIntervalSince(started) * 1_000_000)
        var current = try payload()
        #expect(try readBytes(target) == current)

        let seed = UInt64.random(in: 0...UInt64.max)
        var rng = SplitMix64(state: seed)
        var killedMidway = 0
        var finished = 0
        let deadline = Date().addingTimeInterval(15)
        var round = 0
        while round < 20 && Date() < deadline {
            let context = "round \(round), seed \(seed)"
            let n = Int.random(in: 0..<count, using: &rng)
            try box.set(String(format: "KEY_%03d", n), "round-\(round)-" + String(repeating: "y", count: Int.random(in: 0...4_000, using: &rng)))
            let next = try payload()
            let process = try box.runner.start(["sync", "-i", alice.path])
            // Kill points spread over twice a full sync's duration: before, during and after the write
            // (a deliberate, random wait: crash injection, not waiting for something).
            usleep(UInt32.random(in: 0...(2 * full), using: &rng))
            process.send(SIGKILL)
            let result = process.wait()
            if result.signaled { killedMidway += 1 } else { finished += 1; #expect(result.status == 0, "\(context): \(result)") }
            let now = try readBytes(target)
            #expect(now == current || now == next, "\(context): the target holds a torn payload (\(now.count) bytes)")
            let stray = try FileManager.default.contentsOfDirectory(atPath: "\(box.root)/deploy").filter { !$0.hasPrefix(".") && $0 != "app.env" }
            #expect(stray.isEmpty, "\(context): \(stray)")
            // Whatever the kill interrupted, the next sync brings the target to the new payload.
            let resynced = Date()
            try box.ok(["sync", "-i", alice.path])
            full = min(full, UInt32(Date().timeIntervalSince(resynced) * 1_000_000))
            #expect(try readBytes(target) == next, "\(context): the next sync did not complete the change")
            current = next
            round += 1
        }
        #expect(killedMidway > 0, "no sync was ever killed before it finished: the test exercised nothing (seed \(seed))")
        print("sync crash safety: \(killedMidway) of \(round) syncs killed midway, \(finished) finished, seed \(seed)")
    }

    @Test("a sync cut short after writing the target but before recording it is not mistaken for drift later")
    func writtenButNotRecorded() throws {
        let box = try Sandbox("sync-adopt")
        defer { box.remove() }
        let alice = try box.keygen("alice")
        try box.initWorkspace("app", [alice])
        try FileManager.default.createDirectory(atPath: "\(box.root)/deploy", withIntermediateDirectories: true)
        let yaml = "workspace: app\nrecipients:\n  alice: \(alice.publicKey)\ntargets:\n  - { name: app, type: file, path: ../../deploy/app.env }\n"
        try writeBytes(Array(yaml.utf8), to: "\(box.workspaceDir("app"))/workspace.yaml")
        try box.set("API", "one")
        try box.ok(["sync", "-i", alice.path])
        try box.set("API", "two")
        // What a sync killed between its write and its state update leaves behind.
        let written = try box.ok(["export", "--format", "dotenv", "-i", alice.path]).stdout
        try writeBytes(written, to: "\(box.root)/deploy/app.env")
        #expect(try box.ok(["sync", "-i", alice.path]).stdoutText.contains("unchanged"))
        try box.set("API", "three")
        let next = try box.run(["sync", "-i", alice.path])
        #expect(next.status == 0, "\(next)")
        #expect(try readBytes("\(box.root)/deploy/app.env") == box.ok(["export", "--format", "dotenv", "-i", alice.path]).stdout)
        #expect(try String(contentsOfFile: "\(box.root)/deploy/app.env", encoding: .utf8).contains("three"))
    }

    @Test("an agent killed while receiving keeps the old or the new env file; the next sync completes")
    func killedAgent() throws {
        let count = 150
        let (box, alice) = try Self.prepared("agent-crash", count: count)
        defer { box.remove() }
        let authorized = "\(box.root)/controllers"
        try writeBytes(Array("\(alice.publicKey) alice\n".utf8), to: authorized)
        let agentKey = try box.keygen("web1")
        let folder = "\(box.root)/web1"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let envFile = "\(folder)/app.env"
        func point(at agent: StartedAgent) throws {
            let yaml = "workspace: app\nrecipients:\n  alice: \(alice.publicKey)\ntargets:\n"
                + "  - { name: web1, type: agent, url: \"http://127.0.0.1:\(agent.port)\", agent: \(agentKey.publicKey) }\n"
            try writeBytes(Array(yaml.utf8), to: "\(box.workspaceDir("app"))/workspace.yaml")
        }
        func payload() throws -> [UInt8] { try box.ok(["export", "--format", "dotenv", "-i", alice.path]).stdout }

        var agent = try StartedAgent.start(box, name: "web1", key: agentKey, authorized: authorized, folder: folder)
        defer { agent.stop() }
        try point(at: agent)
        let started = Date()
        try box.ok(["sync", "-i", alice.path])
        // The shortest full sync seen so far: under load the first one can take many times longer
        // than the rest, and kill points spread over that would all land after the sync finished.
        var full = UInt32(Date().timeIntervalSince(started) * 1_000_000)
        var current = try payload()
        #expect(try readBytes(envFile) == current)

        let seed = UInt64.random(in: 0...UInt64.max)
        var rng = SplitMix64(state: seed)
        var agentDiedFirst = 0
        var agentSurvived = 0
        let deadline = Date().addingTimeInterval(15)
        var round = 0
        while round < 10 && Date() < deadline {
            let context = "round \(round), seed \(seed)"
            let n = Int.random(in: 0..<count, using: &rng)
            try box.set(String(format: "KEY_%03d", n), "round-\(round)-" + String(repeating: "z", count: Int.random(in: 0...4_000, using: &rng)))
            let next = try payload()
            let sync = try box.runner.start(["sync", "-i", alice.path])
            // The agent dies at a random point of the push (a deliberate wait: crash injection).
            usleep(UInt32.random(in: 0...(full + full / 5), using: &rng))
            agent.process.send(SIGKILL)
            _ = agent.stop()
            let result = sync.wait()
            if result.status != 0 { agentDiedFirst += 1 } else { agentSurvived += 1 }
            let now = try readBytes(envFile)
            #expect(now == current || now == next, "\(context): the env file holds a torn payload (\(now.count) bytes)")
            let stray = try FileManager.default.contentsOfDirectory(atPath: folder).filter { !$0.hasPrefix(".") && !["app.env", "app.env.loopseal-replay", "counter"].contains($0) }
            #expect(stray.isEmpty, "\(context): \(stray)")
            // A new agent process (new port) and one more sync complete the change.
            agent = try StartedAgent.start(box, name: "web1", key: agentKey, authorized: authorized, folder: folder)
            try point(at: agent)
            let repaired = try box.run(["sync", "-i", alice.path])
            #expect(repaired.status == 0, "\(context): \(repaired)")
            #expect(try readBytes(envFile) == next, "\(context): the next sync did not complete the change")
            current = next
            round += 1
        }
        #expect(agentDiedFirst > 0, "the agent was never killed before the sync finished: the test exercised nothing (seed \(seed))")
        print("agent crash safety: \(agentDiedFirst) of \(round) syncs cut by the agent's death, \(agentSurvived) finished first, seed \(seed)")
    }
}
