import LoopsealSync
import Testing

@Suite struct OutputFormatTests {
    @Test func namesMatchTheCLI() {
        #expect(OutputFormat.allCases.map(\.rawValue) == ["dotenv", "shell", "json", "yaml"])
        #expect(OutputFormat(rawValue: "yaml") == .yaml)
    }

    @Test(arguments: OutputFormat.allCases)
    func everyLineEndsWithNewlineAndOrderIsKept(format: OutputFormat) throws {
        let entries = [
            EnvEntry(key: "ALPHA", value: Array("1".utf8)),
            EnvEntry(key: "BETA", value: Array("two words".utf8)),
            EnvEntry(key: "GAMMA", value: Array("3".utf8)),
        ]
        let rendered = try format.render(entries)
        #expect(rendered.hasSuffix("\n"))
        let alpha = try #require(rendered.range(of: "ALPHA"))
        let beta = try #require(rendered.range(of: "BETA"))
        let gamma = try #require(rendered.range(of: "GAMMA"))
        #expect(alpha.lowerBound < beta.lowerBound && beta.lowerBound < gamma.lowerBound)
        if format != .json {
            #expect(rendered.split(separator: "\n", omittingEmptySubsequences: false).count == 4)
        }
    }

    @Test func emptyInput() throws {
        #expect(try OutputFormat.dotenv.render([]) == "")
        #expect(try OutputFormat.shell.render([]) == "")
        #expect(try OutputFormat.json.render([]) == "{}\n")
        #expect(try OutputFormat.yaml.render([]) == "{}\n")
    }
}
