import Foundation
import LoopsealStore

#if canImport(Glibc)
import Glibc
#endif

/// `type: file`: an atomic write (temporary file, fsync, rename) with mode 0600. The parent
/// folder must exist: Loopseal does not create deployment folders on its own. The path must be
/// missing or a regular file: Loopseal never writes through a link or onto a device or FIFO.
public struct FileTargetWriter: TargetWriter {
    public init() {}

    public func deliver(_ payload: [UInt8], to target: SyncTarget, workspace: Workspace, secrets: [[UInt8]]) throws {
        try preflight(target, workspace: workspace)
        try FileIO.writeAtomically(payload, to: Self.absolute(resolvedPath(target.path ?? "", in: workspace)), mode: 0o600)
    }

    /// What the write would refuse: a missing folder, or a link, directory or special file at the path.
    func preflight(_ target: SyncTarget, workspace: Workspace) throws {
        let path = resolvedPath(target.path ?? "", in: workspace)
        let parent = FileIO.parentDirectory(path)
        guard FileIO.isDirectory(parent.isEmpty ? "." : parent) else {
            throw SyncError("target '\(target.name)': folder \(Self.absolute(parent)) does not exist; create it first")
        }
        do {
            try FileIO.checkReplaceable(Self.absolute(path))
        } catch let error as StoreError {
            throw SyncError("target '\(target.name)': \(error)")
        }
    }

    /// The file's current bytes, for drift detection (never through a link).
    func current(_ target: SyncTarget, workspace: Workspace) throws -> [UInt8]? {
        try FileIO.contentsIfExists(Self.absolute(resolvedPath(target.path ?? "", in: workspace)), limit: FileLimits.syncTarget,
                                    followSymlinks: false, kind: "sync target")
    }

    /// `path` made absolute and free of `.`/`..` and symbolic links in its folders, for messages
    /// and the repository check.
    static func absolute(_ path: String) -> String {
        let parent = FileIO.parentDirectory(path)
        let name = String(path.split(separator: "/").last ?? "")
        guard let real = realpath(parent.isEmpty ? "." : parent, nil) else {
            return URL(fileURLWithPath: path).standardizedFileURL.path
        }
        defer { free(real) }
        let folder = String(cString: real)
        return folder == "/" ? "/\(name)" : "\(folder)/\(name)"
    }

    /// True when `absolutePath` lies inside the repository `root` (component-wise, links resolved).
    func isInside(_ absolutePath: String, root: String) -> Bool {
        guard let real = realpath(root, nil) else { return false }
        defer { free(real) }
        let base = String(cString: real)
        return absolutePath.hasPrefix(base == "/" ? "/" : base + "/")
    }
}
