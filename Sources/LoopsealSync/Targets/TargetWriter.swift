import LoopsealStore

/// Delivers a rendered payload to one kind of target.
public protocol TargetWriter: Sendable {
    /// Writes `payload` to `target`. `secrets` lets errors redact any value a remote echoed.
    func deliver(_ payload: [UInt8], to target: SyncTarget, workspace: Workspace, secrets: [[UInt8]]) throws
}

/// Paths in targets are relative to the workspace folder unless absolute.
func resolvedPath(_ path: String, in workspace: Workspace) -> String {
    path.hasPrefix("/") ? path : "\(workspace.directory)/\(path)"
}

/// Replaces every occurrence of a secret value in `text` (command or ssh output) before it is shown.
func redact(_ text: String, _ secrets: [[UInt8]]) -> String {
    var bytes = Array(text.utf8)
    for secret in secrets where secret.count >= 4 {
        var index = 0
        var out: [UInt8] = []
        while index < bytes.count {
            if index + secret.count <= bytes.count && Array(bytes[index..<index + secret.count]) == secret {
                out += Array("[redacted]".utf8)
                index += secret.count
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        bytes = out
    }
    return String(decoding: bytes, as: UTF8.self)
}
