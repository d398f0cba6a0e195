import LoopsealTemplates
import LoopsealValue

/// How a parent's page shows a child run: its form inline (the default), or only a link.
public enum ChildDisplay: String, Sendable, CaseIterable {
    case inline
    case link
}

/// A child run's way back to the run that started it.
public struct ParentLink: Sendable, Equatable {
    /// The parent run's id.
    public var run: String
    /// The parent's transition that started the child.
    public var transition: String
    /// How deep the child is: 1 for a child of a top-level run.
    public var depth: Int

    /// A link to `run`'s transition `transition`, `depth` levels below the top.
    public init(run: String, transition: String, depth: Int) {
        self.run = run
        self.transition = transition
        self.depth = depth
    }

    var asValue: TemplateValue {
        .dictionary([("run", .string(run)), ("transition", .string(transition)), ("depth", .number(Double(depth)))])
    }

    init?(value: TemplateValue?) {
        guard case .string(let run)? = value?.property("run"), case .string(let transition)? = value?.property("transition"),
              case .number(let depth)? = value?.property("depth"), depth >= 1, depth <= Double(RunLimits.maxChildDepth) else { return nil }
        self.init(run: run, transition: transition, depth: Int(depth))
    }
}

/// A child run a parent started (kept after the child finishes).
public struct ChildLink: Sendable, Equatable {
    /// The child run's id.
    public var run: String
    /// The child's workflow name.
    public var workflow: String
    /// The parent's transition that started it.
    public var transition: String
    /// How the parent's page shows it.
    public var show: ChildDisplay

    /// A link to child `run` of `workflow`, started by `transition`.
    public init(run: String, workflow: String, transition: String, show: ChildDisplay) {
        self.run = run
        self.workflow = workflow
        self.transition = transition
        self.show = show
    }

    var asValue: TemplateValue {
        .dictionary([("run", .string(run)), ("workflow", .string(workflow)), ("transition", .string(transition)),
                     ("show", .string(show.rawValue))])
    }

    init?(value: TemplateValue) {
        guard case .string(let run)? = value.property("run"), case .string(let workflow)? = value.property("workflow"),
              case .string(let transition)? = value.property("transition") else { return nil }
        let show = value.property("show").flatMap { if case .string(let s) = $0 { return ChildDisplay(rawValue: s) }; return nil }
        self.init(run: run, workflow: workflow, transition: transition, show: show ?? .inline)
    }
}

/// The transition a pending run is in the middle of: it started child `child` and completes
/// (its assignments, history entry and move to `to`) when the child finishes.
public struct PendingTransition: Sendable {
    /// The child run it waits on.
    public var child: String
    /// The transition's id.
    public var transition: String
    /// Whether a person fired it.
    public var manual: Bool
    /// The payload it was fired with.
    public var payload: TemplateValue?

    var asValue: TemplateValue {
        var pairs: [(String, TemplateValue)] = [("child", .string(child)), ("transition", .string(transition)), ("manual", .bool(manual))]
        if let payload { pairs.append(("payload", payload)) }
        return .dictionary(pairs)
    }

    init(child: String, transition: String, manual: Bool, payload: TemplateValue?) {
        self.child = child
        self.transition = transition
        self.manual = manual
        self.payload = payload
    }

    init?(value: TemplateValue?) {
        guard case .string(let child)? = value?.property("child"), case .string(let transition)? = value?.property("transition") else { return nil }
        self.init(child: child, transition: transition, manual: value?.property("manual")?.isTruthy ?? false, payload: value?.property("payload"))
    }
}
