import ArgumentParser
import LoopsealStore
import LoopsealSync

struct Sync: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Write the secrets to the workspace's sync targets (workspace.yaml 'targets:').",
        discussion: """
            Prints, per target, which keys were added (+), changed (~) or removed (-) since the last \
            sync: names only. Unchanged targets are not rewritten and not restarted. A file target \
            whose path holds a file Loopseal never wrote is refused unless --adopt; one edited by hand \
            since the last sync is refused unless --force. --dry-run shows where each target goes \
            (resolved path, command, restart command) and refuses what the real sync would refuse. \
            A file target outside the repository is allowed, and named on its first sync. \
            A target with 'hosts:' is synced only on those hosts (--host, $LOOPSEAL_HOST or the \
            host name): the others are listed as skipped, and naming one is refused. \
            The dotenv format is not shell: a value like $(cmd) is literal to dotenv readers but \
            runs if the file is sourced with '.'; use format: shell for files that a shell sources.
            """)
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var identities: IdentityOptions
    @OptionGroup var host: HostOptions
    @Argument(help: "Targets to sync (default: all).") var targets: [String] = []
    @Flag(help: "Show what would change; write nothing.") var dryRun = false
    @Flag(help: "Overwrite file targets edited by hand since the last sync (and files never synced).") var force = false
    @Flag(help: "Replace a file at a target's path that Loopseal never wrote (the first sync to an existing file).") var adopt = false

    func run() throws {
        let syncer = TargetSyncer(workspace: try workspace.resolve(), identities: try identities.load(), host: try host.selected())
        let report = try syncer.report(only: targets.isEmpty ? nil : targets, dryRun: dryRun, force: force, adopt: adopt)
        StaleWarning.print(report.sealing)
        for plan in report.plans { Terminal.print(Self.describe(plan, host: report.host, dryRun: dryRun) + "\n") }
        for target in report.skipped { Terminal.print(Self.skipped(target, host: report.host) + "\n") }
        if report.plans.isEmpty && report.skipped.isEmpty { Terminal.print("no targets: add some under 'targets:' in workspace.yaml\n") }
        guard report.failures.isEmpty else {
            for failure in report.failures.dropLast() { Terminal.warn("loopseal: error: \(failure)") }
            throw SyncError(report.failures.last ?? "")
        }
    }

    /// `db (file): skipped (for hosts: db-1; this host is web-1)`.
    static func skipped(_ target: SyncTarget, host: SyncHost) -> String {
        "\(target.name) (\(target.kind.rawValue)): skipped (for hosts: \(target.hostsText); this host is \(host.name))"
    }

    static func describe(_ plan: SyncPlan, host: SyncHost, dryRun: Bool) -> String {
        var changes = plan.added.map { "+\($0)" } + plan.changed.map { "~\($0)" } + plan.removed.map { "-\($0)" }
        if changes.isEmpty && plan.needsWrite { changes = ["payload differs"] }
        let what = changes.isEmpty ? "" : " " + changes.joined(separator: " ")
        let drift = plan.drifted ? " (edited by hand since the last sync)" : plan.unmanaged ? " (a file loopseal never wrote)" : ""
        let verb: String
        if plan.refusal != nil { verb = dryRun ? "would be refused" : "refused" }
        else if !plan.needsWrite { verb = "unchanged" } else if dryRun { verb = "would write" } else if plan.written { verb = "written" } else { verb = "not written" }
        var text = "\(plan.target.name) (\(plan.target.kind.rawValue)): \(verb)\(what)\(drift), \(plan.keys.count) key\(plan.keys.count == 1 ? "" : "s")"
        if dryRun {
            text += "\n  to: \(plan.destination)"
            if let restart = plan.target.restart { text += "\n  then runs: \(restart.joined(separator: " "))" }
            let matched = plan.target.hosts != nil ? " (this host, \(host.name), is one)" : ""
            text += "\n  for hosts: \(plan.target.hostsText)\(matched)"
        }
        if plan.outsideRepository && plan.firstSync {
            text += "\n  note: this target is outside the repository: \(plan.destination)"
        }
        return text
    }
}
