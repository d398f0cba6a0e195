import Foundation
import Testing

/// Issue 14, "stale recipients are loud", for the long-running read: `watch` logs one warning
/// when the files it opened become sealed to other recipients than `workspace.yaml` lists (here
/// a recipient added with `--no-rekey`), does not repeat it while nothing about it changes, and
/// never logs a value.
@Suite("stale recipients in watch")
struct StaleRecipientsWatchTests {
    static let warning = "is sealed to other recipients than workspace.yaml lists"

    @Test("watch warns once when a file becomes stale, naming it and who can rekey")
    func watchWarnsOnce() throws {
        let box = try Sandbox("stale-watch")
        defer { box.remove() }
        let alice = try box.keygen("alice")
        let bob = try box.keygen("bob")
        try box.initWorkspace("app", [alice])
        try FileManager.default.createDirectory(atPath: "\(box.root)/deploy", withIntermediateDirectories: true)
        let yaml = "workspace: app\nrecipients:\n  alice: \(alice.publicKey)\ntargets:\n"
            + "  - { name: web, type: file, path: ../../deploy/web.env }\n"
        try writeBytes(Array(yaml.utf8), to: "\(box.workspaceDir("app"))/workspace.yaml")
        let first = "CANARY-stale-\(UUID().uuidString)", second = "CANARY-stale2-\(UUID().uuidString)"
        try box.set("A", first)

        let watch = try box.runner.start(["watch", "-i", alice.path], cwd: box.root)
        let target = "\(box.root)/deploy/web.env"
        #expect(WatchOutputTests.waitFor(target, toContain: first))
        #expect(!watch.stderrSoFar.contains(Self.warning), "\(watch.stderrSoFar)")

        try box.ok(["recipients", "add", "bob", bob.publicKey, "--no-rekey"])
        let expected = "\(box.sealedPath("app", "A")) \(Self.warning) (not sealed to bob): alice can run 'loopseal rekey'"
        #expect(waitUntil { watch.stderrSoFar.contains(expected) }, "\(watch.stderrSoFar)")
        // B is sealed to alice and bob: the stale set is the same, so no second warning.
        try box.set("B", second)
        #expect(WatchOutputTests.waitFor(target, toContain: second))

        watch.send(SIGTERM)
        let result = watch.wait(timeout: 30)
        #expect(result.status == 0 && !result.signaled, "\(result)")
        #expect(result.stderrLines.filter { $0.contains(Self.warning) }.count == 1, "\(result.stderr)")
        for canary in [first, second] {
            #expect(!result.stderr.contains(canary) && !result.stdoutText.contains(canary))
        }
    }
}
