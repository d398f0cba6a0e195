import ArgumentParser
import Foundation
import Logging
import LoopsealMCP
import LoopsealStore

struct MCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serve the Model Context Protocol over stdio: tools that list keys and workflows, start runs and sync, never returning a value.",
        discussion: """
            Speaks newline-delimited JSON-RPC 2.0 on stdin/stdout and logs to stderr; it exits when stdin ends. \
            Tools: get_secret_keys, list_workflows, start_run, request_secrets (starts a secret-request run and \
            returns the link of its page, where a person types the values), sync_secrets. No tool returns a \
            secret value. Register it in an MCP client as the command `loopseal mcp --root /path/to/repo`. \
            Each tool declares an outputSchema for its structuredContent. Until 'initialize' is answered only \
            'initialize' and 'ping' are (other requests get a JSON-RPC error; those piped right after \
            'initialize' wait for its answer); a line that is not JSON gets a parse error with "id": null. \
            LOOPSEAL_LOG_LEVEL (default warning) sets what goes to stderr.
            """)

    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var identities: IdentityOptions

    @Option(help: ArgumentHelp("Base URL of `loopseal serve`, for the run links tools return.", valueName: "url"))
    var serverURL = "http://127.0.0.1:8080"

    func validate() throws {
        guard serverURL.hasPrefix("http://") || serverURL.hasPrefix("https://"), serverURL.count > 8 else {
            throw ValidationError("--server-url '\(serverURL)': expected an http:// or https:// URL, e.g. http://127.0.0.1:8080")
        }
    }

    func run() async throws {
        var root = try workspace.resolveRoot()
        if !root.hasPrefix("/") { root = FileManager.default.currentDirectoryPath + "/" + root }
        if workspace.workspace != nil { _ = try workspace.resolve() } else if Workspace.list(root: root).isEmpty {
            throw StoreError.noWorkspaces(root: root)
        }
        let configuration = MCPConfiguration(
            root: root, defaultWorkspace: workspace.workspace, serverURL: serverURL, identityFiles: identities.identity)
        let server = LoopsealMCPServer(configuration: configuration, logger: Logger(label: "loopseal.mcp"))
        do {
            try await server.runOverStdio()
        } catch {
            throw CLIError("the MCP server stopped: \(error)")
        }
    }
}
