import LoopsealCrypto
import LoopsealStore
import LoopsealSync

/// What `loopseal agent` reads before it listens: its own identity (the first key of its
/// identity file), the controllers it accepts, the env file and the restart command.
public enum AgentSetup {
    /// The receiver's configuration from the agent's files. `restart` is the command as given
    /// (a leading `--` is dropped; empty means none). Refuses a missing identity file
    /// (``KitError/noIdentityFile(path:)``) and one without a key (``KitError/noIdentityInFile(path:)``).
    public static func configuration(identityFile: String, authorizedKeysFile: String, envFile: String,
                                     restart: [String]) throws -> AgentReceiver.Configuration {
        guard let bytes = try FileIO.contentsIfExists(identityFile) else { throw KitError.noIdentityFile(path: identityFile) }
        guard let identity = try IdentityLoader.parse(String(decoding: bytes, as: UTF8.self), source: identityFile).first else {
            throw KitError.noIdentityInFile(path: identityFile)
        }
        let authorized = try AuthorizedKeys.load(authorizedKeysFile)
        let command = restart.first == "--" ? Array(restart.dropFirst()) : restart
        return AgentReceiver.Configuration(identity: identity, authorized: authorized, envFile: envFile,
                                           restart: command.isEmpty ? nil : command)
    }
}
