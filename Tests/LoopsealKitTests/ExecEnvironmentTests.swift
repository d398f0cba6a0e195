import LoopsealCrypto
import LoopsealKit
import LoopsealStore
import Testing

@Suite("exec environment")
struct ExecEnvironmentTests {
    @Test("a value with a NUL byte is refused by name, without the value")
    func refusesNUL() throws {
        let revealed = RevealedSecrets(values: [(key: "TOKEN", value: try SecureBytes(copying: Array("ab\0cd".utf8)))], missing: [])
        let error = #expect(throws: KitError.self) { try ExecEnvironment(revealed) }
        #expect(error?.description == "secret 'TOKEN' holds a NUL byte and cannot be an environment variable")
    }

    @Test("a program that does not exist returns ENOENT and the environment can be wiped")
    func missingProgram() throws {
        let revealed = RevealedSecrets(values: [(key: "TOKEN", value: try SecureBytes(copying: Array("v".utf8)))], missing: [])
        let environment = try ExecEnvironment(revealed)
        #expect(environment.replaceProcess(arguments: ["/nonexistent/loopseal-test-program"]) == 2)
        environment.wipe()
    }
}
