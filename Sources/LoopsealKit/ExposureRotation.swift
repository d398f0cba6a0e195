import LoopsealCrypto
import LoopsealStore
import LoopsealValue
import LoopsealWorkflows

/// One run that rotates several secrets (`loopseal rotate --exposed-to`, `loopseal remind`):
/// the built-in `rotate-secrets` workflow (or the repository's own) with `{variables: [{key,
/// description}]}`. The run asks for the new values through the form or `run resume --fill`,
/// then waits for `confirm` to sync the targets. It records key names only, never a value.
public enum ExposureRotation {
    /// The workflow started unless another is named.
    public static let workflow = "rotate-secrets"

    /// Starts `workflow` for `keys` (each with `description`). Refuses no keys, a key without a
    /// secret, and a workflow whose run does not wait for exactly these keys.
    public static func start(keys: [String], description: (String) -> String, workflow: String = workflow,
                             runs: RunService) throws -> WorkflowRun {
        guard !keys.isEmpty else { throw ExposureError.noKeys }
        let service = SecretService(workspace: runs.workspace)
        for key in keys where try service.find(key: key) == nil {
            throw KitError.nothingToRotate(key: key, workspace: runs.workspace.id)
        }
        let (definition, file) = try runs.loadWorkflow(workflow)
        let variables = TemplateValue.list(keys.map { .dictionary([("key", .string($0)), ("description", .string(description($0)))]) })
        let run = try runs.start(definition, file: file, args: .dictionary([("variables", variables)]))
        guard run.status == .waiting, run.requestedKeys == keys else {
            throw RotationNotRequested(workflow: workflow, key: keys.joined(separator: ", "), run: run, engine: runs.engine(definition))
        }
        return run
    }

    /// Starts one run for every secret still exposed to `recipient` (``SecretExposure``).
    /// Throws ``ExposureError/nothingExposed(recipient:)`` when there is none.
    public static func start(exposedTo recipient: String, identities: [Identity], workflow: String = workflow,
                             runs: RunService) throws -> (run: WorkflowRun, exposed: [ExposedSecret]) {
        let exposed = try SecretExposure.list(service: SecretService(workspace: runs.workspace), identities: identities, recipient: recipient)
        guard !exposed.isEmpty else { throw ExposureError.nothingExposed(recipient: recipient) }
        let run = try start(keys: exposed.map(\.key), description: { _ in "New value: \(recipient) could read this one (removed from the recipients)" },
                            workflow: workflow, runs: runs)
        return (run, exposed)
    }
}
