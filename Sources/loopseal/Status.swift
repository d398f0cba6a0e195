import ArgumentParser
import LoopsealDiagnostics
import LoopsealKit
import LoopsealValue

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show what a following host ('watch --pull --status-file') last did.",
        discussion: "Prints the applied commit, the last fetch, a refused commit and each target's last sync: names, commits and times, never a value.")
    @Option(help: "The status file 'watch --pull' writes.", completion: .file()) var statusFile: String
    @Flag(help: "Print the file's JSON.") var json = false

    func run() throws {
        let status = try PullStatus.read(statusFile)
        Terminal.print(json ? status.jsonText(pretty: true) + "\n" : Self.render(status))
    }

    /// The status as text; everything from the file is shown as untrusted text.
    static func render(_ status: TemplateValue) -> String {
        func field(_ value: TemplateValue?, _ path: String...) -> String {
            var current = value
            for key in path { current = current?.property(key) }
            guard let current, !current.isNull else { return "-" }
            return UntrustedText.display(current.javaScriptString)
        }
        var out = "host \(field(status, "host"))  workspace \(field(status, "workspace"))  following \(field(status, "remote"))/\(field(status, "branch"))\n"
        out += "applied: \(field(status, "appliedCommit"))  at \(field(status, "appliedAt"))\n"
        out += "last fetch: \(field(status, "lastFetch", "result"))  at \(field(status, "lastFetch", "at"))\n"
        if let refused = status.property("refused"), !refused.isNull {
            out += "refused: \(field(refused, "commit")): \(field(refused, "reason"))\n"
        }
        if case .object(let targets)? = status.property("targets") {
            for (name, target) in zip(targets.keys, targets.values) {
                out += "target \(UntrustedText.display(name)): \(field(target, "result")), \(field(target, "keys")) keys, at \(field(target, "lastSyncAt"))"
                out += target.property("error").map { $0.isNull ? "" : " (\(UntrustedText.display($0.javaScriptString)))" } ?? ""
                out += "\n"
            }
        }
        if let error = status.property("lastError"), !error.isNull { out += "last error: \(UntrustedText.display(error.javaScriptString))\n" }
        return out
    }
}
