import ArgumentParser
import Foundation
import LoopsealCrypto
import LoopsealStore
import LoopsealKit
import LoopsealWorkflows

struct Rotate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract: "Rotate KEY through the rotation workflow: new value, confirmation, sync to every target.",
        discussion: """
            Starts the built-in rotate-secret workflow (a repository's own workflows/rotate-secret.yaml replaces it; or --workflow) with {key: KEY}, stores the new value \
            (typed at a hidden prompt, or read from stdin like 'set'), then confirms (--yes, or answer \
            the prompt) so the workflow syncs the targets. Without confirmation the run waits: \
            'loopseal run resume ID --transition confirm' finishes it later. The run records the key \
            name only, never the value. Only the targets for this host are synced (workspace.yaml \
            'hosts:'; --host, else $LOOPSEAL_HOST, else the host name).
            """)
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var identities: IdentityOptions
    @OptionGroup var host: HostOptions
    @Argument(help: "The secret to rotate.") var key: String
    @Option(help: "The rotation workflow: a name under workflows/ or a built-in one.") var workflow = "rotate-secret"
    @Flag(help: "Confirm without asking.") var yes = false
    @Option(help: "Who confirms (recorded in the run; default: $USER).") var by: String?
    @OptionGroup var input: ValueInputOptions

    func run() throws {
        try Names.checkKey(key)
        var rotation: SecretRotation
        do {
            rotation = try SecretRotation(key: key, workflow: workflow, runs: RunSupport.service(try workspace.resolve(), identities, host: host))
        } catch let refusal as RotationNotRequested {
            RunSupport.report(refusal.run, engine: refusal.engine, json: false)
            throw refusal
        }
        try rotation.provide(try readNewValue(waiting: rotation.run.id))
        Terminal.warn("sealed the new value of \(key); run \(rotation.run.id) is at '\(rotation.run.place)'")
        if rotation.awaitsConfirmation { try confirm(&rotation) }
        RunSupport.report(rotation.run, engine: rotation.engine, json: false)
        if rotation.run.status == .failed { throw ExitCode.failure }
    }

    /// Fires `confirm` when `--yes` or the person says so; otherwise says how to finish later.
    private func confirm(_ rotation: inout SecretRotation) throws {
        if try yes || (Terminal.stdinIsTerminal && Terminal.confirm("Sync \(key) to the workspace's targets now? [y/N] ")) {
            try rotation.confirm(by: by ?? ProcessInfo.processInfo.environment["USER"] ?? "cli")
        } else {
            Terminal.warn("not confirmed: finish with 'loopseal run resume \(rotation.run.id) --transition confirm'")
        }
    }

    /// The new value from stdin or the hidden prompt (asked twice on a terminal).
    private func readNewValue(waiting runID: String) throws -> SecureBytes {
        let value = try input.read(prompt: "New value for \(key): ", key: key)
        if Terminal.stdinIsTerminal {
            let again = try Terminal.promptHidden("Again: ", multiline: input.multiline)
            guard value.constantTimeEquals(again) else { throw CLIError("the two values differ; nothing was changed (run \(runID) still waits)") }
        }
        return value
    }
}
