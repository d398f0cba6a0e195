import Foundation
internal import CLoopsealSystem

#if canImport(Glibc)
import Glibc
#endif

/// A file only this user can read, for plaintext a person edits (`loopseal edit`, `resolve
/// --edit`): mode 0600 in a fresh folder of mode 0700 on `/dev/shm` when that is a writable
/// folder (memory, never a disk), else in `$TMPDIR`, else `/tmp`.
///
/// ``wipe()`` overwrites every file in the folder with zeros and deletes the folder, so an
/// editor's swap, backup and temporary files go too. Until then SIGINT, SIGTERM, SIGHUP and
/// SIGQUIT do the same before ending the process with that signal (an async-signal-safe
/// handler in CLoopsealSystem). Only one exists at a time in a process.
public final class PrivateFile {
    /// The file.
    public let path: String
    /// The private folder holding it.
    public let folder: String
    private var wiped = false

    /// Creates `name` in a new private folder under ``baseFolder(environment:)``, holding `contents`.
    public init(name: String, contents: UnsafeRawBufferPointer,
                environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard !name.isEmpty, !name.contains("/"), name != ".", name != ".." else {
            throw PrivateFileError(path: name, reason: "not a plain file name")
        }
        let base = Self.baseFolder(environment: environment)
        var template = Array((base + "/loopseal-edit-XXXXXX").utf8CString)
        let created = template.withUnsafeMutableBufferPointer { buffer -> String? in
            guard let start = buffer.baseAddress, mkdtemp(start) != nil else { return nil }
            return String(cString: start)
        }
        guard let created else { throw PrivateFileError(path: base, reason: "cannot make a private folder: \(Self.systemError())") }
        folder = created
        path = folder + "/" + name
        guard loopseal_private_folder_arm(folder) == 0 else {
            let reason = errno == EBUSY ? "another private file is open in this process" : Self.systemError()
            rmdir(folder)
            wiped = true
            throw PrivateFileError(path: folder, reason: reason)
        }
        do {
            try write(contents)
        } catch {
            wipe()
            throw error
        }
    }

    deinit { wipe() }

    /// `/dev/shm` when it is a folder this user can write to, else `$TMPDIR` (when set to a
    /// folder), else `/tmp`.
    public static func baseFolder(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if isWritableFolder("/dev/shm") { return "/dev/shm" }
        if let temporary = environment["TMPDIR"], !temporary.isEmpty, isWritableFolder(temporary) {
            return temporary.count > 1 && temporary.hasSuffix("/") ? String(temporary.dropLast()) : temporary
        }
        return "/tmp"
    }

    private static func isWritableFolder(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR && access(path, W_OK | X_OK) == 0
    }

    /// Creates the file (it must not exist) with mode 0600 and writes `contents`.
    private func write(_ contents: UnsafeRawBufferPointer) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw PrivateFileError(path: path, reason: Self.systemError()) }
        defer { close(fd) }
        fchmod(fd, 0o600)
        var offset = 0
        while offset < contents.count {
            let written = Glibc.write(fd, contents.baseAddress.map { $0 + offset }, contents.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw PrivateFileError(path: path, reason: Self.systemError())
            }
            offset += written
        }
    }

    /// Reads the file as it is now (the editor may have replaced it; a link is refused) and
    /// hands its bytes to `body`; the buffer is overwritten with zeros afterwards. A file over
    /// `limit` bytes is an error.
    public func read<T>(limit: Int, _ body: (UnsafeRawBufferPointer) throws -> T) throws -> T {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else {
            throw PrivateFileError(path: path, reason: errno == ENOENT ? "the editor removed the file" : Self.systemError())
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw PrivateFileError(path: path, reason: "is not a regular file any more")
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: limit + 1, alignment: 1)
        defer {
            if let base = buffer.baseAddress { memset(base, 0, buffer.count) }
            buffer.deallocate()
        }
        var count = 0
        while count <= limit {
            let got = Glibc.read(fd, buffer.baseAddress.map { $0 + count }, buffer.count - count)
            if got < 0 {
                if errno == EINTR { continue }
                throw PrivateFileError(path: path, reason: Self.systemError())
            }
            if got == 0 { break }
            count += got
        }
        guard count <= limit else { throw PrivateFileError(path: path, reason: "is larger than \(limit) bytes") }
        return try body(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
    }

    /// Overwrites every file in the folder with zeros, deletes them and the folder, and stops
    /// guarding it. Safe to call more than once.
    public func wipe() {
        guard !wiped else { return }
        wiped = true
        loopseal_wipe_folder(folder)
        loopseal_private_folder_disarm()
    }

    private static func systemError() -> String { String(cString: strerror(errno)) }
}

/// A private file could not be made, read or written.
public struct PrivateFileError: Error, CustomStringConvertible {
    /// The file or folder.
    public var path: String
    /// What the system said.
    public var reason: String

    public var description: String { "\(path): \(reason)" }
}
