import LoopsealCrypto
import LoopsealStore
import LoopsealSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The environment `exec` gives its program: the inherited variables, minus those a secret
/// overrides, and `KEY=value` strings in locked memory (``SecureCStrings``) that are zeroed if
/// the program cannot be started. Values never pass through `setenv` or the Swift heap.
public final class ExecEnvironment {
    private let secrets: SecureCStrings
    private var inherited: [UnsafeMutablePointer<CChar>] = []

    /// Builds the environment from revealed secrets and this process's own environment.
    /// Throws when a value holds a NUL byte (it cannot be an environment variable).
    public init(_ revealed: RevealedSecrets) throws {
        do {
            secrets = try SecureCStrings(revealed.values.map { (prefix: "\($0.key)=", value: $0.value) })
        } catch CryptoError.embeddedNUL(let prefix) {
            throw KitError.nulInEnvironmentValue(key: String(prefix.dropLast()))
        }
        let keys = Set(revealed.values.map(\.key))
        var entry = environ
        while let variable = entry.pointee {
            let length = strchr(variable, Int32(UInt8(ascii: "="))).map { $0 - variable } ?? strlen(variable)
            let name = variable.withMemoryRebound(to: UInt8.self, capacity: length) {
                String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
            }
            if !keys.contains(name) { inherited.append(variable) }
            entry += 1
        }
    }

    /// Replaces this process with `arguments[0]` (searched on PATH). Returns only on failure,
    /// with the `errno` of the failed `execvpe`; call ``wipe()`` then.
    public func replaceProcess(arguments: [String]) -> Int32 {
        guard let program = arguments.first else { return EINVAL }
        return ProgramReplacement.exec(program, arguments: arguments, environment: inherited + secrets.pointers)
    }

    /// Zeroes and frees the secret strings.
    public func wipe() {
        secrets.wipe()
        inherited = []
    }
}
