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

            --exposed-to NAME starts one run of the built-in rotate-secrets workflow for every secret \
            'loopseal exposure NAME' lists; give the new values through the web form or with \
            'loopseal run resume ID --fill', then confirm.
            """)
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var identities: IdentityOptions
    @OptionGroup var host: HostOptions
    @Argument(help: "The secret to rotate.") var key: String?
    @Option(help: "Rotate every secret still exposed to this removed recipient, in one run.") var exposedTo: String?
    @Option(help: "The rotation workflow: a name under workflows/ or a built-in one (default: rotate-secret, or rotate-secrets with --exposed-to).")
    var workflow: String?
    @Flag(help: "Confirm without asking.") var yes = false
    @Option(help: "Who confirms (recorded in the run; default: $USER).") var by: String?
    @OptionGroup var input: ValueInputOptions

    func validate() throws {
        guard (key == nil) != (exposedTo == nil) else { throw ValidationError("give KEY, or --exposed-to NAME (not both)") }
    }

    func run() throws {
        guard let key else { return try rotateExposed(to: exposedTo ?? "") }
        try Names.checkKey(key)
        var rotation: SecretRotation
        do {
            rotation = try SecretRotation(key: key, workflow: workflow ?? "rotate-secret", runs: RunSupport.service(try workspace.resolve(), identities, host: host))
        } catch let refusal as RotationNotRequested {
            RunSupport.report(refusal.run, engine: refusal.engine, json: false)
            throw refusal
        }
        try rotation.provide(try readNewValue(key, waiting: rotation.run.id))
        Terminal.warn("sealed the new value of \(key); run \(rotation.run.id) is at '\(rotation.run.place)'")
        if rotation.awaitsConfirmation { try confirm(&rotation, key: key) }
        RunSupport.report(rotation.run, engine: rotation.engine, json: false)
        if rotation.run.status == .failed { throw ExitCode.failure }
    }

    /// Fires `confirm` when `--yes` or the person says so; otherwise says how to finish later.
    private func confirm(_ rotation: inout SecretRotation, key: String) throws {
        if try yes || (Terminal.stdinIsTerminal && Terminal.confirm("Sync \(key) to the workspace's targets now? [y/N] ")) {
            try rotation.confirm(by: by ?? ProcessInfo.processInfo.environment["USER"] ?? "cli")
        } else {
            Terminal.warn("not confirmed: finish with 'loopseal run resume \(rotation.run.id) --transition confirm'")
        }
    }

    /// Starts the rotation of everything exposed to `name` and says how to give the values.
    private func rotateExposed(to name: String) throws {
        let runs = try RunSupport.service(try workspace.resolve(), identities, host: host)
        let started = try ExposureRotation.start(exposedTo: name, identities: try identities.loadIfAny(),
                                                 workflow: workflow ?? ExposureRotation.workflow, runs: runs)
        Terminal.warn("\(started.exposed.count) secret\(started.exposed.count == 1 ? "" : "s") exposed to \(name): give the new values in the web form or with 'loopseal run resume \(started.run.id) --fill' (KEY=value lines on stdin), then confirm with 'loopseal run resume \(started.run.id) --transition confirm'")
        RunSupport.report(started.run, engine: try? runs.engine(runs.definition(of: started.run)), json: false)
    }

    /// The new value of `key` from stdin or the hidden prompt (asked twice on a terminal).
    private func readNewValue(_ key: String, waiting runID: String) throws -> SecureBytes {
        let value = try input.read(prompt: "New value for \(key): ", key: key)
        if Terminal.stdinIsTerminal {
            let again = try Terminal.promptHidden("Again: ", multiline: input.multiline)
            guard value.constantTimeEquals(again) else { throw CLIError("the two values differ; nothing was changed (run \(runID) still waits)") }
        }
        return value
    }
}
