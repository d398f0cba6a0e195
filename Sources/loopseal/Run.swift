import ArgumentParser
import Foundation
import LoopsealCrypto
import LoopsealStore
import LoopsealSync
import LoopsealTemplates
import LoopsealWorkflows

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start, advance and inspect workflow runs.",
        subcommands: [Start.self, Resume.self, Show.self, List.self])

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start a run and advance it until it completes or waits for a person.")
        @OptionGroup var workspace: WorkspaceOptions
        @OptionGroup var identities: IdentityOptions
        @Argument(help: "A workflow name under workflows/ or a path to its YAML.") var workflow: String
        @Option(help: "The run's input (args) as a JSON object.") var input: String?
        @Flag(help: "Print the run as JSON.") var json = false

        func run() throws {
            let ws = try workspace.resolve()
            let (definition, file) = try RunSupport.loadWorkflow(workflow, root: ws.root)
            let args = try input.map { try RunSupport.json($0, what: "--input") } ?? .dictionary([])
            let engine = RunSupport.engine(definition, ws, identities)
            let store = RunStore(workspace: ws)
            let id = RunStore.newID()
            let run = try store.withLock(id) {
                let run = engine.start(args: args, workflowFile: file, id: id)
                try store.save(run)
                return run
            }
            RunSupport.report(run, engine: engine, json: json)
            if run.status == .failed { throw ExitCode.failure }
        }
    }

    struct Resume: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fire a waiting run's manual transition, or --fill the secrets it asked for.",
            discussion: "--fill prompts (without echo) for every requested secret that still has no value, stores them, and fires the manual transition with {keys}. When stdin is not a terminal it reads KEY=value lines instead.")
        @OptionGroup var workspace: WorkspaceOptions
        @OptionGroup var identities: IdentityOptions
        @Argument(help: "The run id.") var runID: String
        @Option(help: "The manual transition to fire.") var transition: String?
        @Option(help: "Payload for runtime.transition.payload, as JSON.") var payload: String?
        @Flag(help: "Provide the requested secrets, then fire the transition.") var fill = false
        @Flag(help: "Print the run as JSON.") var json = false

        func validate() throws {
            if !fill && transition == nil { throw ValidationError("give --transition ID, or --fill to provide the requested secrets") }
            if fill && payload != nil { throw ValidationError("--fill sends {keys} as the payload; leave out --payload") }
        }

        func run() throws {
            let ws = try workspace.resolve()
            let store = RunStore(workspace: ws)
            let updated: (WorkflowRun, WorkflowEngine) = try store.withLock(runID) {
                let run = try store.load(runID)
                let (definition, _) = try RunSupport.loadWorkflow(run.workflowFile, root: ws.root)
                let engine = RunSupport.engine(definition, ws, identities)
                var firing = transition
                var body = try payload.map { try RunSupport.json($0, what: "--payload") }
                if fill {
                    let filled = try RunSupport.fill(run, workspace: ws)
                    body = .dictionary([("keys", .list(filled.map(TemplateValue.string)))])
                    if firing == nil { firing = try RunSupport.fillTransition(run, engine: engine, definition: definition) }
                }
                guard let firing else { throw CLIError("run '\(runID)' is not waiting for a transition") }
                let next = try engine.fire(run, transition: firing, payload: body)
                try store.save(next)
                return (next, engine)
            }
            RunSupport.report(updated.0, engine: updated.1, json: json)
            if updated.0.status == .failed { throw ExitCode.failure }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a run: status, place, history and documents.")
        @OptionGroup var workspace: WorkspaceOptions
        @Argument(help: "The run id.") var runID: String
        @Flag(help: "Print the run as JSON.") var json = false

        func run() throws {
            let ws = try workspace.resolve()
            let run = try RunStore(workspace: ws).load(runID)
            let engine = try? RunSupport.loadWorkflow(run.workflowFile, root: ws.root).0
            RunSupport.report(run, engine: engine.map { WorkflowEngine(definition: $0, workspace: ws) }, json: json, full: true)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the workspace's runs, newest first.")
        @OptionGroup var workspace: WorkspaceOptions
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let runs = try RunStore(workspace: try workspace.resolve()).list()
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
    /// Finds `name` as a path, or as `workflows/NAME(.yaml|.yml|.workflow.yaml)` under `root`, and validates it.
    static func loadWorkflow(_ name: String, root: String) throws -> (WorkflowDefinition, String) {
        var candidates = [name, "\(root)/\(name)"]
        for suffix in ["", ".yaml", ".yml", ".workflow.yaml"] { candidates.append("\(root)/workflows/\(name)\(suffix)") }
        guard let path = candidates.first(where: { FileIO.exists($0) && !FileIO.isDirectory($0) }) else {
            throw CLIError("no workflow '\(name)': give a path or a name under \(root)/workflows/")
        }
        do {
            let definition = try WorkflowValidator.load(path: path)
            let relative = path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
            return (definition, relative)
        } catch let error as WorkflowValidationError {
            throw CLIError("\(path) has problems:\n" + error.description)
        }
    }

    static func json(_ text: String, what: String) throws -> TemplateValue {
        do { return try TemplateValue(jsonText: text) } catch {
            throw CLIError("\(what) is not valid JSON at character \(error.column): \(error.message)")
        }
    }

    static func engine(_ definition: WorkflowDefinition, _ workspace: Workspace, _ identities: IdentityOptions) -> WorkflowEngine {
        WorkflowEngine(definition: definition, workspace: workspace, syncer: CLISyncer(identityFiles: identities.identity))
    }

    /// Asks for every requested secret still without a value and stores it; returns the keys set.
    static func fill(_ run: WorkflowRun, workspace: Workspace) throws -> [String] {
        let service = SecretService(workspace: workspace)
        let stored = Dictionary(try service.keys().map { ($0.key, $0.hasValue) }, uniquingKeysWith: { a, _ in a })
        let missing = run.requestedKeys.filter { stored[$0] != true }
        guard run.status == .waiting else { throw CLIError("run '\(run.id)' is \(run.status.rawValue), not waiting") }
        var filled: [String] = []
        if Terminal.stdinIsTerminal {
            for key in missing {
                let value = try Terminal.promptHidden("Value for \(key): ")
                try service.upsert(key: key, value: value)
                filled.append(key)
            }
        } else {
            let input = try Terminal.readStandardInput()
            var values: [String: SecureBytes] = [:]
            try input.withUnsafeBytes { bytes in
                for (index, line) in bytes.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
                    var line = line
                    if line.last == 0x0D { line = line.dropLast() }
                    if line.isEmpty || line.first == UInt8(ascii: "#") { continue }
                    guard let equals = line.firstIndex(of: UInt8(ascii: "=")) else {
                        throw CLIError("stdin line \(index + 1): expected KEY=value")
                    }
                    let key = String(decoding: line[line.startIndex..<equals], as: UTF8.self)
                    guard run.requestedKeys.contains(key) else {
                        throw CLIError("stdin line \(index + 1): '\(StoreErrorText.printable(key))' was not requested by run '\(run.id)' (requested: \(run.requestedKeys.joined(separator: ", ")))")
                    }
                    values[key] = try SecureBytes(copying: line[line.index(after: equals)...])
                }
            }
            for key in missing where values[key] == nil {
                throw CLIError("no value given for \(key) on stdin (expected KEY=value lines for: \(missing.joined(separator: ", ")))")
            }
            for key in run.requestedKeys where values[key] != nil {
                if let value = values[key] { try service.upsert(key: key, value: value) }
                filled.append(key)
            }
        }
        return filled
    }

    /// The manual transition `--fill` fires: the only one, or the one a secret-input widget names.
    static func fillTransition(_ run: WorkflowRun, engine: WorkflowEngine, definition: WorkflowDefinition) throws -> String {
        let manual = engine.manualTransitions(of: run).map(\.id)
        if manual.count == 1 { return manual[0] }
        let widget = definition.widgets.first { widget in
            widget.widget == "secret-input" && (widget.enabledWhen.isEmpty || widget.enabledWhen.contains(run.place))
                && widget.transition.map { manual.contains($0.0) } == true
        }
        if let name = widget?.transition?.0 { return name }
        throw CLIError("run '\(run.id)' can take \(manual.isEmpty ? "no transition" : manual.joined(separator: ", ")): choose one with --transition")
    }

    static func report(_ run: WorkflowRun, engine: WorkflowEngine?, json: Bool, full: Bool = false) {
        if json {
            Terminal.print(run.asValue.jsonText(pretty: true) + "\n")
            return
        }
        var out = "run \(run.id)  workflow \(run.workflow)  status \(run.status.rawValue)  place \(run.place)\n"
        if let error = run.error { out += "error: \(error)\n" }
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

/// Printable key names in messages (no control characters, bounded).
enum StoreErrorText {
    static func printable(_ text: String) -> String {
        let cleaned = String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7f ? "?" : Character($0) })
        return cleaned.count > 60 ? String(cleaned.prefix(60)) + "…" : cleaned
    }
}

/// `sync_secrets` from the CLI: loads identities only when a workflow actually syncs.
struct CLISyncer: SecretsSyncer {
    let identityFiles: [String]

    func syncAll(workspace: Workspace) throws -> Int {
        let identities = try IdentityLoader(files: identityFiles).load()
        return try TargetSyncer(workspace: workspace, identities: identities).sync().filter(\.written).count
    }
}
