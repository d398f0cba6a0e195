import ArgumentParser
import Foundation
import Logging
import LoopsealServer
import LoopsealKit
import LoopsealStore
import LoopsealSync

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the REST API and the web pages for the workspaces under a root.",
        discussion: """
            Every request needs a token from 'loopseal token create' (API: 'Authorization: Bearer …'; \
            web: sign in once). The server holds no private key to store secrets: values are sealed \
            to each workspace's recipients as they arrive, and no response, page or log line carries one. \
            Tokens and the audit log (audit.jsonl) live in the state directory: $LOOPSEAL_STATE, else \
            ~/.local/state/loopseal. Workflows that call sync_secrets need an identity in the environment \
            ($LOOPSEAL_IDENTITY or $LOOPSEAL_IDENTITY_FILE).
            """)

    @Option(help: ListenAddress.help(default: Self.defaultListen), transform: ListenAddress.init(parsing:))
    var listen = Self.defaultListen
    private static let defaultListen = ListenAddress(host: "127.0.0.1", port: 8080)

    @Option(help: "Directory holding workspaces/ (default: the nearest parent of the current directory that has one).")
    var root: String?

    @Flag(help: "Commit every change to git; messages name the key and action, never the value.")
    var gitCommit = false

    @Option(help: ArgumentHelp("The signing key for workspaces that list writers: (default: $LOOPSEAL_SIGNING_KEY, $LOOPSEAL_SIGNING_KEY_FILE, ~/.config/loopseal/signing.key).", valueName: "file"))
    var signingKey: String?

    @OptionGroup(title: "Connections")
    var connections: ConnectionOptions

    @Option(help: ArgumentHelp("The URL browsers open when a TLS proxy stands in front, e.g. https://secrets.example.com (scheme and host only); an https URL makes the session cookie Secure.", valueName: "url"))
    var publicURL: String?

    @Flag(help: "Mark the session cookie Secure although requests arrive over plain HTTP (a TLS proxy in front); browsers then sign in over https only.")
    var secureCookies = false

    func validate() throws {
        _ = try parsedPublicURL()
    }

    /// `--public-url`, checked.
    private func parsedPublicURL() throws -> PublicURL? {
        guard let publicURL else { return nil }
        do {
            return try PublicURL(publicURL)
        } catch {
            throw ValidationError("--public-url: \(error.description)")
        }
    }

    func run() async throws {
        let limits = try connections.limits()
        let rootPath = try root.map { path -> String in
            guard FileIO.isDirectory(path) else { throw CLIError("--root \(path) is not a directory") }
            return URL(fileURLWithPath: path).standardizedFileURL.path
        } ?? Workspace.findRoot(from: FileManager.default.currentDirectoryPath)
        if let signingKey, !FileIO.exists(signingKey) {
            throw CLIError("--signing-key \(signingKey): no such file; 'loopseal keygen --signing -o FILE' makes one")
        }
        var logger = Logger(label: "loopseal.server")
        if ProcessInfo.processInfo.environment["LOOPSEAL_LOG_LEVEL"] == nil { logger.logLevel = .info }
        let core: ServerCore
        do {
            core = try ServerCore(configuration: ServerConfiguration(
                root: rootPath, stateDirectory: TokenStore.defaultDirectory(), gitCommit: gitCommit,
                syncer: IdentitySyncer(loader: IdentityLoader()), signingKeys: SigningKeyLoader(file: signingKey), logger: logger,
                publicURL: try parsedPublicURL(), secureCookies: secureCookies))
        } catch let error as APIError {
            throw CLIError(error.message)
        }
        var httpLogger = Logger(label: "loopseal.server.http")
        if ProcessInfo.processInfo.environment["LOOPSEAL_LOG_LEVEL"] == nil { httpLogger.logLevel = .warning }
        let state = core.configuration.stateDirectory
        let pagesAt = core.configuration.publicURL.map { ", web pages at \($0)" } ?? ""
        let app = LoopsealHTTPServer.application(core: core, host: listen.host, port: listen.port, limits: limits, logger: httpLogger) { bound in
            Terminal.warn("loopseal serve: listening on http://\(ListenAddress(host: listen.host, port: bound)), root \(rootPath), state \(state)\(pagesAt)\(gitCommit ? ", committing changes to git" : "")")
        }
        do {
            try await app.runService()
        } catch {
            throw CLIError("cannot serve on \(listen): \(error); check that no other process uses the port and that the address belongs to this machine")
        }
    }
}
