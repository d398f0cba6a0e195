import Foundation
import LoopsealStore
import LoopsealValue

/// Delivers a rendered payload to one kind of target.
public protocol TargetWriter: Sendable {
    /// Writes `payload` to `target`. `secrets` lets errors redact any value a remote echoed.
    func deliver(_ payload: [UInt8], to target: SyncTarget, workspace: Workspace, secrets: [[UInt8]]) throws
}

/// Paths in targets are relative to the workspace folder unless absolute.
func resolvedPath(_ path: String, in workspace: Workspace) -> String {
    path.hasPrefix("/") ? path : "\(workspace.directory)/\(path)"
}

/// Replaces every occurrence of a secret value in `text` (command or ssh output) before it is
/// shown: the value as it is and in the encodings the formats write it in (base64 for `k8s`,
/// JSON and its escapes for `json`/`yaml`, each line of a multi-line value), since a command
/// that echoes its input echoes the encoded form.
func redact(_ text: String, _ secrets: [[UInt8]]) -> String {
    var bytes = Array(text.utf8)
    for secret in secrets.flatMap(encodedForms) where secret.count >= 4 {
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

/// `value` and the forms a payload may carry it in, longest first so a longer form is replaced whole.
private func encodedForms(_ value: [UInt8]) -> [[UInt8]] {
    var forms: Set<[UInt8]> = [value]
    let base64 = Base64.encode(value)
    forms.insert(Array(base64.utf8))
    forms.insert(Array(base64.trimmingCharacters(in: CharacterSet(charactersIn: "=")).utf8))
    if let text = String(bytes: value, encoding: .utf8) {
        let quoted = JSONString.quoted(text)
        forms.insert(Array(quoted.dropFirst().dropLast().utf8))
        for line in text.split(whereSeparator: \.isNewline) where line.utf8.count >= 4 { forms.insert(Array(line.utf8)) }
    }
    return forms.sorted { $0.count > $1.count }
}
