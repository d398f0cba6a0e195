import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A folder's device and inode: what a path names now, so a folder replaced under the same path
/// (a checkout that recreates it, a tree moved into place, a link pointed elsewhere) is told
/// apart from the one being watched.
struct DirectoryIdentity: Equatable, Sendable {
    var device: UInt64
    var inode: UInt64

    /// What a path names.
    enum Lookup: Equatable {
        case folder(DirectoryIdentity)
        case absent
        /// Something other than a folder, or a path that cannot be looked at.
        case unusable
    }

    /// What `path` names now, following links.
    static func lookup(_ path: String) -> Lookup {
        var info = stat()
        guard stat(path, &info) == 0 else { return errno == ENOENT ? .absent : .unusable }
        guard info.st_mode & S_IFMT == S_IFDIR else { return .unusable }
        return .folder(DirectoryIdentity(info))
    }

    init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }
}
