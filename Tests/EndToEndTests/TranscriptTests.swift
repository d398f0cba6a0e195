import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs every `testdata/*.txt` transcript against the real `loopseal` binary, each in a fresh
/// sandbox (`$WORK`, also HOME and XDG_CONFIG_HOME). The dialect is in `testdata/README.md`.
@Suite("transcripts")
struct TranscriptTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("testdata")

    /// The transcript files, sorted.
    static let names: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
        .filter { $0.hasSuffix(".txt") && !$0.hasPrefix(".") }
        .sorted()

    @Test("there are transcripts to run")
    func transcriptsExist() {
        #expect(!Self.names.isEmpty, "no *.txt in \(Self.folder.path)")
    }

    @Test("transcript", arguments: names)
    func transcript(_ name: String) throws {
        let path = Self.folder.appendingPathComponent(name).path
        try Self.run(try String(contentsOfFile: path, encoding: .utf8), path: path)
    }

    /// The runner never passes a transcript whose expectation is wrong.
    @Test("a wrong expectation fails the transcript", arguments: [
        "exec loopseal frobnicate",                            // exit 2 where 0 is required
        "! exec loopseal --version",                           // exit 0 where a failure is required
        "! exec loopseal frobnicate\nstatus 1",                // 2 is not 1
        "exec loopseal --version\nstdout '^nothing like it$'",
        "exec loopseal --version\n! stdout .",
        "exec loopseal --version\nstderr .",
        "exec loopseal --version\ncmp stdout other.txt\n-- other.txt --\nsomething else",
        "exec loopseal --version\n! cmp stdout stdout",
        "exec loopseal --version\ncmpenv stdout other.txt\n-- other.txt --\n$WORK",
        "exists nothing-here",
        "! exists file.txt\n-- file.txt --\nx",
        "grep absent file.txt\n-- file.txt --\nx",
        "exec loopseal get $UNSET_VARIABLE",
        "frobnicate",
        "stdout 'no command ran yet'",
        "exec loopseal 'unclosed",
        "? exec sh -c 'kill -TERM $$'\nstatus 1",
        "! exec sh -c 'kill -TERM $$'",                         // a signal is not a failure exit
    ])
    func wrongTranscriptsFail(_ text: String) throws {
        try withKnownIssue {
            try Self.run(text + "\n", path: "\(Self.folder.path)/inline.txt")
        }
    }

    /// A transcript that passes: signals, conditions, stdin, cmp, capture and expansion work.
    @Test("the dialect's commands do what testdata/README.md says")
    func dialect() throws {
        try Self.run("""
        [!exec:sh] skip
        ? exec sh -c 'kill -TERM $$'
        status SIGTERM
        ! exec sh -c 'exit 7'
        status 7
        stdin in.txt
        exec sh -c 'cat; printf err >&2'
        cmp stdout in.txt
        stderr '\\Aerr\\z'
        capture LINE
        env QUOTED=a.b 'SPACED=x y'
        exec printf '%s|%s|%s' $LINE ${QUOTED@R} $SPACED'$WORK'
        stdout '\\Aone two\\|a\\\\\\.b\\|x y\\$WORK\\z'
        capture SECOND '^one (t.o)\\|'
        exec printf '%s' $SECOND
        stdout '\\Atwo\\z'
        mkdir sub/dir
        cd sub
        cpenv ../in.txt dir/copy.txt
        exists dir/copy.txt ../in.txt
        symlink link -> /nonexistent
        exists link
        rm dir link
        ! exists dir link
        [linux] [darwin] frobnicate
        exec cat ../blank.txt
        stdout '\\Ax\\n\\n\\z'
        exec printf '{"b": [true, null], "a": 1}'
        jsonsort
        stdout '\\A\\{"a":1,"b":\\[true,null\\]\\}\\n\\z'
        unenv QUOTED
        skip
        frobnicate
        -- blank.txt --
        x

        -- in.txt --
        one two
        """, path: "\(Self.folder.path)/inline.txt")
    }

    /// Runs transcript `text` (as if read from `path`) in a fresh sandbox, recording the first failure.
    static func run(_ text: String, path: String) throws {
        let name = (path as NSString).lastPathComponent
        let transcript: Transcript
        do {
            transcript = try Transcript(text: text)
        } catch let error as Transcript.SyntaxError {
            Issue.record("\(name):\(error.line): \(error.message)", sourceLocation: Self.location(path, error.line))
            return
        }
        let box = try Sandbox("transcript")
        defer { box.remove() }
        var interpreter = Interpreter(box: box)
        for file in transcript.files {
            try interpreter.write(file.content, to: "\(box.root)/\(file.name)")
        }
        for line in transcript.lines {
            do {
                guard try interpreter.run(line) else { return }
            } catch let failure as Failure {
                var message = "\(name):\(line.number): \(line.text)\n  \(failure.message)"
                if let last = interpreter.last {
                    message += "\n  last command (line \(interpreter.lastLine)): \(last)"
                }
                Issue.record(Comment(rawValue: message), sourceLocation: Self.location(path, line.number))
                return
            }
        }
    }

    /// A source location in a transcript file, so failures point at the line that failed.
    static func location(_ path: String, _ line: Int) -> SourceLocation {
        SourceLocation(fileID: "EndToEndTests/\((path as NSString).lastPathComponent)", filePath: path,
                       line: max(line, 1), column: 1)
    }

    /// Why a transcript line failed.
    struct Failure: Error {
        var message: String
    }

    /// The state of one running transcript: environment, directory, the last command's result.
    struct Interpreter {
        let box: Sandbox
        var environment: [String: String]
        var cwd: String
        var stdin: [UInt8]?
        var last: RunResult?
        var lastLine = 0

        init(box: Sandbox) {
            self.box = box
            environment = box.runner.baseEnvironment()
            environment["WORK"] = box.root
            cwd = box.root
        }

        /// Runs one line; false when the transcript asks to stop (`skip`).
        mutating func run(_ line: Transcript.Line) throws -> Bool {
            for condition in line.conditions where !holds(condition) { return true }
            let words = try line.words.map(expand)
            let command = words[0]
            let args = Array(words.dropFirst())
            let negated = line.prefix == "!"
            if line.prefix == "?" && command != "exec" { throw Failure(message: "'?' only goes before exec") }
            if line.prefix == "!" && !["exec", "stdout", "stderr", "exists", "grep", "cmp"].contains(command) {
                throw Failure(message: "'!' does not go before \(command)")
            }
            switch command {
            case "exec": try exec(args, line: line)
            case "status": try status(args)
            case "stdout", "stderr": try match(command, args, negated: negated)
            case "grep": try grep(args, negated: negated)
            case "cmp", "cmpenv": try compare(args, expandSecond: command == "cmpenv", negated: negated)
            case "stdin":
                try count(args, 1, "stdin FILE")
                stdin = try contents(args[0])
            case "env":
                for pair in args {
                    guard let equals = pair.firstIndex(of: "=") else { throw Failure(message: "env wants NAME=value, not '\(pair)'") }
                    environment[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
                }
            case "unenv": for name in args { environment[name] = nil }
            case "capture":
                guard args.count == 1 || args.count == 2 else { throw Failure(message: "usage: capture NAME [PATTERN]") }
                var text = try requireLast().stdoutText
                if args.count == 2 {
                    guard let group = try firstGroup(args[1], text) else {
                        throw Failure(message: "capture: stdout has no match for '\(args[1])' with a group")
                    }
                    text = group
                } else if text.hasSuffix("\n") {
                    text.removeLast()
                }
                environment[args[0]] = text
            case "jsonsort":
                try count(args, 0, "jsonsort")
                let sorted = try Self.sortedJSON(try requireLast().stdout)
                last?.stdout = sorted
            case "cd":
                try count(args, 1, "cd DIR")
                var isDirectory: ObjCBool = false
                let target = resolve(args[0])
                guard FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory), isDirectory.boolValue else {
                    throw Failure(message: "\(target) is not a directory")
                }
                cwd = target
            case "mkdir":
                for path in args { try FileManager.default.createDirectory(atPath: resolve(path), withIntermediateDirectories: true) }
            case "rm":
                for path in args where exists(resolve(path)) { try FileManager.default.removeItem(atPath: resolve(path)) }
            case "cp", "cpenv":
                try count(args, 2, "\(command) SOURCE DESTINATION")
                var bytes = try contents(args[0])
                if command == "cpenv" { bytes = Array(try expand(String(decoding: bytes, as: UTF8.self)).utf8) }
                try write(bytes, to: resolve(args[1]))
            case "symlink":
                guard args.count == 3, args[1] == "->" else { throw Failure(message: "usage: symlink LINK -> TARGET") }
                try FileManager.default.createSymbolicLink(atPath: resolve(args[0]), withDestinationPath: args[2])
            case "exists":
                try count(args, 1..., "exists PATH…")
                for path in args where exists(resolve(path)) == negated {
                    throw Failure(message: negated ? "\(path) exists" : "\(path) does not exist")
                }
            case "skip":
                return false
            default:
                throw Failure(message: "unknown command '\(command)'")
            }
            return true
        }

        // MARK: Commands

        mutating func exec(_ args: [String], line: Transcript.Line) throws {
            try count(args, 1..., "exec PROGRAM ARGS…")
            let program = try executable(args[0])
            var overrides: [String: String?] = environment.mapValues { Optional($0) }
            for name in box.runner.baseEnvironment().keys where environment[name] == nil { overrides[name] = .some(nil) }
            let result = try box.runner.start(Array(args.dropFirst()), stdin: stdin, env: overrides, cwd: cwd,
                                              executable: program).wait(timeout: 60)
            stdin = nil
            last = result
            lastLine = line.number
            switch line.prefix {
            case "!":
                if result.signaled || result.status == 0 {
                    throw Failure(message: "expected a non-zero exit status, got \(outcome(result))")
                }
            case "?":
                break
            default:
                if result.signaled || result.status != 0 { throw Failure(message: "expected exit status 0, got \(outcome(result))") }
            }
        }

        func status(_ args: [String]) throws {
            try count(args, 1, "status N | status SIGNAME")
            let result = try requireLast()
            let signals: [String: Int32] = ["SIGHUP": SIGHUP, "SIGINT": SIGINT, "SIGKILL": SIGKILL, "SIGTERM": SIGTERM]
            if let signal = signals[args[0]] {
                guard result.signaled && result.status == signal else {
                    throw Failure(message: "expected \(args[0]), got \(outcome(result))")
                }
            } else if let code = Int32(args[0]) {
                guard !result.signaled && result.status == code else {
                    throw Failure(message: "expected exit status \(code), got \(outcome(result))")
                }
            } else {
                throw Failure(message: "status wants a number or SIGHUP, SIGINT, SIGKILL, SIGTERM")
            }
        }

        func match(_ stream: String, _ args: [String], negated: Bool) throws {
            try count(args, 1, "\(stream) PATTERN")
            let result = try requireLast()
            let text = stream == "stdout" ? result.stdoutText : result.stderr
            if try matches(args[0], text) == negated {
                throw Failure(message: negated ? "\(stream) matches '\(args[0])'" : "\(stream) does not match '\(args[0])'")
            }
        }

        func grep(_ args: [String], negated: Bool) throws {
            try count(args, 2, "grep PATTERN FILE")
            let text = String(decoding: try contents(args[1]), as: UTF8.self)
            if try matches(args[0], text) == negated {
                throw Failure(message: "\(args[1]) \(negated ? "matches" : "does not match") '\(args[0])':\n\(text.prefix(2000))")
            }
        }

        func compare(_ args: [String], expandSecond: Bool, negated: Bool = false) throws {
            try count(args, 2, "cmp FILE1 FILE2")
            let first = try contents(args[0])
            var second = try contents(args[1])
            if expandSecond { second = Array(try expand(String(decoding: second, as: UTF8.self)).utf8) }
            if negated {
                guard first != second else { throw Failure(message: "\(args[0]) and \(args[1]) are the same") }
                return
            }
            guard first == second else {
                throw Failure(message: "\(args[0]) and \(args[1]) differ\n--- \(args[0])\n\(String(decoding: first, as: UTF8.self).prefix(2000))\n"
                              + "--- \(args[1])\n\(String(decoding: second, as: UTF8.self).prefix(2000))")
            }
        }

        // MARK: Helpers

        /// Whether a `[condition]` holds: `exec:PROGRAM`, `linux`, `darwin`, each negatable with `!`.
        func holds(_ condition: String) -> Bool {
            let negated = condition.hasPrefix("!")
            let name = negated ? String(condition.dropFirst()) : condition
            let value: Bool
            if name.hasPrefix("exec:") {
                value = (try? executable(String(name.dropFirst(5)))) != nil
            } else {
                #if os(Linux)
                value = name == "linux"
                #else
                value = name == "darwin"
                #endif
            }
            return value != negated
        }

        /// `loopseal` is the binary under test; a name with a slash is a path; others are looked up in PATH.
        func executable(_ name: String) throws -> String {
            if name == "loopseal" { return box.runner.binary }
            if name.contains("/") { return resolve(name) }
            for folder in (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
                let path = "\(folder)/\(name)"
                if FileManager.default.isExecutableFile(atPath: path) { return path }
            }
            throw Failure(message: "\(name): not found in PATH")
        }

        /// A word with `$NAME`, `${NAME}` and `${NAME@R}` (quoted for a regular expression) replaced.
        func expand(_ word: Transcript.Word) throws -> String {
            try word.pieces.map { $0.expand ? try expand($0.text) : $0.text }.joined()
        }

        func expand(_ text: String) throws -> String {
            var out = ""
            var chars = Array(text)[...]
            while let c = chars.popFirst() {
                guard c == "$", let next = chars.first, next == "{" || next == "_" || next.isLetter else {
                    out.append(c)
                    continue
                }
                var name = ""
                var quote = false
                if next == "{" {
                    chars.removeFirst()
                    while let n = chars.popFirst(), n != "}" { name.append(n) }
                    if name.hasSuffix("@R") { name.removeLast(2); quote = true }
                } else {
                    while let n = chars.first, n == "_" || n.isLetter || n.isNumber { name.append(n); chars.removeFirst() }
                }
                guard let value = environment[name] else { throw Failure(message: "$\(name) is not set") }
                out += quote ? Self.regexQuoted(value) : value
            }
            return out
        }

        /// `bytes` parsed as JSON and written back on one line with object keys sorted, so patterns do
        /// not depend on key order or layout.
        static func sortedJSON(_ bytes: [UInt8]) throws -> [UInt8] {
            do {
                let value = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
                let data = try JSONSerialization.data(withJSONObject: value,
                                                      options: [.sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed])
                return Array(data) + [0x0A]
            } catch {
                throw Failure(message: "stdout is not JSON: \(error)")
            }
        }

        static func regexQuoted(_ text: String) -> String {
            String(text.flatMap { "\\^$.|?*+()[]{}".contains($0) ? ["\\", $0] : [$0] })
        }

        func matches(_ pattern: String, _ text: String) throws -> Bool {
            let regex: Regex<AnyRegexOutput>
            do {
                regex = try Regex(pattern).anchorsMatchLineEndings().matchingSemantics(.unicodeScalar)
            } catch {
                throw Failure(message: "bad pattern '\(pattern)': \(error)")
            }
            return text.contains(regex)
        }

        /// The first group of the first match of `pattern` in `text`.
        func firstGroup(_ pattern: String, _ text: String) throws -> String? {
            let regex: Regex<AnyRegexOutput>
            do {
                regex = try Regex(pattern).anchorsMatchLineEndings().matchingSemantics(.unicodeScalar)
            } catch {
                throw Failure(message: "bad pattern '\(pattern)': \(error)")
            }
            guard let match = text.firstMatch(of: regex), match.output.count > 1 else { return nil }
            return match.output[1].substring.map(String.init)
        }

        /// The bytes of `stdout`, `stderr` (the last command's) or a file.
        func contents(_ name: String) throws -> [UInt8] {
            switch name {
            case "stdout": return try requireLast().stdout
            case "stderr": return Array(try requireLast().stderr.utf8)
            default:
                do { return try readBytes(resolve(name)) } catch { throw Failure(message: "cannot read \(name): \(error)") }
            }
        }

        func write(_ bytes: [UInt8], to path: String) throws {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            try writeBytes(bytes, to: path)
        }

        func resolve(_ path: String) -> String { path.hasPrefix("/") ? path : "\(cwd)/\(path)" }

        /// True when something (even a dangling link or a FIFO) is at `path`.
        func exists(_ path: String) -> Bool {
            var info = stat()
            return lstat(path, &info) == 0
        }

        func requireLast() throws -> RunResult {
            guard let last else { throw Failure(message: "no command has run yet") }
            return last
        }

        func count(_ args: [String], _ expected: Int, _ usage: String) throws {
            try count(args, expected...expected, usage)
        }

        func count(_ args: [String], _ expected: some RangeExpression<Int>, _ usage: String) throws {
            guard expected.contains(args.count) else { throw Failure(message: "usage: \(usage)") }
        }

        func outcome(_ result: RunResult) -> String {
            result.signaled ? "signal \(result.status)" : "exit status \(result.status)"
        }
    }
}
