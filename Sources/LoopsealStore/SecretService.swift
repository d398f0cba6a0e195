import Foundation
import Logging
import LoopsealCrypto

/// Decrypted values in key order, and the keys that have no value yet.
public struct RevealedSecrets: Sendable {
    /// `(key, value)` for every secret opened.
    public var values: [(key: String, value: SecureBytes)]
    /// Requested secrets without a value (skipped).
    public var missing: [String]
    /// Who the files read are sealed to, beside `workspace.yaml`'s recipients.
    public var sealing: SealedRecipients

    /// Wraps already opened values.
    public init(values: [(key: String, value: SecureBytes)], missing: [String], sealing: SealedRecipients = SealedRecipients()) {
        self.values = values
        self.missing = missing
        self.sealing = sealing
    }
}

/// Create, read, update and delete the secrets of one workspace (DESIGN.md §3).
///
/// Writing needs only the recipients' public keys; reading values needs an identity.
/// Every write is atomic and runs under the workspace lock; listings never decrypt.
/// When `workspace.yaml` lists `writers:`, every write is signed with the key `signingKeys`
/// finds, and every read of values refuses files without a valid writer signature.
public struct SecretService: Sendable {
    /// The workspace served.
    public let workspace: Workspace
    /// Where the signing key comes from when the workspace lists writers.
    public let signingKeys: SigningKeyLoader
    /// Today's date, recorded as `rotated` when a value with metadata changes.
    public let today: @Sendable () throws -> CalendarDate
    private let logger: Logger

    /// Creates a service for `workspace`.
    public init(workspace: Workspace, signingKeys: SigningKeyLoader = SigningKeyLoader(),
                logger: Logger = Logger(label: "loopseal.store")) {
        self.init(workspace: workspace, signingKeys: signingKeys, logger: logger, today: CalendarDate.today)
    }

    /// Creates a service for `workspace` whose clock is `today` (tests).
    public init(workspace: Workspace, signingKeys: SigningKeyLoader = SigningKeyLoader(),
                logger: Logger = Logger(label: "loopseal.store"), today: @escaping @Sendable () throws -> CalendarDate) {
        self.workspace = workspace
        self.signingKeys = signingKeys
        self.logger = logger
        self.today = today
    }

    var sealer: SecretSealer { SecretSealer(workspaceID: workspace.id) }

    // MARK: Reading

    /// Keys present in `secrets/`, sorted, from file names alone.
    public func keyNames() throws -> [String] {
        try FileIO.directoryEntries(workspace.secretsDirectory).compactMap { name -> String? in
            guard name.hasSuffix(".sealed"), !name.hasPrefix(".") else { return nil }
            let key = String(name.dropLast(7))
            return Names.isValidKey(key) ? key : nil
        }.sorted()
    }

    /// Every sealed secret, ordered by key; the first file that does not parse is an error.
    public func findAllByWorkspace() throws -> [SealedSecret] {
        let scan = try scanAll()
        if let problem = scan.problems.first { throw problem.error }
        return scan.secrets
    }

    /// Reads every sealed file on its own, on all cores: one bad file does not hide the others.
    public func scanAll() throws -> SecretScan {
        let results: [Result<SealedSecret, SecretScan.Problem>] = try withSecretsDirectory { directory, keys in
            try parallelMap(keys) { key in
                let path = try workspace.secretPath(for: key)
                do {
                    return .success(try readSecret(key: key, path: path, directory: directory))
                } catch {
                    return .failure(SecretScan.Problem(key: key, file: path, error: error))
                }
            }
        }
        var scan = SecretScan(secrets: [], problems: [])
        for result in results {
            switch result {
            case .success(let secret): scan.secrets.append(secret)
            case .failure(let problem): scan.problems.append(problem)
            }
        }
        return scan
    }

    /// Reads `secrets/<key>.sealed` (a regular file, never through a link) and decodes it.
    private func readSecret(key: String, path: String, directory: Int32 = AT_FDCWD) throws -> SealedSecret {
        let name = directory == AT_FDCWD ? path : "\(key).sealed"
        guard let bytes = try FileIO.contentsIfExists(name, relativeTo: directory, displayPath: path,
                                                      limit: FileLimits.sealedFile, followSymlinks: false,
                                                      kind: "sealed file") else {
            throw StoreError.secretNotFound(key: key, workspace: workspace.id)
        }
        return try decode(bytes, key: key, path: path)
    }

    /// Lists the keys and hands them over with an open descriptor of `secrets/`.
    private func withSecretsDirectory<T>(_ body: (Int32, [String]) throws -> T) throws -> T {
        let keys = try keyNames()
        guard !keys.isEmpty else { return try body(-1, []) }
        let directory = try FileIO.openDirectory(workspace.secretsDirectory)
        defer { close(directory) }
        return try body(directory, keys)
    }

    /// `{id, key, hasValue}` for every secret, ordered by key; nothing is decrypted. A file that
    /// does not parse is listed with its ``SecretKeyInfo/problem``.
    public func keys() throws -> [SecretKeyInfo] {
        try scanAll().infos
    }

    /// The sealed secret stored for `key`, or nil.
    public func find(key: String) throws -> SealedSecret? {
        let path = try workspace.secretPath(for: key)
        do {
            return try readSecret(key: key, path: path)
        } catch StoreError.secretNotFound {
            return nil
        }
    }

    /// The sealed secret with `id`, or nil. Two files with that id are an error: an update
    /// must never pick one of them by chance.
    public func find(id: String) throws -> SealedSecret? {
        let wanted = id.lowercased()
        let matches = try scanAll().secrets.filter { $0.id == wanted }
        guard matches.count <= 1 else {
            throw StoreError.duplicateID(id: wanted, files: try matches.map { try workspace.secretPath(for: $0.key) })
        }
        return matches.first
    }

    func load(key: String) throws -> SealedSecret {
        try readSecret(key: key, path: try workspace.secretPath(for: key))
    }

    private func decode(_ bytes: [UInt8], key: String, path: String) throws -> SealedSecret {
        let secret = try SealedSecretCodec.decode(bytes, file: path)
        guard secret.key == key else {
            throw StoreError.malformed(file: path, line: nil, column: nil,
                                       problem: "holds key '\(secret.key)' but is named for '\(key)': rename it back or re-set it")
        }
        return secret
    }

    /// Decrypts the value of `key` with the first matching identity, after checking its
    /// writer signature when the workspace lists writers.
    public func reveal(key: String, identities: [Identity]) throws -> SecureBytes {
        try revealSealed(key: key, identities: identities).value
    }

    /// Decrypts every secret that has a value (or those in `only`), ordered by key, on all cores.
    /// Valueless secrets are skipped and named in `missing`, unless named in `only` (an error).
    /// When the workspace lists writers, any file without a valid writer signature is refused.
    public func revealAll(identities: [Identity], only: [String]? = nil) throws -> RevealedSecrets {
        let config = try workspace.loadConfig()
        let names = nameLookup(config)
        let signatures = WriterSignatures(config)
        let sealer = self.sealer
        let opened: [(String, SecureBytes?, SealedRecipients.File)] = try withSecretsDirectory { directory, listed in
            var keys = listed
            if let only {
                for key in only {
                    try Names.checkKey(key)
                    guard listed.contains(key) else { throw StoreError.secretNotFound(key: key, workspace: workspace.id) }
                }
                keys = Array(Set(only)).sorted()
            }
            return try parallelMap(keys) { key in
                let path = try workspace.secretPath(for: key)
                let secret = try readSecret(key: key, path: path, directory: directory)
                try signatures.verify(secret, file: path)
                let file = SealedRecipients.File(secret, path: path)
                if !secret.hasValue && only == nil { return (key, nil, file) }
                return (key, try sealer.open(secret, identities: identities, file: path, names: names), file)
            }
        }
        return RevealedSecrets(
            values: opened.compactMap { key, value, _ in value.map { (key: key, value: $0) } },
            missing: opened.filter { $0.1 == nil }.map(\.0),
            sealing: SealedRecipients(listed: config.recipients, files: opened.map(\.2)))
    }

    // MARK: Writing

    /// Creates `key` with `value`; fails if it exists.
    @discardableResult
    public func create(key: String, value: SecureBytes) throws -> SecretKeyInfo {
        try write(key: key) { existing, recipients in
            if existing != nil { throw StoreError.secretExists(key: key, workspace: workspace.id) }
            return try seal(value, key: key, replacing: nil, to: recipients)
        }
    }

    /// Replaces the value of the secret with `id`.
    @discardableResult
    public func update(id: String, value: SecureBytes) throws -> SecretKeyInfo {
        guard let secret = try find(id: id) else { throw StoreError.secretIDNotFound(id: id, workspace: workspace.id) }
        return try write(key: secret.key) { existing, recipients in
            guard let existing, existing.id == secret.id else {
                throw StoreError.secretIDNotFound(id: id, workspace: workspace.id)
            }
            return try seal(value, key: existing.key, replacing: existing, to: recipients)
        }
    }

    /// `value` sealed for `key` with a fresh data key, keeping the id and metadata of `existing`
    /// (the file it replaces, if any); when there is metadata, `rotated` becomes today. With
    /// writers, metadata is kept only from a file whose signature holds: the new file is signed,
    /// and a write must never sign metadata a non-writer forged (it is dropped, with a warning
    /// naming the key, and a writer sets it again with `loopseal meta`). A batch passes the
    /// `signatures` of the `workspace.yaml` it read under the lock; nil reads it.
    func seal(_ value: SecureBytes, key: String, replacing existing: SealedSecret?, to recipients: [PublicKey],
              signatures known: WriterSignatures? = nil) throws -> SealedSecret {
        var sealed = try sealer.seal(id: existing?.id ?? newID(), key: key, value: value, to: recipients)
        if let existing, !existing.metadata.isEmpty {
            let signatures = try known ?? WriterSignatures(workspace.loadConfig())
            if signatures.required, (try? signatures.verify(existing, file: try workspace.secretPath(for: key))) == nil {
                logger.warning("dropped metadata whose writer signature does not hold", metadata: ["workspace": "\(workspace.id)", "key": "\(key)"])
            } else {
                sealed.metadata = existing.metadata.afterValueChange(on: try today())
            }
        }
        return sealed
    }

    /// Sets `key` to `value`, creating it if needed and keeping its id if not. When one of
    /// `identities` opens the current value and it is the same (and the file is sealed to
    /// exactly `workspace.yaml`'s recipients), the file is left byte for byte as it was: a
    /// re-seal would be a diff with nothing in it.
    @discardableResult
    public func upsert(key: String, value: SecureBytes, identities: [Identity]) throws -> SecretKeyInfo {
        try apply([.set(key: key, value: value)], identities: identities)
        guard let secret = try find(key: key) else { throw StoreError.secretNotFound(key: key, workspace: workspace.id) }
        return secret.info
    }

    /// Sets `key` to `value`, creating it if needed and keeping its id if not.
    @discardableResult
    public func upsert(key: String, value: SecureBytes) throws -> SecretKeyInfo {
        try upsert(key: key, value: value, identities: [])
    }

    /// Sets `key` to `value` as ``upsert(key:value:identities:)`` does and says what happened:
    /// added, changed, or unchanged (the file untouched).
    public func set(key: String, value: SecureBytes, identities: [Identity]) throws -> SecretWriteOutcome {
        try apply([.set(key: key, value: value)], identities: identities).outcomes.first?.outcome ?? .unchanged
    }

    /// Applies several changes all or nothing, under the lock. Every key, value and existing
    /// file is checked first; problems throw ``StoreError/changeRefused(action:problems:)``
    /// (a single change: its own error) with nothing written. A value equal to the current one (when an identity opens it) is
    /// `unchanged` and its file untouched. Without `overwrite`, setting a secret that has
    /// another value (or one no identity opens) is `refused`, and any refusal writes nothing.
    /// A `dryRun` reports the outcomes and writes nothing. If a write fails half-way, every
    /// file already written is put back.
    ///
    /// `expected` (what a person saw, as in `edit`) is checked under the same lock: each key must
    /// still hold that value (nil: no value), else ``StoreError/changedMeanwhile(keys:)`` and
    /// nothing is written, so a write made meanwhile is never overwritten unseen.
    public func apply(_ changes: [SecretChange], identities: [Identity], overwrite: Bool = true,
                      dryRun: Bool = false, expected: [(key: String, value: SecureBytes?)] = []) throws -> SecretBatchResult {
        var seen = Set<String>()
        for change in changes {
            try Names.checkKey(change.key)
            guard seen.insert(change.key).inserted else {
                throw StoreError.changeRefused(action: "write", problems: ["\(change.key) is given twice"])
            }
        }
        return try withWriteLock { config, recipients in
            let signatures = WriterSignatures(config)
            let moved = try expected.filter { key, value in
                guard let current = try find(key: key), current.hasValue else { return value != nil }
                guard let value else { return true }
                return try !holds(current, value, identities: identities, signatures: signatures)
            }.map(\.key)
            guard moved.isEmpty else { throw StoreError.changedMeanwhile(keys: moved) }
            let plan = try plan(changes, identities: identities, overwrite: overwrite, recipients: recipients, signatures: signatures)
            let result = SecretBatchResult(outcomes: plan.outcomes, written: false)
            guard !dryRun, !result.refused, !plan.writes.isEmpty else { return result }
            let signingKey = try signatures.signingKey(from: signingKeys)
            let files = plan.writes.map { path, secret in
                (path: path, bytes: secret.map { secret in
                    SealedSecretCodec.encode(signingKey.map { signatures.sign(secret, with: $0) } ?? secret)
                })
            }
            try FileIO.makeDirectory(workspace.secretsDirectory)
            try replaceAllOrNothing(config: nil, files: files, progress: nil)
            logger.info("wrote secrets", metadata: ["workspace": "\(workspace.id)", "files": "\(files.count)"])
            return SecretBatchResult(outcomes: plan.outcomes, written: true)
        }
    }

    /// Decides every change of ``apply(_:identities:overwrite:dryRun:)`` against the files as
    /// they are, on all cores: the outcomes, and the files to write (nil: delete). Throws for
    /// any problem (all of them, after every change was looked at).
    private func plan(_ changes: [SecretChange], identities: [Identity], overwrite: Bool, recipients: [PublicKey],
                      signatures: WriterSignatures)
        throws -> (outcomes: [(key: String, outcome: SecretWriteOutcome)], writes: [(path: String, secret: SealedSecret?)]) {
        let decisions = try parallelMap(changes) { change in
            Result {
                try self.decide(change, existing: try self.find(key: change.key), identities: identities, overwrite: overwrite,
                                recipients: recipients, signatures: signatures)
            }
        }
        var outcomes: [(key: String, outcome: SecretWriteOutcome)] = []
        var writes: [(path: String, secret: SealedSecret?)] = []
        var problems: [String] = []
        for (change, decision) in zip(changes, decisions) {
            switch decision {
            case .success(let decided):
                outcomes.append((change.key, decided.outcome))
                if let write = decided.write { writes.append(write) }
            case .failure(let error):
                guard changes.count > 1 else { throw error }
                problems.append("\(error)")
            }
        }
        guard problems.isEmpty else { throw StoreError.changeRefused(action: "write", problems: problems) }
        return (outcomes, writes)
    }

    /// One change of ``plan(_:identities:overwrite:recipients:signatures:)`` against `existing`
    /// (the secret stored for its key, or nil): its outcome and the file to write, if any.
    func decide(_ change: SecretChange, existing: SealedSecret?, identities: [Identity], overwrite: Bool, recipients: [PublicKey],
                signatures: WriterSignatures) throws -> (outcome: SecretWriteOutcome, write: (path: String, secret: SealedSecret?)?) {
        let path = try workspace.secretPath(for: change.key)
        switch change {
        case .remove(let key):
            guard existing != nil else { throw StoreError.secretNotFound(key: key, workspace: workspace.id) }
            return (.removed, (path, nil))
        case .set(let key, let value):
            guard let existing, existing.hasValue else {
                return (.added, (path, try seal(value, key: key, replacing: existing, to: recipients, signatures: signatures)))
            }
            if try isSameValue(existing, value, identities: identities, signatures: signatures, recipients: recipients) {
                return (.unchanged, nil)
            }
            guard overwrite else { return (.refused, nil) }
            return (.changed, (path, try seal(value, key: key, replacing: existing, to: recipients, signatures: signatures)))
        }
    }

    /// True when one of `identities` opens `existing` (its writer signature holding, when the
    /// workspace lists writers), its value is `value` and it is sealed to exactly `recipients`.
    /// False when it cannot be told, or when the file needs a re-seal anyway.
    private func isSameValue(_ existing: SealedSecret, _ value: SecureBytes, identities: [Identity],
                             signatures: WriterSignatures, recipients: [PublicKey]) throws -> Bool {
        guard !identities.isEmpty, Set(existing.recipients.keys) == Set(recipients.map(\.description)) else { return false }
        return try holds(existing, value, identities: identities, signatures: signatures)
    }

    /// True when one of `identities` opens `secret` (its writer signature holding) and its value
    /// is `value`; false when it cannot be told.
    private func holds(_ secret: SealedSecret, _ value: SecureBytes, identities: [Identity],
                       signatures: WriterSignatures) throws -> Bool {
        guard secret.hasValue, !identities.isEmpty else { return false }
        let path = try workspace.secretPath(for: secret.key)
        guard (try? signatures.verify(secret, file: path)) != nil,
              let current = try? sealer.open(secret, identities: identities, file: path) else { return false }
        return current.constantTimeEquals(value)
    }

    /// Changes the metadata of `key` with `edit`, leaving its value and recipients byte for byte
    /// as they are; only the metadata lines, the format number and the signature change. With
    /// writers, the file's signature is checked first (a forged file is never re-signed) and the
    /// result is signed. An edit that changes nothing leaves the file untouched. Returns the
    /// secret as stored.
    @discardableResult
    public func setMetadata(key: String, _ edit: (inout SecretMetadata) throws -> Void) throws -> SealedSecret {
        try Names.checkKey(key)
        let path = try workspace.secretPath(for: key)
        return try withWriteLock { config, _ in
            guard var secret = try find(key: key) else { throw StoreError.secretNotFound(key: key, workspace: workspace.id) }
            let signatures = WriterSignatures(config)
            try signatures.verify(secret, file: path)
            var metadata = secret.metadata
            try edit(&metadata)
            guard metadata != secret.metadata else { return secret }
            secret.metadata = metadata
            secret.signature = nil
            if let signingKey = try signatures.signingKey(from: signingKeys) { secret = signatures.sign(secret, with: signingKey) }
            try FileIO.writeAtomically(SealedSecretCodec.encode(secret), to: path)
            logger.info("wrote metadata", metadata: ["workspace": "\(workspace.id)", "key": "\(key)"])
            return secret
        }
    }

    /// Declares `key` as requested but not yet given: creates a valueless file if the key is
    /// missing and leaves an existing secret untouched.
    @discardableResult
    public func declare(key: String) throws -> SecretKeyInfo {
        try write(key: key) { existing, _ in
            existing == nil ? SealedSecret(id: newID(), key: key, value: nil, recipients: [:]) : nil
        }
    }

    /// Deletes the secret with `id`.
    public func delete(id: String) throws {
        guard let secret = try find(id: id) else { throw StoreError.secretIDNotFound(id: id, workspace: workspace.id) }
        try delete(key: secret.key)
    }

    /// Deletes the secret `key`.
    public func delete(key: String) throws {
        let path = try workspace.secretPath(for: key)
        try workspace.withLock {
            removeStaleTemporaryFiles()
            guard FileIO.exists(path) else { throw StoreError.secretNotFound(key: key, workspace: workspace.id) }
            try FileIO.remove(path)
        }
        logger.info("deleted secret", metadata: ["workspace": "\(workspace.id)", "key": "\(key)"])
    }

    /// Re-seals every data key to the current recipient list. Files whose recipients are already
    /// right are not rewritten. `progress(done, total)` is called after each file written. With
    /// writers, a file's signature is checked before it is re-sealed, and the result is signed
    /// again with the rekeyer's key, so a rekey never turns a forged file into a signed one.
    /// Every file is checked (it parses, its signature holds, an identity opens it) before any is
    /// written; one that cannot be re-sealed stops the whole rekey with nothing changed.
    public func rekey(identities: [Identity], progress: ((Int, Int) -> Void)? = nil) throws -> (rewritten: Int, unchanged: Int) {
        let change = try changeRecipients(action: "rekey", identities: identities, progress: progress) { _ in }
        return (change.rewritten, change.checked - change.rewritten)
    }

    /// Edits the recipients in `workspace.yaml` with `edit` and, unless `rekey` is false,
    /// re-seals every file to the new list, all or nothing: every file is checked first, and
    /// nothing (not even `workspace.yaml`) changes unless every file can be re-sealed. A write
    /// that fails half-way puts back what was written. The result names every secret with a
    /// value that a key no longer listed could read: rotate those.
    public func changeRecipients(action: String, identities: [Identity], rekey: Bool = true,
                                 progress: ((Int, Int) -> Void)? = nil,
                                 _ edit: (inout WorkspaceConfig) throws -> Void) throws -> RecipientChange {
        try workspace.withLock {
            removeStaleTemporaryFiles()
            var config = try workspace.loadConfig()
            try edit(&config)
            let recipients = config.publicKeys
            guard !recipients.isEmpty else { throw StoreError.noRecipients(workspace: workspace.id) }
            let scan = try scanAll()
            var problems = scan.problems.map { "\($0.error)" }
            let wanted = Set(recipients.map(\.description))
            let exposed = scan.secrets.filter { $0.hasValue && !Set($0.recipients.keys).isSubset(of: wanted) }.map(\.key)
            var updates: [(path: String, secret: SealedSecret)] = []
            if rekey {
                let names = nameLookup(config)
                let signatures = WriterSignatures(config)
                for secret in scan.secrets where secret.hasValue && Set(secret.recipients.keys) != wanted {
                    let path = try workspace.secretPath(for: secret.key)
                    do {
                        try signatures.verify(secret, file: path)
                        let dataKey = try sealer.openDataKey(of: secret, identities: identities, file: path, names: names)
                        if var updated = sealer.rekey(secret, dataKey: dataKey, to: recipients) {
                            updated.signature = nil
                            updates.append((path, updated))
                        }
                    } catch {
                        problems.append("\(error)")
                    }
                }
                if problems.isEmpty, !updates.isEmpty, let signingKey = try signatures.signingKey(from: signingKeys) {
                    updates = updates.map { ($0.path, signatures.sign($0.secret, with: signingKey)) }
                }
            }
            guard problems.isEmpty else { throw StoreError.changeRefused(action: action, problems: problems) }
            let signing = try replaceAllOrNothing(config: config, files: updates.map { ($0.path, SealedSecretCodec.encode($0.secret)) },
                                                  progress: progress)
            logger.info("recipients applied", metadata: ["workspace": "\(workspace.id)", "rewritten": "\(updates.count)"])
            return RecipientChange(rewritten: updates.count, checked: scan.secrets.count, exposed: exposed,
                                   configSigning: signing ?? .notRequired)
        }
    }

    /// Writes `workspace.yaml` (when given, signed with ``signingKeys``' key when it lists
    /// writers) and then every file (nil bytes: delete it); if any write fails, puts back every
    /// file already written or deleted (and `workspace.yaml`) from the bytes read just before,
    /// then rethrows. Returns how `workspace.yaml` was signed.
    @discardableResult
    private func replaceAllOrNothing(config: WorkspaceConfig?, files: [(path: String, bytes: [UInt8]?)],
                                     progress: ((Int, Int) -> Void)?) throws -> ConfigSigning? {
        var restore: [(path: String, bytes: [UInt8]?)] = []
        var signing: ConfigSigning?
        do {
            if let config {
                let oldConfig = try FileIO.contents(workspace.configPath, limit: FileLimits.workspaceConfig, kind: "workspace.yaml")
                signing = try workspace.saveConfig(config, signingKeys: signingKeys)
                restore.append((workspace.configPath, oldConfig))
            }
            for (index, file) in files.enumerated() {
                let old = try FileIO.contentsIfExists(file.path, limit: FileLimits.sealedFile, followSymlinks: false, kind: "sealed file")
                if let bytes = file.bytes {
                    try FileIO.writeAtomically(bytes, to: file.path)
                } else {
                    try FileIO.remove(file.path)
                }
                restore.append((file.path, old))
                progress?(index + 1, files.count)
            }
            return signing
        } catch {
            var stranded: [String] = []
            for (path, bytes) in restore.reversed() {
                do {
                    if let bytes { try FileIO.writeAtomically(bytes, to: path) } else { try FileIO.remove(path) }
                } catch {
                    logger.error("could not restore a file after a failed change", metadata: ["file": "\(path)", "error": "\(error)"])
                    stranded.append(path)
                }
            }
            guard stranded.isEmpty else {
                throw StoreError.io(path: stranded.joined(separator: ", "),
                                    problem: "the change failed (\(error)) and these files could not be put back: run 'loopseal verify', then 'loopseal rekey' to finish it")
            }
            throw error
        }
    }

    /// Removes temporary files that a killed writer left in `secrets/` and of `workspace.yaml`.
    /// Call while holding the lock: every writer of those files holds it while its temporary
    /// file exists.
    /// Only `secrets/` and `workspace.yaml`'s: a sync target may live in the workspace folder, and
    /// `sync` writes its temporary file there without this lock.
    func removeStaleTemporaryFiles() {
        for name in (try? FileIO.directoryEntries(workspace.secretsDirectory)) ?? [] where FileIO.isTemporaryName(name) {
            unlink("\(workspace.secretsDirectory)/\(name)")
        }
        for name in (try? FileIO.directoryEntries(workspace.directory)) ?? []
        where name.hasPrefix(".workspace.yaml.tmp-") && FileIO.isTemporaryName(name) {
            unlink("\(workspace.directory)/\(name)")
        }
    }

    /// Keys whose files need a rekey: sealed to a recipient set other than `workspace.yaml`'s.
    public func staleKeys() throws -> [String] {
        let wanted = Set(try workspace.loadConfig().publicKeys.map(\.description))
        return try findAllByWorkspace().filter { $0.hasValue && Set($0.recipients.keys) != wanted }.map(\.key)
    }

    /// Signs files, vouching for their content, with the signing key: those in `keys`, or when
    /// nil every file that lacks a valid writer signature. Returns the keys signed, in order.
    public func sign(keys only: [String]? = nil) throws -> [String] {
        try workspace.withLock {
            let signatures = WriterSignatures(try workspace.loadConfig())
            guard let signingKey = try signatures.signingKey(from: signingKeys) else {
                throw StoreError.noWriters(workspace: workspace.id)
            }
            let listed = try keyNames()
            for key in only ?? [] where !listed.contains(key) {
                try Names.checkKey(key)
                throw StoreError.secretNotFound(key: key, workspace: workspace.id)
            }
            var signed: [String] = []
            for key in only.map({ Array(Set($0)).sorted() }) ?? listed {
                let path = try workspace.secretPath(for: key)
                let secret = try load(key: key)
                if only == nil, (try? signatures.verify(secret, file: path)) != nil { continue }
                try FileIO.writeAtomically(SealedSecretCodec.encode(signatures.sign(secret, with: signingKey)), to: path)
                signed.append(key)
            }
            logger.info("signed", metadata: ["workspace": "\(workspace.id)", "signed": "\(signed.count)"])
            return signed
        }
    }

    /// Every file a reader would refuse for its signature, by key, ordered by key; empty when
    /// the workspace lists no writers. Files that do not parse are listed with their error.
    public func signatureProblems() throws -> [(key: String, problem: any Error)] {
        let signatures = WriterSignatures(try workspace.loadConfig())
        guard signatures.required else { return [] }
        return try keyNames().compactMap { key in
            do {
                try signatures.verify(try load(key: key), file: try workspace.secretPath(for: key))
                return nil
            } catch {
                return (key, error)
            }
        }
    }

    /// Runs `body` holding the workspace lock, after removing stale temporary files (unless
    /// `removingStaleFiles` is false), with `workspace.yaml` (through `configs` when given) and
    /// its recipients (none is an error: nothing could be sealed).
    func withWriteLock<T>(removingStaleFiles: Bool = true, configs: WorkspaceConfigCache? = nil,
                          _ body: (WorkspaceConfig, [PublicKey]) throws -> T) throws -> T {
        try workspace.withLock {
            if removingStaleFiles { removeStaleTemporaryFiles() }
            let config = try configs?.load(workspace) ?? workspace.loadConfig()
            let recipients = config.publicKeys
            guard !recipients.isEmpty else { throw StoreError.noRecipients(workspace: workspace.id) }
            return try body(config, recipients)
        }
    }

    /// Seals under the lock: `make` sees the current secret and the recipients and returns the
    /// new one (nil: leave the file as it is). With writers, the new file is signed.
    private func write(key: String, _ make: (SealedSecret?, [PublicKey]) throws -> SealedSecret?) throws -> SecretKeyInfo {
        let path = try workspace.secretPath(for: key)
        return try withWriteLock { config, recipients in
            let existing = try find(key: key)
            guard var updated = try make(existing, recipients) else {
                guard let existing else { throw StoreError.secretNotFound(key: key, workspace: workspace.id) }
                return existing.info
            }
            let signatures = WriterSignatures(config)
            if let signingKey = try signatures.signingKey(from: signingKeys) {
                updated = signatures.sign(updated, with: signingKey)
            }
            try FileIO.makeDirectory(workspace.secretsDirectory)
            try FileIO.writeAtomically(SealedSecretCodec.encode(updated), to: path)
            logger.info("wrote secret", metadata: ["workspace": "\(workspace.id)", "key": "\(key)", "hasValue": "\(updated.hasValue)"])
            return updated.info
        }
    }

    func nameLookup(_ config: WorkspaceConfig) -> @Sendable (String) -> String? {
        let table = Dictionary(config.recipients.map { ($0.publicKey.description, $0.name) }, uniquingKeysWith: { a, _ in a })
        return { table[$0] }
    }

    func newID() -> String { UUID().uuidString.lowercased() }
}
