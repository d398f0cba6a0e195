import Foundation
import LoopsealWorkflows

/// `WorkflowValidator.load` (parser, widget parser, graph checks, template and expression
/// checks) on any workflow text. The input is the workflow file; bytes after the first NUL
/// become `fuzz.ui.yaml` next to it, so `widget: fuzz.ui.yaml` reaches the widget parser.
/// The folder also holds `templates/report.md` for `template:` arguments.
///
/// Every problem must carry a 1-based line and column; a workflow that validates must export
/// as Mermaid and DOT.
public enum WorkflowFuzz {
    static let lock = NSLock()
    static let directory: String = {
        let base = FileManager.default.temporaryDirectory.path + "/loopseal-fuzz-workflow-\(getpid())"
        try? FileManager.default.createDirectory(atPath: base + "/templates", withIntermediateDirectories: true)
        try? Data("{{#each secretKeys}}- {{key}}: {{#if hasValue}}set{{else}}missing{{/if}}\n{{/each}}".utf8)
            .write(to: URL(fileURLWithPath: base + "/templates/report.md"))
        atexit { try? FileManager.default.removeItem(atPath: WorkflowFuzz.directory) }
        return base
    }()

    /// Runs one input.
    public static func run(_ bytes: [UInt8]) {
        lock.lock()
        defer { lock.unlock() }
        let workflow = directory + "/fuzz.workflow.yaml"
        let widget = directory + "/fuzz.ui.yaml"
        if let nul = bytes.firstIndex(of: 0) {
            write(bytes[..<nul], to: workflow)
            write(bytes[(nul + 1)...], to: widget)
        } else {
            write(bytes[...], to: workflow)
            unlink(widget)
        }
        do {
            let definition = try WorkflowValidator.load(path: workflow)
            _ = TransitionGraph(definition)
            _ = GraphExport.mermaid(definition)
            _ = GraphExport.dot(definition)
        } catch let error as WorkflowValidationError {
            FuzzCheck.require(!error.problems.isEmpty, "a validation error without problems")
            for problem in error.problems {
                FuzzCheck.require(problem.line >= 1 && problem.column >= 1, "a problem without a position: \(problem)")
            }
        } catch {
            FuzzCheck.require(!"\(error)".isEmpty, "an error without a message")
        }
    }

    private static func write(_ bytes: ArraySlice<UInt8>, to path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { fatalError("cannot write \(path)") }
        defer { close(fd) }
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(fd, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
                guard written > 0 else { fatalError("cannot write \(path)") }
                offset += written
            }
        }
    }
}
