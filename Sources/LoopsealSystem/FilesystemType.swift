internal import CLoopsealSystem

/// The filesystem an open file lives on, by its `statfs` magic number (`EXT4_SUPER_MAGIC`,
/// `NFS_SUPER_MAGIC`, …): what tells a local disk from a network or FUSE mount.
public enum FilesystemType {
    /// The magic number of the filesystem holding `descriptor`, or nil when it cannot be told
    /// (not Linux, or `fstatfs` failed: `errno` says why).
    public static func magic(of descriptor: Int32) -> UInt32? {
        var type: UInt = 0
        guard loopseal_filesystem_type(descriptor, &type) == 0 else { return nil }
        return UInt32(truncatingIfNeeded: type)
    }
}
