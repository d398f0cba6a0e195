#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads named environment variables with `getenv`, without Foundation's copy of the whole
/// environment (`ProcessInfo.environment` decodes every variable into a dictionary on each
/// call, a noticeable part of a short command's start-up).
public enum ProcessEnvironment {
    /// The variables in `names` that are set, by name.
    public static func values(_ names: [String]) -> [String: String] {
        var found: [String: String] = [:]
        for name in names {
            if let value = getenv(name) { found[name] = String(cString: value) }
        }
        return found
    }
}
