import Foundation
import Testing
@testable import LoopsealWorkflows

/// `workflow graph`: Mermaid and Graphviz DOT.
@Suite("Graph export")
struct GraphExportTests {
    private static let yaml = """
    transitions:
      - id: ask
        from: start
        to: waiting
      - id: approve
        from: waiting
        to: approved
        wait: true
      - id: fetch
        from: [approved, retrying]
        to: fetched
        onError: fetch-failed
        if: ${{ args.ok }}
      - id: retry
        from: fetch-failed
        to: retrying
        trigger: manual
      - id: finish
        from: fetched
        to: end
      - id: skip
        from: approved
        to: end
    """

    private func definition(_ yaml: String = Self.yaml) throws -> (Sandbox, WorkflowDefinition) {
        let sandbox = try Sandbox()
        return (sandbox, try sandbox.workflow(yaml))
    }

    @Test func mermaidHasEveryPlaceAndEdge() throws {
        let (sandbox, definition) = try definition()
        defer { sandbox.remove() }
        #expect(GraphExport.mermaid(definition) == """
        stateDiagram-v2
            state "start" as p0
            state "waiting" as p1
            state "approved" as p2
            state "retrying" as p3
            state "fetched" as p4
            state "fetch-failed" as p5
            state "end" as p6
            [*] --> p0
            p0 --> p1: ask
            p1 --> p2: approve (wait)
            p2 --> p4: fetch [if]
            p3 --> p4: fetch [if]
            p2 --> p5: fetch failed
            p3 --> p5: fetch failed
            p5 --> p3: retry (wait)
            p4 --> p6: finish
            p2 --> p6: skip
            p6 --> [*]

        """)
    }

    @Test func dotHasEveryEdgeWithManualDashedAndOnErrorDotted() throws {
        let (sandbox, definition) = try definition()
        defer { sandbox.remove() }
        #expect(GraphExport.dot(definition) == """
        digraph "flow" {
            rankdir=LR;
            node [shape=box, style=rounded];
            "start" [shape=circle];
            "end" [shape=doublecircle];
            "start" -> "waiting" [label="ask"];
            "waiting" -> "approved" [label="approve", style=dashed];
            "approved" -> "fetched" [label="fetch [if]"];
            "retrying" -> "fetched" [label="fetch [if]"];
            "approved" -> "fetch-failed" [label="fetch failed", style=dotted];
            "retrying" -> "fetch-failed" [label="fetch failed", style=dotted];
            "fetch-failed" -> "retrying" [label="retry", style=dashed];
            "fetched" -> "end" [label="finish"];
            "approved" -> "end" [label="skip"];
        }

        """)
    }

    /// Independent of exact layout: one edge per (transition, from place), one per onError, and
    /// dashed exactly when manual.
    @Test func everyTransitionEdgeIsPresentInBothFormats() throws {
        let (sandbox, definition) = try definition()
        defer { sandbox.remove() }
        let mermaid = GraphExport.mermaid(definition)
        let dot = GraphExport.dot(definition)
        let dotLines = dot.split(separator: "\n").map(String.init)
        var ids: [String: String] = [:]
        for line in mermaid.split(separator: "\n") where line.contains("state \"") {
            let parts = line.components(separatedBy: "\" as ")
            ids[String(parts[0].split(separator: "\"", maxSplits: 1).last ?? "")] = parts.last
        }
        for transition in definition.transitions {
            for (from, _) in transition.from {
                let edge = dotLines.filter { $0.contains("\"\(from)\" -> \"\(transition.to)\"") && $0.contains("label=\"\(transition.id)") }
                #expect(edge.count == 1, "dot edge \(from) -> \(transition.to)")
                #expect(edge.first?.contains("style=dashed") == (transition.trigger == .manual), "\(edge)")
                #expect(mermaid.contains("\(ids[from] ?? "?") --> \(ids[transition.to] ?? "?"): \(transition.id)"))
                if let (place, _) = transition.onError {
                    #expect(dot.contains("\"\(from)\" -> \"\(place)\" [label=\"\(transition.id) failed\", style=dotted];"))
                }
            }
        }
        #expect(dotLines.filter { $0.contains(" -> ") }.count == 9)  // 7 (transition, from) edges + 2 onError edges
        #expect(mermaid.split(separator: "\n").filter { $0.contains(" --> ") }.count == 11)  // + [*] in and out
    }

    @Test func quotesAreEscaped() throws {
        let (sandbox, definition) = try definition("""
        transitions:
          - id: 'say "hi"'
            from: start
            to: 'the "end" room'
          - id: leave
            from: 'the "end" room'
            to: end
        """)
        defer { sandbox.remove() }
        let dot = GraphExport.dot(definition)
        #expect(dot.contains(#""start" -> "the \"end\" room" [label="say \"hi\""];"#))
        let mermaid = GraphExport.mermaid(definition)
        #expect(mermaid.contains(#"state "the 'end' room" as p1"#))
    }

    /// Two distinct places whose names differ only in punctuation must stay two Mermaid states.
    @Test func distinctPlacesGetDistinctMermaidStates() throws {
        let (sandbox, definition) = try definition("""
        transitions:
          - id: a
            from: start
            to: needs-review
            if: ${{ args.a }}
          - id: b
            from: start
            to: needs_review
          - id: a_done
            from: needs-review
            to: end
          - id: b_done
            from: needs_review
            to: end
        """)
        defer { sandbox.remove() }
        let states = GraphExport.mermaid(definition).split(separator: "\n").filter { $0.contains("state \"") }
        let ids = states.compactMap { $0.components(separatedBy: " as ").last }
        #expect(ids.count == 4)
        #expect(Set(ids).count == ids.count, "\(states)")
    }
}
