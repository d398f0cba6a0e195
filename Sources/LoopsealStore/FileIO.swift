import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small POSIX file helpers: whole-file reads and atomic, durable writes.
public enum FileIO {
    /// Reads a whole file. Returns nil when it does not exist.
    public static func contentsIfExists(_ path: String) throws -> [UInt8]? {
        try contentsIfExists(path, relativeTo: AT_FDCWD, displayPath: path)
    }

    /// Reads a whole regular file (symbolic links followed). Returns nil when it does not exist;
    /// a device, FIFO or directory is an error. For paths taken from file contents, such as a
    /// workflow's `template:`, so that `/dev/zero` or a FIFO cannot stall the reader.
    public static func regularFileContentsIfExists(_ path: String) throws -> [UInt8]? {
        try contentsIfExists(path, relativeTo: AT_FDCWD, displayPath: path, regularOnly: true)
    }

    /// Reads `name` relative to an open directory (fewer path lookups in bulk reads).
    static func contentsIfExists(_ name: String, relativeTo directory: Int32, displayPath: String,
                                 regularOnly: Bool = false) throws -> [UInt8]? {
        // O_NONBLOCK: opening a FIFO must not wait for a writer before it can be refused.
        let fd = openat(directory, name, O_RDONLY | O_CLOEXEC | (regularOnly ? O_NONBLOCK : 0))
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw StoreError.io(path: displayPath, problem: "cannot read: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var st = stat()
        let size = fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG ? Int(st.st_size) : -1
        if regularOnly && size < 0 {
            throw StoreError.io(path: displayPath, problem: "not a regular file")
        }
        var result = [UInt8](repeating: 0, count: max(size, 0))
        var filled = 0
        // A regular file of known size needs no extra read to see its end.
        while size < 0 || filled < size {
            if filled == result.count { result.append(contentsOf: repeatElement(0, count: max(4096, result.count))) }
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
        if filled < result.count { result.removeLast(result.count - filled) }
        return result
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
    public static func contents(_ path: String) throws -> [UInt8] {
        guard let bytes = try contentsIfExists(path) else {
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
    public static func writeAtomically(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644) throws {
        let directory = FileIO.parentDirectory(path)
        let name = (path as NSString).lastPathComponent
        var template = Array("\(directory.isEmpty ? "." : directory)/.\(name).tmp-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.map { mkstemp($0) } ?? -1 }
        guard fd >= 0 else {
            throw StoreError.io(path: path, problem: "cannot create a temporary file: \(String(cString: strerror(errno)))")
        }
        let tempPath = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var committed = false
        defer { if !committed { unlink(tempPath) } }
        do {
            try writeAll(fd, bytes, path: path)
            guard fchmod(fd, mode) == 0, fsync(fd) == 0 else {
                let problem = String(cString: strerror(errno))
                close(fd)
                throw StoreError.io(path: path, problem: "cannot flush: \(problem)")
            }
        } catch {
            close(fd)
            throw error
        }
        close(fd)
        guard rename(tempPath, path) == 0 else {
            throw StoreError.io(path: path, problem: "cannot replace: \(String(cString: strerror(errno)))")
        }
        committed = true
        syncDirectory(directory.isEmpty ? "." : directory)
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
