import Foundation
@testable import LoopsealSync
import Testing

/// `hosts:` patterns (fnmatch-style globs over host names) and how the current host is chosen.
@Suite struct HostPatternTests {
    static func matches(_ pattern: String, _ host: String) throws -> Bool { try HostPattern(pattern).matches(host) }

    @Test("an exact name matches only itself, without regard to ASCII case")
    func exactNames() throws {
        #expect(try Self.matches("web-1", "web-1"))
        #expect(try Self.matches("web-1", "WEB-1"))
        #expect(try Self.matches("Web-1.Example.COM", "web-1.example.com"))
        #expect(try !Self.matches("web-1", "web-12"))
        #expect(try !Self.matches("web-1", "xweb-1"))
        #expect(try !Self.matches("web-1", "web-1.example.com"))
        #expect(try !Self.matches("web-1", ""))
    }

    @Test("'*' matches any run of characters, dots and nothing included")
    func star() throws {
        #expect(try Self.matches("web-*", "web-1"))
        #expect(try Self.matches("web-*", "web-12"))
        #expect(try Self.matches("web-*", "web-"))
        #expect(try Self.matches("web-*", "web-1.prod.example.com"))
        #expect(try !Self.matches("web-*", "web"))
        #expect(try !Self.matches("web-*", "db-1"))
        #expect(try !Self.matches("web-*", "my-web-1"))
        #expect(try Self.matches("*.prod", "web-1.prod"))
        #expect(try !Self.matches("*.prod", "web-1.prod.old"))
        #expect(try Self.matches("*", "anything.at_all"))
        #expect(try Self.matches("prod-*-db", "prod-eu-1-db"))
        #expect(try !Self.matches("prod-*-db", "prod-eu-1-dbx"))
        #expect(try Self.matches("a**b", "ab"))
    }

    @Test("'?' matches exactly one character")
    func question() throws {
        #expect(try Self.matches("web-?", "web-1"))
        #expect(try Self.matches("web-?", "web-X"))
        #expect(try !Self.matches("web-?", "web-12"))
        #expect(try !Self.matches("web-?", "web-"))
        #expect(try Self.matches("??", "db"))
    }

    @Test("'[…]' sets, ranges and negation ('!' or '^'), case-insensitive")
    func characterClasses() throws {
        #expect(try Self.matches("web-[0-9]", "web-7"))
        #expect(try !Self.matches("web-[0-9]", "web-a"))
        #expect(try !Self.matches("web-[0-9]", "web-10"))
        #expect(try Self.matches("web-[0-9][0-9]", "web-10"))
        #expect(try Self.matches("web-[abc]", "web-B"))
        #expect(try Self.matches("web-[A-C]", "web-b"))
        #expect(try !Self.matches("web-[abc]", "web-d"))
        #expect(try Self.matches("web-[!0-9]", "web-a"))
        #expect(try !Self.matches("web-[!0-9]", "web-5"))
        #expect(try Self.matches("web-[^0-9]", "web-a"))
        #expect(try !Self.matches("web-[^0-9]", "web-5"))
        #expect(try Self.matches("web[-.]1", "web.1"))
        #expect(try Self.matches("web-[a-]", "web--"))
        #expect(try Self.matches("db-[1-3]*", "db-2.eu"))
    }

    @Test("many stars against a long near-miss finish at once (no exponential backtracking)")
    func noBacktrackingBlowUp() throws {
        let pattern = try HostPattern(String(repeating: "*a", count: 30) + "b")
        let started = Date()
        #expect(!pattern.matches(String(repeating: "a", count: 200)))
        #expect(Date().timeIntervalSince(started) < 1)
    }

    @Test("what is not a host name or glob is refused, with the pattern named", arguments: [
        ("", "empty"), ("web 1", "not a host name"), ("web-1,web-2", "one host per list item"), ("web-1, web-2", "not a host name"),
        ("web-[1", "never closed"), ("web-[]", "holds no character"), ("web-[!]", "holds no character"),
        ("web-[9-0]", "'9-0' is empty"), ("web\\1", "not a host name"), ("wéb-1", "not a host name"), ("web-[ ]", "a '[…]' set may hold only"),
    ])
    func refusals(pattern: String, reason: String) {
        do {
            _ = try HostPattern(pattern)
            Issue.record("'\(pattern)' was accepted")
        } catch let error as SyncError {
            #expect(error.message.contains(reason), "\(error.message)")
            if !pattern.isEmpty { #expect(error.message.contains(pattern)) }
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("the host is --host, else $LOOPSEAL_HOST, else the machine's host name")
    func hostResolution() throws {
        let given = try SyncHost.resolve(option: "web-1", environment: ["LOOPSEAL_HOST": "db-1"])
        #expect(given.name == "web-1" && given.source == .option)
        let fromEnvironment = try SyncHost.resolve(option: nil, environment: ["LOOPSEAL_HOST": "db-1"])
        #expect(fromEnvironment.name == "db-1" && fromEnvironment.source == .environment)
        let machine = try SyncHost.resolve(option: nil, environment: [:])
        #expect(machine.source == .hostName)
        #expect(!machine.name.isEmpty)
        #expect(throws: SyncError.self) { try SyncHost.resolve(option: "web-*", environment: [:]) }
        #expect(throws: SyncError.self) { try SyncHost.resolve(option: nil, environment: ["LOOPSEAL_HOST": ""]) }
        #expect(throws: SyncError.self) { try SyncHost.resolve(option: "web 1", environment: [:]) }
    }

    @Test("a target without hosts: applies to every host; with hosts: only to those that match one")
    func applies() throws {
        var target = SyncTarget(name: "app", kind: .file, path: "app.env", command: nil, host: nil, url: nil, agentKey: nil,
                                format: .dotenv, keys: nil, restart: nil, sshOptions: nil, namespace: nil)
        let laptop = try SyncHost(name: "laptop", source: .option)
        let web = try SyncHost(name: "WEB-3", source: .environment)
        #expect(laptop.applies(to: target) && web.applies(to: target))
        target.hosts = [try HostPattern("web-*"), try HostPattern("db-1")]
        #expect(!laptop.applies(to: target))
        #expect(web.applies(to: target))
        #expect(try SyncHost(name: "db-1", source: .option).applies(to: target))
        #expect(target.hostsText == "web-*, db-1")
    }
}
