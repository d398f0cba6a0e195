/// What resolving a conflict wrote (names only).
public struct ConflictResolved: Sendable, Equatable {
    /// The file written.
    public var file: String
    /// Why the side kept is still sealed to other recipients than `workspace.yaml` lists (no
    /// identity of yours opens it, no signing key of a listed writer), or nil when it is sealed
    /// to exactly them: `loopseal rekey` by someone who can finishes it.
    public var notResealed: String?
}
