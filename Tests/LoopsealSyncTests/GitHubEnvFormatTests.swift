import Foundation
import Testing

@testable import LoopsealSync

@Suite struct GitHubEnvFormatTests {
    static let canary = "CANARY-7f3a"

    /// Torture values the format must carry: everything but a value ending in CR.
    static var carried: [String] {
        (TortureValues.all + TortureValues.dotenvRejected).filter { $0.utf8.last != UInt8(ascii: "\r") }
    }

    @Test(arguments: [false, true])
    func torturedValuesRoundTripThroughTheRunnerRule(windows: Bool) throws {
        let entries = TortureValues.entries(Self.carried) + [
            EnvEntry(key: "EQ_AND_HEREDOC", value: Array("a<<b=c\n<<\n=\nKEY<<EOF\nEOF".utf8)),
            EnvEntry(key: "LOOKS_LIKE_DELIMITER", value: Array("ghadelimiter_\nghadelimiter_0123".utf8)),
            EnvEntry(key: "CR_INSIDE", value: Array("a\r\n\rb\r\r\nc".utf8)),
        ]
        let rendered = try OutputFormat.githubEnv.render(entries)
        Consumer.expectExact(try GitHubEnvReader.read(rendered, windows: windows), entries)
    }

    @Test func carriedSetIsTheTortureSetMinusTrailingCR() {
        let all = TortureValues.all + TortureValues.dotenvRejected
        #expect(all.count - Self.carried.count == 1)
        #expect(!Self.carried.contains("\r"))
    }

    @Test func valueEndingInCRIsRefusedNamingTheKey() {
        for value in ["\r", Self.canary + "\r", Self.canary + "\r\n\r"] {
            expectRefused(
                .githubEnv,
                [EnvEntry(key: "OK", value: Array("x".utf8)), EnvEntry(key: "SECRET_KEY", value: Array(value.utf8))],
                key: "SECRET_KEY", canary: Self.canary, reasonMentions: "carriage return")
        }
    }

    /// Why values ending in CR are refused: the Windows runner drops that CR.
    @Test func windowsRunnerDropsATrailingCR() throws {
        let text = "K<<D\nx\r\nD\n"
        #expect(try GitHubEnvReader.read(text, windows: false).map(\.value) == [Array("x\r".utf8)])
        #expect(try GitHubEnvReader.read(text, windows: true).map(\.value) == [Array("x".utf8)])
    }

    @Test(arguments: ["NODE_OPTIONS", "node_options", "GITHUB_REF", "GITHUB_TOKEN", "RUNNER_OS", "runner_temp"])
    func namesTheRunnerWillNotSetAreRefused(key: String) {
        expectRefused(.githubEnv, [EnvEntry(key: key, value: Array(Self.canary.utf8))], key: key, canary: Self.canary)
    }

    @Test func layoutAndDelimiters() throws {
        let entries = [
            EnvEntry(key: "A", value: Array("one".utf8)),
            EnvEntry(key: "B", value: []),
            EnvEntry(key: "C", value: Array("two\n".utf8)),
        ]
        let rendered = try OutputFormat.githubEnv.render(entries)
        let lines = rendered.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.count == 11 && lines.last == "")
        var delimiters: [String] = []
        for (index, key) in ["A", "B", "C"].enumerated() {
            let header = lines[[0, 3, 6][index]]
            #expect(header.hasPrefix(key + "<<ghadelimiter_"))
            let delimiter = String(header.dropFirst(key.count + 2))
            #expect(delimiter.count == 13 + 32)
            #expect(delimiter.dropFirst(13).allSatisfy { "0123456789abcdef".contains($0) })
            delimiters.append(delimiter)
        }
        #expect(Set(delimiters).count == 3)
        #expect(
            lines == [
                "A<<" + delimiters[0], "one", delimiters[0],
                "B<<" + delimiters[1], "", delimiters[1],
                "C<<" + delimiters[2], "two", "", delimiters[2], "",
            ])
        #expect(try OutputFormat.githubEnv.render([]) == "")
    }

    /// A generator returning fixed words, so the first delimiter can be planted in a value.
    struct FixedGenerator: RandomNumberGenerator {
        var words: [UInt64]
        var index = 0
        mutating func next() -> UInt64 {
            defer { index += 1 }
            return words[index % words.count]
        }
    }

    @Test func delimiterFoundInTheValueIsRedrawn() throws {
        var probe = FixedGenerator(words: [0x0123_4567_89AB_CDEF, 0x0000_0000_0000_0001])
        let first = GitHubEnvFormat.randomDelimiter(using: &probe)
        #expect(first == "ghadelimiter_0123456789abcdef0000000000000001")
        let second = GitHubEnvFormat.randomDelimiter(using: &probe)
        #expect(second == first)

        let value = "before\n" + first + "\nafter" + first
        var generator = FixedGenerator(words: [0x0123_4567_89AB_CDEF, 1, 0xFFFF_FFFF_FFFF_FFFF, 2])
        let rendered = try GitHubEnvFormat.render(
            [EnvEntry(key: "K", value: Array(value.utf8))], using: &generator)
        let redrawn = "ghadelimiter_ffffffffffffffff0000000000000002"
        #expect(rendered == "K<<" + redrawn + "\n" + value + "\n" + redrawn + "\n")
        #expect(try GitHubEnvReader.read(rendered, windows: false).map(\.value) == [Array(value.utf8)])
    }

    @Test func delimiterSearchIsByteExact() {
        #expect(GitHubEnvFormat.occurs("abc", in: Array("xxabc".utf8)))
        #expect(GitHubEnvFormat.occurs("abc", in: Array("abc\u{301}".utf8)))
        #expect(!GitHubEnvFormat.occurs("abc", in: Array("ab".utf8)))
        #expect(!GitHubEnvFormat.occurs("abc", in: Array("abxabd".utf8)))
    }
}
