import Foundation
import Logging
import LoopsealCrypto
import LoopsealStore
import LoopsealTemplates
import LoopsealWorkflows

/// Workflow parsing/validation time and engine throughput.
enum WorkflowBench {
    static func temporaryWorkspace() throws -> (String, Workspace) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("loopseal-bench-\(UUID().uuidString)").path
        let workspace = try Workspace.create(root: root, id: "bench", recipients: [Recipient(name: "bench", publicKey: try Identity.generate().publicKey)])
        return (root, workspace)
    }

    /// A chain `start -> p1 -> … -> end` of `count` automatic transitions, each with a guard,
    /// an assignment and, every tenth, a `create_document` call.
    static func chainYAML(_ count: Int) -> String {
        var yaml = "title: Generated chain\ntransitions:\n"
        for i in 0..<count {
            let from = i == 0 ? "start" : "p\(i)"
            let to = i == count - 1 ? "end" : "p\(i + 1)"
            yaml += "  - id: t\(i)\n    from: \(from)\n    to: \(to)\n    if: ${{ args.go && \(i) >= 0 }}\n"
            yaml += "    assign:\n      step: ${{ \(i) + 1 }}\n"
            if i % 10 == 0 {
                yaml += "    call:\n      - tool: create_document\n        args:\n          document: message\n          content: { content: \"step {{ runtime.transition.id }}\" }\n"
            }
        }
        return yaml
    }

    static func parse(_ count: Int) throws {
        let (root, _) = try temporaryWorkspace()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = "\(root)/chain.yaml"
        try chainYAML(count).write(toFile: path, atomically: true, encoding: .utf8)
        var definition: WorkflowDefinition?
        let time = try seconds { definition = try WorkflowValidator.load(path: path) }
        print(#"{"transitions": \#(definition?.transitions.count ?? 0), "parse_validate_ms": \#(time * 1000)}"#)
    }

    static func chain(_ steps: Int) throws {
        let (root, workspace) = try temporaryWorkspace()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = "\(root)/chain.yaml"
        try chainYAML(steps).write(toFile: path, atomically: true, encoding: .utf8)
        let definition = try WorkflowValidator.load(path: path)
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let engine = WorkflowEngine(definition: definition, workspace: workspace, logger: logger)
        var run: WorkflowRun?
        let time = seconds { run = engine.start(args: .dictionary([("go", .bool(true))]), workflowFile: path) }
        guard let run, run.status == .completed else { throw BenchError("chain did not complete: \(run?.error ?? "?")") }
        print(#"{"steps": \#(run.history.count), "seconds": \#(time), "transitions_per_s": \#(Double(run.history.count) / time), "peak_rss_mb": \#(Double(peakRSSKilobytes()) / 1024)}"#)
    }
}
