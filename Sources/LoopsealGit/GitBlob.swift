/// What a repository holds at `commit:path`, read with a size cap.
public enum GitBlob: Sendable, Equatable {
    /// A file's bytes.
    case content([UInt8])
    /// Nothing at that path in that commit.
    case missing
    /// A file larger than the cap: its size in bytes.
    case tooLarge(size: Int)
    /// Something other than a file (a folder, a submodule): git's object type.
    case notAFile(type: String)
}
