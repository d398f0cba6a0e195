import Foundation
import LoopsealTemplates
import LoopsealValue

/// Comparison and logic helpers Loopstack workflows use in `{{ }}` guards (`{{ gt args.value 100 }}`).
public enum WorkflowHelpers {
    /// `eq ne gt gte lt lte and or not`.
    public static let all: [String: Helper] = [
        "eq": compare { TemplateValue.looseEquals($0, $1) },
        "ne": compare { !TemplateValue.looseEquals($0, $1) },
        "gt": ordered { $0 > $1 }, "gte": ordered { $0 >= $1 },
        "lt": ordered { $0 < $1 }, "lte": ordered { $0 <= $1 },
        "and": { call in .value(.bool(call.arguments.allSatisfy { $0?.isTruthy ?? false })) },
        "or": { call in .value(.bool(call.arguments.contains { $0?.isTruthy ?? false })) },
        "not": { call in .value(.bool(!(call.arguments.first??.isTruthy ?? false))) },
    ]

    private static func compare(_ test: @escaping @Sendable (TemplateValue?, TemplateValue?) -> Bool) -> Helper {
        { call in
            guard call.arguments.count == 2 else { throw call.error("\(call.name) takes two arguments") }
            return .value(.bool(test(call.arguments[0], call.arguments[1])))
        }
    }

    private static func ordered(_ test: @escaping @Sendable (Double, Double) -> Bool) -> Helper {
        { call in
            guard call.arguments.count == 2 else { throw call.error("\(call.name) takes two arguments") }
            func number(_ value: TemplateValue?) -> Double {
                switch value {
                case .number(let n)?: return n
                case .bool(let b)?: return b ? 1 : 0
                case .string(let s)?: return Double(s.trimmingCharacters(in: .whitespaces)) ?? .nan
                default: return .nan
                }
            }
            return .value(.bool(test(number(call.arguments[0]), number(call.arguments[1]))))
        }
    }
}
