import Foundation
import Logging
import LoopsealStore
import LoopsealTemplates
import LoopsealValue

/// Runs a workflow (DESIGN.md §6): from the current place, fires the first automatic transition
/// whose guard holds, and repeats; stops at `end` (completed) or where only manual transitions
/// leave (waiting). A person fires a manual transition by id, with an optional payload.
public struct WorkflowEngine: Sendable {
    public let definition: WorkflowDefinition
    public let workspace: Workspace
    public let tools: ToolRegistry
    public let syncer: SecretsSyncer?
    /// Finds the key that signs what tools write, when the workspace lists writers.
    public let signingKeys: SigningKeyLoader
    /// Starts the child runs of `request_secrets_task` and `run_workflow`; without one those
    /// tools fail.
    public var childRuns: (any ChildRunLauncher)?
    /// A safety net against automatic loops (`a -> b -> a` with guards that always hold).
    public var maxAutomaticSteps = 1_000_000
    /// How retries wait; tests replace it.
    public var sleep: @Sendable (Double) -> Void = { seconds in if seconds > 0 { Thread.sleep(forTimeInterval: seconds) } }
    private let graph: TransitionGraph
    let logger: Logger
    private let templates: TemplateEngine

    /// An engine for `definition` in `workspace`; tools' writes are signed with what
    /// `signingKeys` finds.
    public init(definition: WorkflowDefinition, workspace: Workspace, tools: ToolRegistry = .builtIn,
                syncer: SecretsSyncer? = nil, signingKeys: SigningKeyLoader = SigningKeyLoader(),
                logger: Logger = Logger(label: "loopseal.workflows")) {
        self.definition = definition
        self.workspace = workspace
        self.tools = tools
        self.syncer = syncer
        self.signingKeys = signingKeys
        self.logger = logger
        graph = TransitionGraph(definition)
        templates = TemplateEngine(partials: .directory(definition.directory), strict: true, helpers: WorkflowHelpers.all)
    }

    /// Starts a run with `args` as its input and advances it as far as it goes.
    public func start(args: TemplateValue = .dictionary([]), workflowFile: String, id: String = RunStore.newID(),
                      parent: ParentLink? = nil) -> WorkflowRun {
        var run = WorkflowRun(id: id, workflow: definition, workflowFile: workflowFile, workspace: workspace.id, args: args, parent: parent)
        logger.info("run started", metadata: ["run": "\(run.id)", "workflow": "\(definition.name)", "parent": "\(parent?.run ?? "-")"])
        advance(&run)
        return run
    }

    /// Fires manual transition `transitionID` of a waiting run with `payload`
    /// (`runtime.transition.payload`), then advances. Throws ``RunServiceError/payloadTooLarge(bytes:limit:)``
    /// and ``RunServiceError/historyFull(run:limit:)`` before anything runs (``RunLimits``).
    public func fire(_ run: WorkflowRun, transition transitionID: String, payload: TemplateValue? = nil) throws -> WorkflowRun {
        if run.status == .pending, let pending = run.pendingTransition {
            throw ToolError("run '\(run.id)' is pending: its transition '\(pending.transition)' waits on child run '\(pending.child)' and goes on by itself when that run finishes (loopseal run show \(pending.child))")
        }
        guard run.status == .waiting || run.status == .running else {
            throw ToolError("run '\(run.id)' is \(run.status.rawValue): only a waiting run takes a transition")
        }
        if let payload {
            let bytes = RunLimits.size(of: payload)
            guard bytes <= RunLimits.maxPayloadBytes else {
                throw RunServiceError.payloadTooLarge(bytes: bytes, limit: RunLimits.maxPayloadBytes)
            }
        }
        guard run.history.count < RunLimits.maxHistory else {
            throw RunServiceError.historyFull(run: run.id, limit: RunLimits.maxHistory)
        }
        let manual = (graph.outgoing[run.place] ?? []).filter { $0.trigger == .manual }.map(\.id)
        guard let transition = definition.transitions.first(where: { $0.id == transitionID }) else {
            throw ToolError("workflow '\(definition.name)' has no transition '\(transitionID)'" + Self.choices(manual))
        }
        guard transition.trigger == .manual else {
            throw ToolError("transition '\(transitionID)' is automatic; a person can only fire manual ones" + Self.choices(manual))
        }
        guard transition.from.contains(where: { $0.0 == run.place }) else {
            throw ToolError("transition '\(transitionID)' does not leave '\(run.place)', where run '\(run.id)' is" + Self.choices(manual))
        }
        if transition.guardText != nil {
            let holds: Bool
            do { holds = try guardHolds(transition, run: run, payload: payload) } catch {
                throw ToolError("transition '\(transitionID)': its 'if' could not be evaluated: \(error)")
            }
            guard holds else { throw ToolError("transition '\(transitionID)' cannot fire now: its 'if' is false") }
        }
        var updated = run
        updated.status = .running
        execute(transition, run: &updated, payload: payload, manual: true)
        if updated.status == .running { advance(&updated) }
        return updated
    }

    private static func choices(_ manual: [String]) -> String {
        manual.isEmpty ? "" : " (it can take: \(manual.joined(separator: ", ")))"
    }

    /// The manual transitions a person can fire now.
    public func manualTransitions(of run: WorkflowRun) -> [TransitionDefinition] {
        guard run.status == .waiting else { return [] }
        return (graph.outgoing[run.place] ?? []).filter { $0.trigger == .manual }
    }

    // MARK: Advancing

    func advance(_ run: inout WorkflowRun) {
        run.status = .running
        var steps = 0
        while true {
            if run.place == TransitionGraph.end {
                run.status = .completed
                run.error = nil
                break
            }
            let outgoing = graph.outgoing[run.place] ?? []
            var next: TransitionDefinition?
            for transition in outgoing where transition.trigger == .automatic {
                do {
                    if try guardHolds(transition, run: run) {
                        next = transition
                        break
                    }
                } catch {
                    fail(&run, "transition '\(transition.id)': its 'if' could not be evaluated: \(error)")
                    return
                }
            }
            guard let transition = next else {
                if outgoing.contains(where: { $0.trigger == .manual }) {
                    run.status = .waiting
                } else {
                    fail(&run, "no transition can leave '\(run.place)': every 'if' there is false")
                }
                break
            }
            if run.history.count >= RunLimits.maxHistory {
                fail(&run, "the run has taken \(RunLimits.maxHistory) transitions, as many as a run may: does the workflow loop?")
                return
            }
            execute(transition, run: &run, payload: nil, manual: false)
            if run.status == .failed { return }
            if run.status == .pending { break }
            steps += 1
            if steps >= maxAutomaticSteps {
                fail(&run, "more than \(maxAutomaticSteps) automatic transitions in a row: the workflow loops")
                return
            }
        }
        run.updatedAt = WorkflowRun.now()
    }

    func fail(_ run: inout WorkflowRun, _ message: String) {
        run.status = .failed
        run.error = message
        run.updatedAt = WorkflowRun.now()
        logger.warning("run failed", metadata: ["run": "\(run.id)", "error": "\(message)"])
    }

    private func guardHolds(_ transition: TransitionDefinition, run: WorkflowRun, payload: TemplateValue? = nil) throws -> Bool {
        guard let (text, _) = transition.guardText else { return true }
        let context = evaluationContext(run, state: run.state, result: nil, transition: transition, payload: payload, toolResults: run.toolResults)
        switch text {
        case .expression(let expression): return Self.isTruthy(try expression.evaluate(context))
        case .plain(let text): return Self.textIsTruthy(text)
        case .interpolated(let text): return Self.textIsTruthy(try ExpressionInterpolation.interpolate(text, context: context))
        case .template(let source):
            return Self.textIsTruthy(try render(source, at: transition.guardText?.1 ?? Mark(line: 1, column: 1), context))
        }
    }

    /// Renders a `{{ }}` text written at `mark`; errors point into the workflow file.
    private func render(_ source: String, at mark: Mark, _ context: TemplateValue) throws -> String {
        do {
            return try templates.render(source, name: definition.file, context: context)
        } catch {
            throw ToolError("\(definition.file):\(mark.line):\(mark.column): \(error.message) (line \(error.line), column \(error.column) of this text)")
        }
    }

    /// JavaScript truthiness, as `${{ }}` guards use it.
    static func isTruthy(_ value: TemplateValue?) -> Bool {
        guard let value else { return false }
        return !value.isJSFalsy
    }

    /// A rendered `{{ }}` guard holds unless it prints nothing, `false`, `0`, `null` or `undefined`.
    static func textIsTruthy(_ text: String) -> Bool {
        !["", "false", "0", "null", "undefined"].contains(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    // MARK: Executing one transition

    func evaluationContext(_ run: WorkflowRun, state: TemplateValue, result: TemplateValue?, transition: TransitionDefinition,
                                   payload: TemplateValue?, toolResults: TemplateValue) -> TemplateValue {
        let runtime = TemplateValue.dictionary([
            ("transition", .dictionary([("id", .string(transition.id)), ("from", .string(run.place)), ("to", .string(transition.to)),
                                        ("payload", payload ?? .null)])),
            ("tools", toolResults),
            ("run", .dictionary([("id", .string(run.id)), ("workspace", .string(run.workspace))])),
        ])
        return .dictionary([("state", state), ("args", run.args), ("result", result ?? .null), ("runtime", runtime)])
    }

    func evaluate(_ value: ArgValue, _ context: TemplateValue) throws -> TemplateValue {
        switch value {
        case .constant(let constant, _): return constant
        case .text(let text, let mark):
            switch text {
            case .plain(let s): return .string(s)
            case .expression(let expression): return try expression.evaluate(context) ?? .null
            case .interpolated(let s): return .string(try ExpressionInterpolation.interpolate(s, context: context))
            case .template(let source): return .string(try render(source, at: mark, context))
            }
        case .list(let items, _): return .list(try items.map { try evaluate($0, context) })
        case .object(let pairs, _): return .dictionary(try pairs.map { ($0.0, try evaluate($0.1, context)) })
        }
    }

    private func execute(_ transition: TransitionDefinition, run: inout WorkflowRun, payload: TemplateValue?, manual: Bool) {
        if let call = transition.calls.first, let tool = tools.tool(named: call.tool) as? any SubWorkflowTool {
            startChild(tool, call: call, transition: transition, run: &run, payload: payload, manual: manual)
            return
        }
        let attempts = transition.retryAttempts + 1
        var lastError: Error?
        for attempt in 1...attempts {
            do {
                try attemptTransition(transition, run: &run, payload: payload, manual: manual)
                return
            } catch {
                lastError = error
                logger.warning("transition failed", metadata: ["run": "\(run.id)", "transition": "\(transition.id)",
                                                               "attempt": "\(attempt)/\(attempts)", "error": "\(error)"])
                if attempt < attempts { sleep(transition.retryDelay) }
            }
        }
        let message = "transition '\(transition.id)' failed" + (attempts > 1 ? " after \(attempts) attempts" : "") + ": \(lastError.map { "\($0)" } ?? "unknown error")"
        failTransition(transition, run: &run, message: message, payload: payload, manual: manual)
    }

    /// Records that `transition` failed: the run moves to its `onError` place with an error
    /// document, or fails where it is.
    func failTransition(_ transition: TransitionDefinition, run: inout WorkflowRun, message: String, payload: TemplateValue?, manual: Bool) {
        let from = run.place
        if let (place, _) = transition.onError {
            run.history.append(HistoryEntry(transition: transition.id, from: from, to: place, manual: manual, at: WorkflowRun.now(),
                                            error: message, payload: payload))
            run.place = place
            run.error = message
            run.documents.append(WorkflowDocument(id: "\(transition.id)-error-\(run.history.count)", type: .error,
                                                  transition: transition.id, content: .dictionary([("message", .string(message))])))
        } else {
            run.history.append(HistoryEntry(transition: transition.id, from: from, to: from, manual: manual, at: WorkflowRun.now(),
                                            error: message, payload: payload))
            fail(&run, message)
        }
    }

    /// One attempt: every call, then the assignments. Nothing is committed to the run unless all succeed.
    private func attemptTransition(_ transition: TransitionDefinition, run: inout WorkflowRun, payload: TemplateValue?, manual: Bool) throws {
        var state = run.state
        var toolResults = run.toolResults
        var documents: [WorkflowDocument] = []
        var requested: [String] = []
        var result: TemplateValue?
        let secrets = SecretService(workspace: workspace, signingKeys: signingKeys, logger: logger)
        for call in transition.calls {
            guard let tool = tools.tool(named: call.tool) else { throw ToolError("unknown tool '\(call.toolAsWritten)'") }
            let before = evaluationContext(run, state: state, result: result, transition: transition, payload: payload, toolResults: toolResults)
            let args = try evaluate(call.args, before)
            let context = ToolContext(workspace: workspace, secrets: secrets, workflow: definition, evaluation: before,
                                      syncer: syncer, transitionID: transition.id, logger: logger)
            context.documents = documents
            let data: TemplateValue
            do {
                data = try tool.run(args, context: context)
            } catch {
                throw ToolError("\(call.tool): \(error)")
            }
            documents = context.documents
            requested += context.requestedKeys
            result = .dictionary([("data", data)])
            if let id = call.id {
                let byCall = (toolResults.property(transition.id) ?? .dictionary([])).setting(id, to: .dictionary([("data", data)]))
                toolResults = toolResults.setting(transition.id, to: byCall)
            }
            let after = evaluationContext(run, state: state, result: result, transition: transition, payload: payload, toolResults: toolResults)
            for (name, value) in call.assign { state = state.setting(name, to: try evaluate(value, after)) }
        }
        let final = evaluationContext(run, state: state, result: result, transition: transition, payload: payload, toolResults: toolResults)
        for (name, value) in transition.assign { state = state.setting(name, to: try evaluate(value, final)) }
        for document in documents {
            let bytes = RunLimits.size(of: document.content)
            guard bytes <= RunLimits.maxDocumentBytes else {
                throw ToolError("document '\(document.id)' is \(bytes) bytes; a run document may hold at most \(RunLimits.maxDocumentBytes): make its template show less")
            }
        }
        run.history.append(HistoryEntry(transition: transition.id, from: run.place, to: transition.to, manual: manual,
                                        at: WorkflowRun.now(), error: nil, payload: payload))
        run.state = state
        run.toolResults = toolResults
        run.documents += documents
        for key in requested where !run.requestedKeys.contains(key) { run.requestedKeys.append(key) }
        run.place = transition.to
        run.updatedAt = WorkflowRun.now()
    }
}

extension TemplateValue {
    /// A copy of this object with `key` set (added at the end when new).
    func setting(_ key: String, to value: TemplateValue) -> TemplateValue {
        guard case .object(let object) = self else { return .dictionary([(key, value)]) }
        var pairs = zip(object.keys, object.values).map { ($0, $1) }
        if let index = pairs.firstIndex(where: { $0.0 == key }) { pairs[index].1 = value } else { pairs.append((key, value)) }
        return .dictionary(pairs)
    }
}
