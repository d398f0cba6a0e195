import ArgumentParser
import Foundation
import LoopsealCrypto
import LoopsealStore

struct Exec: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a command with the secrets added to its environment.",
        discussion: "The command replaces loopseal (same pid, stdin and stdout) and its exit status is loopseal's. Secrets override variables already set.")
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var identities: IdentityOptions
    @Argument(parsing: .captureForPassthrough, help: "The command and its arguments (after --).")
    var command: [String] = []

    func run() throws {
        let argv = command.first == "--" ? Array(command.dropFirst()) : command
        guard let program = argv.first else {
            throw ValidationError("give a command to run: loopseal exec -- CMD ARGS…")
        }
        let opened = try workspace.service().revealAll(identities: try identities.load())
        for (key, value) in opened.values {
            let hasNul = value.withUnsafeBytes { $0.contains(0) }
            if hasNul { throw CLIError("secret '\(key)' holds a NUL byte and cannot be an environment variable") }
            var cValue = value.withUnsafeBytes { $0.map { CChar(bitPattern: $0) } } + [0]
            defer { cValue.withUnsafeMutableBytes { raw in raw.initializeMemory(as: UInt8.self, repeating: 0) } }
            let status = setenv(key, &cValue, 1)
            guard status == 0 else { throw CLIError("cannot set '\(key)' in the environment") }
        }
        var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        execvp(program, &cArgs)
        let reason = String(cString: strerror(errno))
        Terminal.warn("loopseal: error: cannot run '\(program)': \(reason)")
        throw ExitCode(errno == ENOENT ? 127 : 126)
    }
}
