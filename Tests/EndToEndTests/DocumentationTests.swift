import Foundation
import Testing

/// Issue 11, items 15 and 16: the design lives in the repository and names every module, the
/// README points to it, and where a user picks a format they are told that dotenv is not shell.
@Suite("documentation")
struct DocumentationTests {
    static func repository(filePath: String = #filePath) -> URL {
        URL(fileURLWithPath: filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    @Test("docs/ARCHITECTURE.md exists, names every module, says sealed files are not age files; the README links it")
    func architectureIsInTheRepository() throws {
        let root = Self.repository()
        let architecture = try String(contentsOf: root.appendingPathComponent("docs/ARCHITECTURE.md"), encoding: .utf8)
        let modules = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("Sources").path)
            .filter { !$0.hasPrefix(".") && !$0.contains("Fuzz") && !$0.contains("fuzz") }
        #expect(!modules.isEmpty)
        for module in modules { #expect(architecture.contains("`\(module)`"), "ARCHITECTURE.md does not name \(module)") }
        #expect(architecture.contains("sealed files are not age files"))
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains("(docs/ARCHITECTURE.md)"))
        #expect(!readme.contains("DESIGN.md"), "the README points to a file that is not in the repository")
    }

    @Test("export and sync help say that dotenv is not shell and point to --format shell")
    func dotenvIsNotShell() throws {
        let box = try Sandbox("docs")
        defer { box.remove() }
        // Help text is wrapped to the terminal width: compare with runs of whitespace as one space.
        let flat: (String) -> String = { $0.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
        let export = flat(try box.ok(["export", "--help"]).stdoutText)
        #expect(export.contains("dotenv is not shell"), "\(export)")
        #expect(export.contains("--format shell"), "\(export)")
        let sync = flat(try box.ok(["sync", "--help"]).stdoutText)
        #expect(sync.contains("The dotenv format is not shell"), "\(sync)")
        let readme = try String(contentsOf: Self.repository().appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains("**dotenv is not shell.**"))
    }
}
