import LoopsealStore

/// One workspace's listing in memory and what keeps it true: the watches on its folder and on
/// `secrets/`, and what changed since the files were last read. Changes are stamped with the
/// ``ListingCache``'s event clock, so a refresh clears only what it read after.
struct WorkspaceListing {
    /// Which folder a watch is on.
    enum Folder: Equatable {
        case workspace
        case secrets
    }

    /// What a refresh reads.
    enum Work: Equatable {
        /// Every file, as ``SecretService/keys()``.
        case all
        /// These files only.
        case keys([String])
        /// No file: the entries only need ordering and encoding.
        case nothing
    }

    /// Tells this listing apart from an earlier one of the same workspace (dropped and rebuilt).
    var generation: UInt64
    var workspaceFolder: WatchedFolder
    /// Nil while the workspace has no `secrets/` folder.
    var secretsFolder: WatchedFolder?
    /// Every sealed file's entry by key, as last read.
    var entries: [String: SecretKeyInfo] = [:]
    /// `entries` as served (ordered by key, encoded); nil until made for the current entries.
    var served: SecretListing?
    /// Every file must be re-read (a new listing, lost events, a change to `secrets/` itself or
    /// to `workspace.yaml`): the stamp of the latest such event.
    var staleSince: UInt64?
    /// Files changed since they were read: key → stamp of the latest event.
    var dirty: [String: UInt64] = [:]
    /// Counts the refreshes applied; one that started from an older version is not applied.
    var version: UInt64 = 0

    /// A listing of a folder just watched: everything to read.
    init(generation: UInt64, workspaceFolder: WatchedFolder, secretsFolder: WatchedFolder?, stamp: UInt64) {
        self.generation = generation
        self.workspaceFolder = workspaceFolder
        self.secretsFolder = secretsFolder
        staleSince = stamp
    }

    /// Nothing changed since the files were read, and the listing as served is ready.
    var isCurrent: Bool { staleSince == nil && dirty.isEmpty && served != nil }

    /// The watches and the folders they are on.
    var watches: [(watch: Int32, folder: Folder)] {
        [(workspaceFolder.watch, .workspace)] + (secretsFolder.map { [($0.watch, .secrets)] } ?? [])
    }

    /// True while the workspace folder and `secrets/` paths still name the folders watched.
    func namesWatchedFolders(_ workspace: Workspace) -> Bool {
        DirectoryIdentity.lookup(workspace.directory) == .folder(workspaceFolder.identity)
            && DirectoryIdentity.lookup(workspace.secretsDirectory) == (secretsFolder.map { .folder($0.identity) } ?? .absent)
    }

    /// What a refresh has to read: everything, some files, or nothing (only the ordering).
    var work: Work {
        if staleSince != nil || dirty.count > max(16, entries.count / 4) { return .all }
        return dirty.isEmpty ? .nothing : .keys(dirty.keys.sorted())
    }

    /// Takes what a refresh read (every file after the stamp `seen`): entries, and the listing
    /// as served when no change came in meanwhile.
    mutating func apply(_ read: [String: SecretKeyInfo], served: SecretListing, readAll: Bool, seen: UInt64) {
        entries = read
        version += 1
        if readAll, let stale = staleSince, stale <= seen { staleSince = nil }
        dirty = dirty.filter { $0.value > seen }
        self.served = staleSince == nil && dirty.isEmpty ? served : nil
    }
}
