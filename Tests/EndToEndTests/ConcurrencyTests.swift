import Foundation
import Testing

/// Results written by worker threads under a lock.
final class ThreadResults<R: Sendable>: @unchecked Sendable {
    let lock = NSLock()
    var values: [Int: R] = [:]
}

/// Runs `body(worker)` on `count` real threads at once (not the cooperative pool: each worker
/// blocks on child processes) and returns what each worker returned, in worker order.
func onThreads<R: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) -> R) -> [R] {
    let results = ThreadResults<R>()
    let group = DispatchGroup()
    let start = DispatchSemaphore(value: 0)
    for worker in 0..<count {
        group.enter()
        let thread = Thread {
            start.wait()
            let value = body(worker)
            results.lock.withLock { results.values[worker] = value }
            group.leave()
        }
        thread.start()
    }
    for _ in 0..<count { start.signal() }  // release them together
    group.wait()
    return (0..<count).map { results.values[$0]! }
}

/// Many `loopseal set` processes on one workspace at once: the workspace lock serializes them.
@Suite("concurrency")
struct ConcurrencyTests {
    @Test("8 workers × 50 sets of distinct keys: all succeed and every value is exact")
    func distinctKeys() throws {
        let box = try Sandbox("concurrent")
        defer { box.remove() }
        let alice = try box.keygen("alice")
        try box.initWorkspace("busy", [alice])
        let runner = box.runner
        let workers = 8, perWorker = 50
        let failures: [[String]] = onThreads(workers) { i in
            var failed: [String] = []
            for j in 0..<perWorker {
                do {
                    let result = try runner.run(["set", "K_\(i)_\(j)"], stdin: Array("v-\(i)-\(j)".utf8))
                    if result.status != 0 || result.signaled { failed.append("\(result)") }
                } catch {
                    failed.append("K_\(i)_\(j): \(error)")
                }
            }
            return failed
        }
        let allFailures = failures.flatMap { $0 }
        #expect(allFailures.isEmpty, "\(allFailures.count) sets failed; first: \(allFailures.first ?? "")")

        var expected: [String: String] = [:]
        for i in 0..<workers { for j in 0..<perWorker { expected["K_\(i)_\(j)"] = "v-\(i)-\(j)" } }
        let items = try box.keysJSON()
        #expect(items.count == workers * perWorker)
        #expect(Set(items.compactMap { $0["key"] as? String }) == Set(expected.keys))
        #expect(items.allSatisfy { $0["hasValue"] as? Bool == true })
        #expect(Set(items.compactMap { $0["id"] as? String }).count == workers * perWorker, "ids are unique")
        let exported = try box.exportJSON(["-i", alice.path])
        #expect(exported == expected)
        let stray = try FileManager.default.contentsOfDirectory(atPath: "\(box.workspaceDir("busy"))/secrets")
            .filter { !$0.hasSuffix(".sealed") || $0.hasPrefix(".") }
        #expect(stray.isEmpty, "temporary files left after clean exits: \(stray.prefix(5))")
        try box.ok(["verify", "-i", alice.path])
    }

    @Test("4 workers × 20 sets of the same key: the last value is one of them and the file opens")
    func sameKey() throws {
        let box = try Sandbox("samekey")
        defer { box.remove() }
        let alice = try box.keygen("alice")
        try box.initWorkspace("busy", [alice])
        try box.set("SHARED", "initial")
        let firstID = try #require(try box.keysJSON().first?["id"] as? String)
        let runner = box.runner
        let workers = 4, perWorker = 20
        let failures: [[String]] = onThreads(workers) { i in
            var failed: [String] = []
            for j in 0..<perWorker {
                do {
                    let result = try runner.run(["set", "SHARED"], stdin: Array("w-\(i)-\(j)".utf8))
                    if result.status != 0 || result.signaled { failed.append("\(result)") }
                } catch {
                    failed.append("\(error)")
                }
            }
            return failed
        }
        let allFailures = failures.flatMap { $0 }
        #expect(allFailures.isEmpty, "\(allFailures.count) sets failed; first: \(allFailures.first ?? "")")
        let final = try box.ok(["get", "SHARED", "-i", alice.path]).stdoutText
        // Each worker writes sequentially, so the survivor is some worker's LAST write.
        let lastWrites = Set((0..<workers).map { "w-\($0)-\(perWorker - 1)" })
        #expect(lastWrites.contains(final), "final value \(final) is not the last write of any worker")
        let items = try box.keysJSON()
        #expect(items.count == 1)
        #expect(items.first?["id"] as? String == firstID, "concurrent updates keep the id")
        try box.ok(["verify", "-i", alice.path])
    }
}
