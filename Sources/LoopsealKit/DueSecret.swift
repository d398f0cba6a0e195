import LoopsealStore

/// One secret in a ``DueReport``: when it must change and why. Names and dates only, never a value.
public struct DueSecret: Sendable, Equatable {
    /// Where a secret stands on the report's day.
    public enum Status: String, Sendable, Equatable, Comparable {
        /// Its due date is today or has passed.
        case overdue
        /// Its due date falls within the window.
        case due
        /// It has a rotation period but no `rotated` date (a file from before metadata, or whose
        /// value has not changed since the period was set), and no expiry date in the window.
        case unknown

        public static func < (lhs: Status, rhs: Status) -> Bool {
            let order: [Status] = [.overdue, .due, .unknown]
            return (order.firstIndex(of: lhs) ?? 0) < (order.firstIndex(of: rhs) ?? 0)
        }
    }

    /// Which field set the due date.
    public enum Reason: String, Sendable, Equatable {
        /// `expires`.
        case expires
        /// `rotated` + `rotateEvery`.
        case rotateEvery
        /// `rotateEvery` without `rotated`: the date cannot be told.
        case rotatedUnknown
    }

    /// The secret's key.
    public var key: String
    /// Its owner, nil when it has none.
    public var owner: String?
    /// Where it stands.
    public var status: Status
    /// Why.
    public var reason: Reason
    /// The day it is due, nil when ``status`` is `unknown`.
    public var dueDate: CalendarDate?
    /// Days from the report's day to ``dueDate`` (negative: overdue by that many days).
    public var daysLeft: Int?
    /// The metadata it was computed from.
    public var metadata: SecretMetadata

    /// Creates an entry.
    public init(key: String, owner: String?, status: Status, reason: Reason, dueDate: CalendarDate?, daysLeft: Int?,
                metadata: SecretMetadata) {
        self.key = key
        self.owner = owner
        self.status = status
        self.reason = reason
        self.dueDate = dueDate
        self.daysLeft = daysLeft
        self.metadata = metadata
    }
}
