import Foundation
import LoopsealStore

/// Sets up (and removes) Loopseal's git integration in one repository:
/// - the diff and merge drivers: `*.sealed diff=loopseal merge=loopseal` in the top-level
///   `.gitattributes`, and in the repository's own config
///   `diff.loopseal.textconv = <loopseal> git textconv [--reveal]` with
///   `diff.loopseal.cachetextconv = false`, and `merge.loopseal.driver = <loopseal> git merge
///   %O %A %B %P` (a line from an older install, `*.sealed diff=loopseal`, is upgraded);
/// - the `pre-commit` and `pre-merge-commit` hooks, both running `<loopseal> git pre-commit`
///   (a merge commit is checked like any other), in `core.hooksPath` when set.
/// A hook Loopseal did not write is replaced only with `force` (and kept beside it).
public struct GitInstaller: Sendable {
    /// The line added to `.gitattributes`.
    public static let attributesLine = "*.sealed diff=loopseal merge=loopseal"
    /// What older versions added, replaced by ``attributesLine``.
    static let olderAttributesLines = ["*.sealed diff=loopseal"]
    /// The marker that identifies a hook written by Loopseal.
    public static let hookMarker = "# loopseal-pre-commit-hook"
    /// The hooks installed, all running `loopseal git pre-commit`: git runs `pre-merge-commit`
    /// instead of `pre-commit` for a merge that commits by itself.
    public static let hookNames = ["pre-commit", "pre-merge-commit"]
    /// What a replaced foreign hook is renamed to (a number is added when taken).
    public static let backupSuffix = ".before-loopseal"

    /// Runs git in the repository.
    public var git: GitRunner

    /// Creates an installer working through `git`.
    public init(git: GitRunner) {
        self.git = git
    }

    /// What to install.
    public struct Options: Sendable {
        /// Install the diff driver.
        public var diff = true
        /// Install the hooks (``GitInstaller/hookNames``).
        public var hook = true
        /// Make the diff driver show values.
        public var reveal = false
        /// Replace a hook Loopseal did not write.
        public var force = false

        /// Creates options (default: hooks and diff driver, no reveal, no force).
        public init(diff: Bool = true, hook: Bool = true, reveal: Bool = false, force: Bool = false) {
            self.diff = diff
            self.hook = hook
            self.reveal = reveal
            self.force = force
        }
    }

    /// The repository's top-level directory.
    public func topLevel() throws -> String {
        let output = try git.run(["rev-parse", "--show-toplevel"])
        guard output.status == 0, !output.text.isEmpty else {
            throw StoreError.io(path: git.directory, problem: "not inside a git work tree: run 'git init' first, or run this inside the repository")
        }
        return output.text
    }

    /// The hooks directory git uses (`core.hooksPath` or `.git/hooks`), absolute.
    public func hooksDirectory() throws -> String {
        let path = try git.checked(["rev-parse", "--git-path", "hooks"]).text
        let absolute = path.hasPrefix("/") ? path : "\(git.directory)/\(path)"
        return URL(fileURLWithPath: absolute).standardizedFileURL.path
    }

    /// Installs; `executable` is the absolute path of `loopseal`. Returns one line per action.
    public func install(executable: String, options: Options) throws -> [String] {
        let top = try topLevel()
        var report: [String] = []
        if options.hook { report += try installHooks(executable: executable, force: options.force) }
        if options.diff {
            report.append(try addAttributesLine(top: top))
            let command = "\(Self.shellQuoted(executable)) git textconv" + (options.reveal ? " --reveal" : "")
            let current = try git.run(["config", "--local", "--get", "diff.loopseal.textconv"]).text
            _ = try git.checked(["config", "--local", "diff.loopseal.textconv", command])
            _ = try git.checked(["config", "--local", "diff.loopseal.cachetextconv", "false"])
            report.append(current == command
                          ? "diff driver: git config diff.loopseal.textconv already set"
                          : "diff driver: git config diff.loopseal.textconv = \(command)")
            report.append(try installMergeDriver(executable: executable))
        }
        return report
    }

    /// Removes what ``install(executable:options:)`` added: the hooks (those Loopseal wrote;
    /// a kept foreign hook is put back), the `.gitattributes` line (or an older install's) and
    /// the `diff.loopseal` and `merge.loopseal` config. Returns one line per action.
    public func uninstall() throws -> [String] {
        let top = try topLevel()
        let directory = try hooksDirectory()
        var report: [String] = []
        for name in Self.hookNames {
            if let line = try uninstallHook(at: "\(directory)/\(name)", name: name) { report.append(line) }
        }
        let attributes = "\(top)/.gitattributes"
        if let bytes = try FileIO.contentsIfExists(attributes) {
            let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            let kept = lines.filter { !([Self.attributesLine] + Self.olderAttributesLines).contains(String($0.trimmingSpaces)) }
            if kept.count != lines.count {
                let text = kept.joined(separator: "\n")
                if text.trimmingSpaces.isEmpty {
                    try FileIO.remove(attributes)
                } else {
                    try FileIO.writeAtomically(Array(text.utf8), to: attributes)
                }
                report.append("diff driver: removed '\(Self.attributesLine)' from .gitattributes")
            }
        }
        if try git.run(["config", "--local", "--remove-section", "diff.loopseal"]).status == 0 {
            report.append("diff driver: removed git config diff.loopseal")
        }
        if try git.run(["config", "--local", "--remove-section", "merge.loopseal"]).status == 0 {
            report.append("merge driver: removed git config merge.loopseal")
        }
        return report
    }

    private func addAttributesLine(top: String) throws -> String {
        let path = "\(top)/.gitattributes"
        var text = try FileIO.contentsIfExists(path).map { String(decoding: $0, as: UTF8.self) } ?? ""
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.contains(where: { $0.trimmingSpaces == Self.attributesLine }) {
            return "diff driver: .gitattributes already has '\(Self.attributesLine)'"
        }
        if let older = lines.firstIndex(where: { Self.olderAttributesLines.contains(String($0.trimmingSpaces)) }) {
            lines[older] = Self.attributesLine
            try FileIO.writeAtomically(Array(lines.joined(separator: "\n").utf8), to: path)
            return "diff driver: changed .gitattributes to '\(Self.attributesLine)' (commit it so everyone gets it)"
        }
        if !text.isEmpty && !text.hasSuffix("\n") { text += "\n" }
        text += Self.attributesLine + "\n"
        try FileIO.writeAtomically(Array(text.utf8), to: path)
        return "diff driver: added '\(Self.attributesLine)' to .gitattributes (commit it so everyone gets it)"
    }

    /// Sets `merge.loopseal.name` and `.driver` (git passes the base, ours, theirs and the path).
    private func installMergeDriver(executable: String) throws -> String {
        let command = "\(Self.shellQuoted(executable)) git merge %O %A %B %P"
        let current = try git.run(["config", "--local", "--get", "merge.loopseal.driver"]).text
        _ = try git.checked(["config", "--local", "merge.loopseal.name", "loopseal sealed files"])
        _ = try git.checked(["config", "--local", "merge.loopseal.driver", command])
        return current == command
            ? "merge driver: git config merge.loopseal.driver already set"
            : "merge driver: git config merge.loopseal.driver = \(command)"
    }

    /// Installs every hook in ``hookNames``. Without `force`, a hook Loopseal did not write stops
    /// the install before any hook is written.
    private func installHooks(executable: String, force: Bool) throws -> [String] {
        let directory = try hooksDirectory()
        try FileIO.makeDirectory(directory)
        let script = Array(Self.hookScript(executable: executable).utf8)
        var foreign: Set<String> = []
        for name in Self.hookNames {
            let path = "\(directory)/\(name)"
            guard let existing = try FileIO.contentsIfExists(path),
                  !String(decoding: existing, as: UTF8.self).contains(Self.hookMarker) else { continue }
            guard force else {
                throw StoreError.io(path: path, problem: "a \(name) hook loopseal did not write is already there; not replaced. Call '\(executable) git pre-commit' from it, or pass --force to replace it (it is kept as \(name)\(Self.backupSuffix))")
            }
            foreign.insert(name)
        }
        return try Self.hookNames.map { name in
            try installHook(at: "\(directory)/\(name)", name: name, script: script, keepingForeign: foreign.contains(name))
        }
    }

    private func installHook(at path: String, name: String, script: [UInt8], keepingForeign: Bool) throws -> String {
        if try FileIO.contentsIfExists(path) == script { return "\(name) hook: \(path) already installed" }
        var note = ""
        if keepingForeign {
            var backup = path + Self.backupSuffix
            var number = 1
            while FileIO.exists(backup) {
                number += 1
                backup = path + Self.backupSuffix + ".\(number)"
            }
            guard rename(path, backup) == 0 else {
                throw StoreError.io(path: path, problem: "cannot keep the old hook as \(backup): \(String(cString: strerror(errno)))")
            }
            note = "; the old hook is kept as \(backup)"
        }
        try FileIO.writeAtomically(script, to: path, mode: 0o755)
        return "\(name) hook: installed \(path)\(note)"
    }

    /// Removes the hook at `path` when Loopseal wrote it, putting back a kept foreign hook;
    /// nil when there is none.
    private func uninstallHook(at path: String, name: String) throws -> String? {
        guard let bytes = try FileIO.contentsIfExists(path) else { return nil }
        guard String(decoding: bytes, as: UTF8.self).contains(Self.hookMarker) else {
            return "\(name) hook: \(path) was not written by loopseal; left alone"
        }
        try FileIO.remove(path)
        let backup = path + Self.backupSuffix
        guard FileIO.exists(backup) else { return "\(name) hook: removed \(path)" }
        guard rename(backup, path) == 0 else {
            throw StoreError.io(path: backup, problem: "cannot move it back to \(path): \(String(cString: strerror(errno)))")
        }
        return "\(name) hook: removed; restored the one kept in \(backup)"
    }

    /// The hook (the same for each of ``hookNames``): runs `loopseal git pre-commit` by absolute
    /// path, so PATH does not matter.
    public static func hookScript(executable: String) -> String {
        """
        #!/bin/sh
        \(hookMarker): written by `loopseal git install`; `loopseal git uninstall` removes it.
        # Refuses plaintext secrets and broken sealed files; `git commit --no-verify` skips it
        # (`git merge --no-verify` for a merge commit).
        loopseal=\(shellQuoted(executable))
        if [ ! -x "$loopseal" ]; then
            echo "loopseal pre-commit: $loopseal is missing: run 'loopseal git install' again, or commit with --no-verify" >&2
            exit 1
        fi
        exec "$loopseal" git pre-commit

        """
    }

    /// `text` as one shell word (single-quoted unless it is plainly safe).
    public static func shellQuoted(_ text: String) -> String {
        let safe = text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "/._-+:@%".contains($0)) }
        if safe && !text.isEmpty { return text }
        return "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
