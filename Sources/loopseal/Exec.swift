import ArgumentParser
import CSodium
import Foundation
import LoopsealCrypto
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
        let environment = try SecretEnvironment(
            try workspace.service().revealAll(identities: try IdentityLoader(files: identityFiles).load()))
        // The opened values and identities are released (and zeroed) here: only the locked
        // environment block, which execve copies into the new program, still holds the values.
        var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        environment.exec(program, &cArgs)
        let reason = String(cString: strerror(errno))
        let code: Int32 = errno == ENOENT ? 127 : 126
        environment.wipe()
        Terminal.warn("loopseal: error: cannot run '\(program)': \(reason)")
        throw ExitCode(code)
    }
}

/// The environment `exec` passes to its command: the inherited variables (minus those a
/// secret overrides) and `KEY=value` strings built in one `sodium_malloc` block, locked in RAM
/// and zeroed if `execve` fails. Values never pass through `setenv` or the Swift heap.
final class SecretEnvironment {
    private let block: UnsafeMutableRawPointer?
    private let size: Int
    private var pointers: [UnsafeMutablePointer<CChar>?]

    init(_ secrets: RevealedSecrets) throws {
        let keys = Set(secrets.values.map(\.key))
        for (key, value) in secrets.values where value.withUnsafeBytes({ $0.contains(0) }) {
            throw CLIError("secret '\(key)' holds a NUL byte and cannot be an environment variable")
        }
        size = secrets.values.reduce(0) { $0 + $1.key.utf8.count + 1 + $1.value.count + 1 }
        block = size > 0 ? sodium_malloc(size) : nil
        if size > 0 && block == nil { throw CLIError("cannot allocate locked memory for the environment") }
        pointers = []
        var inherited = environ
        while let entry = inherited.pointee {
            let length = strchr(entry, Int32(UInt8(ascii: "="))).map { $0 - entry } ?? strlen(entry)
            let name = entry.withMemoryRebound(to: UInt8.self, capacity: length) {
                String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
            }
            if !keys.contains(name) { pointers.append(entry) }
            inherited += 1
        }
        guard let block else { pointers.append(nil); return }
        var offset = 0
        for (key, value) in secrets.values {
            let start = block.advanced(by: offset).assumingMemoryBound(to: CChar.self)
            for byte in key.utf8 { block.storeBytes(of: byte, toByteOffset: offset, as: UInt8.self); offset += 1 }
            block.storeBytes(of: UInt8(ascii: "="), toByteOffset: offset, as: UInt8.self); offset += 1
            value.withUnsafeBytes { bytes in
                if let base = bytes.baseAddress { block.advanced(by: offset).copyMemory(from: base, byteCount: bytes.count) }
            }
            offset += value.count
            block.storeBytes(of: UInt8(0), toByteOffset: offset, as: UInt8.self); offset += 1
            pointers.append(start)
        }
        pointers.append(nil)
    }

    /// Replaces the process with `program` (searched on PATH); returns only on failure.
    func exec(_ program: String, _ argv: inout [UnsafeMutablePointer<CChar>?]) {
        _ = pointers.withUnsafeBufferPointer { environment in
            argv.withUnsafeBufferPointer { arguments in
                loopseal_execvpe(program, arguments.baseAddress, environment.baseAddress)
            }
        }
    }

    /// Zeroes and frees the block.
    func wipe() {
        if let block { sodium_memzero(block, size); sodium_free(block) }
        pointers = [nil]
    }
}
