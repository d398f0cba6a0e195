/// The fuzz targets: one parser each, run by `loopseal-fuzz` under libFuzzer and by the
/// regression tests over `Fuzz/corpus` and `Fuzz/regressions`.
///
/// Every target accepts any bytes. A parser may only answer with a value or a thrown error;
/// a crash, a sanitizer report or a broken invariant (``FuzzCheck/require(_:_:)``) is a finding.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// `secrets/<KEY>.sealed` files: ``SealedFileFuzz``.
    case sealed
    /// `workspace.yaml` and its sync targets: ``WorkspaceFuzz``.
    case workspace
    /// Handlebars templates: ``TemplateFuzz``.
    case template
    /// Workflow YAML with an optional widget file: ``WorkflowFuzz``.
    case workflow
    /// `${{ }}` expressions and interpolated strings: ``ExpressionFuzz``.
    case expression
    /// The dotenv and shell payload readers: ``DotenvFuzz``.
    case dotenv
    /// The agent channel's envelope and boxed messages: ``AgentFuzz``.
    case agent

    /// Runs the target on one input.
    public func run(_ bytes: [UInt8]) {
        switch self {
        case .sealed: SealedFileFuzz.run(bytes)
        case .workspace: WorkspaceFuzz.run(bytes)
        case .template: TemplateFuzz.run(bytes)
        case .workflow: WorkflowFuzz.run(bytes)
        case .expression: ExpressionFuzz.run(bytes)
        case .dotenv: DotenvFuzz.run(bytes)
        case .agent: AgentFuzz.run(bytes)
        }
    }

    /// Runs the target on the bytes libFuzzer hands over.
    public func run(_ buffer: UnsafeRawBufferPointer) {
        run(Array(buffer))
    }
}

/// Invariant checks that turn a wrong answer into a crash the fuzzer reports.
public enum FuzzCheck {
    /// Stops the process with `message` when `condition` is false.
    public static func require(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { fatalError("fuzz invariant broken: \(message())") }
    }
}
