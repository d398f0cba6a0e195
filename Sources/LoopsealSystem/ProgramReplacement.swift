internal import CLoopsealSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Replaces the running process with another program (`execvpe`: PATH is searched).
public enum ProgramReplacement {
    /// Runs `program` with `arguments` (argv[0] included) and the NUL-terminated `environment`
    /// strings. Returns only on failure, with the `errno` of the failed `execvpe`.
    public static func exec(_ program: String, arguments: [String],
                            environment: [UnsafeMutablePointer<CChar>]) -> Int32 {
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let envp: [UnsafeMutablePointer<CChar>?] = environment + [nil]
        return argv.withUnsafeMutableBufferPointer { args in
            envp.withUnsafeBufferPointer { env in
                _ = loopseal_execvpe(program, args.baseAddress, env.baseAddress)
                return errno
            }
        }
    }
}
