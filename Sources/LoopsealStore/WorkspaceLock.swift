import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive `flock` on a workspace's `.loopseal/lock`, serializing every writer.
/// The kernel drops the lock when the process dies, so a killed writer never wedges others.
public enum WorkspaceLock {
    /// Runs `body` while holding the lock at `path`, waiting up to `timeout` seconds for it.
    public static func withLock<T>(at path: String, timeout: Double = 60, _ body: () throws -> T) throws -> T {
        try FileIO.makeDirectory(FileIO.parentDirectory(path))
        let fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw StoreError.io(path: path, problem: "cannot open lock file: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let deadline = Date().addingTimeInterval(timeout)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                throw StoreError.io(path: path, problem: "cannot lock: \(String(cString: strerror(errno)))")
            }
            guard Date() < deadline else { throw StoreError.locked(path: path) }
            usleep(2_000)
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }
}
