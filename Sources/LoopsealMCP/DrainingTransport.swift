import Foundation
import Logging
import MCP

/// Wraps a transport so that, once input ends, the server can still answer the requests it
/// already read: `printf '…' | loopseal mcp` gets every response before the process exits.
/// It counts requests in and responses out; ``waitForAnswers(timeout:)`` waits for them to match.
actor DrainingTransport: Transport {
    nonisolated let logger: Logger
    private let inner: any Transport
    private let stream: AsyncThrowingStream<Data, any Error>
    private let continuation: AsyncThrowingStream<Data, any Error>.Continuation
    private var pending: Set<String> = []
    private var forwarding: Task<Void, Never>?

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
                    self.noteIncoming(message)
                    continuation.yield(message)
                }
                continuation.finish()
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
        try await inner.send(data)
        for id in Self.ids(in: data, requests: false) { pending.remove(id) }
    }

    func receive() -> AsyncThrowingStream<Data, any Error> { stream }

    /// Waits until every request read so far has been answered, or `timeout` seconds passed.
    func waitForAnswers(timeout: Double) async {
        let deadline = Date().addingTimeInterval(timeout)
        while !pending.isEmpty, Date() < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    private func noteIncoming(_ data: Data) {
        for id in Self.ids(in: data, requests: true) { pending.insert(id) }
    }

    /// Ids of the requests (objects with `method` and `id`) or responses (`id` without `method`)
    /// in a message or batch.
    private static func ids(in data: Data, requests: Bool) -> [String] {
        guard let json = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else { return [] }
        let objects = (json as? [[String: Any]]) ?? [(json as? [String: Any])].compactMap { $0 }
        return objects.compactMap { object in
            guard let id = object["id"], !(id is NSNull), (object["method"] != nil) == requests else { return nil }
            return "\(id)"
        }
    }
}
