import Foundation
import LoopsealSync

/// Loopseal's dotenv reader (`PayloadKeys.parseDotenv`, the inverse of `--format dotenv`) and
/// writer (`OutputFormat.dotenv.render`) on one file, the peer of python-dotenv's
/// `dotenv_values(path, interpolate=False)`.
///   loopseal-bench dotenv FILE.env EXPECTED.json RUNS
/// Before timing it checks that every value read equals EXPECTED.json (a JSON object of the
/// original values, `loopseal export --format json`) and that rendering them gives FILE back.
/// `read_us` is one read of the file from disk plus the parse, like `dotenv_values(path)`;
/// `render_us` renders the parsed entries back to dotenv text in memory. Both are medians of
/// RUNS timed passes (each pass is enough iterations to take about 20 ms).
enum DotenvBench {
    static func run(_ arguments: [String]) throws {
        guard arguments.count == 3, let runs = Int(arguments[2]), runs > 0 else {
            throw BenchError("usage: loopseal-bench dotenv FILE.env EXPECTED.json RUNS")
        }
        let path = arguments[0]
        let text = try String(contentsOfFile: path, encoding: .utf8)
        guard let entries = PayloadKeys.parseDotenv(text) else { throw BenchError("\(path) is not a Loopseal dotenv file") }
        let expectedData = try Data(contentsOf: URL(fileURLWithPath: arguments[1]))
        guard let expected = try JSONSerialization.jsonObject(with: expectedData) as? [String: String] else {
            throw BenchError("\(arguments[1]) is not a JSON object of strings")
        }
        guard entries.count == expected.count else { throw BenchError("read \(entries.count) entries, expected \(expected.count)") }
        for entry in entries where expected[entry.key].map({ Array($0.utf8) }) != entry.value {
            throw BenchError("\(entry.key) read back differently")
        }
        guard try OutputFormat.dotenv.render(entries) == text else { throw BenchError("rendering the entries does not give the file back") }

        func read() throws -> Int {
            let bytes = try String(contentsOfFile: path, encoding: .utf8)
            return PayloadKeys.parseDotenv(bytes)?.count ?? -1
        }
        var sink = 0
        let readTimes = try timed(runs) { sink &+= try read() }
        let renderTimes = try timed(runs) { sink &+= try OutputFormat.dotenv.render(entries).utf8.count }
        print(#"{"entries": \#(entries.count), "bytes": \#(text.utf8.count), "read_us": \#(readTimes * 1e6), "render_us": \#(renderTimes * 1e6), "sink": \#(sink & 1)}"#)
    }

    /// Median over `runs` passes of the mean time of `body`, each pass about 20 ms long.
    static func timed(_ runs: Int, _ body: () throws -> Void) throws -> Double {
        for _ in 0..<3 { try body() }
        let once = max(try seconds(body), 1e-7)
        let iterations = max(1, Int(0.02 / once))
        var passes: [Double] = []
        for _ in 0..<runs {
            passes.append(try seconds { for _ in 0..<iterations { try body() } } / Double(iterations))
        }
        passes.sort()
        return passes[passes.count / 2]
    }
}
