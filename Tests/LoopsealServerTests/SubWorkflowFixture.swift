import Foundation
import LoopsealCrypto
import LoopsealStore
import LoopsealTemplates
import LoopsealValue
import LoopsealWorkflows
import Testing

/// Agent-style workflows for the sub-workflow tests: `request_secrets_task` starts the built-in
/// `request-secrets` workflow as a child run (`agent-inline` shows its form inline, `agent-link`
/// only a link), then the run checks the keys and reports (the fixture's `templates/report.md`).
extension ServerFixture {
    static let agentKeys = ["AGENT_KEY", "AGENT_PEM"]

    /// Writes `workflows/agent-inline.yaml` and `workflows/agent-link.yaml`.
    func addAgentWorkflows() throws {
        for (name, show) in [("agent-inline", "inline"), ("agent-link", "link")] {
            try Self.agentWorkflow(show: show).write(toFile: "\(root)/workflows/\(name).yaml", atomically: true, encoding: .utf8)
        }
    }

    static func agentWorkflow(show: String) -> String {
        """
        title: Agent (\(show))
        transitions:
          - id: request_secrets
            from: start
            to: requested
            call:
              - id: task
                tool: request_secrets_task
                args:
                  show: \(show)
                  variables:
                    - key: AGENT_KEY
                      description: The agent's provider key
                    - key: AGENT_PEM
                assign:
                  taskResult: ${{ result.data }}
          - id: verify
            from: requested
            to: checking
            if: ${{ state.taskResult == "Secrets have been stored securely by the user." }}
            call:
              - tool: get_secret_keys
                assign:
                  secretKeys: ${{ result.data }}
          - id: report
            from: checking
            to: end
            call:
              - tool: create_document
                args:
                  document: markdown
                  template: templates/report.md
        """
    }

    /// Starts `workflow` in `alpha` without the server; returns the parent, pending on its child.
    func startAgent(_ workflow: String = "agent-inline") throws -> (parent: WorkflowRun, child: String) {
        let service = RunService(workspace: try alpha)
        let (definition, file) = try service.loadWorkflow(workflow)
        let parent = try service.start(definition, file: file)
        let child = try #require(parent.pendingTransition?.child)
        #expect(parent.status == .pending)
        return (parent, child)
    }

    /// The state a crash leaves between a child's end and its parent's resumption: the values
    /// stored, the child saved completed, the parent still pending on it.
    func crashAfterChildCompleted(_ child: String, values: [String: String]) throws {
        let workspace = try alpha
        for (key, value) in values {
            try SecretService(workspace: workspace).upsert(key: key, value: try SecureBytes(copying: Array(value.utf8)))
        }
        let service = RunService(workspace: workspace)
        let run = try service.load(runID: child)
        let keys = TemplateValue.list(values.keys.sorted().map(TemplateValue.string))
        let done = try service.engine(try service.definition(of: run)).fire(run, transition: "secrets_submitted",
                                                                              payload: .dictionary([("keys", keys)]))
        #expect(done.status == .completed)
        try RunStore(workspace: workspace).save(done)
    }

    /// Makes every git commit in the repository fail (a pre-commit hook that exits 1).
    func refuseCommits() throws {
        let hook = "\(root)/.git/hooks/pre-commit"
        try "#!/bin/sh\necho 'refused by the test hook' >&2\nexit 1\n".write(toFile: hook, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hook)
    }

    /// The bytes of run `id`'s file in `alpha`.
    func runFile(_ id: String) throws -> Data {
        try #require(FileManager.default.contents(atPath: try RunStore(workspace: try alpha).file(id)))
    }
}
