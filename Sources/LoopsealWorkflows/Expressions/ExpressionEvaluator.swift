import LoopsealTemplates
import LoopsealValue

/// Evaluates a parsed expression against a context, with JavaScript semantics
/// (see ``ExpressionSemantics``). Evaluation never fails: missing values are `undefined` (`nil`).
struct ExpressionEvaluator {
    /// The object whose properties are the expression's root names (`state`, `args`, …).
    let context: TemplateValue

    /// The value of `node`; `nil` is `undefined`.
    func evaluate(_ node: ExpressionNode) -> TemplateValue? {
        switch node {
        case .literal(let value):
            return value
        case .identifier(let name):
            return ExpressionSemantics.property(of: context, name)
        case .access(let base, let accessors):
            var value = evaluate(base)
            for accessor in accessors {
                // Like optional chaining: a property of null or undefined ends the chain with undefined.
                guard let object = value else { return nil }
                if case .null = object { return nil }
                switch accessor {
                case .name(let key):
                    value = ExpressionSemantics.property(of: object, key)
                case .computed(let keyNode):
                    value = ExpressionSemantics.property(of: object, ExpressionSemantics.propertyKey(evaluate(keyNode)))
                }
            }
            return value
        case .unary(let op, let operandNode):
            let operand = evaluate(operandNode)
            switch op {
            case .not: return .bool(!ExpressionSemantics.isTruthy(operand))
            case .negate: return .number(-ExpressionSemantics.toNumber(operand))
            case .plus: return .number(ExpressionSemantics.toNumber(operand))
            }
        case .binary(let first, let rest):
            var value = evaluate(first)
            for (op, rightNode) in rest {
                value = apply(op, value, evaluate(rightNode))
            }
            return value
        case .logical(let op, let operands):
            var value: TemplateValue? = nil
            for (position, operandNode) in operands.enumerated() {
                value = evaluate(operandNode)
                if position == operands.count - 1 { break }
                switch op {
                case .and: if !ExpressionSemantics.isTruthy(value) { return value }
                case .or: if ExpressionSemantics.isTruthy(value) { return value }
                case .nullish:
                    if let present = value {
                        if case .null = present {} else { return present }
                    }
                }
            }
            return value
        case .conditional(let condition, let then, let otherwise):
            return ExpressionSemantics.isTruthy(evaluate(condition)) ? evaluate(then) : evaluate(otherwise)
        }
    }

    private func apply(_ op: ExpressionBinaryOperator, _ a: TemplateValue?, _ b: TemplateValue?) -> TemplateValue {
        typealias S = ExpressionSemantics
        switch op {
        case .multiply: return .number(S.toNumber(a) * S.toNumber(b))
        case .divide: return .number(S.toNumber(a) / S.toNumber(b))
        case .remainder: return .number(S.toNumber(a).truncatingRemainder(dividingBy: S.toNumber(b)))
        case .add: return S.add(a, b)
        case .subtract: return .number(S.toNumber(a) - S.toNumber(b))
        case .less: return .bool(S.compare(a, b) == .less)
        case .lessOrEqual: return .bool(S.compare(a, b).map { $0 != .greater } ?? false)
        case .greater: return .bool(S.compare(a, b) == .greater)
        case .greaterOrEqual: return .bool(S.compare(a, b).map { $0 != .less } ?? false)
        case .looseEqual: return .bool(S.looseEquals(a, b))
        case .looseNotEqual: return .bool(!S.looseEquals(a, b))
        case .strictEqual: return .bool(S.strictEquals(a, b))
        case .strictNotEqual: return .bool(!S.strictEquals(a, b))
        }
    }
}
