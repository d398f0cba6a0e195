import Foundation
import LoopsealCrypto
import LoopsealStore
import LoopsealTemplates
import LoopsealValue
import LoopsealDiagnostics

/// Why a run operation was refused. No case ever holds a secret value.
public enum RunServiceError: Error, Sendable, CustomStringConvertible {
    /// No workflow file of that name under `workflows/`.
    case workflowNotFound(name: String, root: String)
    /// The workflow file exists but does not validate.
    case workflowInvalid(path: String, problems: String)
    /// No run with that id in the workspace.
    case runNotFound(id: String)
    /// The run id is not lowercase letters, digits and `-`.
    case invalidRunID(String)
    /// The run is not waiting for a person.
    case notWaiting(id: String, status: RunStatus)
    /// A value was given for a key the run did not ask for.
    case notRequested(key: String, requested: [String])
    /// Requested keys still have no value.
    case missingValues(keys: [String])
    /// No single transition to fire with the provided secrets.
    case ambiguousTransition(run: String, choices: [String])
    /// The engine refused the transition (unknown, automatic, guard false, ...).
    case refused(String)
    /// A transition payload larger than ``RunLimits/maxPayloadBytes``.
    case payloadTooLarge(bytes: Int, limit: Int)
    /// A run input larger than ``RunLimits/maxInputBytes``.
    case inputTooLarge(bytes: Int, limit: Int)
    /// The run has taken ``RunLimits/maxHistory`` transitions.
    case historyFull(run: String, limit: Int)
    /// The run would be saved larger than ``RunLimits/maxRunBytes``; the run was not saved.
    case runTooLarge(run: String, bytes: Int, limit: Int)

    public var description: String {
        switch self {
        case .workflowNotFound(let name, let root):
            return "no workflow '\(name)': give a path or a name under \(root)/workflows/"
        case .workflowInvalid(let path, let problems):
            return "\(path) has problems:\n\(problems)"
        case .runNotFound(let id):
            return "no run '\(id)' in this workspace"
        case .invalidRunID(let id):
            return "invalid run id '\(id.prefix(40))': run ids are lowercase letters, digits and '-'"
        case .notWaiting(let id, let status):
            return "run '\(id)' is \(status.rawValue), not waiting for a person"
        case .notRequested(let key, let requested):
            return "'\(key.prefix(60))' was not requested by this run (requested: \(requested.joined(separator: ", ")))"
        case .missingValues(let keys):
            return "no value given for \(keys.joined(separator: ", "))"
        case .ambiguousTransition(let run, let choices):
            return "run '\(run)' can take \(choices.isEmpty ? "no transition" : choices.joined(separator: ", ")): choose one"
        case .refused(let message):
            return message
        case .payloadTooLarge(let bytes, let limit):
            return "the transition payload is \(bytes) bytes of JSON; a payload may hold at most \(limit): send less (keep large data elsewhere and pass a reference)"
        case .inputTooLarge(let bytes, let limit):
            return "the run input is \(bytes) bytes of JSON; a run's input may hold at most \(limit): send less"
        case .historyFull(let run, let limit):
            return "run '\(run)' has taken \(limit) transitions, as many as a run may: start a new run"
        case .runTooLarge(let run, let bytes, let limit):
            return "run '\(run)' would grow to \(bytes) bytes, more than the \(limit) a run may hold, so the run was not saved (it stays where it was): start a new run, or keep less in its state, payloads and documents"
        }
    }
}

/// A workflow file found under `workflows/`.
public struct WorkflowSummary: Sendable, Equatable {
    /// The name to start it by (file name without `.yaml`).
    public let name: String
    /// Path relative to the repository root.
    public let file: String
    /// The workflow's `title`, when it has one.
    public let title: String?
    /// The workflow's `description`, when it has one.
    public let description: String?

    /// A summary of the workflow `name` in `file`.
    public init(name: String, file: String, title: String?, description: String?) {
        self.name = name
        self.file = file
        self.title = title
        self.description = description
    }
}

/// Starts, advances and fills the runs of one workspace, each under its per-run lock.
/// The CLI, the HTTP server and the MCP server all go through it, so they agree on what
/// "provide the requested secrets" means.
public struct RunService: Sendable {
    /// The workspace whose runs these are.
    public let workspace: Workspace
    /// Used by `sync_secrets`; nil makes that tool fail with a clear message.
    public let syncer: SecretsSyncer?
    /// Finds the key that signs the secrets runs write, when the workspace lists writers.
    public let signingKeys: SigningKeyLoader
    let store: RunStore

    /// A service for `workspace`; what its runs write is signed with what `signingKeys` finds.
    public init(workspace: Workspace, syncer: SecretsSyncer? = nil, signingKeys: SigningKeyLoader = SigningKeyLoader()) {
        self.workspace = workspace
        self.syncer = syncer
        self.signingKeys = signingKeys
        store = RunStore(workspace: workspace)
    }

    // MARK: Workflows

    /// Finds `name` as a path, or as `workflows/NAME(.yaml|.yml|.workflow.yaml)` under the root,
    /// and validates it. Returns the definition and its path relative to the root.
    public func loadWorkflow(_ name: String) throws -> (WorkflowDefinition, String) {
        let root = workspace.root
        var candidates = [name, "\(root)/\(name)"]
        for suffix in ["", ".yaml", ".yml", ".workflow.yaml"] { candidates.append("\(root)/workflows/\(name)\(suffix)") }
        guard let path = candidates.first(where: { FileIO.exists($0) && !FileIO.isDirectory($0) }) else {
            if let builtIn = try builtIn(name) { return builtIn }
            throw RunServiceError.workflowNotFound(name: name, root: root)
        }
        return try load(path: path)
    }

    /// Built-in workflow `name`, or the one whose run file names it (`<built-in>/NAME.yaml`).
    private func builtIn(_ name: String) throws -> (WorkflowDefinition, String)? {
        guard let builtIn = BuiltInWorkflows.name(ofFile: name) ?? (BuiltInWorkflows.names.contains(name) ? name : nil) else { return nil }
        do {
            return try BuiltInWorkflows.definition(builtIn).map { ($0, BuiltInWorkflows.file(builtIn)) }
        } catch let error as WorkflowValidationError {
            throw RunServiceError.workflowInvalid(path: BuiltInWorkflows.file(builtIn), problems: error.description)
        }
    }

    /// Loads only a workflow listed by ``workflows()``: the name a remote caller gives is never
    /// taken as a path.
    public func loadListedWorkflow(_ name: String) throws -> (WorkflowDefinition, String) {
        guard let summary = workflows().first(where: { $0.name == name }) else {
            throw RunServiceError.workflowNotFound(name: name, root: workspace.root)
        }
        if let builtIn = try builtIn(summary.file) { return builtIn }
        return try load(path: "\(workspace.root)/\(summary.file)")
    }

    private func load(path: String) throws -> (WorkflowDefinition, String) {
        let root = workspace.root
        do {
            let definition = try WorkflowValidator.load(path: path)
            let relative = path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
            return (definition, relative)
        } catch let error as WorkflowValidationError {
            throw RunServiceError.workflowInvalid(path: path, problems: error.description)
        }
    }

    /// The workflows under `workflows/` (widget files excluded), by name, and the built-in ones
    /// the repository does not override. Files that do not parse are listed without a title.
    public func workflows() -> [WorkflowSummary] {
        let own = repositoryWorkflows()
        let builtIn = BuiltInWorkflows.names.filter { name in !own.contains { $0.name == name } }.map { name in
            let definition = try? BuiltInWorkflows.definition(name)
            return WorkflowSummary(name: name, file: BuiltInWorkflows.file(name), title: definition?.title, description: definition?.description)
        }
        return (own + builtIn).sorted { $0.name < $1.name }
    }

    private func repositoryWorkflows() -> [WorkflowSummary] {
        let directory = "\(workspace.root)/workflows"
        let names = (try? FileIO.directoryEntries(directory)) ?? []
        return names.sorted().compactMap { file -> WorkflowSummary? in
            guard !file.hasPrefix("."), !file.hasSuffix(".ui.yaml"), !file.hasSuffix(".ui.yml") else { return nil }
            let name: String
            if file.hasSuffix(".workflow.yaml") { name = String(file.dropLast(14)) }
            else if file.hasSuffix(".yaml") { name = String(file.dropLast(5)) }
            else if file.hasSuffix(".yml") { name = String(file.dropLast(4)) }
            else { return nil }
            let definition = try? WorkflowParser.load(path: "\(directory)/\(file)")
            return WorkflowSummary(name: name, file: "workflows/\(file)", title: definition?.title, description: definition?.description)
        }
    }

    // MARK: Runs

    /// An engine for `definition`.
    public func engine(_ definition: WorkflowDefinition) -> WorkflowEngine {
        var engine = WorkflowEngine(definition: definition, workspace: workspace, syncer: syncer, signingKeys: signingKeys)
        engine.childRuns = self
        return engine
    }

    /// Starts `definition` with `args` and saves the run.
    public func start(_ definition: WorkflowDefinition, file: String, args: TemplateValue = .dictionary([])) throws -> WorkflowRun {
        let inputBytes = RunLimits.size(of: args)
        guard inputBytes <= RunLimits.maxInputBytes else {
            throw RunServiceError.inputTooLarge(bytes: inputBytes, limit: RunLimits.maxInputBytes)
        }
        let engine = engine(definition)
        let id = RunStore.newID()
        return try store.withLock(id) {
            let run = engine.start(args: args, workflowFile: file, id: id)
            try store.save(run)
            return run
        }
    }

    /// Reads run `id`.
    public func load(runID id: String) throws -> WorkflowRun {
        guard RunStore.isValidID(id) else { throw RunServiceError.invalidRunID(id) }
        guard FileIO.exists("\(store.directory)/\(id).json") else { throw RunServiceError.runNotFound(id: id) }
        return try store.load(id)
    }

    /// Every run of the workspace, newest first.
    public func runs() throws -> [WorkflowRun] {
        try store.list()
    }

    /// The definition a run was started from.
    public func definition(of run: WorkflowRun) throws -> WorkflowDefinition {
        try loadWorkflow(run.workflowFile).0
    }

    /// Fires manual transition `transition` of run `id` with `payload`, saves and returns the run.
    public func fire(runID id: String, transition: String, payload: TemplateValue? = nil) throws -> WorkflowRun {
        _ = try load(runID: id)
        let next = try store.withLock(id) {
            let next = try advance(try store.load(id), transition: transition, payload: payload)
            try store.save(next)
            return next
        }
        try resumeParents(of: next)
        return next
    }

    /// Stores the values a waiting run asked for, then fires `transition` (or the one
    /// ``fillTransition(of:definition:)`` picks) with `{keys}` as the payload. Values are sealed
    /// to the recipients; the run records key names only. Keys the run did not request are refused
    /// before anything is written, and so is a submission that leaves a requested key empty.
    public func provideSecrets(runID id: String, values: [(key: String, value: SecureBytes)],
                               transition: String? = nil) throws -> WorkflowRun {
        _ = try load(runID: id)
        let next = try store.withLock(id) {
            let run = try store.load(id)
            guard run.status == .waiting else { throw RunServiceError.notWaiting(id: id, status: run.status) }
            for (key, _) in values where !run.requestedKeys.contains(key) {
                throw RunServiceError.notRequested(key: key, requested: run.requestedKeys)
            }
            let secrets = SecretService(workspace: workspace, signingKeys: signingKeys)
            let stored = Set(try secrets.keys().filter(\.hasValue).map(\.key))
            let given = Set(values.map(\.key))
            let missing = run.requestedKeys.filter { !stored.contains($0) && !given.contains($0) }
            guard missing.isEmpty else { throw RunServiceError.missingValues(keys: missing) }
            let definition = try self.definition(of: run)
            let firing = try transition ?? fillTransition(of: run, definition: definition)
            // Refused before any value is stored: a full run would take the values and not move.
            guard run.history.count < RunLimits.maxHistory else {
                throw RunServiceError.historyFull(run: run.id, limit: RunLimits.maxHistory)
            }
            for (key, value) in values { try secrets.upsert(key: key, value: value) }
            let keys = run.requestedKeys.filter(given.contains)
            let next = try advance(run, definition: definition, transition: firing,
                                   payload: .dictionary([("keys", .list(keys.map(TemplateValue.string)))]))
            try store.save(next)
            return next
        }
        try resumeParents(of: next)
        return next
    }

    /// Keys the run asked for that still have no value.
    public func missingKeys(of run: WorkflowRun) throws -> [String] {
        let stored = Set(try SecretService(workspace: workspace).keys().filter(\.hasValue).map(\.key))
        return run.requestedKeys.filter { !stored.contains($0) }
    }

    /// The manual transition that takes provided secrets: the only one, or the one a
    /// `secret-input` widget enabled in the run's place names.
    public func fillTransition(of run: WorkflowRun, definition: WorkflowDefinition) throws -> String {
        let manual = engine(definition).manualTransitions(of: run).map(\.id)
        if manual.count == 1 { return manual[0] }
        let widget = definition.widgets.first { widget in
            widget.widget == "secret-input" && (widget.enabledWhen.isEmpty || widget.enabledWhen.contains(run.place))
                && widget.transition.map { manual.contains($0.0) } == true
        }
        if let name = widget?.transition?.0 { return name }
        throw RunServiceError.ambiguousTransition(run: run.id, choices: manual)
    }

    private func advance(_ run: WorkflowRun, definition: WorkflowDefinition? = nil, transition: String,
                         payload: TemplateValue?) throws -> WorkflowRun {
        // A pending run goes to the engine, whose refusal names the child it waits on.
        guard run.status == .waiting || run.status == .pending else { throw RunServiceError.notWaiting(id: run.id, status: run.status) }
        let engine = engine(try definition ?? self.definition(of: run))
        do {
            return try engine.fire(run, transition: transition, payload: payload)
        } catch let error as ToolError {
            throw RunServiceError.refused(error.message)
        }
    }
}

extension RunServiceError: LoopsealError {}
