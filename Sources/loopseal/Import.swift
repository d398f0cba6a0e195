import ArgumentParser
import LoopsealKit
import LoopsealStore

extension ImportFormat: ExpressibleByArgument {}

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Seal every secret of a .env, JSON or YAML file (or - for stdin), all or nothing.",
        discussion: """
            dotenv is read exactly as python-dotenv reads it with interpolate=False: comments, 'export ', \
            single and double quotes, escapes in double quotes, multi-line quoted values, ${…} kept \
            literal. A line python-dotenv could not parse, a name without '=' or a name that is not a \
            variable name refuses the whole file, naming the line. JSON and YAML: one mapping of names \
            to strings. Every name and value is read before anything is written. A secret that exists \
            with another value is refused unless --overwrite (and then nothing is written); an equal value \
            leaves its file untouched. One line per key on stdout: added, changed, unchanged or refused \
            KEY. Names only, never values.
            """)
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var signing: SigningOptions
    @OptionGroup var identities: IdentityOptions
    @Argument(help: ArgumentHelp("The file to import, or - for standard input.", valueName: "file")) var file: String
    @Option(help: "dotenv, json or yaml (default: from the file's extension, .json or .yaml/.yml; dotenv otherwise).")
    var format: ImportFormat?
    @Flag(help: "Replace secrets that exist with another value (without it they are refused and nothing is written).")
    var overwrite = false
    @Flag(help: "Print what would happen and write nothing.") var dryRun = false

    func run() throws {
        let source: SecretImport.Source = file == "-" ? .standardInput(try Terminal.readStandardInput(limit: FileIO.defaultLimit)) : .file(file)
        let report = try SecretImport(service: try workspace.service(signingKeys: signing.loader))
            .run(source, format: format, identities: try identities.loadIfAny(), overwrite: overwrite, dryRun: dryRun)
        Terminal.print(report.result.outcomes.map { Self.line($0.key, $0.outcome) + "\n" }.joined())
        Self.summarize(report, dryRun: dryRun)
        if report.result.refused { throw ExitCode.failure }
    }

    /// `added KEY`, `changed KEY`, `unchanged KEY` or `refused KEY (…)`.
    static func line(_ key: String, _ outcome: SecretWriteOutcome) -> String {
        outcome == .refused ? "refused \(key) (exists with another value: --overwrite replaces it)" : "\(outcome.rawValue) \(key)"
    }

    /// What was written, what stopped it, and the warning for a file git tracks (stderr).
    private static func summarize(_ report: SecretImportReport, dryRun: Bool) {
        let refused = report.result.outcomes.filter { $0.outcome == .refused }.count
        if refused > 0 {
            Terminal.warn("nothing was written: \(refused) secret(s) exist with another value; pass --overwrite to replace them")
            if !report.comparedValues {
                Terminal.warn("no identity was found, so existing values could not be compared: every existing secret counts as changed (give one with --identity)")
            }
        } else if dryRun {
            Terminal.warn("dry run: nothing was written")
        }
        if report.trackedByGit {
            Terminal.warn("warning: git tracks \(report.source): its values are in the repository's history, so treat them as exposed: rotate them, and stop tracking the file (git rm --cached \(report.source))")
        }
    }
}
