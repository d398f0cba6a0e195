import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A request to stop a long-running loop (`watch`, `watch --pull`), safe to make from any
/// thread or from SIGINT/SIGTERM: it writes a byte to a pipe whose read end the loop polls
/// beside its own work (``fileDescriptor``, ``wait(seconds:)``). Only the pipe write happens
/// off the loop's thread, which is what the unchecked `Sendable` promises.
public final class StopSignal: @unchecked Sendable {
    /// Why a stop signal could not be made.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    private let pipeEnds: [Int32]
    private var sources: [DispatchSourceSignal] = []

    /// A new, unrequested stop.
    public init() throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw Failure(description: "cannot create a pipe for signals: \(String(cString: strerror(errno)))") }
        pipeEnds = fds
    }

    deinit {
        close(pipeEnds[0])
        close(pipeEnds[1])
    }

    /// The read end: readable once a stop was requested.
    public var fileDescriptor: Int32 { pipeEnds[0] }

    /// Makes SIGINT and SIGTERM request the stop instead of ending the process.
    public func onSignals() {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            let writeEnd = pipeEnds[1]
            source.setEventHandler { var byte: UInt8 = 1; _ = Glibc.write(writeEnd, &byte, 1) }
            source.resume()
            sources.append(source)
        }
    }

    /// Requests the stop (from any thread).
    public func request() {
        var byte: UInt8 = 1
        _ = Glibc.write(pipeEnds[1], &byte, 1)
    }

    /// Waits up to `seconds`; true as soon as a stop is requested.
    public func wait(seconds: Double) -> Bool {
        var poller = pollfd(fd: pipeEnds[0], events: Int16(POLLIN), revents: 0)
        return poll(&poller, 1, Int32(max(0, min(seconds * 1000, Double(Int32.max))))) > 0
    }

    /// Runs the blocking `body` on a thread of its own (never on the concurrency pool) and
    /// returns when it does, or throws what it threw.
    public static func runOnThread(named name: String, _ body: @escaping @Sendable () throws -> Void) async throws {
        try await withCheckedThrowingContinuation { (finished: CheckedContinuation<Void, any Error>) in
            let thread = Thread {
                do {
                    try body()
                    finished.resume()
                } catch {
                    finished.resume(throwing: error)
                }
            }
            thread.name = name
            thread.start()
        }
    }
}
