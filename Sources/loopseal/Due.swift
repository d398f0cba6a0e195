import ArgumentParser
import LoopsealKit
import LoopsealStore
import LoopsealValue

struct Due: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "due",
        abstract: "List the secrets whose rotation is due or overdue, by owner.",
        discussion: """
            A secret is due on the earlier of its 'expires' date and 'rotated' + 'rotateEvery' \
            ('loopseal set KEY --rotate-every 90d', 'loopseal meta'); it is overdue on and after that \
            day, and listed as due when that day is within --within. A secret with a rotation period \
            but no 'rotated' date (its value has not changed since the period was set, or the file \
            predates metadata) is listed as 'unknown': set a new value to start its clock. When \
            workspace.yaml lists writers, a file whose signature does not hold is left out and named \
            on stderr. Nothing is decrypted. --fail exits 1 when a secret is overdue or a file was \
            left out (a CI gate), else 0.
            """)
    @OptionGroup var workspace: WorkspaceOptions
    @Option(help: ArgumentHelp("The window: list what is due within it (90d, 12w, 6m, 1y).", valueName: "period"))
    var within: String = "14d"
    @Flag(help: "Print JSON: {\"today\", \"within\", \"secrets\": [{\"key\", \"owner\", \"status\", \"reason\", \"due\", \"days\", …}], \"problems\"}.")
    var json = false
    @Flag(help: "Exit 1 when a secret is overdue (or a file was left out).") var fail = false

    func run() throws {
        guard let window = RotationPeriod(string: within) else {
            throw StoreError.invalidMetadata(field: "--within", problem: "'\(within)' is not a period: use \(RotationPeriod.grammar)")
        }
        let report = try RotationDue.report(service: try workspace.service(), within: window)
        for (key, problem) in report.problems { Terminal.warn("loopseal: left out \(key): \(problem)") }
        Terminal.print(json ? DueRendering.json(report) : DueRendering.text(report))
        if fail && (report.hasOverdue || !report.problems.isEmpty) { throw ExitCode.failure }
    }
}
