import ArgumentParser
import Foundation
import Logging
import LoopsealServer
import LoopsealStore
import LoopsealSync

struct Agent: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Receive secrets from a controller over a boxed channel and write them to an env file.",
        discussion: """
            Runs an HTTP server (POST /v1/sync, GET /healthz). Controllers box each message from their own \
            age key to this agent's key (--identity); only keys listed in --authorized-keys are accepted, and \
            stale or replayed messages are refused. The env file is written atomically with mode 0600; \
            the restart command runs only when its content changed. Logs name keys and senders, never values.

            --restart must come last: every argument after it is the command, run
            without a shell. Examples:
              --restart systemctl restart app
              --restart -- sh -c 'kill -HUP "$(cat /run/app.pid)"'
            (a '--' right after --restart is dropped).

            Workspace side: a target { type: agent, url: "http://HOST:PORT", agent: age1… }
            naming this agent's public key. Protocol: docs/agent-protocol.md.
            """)

    @Option(help: ListenAddress.help(default: Self.defaultListen), transform: ListenAddress.init(parsing:))
    var listen = Self.defaultListen
    private static let defaultListen = ListenAddress(host: "127.0.0.1", port: 7700)

    @Option(name: [.customShort("i"), .long], help: ArgumentHelp("The agent's identity file (AGE-SECRET-KEY-1…); controllers box to its public key.", valueName: "file"))
    var identity: String

    @Option(help: ArgumentHelp("Controllers allowed to sync: one age1… key per line, optionally followed by a name; # comments.", valueName: "file"))
    var authorizedKeys: String

    @Option(help: ArgumentHelp("The env file to write.", valueName: "path"))
    var envFile: String

    @OptionGroup(title: "Connections")
    var connections: ConnectionOptions

    @Option(parsing: .remaining, help: ArgumentHelp("Command run after the env file changed: all remaining arguments (must be last).", valueName: "cmd…"))
    var restart: [String] = []

    func run() async throws {
        let limits = try connections.limits()
        guard let bytes = try FileIO.contentsIfExists(identity) else {
            throw CLIError("no identity file at \(identity): create one with 'loopseal keygen -o \(identity)'")
        }
        guard let agentIdentity = try IdentityLoader.parse(String(decoding: bytes, as: UTF8.self), source: identity).first else {
            throw CLIError("\(identity) holds no AGE-SECRET-KEY-1… line")
        }
        let authorized = try AuthorizedKeys.load(authorizedKeys)
        var command = restart
        if command.first == "--" { command.removeFirst() }
        var logger = Logger(label: "loopseal.agent")
        if ProcessInfo.processInfo.environment["LOOPSEAL_LOG_LEVEL"] == nil { logger.logLevel = .info }
        let receiver = try AgentReceiver(
            .init(identity: agentIdentity, authorized: authorized, envFile: envFile, restart: command.isEmpty ? nil : command),
            logger: logger)
        var serverLogger = Logger(label: "loopseal.agent.http")
        if ProcessInfo.processInfo.environment["LOOPSEAL_LOG_LEVEL"] == nil { serverLogger.logLevel = .warning }
        let publicKey = agentIdentity.publicKey.description
        let controllers = authorized.keys.sorted().map { authorized.label($0) }.joined(separator: ", ")
        let app = AgentServer.application(receiver: receiver, host: listen.host, port: listen.port, limits: limits, logger: serverLogger) { bound in
            Terminal.warn("loopseal agent: listening on http://\(ListenAddress(host: listen.host, port: bound)), key \(publicKey), accepting \(controllers), writing \(envFile)")
        }
        do {
            try await app.runService()
        } catch {
            throw CLIError("the agent cannot serve on \(listen): \(error); check that no other process uses the port and that the address belongs to this machine")
        }
    }
}
