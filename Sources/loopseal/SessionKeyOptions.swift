import ArgumentParser
import LoopsealCrypto
import LoopsealServer
import LoopsealStore

/// `serve --session-key FILE`: web sessions in signed cookies that every replica with the same
/// file accepts (``SessionStore/init(signingKey:lifetime:now:)``), and the key of the shared token
/// records (``TokenRecordMAC``), also read by `token … --shared`.
struct SessionKeyOptions: ParsableArguments {
    @Option(name: .customLong("session-key"), help: ArgumentHelp(
        "An identity file ('loopseal keygen -o FILE') whose derived keys sign the web session cookies and check the shared token records (default: $LOOPSEAL_SESSION_KEY_FILE); required with --git-push; give every replica the same file.",
        discussion: "Sessions then live in the cookie, not in the server: they survive a restart and moving between replicas. Signing out clears the browser's cookie, but a copy of it stays valid until it expires (8 hours) or its token is revoked, and the per-token session cap does not apply. Without a key, sessions stay in memory.",
        valueName: "file"))
    var sessionKey: String?

    /// The key from `--session-key`, else from `$LOOPSEAL_SESSION_KEY_FILE`; nil without either.
    func key(environment: [String: String] = ProcessEnvironment.values(["LOOPSEAL_SESSION_KEY_FILE"])) throws -> MACKey? {
        try identity(environment: environment).map(SessionStore.signingKey(identity:))
    }

    /// The key shared token records are signed and checked with, from the same file; nil without one.
    func tokenRecordKey(environment: [String: String] = ProcessEnvironment.values(["LOOPSEAL_SESSION_KEY_FILE"])) throws -> MACKey? {
        try identity(environment: environment).map(TokenRecordMAC.key(identity:))
    }

    /// The identity in `--session-key`, else in `$LOOPSEAL_SESSION_KEY_FILE`; nil without either.
    private func identity(environment: [String: String]) throws -> Identity? {
        let named = sessionKey.map { ("--session-key", $0) }
            ?? environment["LOOPSEAL_SESSION_KEY_FILE"].flatMap { $0.isEmpty ? nil : ("$LOOPSEAL_SESSION_KEY_FILE", $0) }
        guard let (option, path) = named else { return nil }
        let identities: [Identity]
        do {
            identities = try IdentityLoader(files: [path], environment: [:]).load()
        } catch {
            throw CLIError("\(option) \(path): \(error); 'loopseal keygen -o FILE' makes a key file: give every replica the same one")
        }
        guard identities.count == 1, let identity = identities.first else {
            throw CLIError("\(option) \(path): holds \(identities.count) identities; a session key file holds exactly one ('loopseal keygen -o FILE')")
        }
        return identity
    }
}
