/// The places and transitions of a workflow: `start` is where runs begin, `end` where they finish.
public struct TransitionGraph: Sendable {
    /// Every place, in order of first mention, with that mention's position.
    public let places: [(name: String, mark: Mark)]
    /// Transitions leaving each place, in file order.
    public let outgoing: [String: [TransitionDefinition]]
    /// The initial place.
    public static let start = "start"
    /// The final place.
    public static let end = "end"

    /// Builds the graph of `definition`.
    public init(_ definition: WorkflowDefinition) {
        var places: [(String, Mark)] = []
        var seen: Set<String> = []
        func add(_ place: String, _ mark: Mark) {
            if seen.insert(place).inserted { places.append((place, mark)) }
        }
        var outgoing: [String: [TransitionDefinition]] = [:]
        for transition in definition.transitions {
            for (place, mark) in transition.from {
                add(place, mark)
                outgoing[place, default: []].append(transition)
            }
            add(transition.to, transition.toMark)
            if let (place, mark) = transition.onError { add(place, mark) }
        }
        self.places = places.map { (name: $0.0, mark: $0.1) }
        self.outgoing = outgoing
    }

    /// Places each place leads to (through `to` and `onError`).
    func successors(of place: String) -> [String] {
        (outgoing[place] ?? []).flatMap { [$0.to] + ($0.onError.map { [$0.0] } ?? []) }
    }

    /// Places reachable from `origin`, including it.
    func reachable(from origin: String) -> Set<String> {
        var seen: Set<String> = [origin]
        var stack = [origin]
        while let place = stack.popLast() {
            for next in successors(of: place) where seen.insert(next).inserted { stack.append(next) }
        }
        return seen
    }

    /// Places from which `target` can be reached, including it.
    func canReach(_ target: String) -> Set<String> {
        var predecessors: [String: [String]] = [:]
        for place in places.map(\.name) {
            for next in successors(of: place) { predecessors[next, default: []].append(place) }
        }
        var seen: Set<String> = [target]
        var stack = [target]
        while let place = stack.popLast() {
            for previous in predecessors[place] ?? [] where seen.insert(previous).inserted { stack.append(previous) }
        }
        return seen
    }
}
