import ArgumentParser
import LoopsealKit
import LoopsealStore

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check that every sealed file parses, has its own id, is sealed to the listed recipients, is signed by a listed writer (when workspace.yaml lists writers), and opens.",
        discussion: "Values are opened only when an identity is found; signatures are checked without one. Nothing is printed but problems and a summary.")
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var identities: IdentityOptions

    func run() throws {
        let report = try WorkspaceVerification.run(try workspace.service(), identities: IdentityLoader(files: identities.identity))
        for problem in report.problems { Terminal.warn("loopseal: problem: \(problem)") }
        let summary = "\(report.secrets) secret\(report.secrets == 1 ? "" : "s") (\(report.withValue) with a value)"
        guard report.problems.isEmpty else {
            let count = report.problems.count
            throw CLIError("\(count) problem\(count == 1 ? "" : "s") in workspace '\(report.workspaceID)', \(summary)")
        }
        let signed = report.signaturesRequired ? ", signed by listed writers" : ""
        Terminal.print(report.opened.map { "ok: \(summary)\(signed); all \($0) values open\n" }
            ?? "ok: \(summary) parse and are sealed to the listed recipients\(signed); values not opened (no identity)\n")
    }
}
