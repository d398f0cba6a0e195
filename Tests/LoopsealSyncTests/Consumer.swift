import Foundation
import LoopsealSync
import LoopsealSystem
import Testing

/// Runs the real consumers of each format (python-dotenv, bash, python json, PyYAML).
enum Consumer {
    /// Exit status and output of a finished process.
    struct Result {
        var status: Int32
        var stdout: [UInt8]
        var stderr: String
    }

    /// A fresh path in the temporary directory (the file is not created).
    static func temporaryPath(_ suffix: String) -> URL {
        FileManager.default.temporaryDirectory
            .appendingPathComponent("loopseal-formats-\(UUID().uuidString)\(suffix)")
    }

    /// Writes `contents` as UTF-8 to a new temporary file.
    static func write(_ contents: String, suffix: String) throws -> URL {
        let url = temporaryPath(suffix)
        try Data(contents.utf8).write(to: url)
        return url
    }

    /// Runs `executable` to completion, capturing stdout and stderr.
    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil
    ) throws -> Result {
        let outcome = try ChildProcess.run([executable] + arguments, environment: environment)
        return Result(status: outcome.status, stdout: outcome.stdout, stderr: outcome.errorText)
    }

    /// Runs a python3 `script` (which receives `file` as `sys.argv[1]`) that prints one
    /// `KEY HEX` line per variable, HEX being the UTF-8 bytes of its value, in file order.
    static func python(_ script: String, file: URL) throws -> [(key: String, value: [UInt8])] {
        let result = try run("/usr/bin/env", ["python3", "-c", script, file.path])
        #expect(result.status == 0, "python3 failed: \(result.stderr)")
        #expect(result.stderr.isEmpty, "python3 stderr: \(result.stderr)")
        var pairs: [(key: String, value: [UInt8])] = []
        for line in String(decoding: result.stdout, as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: false)
            #expect(fields.count == 2, "unexpected python output line: \(line)")
            guard fields.count == 2 else { continue }
            let bytes = hexBytes(fields[1])
            #expect(bytes != nil, "value of \(fields[0]) is not a decodable string")
            pairs.append((String(fields[0]), bytes ?? []))
        }
        return pairs
    }

    /// Python snippet printing a mapping `d` of str to str as `KEY HEX` lines.
    static let printMapping = """
        for k, v in d.items():
            ok = isinstance(k, str) and isinstance(v, str)
            print(k, v.encode("utf-8", "surrogatepass").hex() if ok else "not-a-string")
        """

    /// Decodes lower- or upper-case hex; nil for anything else.
    static func hexBytes(_ hex: Substring) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let byte = UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16)
            else { return nil }
            bytes.append(byte)
            index += 2
        }
        return bytes
    }

    /// Checks that `actual` holds exactly the keys of `expected`, in order, with identical bytes.
    static func expectExact(
        _ actual: [(key: String, value: [UInt8])], _ expected: [EnvEntry],
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(
            actual.map(\.key) == expected.map(\.key), "keys differ", sourceLocation: sourceLocation)
        let byKey = Dictionary(actual.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
        for entry in expected {
            let got = byKey[entry.key]
            #expect(
                got == entry.value,
                "\(entry.key): expected \(String(reflecting: String(decoding: entry.value, as: UTF8.self))), got \(got.map { String(reflecting: String(decoding: $0, as: UTF8.self)) } ?? "nothing")",
                sourceLocation: sourceLocation)
        }
    }
}
