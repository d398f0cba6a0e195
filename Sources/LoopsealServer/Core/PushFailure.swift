/// A commit that could not be pushed (`--git-push`): the remote could not be reached, refused
/// it, or kept moving through every retry. The commit has been taken back; `detail` is what git
/// said (logged, not answered: a remote's URL is the operator's business).
struct PushFailure: Error, CustomStringConvertible {
    /// The remote and branch pushed to.
    let remote: String
    let branch: String
    /// Why, in git's words.
    let detail: String

    var description: String { "the push to branch '\(branch)' of remote '\(remote)' failed: \(detail)" }
}
