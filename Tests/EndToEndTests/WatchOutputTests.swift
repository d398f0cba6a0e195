import Foundation
import Testing

/// Issue 11 item 14: `loopseal watch` printed nothing at the default log level although its help
/// promises one line per sync. The lines come by default, name targets and keys, never values.
@Suite("watch output")
struct WatchOutputTests {
    /// Polls until `path` holds `text` (or `timeout` seconds pass).
    static func waitFor(_ path: String, toContain text: String, timeout: Double = 15) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let data = FileManager.default.contents(atPath: path), String(decoding: data, as: UTF8.self).contains(text) { return true }
            usleep(20_000)
        }
        return false
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
        usleep(200_000)
        try box.set("API_TOKEN", second)
        #expect(Self.waitFor("\(box.root)/deploy/web.env", toContain: "API_TOKEN='\(second)'"))
        usleep(300_000)
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

        // LOOPSEAL_LOG_LEVEL=warning keeps only failures.
        let quiet = try box.runner.start(["watch", "-i", alice.path], env: ["LOOPSEAL_LOG_LEVEL": "warning"], cwd: box.root)
        usleep(1_500_000)
        quiet.send(SIGTERM)
        let quietResult = quiet.wait(timeout: 30)
        #expect(quietResult.status == 0, "\(quietResult)")
        #expect(quietResult.stderr.isEmpty, "\(quietResult)")

        let help = try box.ok(["watch", "--help"])
        #expect(help.stdoutText.contains("LOOPSEAL_LOG_LEVEL"), "\(help)")
    }
}
