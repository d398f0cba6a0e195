import Logging
import NIOConcurrencyHelpers
import NIOCore

/// The open connections of one server, shared by their ``ConnectionGuard``s across event loops.
/// It keeps the connections waiting for a request head (new ones and kept-alive idle ones) in
/// the order they started waiting. When a connection beyond ``ConnectionLimits/maxConnections``
/// arrives, the one that has waited longest is closed to make room: a flood of connections that
/// never send a request cannot keep a real client (or `GET /healthz`) out, and a request being
/// read or answered is never cut off for it. Only when every connection is busy is the new one
/// closed instead.
final class ConnectionRegistry: @unchecked Sendable {
    typealias Ticket = UInt64

    private struct Waiting {
        let channel: any Channel
        let generation: UInt64
    }

    private let maxConnections: Int
    private let logger: Logger
    private let lock = NIOLock()
    private var live = 0
    private var nextTicket: Ticket = 0
    private var nextGeneration: UInt64 = 0
    private var waiting: [Ticket: Waiting] = [:]
    private var order: [(ticket: Ticket, generation: UInt64)] = []
    private var orderStart = 0
    private var evicted: Set<Ticket> = []
    private var lastWarning: NIODeadline = .distantPast

    /// A registry admitting `maxConnections` at once.
    init(maxConnections: Int, logger: Logger) {
        self.maxConnections = maxConnections
        self.logger = logger
    }

    /// Open connections not being closed (for tests and logs).
    var openConnections: Int { lock.withLock { live } }

    /// Registers a new connection as waiting for its head; closes the longest-waiting one (or
    /// this one) when the cap is exceeded.
    func opened(_ channel: any Channel) -> Ticket {
        var victim: (any Channel)?
        var warn = false
        let ticket: Ticket = lock.withLock {
            let ticket = nextTicket
            nextTicket += 1
            live += 1
            enqueue(ticket, channel)
            // The new connection waits too, so there is always one to close: it is the new one
            // only when every other connection is busy with a request.
            if live > maxConnections, let (oldest, oldestChannel) = popOldest() {
                victim = oldestChannel
                evicted.insert(oldest)
                live -= 1
                let now = NIODeadline.now()
                if now - lastWarning > .seconds(10) {
                    lastWarning = now
                    warn = true
                }
            }
            return ticket
        }
        if warn {
            logger.warning("connection limit reached: closing the connections that waited longest for a request head",
                           metadata: ["maxConnections": "\(maxConnections)"])
        }
        victim?.close(promise: nil)
        return ticket
    }

    /// The connection is reading or answering a request: it is not evicted.
    func busy(_ ticket: Ticket) {
        lock.withLock { _ = waiting.removeValue(forKey: ticket) }
    }

    /// The connection answered everything it read and waits for another request head.
    func idle(_ ticket: Ticket, _ channel: any Channel) {
        lock.withLock {
            guard !evicted.contains(ticket) else { return }
            enqueue(ticket, channel)
        }
    }

    /// The connection closed.
    func closed(_ ticket: Ticket) {
        lock.withLock {
            waiting[ticket] = nil
            if evicted.remove(ticket) == nil { live -= 1 }
            if order.count - orderStart > 2 * waiting.count + 1024 { compact() }
        }
    }

    private func enqueue(_ ticket: Ticket, _ channel: any Channel) {
        nextGeneration += 1
        waiting[ticket] = Waiting(channel: channel, generation: nextGeneration)
        order.append((ticket, nextGeneration))
    }

    /// The connection that has waited longest (entries superseded by a later wait are skipped).
    private func popOldest() -> (Ticket, any Channel)? {
        while orderStart < order.count {
            let (ticket, generation) = order[orderStart]
            orderStart += 1
            if let entry = waiting[ticket], entry.generation == generation {
                waiting[ticket] = nil
                return (ticket, entry.channel)
            }
        }
        return nil
    }

    private func compact() {
        order = order[orderStart...].filter { waiting[$0.ticket]?.generation == $0.generation }
        orderStart = 0
    }
}
