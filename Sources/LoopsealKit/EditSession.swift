import Foundation
import LoopsealCrypto
import LoopsealStore
import LoopsealSystem

/// A person's editor on plaintext in a ``PrivateFile`` (mode 0600, in memory on `/dev/shm` when
/// there is one, wiped afterwards, also on SIGINT, SIGTERM and SIGHUP): the one editing session
/// of `loopseal edit` and `loopseal resolve --edit`.
///
/// The editor runs attached to the terminal. While it is open, Ctrl-C is the editor's (as under
/// git): loopseal does not die and wipe the file under it.
public struct EditSession {
    /// The editor to run.
    public var editor: EditorCommand
    /// The editor's environment (nil: this process's).
    public var environment: [String: String]?
    /// The most the edited file may hold.
    public var limit: Int

    /// A session with `editor`.
    public init(editor: EditorCommand, environment: [String: String]? = nil, limit: Int = FileIO.defaultLimit) {
        self.editor = editor
        self.environment = environment
        self.limit = limit
    }

    /// Writes `text` to a private file called `fileName` and opens the editor on it. When the
    /// editor exits 0, the file's bytes go to `accept`, whose result is returned. When `accept`
    /// throws, `reopen(error)` decides: true opens the editor again on the file as it was left,
    /// false throws the error. An editor that exits non-zero (or dies) throws
    /// ``EditError/editorFailed(editor:status:signaled:)``. The file is wiped before this returns
    /// or throws.
    public func run<Result>(_ text: SecureBytes, fileName: String, accept: (SecureBytes) throws -> Result,
                            reopen: (Error) -> Bool) throws -> Result {
        let file = try text.withUnsafeBytes { try PrivateFile(name: fileName, contents: $0) }
        defer { file.wipe() }
        while true {
            let exit: ChildProcess.Exit
            do {
                exit = try ChildProcess.runAttached(editor.arguments(file: file.path), environment: environment)
            } catch {
                throw EditError.editorNotStarted(editor: editor.displayName, reason: "\(error)")
            }
            guard exit.status == 0, !exit.signaled else {
                throw EditError.editorFailed(editor: editor.displayName, status: exit.status, signaled: exit.signaled)
            }
            let edited: SecureBytes
            do {
                edited = try file.read(limit: limit) { try SecureBytes(copying: $0) }
            } catch let error as PrivateFileError {
                throw EditError.unreadable(reason: error.reason)
            }
            do {
                return try accept(edited)
            } catch {
                guard reopen(error) else { throw error }
            }
        }
    }
}
