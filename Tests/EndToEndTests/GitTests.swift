import Foundation
import Testing

/// `loopseal git install` in real temporary git repositories, checked with real `git commit`,
/// `git diff` and `git log -p`.
@Suite("git integration")
struct GitTests {
    /// A sandbox that is also a git repository with workspace `prod` (alice, bob), the
    /// integration installed and everything committed once.
    final class Repo {
        let box: Sandbox
        let alice: Sandbox.Key
        let bob: Sandbox.Key

        init(_ label: String, install: Bool = true) throws {
            box = try Sandbox(label)
            alice = try box.keygen("alice")
            bob = try box.keygen("bob")
            try box.initWorkspace("prod", [alice, bob])
            try git(["init", "-q"])
            try git(["config", "user.name", "Test"])
            try git(["config", "user.email", "test@example.com"])
            try git(["config", "commit.gpgsign", "false"])
            try write(".gitignore", "keys/\n")
            if install { try box.ok(["git", "install"]) }
            try git(["add", "-A"])
            try git(["commit", "-q", "-m", "initial"])
        }

        deinit { box.remove() }

        /// Runs git in the repository and requires success.
        @discardableResult
        func git(_ args: [String], env: [String: String?] = [:], sourceLocation: SourceLocation = #_sourceLocation) throws -> RunResult {
            let result = try box.runner.runTool("/usr/bin/git", args, env: env)
            try #require(result.status == 0, "\(result)", sourceLocation: sourceLocation)
            return result
        }

        /// Runs git in the repository, whatever its status.
        func tryGit(_ args: [String], env: [String: String?] = [:]) throws -> RunResult {
            try box.runner.runTool("/usr/bin/git", args, env: env)
        }

        func write(_ path: String, _ text: String) throws {
            let full = "\(box.root)/\(path)"
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try writeBytes(Array(text.utf8), to: full)
        }

        func read(_ path: String) throws -> String {
            try String(contentsOfFile: "\(box.root)/\(path)", encoding: .utf8)
        }

        var head: String { get throws { try git(["rev-parse", "HEAD"]).stdoutText } }

        /// `git commit` expected to be refused: returns git's stderr after checking that nothing
        /// was committed and the refusal says how to bypass it.
        func refusedCommit(sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
            let before = try head
            let result = try tryGit(["commit", "-q", "-m", "should be refused"])
            #expect(result.status != 0, "\(result)", sourceLocation: sourceLocation)
            #expect(result.stderr.contains("git commit --no-verify"), "\(result)", sourceLocation: sourceLocation)
            #expect(try head == before, sourceLocation: sourceLocation)
            return result.stderr
        }

        func identityEnv(_ key: Sandbox.Key) -> [String: String?] { ["LOOPSEAL_IDENTITY_FILE": key.path] }
    }

    /// Fixed random-looking strings (mixed case, digits; 4.85 bits per character), split so that
    /// secret scanners reading this source do not take them for real tokens.
    private static let token40 = "kVRueN7KqKb24dvn" + "3DunQFiWNn7lUxl+q5TYa9/R"  // loopseal:allow (test fixture)
    private static let token48 = "cPwN46F7ls7CaIs+h64H" + "usH6sidNORfLFrImTrKIgxXwlc0q"  // loopseal:allow (test fixture)
    private static let githubToken = "gh" + "p_" + "gzgCT8WTgjIwTyLgwVI3gu8SZ0VLtF6lRJ52"  // loopseal:allow (test fixture)

    // MARK: Refusals

    @Test("a plaintext .env file is refused, naming the file; nothing is committed")
    func refusesEnvFile() throws {
        let repo = try Repo("git-env")
        try repo.write("deploy/.env", "DB_PASSWORD=canary-env-1\n")
        try repo.git(["add", "deploy/.env"])
        let stderr = try repo.refusedCommit()
        #expect(stderr.contains("deploy/.env: plaintext .env file"))
        #expect(!stderr.contains("canary-env-1"))
    }

    @Test("a file that is mostly KEY=value is refused; a template with empty values commits")
    func refusesEnvLikeContent() throws {
        let repo = try Repo("git-envlike")
        try repo.write("config/settings.txt", "# staging\nDB_PASSWORD=canary-env-2\nAPI_USER=deploy\n")
        try repo.git(["add", "config/settings.txt"])
        let stderr = try repo.refusedCommit()
        #expect(stderr.contains("config/settings.txt: looks like a plaintext .env file (2 of 2 lines are KEY=value)"))
        #expect(!stderr.contains("canary-env-2"))
        try repo.git(["rm", "-q", "--cached", "config/settings.txt"])

        try repo.write(".env.example", "DB_PASSWORD=\nAPI_KEY=<your api key>\nPORT=8080\n")
        try repo.git(["add", ".env.example"])
        try repo.git(["commit", "-q", "-m", "template"])
        try repo.write(".env.example", "DB_PASSWORD=canary-env-3\nAPI_KEY=<your api key>\nPORT=8080\n")
        try repo.git(["add", ".env.example"])
        let template = try repo.refusedCommit()
        #expect(template.contains(".env.example:1: DB_PASSWORD has a real-looking value in a template"))
    }

    @Test("a token-like string on an added line is refused with file and line; loopseal:allow lets it through")
    func refusesTokens() throws {
        let repo = try Repo("git-token")
        let github = Self.githubToken
        let random = Self.token40
        try repo.write("src/app.py", "import os\n\nGITHUB = \"\(github)\"\n")
        try repo.write("docs/notes.md", "# Notes\n\nthe key is \(random)\n")
        try repo.git(["add", "src/app.py", "docs/notes.md"])
        let stderr = try repo.refusedCommit()
        #expect(stderr.contains("src/app.py:3:11: a GitHub token (ghp_…) looks like a secret"))
        #expect(stderr.contains("docs/notes.md:3:12: a 40-character random-looking string"))
        #expect(!stderr.contains(github) && !stderr.contains(random))

        try repo.write("src/app.py", "import os\n\nGITHUB = \"\(github)\"  # loopseal:allow (revoked test token)\n")
        try repo.write("docs/notes.md", "# Notes\n\nthe key is <redacted>\n")
        try repo.git(["add", "src/app.py", "docs/notes.md"])
        try repo.git(["commit", "-q", "-m", "allowed"])
    }

    @Test("the hook checks the staged content, not the working tree")
    func checksTheIndex() throws {
        let repo = try Repo("git-index")
        let token = Self.token48
        try repo.write("notes.txt", "harmless\n")
        try repo.git(["add", "notes.txt"])
        try repo.write("notes.txt", "harmless\n\(token)\n")
        try repo.git(["commit", "-q", "-m", "staged version is clean"])

        try repo.git(["add", "notes.txt"])
        try repo.write("notes.txt", "harmless\n")
        let stderr = try repo.refusedCommit()
        #expect(stderr.contains("notes.txt:2:1: a 48-character random-looking string"))
    }

    @Test("a sealed file that does not parse is refused with file and line")
    func refusesBrokenSealedFile() throws {
        let repo = try Repo("git-broken")
        try repo.box.set("API_TOKEN", "canary-sealed-1")
        let path = "workspaces/prod/secrets/API_TOKEN.sealed"
        var text = try repo.read(path)
        text = text.replacingOccurrences(of: "key: API_TOKEN\n", with: "key: API_TOKEN\nnote: edited by hand\n")
        try repo.write(path, text)
        try repo.git(["add", path])
        let stderr = try repo.refusedCommit()
        #expect(stderr.contains("\(path):5:1: sealed file does not parse: unknown field 'note'"), "\(stderr)")
    }

    @Test("a sealed file whose recipients differ from the staged workspace.yaml is refused, naming the keys")
    func refusesWrongRecipients() throws {
        let repo = try Repo("git-recipients")
        try repo.box.set("API_TOKEN", "canary-sealed-2")
        try repo.git(["add", "-A"])
        try repo.git(["commit", "-q", "-m", "API_TOKEN"])

        let carol = try repo.box.keygen("carol")
        try repo.box.ok(["recipients", "add", "carol", carol.publicKey], env: repo.identityEnv(repo.alice))
        let path = "workspaces/prod/secrets/API_TOKEN.sealed"
        // Only the re-sealed file is staged: the staged workspace.yaml does not list carol yet.
        try repo.git(["add", path])
        let stderr = try repo.refusedCommit()
        #expect(stderr.contains("\(path): recipients differ from workspaces/prod/workspace.yaml: sealed to a key workspace.yaml does not list: \(carol.publicKey.prefix(12))…"), "\(stderr)")

        try repo.git(["add", "workspaces/prod/workspace.yaml"])
        try repo.git(["commit", "-q", "-m", "carol can read"])

        // The other way round: workspace.yaml gains dave, the sealed files are not re-sealed.
        let dave = try repo.box.keygen("dave")
        try repo.box.ok(["recipients", "add", "dave", dave.publicKey, "--no-rekey"])
        try repo.git(["add", "workspaces/prod/workspace.yaml"])
        let missing = try repo.refusedCommit()
        #expect(missing.contains("\(path): recipients differ from workspaces/prod/workspace.yaml: not sealed to dave, listed in workspace.yaml; run 'loopseal rekey'"), "\(missing)")
    }

    // MARK: Passing

    @Test("sealed changes from `loopseal set` commit without a word")
    func sealedChangesPass() throws {
        let repo = try Repo("git-pass")
        let before = try repo.head
        try repo.box.set("DATABASE_URL", "postgres://app:canary-pass@db/app")
        try repo.box.set("API_TOKEN", Self.token40)
        try repo.git(["add", "-A"])
        let result = try repo.git(["commit", "-q", "-m", "two secrets"])
        #expect(result.stderr.isEmpty, "\(result)")
        #expect(try repo.head != before)
        try repo.box.ok(["rm", "API_TOKEN"])
        try repo.box.ok(["keys"])
        try repo.git(["add", "-A"])
        try repo.git(["commit", "-q", "-m", "removed one"])
    }

    // MARK: Diff driver

    @Test("git diff and git log -p show key, names and fingerprint, never the value; --reveal shows it")
    func diffView() throws {
        let repo = try Repo("git-diff")
        let first = "canary-\(UUID().uuidString)"
        let second = "canary-\(UUID().uuidString)"
        try repo.box.set("API_TOKEN", first)
        try repo.git(["add", "-A"])
        try repo.git(["commit", "-q", "-m", "first"])
        try repo.box.set("API_TOKEN", second)

        let blind = try repo.git(["diff", "-U20"]).stdoutText
        #expect(blind.contains(" key: API_TOKEN"))
        #expect(blind.contains(" workspace: prod"))
        #expect(blind.contains("   alice\n") && blind.contains("   bob\n"))
        #expect(blind.contains("-fingerprint: ciphertext ") && blind.contains("+fingerprint: ciphertext "))
        #expect(!blind.contains(first) && !blind.contains(second))

        let keyed = try repo.git(["diff"], env: repo.identityEnv(repo.alice)).stdoutText
        #expect(keyed.contains("keyed BLAKE2b of the value"))
        #expect(!keyed.contains(first) && !keyed.contains(second))

        try repo.git(["add", "-A"])
        try repo.git(["commit", "-q", "-m", "second"])
        let log = try repo.git(["log", "-p"], env: repo.identityEnv(repo.bob)).stdoutText
        #expect(log.contains("+key: API_TOKEN"))
        #expect(log.contains("+has value: yes"))
        #expect(!log.contains(first) && !log.contains(second))
        #expect(!log.contains("value: \""))

        // Sealing the same value again: with an identity the view is unchanged.
        try repo.box.set("API_TOKEN", second)
        #expect(try repo.git(["diff", "--stat"]).stdoutText.contains("API_TOKEN.sealed"))
        let same = try repo.git(["diff"], env: repo.identityEnv(repo.alice)).stdoutText
        #expect(!same.contains("\n-fingerprint") && !same.contains("\n+fingerprint"), "\(same)")
        try repo.git(["checkout", "--", "."])

        try repo.box.ok(["git", "install", "--reveal"])
        let revealed = try repo.git(["log", "-p", "-1"], env: repo.identityEnv(repo.alice)).stdoutText
        #expect(revealed.contains("+value: \"\(second)\""))
        #expect(revealed.contains("-value: \"\(first)\""))
        try repo.box.ok(["git", "install"])
        #expect(!(try repo.git(["log", "-p"], env: repo.identityEnv(repo.alice)).stdoutText.contains(first)))
    }

    @Test("a sealed file that does not parse shows as a one-line error in git diff")
    func diffOfBrokenFile() throws {
        let repo = try Repo("git-diff-broken")
        try repo.box.set("API_TOKEN", "v1")
        try repo.git(["add", "-A"])
        try repo.git(["commit", "-q", "-m", "API_TOKEN"])
        let path = "workspaces/prod/secrets/API_TOKEN.sealed"
        try repo.write(path, "loopseal: 1\nid: nonsense\n")
        let result = try repo.git(["diff", "--", path])
        #expect(result.stdoutText.contains("+loopseal: this sealed file does not parse: line 2, column 5: 'id' must be a UUID"), "\(result)")
    }

    // MARK: Install

    @Test("install is idempotent, keeps other .gitattributes lines and respects core.hooksPath")
    func installIdempotent() throws {
        let repo = try Repo("git-install", install: false)
        try repo.write(".gitattributes", "*.png binary")
        try repo.git(["config", "core.hooksPath", ".githooks"])
        let first = try repo.box.ok(["git", "install"])
        #expect(first.stderr.contains(".githooks/pre-commit"))
        let hook = try repo.read(".githooks/pre-commit")
        let attributes = try repo.read(".gitattributes")
        let config = try repo.git(["config", "--get", "diff.loopseal.textconv"]).stdoutText
        let second = try repo.box.ok(["git", "install"])
        #expect(second.stderr.contains("already"))
        #expect(try repo.read(".githooks/pre-commit") == hook)
        #expect(try repo.read(".gitattributes") == attributes)
        #expect(attributes == "*.png binary\n*.sealed diff=loopseal\n")
        #expect(try repo.git(["config", "--get-all", "diff.loopseal.textconv"]).stdoutText == config)
        #expect(config.hasPrefix("/") && config.hasSuffix(" git textconv\n"))
        #expect(try repo.git(["config", "--get", "diff.loopseal.cachetextconv"]).stdoutText == "false\n")
        #expect(!FileManager.default.fileExists(atPath: "\(repo.box.root)/.git/hooks/pre-commit"))
        #expect(FileManager.default.isExecutableFile(atPath: "\(repo.box.root)/.githooks/pre-commit"))

        // The hook runs from core.hooksPath.
        try repo.write(".env", "A=1\n")
        try repo.git(["add", ".env"])
        #expect(try repo.refusedCommit().contains(".env: plaintext .env file"))
        try repo.git(["rm", "-q", "--cached", ".env"])

        let removed = try repo.box.ok(["git", "uninstall"])
        #expect(removed.stderr.contains("removed"))
        #expect(!FileManager.default.fileExists(atPath: "\(repo.box.root)/.githooks/pre-commit"))
        #expect(try repo.read(".gitattributes") == "*.png binary\n")
        #expect(try repo.tryGit(["config", "--get", "diff.loopseal.textconv"]).status != 0)
    }

    @Test("a foreign pre-commit hook is not overwritten without --force, and is kept with it")
    func foreignHook() throws {
        let repo = try Repo("git-foreign", install: false)
        let hookPath = "\(repo.box.root)/.git/hooks/pre-commit"
        let foreign = "#!/bin/sh\necho my own checks\n"
        try repo.write(".git/hooks/pre-commit", foreign)
        let refused = try repo.box.run(["git", "install"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("loopseal did not write") && refused.stderr.contains("--force"), "\(refused)")
        #expect(try repo.read(".git/hooks/pre-commit") == foreign)

        let diffOnly = try repo.box.ok(["git", "install", "--diff-only"])
        #expect(!diffOnly.stderr.contains("pre-commit"))
        #expect(try repo.read(".git/hooks/pre-commit") == foreign)

        let forced = try repo.box.ok(["git", "install", "--force"])
        #expect(forced.stderr.contains("pre-commit.before-loopseal"))
        #expect(try repo.read(".git/hooks/pre-commit.before-loopseal") == foreign)
        #expect(try repo.read(".git/hooks/pre-commit").contains("git pre-commit"))
        #expect(FileManager.default.isExecutableFile(atPath: hookPath))

        try repo.box.ok(["git", "uninstall"])
        #expect(try repo.read(".git/hooks/pre-commit") == foreign)
    }

    @Test("install outside a git repository says so")
    func notARepository() throws {
        let box = try Sandbox("git-none")
        defer { box.remove() }
        let result = try box.run(["git", "install"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("not inside a git work tree"), "\(result)")
    }
}
