import Foundation

/// The last `workspace.yaml` parsed per workspace, for a caller that loads it over and over
/// (the server, once per batch of writes): the file is read every time, and parsed again only
/// when its bytes differ from the ones parsed last. The same bytes give the same result, so a
/// cached load answers exactly what ``Workspace/loadConfig()`` would.
public final class WorkspaceConfigCache: @unchecked Sendable {
    private let lock = NSLock()
    private var parsed: [String: (bytes: [UInt8], config: WorkspaceConfig)] = [:]

    /// An empty cache.
    public init() {}

    /// `workspace`'s `workspace.yaml`, as ``Workspace/loadConfig()`` loads it.
    public func load(_ workspace: Workspace) throws -> WorkspaceConfig {
        let bytes = try FileIO.contentsIfExists(workspace.configPath, limit: FileLimits.workspaceConfig,
                                                followSymlinks: false, kind: "workspace.yaml")
        let key = workspace.configPath
        if let bytes, let cached = lock.withLock({ parsed[key] }), cached.bytes == bytes { return cached.config }
        let config = try workspace.loadConfig()
        if let bytes { lock.withLock { parsed[key] = (bytes, config) } }
        return config
    }
}
