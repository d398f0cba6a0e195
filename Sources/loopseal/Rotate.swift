import ArgumentParser
import Foundation
import LoopsealCrypto
import LoopsealStore
import LoopsealTemplates
import LoopsealWorkflows

struct Rotate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract: "Rotate KEY through the rotation workflow: new value, confirmation, sync to every target.",
        discussion: """
            Starts workflows/rotate-secret.yaml (or --workflow) with {key: KEY}, stores the new value \
            (typed at a hidden prompt, or read from stdin like 'set'), then confirms (--yes, or answer \
            the prompt) so the workflow syncs the targets. Without confirmation the run waits: \
            'loopseal run resume ID --transition confirm' finishes it later. The run records the key \
            name only, never the value.
            """)
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var identities: IdentityOptions
    @Argument(help: "The secret to rotate.") var key: String
    @Option(help: "The rotation workflow under workflows/.") var workflow = "rotate-secret"
    @Flag(help: "Confirm without asking.") var yes = false
    @Option(help: "Who confirms (recorded in the run; default: $USER).") var by: String?
    @OptionGroup var input: ValueInputOptions

    func run() throws {
        try Names.checkKey(key)
        let ws = try workspace.resolve()
        guard try SecretService(workspace: ws).find(key: key) != nil else {
            throw CLIError("no secret '\(key)' in workspace '\(ws.id)' to rotate: create it with 'loopseal set \(key)'")
        }
        let runs = RunSupport.service(ws, identities)
        let (definition, file) = try runs.loadWorkflow(workflow)
        let started = try runs.start(definition, file: file, args: .dictionary([("key", .string(key))]))
        guard started.status == .waiting, started.requestedKeys == [key] else {
            RunSupport.report(started, engine: runs.engine(definition), json: false)
            throw CLIError("workflow '\(workflow)' did not ask for \(key) (run \(started.id) is \(started.status.rawValue) at '\(started.place)'): it must start with request_secrets for args.key")
        }
        let value = try input.read(prompt: "New value for \(key): ", key: key)
        if Terminal.stdinIsTerminal {
            let again = try Terminal.promptHidden("Again: ", multiline: input.multiline)
            guard value.constantTimeEquals(again) else { throw CLIError("the two values differ; nothing was changed (run \(started.id) still waits)") }
        }
        var run = try runs.provideSecrets(runID: started.id, values: [(key, value)])
        Terminal.warn("sealed the new value of \(key); run \(run.id) is at '\(run.place)'")
        let confirm = runs.engine(definition).manualTransitions(of: run).map(\.id).contains("confirm")
        if run.status == .waiting && confirm {
            let confirmed = try yes || (Terminal.stdinIsTerminal && Terminal.confirm("Sync \(key) to the workspace's targets now? [y/N] "))
            if confirmed {
                let who = by ?? ProcessInfo.processInfo.environment["USER"] ?? "cli"
                run = try runs.fire(runID: run.id, transition: "confirm", payload: .dictionary([("by", .string(who))]))
            } else {
                Terminal.warn("not confirmed: finish with 'loopseal run resume \(run.id) --transition confirm'")
            }
        }
        RunSupport.report(run, engine: runs.engine(definition), json: false)
        if run.status == .failed { throw ExitCode.failure }
    }
}
