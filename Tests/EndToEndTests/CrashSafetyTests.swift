import Foundation
import Testing

/// SplitMix64: a small seeded generator so a failing round can be replayed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// SIGKILL in the middle of writes never leaves a sealed file that does not parse or open.
@Suite("crash safety")
struct CrashSafetyTests {
    @Test("rekey and set killed at random moments leave every sealed file whole")
    func killedWriters() throws {
        let box = try Sandbox("crash")
        defer { box.remove() }
        let alice = try box.keygen("alice")
        let bob = try box.keygen("bob")
        let carol = try box.keygen("carol")
        try box.initWorkspace("crash", [alice, bob])
        let secretsDir = "\(box.workspaceDir("crash"))/secrets"

        // ~200 secrets, written by 4 threads to keep the setup short.
        let count = 200
        let keyName: @Sendable (Int) -> String = { n in "SECRET_\(String(format: "%03d", n))" }
        let runner = box.runner
        let setupFailures = onThreads(4) { worker -> [String] in
            stride(from: worker, to: count, by: 4).compactMap { n in
                let result = try? runner.run(["set", keyName(n)], stdin: Array("initial-\(n)".utf8))
                return result?.status == 0 ? nil : "\(keyName(n)): \(result.map { "\($0)" } ?? "did not run")"
            }
        }.flatMap { $0 }
        try #require(setupFailures.isEmpty, "\(setupFailures.prefix(3))")
        var expected = Dictionary(uniqueKeysWithValues: (0..<count).map { (keyName($0), "initial-\($0)") })
        try #require(try box.exportJSON(["-i", alice.path]) == expected)

        let seed = UInt64.random(in: 0...UInt64.max)
        var rng = SplitMix64(state: seed)
        var carolListed = false
        var killedMidway = 0
        let rounds = 30
        let deadline = Date().addingTimeInterval(40)
        for round in 0..<rounds where Date() < deadline {
            let context = "round \(round), seed \(seed)"
            let delay = UInt32.random(in: 0...40_000, using: &rng)
            var changedKey: String?
            var newValue: String?
            let process: RunningProcess
            if round % 2 == 0 {
                // Change the recipient list without rekeying, so the rekey has work to do.
                if carolListed {
                    try box.ok(["recipients", "rm", "carol", "--no-rekey"])
                } else {
                    try box.ok(["recipients", "add", "carol", carol.publicKey, "--no-rekey"])
                }
                carolListed.toggle()
                process = try box.runner.start(["rekey", "-i", alice.path])
            } else {
                let n = Int.random(in: 0..<count, using: &rng)
                changedKey = keyName(n)
                newValue = "round-\(round)-\(n)-\(String(repeating: "x", count: Int.random(in: 0...3000, using: &rng)))"
                process = try box.runner.start(["set", keyName(n)], stdin: Array(newValue!.utf8))
            }
            // A deliberate, random wait: it picks the kill point (crash injection), it waits for nothing.
            usleep(delay)
            process.send(SIGKILL)
            let result = process.wait()
            if result.signaled {
                #expect(result.status == SIGKILL, "\(context): \(result)")
                killedMidway += 1
            } else {
                #expect(result.status == 0, "\(context): finished with an error: \(result)")
            }

            // No visible temporary file; stale hidden `.KEY.sealed.tmp-*` files are allowed.
            let entries = try FileManager.default.contentsOfDirectory(atPath: secretsDir)
            let visibleStray = entries.filter { !$0.hasPrefix(".") && !$0.hasSuffix(".sealed") }
            #expect(visibleStray.isEmpty, "\(context): \(visibleStray)")
            let hiddenOther = entries.filter { $0.hasPrefix(".") && !$0.contains(".sealed.tmp-") }
            #expect(hiddenOther.isEmpty, "\(context): unexpected hidden files \(hiddenOther)")
            #expect(entries.filter { $0.hasSuffix(".sealed") && !$0.hasPrefix(".") }.count == count, "\(context)")

            // Every sealed file parses and opens; each value is the old or the new one.
            let opened = try box.exportJSON(["-i", alice.path])
            #expect(opened.count == count, "\(context)")
            for (key, old) in expected {
                let now = opened[key]
                if key == changedKey {
                    #expect(now == old || now == newValue, "\(context): \(key) holds neither the old nor the new value")
                    if let now { expected[key] = now }
                } else {
                    #expect(now == old, "\(context): \(key) changed")
                }
            }
            if round % 5 == 4 {
                // bob is in every recipient list of this test: his view is the same.
                #expect(try box.exportJSON(["-i", bob.path]) == expected, "\(context)")
            }
        }
        // With 0-40 ms delays most rekeys (hundreds of fsyncs) are cut short.
        #expect(killedMidway > 0, "no process was ever killed before it finished: the test exercised nothing")

        // Completing the rekey repairs the recipient lists: verify is clean and every recipient reads.
        try box.ok(["rekey", "-i", alice.path])
        let verified = try box.ok(["verify", "-i", alice.path])
        #expect(verified.stdoutText.contains("all \(count) values open"), "\(verified)")
        #expect(try box.exportJSON(["-i", bob.path]) == expected)
        if carolListed {
            #expect(try box.exportJSON(["-i", carol.path]) == expected)
        } else {
            let denied = try box.run(["get", keyName(0), "-i", carol.path])
            #expect(denied.status == 1, "\(denied)")
        }
        let hidden = try FileManager.default.contentsOfDirectory(atPath: secretsDir).filter { $0.hasPrefix(".") }
        print("crash safety: \(killedMidway) of \(rounds) processes killed midway, \(hidden.count) stale temp files, seed \(seed)")
    }
}
