import Foundation
import LoopsealKit
import Testing

@Suite("workflow validate as a use case")
struct WorkflowFileCheckTests {
    static let workflow = """
        transitions:
          - id: go
            from: start
            to: middle
          - id: finish
            from: middle
            to: end
        """

    @Test("a workflow's transitions and places; a widget file's widgets")
    func valid() throws {
        let scratch = try KitScratch()
        let file = try scratch.write("flow.yaml", Self.workflow)
        #expect(try WorkflowFileCheck.check(file) == .workflow(transitions: 2, places: 3))
        let widgets = try scratch.write("flow.ui.yaml", "widgets:\n  - widget: secret-input\n    enabledWhen: [middle]\n")
        #expect(try WorkflowFileCheck.check(widgets) == .widgets(count: 1))
    }

    @Test("problems come back one line each with file, line and column; a missing file is a problem too")
    func problems() throws {
        let scratch = try KitScratch()
        let broken = try scratch.write("broken.yaml", Self.workflow.replacingOccurrences(of: "id: finish", with: "id: go"))
        guard case .problems(let lines) = try WorkflowFileCheck.check(broken) else {
            Issue.record("a duplicate transition id passed")
            return
        }
        #expect(lines.contains { $0.hasPrefix("\(broken):") && $0.contains("duplicate transition id 'go'") }, "\(lines)")
        guard case .problems(let missing) = try WorkflowFileCheck.check("\(scratch.path)/missing.yaml") else {
            Issue.record("a missing file passed")
            return
        }
        #expect(missing.count == 1 && missing[0].contains("missing.yaml"), "\(missing)")
    }
}
