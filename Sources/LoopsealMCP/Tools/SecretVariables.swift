import LoopsealStore
import LoopsealValue
import MCP

/// The secrets a request names, read from a tool argument into the `[{key, description?}]` the
/// `request-secrets` workflow takes as `args.variables`. Errors name the item and field at
/// fault; none repeats anything but a key name (a stray `value` field is named, not shown).
enum SecretVariables {
    /// Argument `field` of `arguments`: a non-empty list of objects `{key, description?}`, or with
    /// `namesAllowed` also plain key names. Each key is valid and listed once. `missing` is the
    /// message's tail when the argument is absent or empty.
    static func read(_ arguments: ToolArguments, field: String, namesAllowed: Bool, missing: String) throws -> [TemplateValue] {
        let tool = arguments.tool
        guard let items = try arguments.array(field), !items.isEmpty else {
            throw ToolCallError("\(tool): '\(field)' is required: \(missing)")
        }
        var seen: Set<String> = []
        return try items.enumerated().map { index, item in
            let path = "\(field)[\(index)]"
            let key: String
            var description: String?
            switch item {
            case .string(let name) where namesAllowed:
                key = name
            case .object(let object):
                if let extra = object.keys.sorted().first(where: { $0 != "key" && $0 != "description" }) {
                    throw ToolCallError("\(tool): '\(path)' has unknown field '\(ToolArguments.printable(extra))' (expected: key, description)")
                }
                guard let name = object["key"]?.stringValue else {
                    throw ToolCallError("\(tool): '\(path).key' is required and must be a string")
                }
                key = name
                if let text = object["description"], !text.isNull {
                    guard let string = text.stringValue else { throw ToolCallError("\(tool): '\(path).description' must be a string") }
                    description = string
                }
            default:
                throw ToolCallError("\(tool): '\(path)' must be \(namesAllowed ? "a key name or an object {key, description}" : "an object {key, description}")")
            }
            guard Names.isValidKey(key) else {
                throw ToolCallError("\(tool): '\(path)': \(StoreError.invalidKey(key))")
            }
            guard seen.insert(key).inserted else {
                throw ToolCallError("\(tool): '\(path)': \(key) is listed twice")
            }
            var pairs: [(String, TemplateValue)] = [("key", .string(key))]
            if let description { pairs.append(("description", .string(description))) }
            return .dictionary(pairs)
        }
    }
}
