import Foundation
import Hummingbird
import HummingbirdTesting
import LoopsealCrypto
import LoopsealServer
import LoopsealStore
import LoopsealValue
import Testing

/// `loopseal serve --signing-key` reaches every write path as a value in the configuration
/// (it used to go through `setenv`): the API, runs and the files workflow tools write.
@Suite("the server's signing key is configuration")
struct ServerSigningKeyTests {
    /// The fixture with `alpha` listing one writer, and a core whose configuration names `signingKeys`.
    private static func signedAlpha(_ signingKeys: (_ keyFile: String) -> SigningKeyLoader) throws -> (ServerFixture, ServerCore) {
        let fixture = try ServerFixture()
        let key = try SigningKey.generate()
        let keyFile = "\(fixture.state)/signing.key"
        try FileIO.writeAtomically(Array((key.encodedSecretKey() + "\n").utf8), to: keyFile, mode: 0o600)
        let alpha = try fixture.alpha
        var config = try alpha.loadConfig()
        config.writers = [Writer(name: "server", publicKey: key.publicKey)]
        try alpha.saveConfig(config)
        let core = try ServerCore(configuration: ServerConfiguration(
            root: fixture.root, stateDirectory: fixture.state, signingKeys: signingKeys(keyFile), logger: fixture.core.configuration.logger))
        return (fixture, core)
    }

    @Test("the API, a run's requested files and the secrets provided to it are all signed with the configured key")
    func configuredKeySignsEveryWritePath() async throws {
        let (fixture, core) = try Self.signedAlpha { SigningKeyLoader(file: $0, environment: [:]) }
        let app = Application(router: LoopsealHTTPServer.router(core: core))
        try await app.test(.router) { client in
            let stored = try await client.call("/api/v1/workspaces/alpha/secrets/upsert", .put, token: fixture.writerAlpha,
                                               json: #"{"key":"SERVER_SET","value":"v1"}"#)
            #expect(stored.status == .ok || stored.status == .created, "\(stored.text)")
        }
        let alpha = try fixture.alpha
        let admin = try #require(try core.authenticate(bearer: fixture.adminAlpha))
        let run = try await core.startRun(alpha, workflow: "ask", input: .dictionary([]), token: admin)
        #expect(run.requestedKeys == ["API_KEY", "DB_PASSWORD"])
        let value = try SecureBytes(copying: Array("provided".utf8))
        _ = try await core.provideSecrets(alpha, runID: run.id, values: [("API_KEY", value), ("DB_PASSWORD", value)],
                                          transition: nil, token: admin)
        let service = SecretService(workspace: alpha)
        #expect(try service.keyNames() == ["API_KEY", "DB_PASSWORD", "SERVER_SET"])
        #expect(try service.signatureProblems().isEmpty)
        #expect(try fixture.reveal("SERVER_SET") == "v1")
        #expect(try fixture.reveal("API_KEY") == "provided")
    }

    @Test("a configuration without a key refuses the write with 500 signing_key, whatever the process environment holds")
    func noConfiguredKey() async throws {
        let (fixture, core) = try Self.signedAlpha { _ in SigningKeyLoader(file: nil, environment: [:]) }
        let app = Application(router: LoopsealHTTPServer.router(core: core))
        try await app.test(.router) { client in
            let refused = try await client.call("/api/v1/workspaces/alpha/secrets/upsert", .put, token: fixture.writerAlpha,
                                                json: #"{"key":"SERVER_SET","value":"v1"}"#)
            #expect(refused.status == .internalServerError)
            #expect(refused.errorCode == "signing_key", "\(refused.text)")
        }
        #expect(try SecretService(workspace: try fixture.alpha).keyNames().isEmpty)
    }
}
