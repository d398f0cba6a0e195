import Foundation
import Testing
@testable import LoopsealWorkflows

/// Every workflow in `testdata/`: `good_*.yaml` must validate with no problem, `fail_*.yaml` must be
/// refused with exactly the problems its `# expect:` lines state, in order. An expect line is
/// `# expect: LINE:COLUMN: FRAGMENT` for the fixture itself or `# expect: FILE:LINE:COLUMN: FRAGMENT`
/// for a file it names (relative to `testdata/`); FRAGMENT must occur in the message. Positions
/// count the comment lines, as an editor does.
@Suite("Workflow validation fixtures")
struct ValidationFixtureTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("testdata")

    /// Every fixture's file name, sorted.
    static let names: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
        .filter { $0.hasSuffix(".yaml") }
        .sorted()

    @Test("every fixture is named good_* or fail_*, and there are both")
    func fixturesAreNamedByOutcome() {
        #expect(Self.names.contains { $0.hasPrefix("good_") }, "no good_*.yaml in \(Self.folder.path)")
        #expect(Self.names.contains { $0.hasPrefix("fail_") }, "no fail_*.yaml in \(Self.folder.path)")
        for name in Self.names {
            #expect(name.hasPrefix("good_") || name.hasPrefix("fail_"), "\(name): name a fixture good_<behaviour> or fail_<behaviour>")
        }
    }

    @Test("fixture", arguments: names)
    func fixture(_ name: String) throws {
        let path = Self.folder.appendingPathComponent(name).path
        let expected = try Self.expectations(in: try String(contentsOfFile: path, encoding: .utf8), file: name)
        let found = problems(at: path)
        if name.hasPrefix("good_") {
            #expect(expected.isEmpty, "\(name): a good_ fixture states no problem")
            #expect(found.isEmpty, "\(name): \(found.map(\.description))")
        } else {
            try #require(!expected.isEmpty, "\(name): a fail_ fixture states its problems in '# expect:' lines")
            let resolved = expected.map { want -> ExpectedProblem in
                var want = want
                if let file = want.file { want.file = Self.folder.appendingPathComponent(file).path }
                return want
            }
            expectProblems(found, resolved, defaultFile: path)
        }
    }

    /// The `# expect:` lines of `text`.
    static func expectations(in text: String, file: String) throws -> [ExpectedProblem] {
        let pattern = try Regex(#"^# expect: (?:([^:\s]+):)?([0-9]+):([0-9]+): (.+)$"#, as: (Substring, Substring?, Substring, Substring, Substring).self)
        var expected: [ExpectedProblem] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) where line.hasPrefix("# expect:") {
            let match = try #require(line.wholeMatch(of: pattern), "\(file): '\(line)' is not '# expect: [FILE:]LINE:COLUMN: TEXT'")
            let lineNumber = try #require(Int(match.2)), column = try #require(Int(match.3))
            expected.append(ExpectedProblem(lineNumber, column, String(match.4), file: match.1.map(String.init)))
        }
        return expected
    }
}
