import LoopsealDiagnostics

/// Everything that can go wrong in ``LoopsealStore``, each with what a person needs to fix it.
/// No case ever holds a secret value or secret key material.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidWorkspaceID(String)
    case invalidKey(String)
    case invalidRecipientName(String)
    /// A file could not be parsed; `line`/`column` are 1-based when known.
    case malformed(file: String, line: Int?, column: Int?, problem: String)
    case newerFormat(file: String, version: Int)
    case rootNotFound(searchedFrom: String)
    case workspaceNotFound(id: String, root: String)
    case workspaceExists(id: String, path: String)
    case noWorkspaces(root: String)
    case ambiguousWorkspace(ids: [String])
    case secretNotFound(key: String, workspace: String)
    case secretIDNotFound(id: String, workspace: String)
    case secretExists(key: String, workspace: String)
    case noValue(key: String, file: String)
    case noIdentity(searched: [String])
    case invalidIdentity(source: String, line: Int?, problem: String)
    /// No identity is a recipient of `file`. `recipients` are the file's recipients (names where
    /// `workspace.yaml` lists them), `identities` your public keys (shortened), `listedAs` the
    /// names `workspace.yaml` gives your identities (empty: you are not listed), `canRekey` the
    /// listed recipients who can open the file.
    case notARecipient(file: String, recipients: [String], identities: [String], listedAs: [String] = [], canRekey: [String] = [])
    case openFailed(file: String, problem: String)
    case duplicateRecipient(name: String)
    case unknownRecipient(name: String, known: [String])
    case noRecipients(workspace: String)
    case io(path: String, problem: String)
    case locked(path: String)
    case invalidWriterName(String)
    case duplicateWriter(name: String)
    case unknownWriter(name: String, known: [String])
    /// `workspace.yaml` lists no writers, so there is nothing to sign with.
    case noWriters(workspace: String)
    case invalidSigningKey(source: String, line: Int?, problem: String)
    /// The workspace lists writers but no signing key was found where `searched` says.
    case noSigningKey(workspace: String, writers: [String], searched: [String])
    /// The signing key found (from `source`) is not one of the workspace's writers.
    case notAWriter(workspace: String, source: String, publicKey: String, writers: [String])
    /// Read refused: the workspace lists writers and `file` carries no signature.
    case unsigned(file: String)
    /// Read refused: `file` is signed by a key that `writers:` does not list.
    case signedByNonWriter(file: String, writer: String, writers: [String])
    /// Read refused: the signature does not verify over the file's content.
    case badSignature(file: String, writer: String)
    /// A value larger than Loopseal stores.
    case valueTooLarge(key: String, size: Int, limit: Int)
    /// `file` holds git conflict markers (first at `line`).
    case mergeConflict(file: String, line: Int)
    /// Two sealed files carry the same `id:`.
    case duplicateID(id: String, files: [String])
    /// Secrets a batch expected to hold what a person saw hold something else now.
    case changedMeanwhile(keys: [String])
    /// `loopseal resolve` was asked to settle a file that holds no conflict.
    case notInConflict(file: String)
    /// A multi-file change was refused before anything was written: every file that stops it.
    case changeRefused(action: String, problems: [String])
    /// A metadata value given to a command is not valid: `field` names the flag or field.
    case invalidMetadata(field: String, problem: String)

    public var description: String {
        switch self {
        case .invalidWorkspaceID(let id):
            return "invalid workspace id '\(Self.printable(id))': use 1-63 characters [a-z0-9_-], starting with a letter or digit"
        case .invalidKey(let key):
            return "invalid secret key '\(Self.printable(key))': use an environment variable name, [A-Za-z_][A-Za-z0-9_]*, at most 200 characters"
        case .invalidRecipientName(let name):
            return "invalid recipient name '\(Self.printable(name))': use 1-64 characters [A-Za-z0-9._@+-], starting with a letter or digit"
        case .malformed(let file, let line, let column, let problem):
            return "\(Self.location(file, line, column)): \(problem)"
        case .newerFormat(let file, let version):
            return "\(file): written by a newer loopseal (format \(version)); this loopseal reads formats 1 to \(SealedSecretCodec.formatVersion): upgrade loopseal"
        case .rootNotFound(let from):
            return "no 'workspaces/' directory in \(from) or any parent: run 'loopseal init <workspace>' or pass --root DIR"
        case .workspaceNotFound(let id, let root):
            return "workspace '\(id)' not found under \(root)/workspaces: check --workspace or run 'loopseal init \(id)'"
        case .workspaceExists(let id, let path):
            return "workspace '\(id)' already exists at \(path)"
        case .noWorkspaces(let root):
            return "no workspace under \(root)/workspaces: run 'loopseal init <workspace>'"
        case .ambiguousWorkspace(let ids):
            return "several workspaces (\(ids.joined(separator: ", "))): choose one with --workspace ID"
        case .secretNotFound(let key, let ws):
            return "no secret '\(key)' in workspace '\(ws)': 'loopseal keys' lists them"
        case .secretIDNotFound(let id, let ws):
            return "no secret with id '\(Self.printable(id))' in workspace '\(ws)'"
        case .secretExists(let key, let ws):
            return "secret '\(key)' already exists in workspace '\(ws)': update it instead"
        case .noValue(let key, let file):
            return "\(file): secret '\(key)' was requested but has no value yet: set it with 'loopseal set \(key)'"
        case .noIdentity(let searched):
            return "no identity found (looked in: \(searched.joined(separator: ", "))): pass --identity FILE or set LOOPSEAL_IDENTITY"
        case .invalidIdentity(let source, let line, let problem):
            return "\(Self.location(source, line, nil)): \(problem)"
        case .notARecipient(let file, let recipients, let identities, let listedAs, let canRekey):
            return Self.notSealedToYou(file: file, recipients: recipients, identities: identities, listedAs: listedAs, canRekey: canRekey)
        case .openFailed(let file, let problem):
            return "\(file): \(problem)"
        case .duplicateRecipient(let name):
            return "recipient '\(name)' is already listed (names and keys must be unique): remove it first"
        case .unknownRecipient(let name, let known):
            return "no recipient named '\(Self.printable(name))' (known: \(known.joined(separator: ", ")))"
        case .noRecipients(let ws):
            return "workspace '\(ws)' has no recipients: add one with 'loopseal recipients add NAME age1…'"
        case .io(let path, let problem):
            return "\(path): \(problem)"
        case .locked(let path):
            return "\(path): another loopseal process holds the workspace lock; try again when it finishes"
        case .invalidWriterName(let name):
            return "invalid writer name '\(Self.printable(name))': use 1-64 characters [A-Za-z0-9._@+-], starting with a letter or digit"
        case .duplicateWriter(let name):
            return "writer '\(name)' is already listed (names and keys must be unique): remove it first"
        case .unknownWriter(let name, let known):
            return "no writer named '\(Self.printable(name))' (known: \(known.joined(separator: ", ")))"
        case .noWriters(let ws):
            return "workspace '\(ws)' lists no writers, so files are not signed: add one with 'loopseal writers add NAME loopsealsign1…'"
        case .invalidSigningKey(let source, let line, let problem):
            return "\(Self.location(source, line, nil)): \(problem)"
        case .noSigningKey(let ws, let writers, let searched):
            return "workspace '\(ws)' requires signed writes (writers: \(writers.joined(separator: ", "))) but no signing key was found (looked in: \(searched.joined(separator: ", "))): pass --signing-key FILE or set LOOPSEAL_SIGNING_KEY; 'loopseal keygen --signing' makes one"
        case .notAWriter(let ws, let source, let publicKey, let writers):
            return "the signing key from \(source) (\(publicKey)) is not a writer of workspace '\(ws)' (writers: \(writers.joined(separator: ", "))): ask a writer to run 'loopseal writers add NAME \(publicKey)'"
        case .unsigned(let file):
            return "\(file): refused: not signed, but workspace.yaml lists writers; a writer must set it again, or check it and sign it with 'loopseal writers sign'"
        case .signedByNonWriter(let file, let writer, let writers):
            return "\(file): refused: signed by \(writer), which is not a writer in workspace.yaml (writers: \(writers.joined(separator: ", ")))"
        case .badSignature(let file, let writer):
            return "\(file): refused: the signature by \(writer) does not match the file's content (changed after signing, or copied from another file)"
        case .valueTooLarge(let key, let size, let limit):
            return "the value for '\(key)' is \(size) bytes, more than the \(limit) Loopseal stores: keep large files elsewhere and store their key or URL"
        case .mergeConflict(let file, let line):
            guard file.hasSuffix(".sealed") else {
                return "merge conflict in \(file) (line \(line)): keep one side ('git checkout --ours FILE' or '--theirs FILE') or merge the lines by hand, then 'git add' it"
            }
            let key = SealedSecret.key(ofFile: file) ?? "KEY"
            return "merge conflict in \(file) (line \(line)): resolve it with 'loopseal resolve \(key) --ours', '--theirs' or '--edit'"
        case .duplicateID(let id, let files):
            return "\(files.joined(separator: " and ")) share the id \(id): ids must be unique; remove the copy, or re-create one of them ('loopseal rm KEY' then 'loopseal set KEY')"
        case .changedMeanwhile(let keys):
            return "\(keys.joined(separator: ", ")) changed in the workspace meanwhile (another command, or a git pull): nothing was changed; run it again"
        case .notInConflict(let file):
            return "\(file) holds no merge conflict: nothing to resolve ('loopseal keys' marks conflicts)"
        case .changeRefused(let action, let problems):
            return "\(action) refused, nothing was changed:\n  " + problems.joined(separator: "\n  ") + "\nfix these files (or remove them from the workspace) and run it again"
        case .invalidMetadata(let field, let problem):
            return "\(field): \(problem)"
        }
    }

    /// The message of ``notARecipient(file:recipients:identities:listedAs:canRekey:)``: whose
    /// file it is, and who can re-seal it to you.
    private static func notSealedToYou(file: String, recipients: [String], identities: [String], listedAs: [String],
                                       canRekey: [String]) -> String {
        let yours = identities.joined(separator: ", ")
        let sealedTo = recipients.isEmpty ? "it has no recipients" : "it is sealed to \(recipients.joined(separator: ", "))"
        guard !listedAs.isEmpty else {
            return "\(file) is not sealed to you (your identities: \(yours)); \(sealedTo): ask one of them to add you to workspace.yaml ('loopseal recipients add NAME <your age1… key>'), which re-seals every file"
        }
        let you = listedAs.joined(separator: ", ")
        let who = canRekey.isEmpty
            ? "no recipient workspace.yaml lists can open it: set its value again with 'loopseal set'"
            : "ask \(canRekey.joined(separator: " or ")) to run 'loopseal rekey'"
        return "\(file) is not sealed to you (your identities: \(yours), listed in workspace.yaml as \(you)): it was sealed before \(you) was added; \(sealedTo): \(who)"
    }

    /// `file:line:column`, `file:line` or `file`, as error messages name a place.
    public static func location(_ file: String, _ line: Int?, _ column: Int?) -> String {
        SourcePosition.location(file, line: line, column: column)
    }

    /// Names shown back to people are bounded and stripped of control characters.
    static func printable(_ text: String) -> String { UntrustedText.display(text, limit: 80) }
}

extension StoreError: LoopsealError {
    public var file: String? {
        if case .malformed(let file, _, _, _) = self { return file }
        return nil
    }
    public var position: SourcePosition? {
        if case .malformed(_, let line?, let column?, _) = self { return SourcePosition(line: line, column: column) }
        return nil
    }
}
