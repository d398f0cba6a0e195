#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A day of the Gregorian calendar, written `YYYY-MM-DD` (secret metadata: `expires`,
/// `rotated`; docs/FORMAT.md §2). No time of day and no time zone: "today" is the UTC date.
public struct CalendarDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// 1 to 9999.
    public let year: Int
    /// 1 to 12.
    public let month: Int
    /// 1 to the length of the month.
    public let day: Int

    /// The variable that replaces the clock in tests (`LOOPSEAL_TEST_NOW=2027-01-01`): test-only.
    public static let testClockVariable = "LOOPSEAL_TEST_NOW"

    /// A valid date, or nil (February 30, month 13, year 0).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              (1...Self.daysIn(month: month, year: year)).contains(day) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses exactly `YYYY-MM-DD` (four, two and two digits); nil for anything else.
    public init?(string: String) {
        let bytes = Array(string.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                guard (0x30...0x39).contains(bytes[index]) else { return nil }
                value = value * 10 + Int(bytes[index] - 0x30)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// The date `days` days since 1970-01-01 (negative: before it); nil outside years 1-9999.
    public init?(daysSinceEpoch days: Int) {
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        self.init(year: yoe + era * 400 + (month <= 2 ? 1 : 0), month: month, day: day)
    }

    /// Days since 1970-01-01.
    public var daysSinceEpoch: Int {
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// `YYYY-MM-DD`.
    public var description: String {
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// `days` days later (earlier when negative), clamped to the calendar's range.
    public func adding(days: Int) -> CalendarDate {
        CalendarDate(daysSinceEpoch: daysSinceEpoch + days) ?? (days < 0 ? Self.first : Self.last)
    }

    /// `months` months later, the day clamped to the end of a shorter month (Jan 31 + 1 month is
    /// Feb 28 or 29), clamped to the calendar's range.
    public func adding(months: Int) -> CalendarDate {
        let index = year * 12 + (month - 1) + months
        let newYear = index / 12, newMonth = index % 12 + 1
        guard (1...9999).contains(newYear) else { return months < 0 ? Self.first : Self.last }
        return CalendarDate(year: newYear, month: newMonth, day: min(day, Self.daysIn(month: newMonth, year: newYear))) ?? Self.last
    }

    /// Days from `self` to `other` (negative when `other` is earlier).
    public func days(until other: CalendarDate) -> Int { other.daysSinceEpoch - daysSinceEpoch }

    /// Today's UTC date, or the date in `$LOOPSEAL_TEST_NOW` when it is set (tests only); a
    /// variable that is not `YYYY-MM-DD` is an error naming it, never a silent fallback.
    public static func today() throws -> CalendarDate {
        if let text = ProcessEnvironment.values([testClockVariable])[testClockVariable] {
            guard let date = CalendarDate(string: text) else {
                throw StoreError.invalidMetadata(field: "$\(testClockVariable)",
                                                 problem: "'\(StoreError.printable(text))' is not a date: use YYYY-MM-DD (it replaces the clock in tests only)")
            }
            return date
        }
        return CalendarDate(daysSinceEpoch: Int(time(nil)) / 86_400) ?? last
    }

    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    private static let first = CalendarDate(unchecked: 1, 1, 1)
    private static let last = CalendarDate(unchecked: 9999, 12, 31)

    private init(unchecked year: Int, _ month: Int, _ day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
