import Dispatch
import Foundation
import Logging
import MCP
import LoopsealValue

/// The MCP tools of one Loopseal root, callable with or without a transport: `get_secret_keys`,
/// `list_workflows`, `start_run`, `get_run`, `request_secrets`, `request_secrets_task`,
/// `sync_secrets`, `list_due_secrets`, `remind_owners`. A call may name a tool in camelCase too (`requestSecretsTask`), as workflow
/// files may. No tool result or error ever holds a secret value.
public struct LoopsealTools: Sendable {
    /// Where the tools look and how they link.
    public let configuration: MCPConfiguration
    private let handlers: [any MCPToolHandler]
    private let logger: Logger

    /// The tools for `configuration`.
    public init(configuration: MCPConfiguration, logger: Logger = Logger(label: "loopseal.mcp")) {
        self.configuration = configuration
        self.logger = logger
        handlers = [
            GetSecretKeysHandler(), ListWorkflowsHandler(), StartRunHandler(), GetRunHandler(), RequestSecretsHandler(),
            RequestSecretsTaskHandler(), SyncSecretsHandler(), ListDueSecretsHandler(), RemindOwnersHandler(),
        ]
    }

    /// What `tools/list` returns.
    public var definitions: [Tool] { handlers.map(\.definition) }

    /// The listed name of tool `name`, given as listed (`request_secrets_task`) or in camelCase
    /// (`requestSecretsTask`); nil for no tool.
    public func toolName(_ name: String) -> String? {
        handler(named: name)?.definition.name
    }

    private func handler(named name: String) -> (any MCPToolHandler)? {
        handlers.first { $0.definition.name == name } ?? handlers.first { Self.camelCase($0.definition.name) == name }
    }

    /// `request_secrets_task` as `requestSecretsTask`.
    static func camelCase(_ name: String) -> String {
        let words = name.split(separator: "_")
        return (words.first.map(String.init) ?? "") + words.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// Calls tool `name` (as listed or in camelCase). Unknown tools, bad arguments and failures
    /// come back as results with `isError` set and a message naming what is wrong. Runs off the
    /// cooperative pool, since tools read files and may run `ssh`.
    public func call(_ name: String, arguments: [String: Value]?) async -> CallTool.Result {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: callBlocking(name, arguments: arguments))
            }
        }
    }

    private func callBlocking(_ name: String, arguments: [String: Value]?) -> CallTool.Result {
        let started = DispatchTime.now()
        let result: CallTool.Result
        if let handler = handler(named: name) {
            do {
                let allowed = ToolDefinitions.argumentNames(of: handler.definition)
                let outcome = try handler.call(try ToolArguments(tool: handler.definition.name, values: arguments, allowed: allowed),
                                               context: ToolContext(configuration: configuration))
                let data = Self.text(outcome.data.jsonText)
                let content: [Tool.Content] = outcome.failure.map { [Self.text($0), data] } ?? [data]
                let structured: Value? = outcome.data
                result = CallTool.Result(content: content, structuredContent: structured, isError: outcome.failure != nil, _meta: nil)
            } catch let error as ToolCallError {
                result = CallTool.Result(content: [Self.text(error.message)], isError: true)
            } catch {
                result = CallTool.Result(content: [Self.text("\(name): \(error)")], isError: true)
            }
        } else {
            let known = handlers.map(\.definition.name).joined(separator: ", ")
            result = CallTool.Result(content: [Self.text("unknown tool '\(ToolArguments.printable(name))' (tools: \(known))")], isError: true)
        }
        let milliseconds = (DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1_000_000
        logger.info("tool call", metadata: [
            "tool": "\(ToolArguments.printable(name))", "error": "\(result.isError ?? false)", "ms": "\(milliseconds)",
        ])
        return result
    }

    private static func text(_ text: String) -> Tool.Content {
        .text(text: text, annotations: nil, _meta: nil)
    }
}
