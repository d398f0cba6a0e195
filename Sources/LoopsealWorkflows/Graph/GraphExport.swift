/// Draws a workflow as Mermaid or Graphviz DOT: places are nodes, transitions are edges
/// labelled with their id; manual transitions are dashed, `onError` edges dotted.
public enum GraphExport {
    /// A Mermaid `stateDiagram-v2`.
    public static func mermaid(_ definition: WorkflowDefinition) -> String {
        var out = "stateDiagram-v2\n"
        let places = TransitionGraph(definition).places.map(\.name)
        // Ids by position: names like `needs-review` and `needs_review` must stay two states.
        let ids = Dictionary(places.enumerated().map { ($0.element, "p\($0.offset)") }, uniquingKeysWith: { first, _ in first })
        func node(_ place: String) -> String { ids[place] ?? "p_unknown" }
        for place in places {
            out += "    state \"\(place.replacingOccurrences(of: "\"", with: "'"))\" as \(node(place))\n"
        }
        out += "    [*] --> \(node("start"))\n"
        for transition in definition.transitions {
            let label = transition.trigger == .manual ? "\(transition.id) (wait)" : transition.id
            for (from, _) in transition.from {
                out += "    \(node(from)) --> \(node(transition.to)): \(label)\(transition.guardText == nil ? "" : " [if]")\n"
            }
            if let (place, _) = transition.onError {
                for (from, _) in transition.from { out += "    \(node(from)) --> \(node(place)): \(transition.id) failed\n" }
            }
        }
        out += "    \(node("end")) --> [*]\n"
        return out
    }

    /// A Graphviz `digraph`.
    public static func dot(_ definition: WorkflowDefinition) -> String {
        var out = "digraph \(quoted(definition.name)) {\n    rankdir=LR;\n    node [shape=box, style=rounded];\n"
        out += "    \"start\" [shape=circle];\n    \"end\" [shape=doublecircle];\n"
        for transition in definition.transitions {
            let style = transition.trigger == .manual ? ", style=dashed" : ""
            let label = transition.id + (transition.guardText == nil ? "" : " [if]")
            for (from, _) in transition.from {
                out += "    \(quoted(from)) -> \(quoted(transition.to)) [label=\(quoted(label))\(style)];\n"
            }
            if let (place, _) = transition.onError {
                for (from, _) in transition.from {
                    out += "    \(quoted(from)) -> \(quoted(place)) [label=\(quoted(transition.id + " failed")), style=dotted];\n"
                }
            }
        }
        return out + "}\n"
    }

    private static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
