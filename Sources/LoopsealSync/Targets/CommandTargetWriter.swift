import Foundation
import LoopsealStore

/// `type: command`: runs the argv (no shell) in the workspace folder with the payload on stdin. A non-zero exit is a
/// sync failure carrying the command's stderr, with any secret value in it redacted.
public struct CommandTargetWriter: TargetWriter {
    public init() {}

    public func deliver(_ payload: [UInt8], to target: SyncTarget, workspace: Workspace, secrets: [[UInt8]]) throws {
        let argv = target.command ?? []
        let outcome = try ProcessRunner.run(argv, stdin: payload, directory: workspace.directory)
        guard outcome.status == 0 else {
            let detail = redact(outcome.stderr.trimmingCharacters(in: .whitespacesAndNewlines), secrets)
            throw SyncError("target '\(target.name)': '\(argv.first ?? "")' exited with status \(outcome.status)" + (detail.isEmpty ? "" : ": \(detail.prefix(500))"))
        }
    }
}
