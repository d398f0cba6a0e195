import LoopsealTemplates
import LoopsealValue

/// How large a run may grow. A run file is read and rewritten whole on every transition under
/// the run's lock, so an unbounded one (a self-transition fired again and again with a large
/// payload) slows every step and the writes of its workspace. Sizes are bytes of JSON text.
public enum RunLimits {
    /// A transition's payload (`runtime.transition.payload`): 16 KiB.
    public static let maxPayloadBytes = 16 * 1024
    /// A run's input (`args`): 64 KiB.
    public static let maxInputBytes = 64 * 1024
    /// Transitions a run may take (its history entries), automatic ones included.
    public static let maxHistory = 1000
    /// One document a transition makes: 256 KiB.
    public static let maxDocumentBytes = 256 * 1024
    /// How deep child runs nest: a child of a child of … at most this many levels below a top-level run.
    public static let maxChildDepth = 4
    /// Child runs one run may start over its life.
    public static let maxChildren = 32
    /// The whole run file: 2 MiB.
    public static let maxRunBytes = 2 * 1024 * 1024

    /// The size of `value` as compact JSON.
    static func size(of value: TemplateValue) -> Int {
        value.jsonText().utf8.count
    }
}
