internal import CLoopsealSystem

#if canImport(Glibc)
import Glibc
#endif

/// Process-wide protections for a process that holds secrets: no core dumps, and (on Linux)
/// not dumpable, so other processes of the same user cannot `ptrace` it or read its memory
/// through `/proc/PID/mem`. Secret bytes themselves live in locked `sodium_malloc` memory
/// (``SecureBytes``), which is never swapped out.
public enum Hardening {
    /// Disables core dumps and marks the process non-dumpable. Safe to call more than once.
    /// Returns false when the system refused (the process still runs; callers may warn).
    @discardableResult
    public static func protectProcess() -> Bool {
        var ok = true
        var none = rlimit(rlim_cur: 0, rlim_max: 0)
        if setrlimit(RLIMIT_CORE_VALUE, &none) != 0 { ok = false }
        #if os(Linux)
        if loopseal_set_dumpable(0) != 0 { ok = false }
        #endif
        return ok
    }

    /// True when the process is marked non-dumpable (always false where that does not exist).
    public static var isProcessProtected: Bool {
        #if os(Linux)
        return loopseal_get_dumpable() == 0
        #else
        return false
        #endif
    }

    /// Kilobytes of this process's memory locked in RAM (`VmLck` in `/proc/self/status`), or nil
    /// where that is not reported.
    public static var lockedKilobytes: Int? {
        guard let file = fopen("/proc/self/status", "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(cString: line)
            if text.hasPrefix("VmLck:") {
                return Int(text.dropFirst(6).trimmingCharacters(in: " \tkB\n"))
            }
        }
        return nil
    }

    #if os(Linux)
    private static var RLIMIT_CORE_VALUE: __rlimit_resource_t { __rlimit_resource_t(UInt32(RLIMIT_CORE.rawValue)) }
    #else
    private static var RLIMIT_CORE_VALUE: Int32 { RLIMIT_CORE }
    #endif
}

private extension Substring {
    func trimmingCharacters(in characters: String) -> String {
        let set = Set(characters)
        return String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}
