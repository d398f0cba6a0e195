import ArgumentParser
import Foundation
import LoopsealStore
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
                do {
                    if WidgetFile.isWidgetFile(file) {
                        let widgets = try WidgetFile.load(path: file)
                        Terminal.print("ok: \(file) (widget file, \(widgets.count) widget\(widgets.count == 1 ? "" : "s"))\n")
                    } else {
                        let definition = try WorkflowValidator.load(path: file)
                        Terminal.print("ok: \(file) (\(definition.transitions.count) transitions, \(TransitionGraph(definition).places.count) places)\n")
                    }
                } catch let error as WorkflowValidationError {
                    failed += 1
                    for problem in error.problems { Terminal.warn(problem.description) }
                } catch let error as StoreError {
                    failed += 1
                    Terminal.warn(error.description)
                }
            }
            if failed > 0 { throw CLIError("\(failed) of \(files.count) workflow file\(files.count == 1 ? "" : "s") have problems (listed above)") }
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
