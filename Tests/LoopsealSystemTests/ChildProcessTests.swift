import LoopsealSystem
import Testing

@Suite("child process")
struct ChildProcessTests {
    @Test("input, stdout and stderr move at the same time: a child that writes 1 MB before reading does not deadlock")
    func noDeadlock() throws {
        let input = Array(repeating: UInt8(ascii: "x"), count: 1 << 20)
        let outcome = try ChildProcess.run(["sh", "-c", "head -c 1048576 /dev/zero; cat | wc -c; echo oops >&2"], input: input)
        #expect(outcome.status == 0)
        #expect(outcome.stdout.count == (1 << 20) + String(1 << 20).utf8.count + 1)
        #expect(outcome.errorText == "oops\n")
        #expect(outcome.inputDelivered)
    }

    @Test("exit status, signal, merged output, and a program that cannot start")
    func outcomes() throws {
        #expect(try ChildProcess.run(["sh", "-c", "exit 3"]).status == 3)
        let killed = try ChildProcess.run(["sh", "-c", "kill -KILL $$"])
        #expect(killed.signaled && killed.status == 9, "\(killed.signaled) \(killed.status)")
        let merged = try ChildProcess.run(["sh", "-c", "echo out; echo err >&2"], mergeErrors: true)
        #expect(String(decoding: merged.stdout, as: UTF8.self).split(separator: "\n").sorted() == ["err", "out"])
        #expect(try ChildProcess.run(["sh", "-c", "echo hidden"], captureOutput: false).stdout.isEmpty)
        #expect(throws: ChildProcess.LaunchError.self) { try ChildProcess.run(["/nonexistent/loopseal-program"]) }
        #expect(try ChildProcess.run(["pwd"], directory: "/tmp").stdout == Array("/tmp\n".utf8))
        let early = try ChildProcess.run(["sh", "-c", "exit 0"], input: Array(repeating: 0x61, count: 1 << 20))
        #expect(early.status == 0 && !early.inputDelivered)
        #expect(try ChildProcess.run(["sh", "-c", "printf %s \"$ONLY\""], environment: ["ONLY": "set", "PATH": "/usr/bin:/bin"]).stdout == Array("set".utf8))
    }
}
