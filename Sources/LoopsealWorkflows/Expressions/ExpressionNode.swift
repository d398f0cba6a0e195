import LoopsealTemplates
import LoopsealValue

/// The syntax tree of a parsed expression.
///
/// Chains of one precedence level (`a + b - c`, `a && b && c`, `a.b[c].d`) are stored flat rather
/// than as nested nodes, so tree depth stays bounded by the nesting limit however long the source is.
indirect enum ExpressionNode: Sendable {
    /// A literal; `nil` is `undefined`.
    case literal(TemplateValue?)
    /// A root name looked up in the context (`state`, `args`, …).
    case identifier(String)
    /// Property accesses applied in order to `base`.
    case access(base: ExpressionNode, accessors: [ExpressionAccessor])
    /// A prefix operator.
    case unary(ExpressionUnaryOperator, ExpressionNode)
    /// A left-associative chain of binary operators of one precedence level.
    case binary(first: ExpressionNode, rest: [(ExpressionBinaryOperator, ExpressionNode)])
    /// A chain of one short-circuiting operator (`&&`, `||` or `??`).
    case logical(ExpressionLogicalOperator, [ExpressionNode])
    /// `condition ? then : otherwise`.
    case conditional(ExpressionNode, ExpressionNode, ExpressionNode)
}

/// One step of a property access.
enum ExpressionAccessor: Sendable {
    /// `.name`, `?.name` or a bracket holding a literal (`["b c"]`, `[0]`), by its property key.
    case name(String)
    /// A bracket holding a computed key (`[b.c]`).
    case computed(ExpressionNode)
}

/// Prefix operators.
enum ExpressionUnaryOperator: String, Sendable {
    /// Logical not.
    case not = "!"
    /// Numeric negation.
    case negate = "-"
    /// Conversion to number.
    case plus = "+"
}

/// Binary operators that always evaluate both operands.
enum ExpressionBinaryOperator: String, Sendable, CaseIterable {
    case multiply = "*", divide = "/", remainder = "%"
    case add = "+", subtract = "-"
    case less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    case looseEqual = "==", looseNotEqual = "!=", strictEqual = "===", strictNotEqual = "!=="
}

/// Short-circuiting operators, which return one of their operands.
enum ExpressionLogicalOperator: String, Sendable {
    case and = "&&", or = "||", nullish = "??"
}

extension ExpressionNode {
    /// Every path read, in source order: a root name followed by the literal property names
    /// accessed after it. A computed bracket ends the path (its key expression contributes its own paths).
    func collectPaths(into paths: inout [[String]]) {
        switch self {
        case .literal: return
        case .identifier(let name): paths.append([name])
        case .access(let base, let accessors):
            var current: [String]?
            if case .identifier(let name) = base { current = [name] } else { base.collectPaths(into: &paths) }
            for accessor in accessors {
                switch accessor {
                case .name(let key): current?.append(key)
                case .computed(let node):
                    if let path = current { paths.append(path) }
                    current = nil
                    node.collectPaths(into: &paths)
                }
            }
            if let path = current { paths.append(path) }
        case .unary(_, let operand): operand.collectPaths(into: &paths)
        case .binary(let first, let rest):
            first.collectPaths(into: &paths)
            for (_, node) in rest { node.collectPaths(into: &paths) }
        case .logical(_, let operands):
            for node in operands { node.collectPaths(into: &paths) }
        case .conditional(let condition, let then, let otherwise):
            condition.collectPaths(into: &paths)
            then.collectPaths(into: &paths)
            otherwise.collectPaths(into: &paths)
        }
    }
}
