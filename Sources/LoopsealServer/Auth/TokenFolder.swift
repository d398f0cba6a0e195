import Foundation
import Logging
import LoopsealCrypto
import LoopsealDiagnostics
import LoopsealStore

#if canImport(Glibc)
import Glibc
#endif

/// API tokens kept in the repository: one JSON file per token, `server/tokens/<id>.json`, holding
/// its ``TokenRecord`` (the token's BLAKE2b hash, never the token). One file per token, so two
/// replicas creating tokens at the same time never conflict in git; revoking deletes the file.
///
/// Everything read from a repository may be hostile: a link, FIFO, device, directory, a file
/// over ``maxFileBytes``, bad JSON, a record whose id is not its file name or whose fields are
/// not what ``TokenStore/create(workspaces:role:name:)`` writes, or without a valid MAC under
/// the replicas' key (``TokenRecordMAC``), is refused. With
/// ``TokenStore/BadFiles/refuse`` (the CLI) that is an error naming the file; with
/// ``TokenStore/BadFiles/skip(logging:)`` (the server) the file is skipped with one warning
/// naming it, and never authenticates anything.
///
/// Lookups by id stat the token's own file and re-read it only when it changed, so a file a
/// `git pull` adds or deletes counts on the next request, at the cost of one `lstat` otherwise.
final class TokenFolder: @unchecked Sendable {
    /// The most a token file may hold; a record is a few hundred bytes.
    static let maxFileBytes = 16 << 10

    /// The repository root.
    let root: String
    /// `<root>/server/tokens`.
    let path: String
    private let key: MACKey
    private let policy: TokenStore.BadFiles
    private let lock = NSLock()
    /// What each file held when last read, by file name: its record, or nil for a bad file.
    private var files: [String: (stamp: [Int], record: TokenRecord?)] = [:]

    init(root: String, key: MACKey, policy: TokenStore.BadFiles) {
        self.root = root
        self.key = key
        self.path = TokenStore.sharedFolder(root: root)
        self.policy = policy
    }

    /// The record in `<id>.json`, or nil when there is none (or it is bad and skipped).
    func record(id: String) throws -> TokenRecord? {
        guard Self.isTokenID(id) else { return nil }
        guard try checkFolder() else { return nil }
        return try lock.withLock { try readLocked(name: "\(id).json") }
    }

    /// Every good record, oldest first.
    func list() throws -> [TokenRecord] {
        guard try checkFolder() else { return [] }
        let names = try FileIO.directoryEntries(path).sorted()
        return try lock.withLock {
            var records: [TokenRecord] = []
            for name in names where !Self.isIgnored(name) {
                if let record = try readLocked(name: name) { records.append(record) }
            }
            files = files.filter { names.contains($0.key) }
            return records.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
        }
    }

    /// Writes `record`, with its MAC, to `<id>.json` (mode 0644: it holds a hash, safe to
    /// publish), creating the folder when missing; returns what it wrote.
    func create(_ unsigned: TokenRecord) throws -> TokenRecord {
        var record = unsigned
        record.mac = TokenRecordMAC.mac(of: record, key: key)
        try checkParents()
        try FileIO.makeDirectory(path, mode: 0o755)
        let file = "\(path)/\(record.id).json"
        guard !FileIO.exists(file) else { throw TokenError.unreadable(path: file, problem: "already exists; create the token again") }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try FileIO.writeAtomically(Array(try encoder.encode(record)) + [0x0A], to: file, mode: 0o644)
        return record
    }

    /// Deletes `<id>.json` once its record has been read (a bad file is an error naming it).
    func remove(id: String) throws {
        try FileIO.remove("\(path)/\(id).json")
        lock.withLock { files["\(id).json"] = nil }
    }

    /// True for a token id: 12 lowercase hex digits.
    static func isTokenID(_ id: String) -> Bool {
        id.utf8.count == 12 && id.utf8.allSatisfy(isHexDigit)
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }

    /// Names a listing passes over: the temporary files of an atomic write, and `.gitkeep`.
    private static func isIgnored(_ name: String) -> Bool {
        name == ".gitkeep" || FileIO.isTemporaryName(name)
    }

    /// False when the folder does not exist; throws when it, or `server/`, is not a directory
    /// of its own (a link could point the server at another folder's files).
    private func checkFolder() throws -> Bool {
        try checkParents()
        return try checkDirectory(path)
    }

    private func checkParents() throws {
        _ = try checkDirectory("\(root)/server")
    }

    private func checkDirectory(_ directory: String) throws -> Bool {
        var info = stat()
        guard lstat(directory, &info) == 0 else {
            if errno == ENOENT { return false }
            throw TokenError.unreadable(path: directory, problem: String(cString: strerror(errno)))
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw TokenError.unreadable(path: directory, problem: "is not a directory (a link, or a file): tokens are read only from a real server/tokens/ folder")
        }
        return true
    }

    /// The record in file `name`, from the cache while the file's stamp is unchanged. Call under `lock`.
    private func readLocked(name: String) throws -> TokenRecord? {
        let file = "\(path)/\(name)"
        var info = stat()
        guard lstat(file, &info) == 0 else {
            if errno == ENOENT {
                files[name] = nil
                return nil
            }
            throw TokenError.unreadable(path: file, problem: String(cString: strerror(errno)))
        }
        let stamp = [Int(info.st_ino), Int(info.st_size), Int(info.st_mode), Int(info.st_mtim.tv_sec), Int(info.st_mtim.tv_nsec),
                     Int(info.st_ctim.tv_sec), Int(info.st_ctim.tv_nsec)]
        if let cached = files[name], cached.stamp == stamp { return cached.record }
        do {
            let record = try Self.parse(name: name, file: file, key: key)
            files[name] = (stamp, record)
            return record
        } catch {
            guard case .skip(let logger) = policy else { throw error }
            files[name] = (stamp, nil)
            logger.warning("skipping a bad token file: it authenticates nothing until it is fixed or removed",
                           metadata: ["file": "\(UntrustedText.display(file, limit: 300))", "problem": "\(Self.problem(error))"])
            return nil
        }
    }

    /// The problem of a refused file, without its path (the log line names it).
    private static func problem(_ error: any Error) -> String {
        switch error {
        case TokenError.badFile(_, let problem): problem
        case StoreError.io(_, let problem): problem
        default: "\(error)"
        }
    }

    /// Reads and checks token file `name`.
    private static func parse(name: String, file: String, key: MACKey) throws -> TokenRecord {
        guard name.hasSuffix(".json"), isTokenID(String(name.dropLast(5))) else {
            throw TokenError.badFile(path: UntrustedText.display(file, limit: 300),
                                        problem: "is not a token file: server/tokens/ holds only <id>.json files, the id 12 lowercase hex digits")
        }
        let bytes: [UInt8]
        do {
            guard let read = try FileIO.contentsIfExists(file, limit: maxFileBytes, followSymlinks: false, kind: "token file") else {
                throw TokenError.badFile(path: file, problem: "disappeared while it was read")
            }
            bytes = read
        } catch StoreError.io(_, let problem) {
            // What FileIO says, without its advice to replace a link: a token file is removed.
            throw TokenError.badFile(path: file, problem: String(problem.prefix { $0 != ";" }))
        }
        let record: TokenRecord
        do {
            record = try JSONDecoder().decode(TokenRecord.self, from: Data(bytes))
        } catch {
            throw TokenError.badFile(path: file, problem: "is not a token record (JSON with id, role, workspaces, hash, createdAt)")
        }
        if let problem = invalidField(record, expectedID: String(name.dropLast(5))) {
            throw TokenError.badFile(path: file, problem: problem)
        }
        guard TokenRecordMAC.isValid(record, key: key) else {
            throw TokenError.badFile(path: file, problem: "has no valid mac: it was not written by 'loopseal token create --shared' with this replicas' session key, or was changed since")
        }
        return record
    }

    /// What is wrong with `record`'s fields, or nil when it is what `token create` writes.
    private static func invalidField(_ record: TokenRecord, expectedID: String) -> String? {
        func isLine(_ text: String, max: Int) -> Bool {
            text.unicodeScalars.count <= max && !text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7f }
        }
        if record.id != expectedID { return "holds the record of another token id than its name" }
        if record.hash.utf8.count != 64 || !record.hash.utf8.allSatisfy(isHexDigit) { return "its hash is not 64 lowercase hex digits" }
        if record.workspaces.isEmpty || record.workspaces.count > 1_000 || !record.workspaces.allSatisfy(Names.isValidWorkspaceID) {
            return "its workspaces are not 1 to 1000 workspace ids"
        }
        if let name = record.name, !isLine(name, max: 200) { return "its name is longer than 200 characters or holds control characters" }
        if !isLine(record.createdAt, max: 64) { return "its createdAt is not a date" }
        return nil
    }
}
