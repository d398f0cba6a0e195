import Foundation
import LoopsealCrypto
import LoopsealKit
import LoopsealStore
import Testing

@Suite("the agent's setup as a use case")
struct AgentSetupTests {
    @Test("reads the identity (first key) and the controllers; a leading -- of the restart command is dropped")
    func configuration() throws {
        let scratch = try KitScratch()
        let agent = try Identity.generate(), second = try Identity.generate(), controller = try Identity.generate()
        let identity = try scratch.write("agent.key", "# agent\n\(agent.encodedSecretKey())\n\(second.encodedSecretKey())\n")
        let authorized = try scratch.write("controllers", "\(controller.publicKey) ci-deploy\n")
        let setup = try AgentSetup.configuration(identityFile: identity, authorizedKeysFile: authorized,
                                                 envFile: "\(scratch.path)/app.env", restart: ["--", "systemctl", "restart", "app"])
        #expect(setup.identity.publicKey == agent.publicKey)
        #expect(setup.authorized.keys == [controller.publicKey])
        #expect(setup.authorized.label(controller.publicKey) == "ci-deploy")
        #expect(setup.envFile == "\(scratch.path)/app.env")
        #expect(setup.restart == ["systemctl", "restart", "app"])
        let plain = try AgentSetup.configuration(identityFile: identity, authorizedKeysFile: authorized, envFile: "e", restart: ["true"])
        #expect(plain.restart == ["true"])
        for none in [[], ["--"]] {
            let without = try AgentSetup.configuration(identityFile: identity, authorizedKeysFile: authorized, envFile: "e", restart: none)
            #expect(without.restart == nil)
        }
    }

    @Test("a missing identity file and one without a key are named, with what to do")
    func refusals() throws {
        let scratch = try KitScratch()
        let authorized = try scratch.write("controllers", "\(try Identity.generate().publicKey)\n")
        let missing = "\(scratch.path)/nope.key"
        #expect(throws: KitError.noIdentityFile(path: missing)) {
            try AgentSetup.configuration(identityFile: missing, authorizedKeysFile: authorized, envFile: "e", restart: [])
        }
        #expect("\(KitError.noIdentityFile(path: missing))" == "no identity file at \(missing): create one with 'loopseal keygen -o \(missing)'")
        let empty = try scratch.write("empty.key", "# nothing here\n")
        let noKey = #expect(throws: (any Error).self) {
            try AgentSetup.configuration(identityFile: empty, authorizedKeysFile: authorized, envFile: "e", restart: [])
        }
        #expect(noKey.map { "\($0)" } == "\(empty): holds no AGE-SECRET-KEY-1… line")
    }
}
