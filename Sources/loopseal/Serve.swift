import ArgumentParser
import Foundation
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
            ~/.local/state/loopseal; with --git-push (which needs --session-key), tokens live in the repository \
            instead, one file per token signed with the session key ('loopseal token create --shared'). Workflows that call sync_secrets need an identity in the environment \
            ($LOOPSEAL_IDENTITY or $LOOPSEAL_IDENTITY_FILE).
            """)

    @Option(help: ListenAddress.help(default: Self.defaultListen), transform: ListenAddress.init(parsing:))
    var listen = Self.defaultListen
    private static let defaultListen = ListenAddress(host: "127.0.0.1", port: 8080)

    @Option(help: "Directory holding workspaces/ (default: the nearest parent of the current directory that has one).")
    var root: String?

    @Flag(help: "Commit every change to git; messages name the key and action, never the value.")
    var gitCommit = false

    @Flag(help: ArgumentHelp(
        "Leave a secret's file untouched when an upsert brings the value it already has (no re-seal, no diff).",
        discussion: "Compares with the identity in $LOOPSEAL_IDENTITY or $LOOPSEAL_IDENTITY_FILE. A writer token can then tell whether a value it sends equals the current one (from the response time or the git history): leave it off where writers must not learn that."))
    var unchangedUpserts = false

    @Option(help: ArgumentHelp("The signing key for workspaces that list writers: (default: $LOOPSEAL_SIGNING_KEY, $LOOPSEAL_SIGNING_KEY_FILE, ~/.config/loopseal/signing.key).", valueName: "file"))
    var signingKey: String?

    @OptionGroup(title: "Replicas")
    var replicas: ReplicaOptions

    @OptionGroup(title: "Connections")
    var connections: ConnectionOptions

    @OptionGroup(title: "Web sessions")
    var sessions: SessionKeyOptions

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
        let core = try serverCore()
        let app = LoopsealHTTPServer.application(core: core, host: listen.host, port: listen.port, limits: limits,
                                                 logger: CommandLogger.make("loopseal.server.http", level: .warning)) { bound in
            Terminal.warn(Self.listening(on: ListenAddress(host: listen.host, port: bound), core.configuration))
        }
        do {
            try await app.runService()
        } catch {
            throw CLIError("cannot serve on \(listen): \(error); check that no other process uses the port and that the address belongs to this machine")
        }
    }

    /// The server for the options: root, signing key and public URL checked; the signing key
    /// reaches every write path through the configuration.
    private func serverCore() throws -> ServerCore {
        let root = try rootPath()
        if let signingKey, !FileIO.exists(signingKey) {
            throw CLIError("--signing-key \(signingKey): no such file; 'loopseal keygen --signing -o FILE' makes one")
        }
        var configuration = ServerConfiguration(
            root: root, stateDirectory: TokenStore.defaultDirectory(), gitCommit: gitCommit,
            syncer: IdentitySyncer(loader: IdentityLoader()), signingKeys: SigningKeyLoader(file: signingKey),
            logger: CommandLogger.make("loopseal.server", level: .info), publicURL: try parsedPublicURL(), secureCookies: secureCookies,
            identities: unchangedUpserts ? IdentityLoader(environment: ProcessEnvironment.values(["LOOPSEAL_IDENTITY", "LOOPSEAL_IDENTITY_FILE"])) : nil,
            replica: replicas.settings)
        configuration.sessionKey = try sessions.key()
        configuration.tokenRecordKey = try sessions.tokenRecordKey()
        if configuration.replica != nil && configuration.tokenRecordKey == nil {
            throw CLIError("serve --git-push needs --session-key FILE (or $LOOPSEAL_SESSION_KEY_FILE): the identity file from 'loopseal keygen -o FILE', the same on every replica; it verifies the shared token records in server/tokens/ and signs the web sessions")
        }
        do {
            return try ServerCore(configuration: configuration)
        } catch let error as APIError {
            throw CLIError(error.message)
        }
    }

    /// `--root` (a directory), else the nearest parent of the current directory holding `workspaces/`.
    private func rootPath() throws -> String {
        guard let root else { return try Workspace.findRoot(from: FileManager.default.currentDirectoryPath) }
        guard FileIO.isDirectory(root) else { throw CLIError("--root \(root) is not a directory") }
        return URL(fileURLWithPath: root).standardizedFileURL.path
    }

    /// The line printed once the server listens.
    private static func listening(on address: ListenAddress, _ configuration: ServerConfiguration) -> String {
        let pagesAt = configuration.publicURL.map { ", web pages at \($0)" } ?? ""
        let committing = configuration.replica.map { ", pushing changes to branch \($0.branch) of \($0.remote)" }
            ?? (configuration.gitCommit ? ", committing changes to git" : "")
        return "loopseal serve: listening on http://\(address), root \(configuration.root), state \(configuration.stateDirectory)\(pagesAt)\(committing)"
    }
}
