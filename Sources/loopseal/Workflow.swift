import ArgumentParser
import Foundation
import LoopsealKit
import LoopsealWorkflows

struct Workflow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workflow",
        abstract: "Check workflow definitions or draw them.",
        subcommands: [Validate.self, Graph.self])

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "validate",
            abstract: "Validate workflow files; print every problem with file, line and column.",
            discussion: "Widget files (*.ui.yaml, *.ui.yml) are checked as widgets, so 'loopseal workflow validate workflows/*.yaml' checks a whole folder; the transitions a widget fires are checked with the workflow that names it.")
        @Argument(help: "Workflow YAML files (and widget files).") var files: [String]

        func validate() throws {
            guard !files.isEmpty else { throw ValidationError("give at least one workflow file") }
        }

        func run() throws {
            var failed = 0
            for file in files {
                let outcome = try WorkflowFileCheck.check(file)
                if case .problems = outcome { failed += 1 }
                Self.show(outcome, file: file)
            }
            if failed > 0 { throw CLIError("\(failed) of \(files.count) workflow file\(files.count == 1 ? "" : "s") have problems (listed above)") }
        }

        /// `ok: FILE (…)` on stdout, or each problem on stderr.
        private static func show(_ outcome: WorkflowFileCheck.Outcome, file: String) {
            switch outcome {
            case .widgets(let count):
                Terminal.print("ok: \(file) (widget file, \(count) widget\(count == 1 ? "" : "s"))\n")
            case .workflow(let transitions, let places):
                Terminal.print("ok: \(file) (\(transitions) transitions, \(places) places)\n")
            case .problems(let problems):
                for problem in problems { Terminal.warn(problem) }
            }
        }
    }

    struct Graph: ParsableCommand {
        enum Format: String, ExpressibleByArgument, CaseIterable { case mermaid, dot, svg }
        static let configuration = CommandConfiguration(
            commandName: "graph",
            abstract: "Print a workflow as a Mermaid or Graphviz DOT graph (svg needs Graphviz's dot on PATH).")
        @Argument(help: "The workflow file.") var file: String
        @Option(help: "mermaid, dot or svg (svg runs Graphviz's 'dot': apt-get install graphviz).") var format: Format = .mermaid

        func run() throws {
            if WidgetFile.isWidgetFile(file) {
                throw CLIError("\(file) is a widget file: graph the workflow that names it")
            }
            let definition = try WorkflowValidator.load(path: file)
            switch format {
            case .mermaid: Terminal.print(GraphExport.mermaid(definition))
            case .dot: Terminal.print(GraphExport.dot(definition))
            case .svg: Terminal.print(try Graphviz.svg(GraphExport.dot(definition)))
            }
        }
    }
}
