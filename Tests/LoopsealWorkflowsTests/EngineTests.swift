import Foundation
import Testing
import LoopsealStore
import LoopsealTemplates
@testable import LoopsealWorkflows

/// The run engine (DESIGN.md §6): guards, manual waits, `from` lists, retries and `onError`,
/// failures, resuming, locking and loop protection.
@Suite("Workflow engine")
struct EngineTests {
    // MARK: Guards

    private static let guarded = """
    transitions:
      - id: huge
        from: start
        to: huge_place
        if: ${{ args.value > 1000 }}
      - id: big
        from: start
        to: big_place
        if: "{{ gt args.value 100 }}"
      - id: medium
        from: start
        to: medium_place
        if: ${{ args.value > 10 }}
      - id: small
        from: start
        to: small_place
      - id: huge_done
        from: huge_place
        to: end
      - id: big_done
        from: big_place
        to: end
      - id: medium_done
        from: medium_place
        to: end
      - id: small_done
        from: small_place
        to: end
    """

    @Test(arguments: [
        (5000, "huge"),     // every guard holds: the first in file order fires
        (500, "big"),       // `{{ gt }}` holds and so does the later `${{ > 10 }}`: the earlier fires
        (50, "medium"),     // `{{ gt }}` renders "false"
        (5, "small"),       // no guard holds: the unguarded transition fires
    ])
    func firstAutomaticTransitionWhoseGuardHoldsFires(value: Int, expected: String) throws {
        let fixture = try Fixture(Self.guarded)
        defer { fixture.sandbox.remove() }
        let run = fixture.start("{\"value\": \(value)}")
        #expect(run.status == .completed)
        #expect(run.place == "end")
        #expect(run.error == nil)
        #expect(run.history.map(\.transition) == [expected, "\(expected)_done"])
        #expect(run.history.map(\.manual) == [false, false])
        #expect(run.history.first?.from == "start")
        #expect(run.history.first?.to == "\(expected)_place")
    }

    @Test func templateGuardsUseTheLogicHelpers() throws {
        let fixture = try Fixture("""
        transitions:
          - id: fast
            from: start
            to: end
            if: "{{ and (eq args.mode 'fast') (not args.skip) }}"
          - id: slow
            from: start
            to: slow_place
          - id: slow_done
            from: slow_place
            to: end
        """)
        defer { fixture.sandbox.remove() }
        #expect(fixture.start(#"{"mode": "fast", "skip": false}"#).history.map(\.transition) == ["fast"])
        #expect(fixture.start(#"{"mode": "fast", "skip": true}"#).history.map(\.transition) == ["slow", "slow_done"])
        #expect(fixture.start(#"{"mode": "slow"}"#).history.map(\.transition) == ["slow", "slow_done"])
    }

    @Test func runStuckWhereEveryGuardIsFalseFailsClearly() throws {
        let fixture = try Fixture("""
        transitions:
          - id: go
            from: start
            to: end
            if: ${{ args.go }}
          - id: maybe
            from: start
            to: end
            if: "{{ eq args.mode 'x' }}"
        """)
        defer { fixture.sandbox.remove() }
        let run = fixture.start(#"{"go": false, "mode": "y"}"#)
        #expect(run.status == .failed)
        #expect(run.place == "start")
        #expect(run.error == "no transition can leave 'start': every 'if' there is false")
        #expect(run.history.isEmpty)
        #expect(fixture.start(#"{"go": true}"#).status == .completed)
    }

    @Test func guardThatCannotBeEvaluatedFailsTheRun() throws {
        // Strict mode: a `{{ }}` guard printing a missing field is an error, not "false".
        let fixture = try Fixture("""
        transitions:
          - id: go
            from: start
            to: end
            if: "{{ args.missing }}"
        """)
        defer { fixture.sandbox.remove() }
        let run = fixture.start()
        #expect(run.status == .failed)
        #expect(run.error?.hasPrefix("transition 'go': its 'if' could not be evaluated") == true, "\(run.error ?? "")")
        #expect(run.error?.contains("\(fixture.path):5:9: ") == true, "\(run.error ?? "")")
        #expect(run.error?.contains("args.missing") == true)
    }

    // MARK: Manual transitions and payloads

    private static let approval = """
    transitions:
      - id: ask
        from: start
        to: waiting
      - id: answer
        from: waiting
        to: answered
        wait: true
        call:
          - tool: echo
            args:
              who: ${{ runtime.transition.payload.name }}
            assign:
              echoed: ${{ result.data.who }}
        assign:
          name: ${{ runtime.transition.payload.name }}
          greeting: "Hello {{ runtime.transition.payload.name }}, from {{ runtime.transition.from }}"
          count: ${{ runtime.transition.payload.count + 1 }}
      - id: finish
        from: answered
        to: end
    """

    @Test func manualTransitionWaitsAndUsesItsPayload() throws {
        let tools = testTools([EchoTool()])
        let fixture = try Fixture(Self.approval, tools: tools)
        defer { fixture.sandbox.remove() }
        let waiting = fixture.start()
        #expect(waiting.status == .waiting)
        #expect(waiting.place == "waiting")
        #expect(fixture.engine.manualTransitions(of: waiting).map(\.id) == ["answer"])

        let payload = value(#"{"name": "Ada", "count": 41}"#)
        let done = try fixture.engine.fire(waiting, transition: "answer", payload: payload)
        #expect(done.status == .completed)
        #expect(json(done.state) == #"{"echoed":"Ada","name":"Ada","greeting":"Hello Ada, from waiting","count":42}"#)
        #expect(done.history.map(\.transition) == ["ask", "answer", "finish"])
        #expect(done.history.map(\.manual) == [false, true, false])
        #expect(json(done.history[1].payload) == #"{"name":"Ada","count":41}"#)
        #expect(done.history[0].payload == nil)
        #expect(fixture.engine.manualTransitions(of: done).isEmpty)
        // The waiting run value itself is untouched.
        #expect(waiting.status == .waiting)
        #expect(json(waiting.state) == "{}")
    }

    @Test func firingWithoutPayloadGivesNull() throws {
        let fixture = try Fixture("""
        transitions:
          - id: go
            from: start
            to: end
            trigger: manual
            assign:
              got: ${{ runtime.transition.payload }}
              missing: ${{ runtime.transition.payload.name }}
        """)
        defer { fixture.sandbox.remove() }
        let run = try fixture.engine.fire(fixture.start(), transition: "go")
        #expect(run.status == .completed)
        #expect(json(run.state) == #"{"got":null,"missing":null}"#)
    }

    @Test func fromListsLetOneTransitionLeaveSeveralPlaces() throws {
        let fixture = try Fixture("""
        transitions:
          - id: choose_a
            from: start
            to: a
            if: ${{ args.path == 'a' }}
          - id: choose_b
            from: start
            to: b
          - id: merge
            from: [a, b]
            to: merged
          - id: close
            from:
              - merged
              - b
            to: end
            wait: true
        """)
        defer { fixture.sandbox.remove() }
        let viaA = fixture.start(#"{"path": "a"}"#)
        #expect(viaA.history.map(\.transition) == ["choose_a", "merge"])
        #expect(viaA.history.map(\.from) == ["start", "a"])
        #expect(viaA.status == .waiting)
        let viaB = fixture.start(#"{"path": "b"}"#)
        #expect(viaB.history.map(\.transition) == ["choose_b", "merge"])
        #expect(viaB.history.map(\.from) == ["start", "b"])
        let closed = try fixture.engine.fire(viaB, transition: "close")
        #expect(closed.status == .completed)
        #expect(closed.history.last?.from == "merged")
    }

    // MARK: Firing errors

    private static let review = """
    transitions:
      - id: go
        from: start
        to: waiting
      - id: approve
        from: waiting
        to: reviewed
        wait: true
      - id: reject
        from: waiting
        to: end
        trigger: manual
      - id: publish
        from: reviewed
        to: end
        wait: true
    """

    private func message(_ body: () throws -> WorkflowRun) -> String {
        do {
            _ = try body()
            Issue.record("expected an error")
            return ""
        } catch {
            return "\(error)"
        }
    }

    @Test func firingAnAutomaticOrUnrelatedTransitionNamesTheAllowedOnes() throws {
        let fixture = try Fixture(Self.review)
        defer { fixture.sandbox.remove() }
        let engine = fixture.engine
        let run = fixture.start()
        #expect(run.place == "waiting")
        #expect(engine.manualTransitions(of: run).map(\.id) == ["approve", "reject"])

        #expect(message { try engine.fire(run, transition: "go") }
                == "transition 'go' is automatic; a person can only fire manual ones (it can take: approve, reject)")
        #expect(message { try engine.fire(run, transition: "publish") }
                == "transition 'publish' does not leave 'waiting', where run '\(run.id)' is (it can take: approve, reject)")
        #expect(message { try engine.fire(run, transition: "nope") }
                == "workflow 'flow' has no transition 'nope' (it can take: approve, reject)")

        let reviewed = try engine.fire(run, transition: "approve")
        #expect(reviewed.status == .waiting)
        #expect(reviewed.place == "reviewed")
        #expect(message { try engine.fire(reviewed, transition: "reject") }.hasSuffix("(it can take: publish)"))

        let done = try engine.fire(reviewed, transition: "publish")
        #expect(done.status == .completed)
        #expect(done.history.map(\.transition) == ["go", "approve", "publish"])
        #expect(message { try engine.fire(done, transition: "publish") }
                == "run '\(run.id)' is completed: only a waiting run takes a transition")
    }

    // MARK: Retries, onError and failures

    private static let retrying = """
    transitions:
      - id: fetch
        from: start
        to: fetched
        retryAttempts: 3
        retryDelay: 250
        onError: fetch_failed
        call:
          - tool: flaky
        assign:
          attempt: ${{ result.data.attempt }}
      - id: done
        from: fetched
        to: end
      - id: give_up
        from: fetch_failed
        to: end
        wait: true
    """

    @Test func retriesUntilTheToolSucceeds() throws {
        let recorder = Recorder(), sleeps = Recorder()
        var fixture = try Fixture(Self.retrying, tools: testTools([FlakyTool(failures: 2, recorder: recorder)]))
        defer { fixture.sandbox.remove() }
        fixture.engine.sleep = { sleeps.slept($0) }
        let run = fixture.start()
        #expect(recorder.calls == 3)
        #expect(sleeps.sleeps == [0.25, 0.25])
        #expect(run.status == .completed)
        #expect(run.error == nil)
        #expect(json(run.state) == #"{"attempt":3}"#)
        #expect(run.history.map(\.transition) == ["fetch", "done"])
        #expect(run.history.allSatisfy { $0.error == nil })
        #expect(run.documents.isEmpty)
    }

    @Test func exhaustedRetriesFollowOnError() throws {
        let recorder = Recorder(), sleeps = Recorder()
        var fixture = try Fixture(Self.retrying, tools: testTools([FlakyTool(failures: 100, recorder: recorder)]))
        defer { fixture.sandbox.remove() }
        fixture.engine.sleep = { sleeps.slept($0) }
        let run = fixture.start()
        #expect(recorder.calls == 4)  // retryAttempts 3 + the first attempt
        #expect(sleeps.sleeps == [0.25, 0.25, 0.25])
        let message = "transition 'fetch' failed after 4 attempts: flaky: flaky failure #4"
        #expect(run.status == .waiting)
        #expect(run.place == "fetch_failed")
        #expect(run.error == message)
        #expect(json(run.state) == "{}")
        #expect(run.history.count == 1)
        #expect(run.history.first?.transition == "fetch")
        #expect(run.history.first?.from == "start")
        #expect(run.history.first?.to == "fetch_failed")
        #expect(run.history.first?.error == message)
        #expect(run.documents.count == 1)
        #expect(run.documents.first?.type == .error)
        #expect(run.documents.first?.markdown == "**Error:** \(message)")
        #expect(fixture.engine.manualTransitions(of: run).map(\.id) == ["give_up"])

        let finished = try fixture.engine.fire(run, transition: "give_up")
        #expect(finished.status == .completed)
        #expect(recorder.calls == 4)
    }

    @Test func failureIsRecordedWithoutTheFailedAttemptsEffects() throws {
        let fixture = try Fixture("""
        transitions:
          - id: prepare
            from: start
            to: ready
            assign:
              step: prepared
          - id: boom
            from: ready
            to: end
            call:
              - tool: create_document
                args: { document: message, content: { text: written before the failure } }
                assign: { partial: true }
              - tool: request_secrets
                args:
                  variables: [{ key: WOULD_BE_REQUESTED }]
              - tool: explode
            assign:
              step: exploded
        """, tools: testTools([ExplodingTool()]))
        defer { fixture.sandbox.remove() }
        let run = fixture.start()
        let failure = "transition 'boom' failed: explode: the reactor is on fire"
        #expect(run.status == .failed)
        #expect(run.error == failure)
        #expect(run.place == "ready")
        #expect(json(run.state) == #"{"step":"prepared"}"#)
        #expect(run.documents.isEmpty)
        #expect(run.requestedKeys.isEmpty)
        #expect(json(run.toolResults) == "{}")
        #expect(run.history.map(\.transition) == ["prepare", "boom"])
        #expect(run.history[0].error == nil)
        #expect(run.history[1].error == failure)
        #expect(run.history[1].from == "ready")
        #expect(run.history[1].to == "ready")
        #expect(message { try fixture.engine.fire(run, transition: "boom") }
                == "run '\(run.id)' is failed: only a waiting run takes a transition")
    }

    @Test func failingAssignmentFailsTheTransition() throws {
        // A template in an assignment that reads a missing field (strict mode) is a failure like a tool's.
        let fixture = try Fixture("""
        transitions:
          - id: go
            from: start
            to: end
            assign:
              text: "{{ state.nothing.here }}"
        """)
        defer { fixture.sandbox.remove() }
        let run = fixture.start()
        #expect(run.status == .failed)
        #expect(run.error?.hasPrefix("transition 'go' failed: ") == true, "\(run.error ?? "")")
        #expect(run.error?.contains("\(fixture.path):6:13: ") == true, "\(run.error ?? "")")
        #expect(run.place == "start")
    }

    @Test func failedManualTransitionLeavesTheRunAtItsPlace() throws {
        let fixture = try Fixture("""
        transitions:
          - id: ask
            from: start
            to: end
            wait: true
            call:
              - tool: explode
        """, tools: testTools([ExplodingTool()]))
        defer { fixture.sandbox.remove() }
        let waiting = fixture.start()
        #expect(waiting.status == .waiting)
        let failed = try fixture.engine.fire(waiting, transition: "ask", payload: value(#"{"n": 1}"#))
        #expect(failed.status == .failed)
        #expect(failed.place == "start")
        #expect(failed.history.count == 1)
        #expect(failed.history[0].manual)
        #expect(json(failed.history[0].payload) == #"{"n":1}"#)
        #expect(failed.history[0].error == "transition 'ask' failed: explode: the reactor is on fire")
    }

    // MARK: Loops

    private static let loop = """
    transitions:
      - id: begin
        from: start
        to: a
        assign:
          n: 0
      - id: inc
        from: a
        to: b
        assign:
          n: ${{ state.n + 1 }}
      - id: back
        from: b
        to: a
        if: ${{ state.n < args.limit }}
      - id: out
        from: b
        to: end
    """

    @Test func boundedLoopsComplete() throws {
        let fixture = try Fixture(Self.loop)
        defer { fixture.sandbox.remove() }
        let run = fixture.start(#"{"limit": 5}"#)
        #expect(run.status == .completed)
        #expect(json(run.state) == #"{"n":5}"#)
        #expect(run.history.count == 1 + 5 + 4 + 1)
    }

    @Test func endlessAutomaticLoopsAreStopped() throws {
        var fixture = try Fixture(Self.loop)
        defer { fixture.sandbox.remove() }
        fixture.engine.maxAutomaticSteps = 50
        let run = fixture.start(#"{"limit": 1000000000}"#)
        #expect(run.status == .failed)
        #expect(run.error == "more than 50 automatic transitions in a row: the workflow loops")
        #expect(run.history.count == 50)
        #expect(run.history.allSatisfy { $0.error == nil })
    }

    // MARK: Resuming

    @Test func runResumesInAFreshEngineFromTheStore() throws {
        let tools = testTools([EchoTool()])
        let sandbox: Sandbox
        let path: String
        let id: String
        do {
            let fixture = try Fixture(Self.approval, tools: tools)
            sandbox = fixture.sandbox
            path = fixture.path
            let run = fixture.start(#"{"origin": "cli"}"#)
            #expect(run.status == .waiting)
            try RunStore(workspace: fixture.workspace).save(run)
            id = run.id
        }
        defer { sandbox.remove() }

        // As a new process would: re-open the workspace, re-parse the file, load the run.
        let workspace = try Workspace(root: sandbox.root, id: "demo")
        let definition = try WorkflowValidator.load(path: path, tools: tools)
        let engine = WorkflowEngine(definition: definition, workspace: workspace, tools: tools, logger: quietLogger)
        let store = RunStore(workspace: workspace)
        let loaded = try store.load(id)
        #expect(loaded.status == .waiting)
        #expect(loaded.place == "waiting")
        #expect(engine.manualTransitions(of: loaded).map(\.id) == ["answer"])

        let done = try store.withLock(id) { () throws -> WorkflowRun in
            let done = try engine.fire(loaded, transition: "answer", payload: value(#"{"name": "Bo", "count": 1}"#))
            try store.save(done)
            return done
        }
        #expect(done.status == .completed)
        let reloaded = try store.load(id)
        #expect(reloaded.status == .completed)
        #expect(reloaded.place == "end")
        #expect(json(reloaded.args) == #"{"origin":"cli"}"#)
        #expect(json(reloaded.state.property("name")) == #""Bo""#)
        #expect(reloaded.history.map(\.transition) == ["ask", "answer", "finish"])
        #expect(reloaded.createdAt == loaded.createdAt)
    }

    @Test func concurrentAdvanceOfOneRunIsRefused() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let store = RunStore(workspace: try sandbox.workspace())
        let entered = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0), finished = DispatchSemaphore(value: 0)
        let firstResult = Recorder()
        let first = Thread {
            do {
                try store.withLock("run-1") {
                    entered.signal()
                    release.wait()
                    _ = firstResult.call()
                }
            } catch {
                Issue.record("the first lock failed: \(error)")
            }
            finished.signal()
        }
        first.start()
        #expect(entered.wait(timeout: .now() + 10) == .success)

        var secondRan = false
        let error = #expect(throws: ToolError.self) {
            try store.withLock("run-1") { secondRan = true }
        }
        #expect(error?.message == "run 'run-1' is being advanced by another loopseal process; try again when it finishes")
        #expect(!secondRan)
        // Another run is not blocked.
        #expect(try store.withLock("run-2") { 7 } == 7)

        release.signal()
        #expect(finished.wait(timeout: .now() + 10) == .success)
        #expect(firstResult.calls == 1)
        #expect(try store.withLock("run-1") { "free again" } == "free again")
    }
}
