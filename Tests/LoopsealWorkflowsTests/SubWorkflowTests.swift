import Foundation
import Testing
import LoopsealCrypto
import LoopsealStore
import LoopsealTemplates
@testable import LoopsealWorkflows
import LoopsealValue

/// Child runs (`run_workflow`, `request_secrets_task`): the parent waits pending, the child's end
/// resumes it once, failures and limits reach the parent, and links are kept both ways.
@Suite("sub-workflows")
struct SubWorkflowTests {
    /// A sandbox whose `workflows/` holds `files` (name → YAML), and a run service on it.
    private func service(_ files: [String: String]) throws -> (RunService, Sandbox) {
        let sandbox = try Sandbox()
        let workspace = try sandbox.workspace()
        for (name, text) in files { try sandbox.write("workflows/\(name).yaml", text) }
        return (RunService(workspace: workspace), sandbox)
    }

    private func start(_ runs: RunService, _ name: String, args: TemplateValue = .dictionary([])) throws -> WorkflowRun {
        let (definition, file) = try runs.loadWorkflow(name)
        return try runs.start(definition, file: file, args: args)
    }

    /// `NAME` starts `CHILD` with `run_workflow` and ends.
    private static func caller(_ child: String, onError: String? = nil) -> String {
        """
        transitions:
          - id: go
            from: start
            to: end
        \(onError.map { "    onError: \($0)\n" } ?? "")    call:
              - id: child
                tool: run_workflow
                args:
                  workflow: \(child)
                  args:
                    who: ${{ args.who }}
                assign:
                  got: ${{ result.data.state.greeting }}
                  childStatus: ${{ result.data.status }}
        \(onError.map { "  - id: recover\n    from: \($0)\n    to: end\n" } ?? "")
        """
    }

    private static let greeter = """
        transitions:
          - id: greet
            from: start
            to: end
            assign:
              greeting: ${{ "hello " + args.who }}
        """

    private static let waiter = """
        transitions:
          - id: hold
            from: start
            to: held
          - id: release
            from: held
            to: end
            wait: true
            assign:
              greeting: released
        """

    @Test("a child that finishes at once completes the parent's transition in the same step, its state as result.data")
    func immediateChild() throws {
        let (runs, sandbox) = try service(["parent": Self.caller("greeter"), "greeter": Self.greeter])
        defer { sandbox.remove() }
        let parent = try start(runs, "parent", args: .dictionary([("who", .string("ada"))]))
        #expect(parent.status == .completed, "\(parent.error ?? "")")
        #expect(json(parent.state) == #"{"got":"hello ada","childStatus":"completed"}"#)
        let link = try #require(parent.children.first)
        let child = try runs.load(runID: link.run)
        #expect(child.status == .completed)
        #expect(child.parent == ParentLink(run: parent.id, transition: "go", depth: 1))
        #expect(link.workflow == "greeter" && link.transition == "go" && link.show == .inline)
        #expect(parent.pendingTransition == nil)
        #expect(parent.history.map(\.transition) == ["go"])
    }

    @Test("a waiting child leaves the parent pending; firing the child resumes the parent once")
    func pendingThenResumed() throws {
        let (runs, sandbox) = try service(["parent": Self.caller("waiter"), "waiter": Self.waiter])
        defer { sandbox.remove() }
        let parent = try start(runs, "parent")
        #expect(parent.status == .pending)
        #expect(parent.place == "start")
        let pending = try #require(parent.pendingTransition)
        #expect(json(parent.toolResults) == #"{"go":{"child":{"data":{"workflowId":"\#(pending.child)"}}}}"#)
        #expect(parent.documents.map(\.type) == [.workflowLink])
        #expect(throws: RunServiceError.self) { try runs.fire(runID: parent.id, transition: "go") }

        let child = try runs.fire(runID: pending.child, transition: "release")
        #expect(child.status == .completed)
        let resumed = try runs.load(runID: parent.id)
        #expect(resumed.status == .completed)
        #expect(json(resumed.state) == #"{"got":"released","childStatus":"completed"}"#)
        #expect(resumed.history.map(\.transition) == ["go"])

        // The callback again, or a settle, changes nothing.
        try runs.resumeParents(of: child)
        #expect(try runs.settle().isEmpty)
        let again = try runs.load(runID: parent.id)
        #expect(again.updatedAt == resumed.updatedAt && again.history.count == 1)
    }

    @Test("a parent left pending on a finished child (a crash in between) is resumed by settle, once")
    func settleAfterCrash() throws {
        let (runs, sandbox) = try service(["parent": Self.caller("waiter"), "waiter": Self.waiter])
        defer { sandbox.remove() }
        let parent = try start(runs, "parent")
        let childID = try #require(parent.pendingTransition?.child)
        // What a SIGKILL after the child's save leaves: the child finished, the parent pending.
        var child = try runs.load(runID: childID)
        let engine = runs.engine(try runs.definition(of: child))
        child = try engine.fire(child, transition: "release")
        try runs.store.save(child)
        #expect(try runs.load(runID: parent.id).status == .pending)

        #expect(try runs.settle() == [parent.id])
        #expect(try runs.load(runID: parent.id).status == .completed)
        #expect(try runs.settle().isEmpty)
    }

    @Test("a failed child fails the parent's transition, or sends it to its onError place with an error document")
    func failedChild() throws {
        let failing = """
            transitions:
              - id: boom
                from: start
                to: end
                call:
                  - tool: sync_secrets
            """
        let (runs, sandbox) = try service(["plain": Self.caller("failing"), "guarded": Self.caller("failing", onError: "rescued"),
                                           "failing": failing])
        defer { sandbox.remove() }
        let plain = try start(runs, "plain")
        #expect(plain.status == .failed)
        #expect(plain.error?.contains("transition 'go' failed: child run '") == true)
        #expect(plain.error?.contains("(workflow failing) failed: transition 'boom' failed: sync_secrets: no syncer is configured") == true,
                "\(plain.error ?? "")")
        let guarded = try start(runs, "guarded")
        #expect(guarded.status == .completed, "\(guarded.error ?? "")")
        #expect(guarded.history.map(\.to) == ["rescued", "end"])
        #expect(guarded.documents.map(\.type) == [.workflowLink, .error])
    }

    @Test("children nest at most RunLimits.maxChildDepth deep")
    func depthBound() throws {
        var files: [String: String] = [:]
        let chain = (0...RunLimits.maxChildDepth + 1).map { "level\($0)" }
        for (index, name) in chain.enumerated().dropLast() { files[name] = Self.caller(chain[index + 1]) }
        files[chain.last ?? ""] = Self.greeter
        let (runs, sandbox) = try service(files)
        defer { sandbox.remove() }
        let top = try start(runs, "level0")
        #expect(top.status == .failed)
        #expect(top.error?.contains("child runs nest at most \(RunLimits.maxChildDepth) deep") == true, "\(top.error ?? "")")
        let depths = try runs.runs().compactMap(\.parent?.depth).sorted()
        #expect(depths == Array(1...RunLimits.maxChildDepth))
    }

    @Test("a run starts at most RunLimits.maxChildren children")
    func fanOutBound() throws {
        let looping = """
            transitions:
              - id: again
                from: start
                to: start
                if: ${{ true }}
                call:
                  - tool: run_workflow
                    args:
                      workflow: greeter
              - id: never
                from: start
                to: end
                wait: true
            """
        let (runs, sandbox) = try service(["looping": looping, "greeter": Self.greeter])
        defer { sandbox.remove() }
        let run = try start(runs, "looping")
        #expect(run.status == .failed)
        #expect(run.children.count == RunLimits.maxChildren)
        #expect(run.error?.contains("has started \(RunLimits.maxChildren) child runs, as many as a run may") == true, "\(run.error ?? "")")
    }

    @Test("request_secrets_task: pending with the child's id, then the seed's text once the child has the values")
    func requestSecretsTask() throws {
        let agent = """
            transitions:
              - id: ask
                from: start
                to: asked
                call:
                  - id: task
                    tool: request_secrets_task
                    args:
                      show: link
                      variables:
                        - key: API_TOKEN
                          description: the token
                    assign:
                      said: ${{ result.data }}
              - id: done
                from: asked
                to: end
            """
        let (runs, sandbox) = try service(["agent": agent])
        defer { sandbox.remove() }
        let parent = try start(runs, "agent")
        #expect(parent.status == .pending)
        let childID = try #require(parent.pendingTransition?.child)
        #expect(parent.children == [ChildLink(run: childID, workflow: "request-secrets", transition: "ask", show: .link)])
        let link = try #require(parent.documents.first)
        #expect(link.type == .workflowLink)
        #expect(json(link.content) == #"{"workflowId":"\#(childID)","workflow":"request-secrets","show":"link","requestedKeys":["API_TOKEN"]}"#)
        let child = try runs.load(runID: childID)
        #expect(child.workflowFile == "<built-in>/request-secrets.yaml")
        #expect(child.requestedKeys == ["API_TOKEN"])

        let canary = "canary-\(UUID().uuidString)"
        _ = try runs.provideSecrets(runID: childID, values: [("API_TOKEN", try SecureBytes(copying: Array(canary.utf8)))])
        let done = try runs.load(runID: parent.id)
        #expect(done.status == .completed)
        #expect(json(done.state) == #"{"said":"Secrets have been stored securely by the user."}"#)
        for id in [parent.id, childID] {
            let text = try String(contentsOfFile: try RunStore(workspace: runs.workspace).file(id), encoding: .utf8)
            #expect(!text.contains(canary))
        }
    }
}
