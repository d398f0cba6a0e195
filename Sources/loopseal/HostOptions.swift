import ArgumentParser
import LoopsealSync

/// `--host NAME`: which host's targets (workspace.yaml `hosts:`) a sync applies.
struct HostOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "This machine's name for the targets' 'hosts:'.",
        discussion: "Without it: $LOOPSEAL_HOST, then the machine's host name. A target without 'hosts:' applies on every host.",
        valueName: "name"))
    var host: String?

    func validate() throws {
        do { _ = try selected() } catch let error as SyncError { throw ValidationError(error.message) }
    }

    /// The host as given, or nil to let the sync use `$LOOPSEAL_HOST` or the host name.
    func selected() throws -> SyncHost? {
        try host.map { try SyncHost(name: $0, source: .option) }
    }

    /// The host: `--host`, `$LOOPSEAL_HOST` or the host name.
    func resolve() throws -> SyncHost {
        try selected() ?? SyncHost.current()
    }
}
