import Foundation
import Testing

/// python-dotenv as the oracle for `DotenvParser`: what `dotenv_values(path, interpolate=False)`
/// returns for each file, and whether its parser flagged a statement it could not parse.
enum PythonDotenv {
    /// True when `python3 -c 'import dotenv'` works (scripts/install-deps.sh --test installs it).
    static let available: Bool = {
        (try? Consumer.run("/usr/bin/env", ["python3", "-c", "import dotenv"]).status) == 0
    }()

    /// Why the oracle tests are skipped when it is missing.
    static let missing: Comment = "python-dotenv is not installed (python3 -m pip install python-dotenv, or scripts/install-deps.sh --test)"

    /// What python-dotenv made of one file.
    struct Reading {
        /// `(key, value)` in dict order; a nil value is a name without `=`.
        var pairs: [(key: String, value: String?)]
        /// True when the parser flagged a statement (python-dotenv logs a warning and skips it).
        var flagged: Bool
        /// True when the file is not UTF-8 (python raises).
        var undecodable: Bool
    }

    private static let script = """
        import json, sys
        from dotenv import dotenv_values
        from dotenv.parser import parse_stream
        out = []
        for path in sys.argv[1:]:
            try:
                with open(path, encoding="utf-8") as f:
                    flagged = any(b.error for b in parse_stream(f))
                values = dotenv_values(path, interpolate=False)
                out.append({"pairs": [[k, v] for k, v in values.items()], "flagged": flagged})
            except UnicodeDecodeError:
                out.append({"undecodable": True})
        print(json.dumps(out))
        """

    /// Reads every file in one python3 run.
    static func read(_ contents: [[UInt8]]) throws -> [Reading] {
        let files = try contents.map { bytes -> URL in
            let url = Consumer.temporaryPath(".env")
            try Data(bytes).write(to: url)
            return url
        }
        defer { for file in files { try? FileManager.default.removeItem(at: file) } }
        let result = try Consumer.run("/usr/bin/env", ["python3", "-c", script] + files.map(\.path))
        guard result.status == 0 else { throw OracleFailure(description: "python3 failed: \(result.stderr)") }
        guard let list = try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [[String: Any]] else {
            throw OracleFailure(description: "python3 printed no JSON list")
        }
        return list.map { item in
            let pairs = (item["pairs"] as? [[Any]] ?? []).map { pair in
                (key: pair.first as? String ?? "", value: pair.count > 1 ? pair[1] as? String : nil)
            }
            return Reading(pairs: pairs, flagged: item["flagged"] as? Bool ?? false,
                           undecodable: item["undecodable"] as? Bool ?? false)
        }
    }

    struct OracleFailure: Error, CustomStringConvertible {
        var description: String
    }
}
