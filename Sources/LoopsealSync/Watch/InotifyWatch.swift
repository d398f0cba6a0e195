import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A thin wrapper over Linux inotify: add watches, wait for events with a timeout. Not
/// thread-safe: one owner reads it (the watcher's loop, the server's listing cache under its lock).
public final class InotifyWatch {
    /// One event: the watch it came from, its mask (`IN_…`), and the entry it names ("" for the
    /// watched folder itself).
    public struct Event {
        /// The watch descriptor, or -1 for `IN_Q_OVERFLOW`.
        public var watch: Int32
        /// The `IN_…` bits.
        public var mask: UInt32
        /// The name of the entry in the watched folder; "" when the event is about the folder.
        public var name: String
    }

    let fd: Int32
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)

    /// A non-blocking inotify instance; throws when the kernel refuses one (no instances left).
    public init() throws {
        fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { throw SyncError("cannot start inotify: \(String(cString: strerror(errno)))") }
    }

    deinit { close(fd) }

    /// Watches `path` for `mask`; returns the watch descriptor.
    public func add(_ path: String, mask: UInt32) throws -> Int32 {
        let wd = inotify_add_watch(fd, path, mask)
        guard wd >= 0 else { throw SyncError("cannot watch \(path): \(String(cString: strerror(errno)))") }
        return wd
    }

    /// Stops watch `watch` (its `IN_IGNORED` event follows).
    public func remove(_ watch: Int32) {
        _ = inotify_rm_watch(fd, watch)
    }

    /// Waits up to `timeout` seconds (negative: forever) for this or `otherFD` to be readable.
    /// Returns (inotify readable, other readable).
    func wait(timeout: Double, otherFD: Int32) -> (Bool, Bool) {
        var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0), pollfd(fd: otherFD, events: Int16(POLLIN), revents: 0)]
        let milliseconds = timeout < 0 ? -1 : Int32(max(0, timeout * 1000))
        let ready = poll(&fds, 2, milliseconds)
        guard ready > 0 else { return (false, false) }
        return (fds[0].revents & Int16(POLLIN) != 0, fds[1].revents & Int16(POLLIN) != 0)
    }

    /// Reads every pending event; returns at once (empty) when there is none.
    public func read() -> [Event] {
        var events: [Event] = []
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            var offset = 0
            while offset + MemoryLayout<inotify_event>.size <= n {
                let (wd, mask, length) = buffer.withUnsafeBytes { raw -> (Int32, UInt32, Int) in
                    let event = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                    return (event.wd, event.mask, Int(event.len))
                }
                let nameStart = offset + MemoryLayout<inotify_event>.size
                let nameBytes = buffer[nameStart..<min(nameStart + length, n)].prefix { $0 != 0 }
                events.append(Event(watch: wd, mask: mask, name: String(decoding: nameBytes, as: UTF8.self)))
                offset = nameStart + length
            }
        }
        return events
    }
}
