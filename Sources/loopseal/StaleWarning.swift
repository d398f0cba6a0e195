import LoopsealKit
import LoopsealStore

/// The one warning a read (`get`, `export`, `exec`, `sync`) prints on stderr when files it read
/// are sealed to other recipients than `workspace.yaml` lists: which, and who can rekey them.
enum StaleWarning {
    /// Prints the warning for what a read saw, or nothing when every file is up to date.
    static func print(_ sealing: SealedRecipients) {
        if let warning = StaleRecipients(sealing).warning { Terminal.warn("loopseal: warning: \(warning)") }
    }
}
