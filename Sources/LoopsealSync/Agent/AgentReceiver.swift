import Foundation
import Logging
import LoopsealCrypto
import LoopsealStore

/// What an agent answers: an HTTP status and a JSON body.
public struct AgentResponse: Sendable, Equatable {
    /// The HTTP status.
    public var status: Int
    /// The JSON body: a boxed ``AgentEnvelope`` on 200, `{"error":"…"}` otherwise.
    public var body: [UInt8]

    /// Creates a response.
    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }
}

/// The agent's side of the channel, without HTTP: opens a request body, refuses unknown
/// senders, boxes it cannot open, stale, future and replayed messages, then writes the env
/// file (atomically, mode 0600) and runs the restart command when the content changed.
/// Requests are handled one at a time. Logs name keys and senders, never values.
public final class AgentReceiver: @unchecked Sendable {
    /// How an agent is set up.
    public struct Configuration: Sendable {
        /// The agent's own key pair; controllers box to its public key.
        public var identity: Identity
        /// The controllers it accepts.
        public var authorized: AuthorizedKeys
        /// The file it writes.
        public var envFile: String
        /// argv run (no shell) after the file content changed; nil or empty for none.
        public var restart: [String]?
        /// Where accepted ids are kept: `<envFile>.loopseal-replay` by default.
        public var replayFile: String

        /// Creates a configuration.
        public init(identity: Identity, authorized: AuthorizedKeys, envFile: String, restart: [String]? = nil, replayFile: String? = nil) {
            self.identity = identity
            self.authorized = authorized
            self.envFile = envFile
            self.restart = restart
            self.replayFile = replayFile ?? envFile + ".loopseal-replay"
        }
    }

    /// The configuration in use.
    public let configuration: Configuration
    private let logger: Logger
    private let clock: @Sendable () -> Date
    private let lock = NSLock()
    private var replay: ReplayLog
    /// A restart that failed is retried with the next accepted message, changed or not.
    private var restartPending = false

    /// Creates a receiver, loading the replay log. Fails when the env file's folder is missing
    /// or the replay log is damaged. `clock` is the agent's time (tests pin it).
    public init(_ configuration: Configuration, logger: Logger = Logger(label: "loopseal.agent"),
                clock: @escaping @Sendable () -> Date = { Date() }) throws {
        let folder = FileIO.parentDirectory(configuration.envFile)
        guard FileIO.isDirectory(folder.isEmpty ? "." : folder) else {
            throw StoreError.io(path: configuration.envFile, problem: "the folder for the env file does not exist: create it first")
        }
        self.configuration = configuration
        self.logger = logger
        self.clock = clock
        self.replay = try ReplayLog(path: configuration.replayFile)
    }

    /// Handles one `POST /v1/sync` body. Never throws: every outcome is a response.
    public func handle(_ body: [UInt8]) -> AgentResponse {
        lock.lock()
        defer { lock.unlock() }
        guard body.count <= AgentProtocol.maxBodyBytes else { return refuse(.tooLarge, sender: nil) }
        let now = clock()
        let sender: PublicKey
        let message: AgentMessage
        do {
            (sender, message) = try AgentCodec.openRequest(body, identity: configuration.identity,
                                                           authorized: configuration.authorized.keys, now: now)
        } catch {
            // Only a well-formed key is logged: the field is unauthenticated input.
            return refuse(error, sender: (try? AgentEnvelope.decode(body)).flatMap { try? $0.senderKey() }?.description)
        }
        let who = configuration.authorized.label(sender)
        guard !replay.contains(message.id) else {
            return refuse(AgentRefusal(.replayed, status: 409, "message id was already accepted: a replayed message; the controller sends a fresh id with every sync"),
                          sender: "\(who) (\(sender))")
        }
        let clock = Int64(now.timeIntervalSince1970)
        do {
            try replay.record(message.id, ts: message.ts, now: clock)
        } catch {
            logger.error("cannot record the message id", metadata: ["file": "\(configuration.replayFile)", "error": "\(error)"])
            return refuse(AgentRefusal(.internalError, status: 500, "the agent cannot record the message id: see the agent's log"), sender: nil)
        }
        let payload = Array(message.payload.utf8)
        let keyNames = PayloadKeys.names(in: message.payload).map { $0.joined(separator: ",") } ?? "(payload is not dotenv, shell or JSON: names not logged)"
        let changed: Bool
        do {
            changed = try FileIO.contentsIfExists(configuration.envFile) != payload
            if changed {
                try FileIO.writeAtomically(payload, to: configuration.envFile, mode: 0o600)
            }
        } catch {
            logger.error("cannot write the env file", metadata: ["file": "\(configuration.envFile)", "error": "\(error)"])
            return refuse(AgentRefusal(.internalError, status: 500, "the agent cannot write its env file: see the agent's log"), sender: nil)
        }
        logger.info("synced", metadata: [
            "sender": "\(who)", "senderKey": "\(sender)", "target": "\(message.target)",
            "keys": "\(keyNames)", "changed": "\(changed)", "file": "\(configuration.envFile)",
        ])
        if let restart = configuration.restart, !restart.isEmpty, changed || restartPending {
            restartPending = true
            do {
                let outcome = try ProcessRunner.run(restart, stdin: [])
                guard outcome.status == 0 else {
                    logger.error("restart command failed", metadata: ["command": "\(restart[0])", "status": "\(outcome.status)"])
                    return refuse(AgentRefusal(.internalError, status: 500, "the env file was written but the restart command '\(restart[0])' exited with status \(outcome.status); the agent retries it with the next sync"), sender: nil)
                }
            } catch {
                logger.error("restart command failed", metadata: ["command": "\(restart[0])", "error": "\(error)"])
                return refuse(AgentRefusal(.internalError, status: 500, "the env file was written but the restart command '\(restart[0])' could not run; the agent retries it with the next sync"), sender: nil)
            }
            restartPending = false
            logger.info("restarted", metadata: ["command": "\(restart[0])"])
        }
        let reply = AgentReply(id: message.id, sha256: Hash.hex(Hash.sha256(payload)), changed: changed)
        return AgentResponse(status: 200, body: AgentCodec.sealReply(reply, from: configuration.identity, to: sender))
    }

    /// The 413 answer for a body over ``AgentProtocol/maxBodyBytes``, logged like other refusals.
    /// The HTTP layer calls it before reading such a body to its end.
    public func refuseOversized() -> AgentResponse { refuse(.tooLarge, sender: nil) }

    private func refuse(_ refusal: AgentRefusal, sender: String?) -> AgentResponse {
        var metadata: Logger.Metadata = ["status": "\(refusal.status)", "reason": "\(refusal.kind.rawValue)"]
        if let sender { metadata["sender"] = "\(sender)" }
        logger.warning("refused: \(refusal.message)", metadata: metadata)
        return AgentResponse(status: refusal.status, body: refusal.jsonBody)
    }
}
