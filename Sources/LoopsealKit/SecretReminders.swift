import LoopsealCrypto
import LoopsealStore
import LoopsealWorkflows

/// One owner's reminder: the run that asks them for new values.
public struct SecretReminder: Sendable {
    /// The owner (a recipient or writer name, or an email); nil for secrets without one.
    public var owner: String?
    /// The keys asked for, in the run's order.
    public var keys: [String]
    /// The run (`rotate-secrets`), waiting for the values.
    public var run: WorkflowRun

    /// Creates a reminder.
    public init(owner: String?, keys: [String], run: WorkflowRun) {
        self.owner = owner
        self.keys = keys
        self.run = run
    }

    /// The run's web page under `baseURL` (the server's, or its `--public-url`).
    public func link(baseURL: String, workspace: String) -> String {
        let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        return "\(base)/workspaces/\(workspace)/runs/\(run.id)"
    }
}

/// `loopseal remind`: one rotation run per owner for their secrets that are due or overdue
/// (``RotationDue``) or still exposed to a removed recipient (``SecretExposure``). Each run is
/// the built-in `rotate-secrets` workflow: the owner gives new values in its form (or with
/// `run resume --fill`), the values are stored (which records the rotation), and a confirmation
/// syncs the targets. Nothing is decrypted but, with an identity, to tell exposed values apart.
public enum SecretReminders {
    /// What is to be asked, by owner (nil last), without starting anything.
    public static func plan(service: SecretService, identities: [Identity], within: RotationPeriod,
                            today: CalendarDate? = nil) throws -> [(owner: String?, keys: [(key: String, why: String)])] {
        let report = try RotationDue.report(service: service, within: within, today: today)
        var why: [String: [String]] = [:]
        var owners: [String: String] = [:]
        for secret in report.secrets where secret.status != .unknown {
            let when = secret.dueDate.map { "\($0)" } ?? "?"
            why[secret.key, default: []].append(secret.status == .overdue ? "overdue since \(when)" : "due \(when)")
            if let owner = secret.owner { owners[secret.key] = owner }
        }
        let exposed = try SecretExposure.list(service: service, identities: identities)
        for item in exposed where !(why[item.key]?.contains("exposed to \(item.recipient)") ?? false) {
            why[item.key, default: []].append("exposed to \(item.recipient)")
        }
        if !exposed.isEmpty {
            for secret in try service.scanAll().secrets where why[secret.key] != nil {
                if let owner = secret.metadata.owner { owners[secret.key] = owner }
            }
        }
        var groups: [String?: [(key: String, why: String)]] = [:]
        for key in why.keys.sorted() {
            groups[owners[key], default: []].append((key, why[key, default: []].joined(separator: "; ")))
        }
        return groups.keys.sorted { ($0 ?? "\u{10FFFF}") < ($1 ?? "\u{10FFFF}") }.map { ($0, groups[$0] ?? []) }
    }

    /// Starts one run per owner in ``plan(service:identities:within:today:)``. An owner whose
    /// run for the same keys still waits for its values gets that run again, not a new one, so a
    /// daily `remind` does not pile up runs.
    public static func start(runs: RunService, identities: [Identity], within: RotationPeriod, today: CalendarDate? = nil,
                             workflow: String = ExposureRotation.workflow) throws -> [SecretReminder] {
        let service = SecretService(workspace: runs.workspace)
        let waiting = try runs.runs().filter { $0.status == .waiting && $0.workflow == workflow && !$0.requestedKeys.isEmpty }
        return try plan(service: service, identities: identities, within: within, today: today).map { group in
            let reasons = Dictionary(group.keys.map { ($0.key, $0.why) }, uniquingKeysWith: { first, _ in first })
            let keys = group.keys.map(\.key)
            // Still untouched: only its first transition ran, nobody gave values yet.
            if let open = waiting.first(where: { $0.requestedKeys == keys && $0.history.count == 1 }) {
                return SecretReminder(owner: group.owner, keys: keys, run: open)
            }
            let owner = group.owner.map { " (owner: \($0))" } ?? ""
            let run = try ExposureRotation.start(keys: keys, description: { "New value\(owner): \(reasons[$0] ?? "due")" },
                                                 workflow: workflow, runs: runs)
            return SecretReminder(owner: group.owner, keys: keys, run: run)
        }
    }
}
