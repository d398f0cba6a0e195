import ArgumentParser
import Testing
@testable import loopseal

/// `get KEY --at REV` must reach GetSecret's `--at`: the quick recogniser, which knows only
/// plain `get`, declines it (it would otherwise print today's value for an old commit).
struct GetAtParseTests {
    @Test("the quick path declines every spelling of --at; ArgumentParser parses it")
    func quickPathDeclinesAt() throws {
        let spellings: [[String]] = [
            ["get", "API_KEY", "--at", "HEAD~2"], ["get", "--at", "HEAD~2", "API_KEY"], ["get", "API_KEY", "--at=abc123"],
            ["get", "-w", "prod", "-i", "/k", "API_KEY", "--at", "v1.0"],
        ]
        for arguments in spellings {
            #expect(QuickParse.command(arguments) == nil, "accepted: \(arguments)")
            let get = try #require(try Loopseal.parseAsRoot(arguments) as? GetSecret, "\(arguments)")
            #expect(get.key == "API_KEY")
            #expect(get.at != nil)
        }
        #expect(QuickParse.command(["get", "API_KEY"]) != nil)
        #expect((try Loopseal.parseAsRoot(["get", "API_KEY"]) as? GetSecret)?.at == nil)
    }

    @Test("log takes KEY, -n N and --json; -n below 1 is a usage error")
    func logArguments() throws {
        let log = try #require(try Loopseal.parseAsRoot(["log", "API_KEY", "-n", "3", "--json", "-i", "/k"]) as? Log)
        #expect((log.key, log.count, log.json, log.identities.identity) == ("API_KEY", 3, true, ["/k"]))
        #expect(throws: (any Error).self) { try Loopseal.parseAsRoot(["log", "API_KEY", "-n", "0"]) }
        #expect(QuickParse.command(["log", "API_KEY"]) == nil)
    }
}
