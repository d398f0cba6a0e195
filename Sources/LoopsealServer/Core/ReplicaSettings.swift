/// How a replica shares its repository (`serve --git-push`): every batch is committed and pushed
/// to `branch` on `remote` before it is answered, and the remote is pulled every `pullInterval`
/// seconds (±10%) and on demand (``Replica/pullNow()``).
public struct ReplicaSettings: Sendable, Equatable {
    /// The git remote's name, as `git remote` lists it (`--remote`, default `origin`).
    public var remote: String
    /// The branch pushed to and pulled from (`--branch`, default `main`).
    public var branch: String
    /// Seconds between pulls (`--pull-interval`, default 5).
    public var pullInterval: Double
    /// How many times a push rejected by a concurrent one is rebuilt on the new tip and retried.
    public var pushAttempts: Int

    /// Settings for `branch` on `remote`, pulled every `pullInterval` seconds.
    public init(remote: String = "origin", branch: String = "main", pullInterval: Double = 5, pushAttempts: Int = 8) {
        self.remote = remote
        self.branch = branch
        self.pullInterval = pullInterval
        self.pushAttempts = pushAttempts
    }

    /// The remote-tracking ref fetches update: `refs/remotes/REMOTE/BRANCH`.
    var trackingRef: String { "refs/remotes/\(remote)/\(branch)" }
}
