import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small POSIX file helpers: whole-file reads and atomic, durable writes.
public enum FileIO {
    /// The most any file is read whole unless its kind sets a smaller cap (``FileLimits``).
    public static let defaultLimit = 16 << 20

    /// Reads a whole regular file (symbolic links followed unless `followSymlinks` is false).
    /// Returns nil when it does not exist. A device, FIFO, directory, a link when links are not
    /// followed, or a file larger than `limit` bytes is an error naming the file: everything read
    /// from a repository may be hostile (a pull request can add a link to `/dev/zero`).
    public static func contentsIfExists(_ path: String, limit: Int = defaultLimit, followSymlinks: Bool = true,
                                        kind: String = "file") throws -> [UInt8]? {
        try contentsIfExists(path, relativeTo: AT_FDCWD, displayPath: path, limit: limit,
                             followSymlinks: followSymlinks, kind: kind)
    }

    /// Reads `name` relative to an open directory (fewer path lookups in bulk reads).
    static func contentsIfExists(_ name: String, relativeTo directory: Int32, displayPath: String,
                                 limit: Int = defaultLimit, followSymlinks: Bool = true,
                                 kind: String = "file") throws -> [UInt8]? {
        // A followed link (git can store one, pointing at /dev/watchdog) is refused before opening:
        // opening a device can have effects of its own. Without following, only a device node in
        // the tree itself could be opened, which git cannot create, so bulk reads (sealed files)
        // save the extra stat and rely on the check after opening.
        var before = stat()
        if followSymlinks, fstatat(directory, name, &before, 0) == 0 {
            guard (before.st_mode & S_IFMT) == S_IFREG else {
                throw StoreError.io(path: displayPath, problem: "is \(describe(mode: before.st_mode)), not a regular file: a \(kind) must be a regular file")
            }
        }
        // O_NONBLOCK: a FIFO swapped in after the check must not wait for a writer; the type is
        // checked again on the open descriptor.
        let flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | (followSymlinks ? 0 : O_NOFOLLOW)
        let fd = openat(directory, name, flags)
        if fd < 0 {
            let code = errno
            if code == ENOENT { return nil }
            if code == ELOOP && !followSymlinks {
                throw StoreError.io(path: displayPath, problem: "is a symbolic link; Loopseal reads a \(kind) only from a regular file: replace the link with the file itself")
            }
            throw StoreError.io(path: displayPath, problem: "cannot read: \(String(cString: strerror(code)))")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            throw StoreError.io(path: displayPath, problem: "cannot read: \(String(cString: strerror(errno)))")
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw StoreError.io(path: displayPath, problem: "is \(describe(mode: st.st_mode)), not a regular file: a \(kind) must be a regular file")
        }
        let size = Int(st.st_size)
        guard size <= limit else {
            throw StoreError.io(path: displayPath, problem: "is \(size) bytes, more than the \(limit) allowed for a \(kind): is it the right file?")
        }
        // One byte more than the size seen, to notice a file that grows while it is read.
        var result = [UInt8](repeating: 0, count: size + 1)
        var filled = 0
        while true {
            if filled == result.count {
                guard result.count <= limit else {
                    throw StoreError.io(path: displayPath, problem: "grew past the \(limit) bytes allowed for a \(kind) while it was read")
                }
                result.append(contentsOf: repeatElement(0, count: max(4096, result.count)))
            }
            let n = result.withUnsafeMutableBytes { buffer in
                Glibc.read(fd, buffer.baseAddress.map { $0 + filled }, buffer.count - filled)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw StoreError.io(path: displayPath, problem: "cannot read: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            filled += n
        }
        guard filled <= limit else {
            throw StoreError.io(path: displayPath, problem: "grew past the \(limit) bytes allowed for a \(kind) while it was read")
        }
        result.removeLast(result.count - filled)
        return result
    }

    /// "a directory", "a FIFO", … for error messages.
    static func describe(mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a FIFO"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        case S_IFLNK: return "a symbolic link"
        default: return "not a regular file"
        }
    }

    /// Fails unless `path` is missing or a regular file (not a link, device, FIFO or directory):
    /// Loopseal never writes through a link or onto anything but a regular file.
    public static func checkReplaceable(_ path: String) throws {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw StoreError.io(path: path, problem: "is \(describe(mode: st.st_mode)): Loopseal replaces only regular files; remove it, or choose another path")
        }
    }

    /// Names in a directory (no `.`/`..`), unsorted, read with `readdir`.
    public static func directoryEntries(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else {
            if errno == ENOENT { return [] }
            throw StoreError.io(path: path, problem: "cannot list: \(String(cString: strerror(errno)))")
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Opens a directory for ``contentsIfExists(_:relativeTo:displayPath:)``; the caller closes it.
    static func openDirectory(_ path: String) throws -> Int32 {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw StoreError.io(path: path, problem: "cannot open directory: \(String(cString: strerror(errno)))") }
        return fd
    }

    /// Reads a whole file, failing when it does not exist.
    public static func contents(_ path: String, limit: Int = defaultLimit, kind: String = "file") throws -> [UInt8] {
        guard let bytes = try contentsIfExists(path, limit: limit, kind: kind) else {
            throw StoreError.io(path: path, problem: "no such file")
        }
        return bytes
    }

    /// The directory part of `path`: "" when it has none, "/" for an entry of the root. Written by
    /// hand because Foundation's `deletingLastPathComponent` traps on one-character paths (Swift 6.3.1).
    public static func parentDirectory(_ path: String) -> String {
        let slash = UInt8(ascii: "/")
        var bytes = Array(path.utf8)
        while bytes.count > 1 && bytes.last == slash { bytes.removeLast() }
        guard var end = bytes.lastIndex(of: slash) else { return "" }
        while end > 0 && bytes[end - 1] == slash { end -= 1 }
        return end == 0 ? "/" : String(decoding: bytes[..<end], as: UTF8.self)
    }

    /// Writes `bytes` to `path` atomically: a temporary file in the same directory is written,
    /// flushed with fsync, given `mode`, renamed over `path`, and the directory is fsynced.
    /// A crash at any point leaves either the old file or the new one.
    /// A link, device, FIFO or directory at `path` is refused (``checkReplaceable(_:)``).
    public static func writeAtomically(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644) throws {
        try checkReplaceable(path)
        let tempPath = try writeTemporary(bytes, for: path, mode: mode)
        try replace(path, with: tempPath)
        let directory = FileIO.parentDirectory(path)
        syncDirectory(directory.isEmpty ? "." : directory)
    }

    /// The first half of ``writeAtomically(_:to:mode:)``: writes `bytes` to a new temporary
    /// file beside `path` (`.NAME.tmp-XXXXXX`), gives it `mode` and fsyncs it. Returns its path;
    /// on failure nothing is left behind. Hand it to ``replace(_:with:)``, then flush the folder
    /// (``flushDirectory(_:)``) before relying on the new name.
    public static func writeTemporary(_ bytes: [UInt8], for path: String, mode: mode_t = 0o644) throws -> String {
        let temporary = try createTemporary(bytes, for: path, mode: mode)
        try flushTemporary(temporary, for: path)
        return temporary.path
    }

    /// ``writeTemporary(_:for:mode:)`` without the fsync: the file written and still open. Pass
    /// it to ``flushTemporary(_:for:)`` (which may run on another thread); on failure nothing
    /// is left behind.
    static func createTemporary(_ bytes: [UInt8], for path: String, mode: mode_t = 0o644) throws -> (fd: Int32, path: String) {
        let directory = FileIO.parentDirectory(path)
        let name = (path as NSString).lastPathComponent
        var template = Array("\(directory.isEmpty ? "." : directory)/.\(name).tmp-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.map { mkstemp($0) } ?? -1 }
        guard fd >= 0 else {
            throw StoreError.io(path: path, problem: "cannot create a temporary file: \(String(cString: strerror(errno)))")
        }
        let tempPath = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        do {
            try writeAll(fd, bytes, path: path)
            guard fchmod(fd, mode) == 0 else {
                throw StoreError.io(path: path, problem: "cannot set the mode: \(String(cString: strerror(errno)))")
            }
        } catch {
            close(fd)
            unlink(tempPath)
            throw error
        }
        return (fd, tempPath)
    }

    /// ``createTemporary(_:for:mode:)`` into `spare`, an unused file kept for reuse, instead of
    /// a new one: its bytes are overwritten in place and cut to `bytes`' length. Nil when
    /// `spare` cannot be used: missing, not a regular file, linked elsewhere too (a file still
    /// in use is never overwritten), or on another file system than `path` (it could not be
    /// renamed there); a spare that fails half-way is removed. Reusing a file saves allocating
    /// an inode and freeing one, which on some file systems (ext4 without a journal skips every
    /// inode freed in the last seconds) costs more than the write itself.
    static func reuseSpare(_ spare: String, bytes: [UInt8], for path: String, mode: mode_t = 0o644) -> (fd: Int32, path: String)? {
        let fd = open(spare, O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else { return nil }
        var info = stat()
        var folder = stat()
        let directory = parentDirectory(path)
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_nlink == 1,
              stat(directory.isEmpty ? "." : directory, &folder) == 0, folder.st_dev == info.st_dev else {
            close(fd)
            return nil
        }
        guard (try? writeAll(fd, bytes, path: path)) != nil, ftruncate(fd, off_t(bytes.count)) == 0, fchmod(fd, mode) == 0 else {
            close(fd)
            unlink(spare)
            return nil
        }
        return (fd, spare)
    }

    /// Fsyncs and closes a temporary file from ``createTemporary(_:for:mode:)``; when the fsync
    /// fails the file is removed and the error names `path`.
    static func flushTemporary(_ temporary: (fd: Int32, path: String), for path: String) throws {
        guard fsync(temporary.fd) == 0 else {
            let problem = String(cString: strerror(errno))
            close(temporary.fd)
            unlink(temporary.path)
            throw StoreError.io(path: path, problem: "cannot flush: \(problem)")
        }
        close(temporary.fd)
    }

    /// Renames the temporary file `tempPath` (from ``writeTemporary(_:for:mode:)``) over `path`;
    /// when that fails the temporary file is removed and the error names `path`.
    public static func replace(_ path: String, with tempPath: String) throws {
        guard rename(tempPath, path) == 0 else {
            let problem = String(cString: strerror(errno))
            unlink(tempPath)
            throw StoreError.io(path: path, problem: "cannot replace: \(problem)")
        }
    }

    /// Fsyncs the folder `path`, making the renames and removals made in it durable; unlike the
    /// best-effort flush after a single write, a failure is an error naming the folder.
    public static func flushDirectory(_ path: String) throws {
        let fd = open(path.isEmpty ? "." : path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw StoreError.io(path: path, problem: "cannot open the folder to flush it: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw StoreError.io(path: path, problem: "cannot flush the folder: \(String(cString: strerror(errno)))") }
    }

    /// True for the name of a temporary file ``writeAtomically(_:to:mode:)`` makes (`.NAME.tmp-XXXXXX`).
    public static func isTemporaryName(_ name: String) -> Bool {
        guard name.hasPrefix("."), let range = name.range(of: ".tmp-", options: .backwards) else { return false }
        return name.distance(from: range.upperBound, to: name.endIndex) == 6
    }

    /// Removes a file durably (the directory entry removal is fsynced).
    public static func remove(_ path: String) throws {
        guard unlink(path) == 0 else {
            throw StoreError.io(path: path, problem: "cannot remove: \(String(cString: strerror(errno)))")
        }
        syncDirectory(FileIO.parentDirectory(path))
    }

    /// Creates a directory (and parents) if missing.
    public static func makeDirectory(_ path: String, mode: Int = 0o755) throws {
        do {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: mode])
        } catch {
            throw StoreError.io(path: path, problem: "cannot create directory")
        }
    }

    /// True when `path` exists and is a directory.
    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// True when `path` exists.
    public static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { buffer in
                write(fd, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw StoreError.io(path: path, problem: "cannot write: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }

    private static func syncDirectory(_ directory: String) {
        let dfd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dfd >= 0 else { return }
        fsync(dfd)
        close(dfd)
    }
}
