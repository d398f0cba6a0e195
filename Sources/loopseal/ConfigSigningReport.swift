import LoopsealStore

/// The line a command that saved `workspace.yaml` prints on stderr about its signature: who
/// signed it, or that it is left unsigned, why, and how to sign it.
enum ConfigSigningReport {
    /// Prints the line for `signing`; nothing when no writers are listed or a signature was kept.
    static func show(_ signing: ConfigSigning) {
        if let line = text(signing) { Terminal.warn(line) }
    }

    static func text(_ signing: ConfigSigning) -> String? {
        switch signing {
        case .notRequired, .kept:
            return nil
        case .signed(let writer, let source):
            return "signed workspace.yaml as writer \(writer.name) (\(writer.publicKey), key from \(source))"
        case .unsigned(let reason):
            let why: String
            switch reason {
            case .noSigningKey(let searched):
                why = "no signing key found" + (searched.isEmpty ? "" : " (looked in: \(searched.joined(separator: ", ")))")
            case .notAWriter(let source, let publicKey):
                why = "the signing key from \(source) (\(publicKey)) is not a writer it lists"
            case .unchanged:
                why = "it is not signed by a writer it lists"
            }
            return "loopseal: warning: workspace.yaml is left unsigned: \(why); hosts that pin writers (--trust) refuse it until a writer checks it and runs 'loopseal writers sign' (with --signing-key FILE or $LOOPSEAL_SIGNING_KEY)"
        }
    }
}
