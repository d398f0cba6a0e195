import LoopsealWorkflows

/// The runs linked to the run a page shows: the run that started it, the child runs it started
/// (for its `workflow_link` documents), and the child it is pending on.
struct RunFamily: Sendable {
    /// The parent run, when the run is a child run and its parent still loads.
    var parent: WorkflowRun?
    /// The child runs that still load, oldest first.
    var children: [WorkflowRun]
    /// The child the run waits on, while it is `pending`.
    var pending: PendingChild?

    /// No linked runs.
    static let none = RunFamily(parent: nil, children: [], pending: nil)

    /// The loaded child `id`, when there is one.
    func child(_ id: String) -> WorkflowRun? {
        children.first { $0.id == id }
    }
}

/// The child run a pending run waits on, as the parent's page shows it: always a link; with
/// `show: inline`, also the child's secret form (for writers, while the child asks for secrets).
struct PendingChild: Sendable {
    /// The child's id (from the parent's `pendingTransition`).
    var id: String
    /// The parent's transition that started it.
    var transition: String
    /// How the parent's page shows it.
    var show: ChildDisplay
    /// The child, when its file still loads.
    var run: WorkflowRun?
    /// The child's secret form, shown inline.
    var form: SecretForm?

    /// The child `run` is pending on, with `form` kept only for `show: inline`. Nil when `run` is
    /// not pending.
    static func of(_ run: WorkflowRun, children: [WorkflowRun], form: SecretForm?) -> PendingChild? {
        guard run.status == .pending, let pending = run.pendingTransition else { return nil }
        let show = run.children.first { $0.run == pending.child }?.show ?? .inline
        return PendingChild(id: pending.child, transition: pending.transition, show: show,
                            run: children.first { $0.id == pending.child }, form: show == .inline ? form : nil)
    }
}
