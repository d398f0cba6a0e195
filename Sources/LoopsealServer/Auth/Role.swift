/// What a token may do, each role including the ones below it.
///
/// - reader: list workspaces and keys, read runs.
/// - writer: also create and change secrets, fire a run's manual transitions, submit requested secrets.
/// - admin: also delete secrets and start runs.
public enum Role: String, Sendable, Codable, CaseIterable, Comparable {
    case reader, writer, admin

    private var rank: Int {
        switch self {
        case .reader: 0
        case .writer: 1
        case .admin: 2
        }
    }

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }
}
