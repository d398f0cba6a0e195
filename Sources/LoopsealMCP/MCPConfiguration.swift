import Foundation

/// How `loopseal mcp` was started: where the workspaces are and how to reach the web page.
public struct MCPConfiguration: Sendable {
    /// The directory holding `workspaces/` and `workflows/`.
    public let root: String
    /// The workspace a tool call without `workspace` uses; nil means the only one under `root`.
    public let defaultWorkspace: String?
    /// Base URL of `loopseal serve`, used to build run links (no trailing slash).
    public let serverURL: String
    /// Identity files (`--identity`) for `sync_secrets`; the environment and the identities folder
    /// are searched after them, as everywhere else.
    public let identityFiles: [String]
    /// The environment identities are looked up in.
    public let environment: [String: String]

    /// A configuration; a trailing `/` on `serverURL` is dropped.
    public init(root: String, defaultWorkspace: String? = nil, serverURL: String = "http://127.0.0.1:8080",
                identityFiles: [String] = [], environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.root = root
        self.defaultWorkspace = defaultWorkspace
        var url = serverURL
        while url.hasSuffix("/") { url.removeLast() }
        self.serverURL = url
        self.identityFiles = identityFiles
        self.environment = environment
    }

    /// The page where a person sees run `runID` of workspace `workspace` (and fills its secret form).
    public func runLink(workspace: String, runID: String) -> String {
        "\(serverURL)/workspaces/\(workspace)/runs/\(runID)"
    }
}
