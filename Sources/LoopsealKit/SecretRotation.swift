import LoopsealCrypto
import LoopsealStore
import LoopsealWorkflows
import LoopsealDiagnostics

/// Rotating one secret through the rotation workflow (the built-in `rotate-secret`, or the
/// repository's own `workflows/rotate-secret.yaml`): the run starts with `{key: KEY}` and must
/// ask for exactly that key; the new value is sealed through the run; a `confirm` transition
/// then syncs the targets. The run records
/// the key's name only, never the value.
public struct SecretRotation {
    /// The runs of the workspace.
    public let runs: RunService
    /// The rotation workflow.
    public let definition: WorkflowDefinition
    /// The secret rotated.
    public let key: String
    /// The run, as of the last step.
    public private(set) var run: WorkflowRun

    /// The workflow's engine (for reports).
    public var engine: WorkflowEngine { runs.engine(definition) }

    /// True when the run waits for its `confirm` transition.
    public var awaitsConfirmation: Bool {
        run.status == .waiting && engine.manualTransitions(of: run).map(\.id).contains("confirm")
    }

    /// Starts `workflow` for `key`. Refuses a key the workspace has no secret for, and a
    /// workflow whose run does not wait for exactly this key (``RotationNotRequested``).
    public init(key: String, workflow: String, runs: RunService) throws {
        try Names.checkKey(key)
        guard try SecretService(workspace: runs.workspace).find(key: key) != nil else {
            throw KitError.nothingToRotate(key: key, workspace: runs.workspace.id)
        }
        let (definition, file) = try runs.loadWorkflow(workflow)
        let started = try runs.start(definition, file: file, args: .dictionary([("key", .string(key))]))
        guard started.status == .waiting, started.requestedKeys == [key] else {
            throw RotationNotRequested(workflow: workflow, key: key, run: started, engine: runs.engine(definition))
        }
        self.runs = runs
        self.definition = definition
        self.key = key
        self.run = started
    }

    /// Seals the new value through the run.
    public mutating func provide(_ value: SecureBytes) throws {
        run = try runs.provideSecrets(runID: run.id, values: [(key, value)])
    }

    /// Fires `confirm`, recorded as confirmed by `who`.
    public mutating func confirm(by who: String) throws {
        run = try runs.fire(runID: run.id, transition: "confirm", payload: .dictionary([("by", .string(who))]))
    }
}

/// The rotation workflow's run did not wait for the secret being rotated.
public struct RotationNotRequested: Error, CustomStringConvertible {
    /// The workflow's name.
    public let workflow: String
    /// The secret being rotated.
    public let key: String
    /// The run as it stopped.
    public let run: WorkflowRun
    /// Its engine (for reports).
    public let engine: WorkflowEngine

    public var description: String {
        "workflow '\(workflow)' did not ask for \(key) (run \(run.id) is \(run.status.rawValue) at '\(run.place)'): it must start with request_secrets for args.key"
    }
}

extension RotationNotRequested: LoopsealError {}
