import ArgumentParser
import LoopsealKit
import LoopsealStore
import LoopsealSync

struct Watch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Keep the sync targets up to date as secrets change (edits, git pull, git checkout).",
        discussion: """
            Syncs once at start, then on every change, and keeps going through errors. Stop with Ctrl-C \
            or SIGTERM. Only the targets for this host are synced (see 'loopseal targets'); the others \
            are logged as skipped at start.

            Output (stderr): one line per target per sync, with the target's name, the names of its keys \
            (added, changed, removed) and how long it took, or why it failed; never a value. A warning names \
            the files sealed to other recipients than workspace.yaml lists, and who can run 'loopseal rekey', \
            when that first happens or changes. \
            LOOPSEAL_LOG_LEVEL sets how much is printed: notice (the default here: the sync lines and \
            errors), info or debug (more detail), warning (failures and warnings) or error (failures only); also trace and critical.
            """)
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var identities: IdentityOptions
    @OptionGroup var host: HostOptions
    @Option(help: "Longest time (ms) a burst of changes is collected before syncing.") var debounce: Int = 100
    @OptionGroup var pull: PullOptions

    func run() async throws {
        if pull.pull { return try await pull.follow(workspace: try workspace.resolve(), identities: try identities.load(), host: try host.resolve()) }
        let watcher = try Watcher(workspace: try workspace.resolve(), identities: try identities.load(),
                                  maxDelay: Double(max(1, debounce)) / 1000, logger: CommandLogger.make("loopseal.watch", level: .notice))
        watcher.sealingWarning = { StaleRecipients($0).warning }
        watcher.host = try host.selected()
        watcher.stopOnSignals()
        try await watcher.runUntilStopped()
    }
}
