import ArgumentParser
import Foundation
import LoopsealKit
import LoopsealStore

struct Exec: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec",
        abstract: "Run a command with the secrets added to its environment.",
        discussion: "The command replaces loopseal (same pid, stdin and stdout) and its exit status is loopseal's. Secrets override variables already set.")
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var identities: IdentityOptions
    @Argument(parsing: .captureForPassthrough, help: "The command and its arguments (after --).")
    var command: [String] = []

    func run() throws {
        try Self.run(workspace: workspace.selection, identityFiles: identities.identity, command: command)
    }

    /// `run()` with plain values (``QuickParse`` calls it without ArgumentParser).
    static func run(workspace: WorkspaceSelection, identityFiles: [String], command: [String]) throws {
        let argv = command.first == "--" ? Array(command.dropFirst()) : command
        guard let program = argv.first else {
            throw ValidationError("give a command to run: loopseal exec -- CMD ARGS…")
        }
        let environment = try Self.environment(workspace: workspace, identityFiles: identityFiles)
        // The opened values and identities are released (and zeroed) here: only the locked
        // environment block, which execve copies into the new program, still holds the values.
        let failure = environment.replaceProcess(arguments: argv)
        environment.wipe()
        Terminal.warn("loopseal: error: cannot run '\(program)': \(String(cString: strerror(failure)))")
        throw ExitCode(failure == ENOENT ? 127 : 126)
    }

    /// The child's environment; the warning about stale files is printed first. The opened
    /// values are released when this returns.
    private static func environment(workspace: WorkspaceSelection, identityFiles: [String]) throws -> ExecEnvironment {
        let opened = try workspace.service().revealAll(identities: try IdentityLoader(files: identityFiles).load())
        StaleWarning.print(opened.sealing)
        return try ExecEnvironment(opened)
    }
}
