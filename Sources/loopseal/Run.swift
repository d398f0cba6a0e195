import ArgumentParser
import Foundation
import LoopsealCrypto
import LoopsealDiagnostics
import LoopsealKit
import LoopsealStore
import LoopsealSync
import LoopsealTemplates
import LoopsealWorkflows
import LoopsealValue

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Start, advance and inspect workflow runs.",
        subcommands: [Start.self, Resume.self, Show.self, List.self])

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "start", abstract: "Start a run and advance it until it completes or waits for a person.")
        @OptionGroup var workspace: WorkspaceOptions
        @OptionGroup var identities: IdentityOptions
        @OptionGroup var host: HostOptions
        @Argument(help: "A workflow name under workflows/ or a path to its YAML.") var workflow: String
        @Option(help: "The run's input (args) as a JSON object.") var input: String?
        @Flag(help: "Print the run as JSON.") var json = false

        func run() throws {
            let ws = try workspace.resolve()
            let runs = try RunSupport.service(ws, identities, host: host)
            let (definition, file) = try runs.loadWorkflow(workflow)
            let args = try input.map { try RunSupport.json($0, what: "--input") } ?? .dictionary([])
            let run = try runs.start(definition, file: file, args: args)
            RunSupport.report(run, engine: runs.engine(definition), json: json)
            if run.status == .failed { throw ExitCode.failure }
        }
    }

    struct Resume: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "resume",
            abstract: "Fire a waiting run's manual transition, or --fill the secrets it asked for.",
            discussion: """
                --fill prompts (without echo) for every requested secret that still has no value, stores \
                them, and fires the manual transition with {keys}. When stdin is not a terminal it reads \
                KEY=value lines instead (a CR before the line break is dropped); a value with line breaks \
                is a block, as in GitHub's GITHUB_ENV: a line KEY<<END, the value's lines, then a line END.

                A run that is pending on a child run goes on by itself when the child finishes. If a \
                crash came between the two, `run resume ID` with no option finishes it (so does any \
                `run show`, `run list` or server start).
                """)
        @OptionGroup var workspace: WorkspaceOptions
        @OptionGroup var identities: IdentityOptions
        @OptionGroup var host: HostOptions
        @Argument(help: "The run id.") var runID: String
        @Option(help: "The manual transition to fire.") var transition: String?
        @Option(help: "Payload for runtime.transition.payload, as JSON.") var payload: String?
        @Flag(help: "Provide the requested secrets, then fire the transition.") var fill = false
        @OptionGroup var input: ValueInputOptions
        @Flag(help: "Print the run as JSON.") var json = false

        func validate() throws {
            if fill && payload != nil { throw ValidationError("--fill sends {keys} as the payload; leave out --payload") }
        }

        func run() throws {
            let ws = try workspace.resolve()
            let runs = try RunSupport.service(ws, identities, host: host)
            let next: WorkflowRun
            if !fill && transition == nil {
                let run = try runs.load(runID: runID)
                guard run.status == .pending || (run.isFinished && run.parent != nil) else {
                    if run.isFinished { throw CLIError("run '\(run.id)' is \(run.status.rawValue): there is nothing to resume") }
                    throw CLIError("give --transition ID, or --fill to provide the requested secrets")
                }
                next = try runs.settled(run)
            } else if fill {
                let values = try RunSupport.readValues(for: try runs.load(runID: runID), runs: runs, input: input)
                next = try runs.provideSecrets(runID: runID, values: values, transition: transition)
            } else {
                guard let transition else { throw CLIError("give --transition ID, or --fill to provide the requested secrets") }
                let body = try payload.map { try RunSupport.json($0, what: "--payload") }
                next = try runs.fire(runID: runID, transition: transition, payload: body)
            }
            RunSupport.report(next, engine: try? runs.engine(runs.definition(of: next)), json: json)
            if !json { RunSupport.reportParents(of: next, runs: runs) }
            if next.status == .failed { throw ExitCode.failure }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a run: status, place, history and documents.")
        @OptionGroup var workspace: WorkspaceOptions
        @Argument(help: "The run id.") var runID: String
        @Flag(help: "Print the run as JSON.") var json = false

        func run() throws {
            let runs = RunService(workspace: try workspace.resolve())
            let run = try runs.settled(try runs.load(runID: runID))
            RunSupport.report(run, engine: try? runs.engine(runs.definition(of: run)), json: json, full: true)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the workspace's runs, newest first.")
        @OptionGroup var workspace: WorkspaceOptions
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let service = RunService(workspace: try workspace.resolve())
            try service.settle()
            let runs = try service.runs()
            if json {
                Terminal.print(TemplateValue.list(runs.map { run in
                    .dictionary([("id", .string(run.id)), ("workflow", .string(run.workflow)), ("status", .string(run.status.rawValue)),
                                 ("place", .string(run.place)), ("createdAt", .string(run.createdAt))])
                }).jsonText() + "\n")
                return
            }
            for run in runs {
                Terminal.print("\(run.id)  \(run.status.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0))  \(run.place.padding(toLength: 20, withPad: " ", startingAt: 0))  \(run.workflow)  \(run.createdAt)\n")
            }
        }
    }
}

/// Shared pieces of the `run` commands.
enum RunSupport {
    static func json(_ text: String, what: String) throws -> TemplateValue {
        do { return try TemplateValue(jsonText: text) } catch {
            throw CLIError("\(what) is not valid JSON at character \(error.column): \(error.message)")
        }
    }

    /// The run service, syncing the targets for `host` with the identities given on the command line.
    static func service(_ workspace: Workspace, _ identities: IdentityOptions, host: HostOptions) throws -> RunService {
        RunService(workspace: workspace, syncer: IdentitySyncer(loader: IdentityLoader(files: identities.identity), host: try host.selected()))
    }

    /// Asks (without echo) for every requested secret still without a value or, when stdin is
    /// not a terminal, reads `KEY=value` lines.
    static func readValues(for run: WorkflowRun, runs: RunService, input: ValueInputOptions) throws -> [(key: String, value: SecureBytes)] {
        guard run.status == .waiting else { throw RunServiceError.notWaiting(id: run.id, status: run.status) }
        let missing = try runs.missingKeys(of: run)
        if Terminal.stdinIsTerminal {
            // A run whose keys all have values (a rotation) asks for every requested key again.
            let asked = missing.isEmpty ? run.requestedKeys : missing
            return try asked.map { key in (key, try input.read(prompt: "Value for \(key): ", key: key)) }
        }
        let values = try FillInput.parse(try Terminal.readStandardInput()) { key, line in
            guard run.requestedKeys.contains(key) else {
                // The name is not echoed: a value piped by mistake would land in the terminal or a CI log.
                throw CLIError("stdin line \(line): the name before '=' (or '<<') is not one of the keys run '\(run.id)' requested (\(run.requestedKeys.joined(separator: ", "))); expected KEY=value lines")
            }
        }
        for (key, value) in values { try input.checkNotEmpty(value, key: key) }
        let given = Set(values.map(\.key))
        let unfilled = missing.filter { !given.contains($0) }
        if !unfilled.isEmpty {
            throw CLIError("no value given for \(unfilled.joined(separator: ", ")) on stdin (expected KEY=value lines, or KEY<<END … END blocks for values with line breaks, for: \(missing.joined(separator: ", ")))")
        }
        return values
    }

    static func report(_ run: WorkflowRun, engine: WorkflowEngine?, json: Bool, full: Bool = false) {
        if json {
            Terminal.print(run.asValue.jsonText(pretty: true) + "\n")
            return
        }
        var out = "run \(run.id)  workflow \(run.workflow)  status \(run.status.rawValue)  place \(run.place)\n"
        if let error = run.error { out += "error: \(error)\n" }
        if let parent = run.parent { out += "child of: run \(parent.run) (its transition \(parent.transition))\n" }
        if run.status == .pending, let pending = run.pendingTransition {
            let workflow = run.children.last { $0.run == pending.child }?.workflow ?? "?"
            out += "pending on: child run \(pending.child) (workflow \(workflow)); it goes on when that run finishes: loopseal run show \(pending.child)\n"
        }
        if full && !run.children.isEmpty {
            out += "children: " + run.children.map { "\($0.run) (\($0.workflow), from \($0.transition))" }.joined(separator: ", ") + "\n"
        }
        if run.status == .waiting, let engine {
            let manual = engine.manualTransitions(of: run).map(\.id)
            out += "waiting for: \(manual.joined(separator: ", "))"
            out += run.requestedKeys.isEmpty ? "\n" : "  (provide the secrets: loopseal run resume \(run.id) --fill)\n"
        }
        if full {
            out += "\nhistory:\n"
            for entry in run.history {
                out += "  \(entry.at)  \(entry.transition): \(entry.from) -> \(entry.to)\(entry.manual ? " (manual)" : "")"
                out += entry.error.map { "  FAILED: \($0)" } ?? ""
                out += "\n"
            }
            for document in run.documents {
                out += "\n--- \(document.type.rawValue) (\(document.id))\n\(document.markdown)"
                if !document.markdown.hasSuffix("\n") { out += "\n" }
            }
        } else if let last = run.documents.last {
            out += "\n\(last.markdown)"
            if !last.markdown.hasSuffix("\n") { out += "\n" }
        }
        Terminal.print(out)
    }
}

extension RunSupport {
    /// After a child run finished: one line for each run up the chain it resumed.
    static func reportParents(of run: WorkflowRun, runs: RunService) {
        var current = run
        while current.isFinished, let link = current.parent, let parent = try? runs.load(runID: link.run) {
            Terminal.print("parent run \(parent.id)  workflow \(parent.workflow)  status \(parent.status.rawValue)  place \(parent.place)\n")
            current = parent
        }
    }
}

/// Printable key names in messages (no control characters, bounded).
enum StoreErrorText {
    static func printable(_ text: String) -> String { UntrustedText.display(text) }
}

/// `sync_secrets` from the CLI: loads identities only when a workflow actually syncs.
