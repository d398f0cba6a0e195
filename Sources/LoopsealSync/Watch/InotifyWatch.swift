import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A thin wrapper over Linux inotify: add watches, wait for events with a timeout.
final class InotifyWatch {
    struct Event {
        var watch: Int32
        var mask: UInt32
        var name: String
    }

    let fd: Int32
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)

    init() throws {
        fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { throw SyncError("cannot start inotify: \(String(cString: strerror(errno)))") }
    }

    deinit { close(fd) }

    /// Watches `path` for `mask`; returns the watch descriptor.
    func add(_ path: String, mask: UInt32) throws -> Int32 {
        let wd = inotify_add_watch(fd, path, mask)
        guard wd >= 0 else { throw SyncError("cannot watch \(path): \(String(cString: strerror(errno)))") }
        return wd
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

    /// Reads every pending event.
    func read() -> [Event] {
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
