import Foundation
import Testing

/// Issue 11 item 14: `loopseal watch` printed nothing at the default log level although its help
/// promises one line per sync. The lines come by default, name targets and keys, never values.
@Suite("watch output")
struct WatchOutputTests {
    /// Polls until `path` holds `text`.
    static func waitFor(_ path: String, toContain text: String) -> Bool {
        waitUntil { FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self).contains(text) } ?? false }
    }

    /// The `synced` lines `watch` has logged so far.
    static func synced(_ watch: RunningProcess) -> [Substring] {
        watch.stderrSoFar.split(separator: "\n").filter { $0.contains(" synced") }
    }

    @Test("watch prints one line per target per sync at the default level: target and key names, no values")
    func watchPrintsItsSyncLinesByDefault() throws {
        let box = try Sandbox("watch-output")
        defer { box.remove() }
        let alice = try box.keygen("alice")
        try box.initWorkspace("app", [alice])
        try FileManager.default.createDirectory(atPath: "\(box.root)/deploy", withIntermediateDirectories: true)
        let yaml = "workspace: app\nrecipients:\n  alice: \(alice.publicKey)\ntargets:\n"
            + "  - { name: web, type: file, path: ../../deploy/web.env }\n"
            + "  - { name: worker, type: file, path: ../../deploy/worker.env, keys: [QUEUE_URL] }\n"
        try writeBytes(Array(yaml.utf8), to: "\(box.workspaceDir("app"))/workspace.yaml")
        let first = "CANARY-watch-\(UUID().uuidString)", second = "CANARY-watch2-\(UUID().uuidString)"
        try box.set("API_TOKEN", first)
        try box.set("QUEUE_URL", "amqp://queue")

        // No LOOPSEAL_LOG_LEVEL: the runner removes every LOOPSEAL_* variable.
        let watch = try box.runner.start(["watch", "-i", alice.path], cwd: box.root)
        #expect(Self.waitFor("\(box.root)/deploy/web.env", toContain: "API_TOKEN='\(first)'"))
        #expect(Self.waitFor("\(box.root)/deploy/worker.env", toContain: "QUEUE_URL="))
        // The first sync is over (both lines logged) before the change, so the change is its own sync.
        #expect(waitUntil { Self.synced(watch).count == 2 }, "\(watch.stderrSoFar)")
        try box.set("API_TOKEN", second)
        #expect(Self.waitFor("\(box.root)/deploy/web.env", toContain: "API_TOKEN='\(second)'"))
        // The line is logged after the file is written.
        #expect(waitUntil { Self.synced(watch).count == 3 }, "\(watch.stderrSoFar)")
        watch.send(SIGTERM)
        let result = watch.wait(timeout: 30)
        #expect(result.status == 0 && !result.signaled, "\(result)")

        let lines = result.stderrLines
        let synced = lines.filter { $0.contains(" synced") }
        #expect(synced.count == 3, "\(lines)")
        #expect(synced.filter { $0.contains("target=web") }.count == 2, "\(lines)")
        #expect(synced.contains { $0.contains("target=web") && $0.contains("keys=API_TOKEN,QUEUE_URL") && $0.contains("added=API_TOKEN,QUEUE_URL") }, "\(lines)")
        #expect(synced.contains { $0.contains("target=web") && $0.contains("changed=API_TOKEN") && $0.contains("ms=") }, "\(lines)")
        #expect(synced.contains { $0.contains("target=worker") && $0.contains("keys=QUEUE_URL") }, "\(lines)")
        #expect(lines.contains { $0.contains("watching") && $0.contains("workspace=app") }, "\(lines)")
        // The change to API_TOKEN does not touch the worker target, so it gets no line.
        #expect(!lines.contains { $0.contains("target=worker") && $0.contains("up to date") }, "\(lines)")
        for canary in [first, second] {
            #expect(!result.stderr.contains(canary) && !result.stdoutText.contains(canary))
        }

        // LOOPSEAL_LOG_LEVEL=warning keeps only failures: a sync the quiet watch certainly made
        // (a third value reaching the target) prints nothing.
        let quiet = try box.runner.start(["watch", "-i", alice.path], env: ["LOOPSEAL_LOG_LEVEL": "warning"], cwd: box.root)
        let third = "CANARY-watch3-\(UUID().uuidString)"
        try box.set("API_TOKEN", third)
        #expect(Self.waitFor("\(box.root)/deploy/web.env", toContain: "API_TOKEN='\(third)'"))
        quiet.send(SIGTERM)
        let quietResult = quiet.wait(timeout: 30)
        #expect(quietResult.status == 0, "\(quietResult)")
        #expect(quietResult.stderr.isEmpty, "\(quietResult)")

        let help = try box.ok(["watch", "--help"])
        #expect(help.stdoutText.contains("LOOPSEAL_LOG_LEVEL"), "\(help)")
    }
}
