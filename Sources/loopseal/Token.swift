import ArgumentParser
import Foundation
import LoopsealServer

struct Token: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Create, list and revoke the API tokens of 'loopseal serve'.",
        discussion: "Tokens are stored as BLAKE2b hashes in the state directory ($LOOPSEAL_STATE, else ~/.local/state/loopseal); a running server sees changes at once.",
        subcommands: [Create.self, List.self, Revoke.self])

    struct StateOptions: ParsableArguments {
        @Option(help: ArgumentHelp("The state directory (default: $LOOPSEAL_STATE, else ~/.local/state/loopseal).", valueName: "dir"))
        var state: String?

        func store() -> TokenStore { TokenStore(directory: state ?? TokenStore.defaultDirectory()) }
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
            let (token, record) = try state.store().create(workspaces: workspace, role: role, name: name)
            if json {
                Terminal.print(#"{"id":"\#(record.id)","token":"\#(token)","role":"\#(record.role.rawValue)","workspaces":[\#(record.workspaces.map { "\"\($0)\"" }.joined(separator: ","))]}"# + "\n")
            } else {
                Terminal.print(token + "\n")
                Terminal.warn("token \(record.id) (\(record.role.rawValue) on \(record.workspaces.joined(separator: ", "))): shown once, store it now")
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
            let record = try state.store().revoke(id: id)
            Terminal.warn("revoked token \(record.id)")
        }
    }
}

extension Role: ExpressibleByArgument {}
