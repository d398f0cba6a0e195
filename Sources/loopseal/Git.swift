import ArgumentParser
import Foundation
import LoopsealCrypto
import LoopsealGit
import LoopsealStore

struct GitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "git",
        abstract: "Git integration: diff and merge drivers for sealed files, and hooks that refuse plaintext secrets.",
        subcommands: [GitInstall.self, GitUninstall.self, GitTextconv.self, GitPreCommit.self, GitMerge.self])
}

/// The absolute path of the running binary, so hooks and diff drivers work without PATH.
private func currentExecutable() -> String {
    var buffer = [CChar](repeating: 0, count: 4096)
    let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    if count > 0 { return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) }
    let argument = CommandLine.arguments.first ?? "loopseal"
    return URL(fileURLWithPath: argument).standardizedFileURL.path
}

struct GitInstall: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Set up the diff and merge drivers and the pre-commit hooks in the current repository.",
        discussion: """
            Adds '*.sealed diff=loopseal merge=loopseal' to .gitattributes, sets git config \
            diff.loopseal.textconv to this binary's 'git textconv' and merge.loopseal.driver to its 'git merge', \
            and installs pre-commit and pre-merge-commit hooks (in core.hooksPath when set) that run \
            'git pre-commit', so merge commits are checked too. Running it again changes nothing.
            """)
    @Flag(help: "Make diffs show secret values (needs an identity). For your own machine only: anyone reading your terminal or a pasted diff sees them.")
    var reveal = false
    @Flag(help: "Install only the pre-commit and pre-merge-commit hooks.") var hookOnly = false
    @Flag(help: "Install only the diff and merge drivers.") var diffOnly = false
    @Flag(help: "Replace a pre-commit or pre-merge-commit hook that loopseal did not write (it is kept as HOOK.before-loopseal).")
    var force = false

    func validate() throws {
        guard !(hookOnly && diffOnly) else { throw ValidationError("--hook-only and --diff-only exclude each other") }
        guard !(reveal && hookOnly) else { throw ValidationError("--reveal changes the diff driver: it cannot go with --hook-only") }
    }

    func run() throws {
        let installer = GitInstaller(git: GitRunner())
        let options = GitInstaller.Options(diff: !hookOnly, hook: !diffOnly, reveal: reveal, force: force)
        for line in try installer.install(executable: currentExecutable(), options: options) { Terminal.warn(line) }
        if reveal {
            Terminal.warn("warning: 'git diff' and 'git log -p' now print secret values of sealed files in this repository; run 'loopseal git install' without --reveal to stop")
        }
    }
}

struct GitUninstall: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "uninstall",
        abstract: "Remove the diff driver and the hooks that 'git install' set up.")

    func run() throws {
        let lines = try GitInstaller(git: GitRunner()).uninstall()
        for line in lines { Terminal.warn(line) }
        if lines.isEmpty { Terminal.warn("nothing to remove") }
    }
}

struct GitTextconv: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "textconv",
        abstract: "Print the text view git diffs for a sealed file: key, recipients by name, fingerprint; never the value.",
        discussion: "git runs this as the diff driver's textconv. With an identity the fingerprint is a keyed BLAKE2b of the value; without one it is a hash of the ciphertext.")
    @Argument(help: "The sealed file (git passes a temporary copy or the working-tree path).") var file: String
    @Flag(help: "Also print the value (needs an identity; local use only).") var reveal = false
    @Option(help: "Directory holding workspaces/ (default: the nearest parent of the current directory that has one).")
    var root: String?
    @OptionGroup var identities: IdentityOptions

    func run() throws {
        try Self.run(file: file, reveal: reveal, root: root, identityFiles: identities.identity)
    }

    /// `run()` with plain values (``QuickParse`` calls it without ArgumentParser).
    static func run(file: String, reveal: Bool, root: String?, identityFiles: [String]) throws {
        let cwd = FileManager.default.currentDirectoryPath
        let path = file.hasPrefix("/") ? file : "\(cwd)/\(file)"
        let bytes = try FileIO.contents(path)
        var found: [Identity] = []
        var note: String?
        do {
            found = try IdentityLoader(files: identityFiles).load()
        } catch StoreError.noIdentity {
            note = "no identity"
        } catch {
            note = "identity not usable: \(error)"
        }
        let view = SealedTextView(root: root ?? (try? Workspace.findRoot(from: cwd)), identities: found,
                                  identityNote: note, reveal: reveal)
        Terminal.print(view.render(bytes, path: URL(fileURLWithPath: path).standardizedFileURL.path))
    }
}

struct GitPreCommit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pre-commit",
        abstract: "Check the staged changes: refuse plaintext .env files, token-like strings, broken sealed files and wrong recipients.",
        discussion: "The pre-commit and pre-merge-commit hooks run this. It reads the index, not the working tree: in a merge, every file that differs from HEAD is checked. Exit 1 with one line per problem; 'git commit --no-verify' (or 'git merge --no-verify') skips it.")

    func run() throws {
        let index = try StagedIndex.read(GitRunner())
        let problems = PreCommitCheck(workspaceFiles: index.workspaceFiles)
            .problems(staged: index.files, alsoSealed: index.sealedInChangedWorkspaces, indexSealed: index.sealedInTouchedWorkspaces)
        guard !problems.isEmpty else { return }
        for problem in problems { Terminal.warn("loopseal pre-commit: \(problem)") }
        Terminal.warn("loopseal pre-commit: commit refused (\(problems.count) problem\(problems.count == 1 ? "" : "s")). Fix and stage again; to commit anyway, deliberately: git commit --no-verify")
        throw ExitCode.failure
    }
}
