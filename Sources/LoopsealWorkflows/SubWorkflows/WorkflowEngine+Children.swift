import LoopsealTemplates
import LoopsealValue

extension WorkflowEngine {
    /// Finishes the transition `run` left pending on `child` once the child has finished, then
    /// advances as far as the run goes. A run not pending on `child`, or a child still running,
    /// comes back unchanged, so resuming twice does nothing the second time.
    public func resume(_ run: WorkflowRun, after child: WorkflowRun) -> WorkflowRun {
        var updated = run
        guard finishPending(&updated, child: child) else { return run }
        if updated.status == .running { advance(&updated) }
        updated.updatedAt = WorkflowRun.now()
        return updated
    }

    /// Starts the child of `call` (the transition's only call) and leaves the run `pending` on
    /// it, or finishes the transition at once when the child finished in its first steps.
    func startChild(_ tool: any SubWorkflowTool, call: ToolCallDefinition, transition: TransitionDefinition,
                    run: inout WorkflowRun, payload: TemplateValue?, manual: Bool) {
        let attempts = transition.retryAttempts + 1
        var lastError: Error?
        for attempt in 1...attempts {
            do {
                let child = try launch(tool, call: call, transition: transition, run: run, payload: payload)
                record(child.run, request: child.request, call: call, transition: transition, run: &run, payload: payload, manual: manual)
                if child.run.isFinished { _ = finishPending(&run, child: child.run) }
                return
            } catch {
                lastError = error
                logger.warning("child run not started", metadata: ["run": "\(run.id)", "transition": "\(transition.id)",
                                                                   "attempt": "\(attempt)/\(attempts)", "error": "\(error)"])
                if attempt < attempts { sleep(transition.retryDelay) }
            }
        }
        let message = "transition '\(transition.id)' failed" + (attempts > 1 ? " after \(attempts) attempts" : "")
            + ": \(lastError.map { "\($0)" } ?? "unknown error")"
        failTransition(transition, run: &run, message: message, payload: payload, manual: manual)
    }

    private func launch(_ tool: any SubWorkflowTool, call: ToolCallDefinition, transition: TransitionDefinition,
                        run: WorkflowRun, payload: TemplateValue?) throws -> (run: WorkflowRun, request: ChildRequest) {
        guard let childRuns else {
            throw ToolError("\(call.tool): starting a child run needs a saved run (loopseal run start, the server or MCP)")
        }
        let depth = (run.parent?.depth ?? 0) + 1
        guard depth <= RunLimits.maxChildDepth else {
            throw ToolError("\(call.tool): child runs nest at most \(RunLimits.maxChildDepth) deep, and run '\(run.id)' is \(depth - 1) below its top-level run: does a workflow start itself through another?")
        }
        guard run.children.count < RunLimits.maxChildren else {
            throw ToolError("\(call.tool): run '\(run.id)' has started \(RunLimits.maxChildren) child runs, as many as a run may: does the workflow loop?")
        }
        let context = evaluationContext(run, state: run.state, result: nil, transition: transition, payload: payload, toolResults: run.toolResults)
        let request: ChildRequest
        do {
            request = try tool.child(try evaluate(call.args, context))
        } catch {
            throw ToolError("\(call.tool): \(error)")
        }
        let child = try childRuns.startChild(request, parent: ParentLink(run: run.id, transition: transition.id, depth: depth))
        return (child, request)
    }

    /// Links `child` both ways, adds the link document and leaves the run pending.
    private func record(_ child: WorkflowRun, request: ChildRequest, call: ToolCallDefinition, transition: TransitionDefinition,
                        run: inout WorkflowRun, payload: TemplateValue?, manual: Bool) {
        run.children.append(ChildLink(run: child.id, workflow: child.workflow, transition: transition.id, show: request.show))
        run.documents.append(WorkflowDocument(
            id: "\(transition.id)-\(child.id)-\(DocumentType.workflowLink.rawValue)", type: .workflowLink, transition: transition.id,
            content: .dictionary([("workflowId", .string(child.id)), ("workflow", .string(child.workflow)),
                                  ("show", .string(request.show.rawValue)),
                                  ("requestedKeys", .list(child.requestedKeys.map(TemplateValue.string)))])))
        if let id = call.id {
            let pending = TemplateValue.dictionary([("data", .dictionary([("workflowId", .string(child.id))]))])
            let byCall = (run.toolResults.property(transition.id) ?? .dictionary([])).setting(id, to: pending)
            run.toolResults = run.toolResults.setting(transition.id, to: byCall)
        }
        run.pendingTransition = PendingTransition(child: child.id, transition: transition.id, manual: manual, payload: payload)
        run.status = .pending
        run.updatedAt = WorkflowRun.now()
        logger.info("run pending on a child run", metadata: ["run": "\(run.id)", "child": "\(child.id)", "workflow": "\(child.workflow)"])
    }

    /// The callback: the pending transition takes the child's outcome as its call's result,
    /// assigns, and moves on; a failed child fails the transition (or follows its `onError`).
    /// Returns false when `run` is not pending on `child` or the child has not finished.
    func finishPending(_ run: inout WorkflowRun, child: WorkflowRun) -> Bool {
        guard run.status == .pending, let pending = run.pendingTransition, pending.child == child.id, child.isFinished else { return false }
        run.pendingTransition = nil
        run.status = .running
        guard let transition = definition.transitions.first(where: { $0.id == pending.transition }),
              let call = transition.calls.first, let tool = tools.tool(named: call.tool) as? any SubWorkflowTool else {
            fail(&run, "transition '\(pending.transition)' is no longer a sub-workflow call in \(definition.file): the workflow changed while child run '\(child.id)' ran")
            return true
        }
        guard child.status == .completed else {
            let message = "transition '\(transition.id)' failed: child run '\(child.id)' (workflow \(child.workflow)) failed: \(child.error ?? "unknown error")"
            failTransition(transition, run: &run, message: message, payload: pending.payload, manual: pending.manual)
            return true
        }
        do {
            let data = tool.completion(of: child)
            var state = run.state
            var toolResults = run.toolResults
            if let id = call.id {
                let byCall = (toolResults.property(transition.id) ?? .dictionary([])).setting(id, to: .dictionary([("data", data)]))
                toolResults = toolResults.setting(transition.id, to: byCall)
            }
            let context = evaluationContext(run, state: state, result: .dictionary([("data", data)]), transition: transition,
                                            payload: pending.payload, toolResults: toolResults)
            for (name, value) in call.assign { state = state.setting(name, to: try evaluate(value, context)) }
            let final = evaluationContext(run, state: state, result: .dictionary([("data", data)]), transition: transition,
                                          payload: pending.payload, toolResults: toolResults)
            for (name, value) in transition.assign { state = state.setting(name, to: try evaluate(value, final)) }
            run.history.append(HistoryEntry(transition: transition.id, from: run.place, to: transition.to, manual: pending.manual,
                                            at: WorkflowRun.now(), error: nil, payload: pending.payload))
            run.state = state
            run.toolResults = toolResults
            run.place = transition.to
        } catch {
            failTransition(transition, run: &run, message: "transition '\(transition.id)' failed: \(error)", payload: pending.payload,
                           manual: pending.manual)
        }
        logger.info("run resumed by its child run", metadata: ["run": "\(run.id)", "child": "\(child.id)", "status": "\(child.status.rawValue)"])
        return true
    }
}
