import ArgumentParser
import Testing
@testable import loopseal

/// The long-running commands await their service on the entry point's task: no thread blocked
/// on a semaphore while the server runs.
struct AsyncCommandTests {
    @Test("serve, agent, mcp and watch are AsyncParsableCommands; the one-shot commands stay synchronous")
    func longRunningCommandsAreAsync() throws {
        for arguments in [["serve"], ["agent", "-i", "k", "--authorized-keys", "a", "--env-file", "e"], ["mcp"], ["watch"]] {
            let command = try Loopseal.parseAsRoot(arguments)
            #expect(command is any AsyncParsableCommand, "\(arguments[0])")
        }
        for arguments in [["keys"], ["verify"], ["keygen"]] {
            #expect(!(try Loopseal.parseAsRoot(arguments) is any AsyncParsableCommand), "\(arguments[0])")
        }
    }
}
