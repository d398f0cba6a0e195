import Foundation
import LoopsealStore

/// `type: file`: an atomic write (temporary file, fsync, rename) with mode 0600. The parent
/// folder must exist: Loopseal does not create deployment folders on its own.
public struct FileTargetWriter: TargetWriter {
    public init() {}

    public func deliver(_ payload: [UInt8], to target: SyncTarget, workspace: Workspace, secrets: [[UInt8]]) throws {
        let path = resolvedPath(target.path ?? "", in: workspace)
        let parent = FileIO.parentDirectory(path)
        guard FileIO.isDirectory(parent.isEmpty ? "." : parent) else {
            throw SyncError("target '\(target.name)': folder \(parent) does not exist; create it first")
        }
        try FileIO.writeAtomically(payload, to: path, mode: 0o600)
    }

    /// The file's current bytes, for drift detection.
    func current(_ target: SyncTarget, workspace: Workspace) throws -> [UInt8]? {
        try FileIO.contentsIfExists(resolvedPath(target.path ?? "", in: workspace))
    }
}
