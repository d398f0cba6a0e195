import LoopsealStore

/// What ``RotationDue/report(service:within:today:)`` finds: the secrets due, overdue or of
/// unknown age, and the files that could not be read or whose signature does not hold.
public struct DueReport: Sendable {
    /// The day the report is for.
    public var today: CalendarDate
    /// The window: secrets due before `today` + `within` are listed.
    public var within: RotationPeriod
    /// Ordered by owner (no owner last), then status, due date and key.
    public var secrets: [DueSecret]
    /// Files left out, with why (never a value).
    public var problems: [(key: String, problem: String)]

    /// Creates a report.
    public init(today: CalendarDate, within: RotationPeriod, secrets: [DueSecret], problems: [(key: String, problem: String)]) {
        self.today = today
        self.within = within
        self.secrets = secrets
        self.problems = problems
    }

    /// True when a secret is overdue: `due --fail` exits 1.
    public var hasOverdue: Bool { secrets.contains { $0.status == .overdue } }

    /// The secrets grouped by owner, in ``secrets``' order (nil: no owner).
    public var byOwner: [(owner: String?, secrets: [DueSecret])] {
        var groups: [(owner: String?, secrets: [DueSecret])] = []
        for secret in secrets {
            if let last = groups.indices.last, groups[last].owner == secret.owner {
                groups[last].secrets.append(secret)
            } else {
                groups.append((secret.owner, [secret]))
            }
        }
        return groups
    }
}
