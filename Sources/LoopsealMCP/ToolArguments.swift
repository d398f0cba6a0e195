import LoopsealDiagnostics
import MCP

/// A tool call that cannot run as asked; the message names the argument at fault.
/// Returned to the client as a tool error, never as a protocol error. Holds no secret value.
struct ToolCallError: Error, Sendable, CustomStringConvertible {
    /// What is wrong and what to do about it.
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

/// The arguments of one tools/call, read by name with errors that name the field.
struct ToolArguments: Sendable {
    /// The tool being called, for messages.
    let tool: String
    private let values: [String: Value]

    /// Wraps `values`, refusing any argument `allowed` does not list.
    init(tool: String, values: [String: Value]?, allowed: [String]) throws {
        self.tool = tool
        self.values = values ?? [:]
        let unknown = self.values.keys.filter { !allowed.contains($0) }.sorted()
        if let first = unknown.first {
            let expected = allowed.isEmpty ? "it takes no arguments" : "expected: \(allowed.sorted().joined(separator: ", "))"
            throw ToolCallError("\(tool): unknown argument '\(Self.printable(first))' (\(expected))")
        }
    }

    /// The raw value of `name`; an explicit JSON null counts as absent.
    func value(_ name: String) -> Value? {
        guard let value = values[name], !value.isNull else { return nil }
        return value
    }

    /// A string argument; nil when absent.
    func string(_ name: String) throws -> String? {
        guard let value = value(name) else { return nil }
        guard let text = value.stringValue else { throw mistyped(name, "a string") }
        return text
    }

    /// A string argument that must be present and not empty.
    func requiredString(_ name: String, hint: String) throws -> String {
        guard let text = try string(name), !text.isEmpty else {
            throw ToolCallError("\(tool): '\(name)' is required: \(hint)")
        }
        return text
    }

    /// A boolean argument, `fallback` when absent.
    func bool(_ name: String, default fallback: Bool) throws -> Bool {
        guard let value = value(name) else { return fallback }
        guard let flag = value.boolValue else { throw mistyped(name, "true or false") }
        return flag
    }

    /// An object argument; nil when absent.
    func object(_ name: String) throws -> [String: Value]? {
        guard let value = value(name) else { return nil }
        guard let object = value.objectValue else { throw mistyped(name, "a JSON object") }
        return object
    }

    /// An array argument; nil when absent.
    func array(_ name: String) throws -> [Value]? {
        guard let value = value(name) else { return nil }
        guard let items = value.arrayValue else { throw mistyped(name, "an array") }
        return items
    }

    private func mistyped(_ name: String, _ expected: String) -> ToolCallError {
        ToolCallError("\(tool): '\(name)' must be \(expected)")
    }

    /// `text` bounded and without control characters, safe to repeat in a message.
    static func printable(_ text: String) -> String { UntrustedText.display(text) }
}
