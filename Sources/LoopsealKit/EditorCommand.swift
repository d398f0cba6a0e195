/// The editor a person chose, found as git finds one: `$LOOPSEAL_EDITOR`, `$VISUAL`, `$EDITOR`,
/// then `vi`. It is a shell command and may hold arguments (`code --wait`), so it runs as git
/// runs it (``arguments(file:)``).
public struct EditorCommand: Sendable, Equatable {
    /// The command text.
    public var command: String
    /// The variable it came from (nil for the `vi` fallback), for messages.
    public var variable: String?

    /// Uses `command` as given.
    public init(command: String, variable: String? = nil) {
        self.command = command
        self.variable = variable
    }

    /// The first of `$LOOPSEAL_EDITOR`, `$VISUAL` and `$EDITOR` that is set and not blank, else `vi`.
    public init(environment: [String: String]) {
        for name in ["LOOPSEAL_EDITOR", "VISUAL", "EDITOR"] {
            if let value = environment[name], value.contains(where: { !$0.isWhitespace }) {
                self.init(command: value, variable: name)
                return
            }
        }
        self.init(command: "vi")
    }

    /// The program and arguments that open `file`, as git builds them: `COMMAND FILE` when the
    /// command is one word without shell characters (so the editor itself is the child, and a
    /// signal passed on reaches it), else `/bin/sh -c 'COMMAND "$@"' COMMAND FILE`.
    /// vi, vim and nvim also get ``vimPrivacy``: they would otherwise copy deleted lines to
    /// `~/.viminfo` (or nvim's shada), and keep swap, backup and undo files, on disk.
    public func arguments(file: String) -> [String] {
        let special = Set("|&;<>()$`\\\"' \t\n*?[#~=%".unicodeScalars)
        let privacy = isVim ? Self.vimPrivacy : []
        if !command.isEmpty, !command.unicodeScalars.contains(where: special.contains) { return [command] + privacy + [file] }
        return ["/bin/sh", "-c", command + " \"$@\"", command] + privacy + [file]
    }

    /// What vi-like editors are told (as pass's redact_pass.vim does): no viminfo/shada, no swap,
    /// backup or undo file.
    static let vimPrivacy = ["-n", "-i", "NONE", "--cmd", "silent! set nobackup nowritebackup noundofile noswapfile"]

    /// True when the command's program is vi, vim or nvim (by its last path component).
    var isVim: Bool {
        let program = command.split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map(String.init) ?? ""
        return ["vi", "vim", "nvim", "vim.basic", "vim.tiny"].contains(program.split(separator: "/").last.map(String.init) ?? "")
    }

    /// How messages name it: `vi`, or `$EDITOR (nano -w)`.
    public var displayName: String {
        variable.map { "$\($0) (\(command))" } ?? command
    }
}
