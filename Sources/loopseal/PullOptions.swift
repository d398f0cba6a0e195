import ArgumentParser
import Foundation
import LoopsealCrypto
import LoopsealKit
import LoopsealStore
import LoopsealSync

/// `watch --pull` and how it follows a remote branch.
struct PullOptions: ParsableArguments {
    @Flag(help: "Follow a branch of a remote: fetch, fast-forward only, verify, then sync this host's targets.") var pull = false
    @Option(help: "The remote to fetch from (with --pull).") var remote = "origin"
    @Option(help: "The branch to follow (with --pull).") var branch = "main"
    @Option(help: "Seconds between fetches (with --pull; ±10% jitter, backing off after failures).") var interval: Double = 30
    @Option(help: "Write what the follower last did to this JSON file (with --pull; never a value).", completion: .file())
    var statusFile: String?
    @Option(help: ArgumentHelp(
        "Apply only commits whose workspace.yaml a writer pinned in FILE signed (with --pull).",
        discussion: "FILE lists loopsealsign1… public keys, one per line. Sealed files must be signed by a writer both listed and pinned.",
        valueName: "file"), completion: .file())
    var trust: String?

    func validate() throws {
        guard interval >= 0.1 && interval <= 86_400 else { throw ValidationError("--interval must be between 0.1 and 86400 seconds") }
        if !pull && (statusFile != nil || trust != nil) { throw ValidationError("--status-file and --trust go with --pull") }
    }

    /// Follows the remote branch until SIGINT or SIGTERM.
    func follow(workspace: Workspace, identities: [Identity], host: SyncHost) async throws {
        var options = PullFollower.Options(host: host)
        options.remote = remote
        options.branch = branch
        options.interval = interval
        options.statusFile = statusFile
        if let trust {
            let pinned = try PinnedTrust(pinnedFile: trust)
            options.trust = { root in try pinned.check(root: root) }
        }
        let follower = try PullFollower(workspace: workspace, identities: identities, options: options,
                                        logger: CommandLogger.make("loopseal.pull", level: .notice))
        follower.stopOnSignals()
        try await follower.runUntilStopped()
    }
}
