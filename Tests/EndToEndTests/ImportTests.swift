import Foundation
import LoopsealSystem
import Testing

/// `loopseal import` in a real git repository: every value of a twenty-entry `.env` equals what
/// python-dotenv's `dotenv_values(path, interpolate=False)` reads, importing it again changes
/// nothing, `--dry-run` writes nothing, a bad line refuses the whole file, and no output holds
/// a value (every value carries the marker `qzxv`).
@Suite("import", .serialized)
struct ImportTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("testdata/fixtures/good_import_twenty_entries.env").path
    static let marker = "qzxv"

    static let pythonDotenv: Bool = {
        guard let outcome = try? ChildProcess.run(["python3", "-c", "import dotenv"]) else { return false }
        return outcome.status == 0 && !outcome.signaled
    }()

    /// A sandbox with alice's workspace committed in a fresh git repository, alice's identity in
    /// the environment.
    private func repository() throws -> (Sandbox, [String: String?]) {
        let sandbox = try Sandbox("import")
        let alice = try sandbox.keygen("alice")
        try sandbox.initWorkspace("dev", [alice])
        try writeBytes(Array("*.env\n".utf8), to: "\(sandbox.root)/.gitignore")
        try git(sandbox, "init", "-q")
        try git(sandbox, "add", "-A")
        try git(sandbox, "commit", "-q", "-m", "workspace")
        return (sandbox, ["LOOPSEAL_IDENTITY_FILE": alice.path])
    }

    @discardableResult
    private func git(_ sandbox: Sandbox, _ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> RunResult {
        let identity = ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"]
        let result = try sandbox.runner.runTool("/usr/bin/env", ["git", "-C", sandbox.root] + identity + arguments)
        try #require(result.status == 0, "\(result)", sourceLocation: sourceLocation)
        return result
    }

    private func status(_ sandbox: Sandbox) throws -> String {
        try git(sandbox, "status", "--porcelain", "--untracked-files=all").stdoutText
    }

    /// python-dotenv's reading of `path`: `(key, value)` in file order.
    private func pythonValues(_ sandbox: Sandbox, _ path: String) throws -> [(key: String, value: String)] {
        let script = "from dotenv import dotenv_values; import json,sys; print(json.dumps(list(dotenv_values(sys.argv[1], interpolate=False).items())))"
        let result = try sandbox.runner.runTool("/usr/bin/env", ["python3", "-c", script, path])
        try #require(result.status == 0, "\(result)")
        let pairs = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [[Any]])
        return try pairs.map { pair in
            (key: try #require(pair.first as? String), value: try #require(pair.last as? String, "python-dotenv gave \(pair.first ?? "?") no value"))
        }
    }

    private func expectNoValue(_ result: RunResult, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!result.stdoutText.contains(Self.marker), "a value on stdout: \(result)", sourceLocation: sourceLocation)
        #expect(!result.stderr.contains(Self.marker), "a value on stderr: \(result)", sourceLocation: sourceLocation)
    }

    @Test("every value equals python-dotenv's, a second import is all unchanged and git status stays clean",
          .enabled(if: pythonDotenv, "python-dotenv is not installed (python3 -m pip install python-dotenv, or scripts/install-deps.sh --test)"))
    func valuesMatchPythonDotenvAndReimportIsClean() throws {
        let (sandbox, env) = try repository()
        let source = "\(sandbox.root)/secrets.env"
        try writeBytes(try readBytes(Self.fixture), to: source)
        let expected = try pythonValues(sandbox, source)
        try #require(expected.count == 20)

        let imported = try sandbox.run(["import", "secrets.env"], env: env)
        #expect(imported.status == 0, "\(imported)")
        #expect(imported.stdoutText == expected.map { "added \($0.key)\n" }.joined())
        expectNoValue(imported)
        for (key, value) in expected {
            let get = try sandbox.run(["get", key], env: env)
            #expect(get.status == 0, "\(get)")
            #expect(get.stdout == Array(value.utf8), "\(key) differs from python-dotenv's value")
        }

        try git(sandbox, "add", "-A")
        try git(sandbox, "commit", "-q", "-m", "imported")
        let again = try sandbox.run(["import", "secrets.env"], env: env)
        #expect(again.status == 0, "\(again)")
        #expect(again.stdoutText == expected.map { "unchanged \($0.key)\n" }.joined())
        #expect(try status(sandbox) == "")
        expectNoValue(again)
    }

    @Test("--dry-run writes nothing; without --overwrite a changed value is refused and nothing is written")
    func dryRunAndRefusalWriteNothing() throws {
        let (sandbox, env) = try repository()
        try writeBytes(Array("A=one-qzxv\nB=two-qzxv\n".utf8), to: "\(sandbox.root)/first.env")
        try sandbox.ok(["import", "first.env"], env: env)
        try git(sandbox, "add", "-A")
        try git(sandbox, "commit", "-q", "-m", "first")

        try writeBytes(Array("A=one-qzxv\nB=changed-qzxv\nC=new-qzxv\n".utf8), to: "\(sandbox.root)/first.env")
        let dry = try sandbox.run(["import", "first.env", "--overwrite", "--dry-run"], env: env)
        #expect(dry.status == 0, "\(dry)")
        #expect(dry.stdoutText == "unchanged A\nchanged B\nadded C\n")
        #expect(dry.stderr.contains("dry run: nothing was written"))
        #expect(try status(sandbox) == "")

        let refused = try sandbox.run(["import", "first.env"], env: env)
        #expect(refused.status == 1, "\(refused)")
        #expect(refused.stdoutText == "unchanged A\nrefused B (exists with another value: --overwrite replaces it)\nadded C\n")
        #expect(refused.stderr.contains("nothing was written"))
        #expect(try status(sandbox) == "")
        for result in [dry, refused] { expectNoValue(result) }

        let overwritten = try sandbox.run(["import", "first.env", "--overwrite"], env: env)
        #expect(overwritten.stdoutText == "unchanged A\nchanged B\nadded C\n")
        #expect(try status(sandbox).split(separator: "\n").sorted() == [" M workspaces/dev/secrets/B.sealed", "?? workspaces/dev/secrets/C.sealed"])
    }

    @Test("a bad line refuses the whole file, naming the line, and a file git tracks is called exposed")
    func badLineRefusesTheFileAndTrackedFilesAreExposed() throws {
        let (sandbox, env) = try repository()
        try writeBytes(Array("GOOD=fine-qzxv\nALSO_GOOD='x-qzxv'\n-----BEGIN qzxv-----\nLAST=1\n".utf8), to: "\(sandbox.root)/bad.env")
        let bad = try sandbox.run(["import", "bad.env"], env: env)
        #expect(bad.status == 1, "\(bad)")
        #expect(bad.stderr.contains("bad.env:3:12: "), "\(bad)")
        #expect(bad.stdoutText.isEmpty)
        expectNoValue(bad)
        #expect(try status(sandbox) == "")

        try writeBytes(Array("TRACKED=tracked-qzxv\n".utf8), to: "\(sandbox.root)/tracked.env")
        try git(sandbox, "add", "-f", "tracked.env")
        let tracked = try sandbox.run(["import", "tracked.env"], env: env)
        #expect(tracked.status == 0, "\(tracked)")
        #expect(tracked.stderr.contains("git tracks tracked.env: its values are in the repository's history"))
        #expect(tracked.stderr.contains("rotate them"))
        expectNoValue(tracked)
        let untracked = try sandbox.run(["import", "-"], stdin: Array("PIPED=piped-qzxv\n".utf8), env: env)
        #expect(untracked.stdoutText == "added PIPED\n")
        #expect(!untracked.stderr.contains("git tracks"))
    }
}
