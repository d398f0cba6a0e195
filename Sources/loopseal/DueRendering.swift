import LoopsealKit
import LoopsealStore
import LoopsealValue

/// `loopseal due` output: by owner as text, or JSON. Names and dates only.
enum DueRendering {
    /// One block per owner, one line per secret.
    static func text(_ report: DueReport) -> String {
        guard !report.secrets.isEmpty else { return "nothing due within \(report.within) (today is \(report.today))\n" }
        let width = report.secrets.map(\.key.utf8.count).max() ?? 0
        var out = ""
        for group in report.byOwner {
            out += (group.owner ?? "(no owner)") + "\n"
            for secret in group.secrets {
                out += "  " + secret.key + String(repeating: " ", count: width - secret.key.utf8.count)
                out += "  " + secret.status.rawValue + String(repeating: " ", count: 8 - secret.status.rawValue.count)
                out += "  " + because(secret) + "\n"
            }
        }
        return out
    }

    /// Why a secret is listed: `rotate every 90d, last rotated 2026-09-23: due 2026-12-22 (10 days ago)`.
    static func because(_ secret: DueSecret) -> String {
        let metadata = secret.metadata
        let when = secret.dueDate.map { "due \($0) (\(days(secret.daysLeft ?? 0)))" } ?? ""
        switch secret.reason {
        case .expires:
            return "expires \(metadata.expires?.description ?? "?"): \(when)"
        case .rotateEvery:
            return "rotate every \(metadata.rotateEvery?.description ?? "?"), last rotated \(metadata.rotated?.description ?? "?"): \(when)"
        case .rotatedUnknown:
            return "rotate every \(metadata.rotateEvery?.description ?? "?"), last rotation unknown: set a new value to start its clock"
        }
    }

    private static func days(_ count: Int) -> String {
        switch count {
        case 0: return "today"
        case 1: return "tomorrow"
        case -1: return "yesterday"
        case let n where n < 0: return "\(-n) days ago"
        default: return "in \(count) days"
        }
    }

    /// `{"today", "within", "overdue", "secrets": […], "problems": [{"key", "problem"}]}`.
    static func json(_ report: DueReport) -> String {
        let secrets = report.secrets.map { secret -> TemplateValue in
            .dictionary([("key", .string(secret.key)), ("owner", secret.owner.map { .string($0) } ?? .null),
                         ("status", .string(secret.status.rawValue)), ("reason", .string(secret.reason.rawValue)),
                         ("due", secret.dueDate.map { .string($0.description) } ?? .null),
                         ("days", secret.daysLeft.map { .number(Double($0)) } ?? .null)]
                        + MetadataColumns.json(secret.metadata).filter { $0.0 != "owner" })
        }
        let problems = report.problems.map { TemplateValue.dictionary([("key", .string($0.key)), ("problem", .string($0.problem))]) }
        return TemplateValue.dictionary([
            ("today", .string(report.today.description)), ("within", .string(report.within.description)),
            ("overdue", .bool(report.hasOverdue)), ("secrets", .list(secrets)), ("problems", .list(problems)),
        ]).jsonText() + "\n"
    }
}
