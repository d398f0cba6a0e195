
/// A value templates render: the JSON data model, with JavaScript's printing and truthiness.
/// Arrays and objects are reference types, so "is this the same context?" is an identity check
/// as in handlebars.js; they are immutable and safe to share across threads.
public enum TemplateValue: Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array(TemplateArray)
    case object(TemplateObject)

    /// An array value.
    public static func list(_ items: [TemplateValue]) -> TemplateValue { .array(TemplateArray(items)) }

    /// An object value; keys are ordered the way JavaScript orders them (integer keys first).
    public static func dictionary(_ pairs: [(String, TemplateValue)]) -> TemplateValue { .object(TemplateObject(pairs)) }

    /// handlebars.js truthiness for `if`: false for null, false, 0, NaN, "" and [].
    public var isTruthy: Bool {
        switch self {
        case .null: return false
        case .bool(let b): return b
        case .number(let n): return n != 0 && !n.isNaN
        case .string(let s): return !s.isEmpty
        case .array(let a): return !a.items.isEmpty
        case .object: return true
        }
    }

    /// JavaScript's `!value`: null, false, 0, NaN and "" (arrays and objects are never falsy).
    public var isJSFalsy: Bool {
        switch self {
        case .null: return true
        case .bool(let b): return !b
        case .number(let n): return n == 0 || n.isNaN
        case .string(let s): return s.isEmpty
        case .array, .object: return false
        }
    }

    /// handlebars' `isEmpty`: null, false, "", NaN and [] (but not 0).
    package var isEmpty: Bool {
        switch self {
        case .null: return true
        case .bool(let b): return !b
        case .number(let n): return n.isNaN
        case .string(let s): return s.isEmpty
        case .array(let a): return a.items.isEmpty
        case .object: return false
        }
    }

    /// JavaScript's `String(value)`.
    public var javaScriptString: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return JSNumber.format(n)
        case .string(let s): return s
        case .array(let a): return a.items.map { $0.joinedElementString }.joined(separator: ",")
        case .object: return "[object Object]"
        }
    }

    /// How `Array.prototype.join` prints an element: null becomes "".
    private var joinedElementString: String {
        if case .null = self { return "" }
        return javaScriptString
    }

    /// JavaScript's loose `a == b`, which handlebars uses (as `!=`) to decide whether a block's
    /// context is new: identity for two objects, conversion to primitives otherwise (so `3 == [3]`).
    public static func looseEquals(_ a: TemplateValue?, _ b: TemplateValue?) -> Bool {
        let left = a ?? .null, right = b ?? .null
        switch (left, right) {
        case (.null, .null): return true
        case (.null, _), (_, .null): return false
        case let (.array(x), .array(y)): return x === y
        case let (.object(x), .object(y)): return x === y
        case (.array, .object), (.object, .array): return false
        case let (.bool(x), .bool(y)): return x == y
        case let (.number(x), .number(y)): return x == y
        case let (.string(x), .string(y)): return JSString.same(x, y)
        case (.array, _), (.object, _): return looseEquals(.string(left.javaScriptString), right)
        case (_, .array), (_, .object): return looseEquals(left, .string(right.javaScriptString))
        case let (.bool(x), _): return looseEquals(.number(x ? 1 : 0), right)
        case let (_, .bool(y)): return looseEquals(left, .number(y ? 1 : 0))
        case let (.number(x), .string(y)): return x == JSNumber.parse(y)
        case let (.string(x), .number(y)): return JSNumber.parse(x) == y
        }
    }

    /// JavaScript's `typeof value === "object"` for a non-null value (strict mode's `in` needs one).
    package var isObjectLike: Bool {
        switch self {
        case .array, .object: return true
        default: return false
        }
    }

    /// A property as handlebars' `lookupProperty` sees it: object keys, array indexes and
    /// `length`, string indexes and `length`.
    public func property(_ name: String) -> TemplateValue? {
        switch self {
        case .object(let object): return object[name]
        case .array(let array):
            if name == "length" { return .number(Double(array.items.count)) }
            if let index = JSNumber.arrayIndex(name), index < array.items.count { return array.items[index] }
            return nil
        case .string(let string):
            if name == "length" { return .number(Double(string.utf16.count)) }
            if let index = JSNumber.arrayIndex(name) {
                let units = Array(string.utf16)
                guard index < units.count else { return nil }
                return .string(String(decoding: [units[index]], as: UTF16.self))
            }
            return nil
        default: return nil
        }
    }

    /// JavaScript's `name in value` for strict mode.
    public func hasProperty(_ name: String) -> Bool { property(name) != nil }
}

/// An immutable JSON array with reference identity.
public final class TemplateArray: Sendable {
    /// The elements.
    public let items: [TemplateValue]
    /// Wraps `items`.
    public init(_ items: [TemplateValue]) { self.items = items }
}

/// An immutable JSON object: keys in JavaScript's own-property order, with fast lookup. Keys
/// match byte for byte, as in JavaScript (``JSString``): `"é"` and `"e\u{301}"` are two keys.
public final class TemplateObject: Sendable {
    /// Keys in `Object.keys` order: integer-like keys ascending, then the rest in insertion order.
    public let keys: [String]
    /// Values, parallel to `keys`.
    public let values: [TemplateValue]
    /// Positions by key, for objects too big to scan.
    private let index: [JSKey: Int]?
    private static let scanLimit = 8

    /// Builds an object; a repeated key keeps its first position and its last value, like `JSON.parse`.
    public init(_ pairs: [(String, TemplateValue)]) {
        let plain = pairs.allSatisfy { JSNumber.arrayIndex($0.0) == nil }
        if plain && pairs.count <= Self.scanLimit && !Self.repeatsAKey(pairs) {
            keys = pairs.map(\.0)
            values = pairs.map(\.1)
            index = nil
            return
        }
        var order: [String] = []
        var latest: [JSKey: TemplateValue] = [:]
        for (key, value) in pairs {
            if latest[JSKey(key)] == nil { order.append(key) }
            latest[JSKey(key)] = value
        }
        let integers = order.compactMap { key in JSNumber.arrayIndex(key).map { ($0, key) } }.sorted { $0.0 < $1.0 }.map(\.1)
        let others = plain ? order : order.filter { JSNumber.arrayIndex($0) == nil }
        keys = integers + others
        values = keys.map { latest[JSKey($0)] ?? .null }
        if keys.count > Self.scanLimit {
            var index: [JSKey: Int] = [:]
            index.reserveCapacity(keys.count)
            for (position, key) in keys.enumerated() { index[JSKey(key)] = position }
            self.index = index
        } else {
            index = nil
        }
    }

    private static func repeatsAKey(_ pairs: [(String, TemplateValue)]) -> Bool {
        for i in pairs.indices {
            for j in pairs.indices where j > i && JSString.same(pairs[i].0, pairs[j].0) { return true }
        }
        return false
    }

    /// The value for `key`, or nil when absent. Small objects are scanned: comparing a few short
    /// strings is cheaper than hashing one.
    public subscript(key: String) -> TemplateValue? {
        guard let index else {
            for i in keys.indices where JSString.same(keys[i], key) { return values[i] }
            return nil
        }
        return index[JSKey(key)].map { values[$0] }
    }
}

extension TemplateValue {
    /// Parses JSON text, keeping the key order of objects.
    public init(jsonText: String) throws(JSONSyntaxError) {
        var parser = JSONTextParser(Array(jsonText.utf8))
        self = try parser.parseDocument()
    }
}
