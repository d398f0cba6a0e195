import LoopsealSync
import Testing

@Suite struct OutputFormatTests {
    @Test func namesMatchTheCLI() {
        #expect(
            OutputFormat.allCases.map(\.rawValue)
                == ["dotenv", "shell", "json", "yaml", "k8s", "github-env", "docker"])
        #expect(OutputFormat(rawValue: "yaml") == .yaml)
        #expect(OutputFormat(rawValue: "github-env") == .githubEnv)
        #expect(OutputFormat(rawValue: "k8s") == .k8s)
        #expect(OutputFormat(rawValue: "docker") == .docker)
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
        let lineCount = rendered.split(separator: "\n", omittingEmptySubsequences: false).count
        switch format {
        case .json: break
        case .k8s: #expect(lineCount == 10)  // 6 header lines, 3 keys, final empty split
        case .githubEnv: #expect(lineCount == 10)  // 3 lines per key, final empty split
        default: #expect(lineCount == 4)
        }
    }

    @Test func emptyInput() throws {
        #expect(try OutputFormat.dotenv.render([]) == "")
        #expect(try OutputFormat.shell.render([]) == "")
        #expect(try OutputFormat.json.render([]) == "{}\n")
        #expect(try OutputFormat.yaml.render([]) == "{}\n")
        #expect(try OutputFormat.k8s.render([]).hasSuffix("data: {}\n"))
        #expect(try OutputFormat.githubEnv.render([]) == "")
        #expect(try OutputFormat.docker.render([]) == "")
    }

    @Test func defaultOptions() {
        #expect(FormatOptions() == FormatOptions(name: "loopseal-secrets", namespace: nil))
    }

    @Test func invalidOptionDescription() {
        let error = FormatError.invalidOption(format: "k8s", option: "name", reason: "why")
        #expect(error.description == "invalid name for k8s: why")
    }

    @Test(arguments: OutputFormat.allCases.filter { $0 != .k8s })
    func otherFormatsIgnoreOptions(format: OutputFormat) throws {
        let entries = [EnvEntry(key: "A", value: Array("1".utf8))]
        let odd = FormatOptions(name: "NOT VALID", namespace: "ALSO NOT")
        if format == .githubEnv {
            _ = try format.render(entries, options: odd)
        } else {
            #expect(try format.render(entries, options: odd) == (try format.render(entries)))
        }
    }
}
