import Logging
import MCP

/// `loopseal mcp`: the Model Context Protocol over stdio (newline-delimited JSON-RPC 2.0 on
/// stdin/stdout), offering ``LoopsealTools``. Logs go to the logger (stderr in the CLI), never
/// to stdout, which carries only the protocol.
public struct LoopsealMCPServer: Sendable {
    /// The tools served.
    public let tools: LoopsealTools
    private let logger: Logger

    /// A server for `configuration`.
    public init(configuration: MCPConfiguration, logger: Logger = Logger(label: "loopseal.mcp")) {
        tools = LoopsealTools(configuration: configuration, logger: logger)
        self.logger = logger
    }

    /// Serves stdin/stdout until stdin ends, answers the requests already read, then returns.
    public func runOverStdio() async throws {
        try await run(transport: StdioTransport(logger: logger))
    }

    /// Serves `transport` until its input ends, answering the requests already read.
    public func run(transport: any Transport) async throws {
        let draining = DrainingTransport(transport, logger: logger)
        let server = Server(
            name: "loopseal",
            version: "0.1.0",
            title: "Loopseal",
            instructions: """
                Loopseal keeps a team's secrets encrypted in git. These tools list secret key names, start \
                workflow runs and sync targets; they never return a secret value. To obtain a secret, call \
                request_secrets_task (or request_secrets) and give the user the returned link: a person types \
                the value on that page; call request_secrets_task again with its workflowId to learn when the \
                values are stored. Never ask the user to paste a secret into the conversation.
                """,
            capabilities: .init(tools: .init(listChanged: false)))
        let tools = self.tools
        await server.withMethodHandler(ListTools.self) { _ in
            ListTools.Result(tools: tools.definitions)
        }
        await server.withMethodHandler(CallTool.self) { params in
            guard tools.toolName(params.name) != nil else {
                let known = tools.definitions.map(\.name).joined(separator: ", ")
                throw MCPError.invalidParams("Unknown tool: '\(params.name.prefix(60))' (tools: \(known))")
            }
            return await tools.call(params.name, arguments: params.arguments)
        }
        try await server.start(transport: draining)
        logger.debug("serving", metadata: ["root": "\(tools.configuration.root)"])
        await server.waitUntilCompleted()
        await draining.waitForAnswers(timeout: 30)
        await server.stop()
    }
}
