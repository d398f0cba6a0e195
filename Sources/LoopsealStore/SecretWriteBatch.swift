import Dispatch
import Foundation
import LoopsealCrypto

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Secret writes applied together (group commit), made under one hold of the workspace lock
/// (``SecretService/batch(removingStaleFiles:configs:_:)``): each call decides against the files
/// as they are plus the calls before it, and throws its own error (409, 404, too large) without
/// touching anything; ``write(reusing:flushingFolder:alongside:)`` then puts every file the
/// calls left changed on disk at once.
///
/// Each call has the semantics of its ``SecretService`` namesake (ids kept, an unchanged value
/// leaves its file alone, files signed when the workspace lists writers). When several calls
/// change one key, only the last state of its file is written: the earlier ones are answered
/// and then replaced, as if the calls had run one after the other.
public final class SecretWriteBatch {
    private let service: SecretService
    private let recipients: [PublicKey]
    private let signatures: WriterSignatures
    private var signingKey: Result<SigningKey?, any Error>?
    /// What each changed key becomes (nil: deleted), and the keys in the order first changed.
    private var pending: [String: SealedSecret?] = [:]
    private var order: [String] = []

    init(service: SecretService, config: WorkspaceConfig, recipients: [PublicKey]) {
        self.service = service
        self.recipients = recipients
        signatures = WriterSignatures(config)
    }

    /// The files ``write(reusing:flushingFolder:alongside:)`` will replace or remove, in the
    /// order their keys were first changed.
    public var paths: [String] {
        get throws { try order.map { try service.workspace.secretPath(for: $0) } }
    }

    /// Creates `key` with `value`; ``StoreError/secretExists(key:workspace:)`` when it exists.
    public func create(key: String, value: SecureBytes) throws -> SecretKeyInfo {
        try Names.checkKey(key)
        guard try find(key: key) == nil else { throw StoreError.secretExists(key: key, workspace: service.workspace.id) }
        return try stage(try service.seal(value, key: key, replacing: nil, to: recipients))
    }

    /// Sets `key` to `value`, creating it when needed and keeping its id if not; a value one of
    /// `identities` finds already there leaves the file as it is (``SecretService/upsert(key:value:identities:)``).
    public func upsert(key: String, value: SecureBytes, identities: [Identity]) throws -> SecretKeyInfo {
        try Names.checkKey(key)
        let existing = try find(key: key)
        let decided = try service.decide(.set(key: key, value: value), existing: existing, identities: identities, overwrite: true,
                                         recipients: recipients, signatures: signatures)
        guard let secret = decided.write?.secret else {
            guard let existing else { throw StoreError.secretNotFound(key: key, workspace: service.workspace.id) }
            return existing.info
        }
        return try stage(secret)
    }

    /// Replaces the value of the secret with `id`; ``StoreError/secretIDNotFound(id:workspace:)`` when there is none.
    public func update(id: String, value: SecureBytes) throws -> SecretKeyInfo {
        guard let secret = try find(id: id) else { throw StoreError.secretIDNotFound(id: id, workspace: service.workspace.id) }
        return try stage(try service.seal(value, key: secret.key, replacing: secret, to: recipients))
    }

    /// Deletes the secret with `id` and returns what it was; ``StoreError/secretIDNotFound(id:workspace:)`` when there is none.
    @discardableResult
    public func delete(id: String) throws -> SecretKeyInfo {
        guard let secret = try find(id: id) else { throw StoreError.secretIDNotFound(id: id, workspace: service.workspace.id) }
        note(secret.key, nil)
        return secret.info
    }

    /// Writes every changed file: the new contents into temporary files beside them, each
    /// fsynced, all at once on their own threads; then each renamed over its file (or the file
    /// removed) in order, and the `secrets/` folder fsynced once. When a temporary file cannot
    /// be written, nothing is renamed and the error names its file. A rename that fails stops
    /// the write with the files before it already replaced: callers that need all or nothing
    /// keep their own copies (the server's rollback). Nothing is durable until this returns.
    ///
    /// `spares` are unused files on the same file system (old versions the caller kept) to
    /// write into instead of creating temporary files; a spare linked anywhere else is skipped.
    /// Returns the spares used (renamed into `secrets/`). With `flushingFolder` false the
    /// folder is not fsynced: the caller does it (``FileIO/flushDirectory(_:)``) before it relies
    /// on the new names, say while it does other work.
    ///
    /// `alongside` runs on this thread while the temporary files are fsynced, once every file
    /// is checked and written (only the flushes are left): what it writes is done at the same
    /// time, before anything is renamed. When it throws, nothing is renamed and its error is
    /// thrown.
    @discardableResult
    public func write(reusing spares: [String] = [], flushingFolder: Bool = true,
                      alongside: () throws -> Void = {}) throws -> Set<String> {
        guard !order.isEmpty else {
            try alongside()
            return []
        }
        let directory = service.workspace.secretsDirectory
        try FileIO.makeDirectory(directory)
        let files: [(path: String, bytes: [UInt8]?)] = try order.map { key in
            (try service.workspace.secretPath(for: key), pending[key]?.map(SealedSecretCodec.encode))
        }
        for file in files { try FileIO.checkReplaceable(file.path) }
        let temporary = try Self.writeTemporaries(files, spares: spares, alongside: alongside)
        var renamed = 0
        defer { for tempPath in temporary.dropFirst(renamed).compactMap({ $0 }) { unlink(tempPath) } }
        for (file, tempPath) in zip(files, temporary) {
            if let tempPath {
                try FileIO.replace(file.path, with: tempPath)
            } else if unlink(file.path) != 0 && errno != ENOENT {
                throw StoreError.io(path: file.path, problem: "cannot remove: \(String(cString: strerror(errno)))")
            }
            renamed += 1
        }
        if flushingFolder { try FileIO.flushDirectory(directory) }
        order = []
        pending = [:]
        return Set(temporary.compactMap { $0 }).intersection(spares)
    }

    // MARK: Private

    /// The secret `key` holds after the calls so far, or nil.
    private func find(key: String) throws -> SealedSecret? {
        if let staged = pending[key] { return staged }
        return try service.find(key: key)
    }

    /// The secret with `id` after the calls so far; two with it are an error, as in ``SecretService/find(id:)``.
    private func find(id: String) throws -> SealedSecret? {
        let wanted = id.lowercased()
        let stored = try service.scanAll().secrets.filter { $0.id == wanted && !pending.keys.contains($0.key) }
        let matches = stored + pending.values.compactMap { $0 }.filter { $0.id == wanted }
        guard matches.count <= 1 else {
            throw StoreError.duplicateID(id: wanted, files: try matches.map { try service.workspace.secretPath(for: $0.key) })
        }
        return matches.first
    }

    /// Signs `secret` when the workspace lists writers and records it as its key's new state.
    private func stage(_ secret: SealedSecret) throws -> SecretKeyInfo {
        if signingKey == nil { signingKey = Result { try signatures.signingKey(from: service.signingKeys) } }
        let signed = try signingKey?.get().map { signatures.sign(secret, with: $0) } ?? secret
        note(secret.key, signed)
        return signed.info
    }

    private func note(_ key: String, _ secret: SealedSecret?) {
        if !pending.keys.contains(key) { order.append(key) }
        pending[key] = .some(secret)
    }

    /// Writes each file with bytes to its temporary file (a spare while any is left): created
    /// and written one after the other on this thread (creating files in one folder at once only
    /// contends for its lock), then fsynced on up to ``flushers``' count of threads at once (an
    /// fsync waits on the disk, not on a core, and a disk commits concurrent flushes together).
    /// `alongside` runs on this thread during the fsyncs. Returns the temporary paths in order
    /// (nil for a removal); on any failure removes those made and throws `alongside`'s error, or
    /// else the first error in file order.
    private static func writeTemporaries(_ files: [(path: String, bytes: [UInt8]?)], spares: [String],
                                         alongside: () throws -> Void) throws -> [String?] {
        var created: [(fd: Int32, path: String)?] = []
        var spares = spares[...]
        func temporary(_ bytes: [UInt8], for path: String) throws -> (fd: Int32, path: String) {
            while let spare = spares.popFirst() {
                if let reused = FileIO.reuseSpare(spare, bytes: bytes, for: path) { return reused }
            }
            return try FileIO.createTemporary(bytes, for: path)
        }
        do {
            for file in files { created.append(try file.bytes.map { try temporary($0, for: file.path) }) }
        } catch {
            for case let temporary? in created {
                close(temporary.fd)
                unlink(temporary.path)
            }
            throw error
        }
        let opened = created
        let slots = TemporarySlots(count: files.count)
        let workers = min(files.count, flushers.count)
        let group = DispatchGroup()
        for worker in 0..<workers {
            flushers[worker].async(group: group) {
                for index in stride(from: worker, to: files.count, by: workers) {
                    guard let temporary = opened[index] else { continue }
                    slots.set(index, Result { try FileIO.flushTemporary(temporary, for: files[index].path) }.map { temporary.path })
                }
            }
        }
        let besides = Result { try alongside() }
        group.wait()
        let results = slots.results
        let failed: (any Error)? = if case .failure(let error) = besides { error } else { nil }
        if let failure = failed ?? results.lazy.compactMap({ result -> (any Error)? in
            if case .failure(let error)? = result { return error }
            return nil
        }).first {
            for case .success(let tempPath)? in results { unlink(tempPath) }
            throw failure
        }
        return results.map { try? $0?.get() }
    }

    /// Lanes for blocking flushes. Serial queues each get a thread of their own when busy;
    /// a concurrent queue or `concurrentPerform` would share the few threads Swift's tasks run
    /// on, and a blocked fsync would hold one of them.
    private static let flushers = (0..<32).map { DispatchQueue(label: "loopseal.store.flush.\($0)") }
}

extension SecretService {
    /// Runs `body` with a ``SecretWriteBatch`` holding the workspace lock (`workspace.yaml` read
    /// once); `body` makes its calls and then ``SecretWriteBatch/write(reusing:flushingFolder:alongside:)``. Changes not written
    /// when `body` returns are dropped. Temporary files a killed writer left are removed first
    /// unless `removingStaleFiles` is false: that lists the whole folder, which a caller writing
    /// many batches does now and then rather than every time (the files are hidden and harmless).
    /// `configs` spares parsing an unchanged `workspace.yaml` again.
    public func batch<T>(removingStaleFiles: Bool = true, configs: WorkspaceConfigCache? = nil,
                         _ body: (SecretWriteBatch) throws -> T) throws -> T {
        try withWriteLock(removingStaleFiles: removingStaleFiles, configs: configs) { config, recipients in
            try body(SecretWriteBatch(service: self, config: config, recipients: recipients))
        }
    }
}

/// The temporary files of one ``SecretWriteBatch/write(reusing:flushingFolder:alongside:)``,
/// filled by its threads under a lock.
private final class TemporarySlots: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Result<String, any Error>?]

    init(count: Int) { stored = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ result: Result<String, any Error>) { lock.withLock { stored[index] = result } }

    var results: [Result<String, any Error>?] { lock.withLock { stored } }
}
