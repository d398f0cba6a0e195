/// How often a secret's value should change, or a window of time: a whole number of days,
/// weeks, months or years, written `90d`, `12w`, `6m`, `1y` (docs/FORMAT.md §2).
///
/// The grammar: 1 to 4 digits without a leading zero, then one of `d` (days), `w` (weeks, 7
/// days), `m` (calendar months: the same day of a later month, clamped to its end) or `y`
/// (calendar years). Nothing else: no spaces, no upper case, no combinations.
public struct RotationPeriod: Sendable, Hashable, CustomStringConvertible {
    /// The unit of a period.
    public enum Unit: String, Sendable, CaseIterable {
        /// Days.
        case day = "d"
        /// Weeks of 7 days.
        case week = "w"
        /// Calendar months.
        case month = "m"
        /// Calendar years.
        case year = "y"
    }

    /// 1 to 9999.
    public let count: Int
    /// What `count` counts.
    public let unit: Unit

    /// A period, or nil when `count` is outside 1...9999.
    public init?(count: Int, unit: Unit) {
        guard (1...9999).contains(count) else { return nil }
        self.count = count
        self.unit = unit
    }

    /// `count` days, `count` clamped to 1...9999.
    public static func days(_ count: Int) -> RotationPeriod {
        RotationPeriod(clamped: count, unit: .day)
    }

    private init(clamped count: Int, unit: Unit) {
        self.count = min(max(count, 1), 9999)
        self.unit = unit
    }

    /// Parses the grammar above; nil for anything else.
    public init?(string: String) {
        let bytes = Array(string.utf8)
        guard (2...5).contains(bytes.count), let last = bytes.last,
              let unit = Unit(rawValue: String(UnicodeScalar(last))),
              bytes.first != UInt8(ascii: "0") else { return nil }
        var count = 0
        for digit in bytes.dropLast() {
            guard (0x30...0x39).contains(digit) else { return nil }
            count = count * 10 + Int(digit - 0x30)
        }
        self.init(count: count, unit: unit)
    }

    /// What a person should write, for error messages.
    public static let grammar = "a whole number followed by d (days), w (weeks), m (months) or y (years), like 90d, 12w, 6m or 1y"

    /// `90d`.
    public var description: String { "\(count)\(unit.rawValue)" }

    /// The date this period after `date`.
    public func after(_ date: CalendarDate) -> CalendarDate {
        switch unit {
        case .day: return date.adding(days: count)
        case .week: return date.adding(days: count * 7)
        case .month: return date.adding(months: count)
        case .year: return date.adding(months: count * 12)
        }
    }
}
