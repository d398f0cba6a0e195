import ArgumentParser
import LoopsealStore
import LoopsealSync

struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Keep the sync targets up to date as secrets change (edits, git pull, git checkout).",
        discussion: "Syncs once at start, then on every change; logs one line per sync (target, keys, duration) and keeps going through errors. Stop with Ctrl-C or SIGTERM.")
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var identities: IdentityOptions
    @Option(help: "Longest time (ms) a burst of changes is collected before syncing.") var debounce: Int = 100

    func run() throws {
        let watcher = try Watcher(workspace: try workspace.resolve(), identities: try identities.load(),
                                  maxDelay: Double(max(1, debounce)) / 1000)
        watcher.stopOnSignals()
        try watcher.run()
    }
}
