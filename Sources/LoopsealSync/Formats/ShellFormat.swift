/// Renders `export KEY='value'` lines for bash/POSIX `source`.
///
/// Single quotes make every byte literal, so no expansion or command substitution can
/// happen; a `'` in the value is written as `'\''`. Names bash manages itself (read-only,
/// dynamic or array variables such as `UID`, `RANDOM`, `SECONDS`, `_`) would not read back
/// as written, so they are rejected.
enum ShellFormat {
    /// Variable names bash overrides, refuses, or recomputes after an `export`.
    static let reservedNames: Set<String> = [
        "_", "BASHOPTS", "BASHPID", "BASH_ALIASES", "BASH_ARGC", "BASH_ARGV", "BASH_CMDS",
        "BASH_COMMAND", "BASH_LINENO", "BASH_MONOSECONDS", "BASH_SOURCE", "BASH_SUBSHELL",
        "BASH_VERSINFO", "DIRSTACK", "EPOCHREALTIME", "EPOCHSECONDS", "EUID", "FUNCNAME",
        "GROUPS", "HISTCMD", "LINENO", "OPTIND", "PIPESTATUS", "PPID", "RANDOM", "SECONDS",
        "SHELLOPTS", "SHLVL", "SRANDOM", "UID",
    ]

    /// Renders all entries, one line each, or throws for the first unrepresentable entry.
    static func render(_ entries: [EnvEntry]) throws(FormatError) -> String {
        var output = ""
        for entry in entries {
            let value = try EntryText.value(of: entry, format: .shell)
            guard !reservedNames.contains(entry.key) else {
                throw .unrepresentable(
                    key: entry.key, format: OutputFormat.shell.rawValue,
                    reason: "bash manages this variable itself, so it would not read back as written")
            }
            output += "export " + entry.key + "='"
            for scalar in value.unicodeScalars {
                if scalar == "'" {
                    output += "'\\''"
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
            output += "'\n"
        }
        return output
    }
}
