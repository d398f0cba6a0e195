import Foundation
import LoopsealStore

/// `type: ssh`: the system `ssh` (host key checking stays on, no password prompts) writes the
/// payload to a temporary file next to `path` with umask 077 and renames it over `path`.
public struct SSHTargetWriter: TargetWriter {
    public init() {}

    public func deliver(_ payload: [UInt8], to target: SyncTarget, workspace: Workspace, secrets: [[UInt8]]) throws {
        guard let host = target.host, let path = target.path else { throw SyncError("ssh target '\(target.name)' needs 'host' and 'path'") }
        let quoted = Self.shellQuote(path)
        let temp = Self.shellQuote(path + ".loopseal-tmp")
        let script = "umask 077 && cat > \(temp) && chmod 600 \(temp) && mv -f \(temp) \(quoted)"
        let argv = ["ssh", "-o", "BatchMode=yes"] + (target.sshOptions ?? []) + ["--", host, script]
        let outcome = try ProcessRunner.run(argv, stdin: payload)
        guard outcome.status == 0 else {
            let detail = redact(outcome.stderr.trimmingCharacters(in: .whitespacesAndNewlines), secrets)
            throw SyncError("target '\(target.name)': ssh to \(host) failed (status \(outcome.status))" + (detail.isEmpty ? "" : ": \(detail.prefix(500))"))
        }
    }

    /// POSIX single quotes for the remote shell.
    static func shellQuote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
