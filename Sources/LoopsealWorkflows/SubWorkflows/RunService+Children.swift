import Foundation
import LoopsealStore
import LoopsealTemplates
import LoopsealValue

extension RunService: ChildRunLauncher {
    /// Starts `request.workflow` (listed under `workflows/` or built in; never a path) as a child
    /// of `parent`, advances it and saves it.
    public func startChild(_ request: ChildRequest, parent: ParentLink) throws -> WorkflowRun {
        let (definition, file): (WorkflowDefinition, String)
        do {
            (definition, file) = try loadListedWorkflow(request.workflow)
        } catch RunServiceError.workflowNotFound {
            let known = workflows().map(\.name).joined(separator: ", ")
            throw ToolError("no workflow named '\(request.workflow.prefix(80))' to start as a child run (known: \(known))")
        }
        let inputBytes = RunLimits.size(of: request.args)
        guard inputBytes <= RunLimits.maxInputBytes else {
            throw RunServiceError.inputTooLarge(bytes: inputBytes, limit: RunLimits.maxInputBytes)
        }
        let id = RunStore.newID()
        return try store.withLock(id) {
            let child = engine(definition).start(args: request.args, workflowFile: file, id: id, parent: parent)
            try store.save(child)
            return child
        }
    }

    /// The callback: once `child` is saved finished, resumes the run waiting on it, and that
    /// run's parent when it finishes in turn. A run not waiting on that child is left alone, so
    /// a second call (or a second process) resumes nothing twice.
    func resumeParents(of child: WorkflowRun) throws {
        var finished = child
        while finished.isFinished, let link = finished.parent {
            CrashPoint.hit("before-parent-resume")
            guard let parent = try resume(link.run, after: finished) else { return }
            finished = parent
        }
    }

    /// Resumes run `id` if it is pending on `child`; returns it as saved, or nil when it was not.
    private func resume(_ id: String, after child: WorkflowRun) throws -> WorkflowRun? {
        guard RunStore.isValidID(id), FileIO.exists(try store.file(id)) else { return nil }
        return try store.withLock(id, waiting: true) {
            let parent = try store.load(id)
            guard parent.status == .pending, parent.pendingTransition?.child == child.id else { return nil }
            var resumed: WorkflowRun
            do {
                resumed = engine(try definition(of: parent)).resume(parent, after: child)
            } catch {
                resumed = parent
                resumed.status = .failed
                resumed.pendingTransition = nil
                resumed.error = "child run '\(child.id)' finished, but this run's workflow no longer loads: \(error)"
                resumed.updatedAt = WorkflowRun.now()
            }
            try store.save(resumed)
            return resumed
        }
    }

    /// Run `run` after finishing what a crash or a busy lock left undone: a pending run whose
    /// child has finished is resumed, and so is the parent waiting on a finished child.
    public func settled(_ run: WorkflowRun) throws -> WorkflowRun {
        if run.status == .pending, let pending = run.pendingTransition, RunStore.isValidID(pending.child),
           FileIO.exists(try store.file(pending.child)) {
            let child = try store.load(pending.child)
            guard child.isFinished else { return run }
            try resumeParents(of: child)
            return try store.load(run.id)
        }
        if run.isFinished, let link = run.parent, RunStore.isValidID(link.run), FileIO.exists(try store.file(link.run)),
           try store.load(link.run).pendingTransition?.child == run.id {
            try resumeParents(of: run)
        }
        return run
    }

    /// Settles every run of the workspace (see ``settled(_:)``); returns the runs it resumed.
    @discardableResult
    public func settle() throws -> [String] {
        var resumed: [String] = []
        for run in try store.list() where run.status == .pending {
            let now = try settled(run)
            if now.status != .pending || now.pendingTransition?.child != run.pendingTransition?.child { resumed.append(run.id) }
        }
        return resumed
    }
}
