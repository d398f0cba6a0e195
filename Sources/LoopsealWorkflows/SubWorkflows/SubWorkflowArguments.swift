import LoopsealTemplates
import LoopsealValue

/// Arguments every sub-workflow tool takes.
enum SubWorkflowArguments {
    static func checkShow(_ args: ArgValue) -> [ToolArgumentIssue] {
        guard case .constant(let value, let mark)? = args.field("show") else { return [] }
        if case .string(let text) = value, ChildDisplay(rawValue: text) != nil { return [] }
        return [ToolArgumentIssue(mark: mark, message: "'show' is inline (the child's form in this run's page) or link")]
    }

    static func show(_ args: TemplateValue) throws -> ChildDisplay {
        guard let value = args.property("show"), !value.isNull else { return .inline }
        guard case .string(let text) = value, let show = ChildDisplay(rawValue: text) else {
            throw ToolError("'show' is inline or link")
        }
        return show
    }
}
