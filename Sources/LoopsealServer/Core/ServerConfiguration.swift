import Logging
import LoopsealCrypto
import LoopsealStore
import LoopsealWorkflows

/// What `loopseal serve` serves and where it keeps its state.
public struct ServerConfiguration: Sendable {
    /// The repository root: the directory holding `workspaces/` and `workflows/`.
    public var root: String
    /// Tokens and the audit log live here, outside the repository.
    public var stateDirectory: String
    /// Commit every change to git (message names the key and action, never the value).
    public var gitCommit: Bool
    /// Used by workflows' `sync_secrets`; nil makes that tool fail with a clear message.
    public var syncer: SecretsSyncer?
    /// Finds the key that signs every write (API, web forms, workflow tools) to a workspace
    /// that lists writers (`--signing-key`, else the signing key variables, else the default file).
    public var signingKeys: SigningKeyLoader
    /// Where logs go; lines name keys and token ids, never values.
    public var logger: Logger
    /// The URL people open when a TLS proxy stands in front (`--public-url`); an https one makes
    /// the web pages' cookies `Secure`.
    public var publicURL: PublicURL?
    /// Mark the web pages' cookies `Secure` whatever the request's scheme (`--secure-cookies`).
    public var secureCookies: Bool
    /// Identities to tell an unchanged value from a changed one on upsert (`serve
    /// --unchanged-upserts`), or nil: then every upsert seals again. With them, a file whose
    /// value is the same is left untouched, and a writer token can tell whether the value it
    /// sent equals the current one: an operator's choice, off by default.
    public var identities: IdentityLoader?
    /// Share the repository with other replicas through a git remote (`serve --git-push`):
    /// implies ``gitCommit``; each commit is pushed before its requests are answered, and the
    /// remote is pulled regularly (``Replica``). Nil: this server's clone is its own.
    public var replica: ReplicaSettings?
    /// The key web session cookies are signed with (`--session-key`): sessions then live in the
    /// cookie, and every replica with the same key accepts them. Nil: sessions in memory.
    public var sessionKey: MACKey?
    /// The key shared token records are checked with (``TokenRecordMAC/key(identity:)``, from
    /// the same `--session-key` file): required with ``replica``, whose tokens live in the repository.
    public var tokenRecordKey: MACKey?

    /// A configuration for `root`, with state in `stateDirectory`.
    public init(root: String, stateDirectory: String, gitCommit: Bool = false, syncer: SecretsSyncer? = nil,
                signingKeys: SigningKeyLoader = SigningKeyLoader(), logger: Logger = Logger(label: "loopseal.server"),
                publicURL: PublicURL? = nil, secureCookies: Bool = false, identities: IdentityLoader? = nil,
                replica: ReplicaSettings? = nil) {
        self.root = root
        self.stateDirectory = stateDirectory
        self.gitCommit = gitCommit
        self.syncer = syncer
        self.signingKeys = signingKeys
        self.logger = logger
        self.publicURL = publicURL
        self.secureCookies = secureCookies
        self.identities = identities
        self.replica = replica
    }

    /// The audit log: `audit.jsonl` in the state directory.
    public var auditLogPath: String { "\(stateDirectory)/audit.jsonl" }
}
