import ArgumentParser
import LoopsealCrypto
import LoopsealStore
import LoopsealSync

extension OutputFormat: ExpressibleByArgument {}

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Print every secret with a value in a format other tools read.",
        discussion: """
            dotenv is literal: read it without interpolation (python-dotenv: interpolate=False). \
            dotenv is not shell: never source it ('. FILE'), where a value like $(cmd) would run; \
            for a shell use --format shell, whose values are single-quoted and never run. \
            Secrets without a value are skipped with a note on stderr.
            """)
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var identities: IdentityOptions
    @Option(help: "Output format: \(OutputFormat.allCases.map(\.rawValue).joined(separator: ", ")). dotenv is for dotenv readers, not for a shell to source: use shell for that.")
    var format: OutputFormat = .dotenv
    @Option(name: .customLong("key"), help: "Export only this key. Repeatable.") var keys: [String] = []

    func run() throws {
        let service = try workspace.service()
        let opened = try service.revealAll(identities: try identities.load(), only: keys.isEmpty ? nil : keys)
        StaleWarning.print(opened.sealing)
        if !opened.missing.isEmpty { Terminal.warn("skipped (no value yet): \(opened.missing.joined(separator: " "))") }
        let entries = opened.values.map { EnvEntry(key: $0.key, value: $0.value.withUnsafeBytes { Array($0) }) }
        Terminal.print(try format.render(entries))
    }
}
