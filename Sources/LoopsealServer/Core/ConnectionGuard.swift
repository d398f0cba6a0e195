import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Watches one HTTP/1 connection (Hummingbird's own idle timeout restarts on every request part
/// and never bounds a request head that never completes, nor a body that trickles in):
/// - from accept to the end of the first request head: ``ConnectionLimits/headerTimeout``;
/// - from the end of a head to the end of its body: ``ConnectionLimits/bodyTimeout``;
/// - from the end of the last response to the end of the next head: ``ConnectionLimits/idleTimeout``.
/// No deadline runs while a request is being answered. A connection past its deadline is closed.
/// It also registers the connection with the server's ``ConnectionRegistry``, which enforces the cap.
/// Once the HTTP parser has failed (broken chunked framing, say), the connection is closed after the
/// next response ends: the request cannot be followed by another, and Hummingbird would otherwise
/// answer the same failure a second time on the same connection.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let limits: ConnectionLimits
    private let registry: ConnectionRegistry
    private var ticket: ConnectionRegistry.Ticket?
    private var deadline: Scheduled<Void>?
    /// Request heads read whose response has not ended.
    private var unanswered = 0
    /// A head was read and its body has not ended.
    private var readingBody = false
    /// The HTTP parser failed on this connection.
    private var framingBroken = false

    init(limits: ConnectionLimits, registry: ConnectionRegistry) {
        self.limits = limits
        self.registry = registry
    }

    func handlerAdded(context: ChannelHandlerContext) {
        ticket = registry.opened(context.channel)
        arm(limits.headerTimeout, context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        if let ticket { registry.closed(ticket) }
        ticket = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            unanswered += 1
            readingBody = true
            if let ticket { registry.busy(ticket) }
            arm(limits.bodyTimeout, context)
        case .body:
            break
        case .end:
            readingBody = false
            deadline?.cancel()
            deadline = nil
        }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is HTTPParserError { framingBroken = true }
        context.fireErrorCaught(error)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if framingBroken, case .end = unwrapOutboundIn(data) {
            context.writeAndFlush(data, promise: promise)
            context.close(promise: nil)
            return
        }
        if case .end = unwrapOutboundIn(data) {
            unanswered = max(0, unanswered - 1)
            if unanswered == 0 && !readingBody {
                if let ticket { registry.idle(ticket, context.channel) }
                arm(limits.idleTimeout, context)
            }
        }
        context.write(data, promise: promise)
    }

    private func arm(_ timeout: Duration, _ context: ChannelHandlerContext) {
        deadline?.cancel()
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: TimeAmount(timeout)) { channel.close(promise: nil) }
    }
}
