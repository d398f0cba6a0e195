import Foundation
import LoopsealStore

#if canImport(Glibc)
import Glibc
#endif

/// An open `O_APPEND` descriptor on the audit log, taken before a change is made: when the log
/// cannot be opened, the change is refused before anything is written. ``append(_:)`` writes
/// every entry of one change in a single `write` and `fsync`s it.
final class AuditAppender: @unchecked Sendable {
    /// The log file.
    let path: String
    private var fd: Int32

    /// Opens `path` for appending (created with mode 0600). Refuses a symlink, a directory, a FIFO
    /// or anything else that is not a regular file, without blocking on it.
    init(path: String) throws {
        self.path = path
        do {
            try FileIO.makeDirectory(FileIO.parentDirectory(path), mode: 0o700)
        } catch {
            throw Self.failure(path, "its directory cannot be created (\(error))")
        }
        let fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0o600)
        guard fd >= 0 else {
            let reason = errno == ELOOP ? "it is a symlink" : String(cString: strerror(errno))
            throw Self.failure(path, reason)
        }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw Self.failure(path, "it is not a regular file")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        guard Self.dropTornTail(fd, size: Int(info.st_size)) else {
            close(fd)
            throw Self.failure(path, "its unfinished last line cannot be cut off (\(String(cString: strerror(errno))))")
        }
        self.fd = fd
    }

    /// Cuts off a last line without its line break: what a kill -9 in the middle of a large
    /// append leaves. That batch was never answered (answers wait for the fsync), and appending
    /// after it would glue the next entry onto it. False when the file cannot be read or cut.
    private static func dropTornTail(_ fd: Int32, size: Int) -> Bool {
        var end = size
        var chunk = [UInt8](repeating: 0, count: 4096)
        while end > 0 {
            let start = max(0, end - chunk.count)
            let count = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, end - start, off_t(start)) }
            guard count == end - start else { return false }
            if let newline = chunk[0..<count].lastIndex(of: 0x0A) {
                end = start + newline + 1
                break
            }
            end = start
        }
        guard end < size else { return true }
        return ftruncate(fd, off_t(end)) == 0 && fsync(fd) == 0
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Appends `entries`, one JSON line each, in one `write`, then `fsync`s.
    func append(_ entries: [AuditEntry]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var bytes: [UInt8] = []
        for entry in entries { bytes += Array(try encoder.encode(entry)) + [0x0A] }
        guard !bytes.isEmpty else { return }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            let reason = written < 0 ? String(cString: strerror(errno)) : "only \(written) of \(bytes.count) bytes were written"
            throw APIError(.internalServerError, "audit_log",
                           "cannot append to the audit log \(path) (\(reason)): free space on its disk or fix the file, then retry")
        }
        guard fsync(fd) == 0 else {
            throw APIError(.internalServerError, "audit_log",
                           "cannot flush the audit log \(path) (\(String(cString: strerror(errno)))): check its disk, then retry")
        }
    }

    private static func failure(_ path: String, _ reason: String) -> APIError {
        APIError(.internalServerError, "audit_log",
                 "cannot open the audit log \(path) for appending: \(reason). Nothing was changed: make \(path) a regular file the server can append to (or move it away so the server creates it), then retry")
    }
}
