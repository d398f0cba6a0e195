import Foundation
import Logging
import LoopsealStore
import LoopsealSync
#if canImport(Glibc)
import Glibc
#endif

/// Each workspace's listing (what ``SecretService/keys()`` returns: `{id, key, hasValue}` for
/// every sealed file that parses, each one that does not with its problem; never a value) kept
/// in memory, so a list costs a few system calls instead of reading and parsing every file.
///
/// Kept true by inotify rather than by stat checks. The kernel queues an inotify event inside
/// the system call that makes the change (write, truncate, rename into place, unlink, chmod), so
/// a change by any process (`loopseal set`, `git pull`, this server) that finished before a
/// request arrived is in the queue that request drains first: exact, whatever the clocks.
/// Stat checks compare timestamps the kernel takes from a coarse clock (one tick, 1 to 10 ms):
/// two writes of the same size in one tick leave the same stat, so every entry changed in the
/// last tick or two would have to be re-read at every request; and a file rewritten in place
/// does not touch its folder's mtime, so every file would have to be stat'ed at every request
/// (10,000 stats to list 10,000 keys). Events also name the file, so a change re-reads that
/// file alone. Each request also checks (two `stat`s) that the workspace folder and `secrets/`
/// paths still name the folders watched, so a folder recreated or moved into place is read
/// anew; events on `secrets/` itself or on `workspace.yaml` re-read every file, and a queue
/// overflow (lost events) starts every listing again.
///
/// What inotify does not see is not cached: folders on network or FUSE filesystems (a change
/// made by another machine makes no event; ``WatchedFolder/localFilesystems``), and everything
/// when the kernel refuses an instance or a watch: those workspaces are read in full at every
/// request, as before. Two writes make no event on `secrets/`, and nothing of Loopseal's, git's
/// or an editor's makes them: a write through a shared memory map (seen once the writer closes
/// the file), and a write through a hard link to a sealed file from another folder.
final class ListingCache: @unchecked Sendable {
    private static let mask = UInt32(IN_CREATE | IN_DELETE | IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO
        | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

    private enum Watcher {
        /// Not yet started, or the kernel refused an instance (tried again at the next listing).
        case notStarted
        case running(InotifyWatch)
    }

    /// What a refresh read from: the listing's generation and version, and the event clock.
    private struct Snapshot {
        var generation: UInt64
        var version: UInt64
        var seen: UInt64
        var work: WorkspaceListing.Work
        var entries: [String: SecretKeyInfo]
    }

    private let lock = NSLock()
    private let logger: Logger
    private var watcher = Watcher.notStarted
    private var listings: [String: WorkspaceListing] = [:]
    /// Watch descriptor → the listings watching that folder (one folder can be two workspaces'
    /// through links, and both a workspace's folder and its `secrets/`).
    private var owners: [Int32: [(workspace: String, folder: WorkspaceListing.Folder)]] = [:]
    /// Stamps events and snapshots.
    private var clock: UInt64 = 0
    private var generations: UInt64 = 0
    /// Each refusal (why a listing is read in full) is logged once.
    private var refusalsLogged: Set<String> = []

    /// An empty cache; inotify starts with the first listing.
    init(logger: Logger) {
        self.logger = logger
    }

    /// The listing of `workspace` when the one in memory is known to be current (a few system
    /// calls, no file read); nil when files must be read first: then call ``refresh(_:)`` off
    /// the event loop.
    func current(_ workspace: Workspace) -> SecretListing? {
        lock.withLock {
            guard case .running(let inotify) = watcher else { return nil }
            drain(inotify)
            guard let listing = listings[workspace.id], listing.isCurrent else { return nil }
            guard listing.namesWatchedFolders(workspace) else {
                drop(workspace.id, inotify)
                return nil
            }
            return listing.served
        }
    }

    /// The listing of `service`'s workspace, reading what changed since it was last read (every
    /// file the first time, and every time when it cannot be watched). Blocks on file reads.
    func refresh(_ service: SecretService) throws -> SecretListing {
        let workspace = service.workspace
        guard let snapshot = lock.withLock({ prepare(workspace) }) else { return try SecretListing(service.keys()) }
        var entries = snapshot.entries
        switch snapshot.work {
        case .all:
            entries = Dictionary(try service.keys().map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        case .keys(let keys):
            for key in keys { entries[key] = try service.keyInfo(key: key) }
        case .nothing:
            break
        }
        let served = try SecretListing(entries.values.sorted { $0.key < $1.key })
        lock.withLock {
            guard var listing = listings[workspace.id], listing.generation == snapshot.generation,
                  listing.version == snapshot.version else { return }
            listing.apply(entries, served: served, readAll: snapshot.work == .all, seen: snapshot.seen)
            listings[workspace.id] = listing
        }
        return served
    }

    // MARK: Under the lock

    /// Drains the events, then snapshots `workspace`'s listing, watching its folders first when
    /// it has none; nil when it cannot be watched (then it is read in full).
    private func prepare(_ workspace: Workspace) -> Snapshot? {
        guard let inotify = started() else { return nil }
        drain(inotify)
        if let listing = listings[workspace.id], !listing.namesWatchedFolders(workspace) { drop(workspace.id, inotify) }
        if listings[workspace.id] == nil {
            do {
                try watch(workspace, inotify)
            } catch {
                let message = "\(error)"
                if refusalsLogged.insert(message).inserted {
                    logger.notice("listing read in full at every request", metadata: ["workspace": "\(workspace.id)", "reason": "\(message)"])
                }
                return nil
            }
        }
        guard let listing = listings[workspace.id] else { return nil }
        return Snapshot(generation: listing.generation, version: listing.version, seen: clock, work: listing.work, entries: listing.entries)
    }

    private func started() -> InotifyWatch? {
        if case .running(let inotify) = watcher { return inotify }
        do {
            let inotify = try InotifyWatch()
            watcher = .running(inotify)
            return inotify
        } catch {
            if refusalsLogged.insert("\(error)").inserted {
                logger.warning("listings are read in full at every request until inotify can be had", metadata: ["reason": "\(error)"])
            }
            return nil
        }
    }

    /// Watches the workspace folder, then `secrets/` (a `secrets/` created in between is an
    /// event on the first), and adds a listing with everything to read.
    private func watch(_ workspace: Workspace, _ inotify: InotifyWatch) throws {
        guard let folder = try WatchedFolder.watch(workspace.directory, inotify: inotify, mask: Self.mask) else {
            throw WatchedFolder.Refusal(description: "\(workspace.directory) does not exist")
        }
        let secrets: WatchedFolder?
        do {
            secrets = try WatchedFolder.watch(workspace.secretsDirectory, inotify: inotify, mask: Self.mask)
        } catch {
            if owners[folder.watch] == nil { inotify.remove(folder.watch) }
            throw error
        }
        generations += 1
        let listing = WorkspaceListing(generation: generations, workspaceFolder: folder, secretsFolder: secrets, stamp: clock)
        listings[workspace.id] = listing
        for (watch, kind) in listing.watches { owners[watch, default: []].append((workspace.id, kind)) }
    }

    /// Forgets `id`'s listing and stops the watches no other listing uses.
    private func drop(_ id: String, _ inotify: InotifyWatch) {
        guard let listing = listings.removeValue(forKey: id) else { return }
        for (watch, _) in listing.watches {
            guard var users = owners[watch] else { continue }
            users.removeAll { $0.workspace == id }
            if users.isEmpty {
                owners[watch] = nil
                inotify.remove(watch)
            } else {
                owners[watch] = users
            }
        }
    }

    /// Reads every queued event and marks what it changed.
    private func drain(_ inotify: InotifyWatch) {
        for event in inotify.read() {
            clock += 1
            if event.mask & UInt32(IN_Q_OVERFLOW) != 0 {
                // Lost events may have been a watch's end: every folder is watched and read anew.
                for id in Array(listings.keys) { drop(id, inotify) }
                continue
            }
            guard let users = owners[event.watch] else { continue }
            if event.mask & UInt32(IN_IGNORED) != 0 {
                owners[event.watch] = nil
                for user in users { drop(user.workspace, inotify) }
                continue
            }
            for user in users { note(event, in: user.folder, of: user.workspace, inotify) }
        }
    }

    private func note(_ event: InotifyWatch.Event, in folder: WorkspaceListing.Folder, of id: String, _ inotify: InotifyWatch) {
        switch folder {
        case .secrets:
            if event.name.isEmpty {
                listings[id]?.staleSince = clock
            } else if let key = SealedSecret.key(ofFile: event.name) {
                listings[id]?.dirty[key] = clock
            }
        case .workspace:
            if event.name == "secrets" {
                drop(id, inotify)
            } else if event.name.isEmpty || event.name == "workspace.yaml" {
                listings[id]?.staleSince = clock
            }
        }
    }
}
