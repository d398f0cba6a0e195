import LoopsealDiagnostics

/// Why pinned trust could not be set up, or refused what it checked. Never holds a secret
/// value, nor the text of a trust file's lines.
public enum TrustError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The trust file is missing, unreadable, or has a line that is not a writer's public key.
    case invalidTrustFile(file: String, line: Int?, problem: String)
    /// The files under `root` are not all signed as pinned trust requires.
    case refused(root: String, refusals: [TrustRefusal])

    public var description: String {
        switch self {
        case .invalidTrustFile(let file, let line, let problem):
            return "\(SourcePosition.location(file, line: line, column: nil)): \(problem)"
        case .refused(let root, let refusals):
            let count = refusals.count
            return "\(root): \(count) file\(count == 1 ? "" : "s") not trusted:\n  " + refusals.map(\.description).joined(separator: "\n  ")
        }
    }
}

extension TrustError: LoopsealError {
    public var file: String? {
        if case .invalidTrustFile(let file, _, _) = self { return file }
        return nil
    }
}
