import Foundation
import LoopsealStore

#if canImport(Glibc)
import Glibc
#endif

/// The files one server change may touch, kept so that the change can be undone when its audit
/// line or its git commit fails: a change and its record succeed together or not at all.
///
/// A file that exists is kept as a hard link in the workspace's `.loopseal/undo/` (no bytes
/// copied; a copy where a link is not possible); a file that does not exist is remembered as
/// absent. ``restore(_:)`` puts each file back under the workspace lock, but only where it is
/// still what this change left: a write another process made since is never overwritten, it is
/// reported instead. Backups of a crashed server are removed by the next change after ten minutes.
///
/// After a change that succeeded, ``recycle(keeping:)`` keeps the old versions as spares
/// (`.loopseal/undo/spare-*`, at most ``spareLimit``) and tops them up with empty files, off the
/// writer's thread; the next batch of writes fills spares (``spares(_:)``) instead of
/// allocating inodes while it holds the lock. Unused spares go after ten minutes.
final class FileRollback {
    /// The most spare files kept per workspace.
    static let spareLimit = 512

    private struct Entry {
        let path: String
        /// The kept copy; nil when the file did not exist.
        let backup: String?
        /// The file as the change left it, once ``noteChanged()`` ran.
        var changed: FileState?
    }

    /// The workspace's `.loopseal/undo/`, where backups and spares are kept.
    let directory: String
    private var entries: [Entry] = []

    /// A rollback keeping its backups in `workspace`'s `.loopseal/undo/`, which it first rids of
    /// what is older than ten minutes unless `removingStale` is false (a caller making many
    /// changes does that now and then).
    init(workspace: Workspace, removingStale: Bool = true) throws {
        directory = "\(workspace.stateDirectory)/undo"
        if !FileIO.isDirectory(directory) { try FileIO.makeDirectory(directory, mode: 0o700) }
        if removingStale { removeStaleBackups() }
    }

    deinit { discard() }

    /// Keeps `path` as it is now (call before the change).
    func remember(_ path: String) throws {
        guard !entries.contains(where: { $0.path == path }) else { return }
        guard FileState(path) != .absent else {
            entries.append(Entry(path: path, backup: nil, changed: nil))
            return
        }
        let backup = "\(directory)/\(UUID().uuidString.lowercased())"
        if link(path, backup) != 0 {
            // Another file system or no links: keep a copy instead.
            guard let bytes = try FileIO.contentsIfExists(path) else {
                entries.append(Entry(path: path, backup: nil, changed: nil))
                return
            }
            var info = stat()
            let mode = lstat(path, &info) == 0 ? info.st_mode & 0o7777 : 0o644
            try FileIO.writeAtomically(bytes, to: backup, mode: mode)
        }
        entries.append(Entry(path: path, backup: backup, changed: nil))
    }

    /// Records that `path` did not exist before the change (known from an earlier listing).
    func rememberAbsent(_ path: String) {
        guard !entries.contains(where: { $0.path == path }) else { return }
        entries.append(Entry(path: path, backup: nil, changed: nil))
    }

    /// Notes each file as the change left it (call right after the change, before anything can fail).
    func noteChanged() {
        for index in entries.indices { entries[index].changed = FileState(entries[index].path) }
    }

    /// Puts every file back as it was, holding `workspace`'s lock. Returns the files it could
    /// not put back, each with why (empty when the disk is as it was before the change).
    func restore(_ workspace: Workspace) -> [String] {
        // Nothing to put back (the change failed before touching a file): no need to wait for the lock.
        guard entries.contains(where: { entry in !FileState(entry.path).sameFile(as: entry.backup.map { FileState($0) } ?? .absent) }) else {
            discard()
            return []
        }
        var problems: [String] = []
        var kept: Set<String> = []
        do {
            try workspace.withLock {
                for entry in entries.reversed() {
                    guard let problem = restore(entry) else { continue }
                    problems.append(problem.message)
                    if problem.keptBackup, let backup = entry.backup { kept.insert(backup) }
                }
            }
        } catch {
            return entries.map { "\($0.path) (the workspace lock could not be taken: \(error))" }
        }
        entries.removeAll { $0.backup.map(kept.contains) == true }
        discard()
        return problems
    }

    /// Up to `count` spare files to write new files into (call holding the workspace lock, so
    /// no other writer takes the same ones).
    func spares(_ count: Int) -> [String] {
        guard count > 0 else { return [] }
        let names = ((try? FileIO.directoryEntries(directory)) ?? []).filter { $0.hasPrefix(Self.sparePrefix) }
        return names.prefix(count).map { "\(directory)/\($0)" }
    }

    /// After a change that succeeded: hands the backups over to a background thread, which
    /// keeps each that is the only link to an old version as a spare and removes the others,
    /// then creates empty spares until there are `target` (never more than ``spareLimit``).
    /// Allocating files can cost more than writing them (see ``FileIO``'s spares), and here it
    /// costs no request any time.
    func recycle(keeping target: Int) {
        let backups = entries.compactMap(\.backup)
        entries = []
        let directory = directory
        Self.recycler.async { Self.recycle(backups, in: directory, keeping: min(target, Self.spareLimit)) }
    }

    private static func recycle(_ backups: [String], in directory: String, keeping target: Int) {
        var count = ((try? FileIO.directoryEntries(directory)) ?? []).filter { $0.hasPrefix(sparePrefix) }.count
        for backup in backups {
            var info = stat()
            if count < spareLimit, lstat(backup, &info) == 0, info.st_nlink == 1,
               rename(backup, "\(directory)/\(sparePrefix)\(UUID().uuidString.lowercased())") == 0 {
                count += 1
            } else {
                unlink(backup)
            }
        }
        while count < target {
            let fd = open("\(directory)/\(sparePrefix)\(UUID().uuidString.lowercased())", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard fd >= 0 else { return }
            close(fd)
            count += 1
        }
    }

    /// The thread that recycles backups and creates spares for every workspace.
    private static let recycler = DispatchQueue(label: "loopseal.server.recycle")

    private static let sparePrefix = "spare-"

    /// Removes the backups (after a change that succeeded, or once restored).
    func discard() {
        for entry in entries { if let backup = entry.backup { unlink(backup) } }
        entries = []
    }

    private func restore(_ entry: Entry) -> (message: String, keptBackup: Bool)? {
        let now = FileState(entry.path)
        let before = entry.backup.map { FileState($0) } ?? .absent
        if now.sameFile(as: before) { return nil }
        guard let changed = entry.changed, now == changed else {
            return ("\(entry.path) (changed by another writer meanwhile; left as that writer made it)", false)
        }
        if let backup = entry.backup {
            guard rename(backup, entry.path) == 0 else {
                return ("\(entry.path) (\(String(cString: strerror(errno))); its earlier content is kept in \(backup))", true)
            }
        } else if unlink(entry.path) != 0 && errno != ENOENT {
            return ("\(entry.path) (\(String(cString: strerror(errno))))", false)
        }
        syncDirectory(FileIO.parentDirectory(entry.path))
        return nil
    }

    private func removeStaleBackups() {
        let cutoff = time(nil) - 600
        for name in (try? FileIO.directoryEntries(directory)) ?? [] {
            var info = stat()
            if lstat("\(directory)/\(name)", &info) == 0 && info.st_ctim.tv_sec < cutoff { unlink("\(directory)/\(name)") }
        }
    }

    private func syncDirectory(_ path: String) {
        let fd = open(path.isEmpty ? "." : path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}

/// What is at a path, enough to tell one file from the next written in its place.
private enum FileState: Equatable {
    case absent
    case file(device: UInt64, inode: UInt64, size: Int64, modified: Int, changed: Int)

    init(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { self = .absent; return }
        self = .file(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
                     modified: info.st_mtim.tv_sec * 1_000_000_000 + info.st_mtim.tv_nsec,
                     changed: info.st_ctim.tv_sec * 1_000_000_000 + info.st_ctim.tv_nsec)
    }

    /// Same inode (or both absent): a kept link still names the file it kept.
    func sameFile(as other: FileState) -> Bool {
        switch (self, other) {
        case (.absent, .absent): return true
        case let (.file(device, inode, _, _, _), .file(otherDevice, otherInode, _, _, _)):
            return device == otherDevice && inode == otherInode
        default: return false
        }
    }
}
