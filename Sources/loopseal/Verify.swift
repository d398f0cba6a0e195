import ArgumentParser
import LoopsealKit
import LoopsealStore

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check that every sealed file parses, has its own id, is sealed to the listed recipients, is signed by a listed writer (when workspace.yaml lists writers), and opens.",
        discussion: """
            Values are opened only when an identity is found; signatures are checked without one. Nothing is printed \
            but problems and a summary. With --no-decrypt no identity is looked for, even when one is set up: every \
            check but opening values, with public keys only (the check for pull requests in CI, which holds no identity).
            """)
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var identities: IdentityOptions
    @Flag(help: "Open no value and look for no identity (for CI on pull requests).") var noDecrypt = false
    @Option(help: ArgumentHelp(
        "Also require pinned trust: workspace.yaml signed by a key in FILE, every sealed file by a key both in FILE and listed under writers.",
        discussion: "FILE holds writers' loopsealsign1… public keys, one per line ('#' comments allowed): what 'watch --pull --trust FILE' accepts.",
        valueName: "file"))
    var trust: String?

    func validate() throws {
        guard !(noDecrypt && !identities.identity.isEmpty) else { throw ValidationError("--no-decrypt opens no value: it cannot go with --identity") }
    }

    func run() throws {
        let loader = noDecrypt ? nil : IdentityLoader(files: identities.identity)
        let pinned = try trust.map { try PinnedTrust(pinnedFile: $0) }
        let report = try WorkspaceVerification.run(try workspace.service(), identities: loader, trust: pinned)
        for warning in report.warnings { Terminal.warn("loopseal: warning: \(warning)") }
        for problem in report.problems { Terminal.warn("loopseal: problem: \(problem)") }
        let summary = "\(report.secrets) secret\(report.secrets == 1 ? "" : "s") (\(report.withValue) with a value)"
        guard report.problems.isEmpty else {
            let count = report.problems.count
            throw CLIError("\(count) problem\(count == 1 ? "" : "s") in workspace '\(report.workspaceID)', \(summary)")
        }
        Terminal.print(Self.success(report, summary: summary, noDecrypt: noDecrypt))
    }

    private static func success(_ report: VerificationReport, summary: String, noDecrypt: Bool) -> String {
        let pinned = report.trust.map { _ in "workspace.yaml and all files signed by pinned writers; " } ?? ""
        let signed = report.signaturesRequired ? ", signed by listed writers" : ""
        if let opened = report.opened { return "ok: \(pinned)\(summary)\(signed); all \(opened) values open\n" }
        return "ok: \(pinned)\(summary) parse and are sealed to the listed recipients\(signed); values not opened (\(noDecrypt ? "--no-decrypt" : "no identity"))\n"
    }
}
