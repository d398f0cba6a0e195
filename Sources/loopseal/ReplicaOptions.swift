import ArgumentParser
import LoopsealServer

/// `serve --git-push` and its remote, branch and pull interval (``ReplicaSettings``).
struct ReplicaOptions: ParsableArguments {
    @Flag(help: ArgumentHelp(
        "Share the repository with other replicas through a git remote: every change is committed and pushed before it is answered, and the remote is pulled regularly. Implies --git-commit.",
        discussion: "At start the clone is reset to the remote's tip (what a killed server left unpushed is dropped). A push that another replica's beat is rebuilt on the new tip (one file per secret: the later write of a key wins, and the commit and audit log say so) and retried."))
    var gitPush = false

    @Option(help: ArgumentHelp("The git remote replicas share (with --git-push; default: origin).", valueName: "name"))
    var remote: String?

    @Option(help: ArgumentHelp("The branch pushed and pulled (with --git-push; default: main).", valueName: "name"))
    var branch: String?

    @Option(help: ArgumentHelp("Seconds between pulls of the remote, ±10% (with --git-push; default: 5).", valueName: "seconds"))
    var pullInterval: Double?

    func validate() throws {
        if !gitPush, let given = [remote.map { _ in "--remote" }, branch.map { _ in "--branch" }, pullInterval.map { _ in "--pull-interval" }]
            .compactMap({ $0 }).first {
            throw ValidationError("\(given) needs --git-push")
        }
        if let pullInterval, !(pullInterval >= 0.1 && pullInterval <= 86_400) {
            throw ValidationError("--pull-interval \(pullInterval): give a number of seconds from 0.1 to 86400")
        }
        for (name, value) in [("--remote", remote), ("--branch", branch)] {
            if let value, value.isEmpty || value.hasPrefix("-") || value.contains(where: { $0.isWhitespace || $0 == ":" }) {
                throw ValidationError("\(name) '\(value)': give a git remote or branch name (no spaces or ':', not starting with '-')")
            }
        }
    }

    /// The settings, or nil without `--git-push`.
    var settings: ReplicaSettings? {
        guard gitPush else { return nil }
        return ReplicaSettings(remote: remote ?? "origin", branch: branch ?? "main", pullInterval: pullInterval ?? 5)
    }
}
