import LoopsealStore

/// Which secrets must change soon (`loopseal due`; `remind` builds on it): from each file's
/// metadata, a secret is due on the earlier of `expires` and `rotated` + `rotateEvery`.
/// It is overdue on and after that day, and due when that day is within the window. Nothing
/// is decrypted; when the workspace lists writers, a file whose signature does not hold is
/// left out and reported (its metadata cannot be trusted).
public enum RotationDue {
    /// The default window, `14d`.
    public static let defaultWindow = RotationPeriod.days(14)

    /// The report for `today` (``CalendarDate/today()`` unless given) over `within`.
    public static func report(service: SecretService, within: RotationPeriod, today: CalendarDate? = nil) throws -> DueReport {
        let day = try today ?? service.today()
        let scan = try service.scanAll()
        let signatures = WriterSignatures(try service.workspace.loadConfig())
        var problems = scan.problems.map { (key: $0.key, problem: "\($0.error)") }
        var secrets: [DueSecret] = []
        for secret in scan.secrets {
            do {
                try signatures.verify(secret, file: try service.workspace.secretPath(for: secret.key))
            } catch {
                problems.append((secret.key, "\(error)"))
                continue
            }
            if let entry = entry(for: secret.key, secret.metadata, today: day, within: within) { secrets.append(entry) }
        }
        secrets.sort { a, b in
            if a.owner != b.owner { return (a.owner ?? "\u{10FFFF}") < (b.owner ?? "\u{10FFFF}") }
            if a.status != b.status { return a.status < b.status }
            if a.dueDate != b.dueDate { return (a.dueDate?.daysSinceEpoch ?? .max) < (b.dueDate?.daysSinceEpoch ?? .max) }
            return a.key < b.key
        }
        return DueReport(today: day, within: within, secrets: secrets, problems: problems.sorted { $0.key < $1.key })
    }

    /// The entry for one secret, or nil when it is not due within the window.
    public static func entry(for key: String, _ metadata: SecretMetadata, today: CalendarDate, within: RotationPeriod) -> DueSecret? {
        var candidates: [(date: CalendarDate, reason: DueSecret.Reason)] = []
        if let expires = metadata.expires { candidates.append((expires, .expires)) }
        if let period = metadata.rotateEvery, let rotated = metadata.rotated { candidates.append((period.after(rotated), .rotateEvery)) }
        guard let earliest = candidates.min(by: { $0.date < $1.date }) else {
            guard metadata.rotateEvery != nil else { return nil }
            return DueSecret(key: key, owner: metadata.owner, status: .unknown, reason: .rotatedUnknown, dueDate: nil, daysLeft: nil,
                             metadata: metadata)
        }
        let status: DueSecret.Status
        if earliest.date <= today {
            status = .overdue
        } else if earliest.date <= within.after(today) {
            status = .due
        } else if metadata.rotateEvery != nil && metadata.rotated == nil {
            return DueSecret(key: key, owner: metadata.owner, status: .unknown, reason: .rotatedUnknown, dueDate: nil, daysLeft: nil,
                             metadata: metadata)
        } else {
            return nil
        }
        return DueSecret(key: key, owner: metadata.owner, status: status, reason: earliest.reason, dueDate: earliest.date,
                         daysLeft: today.days(until: earliest.date), metadata: metadata)
    }
}
