import ArgumentParser
import LoopsealKit
import LoopsealServer
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
        let setup = try AgentSetup.configuration(identityFile: identity, authorizedKeysFile: authorizedKeys,
                                                 envFile: envFile, restart: restart)
        let receiver = try AgentReceiver(setup, logger: CommandLogger.make("loopseal.agent", level: .info))
        let app = AgentServer.application(receiver: receiver, host: listen.host, port: listen.port, limits: limits,
                                          logger: CommandLogger.make("loopseal.agent.http", level: .warning)) { bound in
            Terminal.warn(Self.listening(on: ListenAddress(host: listen.host, port: bound), setup))
        }
        do {
            try await app.runService()
        } catch {
            throw CLIError("the agent cannot serve on \(listen): \(error); check that no other process uses the port and that the address belongs to this machine")
        }
    }

    /// The line printed once the agent listens: its address, key, controllers and env file.
    private static func listening(on address: ListenAddress, _ setup: AgentReceiver.Configuration) -> String {
        let controllers = setup.authorized.keys.sorted().map { setup.authorized.label($0) }.joined(separator: ", ")
        return "loopseal agent: listening on http://\(address), key \(setup.identity.publicKey), accepting \(controllers), writing \(setup.envFile)"
    }
}
