import ArgumentParser
import Foundation
import LoopsealStore
import LoopsealWorkflows

struct Workflow: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check workflow definitions or draw them.",
        subcommands: [Validate.self, Graph.self])

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate workflow files; print every problem with file, line and column.")
        @Argument(help: "Workflow YAML files.") var files: [String]

        func validate() throws {
            guard !files.isEmpty else { throw ValidationError("give at least one workflow file") }
        }

        func run() throws {
            var failed = 0
            for file in files {
                do {
                    let definition = try WorkflowValidator.load(path: file)
                    Terminal.print("ok: \(file) (\(definition.transitions.count) transitions, \(TransitionGraph(definition).places.count) places)\n")
                } catch let error as WorkflowValidationError {
                    failed += 1
                    for problem in error.problems { Terminal.warn(problem.description) }
                }
            }
            if failed > 0 { throw CLIError("\(failed) of \(files.count) workflow file\(files.count == 1 ? "" : "s") have problems (listed above)") }
        }
    }

    struct Graph: ParsableCommand {
        enum Format: String, ExpressibleByArgument, CaseIterable { case mermaid, dot, svg }
        static let configuration = CommandConfiguration(
            abstract: "Print a workflow as a Mermaid or Graphviz DOT graph (svg needs Graphviz's dot).")
        @Argument(help: "The workflow file.") var file: String
        @Option(help: "mermaid, dot or svg.") var format: Format = .mermaid

        func run() throws {
            let definition = try WorkflowValidator.load(path: file)
            switch format {
            case .mermaid: Terminal.print(GraphExport.mermaid(definition))
            case .dot: Terminal.print(GraphExport.dot(definition))
            case .svg: Terminal.print(try Self.svg(GraphExport.dot(definition)))
            }
        }

        static func svg(_ dot: String) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["dot", "-Tsvg"]
            let input = Pipe(), output = Pipe()
            process.standardInput = input
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            do { try process.run() } catch { throw CLIError("svg needs Graphviz: apt-get install graphviz") }
            input.fileHandleForWriting.write(Data(dot.utf8))
            try? input.fileHandleForWriting.close()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw CLIError("Graphviz 'dot' failed (is graphviz installed? apt-get install graphviz)") }
            return String(decoding: data, as: UTF8.self)
        }
    }
}
