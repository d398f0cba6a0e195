import Foundation
import LoopsealSync
import LoopsealSystem
#if canImport(Glibc)
import Glibc
#endif

/// A folder under an inotify watch, with the identity of exactly the folder watched: the folder
/// is opened once and watched through its descriptor (`/proc/self/fd/N`), so the path cannot
/// name another folder between looking and watching.
struct WatchedFolder: Equatable {
    var identity: DirectoryIdentity
    var watch: Int32

    /// Why a folder is not watched (its listing is then read in full at every request).
    struct Refusal: Error, CustomStringConvertible {
        var description: String
    }

    /// Filesystems on which every change, by any process of this machine, makes an inotify event
    /// (`statfs` magic numbers). Network and FUSE filesystems are left out: a change made by
    /// another machine, or behind the FUSE daemon, makes no event there.
    static let localFilesystems: Set<UInt32> = [
        0xEF53,      // ext2, ext3, ext4
        0x5846_5342, // xfs
        0x9123_683E, // btrfs
        0x0102_1994, // tmpfs
        0x8584_58F6, // ramfs
        0x794C_7630, // overlayfs
        0x2FC1_2FC1, // zfs
        0xF2F5_2010, // f2fs
        0xCA45_1A4E, // bcachefs
    ]

    /// Watches the folder `path` names now with `mask`; nil when there is nothing at `path`.
    /// Throws ``Refusal`` for anything else that is not a folder on a local filesystem, or
    /// when the kernel refuses the watch (`fs.inotify.max_user_watches` reached).
    static func watch(_ path: String, inotify: InotifyWatch, mask: UInt32) throws -> WatchedFolder? {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw Refusal(description: "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, let type = FilesystemType.magic(of: fd) else {
            throw Refusal(description: "cannot look at \(path): \(String(cString: strerror(errno)))")
        }
        guard localFilesystems.contains(type) else {
            throw Refusal(description: "\(path) is on a filesystem (type 0x\(String(type, radix: 16))) where inotify may miss changes made elsewhere")
        }
        do {
            return WatchedFolder(identity: DirectoryIdentity(info), watch: try inotify.add("/proc/self/fd/\(fd)", mask: mask))
        } catch {
            throw Refusal(description: "cannot watch \(path): \(error)")
        }
    }
}
