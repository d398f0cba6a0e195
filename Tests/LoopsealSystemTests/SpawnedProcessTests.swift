import Foundation
import LoopsealSystem
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("spawned process")
struct SpawnedProcessTests {
    /// Foundation's `Process.run()` in Swift 6.3 lists /proc/self/fd by copying each entry's
    /// whole 256-byte name, reading past glibc's buffer: with many descriptors open it crashed
    /// the test runner (SIGSEGV in memmove) about one CI run in three.
    @Test("4 threads × 50 launches with 3,000 descriptors open: every child runs and gets none of them")
    func manyDescriptorsOpen() throws {
        var held: [Int32] = []
        defer { held.forEach { close($0) } }
        for _ in 0..<3_000 {
            let fd = open("/dev/null", O_RDONLY)  // inheritable on purpose: the child must not get it
            try #require(fd >= 0)
            held.append(fd)
        }
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for _ in 0..<50 {
                do {
                    let outcome = try ChildProcess.run(["/bin/ls", "/proc/self/fd"])
                    let listed = String(decoding: outcome.stdout, as: UTF8.self).split(separator: "\n")
                    // 0, 1, 2 and the descriptor ls itself opened on the folder.
                    if outcome.status != 0 || listed.count > 4 { failures.add("\(outcome.status): \(listed.count) descriptors") }
                } catch {
                    failures.add("\(error)")
                }
            }
        }
        #expect(failures.all.isEmpty, "\(failures.all.prefix(5))")
    }

    @Test("the child starts with an empty signal mask, default actions and its own process group")
    func signalsAndGroup() throws {
        var blocked = sigset_t(), saved = sigset_t()
        sigfillset(&blocked)
        pthread_sigmask(SIG_SETMASK, &blocked, &saved)
        defer { pthread_sigmask(SIG_SETMASK, &saved, nil) }
        let previous = signal(SIGTERM, SIG_IGN)
        defer { signal(SIGTERM, previous) }
        let outcome = try ChildProcess.run(["/bin/sh", "-c", "grep -E '^Sig(Blk|Ign)' /proc/self/status; cut -d' ' -f5 /proc/$$/stat"])
        let lines = String(decoding: outcome.stdout, as: UTF8.self).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines.first { $0.hasPrefix("SigBlk") } == "SigBlk:\t0000000000000000")
        // sh itself ignores nothing it was not told to; SIGTERM (bit 15) must not arrive ignored.
        let ignored = lines.first { $0.hasPrefix("SigIgn") }.flatMap { UInt64($0.split(separator: "\t").last ?? "", radix: 16) }
        #expect(ignored.map { $0 & (1 << 14) == 0 } == true, "\(lines)")
        #expect(lines.last.flatMap { Int32($0) } != getpgrp())
    }

    @Test("pipes both ways, poll while running, a signal, and a second wait answers the same")
    func lifecycle() throws {
        let child = try SpawnedProcess(executable: "/bin/cat", arguments: [], stdin: .pipe, stdout: .pipe)
        let input = try #require(child.input), output = try #require(child.output)
        defer { close(output) }
        #expect(SpawnedProcess.writeAll(input, Array("hello".utf8)))
        close(input)
        #expect(SpawnedProcess.readToEnd(output) == Array("hello".utf8))
        #expect(child.wait() == child.wait())
        #expect(child.wait().status == 0 && !child.wait().signaled)

        let sleeper = try SpawnedProcess(executable: "/bin/sleep", arguments: ["30"])
        #expect(sleeper.poll() == nil && sleeper.isRunning)
        sleeper.send(SIGTERM)
        let ended = sleeper.wait()
        #expect(ended.signaled && ended.status == SIGTERM)
        #expect(!sleeper.isRunning)
        sleeper.send(SIGKILL)  // reaped: nothing is sent to a pid that may be reused

        #expect(throws: ChildProcess.LaunchError.self) {
            try SpawnedProcess(executable: "/nonexistent/program", arguments: [])
        }
    }
}

/// Failure messages collected from several threads.
private final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []
    var all: [String] { lock.withLock { messages } }
    func add(_ message: String) { lock.withLock { messages.append(message) } }
}
