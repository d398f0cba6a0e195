import ArgumentParser
import Foundation
import LoopsealServer
import LoopsealStore

struct Token: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Create, list and revoke the API tokens of 'loopseal serve'.",
        discussion: """
            Tokens are stored as BLAKE2b hashes in the state directory ($LOOPSEAL_STATE, else ~/.local/state/loopseal), \
            or with --shared in the repository, one file per token in server/tokens/ (hashes of 256-bit random tokens: \
            safe to publish), shared by every 'serve --git-push' replica; each shared record carries a MAC under the \
            replicas' session key (--session-key FILE or $LOOPSEAL_SESSION_KEY_FILE, required with --shared), and a record \
            without a valid one is refused. A running server sees changes at once.
            """,
        subcommands: [Create.self, List.self, Revoke.self])

    struct StateOptions: ParsableArguments {
        @Option(help: ArgumentHelp("The state directory (default: $LOOPSEAL_STATE, else ~/.local/state/loopseal).", valueName: "dir"))
        var state: String?

        @Flag(help: "Use the tokens in the repository (server/tokens/<id>.json), shared by 'serve --git-push' replicas; commit the change, or let a --git-push server on this clone push it.")
        var shared = false

        @Option(help: ArgumentHelp("With --shared: the repository root (default: the nearest parent of the current directory that has workspaces/).", valueName: "dir"))
        var root: String?

        @Option(name: .customLong("session-key"), help: ArgumentHelp(
            "With --shared: the replicas' identity file ('serve --session-key'; default: $LOOPSEAL_SESSION_KEY_FILE), whose derived key signs and checks the token records.",
            valueName: "file"))
        var sessionKey: String?

        func validate() throws {
            if root != nil && !shared { throw ValidationError("--root needs --shared (without it, tokens live in the state directory)") }
            if state != nil && shared { throw ValidationError("--state and --shared exclude each other: shared tokens live in the repository") }
            if sessionKey != nil && !shared { throw ValidationError("--session-key needs --shared (tokens in the state directory carry no MAC)") }
        }

        func store() throws -> TokenStore {
            guard shared else { return TokenStore(directory: state ?? TokenStore.defaultDirectory()) }
            var keyOptions = SessionKeyOptions()
            keyOptions.sessionKey = sessionKey
            guard let key = try keyOptions.tokenRecordKey() else { throw TokenError.needsSessionKey }
            guard let root else { return TokenStore(repositoryRoot: try Workspace.findRoot(from: FileManager.default.currentDirectoryPath), key: key) }
            guard FileIO.isDirectory(root) else { throw CLIError("--root \(root) is not a directory") }
            return TokenStore(repositoryRoot: URL(fileURLWithPath: root).standardizedFileURL.path, key: key)
        }
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Create a token and print it once.",
            discussion: "reader: list keys, read runs. writer: also set secrets and fire transitions. admin: also delete secrets and start runs.")
        @OptionGroup var state: StateOptions
        @Option(name: [.customShort("w"), .long], parsing: .upToNextOption, help: "Workspace ids the token may see (one or more).")
        var workspace: [String] = []
        @Option(help: "reader, writer or admin.") var role: Role = .reader
        @Option(help: "A label shown by 'token list'.") var name: String?
        @Flag(help: "Print {id, token, …} as JSON.") var json = false

        func run() throws {
            let store = try state.store()
            let (token, record) = try store.create(workspaces: workspace, role: role, name: name)
            if json {
                Terminal.print(#"{"id":"\#(record.id)","token":"\#(token)","role":"\#(record.role.rawValue)","workspaces":[\#(record.workspaces.map { "\"\($0)\"" }.joined(separator: ","))]}"# + "\n")
            } else {
                Terminal.print(token + "\n")
                Terminal.warn("token \(record.id) (\(record.role.rawValue) on \(record.workspaces.joined(separator: ", "))): shown once, store it now"
                              + (store.isShared ? "; its hash is in \(store.path)/\(record.id).json: commit it (a 'serve --git-push' here pushes it)" : ""))
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List tokens (ids, roles, workspaces; never the tokens).")
        @OptionGroup var state: StateOptions

        func run() throws {
            for record in try state.store().list() {
                Terminal.print("\(record.id)  \(record.role.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0))  \(record.workspaces.joined(separator: ","))  \(record.createdAt)\(record.name.map { "  \($0)" } ?? "")\n")
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a token by id (or name); a running server refuses it at once.")
        @OptionGroup var state: StateOptions
        @Argument(help: "The token id from 'token list'.") var id: String

        func run() throws {
            let store = try state.store()
            let record = try store.revoke(id: id)
            Terminal.warn("revoked token \(record.id)" + (store.isShared ? ": \(store.path)/\(record.id).json deleted; commit that (a 'serve --git-push' here pushes it)" : ""))
        }
    }
}

extension Role: ExpressibleByArgument {}
