internal import CSodium

/// libsodium initialisation, done once per process before any other call.
enum Sodium {
    /// `sodium_init()` is thread-safe and idempotent; the static makes it run once.
    private static let status: Int32 = sodium_init()

    /// Ensures libsodium is initialised; traps only if libsodium cannot start at all,
    /// which means no randomness source is available and nothing can be done safely.
    static func ensureInitialized() {
        precondition(status >= 0, "libsodium failed to initialise (no randomness source?)")
    }
}
