import Foundation
import Logging
import MCP

/// Wraps a transport so that, once input ends, the server can still answer the requests it
/// already read: `printf '…' | loopseal mcp` gets every response before the process exits.
/// It counts requests in and responses out; ``waitForAnswers(timeout:)`` waits for them to match.
///
/// It also answers, itself, what the SDK would get wrong (JSON-RPC 2.0 and the MCP lifecycle):
/// a line that is not JSON gets -32700 with `"id": null`; one that is not a message gets -32600
/// with its id when it has a usable one, else null; a request other than `initialize` or `ping`
/// sent before any `initialize` gets -32600 saying to initialize first. Messages that follow an
/// `initialize` still being answered (a piped script) wait for that answer, then run, or are
/// refused when initialization failed.
actor DrainingTransport: Transport {
    nonisolated let logger: Logger
    private let inner: any Transport
    private let stream: AsyncThrowingStream<Data, any Error>
    private let continuation: AsyncThrowingStream<Data, any Error>.Continuation
    private var pending: Set<JSONRPCID> = []
    private var forwarding: Task<Void, Never>?
    /// Ids of `initialize` requests passed on and not answered yet.
    private var initializeRequests: Set<JSONRPCID> = []
    /// True once an `initialize` request was answered with a result.
    private var initialized = false
    /// Messages read while an `initialize` was being answered, in order.
    private var held: [Data] = []
    /// Input ended while messages were held: the stream ends once they are released.
    private var inputEnded = false

    /// Methods a client may call before the server answered `initialize`.
    static let allowedBeforeInitialization: Set<String> = ["initialize", "ping"]

    /// What to do with one incoming line.
    private enum Screening {
        /// Pass it to the server.
        case forward
        /// Send this answer instead.
        case answer(Data)
        /// Nothing now (dropped, or held until `initialize` is answered).
        case none
    }

    init(_ inner: any Transport, logger: Logger) {
        self.inner = inner
        self.logger = logger
        (stream, continuation) = AsyncThrowingStream.makeStream()
    }

    func connect() async throws {
        try await inner.connect()
        let incoming = await inner.receive()
        forwarding = Task { [continuation] in
            do {
                for try await message in incoming {
                    switch self.screen(message) {
                    case .forward: continuation.yield(message)
                    case .answer(let answer): try await self.send(answer)
                    case .none: continue
                    }
                }
                self.endOfInput()
            } catch {
                continuation.finish(throwing: error)
            }
        }
    }

    func disconnect() async {
        forwarding?.cancel()
        await inner.disconnect()
        continuation.finish()
    }

    func send(_ data: Data) async throws {
        let responses = Self.responses(in: JSONRPCMessage(data))
        var answeredInitialize = false
        // Before the bytes leave: the client may send its next request as soon as it reads them.
        for (id, success) in responses where initializeRequests.remove(id) != nil {
            if success { initialized = true }
            answeredInitialize = true
        }
        try await inner.send(data)
        for (id, _) in responses { pending.remove(id) }
        if answeredInitialize && initializeRequests.isEmpty { try await releaseHeld() }
    }

    func receive() -> AsyncThrowingStream<Data, any Error> { stream }

    /// Waits until every request read so far has been answered, or `timeout` seconds passed.
    func waitForAnswers(timeout: Double) async {
        let deadline = Date().addingTimeInterval(timeout)
        while !pending.isEmpty, Date() < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    private func endOfInput() {
        if held.isEmpty { continuation.finish() } else { inputEnded = true }
    }

    /// Passes on (or refuses) what was held while `initialize` was answered.
    private func releaseHeld() async throws {
        let messages = held
        held = []
        for message in messages {
            switch screen(message) {
            case .forward: continuation.yield(message)
            case .answer(let answer): try await send(answer)
            case .none: continue
            }
        }
        if inputEnded && held.isEmpty { continuation.finish() }
    }

    /// Decides what to do with an incoming line, noting the requests the server must answer.
    private func screen(_ data: Data) -> Screening {
        let message = JSONRPCMessage(data)
        switch message {
        case .notJSON:
            logger.warning("refused a line that is not JSON", metadata: ["bytes": "\(data.count)"])
            return .answer(JSONRPCMessage.errorResponse(
                id: nil, code: .parseError, message: "Parse error: the line is not JSON (send one JSON-RPC 2.0 message per line)"))
        case .invalid(let id, let reason):
            logger.warning("refused an invalid message", metadata: ["reason": "\(reason)"])
            return .answer(JSONRPCMessage.errorResponse(id: id, code: .invalidRequest, message: "Invalid Request: \(reason)"))
        case .malformedResponse:
            logger.warning("dropped a malformed response")
            return .none
        case .request(let id, let method):
            return pass(data, requests: [(id, method)])
        case .notification, .response:
            return pass(data, requests: [])
        case .batch(let items):
            return screen(batch: data, items: items)
        }
    }

    /// Forwards, holds or refuses well-formed `data` carrying `requests`.
    private func pass(_ data: Data, requests: [(JSONRPCID, String)]) -> Screening {
        let early = requests.filter { !initialized && !Self.allowedBeforeInitialization.contains($0.1) }
        if !held.isEmpty || (!early.isEmpty && !initializeRequests.isEmpty) {
            held.append(data)
            for (id, _) in requests { pending.insert(id) }
            return .none
        }
        guard early.isEmpty else {
            logger.warning("refused a request before initialization", metadata: ["method": "\(early[0].1.prefix(60))"])
            let answers = requests.map { id, method in
                (Optional(id), JSONRPCMessage.ErrorCode.invalidRequest,
                 Self.allowedBeforeInitialization.contains(method) ? Self.batchRefused : Self.notInitialized)
            }
            if case .request = JSONRPCMessage(data) {
                return .answer(JSONRPCMessage.errorResponse(id: answers[0].0, code: .invalidRequest, message: answers[0].2))
            }
            return .answer(JSONRPCMessage.errorBatch(answers))
        }
        for (id, method) in requests {
            pending.insert(id)
            if method == "initialize" { initializeRequests.insert(id) }
        }
        return .forward
    }

    /// A batch is passed on only when every item is a well-formed message; otherwise each
    /// request in it gets an error and nothing in it is run.
    private func screen(batch data: Data, items: [JSONRPCMessage]) -> Screening {
        guard !items.isEmpty else {
            return .answer(JSONRPCMessage.errorResponse(id: nil, code: .invalidRequest, message: "Invalid Request: an empty batch"))
        }
        var errors: [(JSONRPCID?, JSONRPCMessage.ErrorCode, String)] = []
        var requests: [(JSONRPCID, String)] = []
        for item in items {
            switch item {
            case .invalid(let id, let reason):
                errors.append((id, .invalidRequest, "Invalid Request: \(reason)"))
            case .notJSON, .malformedResponse, .batch:
                errors.append((nil, .invalidRequest, "Invalid Request: a batch item must be a request, a notification or a response"))
            case .request(let id, let method):
                requests.append((id, method))
            case .notification, .response:
                break
            }
        }
        guard errors.isEmpty else {
            logger.warning("refused a batch with an invalid item")
            return .answer(JSONRPCMessage.errorBatch(errors + requests.map { (Optional($0.0), .invalidRequest, Self.batchRefused) }))
        }
        return pass(data, requests: requests)
    }

    static let notInitialized = "Invalid Request: the server is not initialized: send 'initialize' and wait for its answer first (before it, only 'initialize' and 'ping' are answered)"
    static let batchRefused = "Invalid Request: another item of this batch was refused; nothing in it was run"

    /// The ids of the responses in an outgoing message (or batch), and whether each succeeded.
    private static func responses(in message: JSONRPCMessage) -> [(JSONRPCID, Bool)] {
        switch message {
        case .response(let id, let success): return [(id, success)]
        case .batch(let items): return items.flatMap { responses(in: $0) }
        default: return []
        }
    }
}
